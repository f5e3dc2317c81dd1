"""`smmgen serve` in Debian's chromium, on a copy of the example project: the post
list and its filters, each post's cards against `smmgen show --format json`, live
updates on a save (and on a broken file, and its fix), the calendar, right to left,
the static site from `build` served from another folder, screenshots in light and
dark, and an axe-core scan of each page.

No page may request anything but 127.0.0.1 (conftest.py's guard fails the test)."""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from click.testing import Result
from playwright.sync_api import Page

from smmgen.commands.serve import Serving
from smmgen.site import paths
from tests.conftest import REPO, TODAY
from tests.servers.linkedin import little_text
from tests.site.conftest import LOCAL, TIMEOUT, OpenPage, Scheme, serving

Run = Callable[..., Result]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

LAUNCH = "2026-12-01-lumen-v2-launch"
THREAD = "2026-12-10-how-v2-queries-got-faster"
HEBREW = "2027-01-24-lumen-2-0-he"
PERSIAN = "2027-01-26-lumen-2-0-fa"
HOLIDAY = "2026-12-22-thank-you-2026"
BLACKOUT = "2026-12-24"  # calendar.yaml: Holidays, 24 to 26 December
_URL = re.compile(r"(https?://\S+)")


def cli_json(run: Run, root: Path, *args: str) -> Any:
    done = run("--root", root, *args, "--format", "json")
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def date_of(day: str) -> date:
    return date.fromisoformat(day)


def post_url(served: Serving, post: str) -> str:
    return served.url + paths.post_page(post)


def same_text(shown: str, sent: str) -> bool:
    """Whether a card's text is the text that will be sent, allowing a link shown
    shortened as the network shows it: a prefix of the URL without its scheme,
    then an ellipsis."""
    pieces = _URL.split(sent)
    at = 0
    for index, piece in enumerate(pieces):
        if index % 2 == 0 or shown.startswith(piece, at):
            if not shown.startswith(piece, at):
                return False
            at += len(piece)
            continue
        short = re.compile(r"(\S+?)(?:\.\.\.|…)").match(shown, at)
        bare = re.sub(r"^https?://", "", piece)
        if short is None or not bare.startswith(short[1]):
            return False
        at = short.end()
    return at == len(shown)


# -- 1. the post list --------------------------------------------------------------


def visible_rows(page: Page) -> set[str]:
    return set(
        page.eval_on_selector_all(
            "tr[data-post]", "rows => rows.filter(r => !r.hidden).map(r => r.dataset.post)"
        )
    )


def edit(root: Path, post: str, old: str, new: str) -> Path:
    (file,) = (root / "content").rglob(f"{post}.md")
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file


def test_the_list_filters_by_channel_and_status_as_the_project_says(
    open_page: OpenPage, run: Run, example: Path, tmp_path: Path
) -> None:
    # one post moved into the blackout, so that one is blocked
    edit(example, HOLIDAY, "publish_at: 2026-12-22 15:00", "publish_at: 2026-12-24 15:00")
    with serving(example) as served:
        check_filters(served, open_page, run, example, tmp_path)


def check_filters(
    served: Serving, open_page: OpenPage, run: Run, example: Path, tmp_path: Path
) -> None:
    built = run("--root", example, "build", "--out", tmp_path / "built")
    assert built.exit_code == 0, built.output
    index = json.loads((tmp_path / "built" / "variants.json").read_text())["variants"]
    plan = cli_json(run, example, "plan", "--from", "2000-01-01", "--at", TODAY)["items"]
    every = {v["post"] for v in index}

    page, _ = open_page(served.url)
    assert visible_rows(page) == every
    form = page.locator("form[data-filters]")

    def choose(**wanted: str) -> set[str]:
        for name in ("channel", "campaign", "person", "status"):
            form.locator(f"select[name={name}]").select_option(wanted.get(name, ""))
        shown = visible_rows(page)
        count = page.locator("[data-count]").inner_text()
        assert count == f"{len(shown)} of {len(every)} posts", count
        return shown

    on_linkedin = {v["post"] for v in index if v["channel"] == "linkedin"}
    assert 0 < len(on_linkedin) < len(every)
    assert choose(channel="linkedin") == on_linkedin

    for channel, status in (
        ("x", "scheduled"),
        ("bluesky", "blocked"),
        ("", "draft"),
        ("linkedin", "scheduled"),
    ):
        expected = {
            i["post"]
            for i in plan
            if i["status"] == status and (not channel or i["channel"] == channel)
        }
        assert expected, (channel, status)
        assert choose(channel=channel, status=status) == expected, (channel, status)
        # each shown row says so on its chip
        for post in expected:
            chips = page.locator(f'tr[data-post="{post}"] li.chip[data-status="{status}"]')
            assert chips.count() >= 1, post

    # the filter is kept in the address, so a reload shows the same rows
    page.reload()
    assert visible_rows(page) == expected
    assert choose() == every


