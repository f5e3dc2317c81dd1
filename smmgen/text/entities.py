"""The links, mentions and hashtags a network's app shows linked in a text as sent.

A network that knows its own extractor sets ``Network.entities`` (X: twitter-text;
Mastodon: its server's); the others get :func:`default_entities`: the links
smmgen's URL detection finds (twitter-text's, bare domains included), the
hashtags of the network's grammar and the @handles it links. Bluesky's are its
facets (:func:`facet_entities`), which the variant carries.

Offsets are Python ``str`` indices (code points), end exclusive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import regex

from smmgen.channels.base import Entity, Grammar
from smmgen.text.twitter import extract_url_entities

__all__ = [
    "default_entities",
    "facet_entities",
    "link_entities",
    "mention_spans",
    "without_overlaps",
]

_SCHEME = regex.compile(r"[a-z][a-z0-9+.-]*://", regex.IGNORECASE)
_WORD = r"\p{L}\p{M}\p{N}_"
# an @handle: word characters, dots and hyphens inside, and an optional @domain
_NAME = rf"[{_WORD}](?:[{_WORD}.-]*[{_WORD}])?"
_MENTION = regex.compile(rf"@{_NAME}(?:@{_NAME})?")

_LINK = "app.bsky.richtext.facet#link"
_MENTION_FEATURE = "app.bsky.richtext.facet#mention"
_TAG = "app.bsky.richtext.facet#tag"


def full_url(url: str) -> str:
    """The URL a link written without a scheme opens: ``http://`` and the link, as X
    expands ``bit.ly/2so49n2`` (its docs: expanded_url ``http://bit.ly/2so49n2``)."""
    return url if _SCHEME.match(url) else "http://" + url


def link_entities(text: str, *, bare: bool = True) -> list[Entity]:
    """The links twitter-text finds in ``text``; ``bare``: ``example.com`` too."""
    return [
        Entity("link", found.start, found.end, full_url(found.url))
        for found in extract_url_entities(text, without_scheme=bare)
    ]


def mention_spans(text: str, grammar: Grammar) -> list[tuple[int, int]]:
    """The ``@handle``s in ``text`` that ``grammar`` links (by the character before '@')."""
    if "@" not in text:
        return []
    found = []
    for match in _MENTION.finditer(text):
        start = match.start()
        before = text[start - 1] if start else ""
        if before == "@" or regex.match(rf"[{_WORD}]", before):
            continue  # inside a word or an address: not a handle
        if grammar.mention_may_follow(before):
            found.append((start, match.end()))
    return found


def without_overlaps(entities: Iterable[Entity]) -> list[Entity]:
    """``entities`` in order, less each one that overlaps one before it (twitter-text's
    ``removeOverlappingEntities``: of two, the one that starts first stays)."""
    kept: list[Entity] = []
    end = -1
    for entity in sorted(entities, key=lambda entity: entity.start):
        if entity.start < end or entity.end <= entity.start:
            continue
        kept.append(entity)
        end = entity.end
    return kept


def default_entities(
    text: str, grammar: Grammar, *, bare: bool = True, mentions: bool = True
) -> list[Entity]:
    """The links smmgen's URL detection finds, ``grammar``'s hashtags and, with
    ``mentions``, the @handles it links; overlaps removed (a link first)."""
    links = link_entities(text, bare=bare)
    found: list[Entity] = list(links)
    if "#" in text or "\uff03" in text:
        found += [Entity("hashtag", start, end) for start, end, _tag in grammar.hashtags(text)]
    if mentions:
        found += [Entity("mention", start, end) for start, end in mention_spans(text, grammar)]
    return without_overlaps(found)


def facet_entities(text: str, facets: Sequence[dict[str, Any]]) -> list[Entity]:
    """Bluesky facets (UTF-8 byte offsets into ``text``) as entities; a facet whose
    offsets do not fall on characters of ``text``, or of another kind, is left out."""
    data = text.encode("utf-8")
    chars: dict[int, int] = {}
    offset = 0
    for index, char in enumerate(text):
        chars[offset] = index
        offset += len(char.encode("utf-8"))
    chars[len(data)] = len(text)
    found = []
    for facet in facets:
        try:
            start = chars[facet["index"]["byteStart"]]
            end = chars[facet["index"]["byteEnd"]]
            feature = facet["features"][0]
        except (KeyError, IndexError, TypeError):
            continue
        kind = feature.get("$type") if isinstance(feature, dict) else None
        if kind == _LINK and isinstance(feature.get("uri"), str):
            found.append(Entity("link", start, end, feature["uri"]))
        elif kind == _MENTION_FEATURE:
            found.append(Entity("mention", start, end))
        elif kind == _TAG:
            found.append(Entity("hashtag", start, end))
    return without_overlaps(found)
