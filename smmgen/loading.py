"""The one loader of a whole project, which every command uses: configuration,
calendar and every post (on every core when there are many: ``workers``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from smmgen.loader import media
from smmgen.loader.config import load_config
from smmgen.loader.files import Progress
from smmgen.loader.posts import load_posts
from smmgen.project import Project, find_root, require_config, require_project
from smmgen.secrets import redact
from smmgen.times import reference_time, zone


def load_project(
    root: str | Path | None = None,
    *,
    progress: Progress | None = None,
    at: str | None = None,
    strict: bool = False,
    names: Sequence[str] | None = None,
) -> Project:
    """Load a project: its configuration, calendar and every post.

    Problems do not raise: they are collected in ``Project.findings`` (a post that
    cannot be used is left out of ``Project.posts``). Only a missing project raises
    :class:`smmgen.errors.ProjectNotFound`; with ``strict`` (what commands do), an
    error in channels.yaml or calendar.yaml raises :class:`smmgen.errors.ConfigError`
    too, rather than going on without a channel or with the calendar's defaults.
    ``at`` sets ``Project.now``, the time things are judged at (default: now).
    ``names``: load only these post files (below the root), not every one.
    """
    base = require_project(root) if root is not None else find_root()
    media.forget()
    config = load_config(base)
    if strict:
        require_config(config)
    findings = list(config.findings)
    secret_values = set(config.secret_values)
    posts = load_posts(base, config, findings, secret_values, progress, names)
    return Project(
        root=base,
        config=config,
        posts=posts,
        findings=redact(findings, secret_values),
        secret_values=secret_values,
        now=reference_time(at, zone(config.calendar.timezone)),
    )
