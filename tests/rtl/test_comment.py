"""The pull-request comment as GitHub shows it: rendered by cmark-gfm (GitHub's
renderer, with raw HTML let through as GitHub's pipeline does before sanitising),
sanitised by html-pipeline's SanitizationFilter (the open-source form of GitHub's
sanitiser, Debian's ruby-html-pipeline), then laid out by chromium.

A Hebrew or Persian variant's code block sits in ``<div dir="rtl" lang=…>``: the
sanitiser keeps both attributes on ``div``, and the ``pre`` inside inherits the
direction (CSS ``direction`` is inherited). What GitHub.com runs is not public:
html-pipeline is its published form (see the issue 14 research, section 4)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from playwright.sync_api import Browser

from smmgen.commands.preview import make_preview
from smmgen.loading import load_project
from smmgen.report.preview import as_markdown
from tests.conftest import MakeProject
from tests.prerequisites import tool
from tests.rtl.posts import rtl_project

SANITIZE = Path(__file__).with_name("github_sanitize.rb")
INSTALL = "apt-get install ruby ruby-html-pipeline ruby-sanitize"


def github_html(markdown: str) -> str:
    """``markdown`` as GitHub turns a comment into HTML: cmark-gfm, then html-pipeline's
    sanitiser."""
    rendered = cmarkgfm.github_flavored_markdown_to_html(
        markdown, options=cmarkgfm.Options.CMARK_OPT_UNSAFE
    )
    ruby = tool("ruby", INSTALL)
    done = subprocess.run(
        [ruby, str(SANITIZE)], input=rendered.encode(), capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"html-pipeline failed ({INSTALL}): {done.stderr.decode()}", pytrace=False)
    return done.stdout.decode()


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    parent: Node | None
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def ancestors(self) -> list[Node]:
        found = []
        node = self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found


class Tree(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.here = self.root
        self.nodes: list[Node] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.here)
        self.here.children.append(node)
        self.nodes.append(node)
        if tag not in ("br", "img", "hr"):
            self.here = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.here
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.here = node.parent

    def handle_data(self, data: str) -> None:
        self.here.children.append(data)


Texts = dict[str, list[tuple[str, str | None]]]


def _comment(make_project: MakeProject) -> tuple[str, Texts, dict[str, str]]:
    """The comment for the Hebrew, Persian and English posts, each post's part texts
    with their variant's language, and each post's title."""
    project = load_project(rtl_project(make_project, "he", "fa"), strict=True)
    preview = make_preview(project, None)
    texts = {
        item.id: [(part.text, v.language) for v in item.variants for part in v.parts]
        for item in preview.posts
    }
    titles = {post.id: post.front.title or "" for post in project.posts}
    return as_markdown(preview), texts, titles


def test_sanitiser_keeps_the_direction_of_rtl_variants(make_project: MakeProject) -> None:
    markdown, texts, titles = _comment(make_project)
    tree = Tree(github_html(markdown))
    blocks = {node.text(): node for node in tree.nodes if node.tag == "pre"}
    for post, parts in texts.items():
        for text, language in parts:
            pre = blocks.get(text + "\n")
            assert pre is not None, f"{post}: {text!r} is not intact in a code block"
            directed = [n for n in pre.ancestors() if "dir" in n.attrs]
            if post == "2026-12-02-en":
                assert directed == []  # as before: no direction of its own
                continue
            assert directed, f"{post}: no element gives its code block a direction"
            nearest = directed[0]
            assert (nearest.tag, nearest.attrs) == ("div", {"dir": "rtl", "lang": language})
    # each title in the headings: between Unicode isolates, which are text (kept)
    headings = [n.text().strip() for n in tree.nodes if n.tag == "h3"]
    assert sorted(headings) == [
        "2026-12-02-en · Lumen 2.0 is out",
        f"2026-12-02-fa · \u2068{titles['2026-12-02-fa']}\u2069",
        f"2026-12-02-he · \u2068{titles['2026-12-02-he']}\u2069",
    ]


def test_sanitiser_drops_bdi_so_the_comment_does_not_use_it() -> None:
    """The allow-list the tests rely on: ``bdi`` is not in it (its text is kept),
    ``dir`` and ``lang`` on ``div`` and ``p`` are."""
    kept = github_html('<div dir="rtl" lang="he"><p dir="rtl">א <bdi>@alice</bdi></p></div>')
    assert kept.strip() == '<div dir="rtl" lang="he"><p dir="rtl">א @alice</p></div>'


def test_comment_code_blocks_are_right_to_left_in_chromium(
    browser: Browser, make_project: MakeProject
) -> None:
    markdown, texts, _ = _comment(make_project)
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.set_content(f"<!doctype html><html lang='en'><body>{github_html(markdown)}</body>")
        found = page.eval_on_selector_all(
            "pre",
            """(blocks) => blocks.map((pre) => {
                const range = document.createRange();
                const text = pre.firstChild.firstChild ?? pre.firstChild;
                const first = text.data.split("\\n", 1)[0];
                range.setStart(text, 0);
                range.setEnd(text, first.length);
                const line = range.getBoundingClientRect();
                const box = pre.getBoundingClientRect();
                const style = getComputedStyle(pre);
                return {
                    text: pre.textContent,
                    direction: style.direction,
                    gapRight: box.right - parseFloat(style.paddingRight) - line.right,
                    gapLeft: line.left - box.left - parseFloat(style.paddingLeft),
                };
            })""",
        )
    finally:
        page.close()
    shown = {block["text"]: block for block in found}
    for post, parts in texts.items():
        for text, _ in parts:
            block = shown[text + "\n"]
            if post == "2026-12-02-en":
                assert block["direction"] == "ltr"
                continue
            assert block["direction"] == "rtl", (post, block)
            assert abs(block["gapRight"]) <= 2, (post, block)  # "🚀 Lumen 2.0 …" at the right
            assert block["gapLeft"] > 100, (post, block)
