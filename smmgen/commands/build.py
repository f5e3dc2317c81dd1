"""``smmgen build``: the preview as a static site, and every variant as JSON.

Each post is built in one go, on every core when there are many
(:mod:`smmgen.loader.workers`): its variants, their JSON files and its page
(:func:`write_post_page`). A worker sends back only what the whole needs: the
index entries of the post's variants and how many findings each channel has,
for the list and the calendar, which are written last
(:mod:`smmgen.site.static`).

A post whose files are still as the last build wrote them, from the same
post file, media, configuration and status, is not built again
(:mod:`smmgen.site.buildcache`); nor are the list and the calendar, when no
post and not the day changed. ``--no-cache`` builds everything.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smmgen.adapt.variants import SCHEMA_VERSION, Variant, build_variants
from smmgen.check.cache import signature
from smmgen.errors import UsageError
from smmgen.findings import Finding
from smmgen.loader import workers
from smmgen.loader.config import load_config
from smmgen.loader.files import post_names
from smmgen.loader.posts import Post, Progress
from smmgen.loading import load_project
from smmgen.models.timing import Calendar
from smmgen.project import Project, find_root, require_config, require_project
from smmgen.site import buildcache, static
from smmgen.site.buildcache import BuildCache, Written
from smmgen.site.listed import listed
from smmgen.site.pages import Pages
from smmgen.site.state import Counts, SiteState
from smmgen.times import reference_time

DEFAULT_OUT = "_site"
INDEX = "variants.json"


@dataclass
class BuildResult:
    out: Path
    posts: int
    variants: int
    with_errors: int
    unloaded: list[str]  # post files that could not be loaded, so have no variants
    reused: int = 0  # posts whose files were kept from the last build
    removed: int = 0  # files of the last build that no post has any more


@dataclass
class Built:
    """What building one post sends back: the index entries of its variants, the
    errors and warnings of each channel (for the list and the calendar), and the
    files written with their signatures (for the cache)."""

    file: str
    entries: list[dict[str, Any]]
    counts: Counts
    outputs: list[str]  # below the output folder


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
    outputs: list[str] = []
    for variant in variants:
        relative = buildcache.variant_file(post.id, variant.channel)
        data = variant.as_dict()
        _write_bytes(folder / f"{variant.channel}.json", _json(data).encode())
        outputs.append(relative)
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
    outputs.append(write_post_page(target, pages, post, variants))
    return Built(post.file, entries, pages.state.counts(post.file), outputs)


def write_post_page(target: Path, pages: Pages, post: Post, variants: list[Variant]) -> str:
    """The page of one post, written below ``target`` in the worker that built its
    variants (:func:`smmgen.site.static.write_post`); its path below ``target``."""
    return static.write_post(target, pages, post, variants)


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
    root: Path | None,
    out: Path | None = None,
    progress: Progress | None = None,
    *,
    use_cache: bool = True,
) -> BuildResult:
    base = require_project(root) if root is not None else find_root()
    config = load_config(base)
    require_config(config)
    calendar = Calendar(config.calendar)
    now = reference_time(None, calendar.tz)  # a time out of range fails before anything is written
    target = (out or base / DEFAULT_OUT).resolve()
    if target == base or base.is_relative_to(target):
        raise UsageError(f"--out {target} would overwrite the project; choose an empty directory")
    (target / "variants").mkdir(parents=True, exist_ok=True)
    # each post file's signature before it is read: a change while the build runs
    # is seen by the next one
    unlisted: list[Finding] = []  # files that are not loaded (links out of the project)
    names = list(post_names(base, unlisted))
    before = {name: buildcache.mark(os.path.join(base, name)) for name in names}
    cache = BuildCache.open(base, target, buildcache.key(base, config, target))
    if not use_cache:
        cache.valid = False  # built afresh, and recorded for the next build (what the
        # last one recorded is still removed when no post has it)
    judge = Project(root=base, config=config, posts=[], now=now)

    # what is still as the last build wrote it, at this time
    kept: dict[str, Written] = {}
    for name in names:
        held = cache.holds(name, before.get(name))
        if held is None:
            continue
        if held.expires is not None and now.timestamp() >= held.expires:
            counts = buildcache.counts_from(held.counts)
            statuses = buildcache.statuses_key(judge, held.listed, now, counts, calendar)
            if statuses != held.statuses:
                continue  # its page shows another status now
            held.expires, held.raw = buildcache.expiry(held.listed, now), None
        if held.signature != before.get(name):  # the same content, known by its digest:
            held.signature, held.raw = before.get(name), None  # by its signature from now on
        kept[name] = held
    project = None
    if not unlisted:
        project = _load(base, [n for n in names if n not in kept], kept, cache)
    if project is None:  # loaded whole (see _load)
        project = load_project(base, strict=True)
    project.now = now
    state = SiteState(base, project=project, ledger=False, frozen=True)
    shown = buildcache.shown_key(state.broken())
    if shown != cache.shown:  # every page lists the files that cannot be loaded
        kept = {}
    pages = Pages(state)
    people = set(project.people)
    places, facts = [], {}
    for place, post in enumerate(project.posts):
        if post.file not in kept:
            places.append(place)
            facts[place] = listed(post, people)
    if len(places) >= workers.PARALLEL_FROM:
        from smmgen.text import warm_up

        warm_up()  # compile the big patterns and the templates once, before workers fork
        pages.warm_up()
    media = {i: buildcache.dependencies(project, project.posts[i], facts[i]) for i in places}
    built = workers.each_file(_building, _Setup(project, target), places, progress)
    written = dict(kept)
    for place, done in zip(places, built, strict=True):
        post, fact = project.posts[place], facts[place]
        written[post.file] = Written(
            listed=fact,
            signature=before.get(post.file),
            media=media[place],
            statuses=buildcache.statuses_key(project, fact, now, done.counts, calendar),
            expires=buildcache.expiry(fact, now),
            entries=done.entries,
            counts=buildcache.counts_json(done.counts),
            outputs=buildcache.outputs_key(target, done.outputs),
        )
    # in the order of the post files, as a build without the cache writes them
    ordered = {name: written[name] for name in names if name in written}
    state.given_listed = [each.listed for each in ordered.values()]
    for file, each in ordered.items():
        state.take_counts(file, buildcache.counts_from(each.counts))
    copied = static.copy_media(target, state)
    removed = cache.remove_stale(ordered, copied)
    slots = config.calendar.slots or {}
    overview = buildcache.overview_key(ordered, shown, now, calendar, slots)
    index = [entry for each in ordered.values() for entry in each.entries]
    if cache.overview_holds(overview) and not removed:
        overview_outputs = cache.overview_outputs
    else:
        listing = {"schema_version": SCHEMA_VERSION, "variants": index}
        _write_json(target / INDEX, listing)
        # calendar pages still as written, when every page shows the same broken files
        previous = {n: k for n, k in cache.pages().items() if k} if shown == cache.shown else {}
        keys = {INDEX: None, **static.write_overview(target, pages, previous)}
        overview_outputs = {name: (signature(target / name), key) for name, key in keys.items()}
        for name in cache.overview_outputs.keys() - keys.keys():  # a month or week now empty
            with contextlib.suppress(OSError):
                (target / name).unlink()
                removed += 1
    static.write_assets(target)
    if places or removed or overview_outputs is not cache.overview_outputs:
        cache.save(ordered, shown, overview, overview_outputs, copied)
    return BuildResult(
        out=target,
        posts=len(ordered),
        variants=len(index),
        with_errors=sum(1 for entry in index if entry["errors"]),
        unloaded=sorted(state.broken()),
        reused=len(kept),
        removed=removed,
    )


def _load(
    root: Path, files: list[str], kept: dict[str, Written], cache: BuildCache
) -> Project | None:
    """The project with only ``files`` loaded (the others are kept from the cache),
    or None when the whole project must be loaded: the cache is not valid, the last
    build had a post file that could not be loaded, or one of ``files`` cannot be
    loaded or has another post's id (what a whole load reports)."""
    if not cache.valid or cache.shown != buildcache.NOTHING_BROKEN:
        return None
    project = load_project(root, strict=True, names=files)
    ids = {each.post for each in kept.values()}
    broken = any(f.is_error and (f.file or "").endswith(".md") for f in project.findings)
    if broken or any(post.id in ids for post in project.posts):
        return None
    return project
