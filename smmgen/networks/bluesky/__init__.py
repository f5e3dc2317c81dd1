"""Bluesky: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from smmgen.channels.base import Network, NetworkLimits

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
    threads=True,
    shortens_links=True,
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


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
