"""``smmgen check``: validate configuration, posts, policy and every variant.

Loading reports what cannot be parsed or validated; then every registered rule
(:mod:`smmgen.check.rules`) runs over the project and each post. Posts are
checked in chunks, on every core when there are many, each chunk loading and
checking its own files; only findings come back.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

from smmgen.check import files, pins, policy, timing, variants  # noqa: F401  (they register rules)
from smmgen.check.cache import Cache, Entry, stable
from smmgen.check.policy import media_items
from smmgen.check.rules import POST_RULES, PROJECT_RULES
from smmgen.check.timing import gap_findings, past_findings, slots
from smmgen.errors import UsageError
from smmgen.findings import Finding
from smmgen.loader import media
from smmgen.loader.config import CALENDAR_FILE, CHANNELS_FILE, Config, load_config
from smmgen.loader.posts import (
    CONTENT_DIR,
    Identity,
    Post,
    Progress,
    discover,
    duplicate_finding,
    identity,
    load_post,
)
from smmgen.project import Project, find_root, require_project
from smmgen.secrets import redact
from smmgen.text import warm_up
from smmgen.times import reference_time, zone

_CONFIG_FILES = (CHANNELS_FILE, CALENDAR_FILE)
PARALLEL_FROM = 400  # posts; below this one process is faster than starting workers


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


def _selected(file: str | None, selection: Sequence[str] | None) -> bool:
    if selection is None or file is None or file in _CONFIG_FILES:
        return True
    return any(file == s or file.startswith(s.rstrip("/") + "/") for s in selection)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """A secret at a key replaces other findings there (they may quote the value)."""
    secret_at = {(f.file, f.key) for f in findings if f.code == "secret-in-file" and f.key}
    kept = []
    reported: set[tuple[str | None, str | None]] = set()
    for f in findings:
        place = (f.file, f.key)
        if f.key is not None and place in secret_at:
            if f.code != "secret-in-file" or place in reported:
                continue  # one secret finding per key, and nothing that may quote it
            reported.add(place)
        kept.append(f)
    unique = dict.fromkeys(kept)
    return sorted(unique, key=lambda f: (f.file or "", f.line or 0, f.key or "", f.code))


def check_post(project: Project, post: Post) -> list[Finding]:
    found: list[Finding] = []
    for rule in POST_RULES:
        found.extend(rule(project, post))
    return found


@dataclass
class _Chunk:
    entries: dict[str, Entry]  # files checked afresh, by project-relative path
    reused: list[str]  # files whose entry in the cache still holds
    secrets: set[str]


# The project the chunks are checked against; set before the workers fork.
_SHARED: dict[str, object] = {}


def _check_files(paths: list[Path]) -> _Chunk:
    project = _SHARED["project"]
    selection = _SHARED["selection"]
    cache = _SHARED.get("cache")
    assert isinstance(project, Project)
    chunk = _Chunk({}, [], set())
    for path in paths:
        relative = path.relative_to(project.root).as_posix()
        if isinstance(cache, Cache) and cache.get(relative) is not None:
            chunk.reused.append(relative)  # the parent has the entry already
            continue
        entry, secrets = _check_file(project, path, selection, cache is not None)  # type: ignore[arg-type]
        chunk.entries[relative] = entry
        chunk.secrets |= secrets
    return chunk


def _check_file(
    project: Project, path: Path, selection: Sequence[str] | None, caching: bool
) -> tuple[Entry, set[str]]:
    """Load and check one post file: its findings redacted of the secrets found in
    it, and those secrets (kept in memory for this run's redaction, never cached)."""
    before = stable(path) if caching else None
    sink: list[Finding] = []
    secrets: set[str] = set()
    post = load_post(path, project.root, project.config, sink, secrets)
    entry = Entry(before, {}, [], None, [])
    if post is not None:
        entry.identity = identity(post)
        entry.slots = list(slots(project, post))
        if caching:
            entry.media = {m.path: stable(project.root / m.path) for _, m in media_items(post)}
        if _selected(post.file, selection):
            entry.checked = True
            sink.extend(check_post(project, post))
    entry.findings = redact(sink, secrets)
    return entry, secrets


def _chunks(items: list[Path], count: int) -> list[list[Path]]:
    size = max(1, -(-len(items) // count))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _run_chunks(paths: list[Path], progress: Progress | None) -> list[_Chunk]:
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        results = []
        done = 0
        for chunk in _chunks(paths, max(1, len(paths) // 250)):
            results.append(_check_files(chunk))
            done += len(chunk)
            if progress:
                progress(done, len(paths))
        return results
    pieces = _chunks(paths, workers * 16)  # small pieces keep both cores busy to the end
    results = []
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        done = 0
        for result, piece in zip(pool.map(_check_files, pieces), pieces, strict=True):
            results.append(result)
            done += len(piece)
            if progress:
                progress(done, len(paths))
    return results


def check(
    root: Path,
    config: Config,
    selection: Sequence[str] | None,
    progress: Progress | None,
    now: datetime,
    *,
    use_cache: bool = True,
) -> CheckReport:
    media.forget()
    project = Project(root=root, config=config, posts=[], findings=list(config.findings), now=now)
    project.secret_values = set(config.secret_values)
    # the cache holds whole-project runs: a check of some paths neither reads nor writes it
    cache = Cache.open(root) if use_cache and selection is None else None
    _SHARED.update(project=project, selection=selection, cache=cache)
    warm_up()  # compile the big patterns once, before the workers fork
    paths = list(discover(root / CONTENT_DIR, project.findings))
    try:
        results = _run_chunks(paths, progress)
    finally:
        _SHARED.clear()
    fresh = {k: v for r in results for k, v in r.entries.items()}
    for result in results:
        project.secret_values |= result.secrets
    names = [p.relative_to(root).as_posix() for p in paths]
    entries = [fresh[n] if n in fresh else cache.entries[n] for n in names]  # type: ignore[union-attr]
    if cache is not None and (fresh or len(names) != len(cache.entries)):
        cache.save(dict(zip(names, entries, strict=True)))
    found = list(project.findings)
    for rule in PROJECT_RULES:
        found.extend(rule(project))
    taken = [slot for entry in entries for slot in entry.slots]
    found.extend(gap_findings(taken, project.timing))
    found.extend(past_findings(taken, project.timing, now))
    first_by_id: dict[str, Identity] = {}
    duplicates = 0
    for entry in entries:
        found.extend(entry.findings)
        ident = entry.identity
        if ident is None:
            continue
        first = first_by_id.setdefault(ident.id, ident)
        if first is not ident:
            found.append(duplicate_finding(ident, first))
            duplicates += _selected(ident.file, selection)
    kept = [f for f in _dedupe(found) if _selected(f.file, selection)]
    return CheckReport(
        findings=redact(kept, project.secret_values),
        posts=sum(entry.checked for entry in entries) - duplicates,
        channels=len(config.channels),
    )


def project_findings(project: Project) -> list[Finding]:
    """What `check` finds in a loaded project as a whole: the configuration's
    findings and those of every project rule (templates, ...)."""
    found = [f for f in project.findings if f.file in _CONFIG_FILES]
    for rule in PROJECT_RULES:
        found.extend(rule(project))
    return redact(found, project.secret_values)


def cross_post_findings(project: Project) -> list[Finding]:
    """What `check` finds between the posts of a loaded project (min_gap).

    `check` compares every post file that loads, so a file whose id another
    post already has (left out of ``Project.posts``) counts too.
    """
    posts = list(project.posts)
    duplicates = sorted({f.file for f in project.findings if f.code == "duplicate-id" and f.file})
    for file in duplicates:
        post = load_post(project.root / file, project.root, project.config, [], set())
        if post is not None:
            posts.append(post)
    taken = [slot for post in posts for slot in slots(project, post)]
    return redact(list(gap_findings(taken, project.timing)), project.secret_values)


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
    base = require_project(root) if root is not None else find_root()
    selection = relative_selection(base, paths) if paths else None
    if selection is not None and "" in selection:
        selection = None
    config = load_config(base)
    now = reference_time(at, zone(config.calendar.timezone))
    report = check(base, config, selection, progress, now, use_cache=use_cache)
    report.strict = strict
    return report
