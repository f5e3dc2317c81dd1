"""Hashtags written in a text (``#tag``), as networks recognise them."""

from __future__ import annotations

import re
from functools import lru_cache

HASHTAG = re.compile(r"(?<![\w#&/])#(\w+)")


@lru_cache(maxsize=1024)
def inline_hashtags(text: str) -> tuple[str, ...]:
    return tuple(m.group(1) for m in HASHTAG.finditer(text))
