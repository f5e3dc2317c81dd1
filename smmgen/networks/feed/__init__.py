"""Atom feed: limits, counting and dialect."""

from __future__ import annotations

from collections.abc import Callable

from smmgen.channels.base import Network, NetworkLimits

NETWORK = Network(
    type="feed",
    title="Atom feed",
    limits=NetworkLimits(max_chars=None, max_media=100),
    dialect="html",
    hashtags="none",
    mentions=False,
    driver="smmgen.networks.feed.driver:FeedDriver",
    docs=("RFC 4287 Atom: entry content as HTML, no length limit."),
)


def register_networks(register: Callable[[Network], Network]) -> None:
    register(NETWORK)
