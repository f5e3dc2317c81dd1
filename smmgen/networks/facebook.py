"""Facebook Page: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

from smmgen.channels.base import MB, Network, NetworkLimits

NETWORK = Network(
    type="facebook",
    title="Facebook Page",
    limits=NetworkLimits(
        max_chars=63206, max_media=10, max_image_bytes=10 * MB, max_alt_chars=None
    ),
    hashtags="end",
    docs=("Graph API Page feed: message up to 63,206 characters."),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
