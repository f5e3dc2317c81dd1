"""A check that loads: the configuration, then every post file whose cached
result no longer holds, through the one loader (:mod:`smmgen.loader.workers`),
each file loaded and checked where it is loaded; only its results come back."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from smmgen.check import CheckReport, rules, served
from smmgen.check.cache import Cache, Entry, Summary, stable
from smmgen.check.policy import media_items
from smmgen.check.results import Survey, clock, conclude, selected, survey
from smmgen.check.rules import Clock
from smmgen.findings import Finding
from smmgen.loader import media, workers
from smmgen.loader.config import Config, load_config
from smmgen.loader.files import Progress
from smmgen.loader.posts import Post, identity, load_post
from smmgen.project import Project
from smmgen.secrets import redact
from smmgen.text import warm_up


def check_post(project: Project, post: Post) -> list[Finding]:
    """What every post rule finds in one post."""
    rules.load_rules()
    found: list[Finding] = []
    for rule in rules.POST_RULES:
        found.extend(rule(project, post))
    return found


def project_findings(project: Project) -> list[Finding]:
    """What the project rules find in a project (templates, workflows, ...)."""
    rules.load_rules()
    found: list[Finding] = []
    for rule in rules.PROJECT_RULES:
        found.extend(rule(project))
    return found


@dataclass(frozen=True)
class Setup:
    """What a worker needs to check post files (picklable: see smmgen.loader.workers)."""

    root: Path
    config: Config
    now: datetime
    selection: tuple[str, ...] | None
    caching: bool


def check_file(
    project: Project, path: Path | str, selection: Sequence[str] | None, caching: bool
) -> tuple[Entry, set[str]]:
    """Load and check one post file: its findings redacted of the secrets found in
    it, what the rules across posts gather from it, and those secrets (kept in
    memory for this run's redaction, never cached)."""
    before = stable(path) if caching else None
    sink: list[Finding] = []
    secrets: set[str] = set()
    post = load_post(path, project.root, project.config, sink, secrets)
    entry = Entry(before, {}, [], None, {}, secrets=bool(secrets))
    if post is not None:
        entry.identity = identity(post)
        entry.gathered = {rule.name: rule.gather(project, post) for rule in rules.ACROSS_RULES}
        if caching:
            entry.media = {m.path: stable(project.root / m.path) for _, m in media_items(post)}
            entry.media.update({p: stable(p) for p in served.dependencies(project, post)})
        if selected(post.file, selection):
            entry.checked = True
            sink.extend(check_post(project, post))
    entry.findings = redact(sink, secrets)
    return entry, secrets


def checking(setup: Setup) -> Callable[[str], tuple[Entry, set[str]]]:
    """The per-file work of a check, for :func:`smmgen.loader.workers.each_file`:
    a file by its name below the project's root."""
    rules.load_rules()
    media.forget()
    project = Project(root=setup.root, config=setup.config, posts=[], now=setup.now)
    project.secret_values = set(setup.config.secret_values)

    base = os.path.join(setup.root, "")  # a path as a string: no Path made per file

    def work(name: str) -> tuple[Entry, set[str]]:
        return check_file(project, base + name, setup.selection, setup.caching)

    return work


@dataclass
class Prepared:
    """What checking post files needs besides them: the configuration loaded, what
    the project as a whole is found to have, and the time to judge at."""

    project: Project  # the configuration, now and the configuration's secret values
    summary: Summary
    when: Clock


def prepare(root: Path, at: str | None) -> Prepared:
    """Load the configuration and judge the project as a whole."""
    rules.load_rules()
    media.forget()
    config = load_config(root)
    project = Project(root=root, config=config, posts=[], findings=[])
    timing = project.timing
    summary = Summary(
        findings=[],
        channels=len(config.channels),
        timezone=config.calendar.timezone,
        min_gap=timing.min_gap.total_seconds(),
        max_lateness=timing.max_lateness.total_seconds(),
        secrets=bool(config.secret_values),
    )
    when = clock(summary, at)
    project.now = when.now
    project.secret_values = set(config.secret_values)
    summary.findings = redact(
        list(config.findings) + project_findings(project), project.secret_values
    )
    return Prepared(project, summary, when)


def check_files(
    prepared: Prepared,
    names: Sequence[str],
    selection: Sequence[str] | None,
    caching: bool,
    progress: Progress | None = None,
) -> list[tuple[Entry, set[str]]]:
    """Load and check post files, by their names below the project's root
    (:func:`check_file`), on every core when many."""
    if len(names) >= workers.PARALLEL_FROM:
        warm_up()  # compile the big patterns once, before workers fork
    project = prepared.project
    chosen = tuple(selection) if selection else None
    setup = Setup(project.root, project.config, prepared.when.now, chosen, caching)
    return workers.each_file(checking, setup, names, progress)


def check_project(
    root: Path,
    selection: Sequence[str] | None,
    progress: Progress | None,
    at: str | None,
    cache: Cache | None,
    surveyed: Survey | None = None,
) -> CheckReport:
    """Check the project at ``root``, reusing what ``cache`` still holds (when given;
    ``surveyed``: its :func:`~smmgen.check.results.survey`, when already made)."""
    prepared = prepare(root, at)
    if surveyed is None:
        surveyed = survey(root, cache)
    stale = surveyed.stale()
    fresh = check_files(prepared, stale, selection, cache is not None, progress)
    secret_values = prepared.project.secret_values
    return conclude(
        root, cache, surveyed, fresh, prepared.summary, prepared.when, selection, secret_values
    )