# -- 2. each post's cards ----------------------------------------------------------

# A part's text as shown: the text of [data-text] (HTML for html cards), with
# LinkedIn's {hashtag|\#|tag} as the #tag it shows.
CARD_PARTS = """
card => [...card.querySelectorAll("li.part")].map(part => {
  const text = part.querySelector("[data-text]");
  const counter = part.querySelector("[data-counter]");
  const limit = counter.querySelector("[data-limit]");
  return {
    text: text.classList.contains("html") ? text.innerHTML : text.textContent,
    hrefs: [...text.querySelectorAll("a[href]")].map(a => a.href),
    length: Number(counter.querySelector("[data-length]").textContent),
    limit: limit ? Number(limit.textContent) : null,
    over: counter.classList.contains("over"),
  };
})
"""


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


@pytest.mark.parametrize("post", [LAUNCH, THREAD, HEBREW])
def test_each_card_shows_the_text_and_counter_of_show_json(
    post: str, served: Serving, open_page: OpenPage, run: Run, example: Path
) -> None:
    shown = cli_json(run, example, "show", post)
    page, _ = open_page(post_url(served, post))
    cards = page.locator("article.card[data-channel]")
    assert cards.count() == len(shown["variants"])
    for variant in shown["variants"]:
        card = page.locator(f'article.card[data-channel="{variant["channel"]}"]')
        assert card.get_attribute("data-network") == variant["network"]
        parts = card.evaluate(CARD_PARTS)
        assert len(parts) == len(variant["parts"]), variant["channel"]
        for number, (seen, sent) in enumerate(zip(parts, variant["parts"], strict=True), 1):
            where = f"{post} {variant['channel']} part {number}"
            text, expected = seen["text"], sent["text"]
            if variant["format"] == "html":  # the markup may differ, the text may not
                text, expected = text_of(text), text_of(expected)
            if variant["network"] == "linkedin":
                # what a reader sees of LinkedIn's little text, read by the
                # LinkedIn test server's own parser (escapes, mentions, tags)
                expected, cut = little_text(expected)
                assert cut is None, f"{where}: LinkedIn would cut it at {cut}"
            assert same_text(text, expected), f"{where}:\n{text!r}\n!=\n{expected!r}"
            for url in _URL.findall(expected):  # a shortened link still leads to the URL
                if url not in text and seen["hrefs"]:
                    assert url in seen["hrefs"], where
            assert seen["length"] == sent["length"], where
            assert seen["limit"] == sent["limit"], where
            assert seen["over"] == bool(sent["limit"] and sent["length"] > sent["limit"]), where
        if variant["network"] == "x":
            assert card.locator("[data-price]").inner_text().startswith("Costs $")


def test_a_part_past_the_limit_has_a_red_counter(
    open_page: OpenPage, run: Run, example: Path
) -> None:
    edit(example, LAUNCH, "Lumen v2 is here!", "Lumen v2 is here! " + "Very long. " * 60)
    shown = cli_json(run, example, "show", LAUNCH)
    with serving(example) as served:
        page, _ = open_page(post_url(served, LAUNCH))
        check_red(page, shown)


def check_red(page: Page, shown: Any) -> None:
    over = [v for v in shown["variants"] if v["parts"][0]["length"] > (v["limit"] or 10**9)]
    assert over
    for variant in over:
        counter = page.locator(f'article.card[data-channel="{variant["channel"]}"] [data-counter]')
        assert "over" in (counter.first.get_attribute("class") or "")
        red, green, blue = map(
            int,
            re.findall(r"\d+", counter.first.evaluate("e => getComputedStyle(e).color"))[:3],
        )
        assert red > 150, (red, green, blue)
        assert red > 2 * max(green, blue), (red, green, blue)


# -- 3 and 4. live updates ---------------------------------------------------------


def wait_for_update(page: Page, version: int) -> None:
    page.wait_for_function(
        "v => Number(document.body.dataset.version) > v", arg=version, timeout=TIMEOUT
    )


def mark(page: Page) -> int:
    """Mark the window (a reload would lose the mark); the page's version."""
    page.evaluate(
        """() => {
          window.__smmgenMark = "kept";
          window.__smmgenUpdates = 0;
          document.addEventListener("smmgen:updated", () => { window.__smmgenUpdates += 1; });
        }"""
    )
    return int(page.locator("body").get_attribute("data-version") or 0)


def not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__smmgenMark") == "kept", "the page was reloaded"
    assert page.evaluate("window.__smmgenUpdates") >= 1, "no smmgen:updated event"


