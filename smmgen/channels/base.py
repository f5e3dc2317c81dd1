"""What smmgen knows about a network: a :class:`Network` and its limits.

Each network is one module or small package (the built-ins are in
``smmgen.networks``) that builds a :class:`Network` and registers it through
the ``smmgen.channels`` entry point group (:mod:`smmgen.registry`). The
Network holds everything about it: its settings model (its channels.yaml
entries), how it counts and its limits, its dialect (Markdown rendering,
escaping, mentions and hashtags), its media rules, and its publishing driver.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from smmgen.channels.dialect import PLAIN, Dialect
from smmgen.models.channels import Channel, Limits
from smmgen.models.hashtags import hashtags_in

Placement = Literal["end", "inline", "none"]
# A text as the network receives it, and the rich-text facets that go with it.
Prepared = tuple[str, tuple[dict[str, Any], ...]]

MB = 1024 * 1024


class Entity(NamedTuple):
    """A link, mention or hashtag that a network's app shows linked in a text as sent:
    its kind, where it is (characters), and for a link the URL it opens."""

    kind: Literal["link", "mention", "hashtag"]
    start: int
    end: int
    href: str = ""


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


def _anywhere(before: str) -> bool:
    return True


@dataclass(frozen=True)
class Grammar:
    """Which hashtags and mentions a network's own extractor links in a text.

    The default is for networks that document none (LinkedIn, Threads,
    Facebook): every tag twitter-text's grammar finds
    (:mod:`smmgen.models.hashtags`, the broadest), kept whole as written, and
    every mention smmgen resolves.
    """

    # The tags linked in a text: (index of '#', end, tag), in characters.
    hashtags: Callable[[str], Sequence[tuple[int, int, str]]] = hashtags_in
    # Whether an @handle right after this character ("" at the start) is linked.
    mention_may_follow: Callable[[str], bool] = _anywhere
    # That rule in words, for `check`'s warning ("a mention must follow ...").
    mention_rule: str = ""
    source: str = "none documented: every tag twitter-text finds, kept whole (UNVERIFIED)"


DEFAULT_GRAMMAR = Grammar()


@dataclass(frozen=True)
class Network:
    """One network type (``mastodon``, ``x``, ...): everything smmgen knows of it."""

    type: str
    title: str
    limits: NetworkLimits
    # The model of its channels.yaml entries: a subclass of
    # ``smmgen.models.channels.Channel`` (usually ``NetworkChannel``) with
    # ``type: Literal["<its type>"]``.
    settings: builtins.type[Channel]
    # How the network counts the length of a text, as it is sent (after the
    # dialect's escaping and ``prepare``), and the name of the unit. (As a person
    # counts characters: ``smmgen.text.graphemes``.)
    count: Callable[[str], int]
    unit: str = "characters"
    counts: str = ""  # how it counts, in a few words for people (`smmgen networks`)
    # The count never exceeds the text's UTF-16 code units (a link counting
    # ``url_length`` aside), so ``check`` may pass a short text without rendering it.
    count_bounded: bool = False
    dialect: Dialect = PLAIN
    grammar: Grammar = DEFAULT_GRAMMAR  # the hashtags and mentions it links
    threads: bool = False  # can publish a thread as replies
    hashtags: Placement = "end"  # default placement of tags
    alt_text: bool = True  # attaches alternative text to media
    mentions: bool = True  # @handles notify people there
    handle_prefix: str = ""  # written before a handle that lacks it ("@")
    # How the network counts links: each URL written with a scheme counts this
    # many characters (None: as written); ``bare_urls`` also counts "example.com".
    url_length: int | None = None
    bare_urls: bool = False
    # A long link as the network writes it in the text (Bluesky's app shortens
    # them); None: links are sent as written.
    short_link: Callable[[str], str] | None = None
    # How the network's app shows a link in a post, from its full URL (X: without the
    # scheme and "www.", cut with "…"); None: as written.
    display_link: Callable[[str], str] | None = None
    # The links, mentions and hashtags the app links in a text as sent, in order and
    # not overlapping (a post's card, `smmgen serve`); None: the links smmgen's URL
    # detection finds, the grammar's hashtags and the @handles ``grammar`` links
    # (:func:`smmgen.text.entities.default_entities`).
    entities: Callable[[str], Sequence[Entity]] | None = None
    # The text a reader sees of a text as sent, where the network's text is markup
    # (LinkedIn's little text, Telegram's HTML); None: the text as sent.
    visible_text: Callable[[str], str] | None = None
    link_card: bool = False  # the post's link is shown as a card (when it has no media)
    # The text as the network receives it, with its facets (Bluesky: long links
    # shortened, and the facets that keep them whole); None: as rendered.
    prepare: Callable[[str], Prepared] | None = None
    # A cheap count for the parts of one text while a long one is split, found
    # once per text (None: ``count`` itself); each part is counted exactly after.
    quick_count: Callable[[str], Callable[[str], int]] | None = None
    docs: str = ""  # where the limits come from
    # "module:Class" of its publishing driver (a ``smmgen.publish.driver.Driver``),
    # imported only to publish; None: the network is adapted and checked only.
    driver: str | None = None
    # "module:attribute" of its metrics collector and of its retraction; None
    # until the network has one (measurement and retraction come after publishing).
    metrics: str | None = None
    retract: str | None = None
    # What publishing a variant costs, in US dollars, for a network that charges
    # per post (X), from its parts: each part's text as sent and how many of its
    # media have alt text; None: publishing is free. A channel of such a network
    # may set ``budget`` (dollars per calendar month, UTC), which `check` and
    # `publish` enforce (:mod:`smmgen.adapt.budget`).
    price: Callable[[Sequence[tuple[str, int]]], Decimal] | None = None

    def measure(self, text: str) -> int:
        """The length the network counts for a rendered text, as it will be sent."""
        if self.prepare is not None:
            text = self.prepare(text)[0]
        return self.count(text)
