"""``smmgen build``: the preview as a static site, and every variant as JSON.

Each post is built in one go, on every core when there are many
(:mod:`smmgen.loader.workers`): its variants, their JSON files and its page
(:func:`write_post_page`). A worker sends back only what the whole needs: the
index entries of the post's variants and how many findings each channel has,
for the list and the calendar, which are written last
(:mod:`smmgen.site.static`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smmgen.adapt.variants import SCHEMA_VERSION, Variant, build_variants
from smmgen.errors import UsageError
from smmgen.loader import workers
from smmgen.loader.posts import Post, Progress
from smmgen.loading import load_project
from smmgen.project import Project
from smmgen.site import static
from smmgen.site.pages import Pages
from smmgen.site.state import Counts, SiteState

DEFAULT_OUT = "_site"


@dataclass
class BuildResult:
    out: Path
    posts: int
    variants: int
    with_errors: int
    unloaded: list[str]  # post files that could not be loaded, so have no variants


@dataclass
class Built:
    """What building one post sends back: the index entries of its variants, and
    the errors and warnings of each channel (for the list and the calendar)."""

    file: str
    entries: list[dict[str, Any]]
    counts: Counts


def _json(data: object) -> str:
    # On one line: the C encoder writes it (indent=2 is Python's, ten times slower).
    return json.dumps(data, ensure_ascii=False) + "\n"


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_json(data), encoding="utf-8")


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _write_bytes(path: Path, data: bytes) -> None:
    """Write a file with one system call (or a few): half the time of ``open``'s
    text file, which counts when a build writes tens of thousands."""
    fd = os.open(path, _CREATE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def build_post(target: Path, pages: Pages, post: Post) -> Built:
    """Build one post: its variants as JSON below ``target``, and its page."""
    project = pages.state.project
    variants = build_variants(project, post)
    folder = target / "variants" / post.id
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for variant in variants:
        relative = f"variants/{post.id}/{variant.channel}.json"
        data = variant.as_dict()
        _write_bytes(folder / f"{variant.channel}.json", _json(data).encode())
        entries.append(
            {
                "post": post.id,
                "channel": variant.channel,
                "publish_at": data["publish_at_utc"],
                "length": variant.length,
                "limit": variant.limit,
                "parts": len(variant.parts),
                "errors": sum(1 for f in variant.findings if f.is_error),
                "path": relative,
            }
        )
    write_post_page(target, pages, post, variants)
    return Built(post.file, entries, pages.state.counts(post.file))


def write_post_page(target: Path, pages: Pages, post: Post, variants: list[Variant]) -> None:
    """The page of one post, written below ``target`` in the worker that built its
    variants (:func:`smmgen.site.static.write_post`)."""
    static.write_post(target, pages, post, variants)


@dataclass(frozen=True)
class _Setup:
    """What a worker needs: the loaded project (a forked worker has it already) and
    where to write."""

    project: Project
    target: Path


def _pages(project: Project) -> Pages:
    return Pages(SiteState(project.root, project=project, ledger=False, frozen=True))


def _building(setup: _Setup) -> Callable[[int], Built]:
    """The per-post work of a build, for :func:`smmgen.loader.workers.each_file`: a
    post by its place in ``project.posts``."""
    project, target = setup.project, setup.target
    pages = _pages(project)

    def work(index: int) -> Built:
        return build_post(target, pages, project.posts[index])

    return work


def build(
    root: Path | None, out: Path | None = None, progress: Progress | None = None
) -> BuildResult:
    project = load_project(root, strict=True)
    target = (out or project.root / DEFAULT_OUT).resolve()
    if target == project.root or project.root.is_relative_to(target):
        raise UsageError(f"--out {target} would overwrite the project; choose an empty directory")
    (target / "variants").mkdir(parents=True, exist_ok=True)
    places = list(range(len(project.posts)))
    pages = _pages(project)
    if len(places) >= workers.PARALLEL_FROM:
        from smmgen.text import warm_up

        warm_up()  # compile the big patterns and the templates once, before workers fork
        pages.warm_up()
    built = workers.each_file(_building, _Setup(project, target), places, progress)
    index = [entry for each in built for entry in each.entries]
    _write_json(target / "variants.json", {"schema_version": SCHEMA_VERSION, "variants": index})
    for each in built:
        pages.state.take_counts(each.file, each.counts)
    static.write_overview(target, pages)
    static.write_assets(target)
    static.copy_media(target, pages.state)
    return BuildResult(
        out=target,
        posts=len(built),
        variants=len(index),
        with_errors=sum(1 for entry in index if entry["errors"]),
        unloaded=sorted(
            {f.file for f in project.findings if f.is_error and f.file and f.file.endswith(".md")}
        ),
    )
