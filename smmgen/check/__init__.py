"""``smmgen check``: validate configuration, posts, and the team's policy.

Loading reports what cannot be parsed or validated; then every registered rule
(:mod:`smmgen.check.rules`) runs over the project and each post.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from smmgen.check import files, policy  # noqa: F401  (they register their rules)
from smmgen.check.rules import POST_RULES, PROJECT_RULES
from smmgen.findings import Finding, Severity
from smmgen.loader.config import CALENDAR_FILE, CHANNELS_FILE
from smmgen.loader.posts import Progress
from smmgen.project import Project, load
from smmgen.secrets import redact

_CONFIG_FILES = (CHANNELS_FILE, CALENDAR_FILE)


@dataclass
class CheckReport:
    """What ``check`` found, and how much it looked at."""

    findings: list[Finding]
    posts: int
    channels: int
    strict: bool = False
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def ok(self) -> bool:
        return self.errors == 0 and not (self.strict and self.warnings)


def _selected(finding: Finding, selection: Sequence[str] | None) -> bool:
    if selection is None or finding.file is None or finding.file in _CONFIG_FILES:
        return True
    return any(finding.file == s or finding.file.startswith(s.rstrip("/") + "/") for s in selection)


def _selected_post(file: str, selection: Sequence[str] | None) -> bool:
    return _selected(Finding(Severity.ERROR, "", "", file=file), selection)


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


def check_project(project: Project, selection: Sequence[str] | None = None) -> list[Finding]:
    """Every finding for the project, from loading and from every rule."""
    found = list(project.findings)
    for project_rule in PROJECT_RULES:
        found.extend(project_rule(project))
    for post in project.posts:
        if not _selected_post(post.file, selection):
            continue
        for post_rule in POST_RULES:
            found.extend(post_rule(project, post))
    kept = [f for f in _dedupe(found) if _selected(f, selection)]
    return redact(kept, project.secret_values)


def relative_selection(root: Path, paths: Sequence[Path]) -> list[str]:
    """Command-line paths as project-relative POSIX paths."""
    out = []
    for path in paths:
        absolute = path.resolve()
        try:
            out.append(absolute.relative_to(root).as_posix())
        except ValueError:
            out.append(path.as_posix())
    return ["" if s == "." else s for s in out]


def run_check(
    root: Path | None,
    paths: Sequence[Path] = (),
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> CheckReport:
    project = load(root, progress=progress)
    selection = relative_selection(project.root, paths) if paths else None
    if selection is not None and "" in selection:
        selection = None
    findings = check_project(project, selection)
    checked = [p for p in project.posts if _selected_post(p.file, selection)]
    return CheckReport(
        findings=findings,
        posts=len(checked),
        channels=len(project.channels),
        strict=strict,
    )
