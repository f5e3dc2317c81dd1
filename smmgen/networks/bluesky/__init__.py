"""Bluesky: settings, limits, counting, link shortening and records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field

from smmgen.channels.base import Entity, Grammar, Network, NetworkLimits, Prepared
from smmgen.models.base import EnvName, Url
from smmgen.models.channels import NetworkChannel
from smmgen.networks.bluesky.shorten import short_url, shorten_links
from smmgen.text import facets, graphemes
from smmgen.text.entities import facet_entities
from smmgen.text.richtext import hashtag_spans, mention_may_follow


class BlueskyChannel(NetworkChannel):
    type: Literal["bluesky"] = Field(description="A Bluesky (AT Protocol) account.")
    handle: str = Field(description="The account's handle, e.g. example.bsky.social.")
    service: Url = Field(default="https://bsky.social", description="The account's PDS.")
    password_env: EnvName = Field(description="Variable holding an app password.")


def bluesky_length(text: str) -> int:
    """Bluesky: extended grapheme clusters, limit 300.

    Source: the ``app.bsky.feed.post`` lexicon, ``text`` has
    ``maxGraphemes: 300`` and ``maxLength: 3000`` (UTF-8 bytes, see
    `smmgen.text.utf8_length`); atproto validates graphemes with UAX #29
    segmentation.
    """
    return graphemes(text)


@lru_cache(maxsize=256)
def as_sent(text: str) -> Prepared:
    """A Bluesky text as sent (long links shortened, as Bluesky's app does) and its facets."""
    short, found = shorten_links(text, facets(text))
    return short, tuple(found)


def quick_count(text: str) -> Callable[[str], int]:
    """Bluesky's count for parts of ``text``: graphemes, less what shortening each
    link saves. Found once for the whole text, so splitting measures cheaply."""
    savings = []
    data = text.encode("utf-8")
    for facet in facets(text):
        feature = facet["features"][0]
        if feature.get("$type") != "app.bsky.richtext.facet#link":
            continue
        written = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
        short = short_url(feature["uri"])
        if len(short) < len(written):
            savings.append((written, graphemes(written) - graphemes(short)))

    def count(part: str) -> int:
        return graphemes(part) - sum(saved for link, saved in savings if link in part)

    return count


def bluesky_entities(text: str) -> list[Entity]:
    """What Bluesky links in a text, when its facets are not at hand: those the app
    detects (a variant carries its own, which keep a shortened link's full URL)."""
    return facet_entities(text, facets(text))


# @atproto/api's TAG_REGEX and MENTION_REGEX (smmgen.text.richtext): a tag runs from
# '#' after the start or whitespace up to whitespace or a zero-width character (ZWNJ
# and ZWJ end it: #برنامه‌نویسی is linked as #برنامه), less trailing punctuation.
GRAMMAR = Grammar(
    hashtags=hashtag_spans,
    mention_may_follow=mention_may_follow,
    mention_rule="Bluesky links a mention only at the start, after a space or after '('",
    source="@atproto/api RichText.detectFacets: TAG_REGEX, MENTION_REGEX",
)


NETWORK = Network(
    type="bluesky",
    title="Bluesky",
    limits=NetworkLimits(
        max_chars=300,
        max_bytes=3000,
        max_media=4,
        max_image_bytes=1_000_000,
        max_alt_chars=None,
        image_formats=frozenset({"jpg", "jpeg", "png", "gif", "webp"}),
    ),
    settings=BlueskyChannel,
    count=bluesky_length,
    unit="graphemes",
    counts="graphemes (long links shortened as Bluesky's app does), and UTF-8 bytes",
    count_bounded=True,
    threads=True,
    handle_prefix="@",
    grammar=GRAMMAR,
    prepare=as_sent,
    quick_count=quick_count,
    short_link=short_url,
    entities=bluesky_entities,
    link_card=True,
    driver="smmgen.networks.bluesky.driver:BlueskyDriver",
    docs=(
        "app.bsky.feed.post: text maxGraphemes 300, maxLength 3000 (UTF-8 bytes); "
        "app.bsky.embed.images: at most 4 images, blobs up to 1,000,000 bytes."
    ),
)


def post_record(
    text: str,
    facets: list[dict[str, Any]] | None,
    *,
    created_at: datetime,
    langs: list[str] | None = None,
    reply: dict[str, Any] | None = None,
    embed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An ``app.bsky.feed.post`` record for one part of a variant.

    Mention facets must have their handle resolved to a DID before the record
    is sent (the variant keeps the handle in ``did`` until publishing).
    """
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": created_at.astimezone(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    }
    if facets:
        record["facets"] = facets
    if langs:
        record["langs"] = langs
    if reply is not None:
        record["reply"] = reply
    if embed is not None:
        record["embed"] = embed
    return record
