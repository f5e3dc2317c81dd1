"""smmgen's exceptions: every exception class smmgen defines is here.

The core raises these; only ``smmgen.cli`` turns them into messages and exit
codes (SPEC: 0 success, 1 errors found or any publish failure, 2 usage
error). Problems found while *checking* content are not exceptions: they are
collected as :class:`smmgen.findings.Finding` objects so one run reports all of
them. Exceptions are for what stops a command, or stops one piece of work
that the code around it reports.

    SmmgenError                 base class: ``str(err)`` is the user-facing message; exit 1
    │ the project and its input
    ├── ProjectNotFound         no ``channels.yaml`` in the directory or any parent (exit 2)
    ├── ConfigError             channels.yaml / calendar.yaml cannot be used
    ├── UsageError              a command was given a value it cannot use (exit 2)
    ├── TimeError               a time, zone or duration that cannot be used (also a ValueError)
    ├── DuplicateKey            a YAML mapping has a key twice        ┐ also
    ├── AliasesTooBig           YAML aliases expand past the limit    │ yaml.MarkedYAMLError,
    ├── KeyNotText              a YAML key that is not text           ┘ reported as YAML problems
    ├── TemplateProblem         a channel's template cannot be rendered
    ├── TemplateRefused         a template name that may not be read
    ├── FrontMatterEditError    a post's front matter cannot be edited safely (also a ValueError)
    ├── EditRefused             the same, before the file is known (inside calendar.edit)
    ├── PageNotFound            `serve` has no page or file at a path (answered 404)
    │ publishing
    ├── FetchError              a URL could not be fetched within the limits
    ├── MissingCredentials      a channel's environment variables are not set
    ├── PublishError            a fault talking to a network, by what it means for exactly-once:
    │   ├── NotSent             the request never reached the server: safe to send again
    │   │   └── Cancelled       the run was interrupted before the request was sent
    │   ├── Transient           429 or 5xx: retried with backoff
    │   ├── Rejected            refused for good (4xx): recorded as failed
    │   └── Unknown             sent, and no answer came: it may have taken effect
    │       └── CannotTell      and the network cannot say whether it did (recorded unknown)
    ├── ChannelStopped          a channel cannot go on in this run (inside publish.engine)
    ├── InterruptedBeforeRequest
    │                           interrupted before an item's request (inside publish.engine)
    │ the ledger
    └── LedgerError             the ledger cannot be read or written: publishing stops
        └── Interrupted         a signal came while waiting for the ledger: nothing was sent

A class that must also be another library's exception (``ValueError`` for
pydantic's validators, ``yaml.MarkedYAMLError`` for the YAML loader) names
:class:`SmmgenError` first; SmmgenError adds no ``__init__`` nor ``__str__``,
so the other base's behaviour is unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class SmmgenError(Exception):
    """Base class of every error smmgen raises on purpose."""

    exit_code = 1


# -- the project and its input ----------------------------------------------------


class ProjectNotFound(SmmgenError):
    """No project root: no ``channels.yaml`` here or in any parent directory."""

    exit_code = 2


class ConfigError(SmmgenError):
    """The project's configuration cannot be used."""


class UsageError(SmmgenError):
    """A command-line value cannot be used (bad date, unknown channel, ...)."""

    exit_code = 2


class TimeError(SmmgenError, ValueError):
    """A time value that cannot be used; the message says why and what to write."""


class DuplicateKey(SmmgenError, yaml.MarkedYAMLError):
    """A mapping has the same key twice."""

    def __init__(self, key: Any, first: yaml.Mark, again: yaml.Mark):
        super().__init__(problem_mark=again)
        self.key = key
        self.first = first


class AliasesTooBig(SmmgenError, yaml.MarkedYAMLError):
    """Aliases expand the document past the loader's limit, or refer to themselves."""


class KeyNotText(SmmgenError, yaml.MarkedYAMLError):
    """A mapping key that YAML reads as a number, a boolean or null."""


class TemplateProblem(SmmgenError):
    """A channel's template cannot be rendered; ``line`` in it, when known."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


class TemplateRefused(SmmgenError):
    """A template name that may not be read, and why (never anything the file holds).

    Not a :class:`~jinja2.TemplateNotFound`: ``ignore missing`` and a list of
    names skip a template that is not there, never one that is refused. Not a
    jinja2 exception at all, so that this module does not import jinja2.
    """

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name!r} {reason}")
        self.name = name
        self.reason = reason


class FrontMatterEditError(SmmgenError, ValueError):
    """The front matter cannot be edited safely; ``file`` and ``line`` say where."""

    def __init__(self, file: Path | str, line: int, reason: str) -> None:
        super().__init__(f"{file}, line {line}: {reason}")
        self.file = str(file)
        self.line = line
        self.reason = reason


class EditRefused(SmmgenError):
    """Why an edit of front matter is refused, before the file name is known."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


# -- publishing ---------------------------------------------------------------------


class PageNotFound(SmmgenError):
    """`serve` has no page or file at the path asked for: the server answers 404
    (inside smmgen.site.server)."""


class FetchError(SmmgenError):
    """The URL could not be fetched within the limits; ``str()`` says why."""


class MissingCredentials(SmmgenError):
    """A channel's environment variables are not set."""


class PublishError(SmmgenError):
    """A fault talking to a network. ``str()`` is safe to show (no secrets)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.message}" if self.status else self.message


class NotSent(PublishError):
    """The request did not reach the server (connection refused, connect timeout,
    DNS); sending it again is safe."""


class Cancelled(NotSent):
    """The run was interrupted (SIGINT, SIGTERM) before this request was sent."""


class Transient(PublishError):
    """The server is overloaded or failing (429, 5xx); try again later, honouring
    ``retry_after``."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class Rejected(PublishError):
    """The server refused the request for good (4xx other than 429): recorded as
    failed with the network's message, never retried. ``code``: the network's own
    error code, when it gives one (a Graph API error's ``code``)."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        super().__init__(message, status=status)
        self.code = code


class Unknown(PublishError):
    """The request was sent but its outcome is unknown (connection reset or read
    timeout after sending). Drivers that can find out reconcile; the others
    record ``unknown``."""


class CannotTell(Unknown):
    """A driver that reconciles cannot find out, for this item, whether its request
    took effect (a LinkedIn member's posts cannot be listed): recorded as
    ``unknown`` at once, never asked again or sent again in this run."""


class ChannelStopped(SmmgenError):
    """The channel cannot go on in this run (its network is down, or rate limited for long)."""


class InterruptedBeforeRequest(SmmgenError):
    """The run was interrupted before a request for the item was started."""

    def __init__(self, unsure: bool):
        super().__init__("interrupted")
        self.unsure = unsure  # an earlier request of this part may have taken effect


# -- the ledger ---------------------------------------------------------------------


class LedgerError(SmmgenError):
    """The ledger cannot be read or written: publishing must stop."""


class Interrupted(LedgerError):
    """A signal came while the run waited for the ledger: nothing was sent."""
