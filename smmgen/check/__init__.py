"""``smmgen check``: validate configuration, posts and policy, and every variant.

Every rule is in one registry (:mod:`smmgen.check.rules`): rules per post, per
project, and across posts. Loading reports what cannot be parsed or validated;
then the rules run. Post files are loaded and checked through the one loader
(:mod:`smmgen.loader.workers`), on every core when there are many
(:mod:`smmgen.check.run`). A whole-project check keeps each file's results in
a cache (:mod:`smmgen.check.cache`); when no post file changed, the report
comes from the cache alone (:mod:`smmgen.check.results`), and when a few
changed, a process started while the cache is read checks them
(:mod:`smmgen.check.ahead`).

This module stays light (``smmgen.report`` imports it): what loads posts is
imported only when it is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smmgen.errors import UsageError
from smmgen.findings import Finding

if TYPE_CHECKING:
    from smmgen.loader.files import Progress
    from smmgen.loader.posts import Post
    from smmgen.project import Project


@dataclass
class CheckReport:
    """What ``check`` found, and how much it looked at."""

    findings: list[Finding]
    posts: int
    channels: int
    strict: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def ok(self) -> bool:
        return self.errors == 0 and not (self.strict and self.warnings)


def check_post(project: Project, post: Post) -> list[Finding]:
    """What every post rule finds in one loaded post."""
    from smmgen.check import run

    return run.check_post(project, post)


def project_findings(project: Project) -> list[Finding]:
    """What `check` finds in a loaded project as a whole: the configuration's
    findings and those of every project rule (templates, ...)."""
    from smmgen.check import run
    from smmgen.loader.files import CALENDAR_FILE, CHANNELS_FILE
    from smmgen.secrets import redact

    found = [f for f in project.findings if f.file in (CHANNELS_FILE, CALENDAR_FILE)]
    found.extend(run.project_findings(project))
    return redact(found, project.secret_values)


def cross_post_findings(project: Project) -> list[Finding]:
    """The errors the rules across posts find between the posts of a loaded
    project (min_gap), judged at ``project.now``. A channel's monthly budget is
    left out: publish enforces it with what the ledger says was spent.

    `check` compares every post file that loads, so a file whose id another
    post already has (left out of ``Project.posts``) counts too.
    """
    from smmgen.check.rules import Clock, load_across_rules, load_rules
    from smmgen.loader.posts import load_post
    from smmgen.secrets import redact

    load_rules()
    posts = list(project.posts)
    duplicates = sorted({f.file for f in project.findings if f.code == "duplicate-id" and f.file})
    for file in duplicates:
        post = load_post(project.root / file, project.root, project.config, [], set())
        if post is not None:
            posts.append(post)
    timing = project.timing
    when = Clock(project.now, timing.tz, timing.min_gap, timing.max_lateness)
    found: list[Finding] = []
    for rule in load_across_rules():
        if rule.name == "budget":
            continue
        found.extend(rule.judge(when, {p.file: rule.gather(project, p) for p in posts}))
    return redact([f for f in found if f.is_error], project.secret_values)


def relative_selection(root: Path, paths: Sequence[Path]) -> list[str]:
    """Command-line paths as project-relative POSIX paths."""
    out = []
    for path in paths:
        absolute = path.resolve()
        try:
            out.append(absolute.relative_to(root).as_posix())
        except ValueError:
            raise UsageError(
                f"{path} is outside the project ({root}); give files or folders inside it"
            ) from None
    return ["" if s == "." else s for s in out]


def run_check(
    root: Path | None,
    paths: Sequence[Path] = (),
    *,
    strict: bool = False,
    progress: Progress | None = None,
    at: str | None = None,
    use_cache: bool = True,
) -> CheckReport:
    from smmgen.project import find_root, require_project

    base = require_project(root) if root is not None else find_root()
    selection = relative_selection(base, paths) if paths else None
    if selection is not None and "" in selection:
        selection = None
    # the cache holds whole-project runs: a check of some paths neither reads nor writes it
    if use_cache and selection is None:
        report = _check_with_cache(base, progress, at)
    else:
        from smmgen.check.run import check_project

        report = check_project(base, selection, progress, at, None)
    report.strict = strict
    return report


def _check_with_cache(base: Path, progress: Progress | None, at: str | None) -> CheckReport:
    """A whole-project check that reuses the cache. When a post file changed since
    the cache was written, a process loads the configuration meanwhile to check
    the files that changed (:mod:`smmgen.check.ahead`)."""
    from smmgen.check import ahead as checking_ahead
    from smmgen.check.cache import Cache, changed_since_saved
    from smmgen.check.results import conclude, listing, replay, survey

    listed = listing(base)
    ahead = None
    if changed_since_saved(base, listed.signatures):
        ahead = checking_ahead.Ahead.start(base, at)
    try:
        cache = Cache.open(base)
        found = survey(base, cache, listed)
        report = replay(base, cache, found, at)
        if report is not None:
            return report
        stale = found.stale()
        checked = None
        if ahead is not None and len(stale) <= checking_ahead.UP_TO:
            checked = ahead.check(stale)
        if checked is not None:
            if progress is not None and stale:
                progress(len(stale), len(stale))
            return conclude(
                base,
                cache,
                found,
                checked.fresh,
                checked.summary,
                checked.when,
                None,
                checked.secret_values,
            )
    finally:
        if ahead is not None:
            ahead.stop()
    from smmgen.check.run import check_project

    return check_project(base, None, progress, at, cache, found)
