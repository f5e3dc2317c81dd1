"""Webhook: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

from smmgen.channels.base import Network, NetworkLimits

NETWORK = Network(
    type="webhook",
    title="Webhook",
    limits=NetworkLimits(max_chars=None, max_media=100),
    hashtags="end",
    mentions=False,
    driver="smmgen.networks.webhook.driver:WebhookDriver",
    docs=("A generic JSON POST: no limits but the receiver's."),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
