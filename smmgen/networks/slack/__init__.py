"""Slack: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

from smmgen.channels.base import Network, NetworkLimits

NETWORK = Network(
    type="slack",
    title="Slack",
    limits=NetworkLimits(max_chars=40000, max_media=0),
    dialect="slack",
    hashtags="none",
    alt_text=False,
    mentions=False,
    driver="smmgen.networks.slack.driver:SlackDriver",
    docs=(
        "Incoming webhooks: text (mrkdwn) is truncated past 40,000 characters; webhooks "
        "cannot upload files."
    ),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
