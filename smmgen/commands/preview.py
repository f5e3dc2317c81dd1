"""``smmgen preview``: what a pull request changes, as each network will show it.

The posts added or changed since a git ref (the pull request's base) are
found with ``git diff`` against the working tree, renames included: a post
changed when its file did or anything it is made from (the file a symlink
points to, its media, the configuration, its channels' templates). Each is
rendered per channel (see :mod:`smmgen.report.preview`) with its findings,
its schedule and what the ledger says: a post already published on a
channel will not be re-posted when edited, and a renamed post whose id
changed would be published again.
"""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from smmgen.adapt.budget import decimal_text, item_price
from smmgen.adapt.variants import Variant, build_variants
from smmgen.check import check_post
from smmgen.errors import UsageError
from smmgen.findings import Finding
from smmgen.loader.config import CALENDAR_FILE, CHANNELS_FILE
from smmgen.loader.files import TEMPLATES_DIR
from smmgen.loader.posts import CONTENT_DIR, Post, split_front_matter
from smmgen.project import Project
from smmgen.publish.ledger import LedgerError, open_store
from smmgen.publish.ledger.state import ItemState, fold
from smmgen.report.preview import Change, PostPreview, Preview


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"git {args[0]}: {message[-1] if message else done.returncode}")
    # paths as the file system gives them (os.walk), so that they compare equal
    return done.stdout.decode("utf-8", errors="surrogateescape")


