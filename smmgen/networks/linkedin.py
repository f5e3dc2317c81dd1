"""LinkedIn: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

from smmgen.channels.base import Network, NetworkLimits

NETWORK = Network(
    type="linkedin",
    title="LinkedIn",
    limits=NetworkLimits(
        max_chars=3000,
        max_media=20,
        max_image_bytes=None,
        max_alt_chars=4086,
        image_formats=frozenset({"jpg", "jpeg", "png", "gif"}),
    ),
    dialect="linkedin",
    docs=(
        "Posts API: commentary up to 3000 characters in 'little text' format (reserved "
        "characters escaped); up to 20 images (MultiImage); altText up to 4086 characters."
    ),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
