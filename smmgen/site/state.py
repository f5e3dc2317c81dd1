"""The project as the pages show it, kept current while files change.

:class:`SiteState` loads the project once, then takes each change from the
watcher (:mod:`smmgen.site.live`): a post file is loaded again alone and its
variants and post rules run again at once; channels.yaml, calendar.yaml or a
template reloads everything. What `check` finds across posts (gaps, budgets,
duplicate ids) comes from a whole `smmgen check` run in a separate process
(its cache makes that quick), started after each change, so the pages never
wait for it and the server never stops answering while it runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smmgen.adapt.variants import Variant, build_variants
from smmgen.check import check_post, rules
from smmgen.errors import SmmgenError
from smmgen.findings import Finding, Severity
from smmgen.loader.files import (
    CALENDAR_FILE,
    CHANNELS_FILE,
    CONTENT_DIR,
    TEMPLATES_DIR,
    duplicate_finding,
)
from smmgen.loader.posts import Post, identity, load_post
from smmgen.loading import load_project
from smmgen.media import extension_format
from smmgen.models.timing import Calendar
from smmgen.project import Project
from smmgen.secrets import redact
from smmgen.site.listed import Listed, listed
from smmgen.site.status import ChannelStatus, channel_statuses

CONFIG_FILES = (CHANNELS_FILE, CALENDAR_FILE)
Counts = dict[str | None, tuple[int, int]]  # errors and warnings by channel (None: the post's)
# What a change of a file affects, as the pages name it (smmgen.site.live sends it)
EVERYTHING = "*"


@dataclass
class Checked:
    """The findings of the latest whole `check`, by file (None: the project's)."""

    by_file: dict[str | None, list[Finding]] = field(default_factory=dict)
    error: str | None = None  # why the check could not run


def _finding(data: dict[str, Any]) -> Finding:
    return Finding(
        Severity(data["severity"]),
        data["code"],
        data["message"],
        file=data.get("file"),
        line=data.get("line"),
        key=data.get("key"),
        hint=data.get("hint"),
        channel=data.get("channel"),
    )


def _lower_priority() -> None:
    os.nice(10)


def run_check(root: Path, at: str | None) -> Checked:
    """A whole `smmgen check` (with its cache), in a process of its own."""
    command = [sys.executable, "-m", "smmgen", "--root", str(root), "check", "--format", "json"]
    if at is not None:
        command += ["--at", at]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        # below the server's priority: a page a save updates never waits for it
        preexec_fn=_lower_priority if hasattr(os, "nice") else None,
    )
    try:
        data = json.loads(done.stdout)
    except json.JSONDecodeError:
        lines = done.stderr.strip().splitlines()
        return Checked(error=lines[-1] if lines else f"check ended with status {done.returncode}")
    checked = Checked()
    for item in data.get("findings", []):
        found = _finding(item)
        checked.by_file.setdefault(found.file, []).append(found)
    return checked


