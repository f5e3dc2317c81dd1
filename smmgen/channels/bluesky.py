"""Bluesky: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

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
    docs=(
        "app.bsky.feed.post: text maxGraphemes 300, maxLength 3000 (UTF-8 bytes); "
        "app.bsky.embed.images: at most 4 images, blobs up to 1,000,000 bytes."
    ),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
