"""Mastodon: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

from smmgen.channels.base import MB, Network, NetworkLimits

NETWORK = Network(
    type="mastodon",
    title="Mastodon",
    limits=NetworkLimits(
        max_chars=500,
        max_media=4,
        max_image_bytes=16 * MB,
        max_alt_chars=1500,
        image_formats=frozenset({"jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "avif"}),
    ),
    threads=True,
    url_length=23,
    driver="smmgen.networks.mastodon.driver:MastodonDriver",
    docs=(
        "Mastodon: 500 characters (instance setting, read from /api/v2/instance at publish), "
        "URLs count 23, mentions count without their domain; 4 attachments; images up to 16 "
        "MB; alt text up to 1500 characters."
    ),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