def live_page(open_page: OpenPage, url: str) -> Page:
    page, _ = open_page(url)
    assert page.locator("body").get_attribute("data-live")
    page.wait_for_function(
        "document.querySelector('[data-live-status]').textContent === 'live'", timeout=TIMEOUT
    )
    return page


def test_a_saved_edit_updates_the_card_without_a_reload(
    served: Serving, open_page: OpenPage, example: Path
) -> None:
    file = example / "content" / "2026" / "12" / f"{LAUNCH}.md"
    page = live_page(open_page, post_url(served, LAUNCH))
    times = []
    for word in ("Zwölf", "Łódź", "שלום"):
        version = mark(page)
        text = file.read_text(encoding="utf-8")
        saved = time.monotonic()
        file.write_text(text.replace("Lumen v2 is here!", f"Lumen v2 is here! {word}", 1))
        page.wait_for_function(
            "w => document.querySelector('article.card[data-channel=mastodon] [data-text]')"
            ".textContent.includes(w)",
            arg=word,
            timeout=TIMEOUT,
        )
        times.append(time.monotonic() - saved)
        wait_for_update(page, version)
        not_reloaded(page)
        assert page.locator("main[data-page]").get_attribute("data-page") == paths.post_page(LAUNCH)
    print(f"save to update (20 posts): {', '.join(f'{t * 1000:.0f} ms' for t in times)}")


def test_a_broken_front_matter_shows_file_and_line_and_recovers(
    served: Serving, open_page: OpenPage, example: Path
) -> None:
    relative = f"content/2026/12/{LAUNCH}.md"
    file = example / relative
    good = file.read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    title = next(n for n, line in enumerate(lines) if line.startswith("title:"))
    lines[title] = "title: Lumen v2: launch\n"  # invalid YAML: a second ': ' unquoted
    page = live_page(open_page, post_url(served, LAUNCH))

    version = mark(page)
    file.write_text("".join(lines), encoding="utf-8")
    wait_for_update(page, version)
    not_reloaded(page)
    where = page.locator("li.finding code.where").filter(has_text=relative)
    where.first.wait_for(timeout=TIMEOUT)
    found = re.fullmatch(rf"{re.escape(relative)}:(\d+)(?: \S+)?", where.first.inner_text())
    assert found, where.first.inner_text()
    assert int(found[1]) == title + 1, (found[1], title + 1)
    assert page.locator("article.card").count() == 0

    # the list and the calendar say so too, and the server still answers
    other, _ = open_page(served.url)
    assert other.locator("code.where").filter(has_text=relative).count() >= 1

    version = mark(page)
    file.write_text(good, encoding="utf-8")
    wait_for_update(page, version)
    not_reloaded(page)
    page.locator("article.card[data-channel=mastodon]").wait_for(timeout=TIMEOUT)
    assert page.locator("code.where").filter(has_text=relative).count() == 0
    assert page.locator("h1").inner_text() == "Lumen v2 launch announcement"


# -- 5. the calendar ---------------------------------------------------------------


def test_the_calendar_shows_the_post_on_its_day_and_the_blackout(
    served: Serving, open_page: OpenPage, run: Run, example: Path
) -> None:
    shown = cli_json(run, example, "show", LAUNCH)
    day = shown["variants"][0]["publish_at"][:10]
    page, _ = open_page(served.url + paths.CALENDAR)
    # from the month of --at (November) to December by the page's own link
    page.locator("a[rel=next]").click()
    page.wait_for_url(f"**/{paths.month_page(2026, 12)}")
    entry = page.locator(f'li.day[data-date="{day}"] li.entry[data-post="{LAUNCH}"]')
    assert entry.count() >= 1  # once per time of day it goes out
    blackout = page.locator(f'li.day[data-date="{BLACKOUT}"]')
    assert "blackout" in (blackout.get_attribute("class") or "").split()
    assert "Holidays" in blackout.locator("[data-blackout]").inner_text()
    assert "blackout" not in (
        page.locator(f'li.day[data-date="{day}"]').get_attribute("class") or ""
    )
    # the week view has it too; selecting the entry opens its post
    week, _ = open_page(served.url + paths.week_page(date_of(day)))
    week.locator(f'li.entry[data-post="{LAUNCH}"] a').first.click()
    week.wait_for_url(f"**/{paths.post_page(LAUNCH)}")
    assert week.locator("main").get_attribute("data-page") == paths.post_page(LAUNCH)


# -- 6. right to left --------------------------------------------------------------

DIRECTION = "e => getComputedStyle(e).direction"


