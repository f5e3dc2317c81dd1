"""``channels.yaml``: the accounts posts go to, the people, and the team's policy.

Each network type has its own model of a channel's settings, in the network's
module (``smmgen.registry`` has them all); here is what they share. Secrets
never appear here, only the names of environment variables that hold them
(fields ending in ``_env``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field, NonNegativeInt, RootModel

from smmgen.models.base import Bool, Model, Name, PositiveInt, Url
from smmgen.models.calendar import Duration

HashtagPlacement = Literal["end", "inline", "none"]
LinkPlacement = Literal["end", "none"]


class Limits(Model):
    """Overrides of a network's limits, e.g. for X Premium or a Mastodon instance."""

    max_chars: PositiveInt | None = Field(
        default=None, description="Maximum length of one post, counted as the network counts."
    )
    max_media: PositiveInt | None = Field(default=None, description="Maximum attachments.")
    max_image_bytes: PositiveInt | None = Field(
        default=None, description="Maximum size of one image in bytes."
    )
    max_alt_chars: PositiveInt | None = Field(
        default=None, description="Maximum length of alternative text."
    )
    max_links: PositiveInt | None = Field(default=None, description="Maximum links in a post.")


class Channel(Model):
    """What every channel has. A network's settings model subclasses this (or
    :class:`NetworkChannel`) with ``type: Literal["<its type>"]``."""

    if TYPE_CHECKING:
        # Declared by each network's model as ``type: Literal["<its type>"]``, after
        # the fields here (so that messages list the keys in the order they were).
        type: str
    enabled: Bool = Field(default=True, description="false: skip this channel everywhere.")
    template: str | None = Field(
        default=None, description="Jinja2 template in templates/ that renders this channel."
    )
    hashtags: HashtagPlacement | None = Field(
        default=None,
        description="Where tags go: 'end' of the text, 'inline' (only those in the text),"
        " or 'none'. Default: the network's ('none' for Discord, Slack and the feed).",
    )
    link: LinkPlacement = Field(
        default="end", description="Where the post's link goes: 'end' of the text, or 'none'."
    )
    utm: dict[str, str] | Literal[False] | None = Field(
        default=None,
        description="UTM parameters for this channel's links (default: defaults.utm);"
        " false: none. Placeholders: {channel}, {campaign}, {post}.",
    )
    limits: Limits = Field(default_factory=Limits, description="Overrides of the limits.")
    display_name: str | None = Field(
        default=None,
        description="The account's name as its posts show it (the preview's cards);"
        " default: the channel's name.",
    )
    avatar: str | None = Field(
        default=None,
        description="The account's picture for the preview's cards: an image in the"
        " repository, e.g. media/avatar.png (default: a neutral placeholder).",
    )


class NetworkChannel(Channel):
    """A channel that talks to a network's API."""

    api_base: Url | None = Field(
        default=None,
        description="Base URL of the API, to point at a self-hosted or test server.",
    )


class Defaults(Model):
    """What posts get when they don't say."""

    channels: list[str] | Literal["all"] = Field(
        default="all", description="Channels of a post without `channels`."
    )
    utm: dict[str, str] = Field(
        default_factory=dict,
        description="UTM parameters added to links. Placeholders: {channel}, {campaign}, {post}.",
    )
    language: str | None = Field(default=None, description="Language of posts without one.")


class Policy(Model):
    """The team's rules, enforced by `smmgen check`."""

    require_alt_text: Bool = Field(default=True, description="Every media item needs `alt`.")
    banned_phrases: list[str] = Field(
        default_factory=list, description="Phrases never to publish (case-insensitive)."
    )
    sponsored_disclosure: str | dict[str, str] | None = Field(
        default=None,
        description="Text a sponsored post must contain, e.g. '#ad'; or one per language"
        " (a post's `language:`, or its primary subtag) with 'default',"
        " e.g. {default: '#ad', pl: '#reklama', he: '#פרסומת'}.",
    )
    max_hashtags: dict[str, NonNegativeInt] | NonNegativeInt | None = Field(
        default=None,
        description="Most hashtags per post: a number, or per channel name or type with 'default'.",
    )

    def disclosure_for(self, language: str | None) -> str | None:
        """The disclosure a sponsored post in ``language`` must contain: the entry for
        its whole tag (``pt-BR``), else for its primary subtag (``pt``), else 'default'."""
        disclosures = self.sponsored_disclosure
        if not isinstance(disclosures, dict):
            return disclosures
        if language:
            lowered = {key.lower(): value for key, value in disclosures.items()}
            for key in (language.lower(), language.split("-")[0].lower()):
                if key in lowered:
                    return lowered[key]
        return disclosures.get("default")


Person = dict[str, str]


class People(RootModel[dict[str, Person]]):
    """People mentioned as @name: their handle per channel name or network type,
    and optionally ``name``, written where they have no handle."""


class LedgerSettings(Model):
    """Where `smmgen publish` keeps its record of what went out (SPEC §7)."""

    store: Literal["auto", "git", "local"] = Field(
        default="auto",
        description="'git': a branch of the remote (for CI: main stays content-only);"
        " 'local': a directory; 'auto': git when the repository has the remote, else local.",
    )
    branch: str = Field(
        default="smmgen-ledger",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
        description="The git branch that holds the ledger.",
    )
    remote: str = Field(
        default="origin",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="The git remote the ledger branch is pushed to.",
    )
    path: str = Field(
        default="ledger",
        description="The local ledger's directory, relative to the project root.",
    )
    lease: Duration = Field(
        default="10m",
        description="How long another run's unfinished claim is respected before it is"
        " taken over (that run is taken to have died).",
    )


class ChannelsFile(Model):
    """channels.yaml: channels, people and policy."""

    model_config = ConfigDict(title="smmgen channels.yaml")

    defaults: Defaults = Field(default_factory=Defaults, description="Defaults for posts.")
    # Each value is validated by its network's settings model (smmgen.loader.config);
    # the JSON Schema has their union (smmgen.commands.schema).
    channels: dict[Name, Channel] = Field(
        description="Channels by name; the name is what posts list in `channels`."
    )
    people: People = Field(
        default_factory=lambda: People({}),
        description="People mentioned as @name in posts: their handle per channel"
        " name or network type, and optionally `name` (written where they have no handle).",
    )
    policy: Policy = Field(default_factory=Policy, description="Rules `check` enforces.")
    ledger: LedgerSettings = Field(
        default_factory=LedgerSettings, description="Where publishing records what went out."
    )
