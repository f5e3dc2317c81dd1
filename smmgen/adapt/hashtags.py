"""Hashtags: those written in a text (``#tag``), and those a channel appends.

A text's tags are read with twitter-text's grammar (:mod:`smmgen.models.hashtags`,
the broadest of the networks'), so ``#برنامه‌نویسی``, ``#מנכ״ל`` and ``#שַׁבָּת``
are whole tags, and tags are compared NFC-normalised and case-folded. What each
network links of them is its :class:`~smmgen.channels.base.Grammar`;
:func:`grammar_findings` says where one would cut a tag or not link it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from smmgen.channels.base import Network
from smmgen.models.hashtags import Hashtag, hashtags_in, tag_key
from smmgen.text.twitter import extract_urls


@lru_cache(maxsize=1024)
def written_hashtags(text: str) -> tuple[Hashtag, ...]:
    """The hashtags written in ``text``: twitter-text's ``extractHashtagsWithIndices``
    (its grammar, less the tags that overlap a URL; of two overlapping entities
    the one that starts first stays, as in ``removeOverlappingEntities``)."""
    tags = hashtags_in(text)
    if not tags:
        return ()
    urls = extract_urls(text)
    if not urls:
        return tuple(tags)
    entities: list[tuple[int, int, Hashtag | None]] = [(t.start, t.end, t) for t in tags]
    entities += [(start, stop, None) for start, stop in urls]
    entities.sort(key=lambda entity: entity[0])  # stable: tags first, as in JavaScript
    kept: list[Hashtag] = []
    end = -1
    for start, stop, tag in entities:
        if start < end:
            continue  # overlaps the entity kept before it
        end = stop
        if tag is not None:
            kept.append(tag)
    return tuple(kept)


def inline_hashtags(text: str) -> tuple[str, ...]:
    """The tags written in ``text`` (without ``#``), in order."""
    return tuple(tag.tag for tag in written_hashtags(text))


def appended(placement: str, tags: Sequence[str], text: str) -> list[str]:
    """``#tag`` for each tag the channel appends: with placement ``end``, every tag
    (the post's and its campaign's) not already written in ``text``, once (tags
    compared NFC-normalised and case-folded)."""
    if placement != "end":
        return []
    return list(_appended(tuple(tags), text))


@lru_cache(maxsize=1024)
def _appended(tags: tuple[str, ...], text: str) -> tuple[str, ...]:
    """`appended` for placement ``end``: once per post's text and tags, which its
    channels mostly share."""
    inline = {tag_key(tag) for tag in inline_hashtags(text)}
    out: dict[str, str] = {}
    for tag in tags:
        key = tag_key(tag)
        if key not in inline:
            out.setdefault(key, "#" + tag)
    return tuple(out.values())


def linked(network: Network, text: str) -> dict[int, str]:
    """The tags ``network`` links in ``text``, by the index of their ``#``."""
    return {start: tag for start, _end, tag in network.grammar.hashtags(text)}


def unlinked(network: Network, text: str, tags: Sequence[Hashtag]) -> list[tuple[str, str | None]]:
    """(tag, what ``network`` links of it, None: nothing) for each of ``tags``
    (written in ``text``) that the network would cut or not link."""
    found = linked(network, text)
    out = []
    for tag in tags:
        got = found.get(tag.start)
        if got != tag.tag:
            out.append((tag.tag, got))
    return out
