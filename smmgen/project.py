"""The loaded project: configuration, calendar and posts (``smmgen.load``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from smmgen.errors import ConfigError, ProjectNotFound
from smmgen.findings import Finding
from smmgen.loader import media
from smmgen.loader.config import CALENDAR_FILE, CHANNELS_FILE, Config, load_config
from smmgen.loader.posts import Post, Progress, load_posts
from smmgen.models.calendar import CalendarFile
from smmgen.models.channels import Channel
from smmgen.models.timing import Calendar
from smmgen.secrets import redact
from smmgen.times import reference_time, zone


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


def load(
    root: str | Path | None = None,
    *,
    progress: Progress | None = None,
    at: str | None = None,
    strict: bool = False,
) -> Project:
    """Load a project: its configuration, calendar and every post.

    Problems do not raise: they are collected in ``Project.findings`` (a post that
    cannot be used is left out of ``Project.posts``). Only a missing project raises
    :class:`smmgen.errors.ProjectNotFound`; with ``strict`` (what commands do), an
    error in channels.yaml or calendar.yaml raises :class:`smmgen.errors.ConfigError`
    too, rather than going on without a channel or with the calendar's defaults.
    ``at`` sets ``Project.now``, the time things are judged at (default: now).
    """
    base = require_project(root) if root is not None else find_root()
    media.forget()
    config = load_config(base)
    if strict:
        require_config(config)
    findings = list(config.findings)
    secret_values = set(config.secret_values)
    posts = load_posts(base, config, findings, secret_values, progress)
    return Project(
        root=base,
        config=config,
        posts=posts,
        findings=redact(findings, secret_values),
        secret_values=secret_values,
        now=reference_time(at, zone(config.calendar.timezone)),
    )
