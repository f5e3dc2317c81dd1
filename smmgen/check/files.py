"""Rules about files: media that must exist inside the repository, templates,
and credentials pasted into any file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from smmgen.check import secrets
from smmgen.check.policy import _media_items
from smmgen.check.rules import post_rule, project_rule
from smmgen.findings import Finding, Severity, format_key
from smmgen.load.posts import Post
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


@post_rule
def secrets_in_post(project: Project, post: Post) -> Iterator[Finding]:
    for what, offset in secrets.in_text(post.source):
        yield Finding(
            Severity.ERROR,
            "secret-in-file",
            f"contains what looks like {what}; secrets never go in files",
            file=post.file,
            line=post.line_at(offset),
            hint="remove it, revoke it (it is in git history now), and keep it in a CI secret",
        )


@project_rule
def secrets_in_config(project: Project) -> Iterator[Finding]:
    for name, loaded in project.config.files.items():
        if loaded.doc is None:
            continue
        for path, what in secrets.scan_data(loaded.doc.data):
            yield Finding(
                Severity.ERROR,
                "secret-in-file",
                f"looks like {what}; secrets never go in files",
                file=name,
                line=loaded.doc.line_of(path),
                key=format_key(path),
                hint="store it as a CI secret and name its variable in a *_env key",
            )


@project_rule
def templates_exist(project: Project) -> Iterator[Finding]:
    doc = project.config.files["channels.yaml"].doc
    for name, channel in project.channels.items():
        if channel.template is None:
            continue
        problem = media_problem(project.root, f"{TEMPLATES_DIR}/{channel.template}")
        if problem:
            key = ("channels", name, "template")
            yield Finding(
                Severity.ERROR,
                "missing-template",
                f"template '{channel.template}' not found in {TEMPLATES_DIR}/",
                file="channels.yaml",
                line=doc.line_of(key) if doc else None,
                key=format_key(key),
                hint=problem[1],
            )
