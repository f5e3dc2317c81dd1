"""``smmgen build``: every variant as JSON, and a static preview page.

Each post is built in one go, on every core when there are many
(:mod:`smmgen.loader.workers`): its variants, their JSON files and its pages
(:func:`write_post_page`). A worker sends back only what the whole needs: the
index entries of the post's variants and what the preview list shows of it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from smmgen.adapt.variants import SCHEMA_VERSION, Variant, build_variants
from smmgen.errors import UsageError
from smmgen.loader import workers
from smmgen.loader.posts import Post, Progress
from smmgen.loading import load_project
from smmgen.project import Project
from smmgen.report.isolation import isolated_html
from smmgen.text.direction import direction

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
    """What building one post sends back: where it goes in the preview's order,
    the index entries of its variants, and its section of the preview list."""

    order: tuple[bool, str, str]
    entries: list[dict[str, Any]]
    page: str


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


def build_post(target: Path, project: Project, post: Post) -> Built:
    """Build one post: its variants as JSON below ``target``, and its pages."""
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
    page = write_post_page(target, project, post, variants)
    return Built(_order(post), entries, page)


def write_post_page(target: Path, project: Project, post: Post, variants: list[Variant]) -> str:
    """The pages of one post, written below ``target`` in the worker that built its
    variants; returns what the page of every post (``index.html``, written at the
    end by :func:`write_index`) shows of it: for now the post's section of the
    preview, and no page of its own."""
    default = project.config.defaults.language
    return (
        _environment()
        .get_template("preview_post.html")
        .render(
            post=post,
            variants=variants,
            media_base=_media_base(target, project.root),
            post_language=lambda post: post.front.language or default,
        )
    )


def write_index(target: Path, project: Project, built: list[Built]) -> None:
    """The page of every post, from what :func:`write_post_page` returned, in the
    order they go out (unscheduled last)."""
    ordered = sorted(built, key=lambda each: each.order)
    page = (
        _environment()
        .get_template("preview.html")
        .render(posts=len(ordered), sections=[Markup(each.page) for each in ordered])
    )
    (target / "index.html").write_text(page, encoding="utf-8")


@dataclass(frozen=True)
class _Setup:
    """What a worker needs: the loaded project (a forked worker has it already) and
    where to write."""

    project: Project
    target: Path


def _building(setup: _Setup) -> Callable[[int], Built]:
    """The per-post work of a build, for :func:`smmgen.loader.workers.each_file`: a
    post by its place in ``project.posts``."""
    project, target = setup.project, setup.target

    def work(index: int) -> Built:
        return build_post(target, project, project.posts[index])

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
    if len(places) >= workers.PARALLEL_FROM:
        from smmgen.text import warm_up

        warm_up()  # compile the big patterns and the templates once, before workers fork
        _environment().get_template("preview_post.html")
        _environment().get_template("preview.html")
    built = workers.each_file(_building, _Setup(project, target), places, progress)
    index = [entry for each in built for entry in each.entries]
    _write_json(target / "variants.json", {"schema_version": SCHEMA_VERSION, "variants": index})
    write_index(target, project, built)
    return BuildResult(
        out=target,
        posts=len(built),
        variants=len(index),
        with_errors=sum(1 for entry in index if entry["errors"]),
        unloaded=sorted(
            {f.file for f in project.findings if f.is_error and f.file and f.file.endswith(".md")}
        ),
    )


def _order(post: Post) -> tuple[bool, str, str]:
    when = post.publish_at
    return (when is None, when.astimezone(UTC).isoformat() if when else "", post.id)


def lang_dir(language: str | None) -> Markup:
    """The ``lang`` and ``dir`` attributes of an element holding text in ``language``:
    ``dir="auto"`` (and no ``lang``) when it is not known."""
    if not language:
        return Markup(' dir="auto"')
    return Markup(' lang="{}" dir="{}"').format(language, direction(language))


@cache
def _media_base(target: Path, root: Path) -> str:
    return os.path.relpath(root, target).replace(os.sep, "/")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("smmgen", "report/templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["lang_dir"] = lang_dir
    env.filters["isolated"] = lambda text, is_html=False: isolated_html(text, is_html=is_html)
    return env
