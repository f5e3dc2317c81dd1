"""What a publishing driver is: the code that sends a variant to one network.

A network type names its driver in :class:`~smmgen.channels.base.Network`
(``driver="package.module:Class"``), through the same registry for built-ins
and third-party packages, and it is imported only when publishing. A driver is
generic over its network's settings model: ``class MyDriver(Driver[MyChannel])``
makes ``self.channel`` a ``MyChannel``. A network
without a driver is adapted and checked but not published.

The engine calls a driver once per thread part, in order. ``key`` is stable
for (post, channel, part): drivers use it to make a repeated request
harmless (Mastodon's ``Idempotency-Key``, Bluesky's record key). Drivers raise
the errors of :mod:`smmgen.errors` and never put a secret in one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from smmgen.errors import MissingCredentials
from smmgen.models.channels import Channel
from smmgen.secrets import credential_problem

if TYPE_CHECKING:
    from smmgen.adapt.variants import Variant
    from smmgen.channels.base import Network
    from smmgen.project import Project
    from smmgen.publish.http import Http

SettingsT = TypeVar("SettingsT", bound=Channel)


@dataclass(frozen=True)
class Remote:
    """A published part as the network knows it."""

    id: str
    url: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # what replies need (Bluesky: uri, cid)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "url": self.url}
        if self.data:
            out["data"] = self.data
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Remote:
        return cls(str(data["id"]), data.get("url"), dict(data.get("data") or {}))


@dataclass
class Context(Generic[SettingsT]):
    """What a driver is given."""

    name: str  # the channel's name in channels.yaml
    channel: SettingsT  # its settings
    project: Project
    http: Http
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)


def part_key(post: str, channel: str, index: int) -> str:
    """A stable key for one part of one post on one channel (hex, 32 characters)."""
    return hashlib.sha256(f"{post}\x00{channel}\x00{index}".encode()).hexdigest()[:32]


class Driver(Generic[SettingsT]):
    """Base class of publishing drivers (see the module docstring)."""

    #: The driver can find out whether a request of unknown outcome took effect.
    reconcilable: ClassVar[bool] = False
    #: Fields of the channel's settings that name environment variables.
    credentials: ClassVar[tuple[str, ...]] = ()

    def __init__(self, context: Context[SettingsT]):
        self.context = context
        self.channel: SettingsT = context.channel
        self.http = context.http
        self._notes: list[str] = []

    # -- notes ----------------------------------------------------------------
    def note(self, text: str) -> None:
        """Say something about the item being published (e.g. a link card left
        out); the run's report shows it with the item's outcome."""
        if text not in self._notes:
            self._notes.append(text)

    def take_notes(self) -> list[str]:
        """The notes since the last call, and forget them."""
        notes, self._notes = self._notes, []
        return notes

    # -- credentials --------------------------------------------------------
    def missing(self) -> list[str]:
        """Environment variables this channel needs that are not set."""
        names = [getattr(self.context.channel, f, None) for f in self.credentials]
        return [n for n in names if n and not self.context.env.get(n)]

    def refused(self) -> list[str]:
        """Why each credential this channel needs, though set, cannot be used
        (whitespace or a control character in it), never showing its value."""
        out = []
        for field_name in self.credentials:
            name = getattr(self.context.channel, field_name, None)
            problem = credential_problem(self.context.env.get(name, "")) if name else None
            if problem:
                out.append(f"environment variable {name} {problem}")
        return out

    def variable(self, field_name: str) -> str:
        """The name of the environment variable a credential field names."""
        return str(getattr(self.context.channel, field_name))

    def secret(self, field_name: str) -> str:
        """The value of the variable a credential field names; refused (never
        shown) if it is not set or holds whitespace or a control character."""
        name = getattr(self.context.channel, field_name)
        value = self.context.env.get(name, "")
        where = f"channels.yaml: channels.{self.context.name}.{field_name}"
        if not value:
            raise MissingCredentials(
                f"channel '{self.context.name}': environment variable {name} is not set"
                f" ({where}); set it, e.g. as a CI secret"
            )
        problem = credential_problem(value)
        if problem:
            raise MissingCredentials(
                f"channel '{self.context.name}': environment variable {name} {problem} ({where})"
            )
        return value

    def secrets(self) -> list[str]:
        """Values to redact from all output: the credentials and anything derived."""
        values = []
        for field_name in self.credentials:
            name = getattr(self.context.channel, field_name, None)
            if name and self.context.env.get(name):
                values.append(self.context.env[name])
        return values

    # -- the work -----------------------------------------------------------
    def verify(self) -> str:
        """Check the credentials without posting; return who posts (e.g. '@me@host')."""
        raise NotImplementedError

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        """Send part ``index``; ``thread`` holds the parts already published (root first)."""
        raise NotImplementedError

    def reconcile(
        self, variant: Variant, index: int, *, key: str, thread: list[Remote], since: datetime
    ) -> Remote | None:
        """For a request of unknown outcome: the part if it exists on the network."""
        return None

    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        """What would be sent for part ``index`` (``--dry-run``; needs no credentials)."""
        part = variant.parts[index]
        return {"text": part.text, "media": [m.as_dict() for m in part.media]}

    def artifacts(self, published: list[dict[str, Any]]) -> dict[str, bytes]:
        """Files kept with the ledger, from every published record of this channel."""
        return {}

    def close(self) -> None:
        self.http.close()


def driver_class(network: Network) -> type[Driver[Any]] | None:
    """The driver of a network type, or None if it cannot be published yet."""
    if not network.driver:
        return None
    module_name, _, attribute = network.driver.partition(":")
    cls = getattr(import_module(module_name), attribute)
    if not (isinstance(cls, type) and issubclass(cls, Driver)):
        raise TypeError(f"{network.driver} is not a smmgen Driver")
    return cls
