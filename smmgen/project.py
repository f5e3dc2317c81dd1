"""The loaded project: configuration, calendar and posts (``smmgen.load``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from smmgen.errors import ConfigError, ProjectNotFound
from smmgen.findings import Finding
from smmgen.loader.files import CALENDAR_FILE, CHANNELS_FILE
from smmgen.models.timing import Calendar
from smmgen.secrets import redact

if TYPE_CHECKING:  # light to import: check's second run finds the project without them
    from smmgen.loader.config import Config
    from smmgen.loader.posts import Post
    from smmgen.models.calendar import CalendarFile
    from smmgen.models.channels import Channel


@dataclass
class Project:
    """Everything ``smmgen`` knows about a content repository."""

    root: Path
    config: Config
    posts: list[Post]
    findings: list[Finding] = field(default_factory=list)
    secret_values: set[str] = field(default_factory=set, repr=False)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @cached_property
    def timing(self) -> Calendar:
        """The calendar with its values parsed (zone, durations)."""
        return Calendar(self.calendar)

    @property
    def channels(self) -> dict[str, Channel]:
        return self.config.channels

    @property
    def calendar(self) -> CalendarFile:
        return self.config.calendar

    @property
    def people(self) -> dict[str, dict[str, str]]:
        return self.config.people

    def post(self, post_id: str) -> Post | None:
        return next((p for p in self.posts if p.id == post_id), None)


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` that has a channels.yaml."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / CHANNELS_FILE).is_file():
            return candidate
    raise ProjectNotFound(
        f"no {CHANNELS_FILE} in {here} or any parent directory;"
        " run `smmgen init` to create a project, or pass --root DIR"
    )


def require_project(root: str | Path) -> Path:
    """``root`` resolved, or ProjectNotFound when it has no channels.yaml."""
    base = Path(root).resolve()
    if not (base / CHANNELS_FILE).is_file():
        raise ProjectNotFound(
            f"no {CHANNELS_FILE} in {base}; run `smmgen init {base}` or pass another --root"
        )
    return base


def config_errors(findings: list[Finding]) -> list[Finding]:
    """The errors among ``findings`` that are about channels.yaml or calendar.yaml."""
    return [f for f in findings if f.is_error and f.file in (CHANNELS_FILE, CALENDAR_FILE)]


def config_problem(errors: list[Finding], consequence: str | None = None) -> ConfigError:
    """The error that stops a command: each finding as `smmgen check` prints it."""
    one = len(errors) == 1
    count = "an error" if one else f"{len(errors)} errors"
    consequence = consequence or (
        f"fix {'it' if one else 'them'} first: this command depends on the configuration"
    )
    lines = "\n".join(f.text() for f in errors)
    return ConfigError(f"the configuration has {count}; {consequence}:\n{lines}")


def require_config(config: Config, consequence: str | None = None) -> None:
    """Raise :func:`config_problem` when channels.yaml or calendar.yaml has errors."""
    errors = config_errors(redact(config.findings, config.secret_values))
    if errors:
        raise config_problem(errors, consequence)
