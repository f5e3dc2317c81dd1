"""Hashtags: those written in a text (``#tag``), and those a channel appends."""

from __future__ import annotations

import re
from functools import lru_cache

HASHTAG = re.compile(r"#(?<![\w#&/]#)(\w+)")


@lru_cache(maxsize=1024)
def inline_hashtags(text: str) -> tuple[str, ...]:
    return tuple(m.group(1) for m in HASHTAG.finditer(text))


def appended(placement: str, tags: list[str], text: str) -> list[str]:
    """``#tag`` for each tag the channel appends: with placement ``end``, every tag
    (the post's and its campaign's) not already written in ``text``, once."""
    if placement != "end":
        return []
    inline = {tag.lower() for tag in inline_hashtags(text)}
    out: dict[str, str] = {}
    for tag in tags:
        if tag.lower() not in inline:
            out.setdefault(tag.lower(), "#" + tag)
    return list(out.values())
