"""Discord: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

from smmgen.channels.base import MB, Network, NetworkLimits

NETWORK = Network(
    type="discord",
    title="Discord",
    limits=NetworkLimits(max_chars=2000, max_media=10, max_image_bytes=25 * MB, max_alt_chars=1024),
    dialect="discord",
    hashtags="none",
    mentions=False,
    driver="smmgen.networks.discord.driver:DiscordDriver",
    docs=(
        "Execute Webhook: content up to 2000 characters; up to 10 attachments; attachment "
        "descriptions (alt text) up to 1024 characters."
    ),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
