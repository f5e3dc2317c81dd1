"""Text measurement and rich text per network (SPEC.md section 6).

- `length(text, network)`: the length the network itself counts for `text`
  (each network's rule and its source are in its module, `smmgen.networks`);
- `graphemes`, `utf8_length`, `utf16_length`: the basic units;
- `urls(text)`: the links in a text, each once (Threads allows 5);
- `facets(text)`: Bluesky rich-text facets (`smmgen.text.richtext`).
"""

from __future__ import annotations

from typing import Any

from smmgen import registry
from smmgen.text import richtext
from smmgen.text._emoji import emoji_spans
from smmgen.text._unicode import code_points, graphemes, utf8_length, utf16_length
from smmgen.text.twitter import extract_url_entities

__all__ = [
    "code_points",
    "emoji_spans",
    "facets",
    "graphemes",
    "length",
    "urls",
    "utf8_length",
    "utf16_length",
    "warm_up",
]


def length(text: str, network: str) -> int:
    """The length `network` counts for `text` (the text as it will be sent).

    `network` is a channel type: x, mastodon, bluesky, threads, linkedin,
    facebook, telegram, discord, slack, webhook or feed.

    >>> length("Hello 👋🏽 https://example.com/some/long/path", "x")
    32
    >>> length("Hello 👋🏽", "bluesky")
    7
    """
    known = registry.types()
    if network not in known:
        raise ValueError(f"unknown network {network!r}; known networks: {', '.join(known)}")
    return registry.network(network).count(text)


def warm_up() -> None:
    """Compile the large patterns now (they compile on first use otherwise)."""
    for network in registry.networks():
        network.count("see https://example.com and @a@b.example #tag")
    facets("see example.com")


def urls(text: str) -> list[str]:
    """The links in `text`, each distinct one once, in order of appearance.

    Links are found as X finds them (twitter-text, with and without a
    scheme: ``https://example.com/x`` and ``www.example.com`` alike), which
    is also how Threads counts its limit of 5 unique links per post.
    """
    seen: dict[str, None] = {}
    for entity in extract_url_entities(text):
        seen.setdefault(entity.url, None)
    return list(seen)


def facets(text: str) -> list[dict[str, Any]]:
    """The Bluesky facets of `text` (see `smmgen.text.richtext.facets`)."""
    return richtext.facets(text)