class SiteState:
    """The loaded project, its variants and findings, and a version that grows
    with every change the pages show."""

    def __init__(
        self,
        root: Path | None,
        *,
        at: str | None = None,
        ledger: bool = True,
        project: Project | None = None,
        frozen: bool = False,
    ):
        self.at = at
        self.frozen = frozen  # judge at the project's time (a build), not the clock's
        self.lock = threading.RLock()
        self.version = 0
        self.use_ledger = ledger
        self.project: Project = project if project is not None else load_project(root, at=at)
        self.root = self.project.root
        self.checked: Checked | None = None  # None: the first check is still running
        self.ledger: dict[tuple[str, str], Any] | None = None
        self.ledger_note: str | None = None
        self._variants: dict[str, list[Variant]] = {}
        self._quick: dict[str, list[Finding]] = {}  # post files changed since the check
        self._counts: dict[str, Counts] = {}  # findings counted elsewhere (build)
        self._listed: dict[str, tuple[Post, Listed]] = {}  # by file: of which post
        self._statuses: dict[str, tuple[Listed, Counts, list[ChannelStatus]]] = {}
        # what the overview shows of every post, when given (a build that did not
        # load every post: smmgen.site.buildcache)
        self.given_listed: list[Listed] | None = None
        self._reindex()
        rules.load_rules()  # now, not on the first save

    # -- what the pages read ------------------------------------------------

    def now(self) -> datetime:
        """The time pages judge at: ``--at`` when given, else this moment."""
        if self.at is not None or self.frozen:
            return self.project.now
        return datetime.now(UTC)

    def variants(self, post: Post) -> list[Variant]:
        with self.lock:
            found = self._variants.get(post.id)
            if found is None:
                found = self._variants[post.id] = build_variants(self.project, post)
            return found

    def findings(self, file: str | None) -> list[Finding] | None:
        """What check finds in ``file`` (None: the configuration and the project
        as a whole); None while the first check runs."""
        with self.lock:
            if file is not None and file in self._quick:
                return self._quick[file]
            if file in self._broken:
                return self._broken[file]
            if file is None:
                config = [f for f in self.project.findings if f.file in CONFIG_FILES]
                if self.checked is None:
                    return config or None
                return _unique(config + self.checked.by_file.get(None, []) + self._config())
            if self.checked is None:
                return None
            return self.checked.by_file.get(file, [])

    def listed(self) -> list[Listed]:
        """What the list and the calendar show of every post, in the posts' order."""
        if self.given_listed is not None:
            return self.given_listed
        with self.lock:
            people = set(self.project.people)
            known, out = {}, []
            for post in self.project.posts:
                found = self._listed.get(post.file)
                if found is None or found[0] is not post:
                    found = (post, listed(post, people))
                known[post.file] = found
                out.append(found[1])
            self._listed = known
            return out

    def statuses(
        self, post: Listed, calendar: Calendar, now: datetime | None = None
    ) -> list[ChannelStatus]:
        """Where ``post`` stands on each channel at ``now`` (default: :meth:`now`).
        The list and the calendar both show it: at a fixed time (a build's) it is
        judged once."""
        counts = self.counts(post.file)
        now = now or self.now()
        if not self.frozen:
            return channel_statuses(self.project, post, now, self.ledger, counts, calendar)
        known = self._statuses.get(post.file)
        if known is None or known[0] is not post or known[1] is not counts:
            found = channel_statuses(self.project, post, now, self.ledger, counts, calendar)
            known = self._statuses[post.file] = (post, counts, found)
        return known[2]

    def take_variants(self, post: Post, variants: list[Variant]) -> None:
        """Variants built elsewhere (`build`), and their findings as the post's."""
        with self.lock:
            self._variants[post.id] = variants
            self._quick[post.file] = [f for v in variants for f in v.findings]

    def forget_variants(self, post: Post) -> None:
        with self.lock:
            self._variants.pop(post.id, None)

    def take_counts(self, file: str, counts: Counts) -> None:
        """How many findings a post file has, counted elsewhere (`build`'s workers)."""
        with self.lock:
            self._counts[file] = counts

    def counts(self, file: str) -> Counts:
        """Errors and warnings in ``file``, by channel (None: not of one channel)."""
        given = self._counts.get(file)
        if given is not None:
            return given
        out: Counts = {}
        for f in self.findings(file) or []:
            errors, warnings = out.get(f.channel, (0, 0))
            out[f.channel] = (errors + f.is_error, warnings + (not f.is_error))
        return out

    def broken(self) -> dict[str, list[Finding]]:
        """Post files that cannot be loaded, with why."""
        with self.lock:
            return dict(self._broken)

    def post_of_file(self, file: str) -> str | None:
        """The id of the post in ``file``, or of the post it held when it loaded last."""
        with self.lock:
            return self._ids.get(file)

    # -- keeping it current ---------------------------------------------------

    def _config(self) -> list[Finding]:
        found = self.project.findings
        return [f for f in found if f.file is not None and f.file.startswith(TEMPLATES_DIR)]

    def _reindex(self) -> None:
        self._broken: dict[str, list[Finding]] = {}
        for f in self.project.findings:
            if f.file is not None and f.file.endswith(".md") and f.is_error:
                self._broken.setdefault(f.file, []).append(f)
        known = getattr(self, "_ids", {})
        self._ids: dict[str, str] = {**known, **{p.file: p.id for p in self.project.posts}}

    def reload(self) -> None:
        """Load the whole project again (the configuration or a template changed)."""
        project = load_project(self.root, at=self.at)
        with self.lock:
            self.project = project
            self._variants.clear()
            self._quick.clear()
            self._listed.clear()  # the people it names may have changed
            self._reindex()
            self.version += 1

    def changed(self, paths: Iterable[str]) -> set[str]:
        """Take changed files (paths below the root); what they affect: post ids,
        or :data:`EVERYTHING`. Raises nothing: a broken file becomes findings."""
        names = sorted(set(paths))
        if any(_whole_project(name) for name in names):
            self.reload()
            return {EVERYTHING}
        affected: set[str] = set()
        for name in names:
            if name.startswith(CONTENT_DIR + "/") and name.endswith(".md"):
                affected |= self._post_changed(name)
            elif extension_format(name) is not None:  # every post that shows it
                affected |= self._media_changed(name)
        if affected:
            with self.lock:
                self.version += 1
        return affected

    def _post_changed(self, name: str) -> set[str]:
        project = self.project
        path = self.root / name
        sink: list[Finding] = []
        secrets: set[str] = set()
        post = load_post(path, self.root, project.config, sink, secrets) if path.exists() else None
        secrets |= project.secret_values
        with self.lock:
            old = self._ids.get(name)
            posts = [p for p in project.posts if p.file != name]
            affected = {old} if old else set()
            self._broken.pop(name, None)
            if post is not None:
                first = next((p for p in posts if p.id == post.id), None)
                if first is not None:  # as `check` reports it
                    sink.append(duplicate_finding(identity(post), identity(first)))
                    post = None
            if post is None:
                self._quick.pop(name, None)
                if path.exists():
                    self._broken[name] = redact(sink, secrets)
                project.posts = posts
            else:
                found = sink + check_post(project, post)
                self._quick[name] = redact(found, secrets)
                posts.append(post)
                posts.sort(key=lambda p: p.file)
                project.posts = posts
                self._ids[name] = post.id
                self._variants.pop(post.id, None)
                if old and old != post.id:
                    self._variants.pop(old, None)
                affected.add(post.id)
            if not path.exists():
                self._ids.pop(name, None)
                self._quick.pop(name, None)
        return affected

    def _media_changed(self, name: str) -> set[str]:
        affected = set()
        with self.lock:
            for post in self.project.posts:
                if any(m.path == name for m in post.front.media or []):
                    affected.add(post.id)
                    self._variants.pop(post.id, None)
        return affected

    def take_check(self, checked: Checked) -> bool:
        """Take a whole check's findings; whether anything shown changed."""
        with self.lock:
            before = self.checked
            self.checked = checked
            self._quick.clear()
            if before is not None and before.by_file == checked.by_file:
                return False
            self.version += 1
            return True

    def read_ledger(self) -> None:
        """What the ledger says went out (read only; a ledger that is missing
        or cannot be read leaves a note instead)."""
        if not self.use_ledger:
            return
        from smmgen.publish.ledger import open_store
        from smmgen.publish.ledger.state import fold

        try:
            store = open_store(self.project, writing=False)
            try:
                records = store.load()
            finally:
                store.close()
        except SmmgenError as exc:
            note = str(exc)
            if note.startswith("there is no ledger"):
                note = "none yet (`smmgen ledger init` creates it): nothing shows as published"
            with self.lock:
                self.ledger, self.ledger_note = None, note
            return
        with self.lock:
            self.ledger, self.ledger_note = fold(records), None
            self.version += 1


def _whole_project(name: str) -> bool:
    return name in CONFIG_FILES or name.startswith(TEMPLATES_DIR + "/")


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for f in findings:
        key = (f.code, f.file, f.line, f.key, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
