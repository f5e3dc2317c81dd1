"""``smmgen preview``: what a pull request changes, as each network will show it.

The posts added or changed since a git ref (the pull request's base) are
found with ``git diff`` against the working tree, renames included. Each is
rendered per channel (see :mod:`smmgen.report.preview`) with its findings,
its schedule and what the ledger says: a post already published on a
channel will not be re-posted when edited, and a renamed post whose id
changed would be published again.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml

from smmgen.adapt.variants import Variant, build_variants
from smmgen.check import check_post
from smmgen.errors import UsageError
from smmgen.findings import Finding
from smmgen.loader.posts import CONTENT_DIR, Post, _split
from smmgen.project import Project
from smmgen.publish.ledger import LedgerError, open_store
from smmgen.publish.ledger.state import ItemState, fold

Change = Literal["added", "changed", "renamed", "all"]


@dataclass
class PostPreview:
    file: str
    post: Post | None  # None: the file does not load (see findings)
    change: Change
    variants: list[Variant]
    findings: list[Finding]
    published: dict[str, ItemState] = field(default_factory=dict)  # channel -> its state
    renamed_from: str | None = None  # the file before a rename
    old_id: str | None = None  # the id before a rename, when it differs
    again: dict[str, ItemState] = field(default_factory=dict)  # old id published there

    @property
    def id(self) -> str:
        return self.post.id if self.post else PurePosixPath(self.file).stem


@dataclass
class Preview:
    project: Project
    ref: str | None
    posts: list[PostPreview]
    removed: list[str]  # post files deleted since ref
    ledger: str  # where the ledger was read, or why not
    ledger_read: bool


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"git {args[0]}: {message[-1] if message else done.returncode}")
    return done.stdout.decode("utf-8", errors="replace")


def _is_post(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return (
        len(parts) > 1
        and parts[0] == CONTENT_DIR
        and path.endswith(".md")
        and not any(p.startswith("_") for p in parts[1:])
    )


def changes(root: Path, ref: str) -> tuple[dict[str, tuple[Change, str | None]], list[str]]:
    """Post files changed since ``ref`` (path -> (how, old path)) and those removed."""
    toplevel = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    prefix = root.resolve().relative_to(toplevel.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except UsageError:
        raise UsageError(
            f"--changed-since {ref}: no such commit here; fetch it first"
            " (in GitHub Actions: actions/checkout with fetch-depth: 0)"
        ) from None
    # pathspecs are relative to the working directory: the project root
    out = _git(root, "diff", "--name-status", "-M", "-z", ref, "--", CONTENT_DIR)
    fields = out.split("\0")
    found: dict[str, tuple[Change, str | None]] = {}
    removed: list[str] = []
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status.startswith("R"):
            old, new = fields[index + 1], fields[index + 2]
            index += 3
            if _is_post(new.removeprefix(prefix)):
                found[new.removeprefix(prefix)] = ("renamed", old.removeprefix(prefix))
            continue
        path = fields[index + 1].removeprefix(prefix)
        index += 2
        if not _is_post(path):
            continue
        if status.startswith("D"):
            removed.append(path)
        else:
            found[path] = ("added" if status.startswith("A") else "changed", None)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", CONTENT_DIR)
    for path in untracked.split("\0"):
        if path and _is_post(path) and path not in found:
            found[path] = ("added", None)
    return found, removed


def _old_id(root: Path, ref: str, old_path: str) -> str:
    """The id a post file had at ``ref``: its ``id:``, else its path."""
    toplevel = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    prefix = root.resolve().relative_to(toplevel.resolve()).as_posix()
    spec = old_path if prefix == "." else f"{prefix}/{old_path}"
    default = PurePosixPath(old_path).relative_to(CONTENT_DIR).with_suffix("").as_posix()
    try:
        text = _git(root, "show", f"{ref}:{spec}")
    except UsageError:
        return default
    split = _split(text, old_path)
    if isinstance(split, Finding) or not split[0]:
        return default
    try:
        data = yaml.safe_load(split[0])
    except yaml.YAMLError:
        return default
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if value else default


def _ledger(project: Project) -> tuple[dict[tuple[str, str], ItemState], str, bool]:
    if os.environ.get("SMMGEN_PREVIEW_NO_LEDGER"):
        return {}, "not read (SMMGEN_PREVIEW_NO_LEDGER)", False
    try:
        store = open_store(project, writing=False)
    except LedgerError as exc:
        return {}, f"not read: {exc}", False
    try:
        states = fold(store.load())
        return states, store.description, True
    except LedgerError as exc:
        return {}, f"not read: {exc}", False
    finally:
        with contextlib.suppress(LedgerError):
            store.close()


def make_preview(project: Project, ref: str | None) -> Preview:
    root = project.root
    if ref is not None:
        found, removed = changes(root, ref)
    else:
        found, removed = {p.file: ("all", None) for p in project.posts}, []
    by_file = {p.file: p for p in project.posts}
    states, ledger, read = _ledger(project)
    posts = []
    for path in sorted(found):
        post = by_file.get(path)
        change, old_path = found[path]
        findings = [f for f in project.findings if f.file == path]
        if post is None:  # a file that does not load: only its findings
            posts.append(PostPreview(path, None, change, [], findings))
            continue
        findings += check_post(project, post)
        preview = PostPreview(path, post, change, build_variants(project, post), findings)
        preview.published = {
            channel: state
            for (post_id, channel), state in states.items()
            if post_id == post.id and state.status in ("published", "claimed", "unknown")
        }
        if old_path is not None and ref is not None:
            preview.renamed_from = old_path
            old_id = _old_id(root, ref, old_path)
            if old_id != post.id:
                preview.old_id = old_id
                preview.again = {
                    channel: state
                    for (post_id, channel), state in states.items()
                    if post_id == old_id and state.status == "published"
                }
        posts.append(preview)
    return Preview(project, ref, posts, removed, ledger, read)


def preview_json(preview: Preview) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "changed_since": preview.ref,
        "ledger": preview.ledger,
        "removed": preview.removed,
        "posts": [
            {
                "id": p.id,
                "file": p.file,
                "change": p.change,
                "renamed_from": p.renamed_from,
                "old_id": p.old_id,
                "would_publish_again": sorted(p.again),
                "published": {
                    c: {"status": s.status, "url": s.url} for c, s in sorted(p.published.items())
                },
                "findings": [f.as_dict() for f in p.findings],
                "variants": [v.as_dict() for v in p.variants],
            }
            for p in preview.posts
        ],
    }
