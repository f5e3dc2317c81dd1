"""What smmgen knows about a network: its limits, how it counts, its dialect.

Each network is one module in this package that builds a :class:`Network`
and registers it (``smmgen.channels.registry``). Publishing drivers join
them as they are built; a network without one is only adapted and checked.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from smmgen.models.channels import Channel, Limits

Dialect = Literal["plain", "linkedin", "telegram", "discord", "slack", "html"]
Placement = Literal["end", "inline", "none"]

MB = 1024 * 1024


@dataclass(frozen=True)
class NetworkLimits:
    """A network's limits. ``None`` means the network sets none."""

    max_chars: int | None
    max_media: int = 4
    max_image_bytes: int | None = None
    max_alt_chars: int | None = None
    max_links: int | None = None
    max_bytes: int | None = None  # UTF-8 bytes, where the network also counts them
    caption_chars: int | None = None  # text limit when media is attached
    image_formats: frozenset[str] = frozenset({"jpg", "jpeg", "png", "gif", "webp"})

    def merged(self, overrides: Limits) -> NetworkLimits:
        """These limits with a channel's `limits:` overrides applied."""
        changes = {k: v for k, v in overrides.model_dump().items() if v is not None}
        return replace(self, **changes)


@dataclass(frozen=True)
class Network:
    """One network type (``mastodon``, ``x``, ...)."""

    type: str
    title: str
    limits: NetworkLimits
    dialect: Dialect = "plain"
    threads: bool = False  # can publish a thread as replies
    hashtags: Placement = "end"  # default placement of tags
    alt_text: bool = True  # attaches alternative text to media
    mentions: bool = True  # @handles notify people there
    # How the network counts links: each URL written with a scheme counts this
    # many characters (None: as written); ``bare_urls`` also counts "example.com".
    url_length: int | None = None
    bare_urls: bool = False
    shortens_links: bool = False  # long links are shortened in the text (Bluesky's app)
    docs: str = ""  # where the limits come from
    driver: str | None = None  # "module:Class" of its publishing driver (smmgen.publish.driver)
    # The model of its channels.yaml entries; built-in types have theirs in
    # smmgen.models.channels, a third-party type brings its own (a subclass of
    # NetworkChannel with ``type: Literal["<its type>"]``).
    settings: builtins.type[Channel] | None = None
    # How a third-party type counts a text (built-ins: smmgen.text.length);
    # None: in graphemes, as a person counts characters.
    count: Callable[[str], int] | None = None