@pytest.mark.parametrize("post", [HEBREW, PERSIAN])
def test_a_right_to_left_post_is_right_to_left_in_card_list_and_calendar(
    post: str, served: Serving, open_page: OpenPage, run: Run, example: Path
) -> None:
    shown = cli_json(run, example, "show", post)
    page, _ = open_page(post_url(served, post))
    texts = page.locator("article.card [data-text]")
    assert texts.count() >= len(shown["variants"])
    for index in range(texts.count()):
        assert texts.nth(index).evaluate(DIRECTION) == "rtl", index
    assert page.locator("h1").evaluate(DIRECTION) == "rtl"
    # the page's own chrome stays left to right
    assert page.locator("header.top nav").evaluate(DIRECTION) == "ltr"

    page.goto(served.url)
    row = page.locator(f'tr[data-post="{post}"]')
    assert row.locator("td.what a").evaluate(DIRECTION) == "rtl"
    assert row.locator(".excerpt").evaluate(DIRECTION) == "rtl"

    day = date_of(shown["variants"][0]["publish_at"][:10])
    page.goto(served.url + paths.month_page(day.year, day.month))
    title = page.locator(f'li.entry[data-post="{post}"] .title')
    assert title.evaluate(DIRECTION) == "rtl"


# -- 7. the static site, from another folder ---------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def static_site(run: Run, example: Path, tmp_path: Path) -> Iterator[str]:
    """`smmgen build`'s site, moved away from the project and served by Python's
    http.server on 127.0.0.1: its URL."""
    built = run("--root", example, "build", "--out", tmp_path / "built")
    assert built.exit_code == 0, built.output
    elsewhere = tmp_path / "somewhere" / "else"
    shutil.copytree(tmp_path / "built", elsewhere)
    shutil.rmtree(tmp_path / "built")
    shutil.rmtree(example / "media")  # nothing may still point into the project
    handler = functools.partial(_Quiet, directory=str(elsewhere))
    server = http.server.ThreadingHTTPServer((LOCAL, 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://{LOCAL}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


LINKS = """() => [...document.querySelectorAll("a[href]")].map(a => a.href)"""
LOAD_IMAGES = """async () => {
  for (const image of document.images) {
    image.loading = "eager";
    if (!image.complete) await image.decode().catch(() => {});
  }
}"""
IMAGES = (
    """() => [...document.images].map(i => [i.currentSrc || i.src, i.complete, i.naturalWidth])"""
)


def test_the_static_site_works_from_another_folder(static_site: str, open_page: OpenPage) -> None:
    page, guard = open_page(static_site)
    seen: set[str] = set()
    queue = [static_site]
    pages = 0
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        page.goto(url, wait_until="load")
        pages += 1
        page.evaluate(LOAD_IMAGES)
        for src, complete, width in page.evaluate(IMAGES):
            assert complete, f"{url}: image {src} not loaded"
            assert width > 0, f"{url}: image {src} is broken"
        for link in page.evaluate(LINKS):
            target = link.split("#", 1)[0]
            if target.startswith(static_site) and target not in seen:
                queue.append(target)
    assert pages >= 1 + 20 + 1, f"only {pages} pages"  # list, posts, calendar
    for layout in ("index.html", paths.CALENDAR, paths.post_page(LAUNCH)):
        assert static_site + layout in seen, layout
    bad = [(status, url) for status, url in guard.answers if status >= 400]
    assert not bad, bad
    assert not guard.failed, guard.failed


# -- 8. screenshots ----------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_post_the_list_and_the_calendar(
    scheme: Scheme, served: Serving, open_page: OpenPage
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    backgrounds = set()
    for name, path in (
        ("post", paths.post_page(LAUNCH)),
        ("post-he", paths.post_page(HEBREW)),
        ("list", paths.LIST),
        ("calendar", paths.month_page(2026, 12)),
    ):
        page, _ = open_page(served.url + path, color_scheme=scheme)
        target = SCREENSHOTS / f"serve-{name}-{scheme}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000, target
        backgrounds.add(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    (background,) = backgrounds
    level = sum(map(int, re.findall(r"\d+", background)[:3])) / 3
    assert (level > 128) == (scheme == "light"), background


# -- 9. accessibility --------------------------------------------------------------


PAGES = [
    paths.LIST,
    paths.post_page(LAUNCH),
    paths.post_page(THREAD),
    paths.post_page(HEBREW),
    paths.CALENDAR,
    paths.month_page(2026, 12),
    paths.week_page(date_of("2026-12-01")),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(
    path: str, scheme: Scheme, served: Serving, open_page: OpenPage
) -> None:
    page, _ = open_page(served.url + path, color_scheme=scheme)
    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"
    assert results.response["passes"], "axe checked nothing"
    found = [
        f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']][:4]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not found, "\n".join(found)
