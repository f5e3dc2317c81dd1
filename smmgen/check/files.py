"""Rules about files: media that must exist inside the repository, and templates."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from smmgen.check.policy import _media_items
from smmgen.check.rules import post_rule, project_rule
from smmgen.findings import Finding, Severity, format_key
from smmgen.loader.posts import Post
from smmgen.project import Project
from smmgen.suggest import closest

TEMPLATES_DIR = "templates"


def _listing(directory: Path) -> tuple[str, ...]:
    try:
        return tuple(os.listdir(directory))
    except OSError:
        return ()


def media_problem(root: Path, relative: str) -> tuple[str, str | None] | None:
    """(message, hint) when a media path is unusable, None when it is a file in the repo."""
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or (pure.parts and pure.parts[0].endswith(":")):
        return (
            f"'{relative}' is an absolute path",
            "write it relative to the repository root, like media/photo.png",
        )
    target = root / pure
    resolved = target.resolve()
    if not resolved.is_relative_to(root):
        return (
            f"'{relative}' is outside the repository",
            "media must live inside the repository: copy the file into media/",
        )
    if resolved.is_file():
        return None
    if resolved.is_dir():
        return f"'{relative}' is a directory, not a file", None
    guess = closest(target.name, _listing(target.parent))
    folder = PurePosixPath(*pure.parts[:-1]).as_posix() if len(pure.parts) > 1 else "."
    hint = (
        f"did you mean '{(PurePosixPath(folder) / guess).as_posix()}'?"
        if guess
        else "paths are relative to the repository root"
    )
    return f"'{relative}' does not exist", hint


@post_rule
def media_files(project: Project, post: Post) -> Iterator[Finding]:
    for path, item in _media_items(post):
        problem = media_problem(project.root, item.path)
        if problem:
            message, hint = problem
            yield Finding(
                Severity.ERROR,
                "bad-media-path",
                message,
                file=post.file,
                line=post.line_of((*path, "path")),
                key=format_key((*path, "path")),
                hint=hint,
            )


@project_rule
def templates_exist(project: Project) -> Iterator[Finding]:
    doc = project.config.files["channels.yaml"].doc
    for name, channel in project.channels.items():
        if channel.template is None:
            continue
        templates = (project.root / TEMPLATES_DIR).resolve()
        target = (templates / channel.template).resolve()
        if target.is_relative_to(templates) and target.is_file():
            continue
        guess = closest(channel.template, _listing(project.root / TEMPLATES_DIR))
        hint = f"did you mean '{guess}'?" if guess else f"names are relative to {TEMPLATES_DIR}/"
        key = ("channels", name, "template")
        yield Finding(
            Severity.ERROR,
            "missing-template",
            f"template '{channel.template}' not found in {TEMPLATES_DIR}/",
            file="channels.yaml",
            line=doc.line_of(key) if doc else None,
            key=format_key(key),
            hint=hint,
        )
