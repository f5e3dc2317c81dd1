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

Most networks have no idempotency key, so a part is sent as waiting steps
that may be repeated (uploading media, waiting for it to be processed,
creating a Threads container) and one call that makes it public. What the
waiting steps leave on the network goes into ``self.handles``
(:class:`Handles`) as soon as it exists: the engine writes it to the ledger
(a ``prepared`` record) before the driver goes on, so a run resumed after a
crash reuses the uploaded media and repeats only the final call, after
:meth:`Driver.reconcile` found that it did not take effect.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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


class Handles:
    """What the waiting steps of one part left on the network, kept in the ledger.

    ``put`` records a handle durably before it returns (the engine's ``prepared``
    record); ``get`` gives it back, in this run or a later one, unless it
    expires within ``margin``. Never put a secret or a signed URL here: the
    ledger is shared (it is redacted, but a signature is not a known secret).
    """

    def __init__(
        self,
        saved: Mapping[str, Mapping[str, Any]] | None = None,
        write: Callable[[dict[str, dict[str, Any] | None]], None] | None = None,
    ):
        self._saved: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (saved or {}).items()}
        self._write = write

    def get(self, name: str, *, margin: timedelta = timedelta(minutes=5)) -> Any:
        """The value put under ``name``, or None (never put, forgotten, or expiring
        within ``margin``)."""
        entry = self._saved.get(name)
        if entry is None:
            return None
        expires = entry.get("expires")
        if isinstance(expires, str):
            try:
                when = datetime.fromisoformat(expires.replace("Z", "+00:00"))
            except ValueError:
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            if when - margin <= datetime.now(UTC):
                return None
        return entry.get("value")

    def put(self, name: str, value: Any, *, expires: datetime | None = None) -> None:
        """Keep ``value`` (JSON) under ``name``, until ``expires`` if given; durable
        (in the ledger) when this returns."""
        entry: dict[str, Any] = {"value": value}
        if expires is not None:
            when = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
            entry["expires"] = when.astimezone(UTC).isoformat(timespec="seconds")
        self._saved[name] = entry
        if self._write is not None:
            self._write({name: entry})

    def forget(self, *names: str) -> None:
        """Drop handles that cannot be used any more (expired or refused by the network)."""
        gone = [n for n in names if n in self._saved]
        for name in gone:
            del self._saved[name]
        if gone and self._write is not None:
            self._write(dict.fromkeys(gone))

    def names(self) -> list[str]:
        return list(self._saved)


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
        #: The current part's handles; the engine sets them before each call of
        #: ``publish`` and ``reconcile`` (kept in memory only when there is no ledger).
        self.handles = Handles()

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
        """For a request of unknown outcome: the part if it exists on the network,
        None if it certainly does not. Raise :class:`~smmgen.errors.CannotTell` when
        the network cannot say (the item is then recorded ``unknown``)."""
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
