"""The project's files by name, and finding its post files: what every command
needs before it parses anything (so this module imports no parser)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from smmgen.findings import Finding, Severity

CHANNELS_FILE = "channels.yaml"
CALENDAR_FILE = "calendar.yaml"
CONTENT_DIR = "content"
TEMPLATES_DIR = "templates"  # channels' Jinja2 templates (smmgen.adapt.templates)

Progress = Callable[[int, int], None]


def _outside(directory: Path, root: Path) -> Finding:
    shown = directory.relative_to(root).as_posix()
    return Finding(
        Severity.ERROR,
        "outside-repository",
        "is a link to a folder outside the repository; its posts are not loaded",
        file=shown,
        hint=f"move the posts into the repository instead of linking {shown} to them",
    )


def _walk(content: Path, sink: list[Finding] | None) -> Iterator[tuple[str, str]]:
    root = content.parent.resolve()
    if not content.resolve().is_relative_to(root):
        if sink is not None:
            sink.append(_outside(content, content.parent))
        return
    for directory, dirs, files in os.walk(content):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")))
        if sink is not None:
            for name in dirs:
                linked = Path(directory, name)
                if linked.is_symlink() and not linked.resolve().is_relative_to(root):
                    sink.append(_outside(linked, content.parent))
        for name in sorted(files):
            if name.endswith(".md") and not name.startswith(("_", ".")):
                yield directory, name


def discover(content: Path, sink: list[Finding] | None = None) -> Iterator[Path]:
    """Every post file below ``content``, in a stable order, skipping ``_`` and ``.`` names.

    A ``content`` that resolves outside the project (``content.parent``) gives no
    posts, and a linked folder in it is not walked (links are never followed);
    one that resolves outside is reported to ``sink``.
    """
    for directory, name in _walk(content, sink):
        yield Path(directory, name)


def post_names(root: Path, sink: list[Finding] | None = None) -> Iterator[str]:
    """:func:`discover`'s files as project-relative POSIX paths (without a Path each)."""
    base = str(root / CONTENT_DIR)
    for directory, name in _walk(root / CONTENT_DIR, sink):
        below = directory[len(base) :].replace(os.sep, "/")
        yield f"{CONTENT_DIR}{below}/{name}"


@dataclass(frozen=True, slots=True)
class Identity:
    """Where a post's id is written: enough to report duplicates."""

    id: str
    file: str
    line: int


def duplicate_finding(post: Identity, first: Identity) -> Finding:
    return Finding(
        Severity.ERROR,
        "duplicate-id",
        f"id '{post.id}' is also the id of {first.file} (line {first.line})",
        file=post.file,
        line=post.line,
        key="id",
        hint="every post needs its own id: change one of them (never the one already"
        " published: publishing is recorded under the id)",
    )


def duplicates(identities: Iterator[Identity | None]) -> Iterator[Identity]:
    """Each identity whose id an earlier one already has (the first keeps it)."""
    first_by_id: dict[str, Identity] = {}
    for ident in identities:
        if ident is not None and first_by_id.setdefault(ident.id, ident) is not ident:
            yield ident
