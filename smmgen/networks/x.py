"""X: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

from smmgen.channels.base import MB, Network, NetworkLimits

NETWORK = Network(
    type="x",
    title="X",
    limits=NetworkLimits(max_chars=280, max_media=4, max_image_bytes=5 * MB, max_alt_chars=1000),
    threads=True,
    url_length=23,
    bare_urls=True,
    docs=(
        "twitter-text v3: 280 weighted characters, URLs count 23; 4 images up to 5 MB; alt "
        "text up to 1000 characters. X Premium: set limits.max_chars."
    ),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
