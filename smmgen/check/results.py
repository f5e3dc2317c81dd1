"""From per-file results to check's report, and a run from the cache alone.

Light on purpose: when no post file changed since the last run, :func:`replay`
reports from the cache without loading the configuration or a post (so
without pydantic, YAML, Markdown or templates). The rules across posts are
judged anew from what each file's entry gathered for them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from smmgen.check import CheckReport
from smmgen.check.cache import Cache, Entry, Signature, Summary, signature
from smmgen.check.rules import Clock, load_across_rules
from smmgen.findings import Finding
from smmgen.loader.files import (
    CALENDAR_FILE,
    CHANNELS_FILE,
    Identity,
    duplicate_finding,
    post_names,
)
from smmgen.secrets import redact
from smmgen.times import reference_time, zone

_CONFIG_FILES = (CHANNELS_FILE, CALENDAR_FILE)


def selected(file: str | None, selection: Sequence[str] | None) -> bool:
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


def clock(summary: Summary, at: str | None) -> Clock:
    tz = zone(summary.timezone)
    return Clock(
        reference_time(at, tz),
        tz,
        timedelta(seconds=summary.min_gap),
        timedelta(seconds=summary.max_lateness),
    )


def report(
    entries: dict[str, Entry],
    summary: Summary,
    when: Clock,
    selection: Sequence[str] | None,
    secret_values: set[str],
    loading: list[Finding],
) -> CheckReport:
    """The report of a run: the project's findings, those of every file (in
    ``entries``, by project-relative path, in the order of discovery), duplicate
    ids, and what every rule across posts finds in what the files gathered."""
    found = list(summary.findings) + loading
    for rule in load_across_rules():
        gathered = {
            name: e.gathered[rule.name] for name, e in entries.items() if rule.name in e.gathered
        }
        found.extend(rule.judge(when, gathered))
    first_by_id: dict[str, Identity] = {}
    duplicates = 0
    for entry in entries.values():
        found.extend(entry.findings)
        ident = entry.identity
        if ident is None:
            continue
        first = first_by_id.setdefault(ident.id, ident)
        if first is not ident:
            found.append(duplicate_finding(ident, first))
            duplicates += selected(ident.file, selection)
    kept = [f for f in _dedupe(found) if selected(f.file, selection)]
    return CheckReport(
        findings=redact(kept, secret_values),
        posts=sum(entry.checked for entry in entries.values()) - duplicates,
        channels=summary.channels,
    )


def secrets_in(root: Path, entries: dict[str, Entry]) -> set[str]:
    """The secret values in the files whose entries say they hold one (read again:
    the cache never holds a value)."""
    from smmgen import secrets

    values: set[str] = set()
    for name, entry in entries.items():
        if entry.secrets:
            try:
                text = (root / name).read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            values.update(value for _, _, value in secrets.in_text(text))
    return values


@dataclass
class Listing:
    """The post files of a project, in the order of discovery, with their
    signatures as they are now."""

    names: list[str]
    signatures: list[Signature]
    loading: list[Finding]  # what finding the files found (a link outside the project)


@dataclass
class Survey:
    """The post files of a project and the entries of the cache that still hold for
    them: looked at once per run."""

    listed: Listing
    reused: dict[str, Entry]

    @property
    def names(self) -> list[str]:
        return self.listed.names

    @property
    def loading(self) -> list[Finding]:
        return self.listed.loading

    def stale(self) -> list[str]:
        """The files to check again, in order."""
        return [name for name in self.names if name not in self.reused]


def listing(root: Path) -> Listing:
    loading: list[Finding] = []
    names = list(post_names(root, loading))
    base = os.path.join(root, "")
    return Listing(names, [signature(base + name) for name in names], loading)


def survey(root: Path, cache: Cache | None, listed: Listing | None = None) -> Survey:
    """The files of ``listed`` (made now when not given), and what the cache holds."""
    if listed is None:
        listed = listing(root)
    reused: dict[str, Entry] = {}
    if cache is not None:
        for name, found in zip(listed.names, listed.signatures, strict=True):
            entry = cache.holds(name, found)
            if entry is not None:
                reused[name] = entry
    return Survey(listed, reused)


def conclude(
    root: Path,
    cache: Cache | None,
    surveyed: Survey,
    fresh: list[tuple[Entry, set[str]]],
    summary: Summary,
    when: Clock,
    selection: Sequence[str] | None,
    secret_values: set[str],
) -> CheckReport:
    """The report of a run that checked the stale files of ``surveyed`` again
    (``fresh``: their entries, in order, and the secrets found in each), with the
    configuration's ``secret_values``; the cache written when anything changed."""
    reused = surveyed.reused
    secret_values = secret_values | secrets_in(root, reused)
    checked = dict(zip(surveyed.stale(), fresh, strict=True))
    for _, found in fresh:
        secret_values |= found
    entries = {n: reused[n] if n in reused else checked[n][0] for n in surveyed.names}
    if cache is not None and (
        fresh or len(surveyed.names) != len(cache.entries) or cache.summary != summary
    ):
        cache.save(entries, summary)
    return report(entries, summary, when, selection, secret_values, surveyed.loading)


def replay(root: Path, cache: Cache, found: Survey, at: str | None) -> CheckReport | None:
    """The report of a whole-project check from the cache alone, or None when a
    post file (or a media file it uses) changed, or the cache cannot tell."""
    summary = cache.summary
    if summary is None or summary.secrets or len(found.reused) != len(found.names):
        return None
    entries = found.reused
    if len(entries) != len(cache.entries):
        cache.save(entries, summary)  # a file was deleted
    when = clock(summary, at)
    return report(entries, summary, when, None, secrets_in(root, entries), found.loading)