def _is_post(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return (
        len(parts) > 1
        and parts[0] == CONTENT_DIR
        and path.endswith(".md")
        and not any(p.startswith(("_", ".")) for p in parts[1:])
    )


@dataclass
class Diff:
    """What changed since a ref, in paths relative to the repository's top level."""

    top: Path  # the repository's top level
    prefix: str  # the project's directory in it ("" or "social/")
    changed: set[str]  # added, modified, type-changed, deleted, renamed (both paths), untracked
    added: set[str]
    deleted: set[str]
    renamed: dict[str, str]  # new path -> old path

    def local(self, path: str) -> str:
        """``path`` relative to the project root (as posts name their file)."""
        return path.removeprefix(self.prefix)


def diff(root: Path, ref: str) -> Diff:
    """Every path of the repository changed between ``ref`` and the working tree."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").removesuffix("\n")).resolve()
    prefix = root.resolve().relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except UsageError:
        raise UsageError(
            f"--changed-since {ref}: no such commit here; fetch it first"
            " (in GitHub Actions: actions/checkout with fetch-depth: 0)"
        ) from None
    # the whole repository: a post changes when anything it is made from does
    fields = _git(root, "diff", "--name-status", "-M", "-z", ref).split("\0")
    found = Diff(top, prefix, set(), set(), set(), {})
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status.startswith("R"):
            old, new = fields[index + 1], fields[index + 2]
            index += 3
            found.changed |= {old, new}
            found.renamed[new] = old
            continue
        path = fields[index + 1]
        index += 2
        found.changed.add(path)
        if status.startswith("D"):
            found.deleted.add(path)
        elif status.startswith("A"):
            found.added.add(path)
    untracked = _git(
        root, "ls-files", "--others", "--exclude-standard", "--full-name", "-z", "--", ":/"
    )
    for path in untracked.split("\0"):
        if path:
            found.changed.add(path)
            found.added.add(path)
    return found


def _is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except (OSError, ValueError):
        return False


def _resolved(top: Path, path: str) -> set[str]:
    """``path`` and every path that resolving it reads: each symlink on the way and
    where it ends (relative to ``top``; what lies outside ``top`` is left out)."""
    seen = {top / path}
    here = top
    todo = list(PurePosixPath(path).parts)
    hops = 0
    while todo:
        part = todo.pop(0)
        if part == "..":
            here = here.parent
            continue
        step = here / part
        if hops < 40 and _is_link(step):
            hops += 1
            seen.add(step)
            try:
                target = PurePosixPath(os.readlink(step))
            except OSError:
                break
            if target.is_absolute():
                here = Path(target.anchor)
            todo = [*(t for t in target.parts if t != target.anchor), *todo]
            continue
        here = step
    seen.add(here)
    return {p.relative_to(top).as_posix() for p in seen if p.is_relative_to(top)}


def _depends_on(project: Project, post: Post | None, file: str) -> set[str]:
    """The project-relative paths a post is made from: its file, the configuration,
    its media, and the templates of its channels (a folder: ends with "/")."""
    paths = {file, CHANNELS_FILE, CALENDAR_FILE}
    if post is not None:
        fields = [post.front, *(post.front.overrides or {}).values()]
        paths |= {m.path for f in fields for m in f.media or []}
        channels = project.channels
        if any(channels[c].template for c in post.channels if c in channels):
            paths.add(TEMPLATES_DIR + "/")
    return paths


Found = dict[str, tuple[Change, str | None, list[str]]]


def changes(project: Project, ref: str) -> tuple[Found, list[str]]:
    """Posts changed since ``ref`` (file -> (how, file before a rename, what changed
    that it is made from)) and the post files removed.

    A post changed when its file did, or anything it is made from: the file it links
    to (in a ``_`` folder, say) and each link on the way, its media, channels.yaml,
    calendar.yaml, or the templates its channels use.
    """
    changed = diff(project.root, ref)
    files: dict[str, Post | None] = {p.file: p for p in project.posts}
    for finding in project.findings:  # post files that are there but do not load
        if finding.file and _is_post(finding.file):
            files.setdefault(finding.file, None)

    @functools.cache
    def touched(path: str) -> frozenset[str]:
        """What changed of ``path`` (a folder when it ends with "/") and its links."""
        if path.endswith("/"):
            folder = changed.prefix + path
            return frozenset(p for p in changed.changed if p.startswith(folder))
        return frozenset(_resolved(changed.top, changed.prefix + path) & changed.changed)

    found: Found = {}
    for file, post in files.items():
        own = changed.prefix + file
        old = changed.renamed.get(own)
        if old is not None and _is_post(changed.local(old)):
            found[file] = ("renamed", changed.local(old), [])
        elif own in changed.changed:
            found[file] = ("added" if own in changed.added or old else "changed", None, [])
        else:
            via: set[str] = set()
            for path in _depends_on(project, post, file):
                via |= touched(path)
            if via:
                found[file] = ("changed", None, sorted(changed.local(p) for p in via))
    # deleted, or moved where it is no post (a "_" folder, outside content/)
    gone = changed.deleted | {
        old for new, old in changed.renamed.items() if changed.local(new) not in files
    }
    removed = sorted(
        changed.local(p)
        for p in gone
        if p.startswith(changed.prefix) and _is_post(changed.local(p))
    )
    return found, removed


def _old_id(root: Path, ref: str, old_path: str) -> str:
    """The id a post file had at ``ref``: its ``id:``, else its path."""
    toplevel = Path(_git(root, "rev-parse", "--show-toplevel").removesuffix("\n"))
    prefix = root.resolve().relative_to(toplevel.resolve()).as_posix()
    spec = old_path if prefix == "." else f"{prefix}/{old_path}"
    default = PurePosixPath(old_path).relative_to(CONTENT_DIR).with_suffix("").as_posix()
    try:
        text = _git(root, "show", f"{ref}:{spec}")
    except UsageError:
        return default
    split = split_front_matter(text, old_path)
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
    found: Found
    if ref is not None:
        found, removed = changes(project, ref)
    else:
        found, removed = {p.file: ("all", None, []) for p in project.posts}, []
    by_file = {p.file: p for p in project.posts}
    states, ledger, read = _ledger(project)
    posts = []
    for path in sorted(found):
        post = by_file.get(path)
        change, old_path, via = found[path]
        findings = [f for f in project.findings if f.file == path]
        if post is None:  # a file that does not load: only its findings
            posts.append(PostPreview(path, None, change, [], findings, via=via))
            continue
        findings += check_post(project, post)
        preview = PostPreview(path, post, change, build_variants(project, post), findings, via=via)
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


def _priced(variant: Variant) -> dict[str, Any]:
    """The variant as JSON, with ``price`` (US dollars as a decimal string, or None
    where the network does not charge per post)."""
    price = item_price(variant)
    return {**variant.as_dict(), "price": decimal_text(price) if price is not None else None}


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
                "changed_via": p.via,
                "old_id": p.old_id,
                "would_publish_again": sorted(p.again),
                "published": {
                    c: {"status": s.status, "url": s.url} for c, s in sorted(p.published.items())
                },
                "findings": [f.as_dict() for f in p.findings],
                "variants": [_priced(v) for v in p.variants],
            }
            for p in preview.posts
        ],
    }
