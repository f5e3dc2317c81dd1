"""Telegram: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

from smmgen.channels.base import MB, Network, NetworkLimits

NETWORK = Network(
    type="telegram",
    title="Telegram",
    limits=NetworkLimits(
        max_chars=4096,
        caption_chars=1024,
        max_media=10,
        max_image_bytes=10 * MB,
        max_alt_chars=None,
    ),
    dialect="telegram",
    hashtags="end",
    alt_text=False,
    mentions=False,
    driver="smmgen.networks.telegram.driver:TelegramDriver",
    docs=(
        "Bot API: message text up to 4096 characters after entity parsing, media captions up "
        "to 1024; media groups of up to 10; photos up to 10 MB; HTML parse mode."
    ),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
