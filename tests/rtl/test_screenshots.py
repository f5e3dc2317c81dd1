"""`build`'s page in Debian's chromium: Hebrew and Persian posts laid out right to
left, with full-page screenshots saved under test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from playwright.sync_api import Browser

from tests.conftest import REPO, MakeProject
from tests.rtl.posts import rtl_project

Run = Callable[..., Result]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

# Where the text of an element lies on the page: the box of the first occurrence
# of each needle (its left, right, top), the box of the text's first line, and
# the element's content box.
MEASURE = r"""
(element, needles) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  while (walker.nextNode()) {
    nodes.push([walker.currentNode, text.length]);
    text += walker.currentNode.data;
  }
  const range = (from, to) => {
    const r = document.createRange();
    for (const [node, start] of nodes) {
      if (from >= start && from <= start + node.data.length) {
        r.setStart(node, from - start);
        break;
      }
    }
    for (const [node, start] of nodes) {
      if (to >= start && to <= start + node.data.length) {
        r.setEnd(node, to - start);
        break;
      }
    }
    return r;
  };
  const boxes = {};
  for (const needle of needles) {
    const at = text.indexOf(needle);
    if (at < 0) { boxes[needle] = null; continue; }
    const b = range(at, at + needle.length).getBoundingClientRect();
    boxes[needle] = [b.left, b.right, b.top];
  }
  const firstLine = text.split("\n", 1)[0];
  const rects = [...range(0, firstLine.length).getClientRects()];
  const top = Math.min(...rects.map((r) => r.top));
  const line = rects.filter((r) => r.top < top + 4);
  const style = getComputedStyle(element);
  const outer = element.getBoundingClientRect();
  return {
    direction: style.direction,
    lang: element.closest("[lang]").getAttribute("lang"),
    boxes,
    line: [Math.min(...line.map((r) => r.left)), Math.max(...line.map((r) => r.right))],
    content: [
      outer.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
      outer.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight),
    ],
  };
}
"""

# the first line of each post, and the words in it in logical order
FIRST_LINE = {
    "he": ("2026-12-02-he", ["🚀", "Lumen 2.0", "יוצא", "היום"]),
    "fa": ("2026-12-02-fa", ["🚀", "Lumen 2.0", "منتشر", "شد"]),
}
MENTION = {"he": "ל-", "fa": "از "}  # what stands before the mention


def _measure(browser: Browser, page_url: str, selector: str, needles: list[str]) -> list[Any]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(page_url)
        return [element.evaluate(MEASURE, needles) for element in page.query_selector_all(selector)]
    finally:
        page.close()


@pytest.mark.parametrize("language", ["he", "fa"])
def test_build_page_is_right_to_left(
    language: str, browser: Browser, make_project: MakeProject, run: Run, tmp_path: Path
) -> None:
    root = rtl_project(make_project, language)
    out = tmp_path / "site"
    assert run("--root", root, "build", "--out", out).exit_code == 0
    post, words = FIRST_LINE[language]
    url = (out / "posts" / post / "index.html").as_uri()
    before_mention = MENTION[language]
    found = _measure(browser, url, "[data-text]", [*words, before_mention, "@alice", "alice"])
    assert len(found) == 4  # mastodon, bluesky, linkedin, feed
    for part in found:
        assert part["direction"] == "rtl"
        assert part["lang"] == language
        left, right = part["line"]
        start, end = part["content"]
        # the first line ("🚀 Lumen 2.0 …!") is short: right-aligned, far from the left
        assert abs(end - right) <= 2, part
        assert left - start > 50, part
        # read right to left: the emoji rightmost, then the name, then the words
        boxes = part["boxes"]
        rights = [boxes[word][1] for word in words]
        assert rights == sorted(rights, reverse=True), part
    for part in found[:2]:  # Mastodon and Bluesky link the mention: isolated, left to right
        boxes = part["boxes"]
        mention, name, before = boxes["@alice"], boxes["alice"], boxes[before_mention]
        assert mention is not None, part
        assert mention[0] < name[0]  # "@" left of the name
        if before[2] == mention[2]:  # on one line: what comes before it stands to its right
            assert before[0] >= mention[1] - 1, part

    # the English post next to it keeps its own direction
    english_page = (out / "posts" / "2026-12-02-en" / "index.html").as_uri()
    english = _measure(browser, english_page, "[data-text]", ["Lumen"])
    assert english
    assert {part["direction"] for part in english} == {"ltr"}

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"build-{language}.png"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(url)
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.close()
    assert shot.stat().st_size > 10_000
    print(f"screenshot of build's page ({language}): {shot}")
