"""The pages as a static site (``smmgen build``): the same pages the server
shows, without the live script, with the media they show copied beside them,
so the folder works wherever it is put (GitHub Pages, a pull request's
artifact, a folder opened from disk). Every link is relative, and the calendar
links only to the months and weeks that are written."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from smmgen.adapt.variants import Variant
from smmgen.loader.posts import Post
from smmgen.site import agenda, paths
from smmgen.site.pages import Pages
from smmgen.site.state import SiteState

ASSETS = ("site.css", "site.js")


def _write(target: Path, page: str, text: str) -> str:
    path = target / page
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return page


def write_assets(target: Path) -> None:
    folder = target / paths.ASSETS
    folder.mkdir(parents=True, exist_ok=True)
    source = resources.files("smmgen.site").joinpath("assets")
    for name in ASSETS:
        (folder / name).write_bytes(source.joinpath(name).read_bytes())


def copy_media(target: Path, state: SiteState) -> list[str]:
    """Copy every media file a page shows (posts' media, avatars) into the site;
    their paths below ``target``."""
    root = state.root
    wanted = {path for p in state.listed() for path in p.media}
    wanted |= {
        str(avatar)
        for c in state.project.channels.values()
        if (avatar := getattr(c, "avatar", None))
    }
    copied = []
    for name in sorted(wanted):
        source = (root / name).resolve()
        if not source.is_relative_to(root.resolve()) or not source.is_file():
            continue  # check reports it; the page shows the missing picture's alt text
        destination = paths.media_path(name)
        (target / destination).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target / destination)
        copied.append(destination)
    return copied


def write_post(target: Path, pages: Pages, post: Post, variants: list[Variant]) -> str:
    """Write the page of ``post``; its path below ``target``."""
    pages.state.take_variants(post, variants)
    page = _write(target, paths.post_page(post.id), pages.post_page(post))
    pages.state.forget_variants(post)  # a build holds one post's at a time
    return page


def write_overview(
    target: Path, pages: Pages, previous: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """The list and the calendar: the month and the week of today, and of every
    post's time (so a post far in the future adds its month and week, not every
    month up to it). Returns each page's path below ``target`` with its content
    key (:meth:`Pages.context_key`; None for the list, written every time); a
    calendar page whose key is in ``previous`` (the pages as a previous build left
    them, still unchanged) is not rendered again."""
    found = agenda.agenda(pages.state)
    today = found.today
    days = [*found.by_day, today]
    months = sorted({(d.year, d.month) for d in days})
    weeks = sorted({paths.week_start(d) for d in days})
    # a month's page links to a week of it: the week of its first day too
    weeks = sorted({*weeks, *(paths.week_start(date(y, m, 1)) for y, m in months)})
    pages.months, pages.weeks = months, weeks
    written: dict[str, str | None] = {_write(target, paths.LIST, pages.post_list()): None}
    known = previous or {}

    def calendar(path: str, page: str, context: dict[str, Any]) -> None:
        key = pages.context_key(path, context)
        if known.get(path) != key:
            _write(target, path, pages.render_calendar(page, context))
        written[path] = key

    calendar(paths.CALENDAR, *pages.month_context(found, today.year, today.month))
    for year, number in months:
        calendar(paths.month_page(year, number), *pages.month_context(found, year, number))
    for start in weeks:
        calendar(paths.week_page(start), *pages.week_context(found, start))
    return written
