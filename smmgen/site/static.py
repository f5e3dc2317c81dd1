"""The pages as a static site (``smmgen build``): the same pages the server
shows, without the live script, with the media they show copied beside them,
so the folder works wherever it is put (GitHub Pages, a pull request's
artifact, a folder opened from disk). Every link is relative, and the calendar
links only to the months and weeks that are written."""

from __future__ import annotations

import shutil
from datetime import date
from importlib import resources
from pathlib import Path

from smmgen.adapt.variants import Variant
from smmgen.loader.posts import Post
from smmgen.site import agenda, paths
from smmgen.site.pages import Pages
from smmgen.site.state import SiteState

ASSETS = ("site.css", "site.js")


def _write(target: Path, page: str, text: str) -> None:
    path = target / page
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_assets(target: Path) -> None:
    folder = target / paths.ASSETS
    folder.mkdir(parents=True, exist_ok=True)
    source = resources.files("smmgen.site").joinpath("assets")
    for name in ASSETS:
        (folder / name).write_bytes(source.joinpath(name).read_bytes())


def copy_media(target: Path, state: SiteState) -> int:
    """Copy every media file a page shows (posts' media, avatars) into the site."""
    root = state.root
    wanted = {m.path for p in state.project.posts for m in p.front.media or []}
    wanted |= {
        str(avatar)
        for c in state.project.channels.values()
        if (avatar := getattr(c, "avatar", None))
    }
    copied = 0
    for name in sorted(wanted):
        source = (root / name).resolve()
        if not source.is_relative_to(root.resolve()) or not source.is_file():
            continue  # check reports it; the page shows the missing picture's alt text
        destination = target / paths.media_path(name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        copied += 1
    return copied


def write_post(target: Path, pages: Pages, post: Post, variants: list[Variant]) -> None:
    pages.state.take_variants(post, variants)
    _write(target, paths.post_page(post.id), pages.post_page(post))
    pages.state.forget_variants(post)  # a build holds one post's at a time


def write_overview(target: Path, pages: Pages) -> int:
    """The list and the calendar: the month and the week of today, and of every
    post's time (so a post far in the future adds its month and week, not every
    month up to it); how many pages."""
    found = agenda.agenda(pages.state)
    today = found.today
    days = [*found.by_day, today]
    months = sorted({(d.year, d.month) for d in days})
    weeks = sorted({paths.week_start(d) for d in days})
    # a month's page links to a week of it: the week of its first day too
    weeks = sorted({*weeks, *(paths.week_start(date(y, m, 1)) for y, m in months)})
    pages.months, pages.weeks = months, weeks
    _write(target, paths.LIST, pages.post_list())
    _write(target, paths.CALENDAR, pages.month_page(found, today.year, today.month))
    for year, number in months:
        _write(target, paths.month_page(year, number), pages.month_page(found, year, number))
    for start in weeks:
        _write(target, paths.week_page(start), pages.week_page(found, start))
    return 2 + len(months) + len(weeks)
