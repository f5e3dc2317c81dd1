"""Threads: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

from smmgen.channels.base import MB, Network, NetworkLimits

NETWORK = Network(
    type="threads",
    title="Threads",
    limits=NetworkLimits(
        max_chars=500,
        max_media=20,
        max_image_bytes=8 * MB,
        max_alt_chars=1000,
        max_links=5,
        image_formats=frozenset({"jpg", "jpeg", "png"}),
    ),
    threads=True,
    docs=(
        "Threads API: text up to 500 characters, at most 5 links; carousels up to 20 items; "
        "images JPEG/PNG up to 8 MB."
    ),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
