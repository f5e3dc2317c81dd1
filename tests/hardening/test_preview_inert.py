"""The preview comment shows a pull request as it is, whatever its content says.

Class 10 of the hardening issue: `smmgen preview` renders GitHub-flavoured
Markdown that GitHub turns into HTML, mentions and links. Four ways it could
misrepresent a pull request, each tested to the class:

1. Every string from posts, configuration, the ledger or git is inert: the
   comment is rendered as GitHub would (markdown-it with raw HTML and tables)
   and parsed; only the elements smmgen's layout makes are there, in the
   numbers the posts and channels call for, and each string is text.
2. Nothing outside code pings anyone or links anywhere (``@name``,
   ``@org/team``, ``#123``, URLs, ``www.``).
3. Every changed post is previewed: one whose file, symlink target (in a ``_``
   folder, not itself content), media, configuration or template changed.
4. Too long a preview leaves texts out before rows: one oversized post never
   hides the others.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import smmgen
from smmgen.adapt.variants import Media, Part, Variant
from smmgen.commands.preview import make_preview, preview_json
from smmgen.findings import Finding, Severity
from smmgen.loader.posts import Post
from smmgen.models.post import FrontMatter
from smmgen.publish.ledger.state import ItemState
from smmgen.report.preview import LIMIT, MARKER, PostPreview, Preview, as_markdown
from tests.conftest import MakeProject, write
from tests.publish.gitrepo import git

# -- GitHub's view of the comment ------------------------------------------------------

# what smmgen's layout makes, with the attributes it gives them
ALLOWED = {
    "h2", "h3", "p", "strong", "em", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
    "details", "summary", "b", "ul", "li", "blockquote",
}  # fmt: skip
ATTRIBUTES = {("code", "class", "language-text"), ("details", "open", None)}
VOID = {"img", "br", "hr", "input", "meta", "link", "source", "wbr", "area", "embed", "col"}
# what GitHub turns into a notification or a link in text outside code
MENTION = re.compile(r"@\w")
ACTIVE = re.compile(r"(?i)://|www\.|#\d|gh-\d")


@dataclass
class Node:
    tag: str
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    children: list[Node | str] = field(default_factory=list)

    def all(self, tag: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag:
                    found.append(child)
                found += child.all(tag)
        return found

    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def texts(self, in_code: bool = False) -> Iterator[tuple[str, bool]]:
        """Each run of text, and whether it is inside code (where GitHub acts on nothing)."""
        for child in self.children:
            if isinstance(child, str):
                yield child, in_code
            else:
                yield from child.texts(in_code or child.tag in ("code", "pre"))


class Page(HTMLParser):
    """HTML as a tree, with whatever is not well formed written down."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]
        self.elements: list[Node] = []
        self.comments: list[str] = []
        self.problems: list[str] = []
        self.feed(html)
        self.close()
        if len(self.stack) > 1:
            self.problems.append(f"unclosed: {[n.tag for n in self.stack[1:]]}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, attrs)
        self.elements.append(node)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, attrs)
        self.elements.append(node)
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                if index != len(self.stack) - 1:
                    self.problems.append(f"</{tag}> closes {self.stack[-1].tag}")
                del self.stack[index:]
                return
        self.problems.append(f"stray </{tag}>")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data!r}")


def github(markdown: str) -> Page:
    """The comment as GitHub renders it: CommonMark with raw HTML and GFM tables."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return Page(md.render(markdown))


def one_line(text: str) -> str:
    """A string as it shows on one line: line breaks of any kind are spaces, NUL is U+FFFD."""
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\0", "\ufffd")
    return " ".join(text.split())


def exact(text: str) -> str:
    """A text as a code block shows it: line endings as \\n, NUL as U+FFFD."""
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\0", "\ufffd")
    return re.sub(r"\r\n?", "\n", text) + "\n"


def assert_inert(page: Page, *, prose: list[str], codes: list[str]) -> None:
    """Only smmgen's elements; each string only as text; nothing GitHub would act on."""
    assert not page.problems, page.problems
    assert page.comments == [MARKER[4:-3]], page.comments
    for node in page.elements:
        assert node.tag in ALLOWED, f"<{node.tag}> from content"
        for name, value in node.attrs:
            assert (node.tag, name, value) in ATTRIBUTES, f"<{node.tag} {name}={value!r}>"
    outside = [text.replace("\u200b", "") for text, in_code in page.root.texts() if not in_code]
    for text, in_code in page.root.texts():
        if not in_code:
            assert not MENTION.search(text), f"a mention GitHub would notify: {text!r}"
            assert not ACTIVE.search(text), f"a link or reference GitHub would make: {text!r}"
    for value in prose:  # each string whole in one run of text: nothing in it became markup
        shown = one_line(value).replace("\u200b", "")
        assert any(shown in text for text in outside), f"{value!r} is not shown as text"
    blocks = _blocks(page)
    spans = [node.text() for node in page.root.all("code") if node not in blocks]
    for value in codes:
        shown = one_line(value)
        assert any(span == shown or (not shown and not span.strip()) for span in spans), (
            f"{value!r} is not shown as code: {spans}"
        )


def _blocks(page: Page) -> list[Node]:
    return [code for pre in page.root.all("pre") for code in pre.all("code")]


# -- hostile strings -------------------------------------------------------------------

PIECES = [
    "</details>", "<details open>", "<summary>", "</summary>", "<img src=x onerror=alert(1)>",
    "<img/src=x/onerror=alert(1)>", "<script>alert(1)</script>", "<a href='https://e.example'>",
    "</a>", "<b>", "</td>", "</table>", "<!--", "-->", "<![CDATA[", "<!DOCTYPE html>", "<?x?>",
    *("`" * n for n in range(1, 13)), "~~~", "@user", "@org/team", "@github-actions",
    "alice@example.com", "[x](https://e.example)", "![i](https://e.example/i.png)",
    "<https://e.example>", "https://e.example/a", "HTTP://E.EXAMPLE", "www.e.example",
    "mailto:a@b.example", "[ref]: https://e.example", "[ref]", "|", "\\|", "||", "\n", "\r\n",
    "\r", "\n\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\t",
    "&amp;", "&lt;", "&#64;", "&#x40;", "&", "\"", "'", "#1", "org/repo#2", "GH-3", "*", "**",
    "_", "__", "~~", "$x$", "$$", "\\", ">", "- ", "# ", "---", "===", "    ", "\0", "\ud800",
    ":tada:", "[!WARNING]", "<details>",
]  # fmt: skip
hostile = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), min_size=1, max_size=5
).map("".join)
NETWORKS = ["mastodon", "bluesky", "x", "linkedin", "feed", "webhook", "telegram", "slack"]
WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@st.composite
def findings(draw: st.DrawFn, file: str, channel: str | None) -> list[Finding]:
    return [
        Finding(
            draw(st.sampled_from(list(Severity))),
            "hostile",
            draw(hostile),
            file=file,
            line=draw(st.none() | st.integers(1, 99)),
            key=draw(st.none() | hostile),
            hint=draw(st.none() | hostile),
            channel=channel,
        )
        for _ in range(draw(st.integers(0, 2)))
    ]


@st.composite
def items(draw: st.DrawFn) -> PostPreview:
    file = draw(hostile)
    channels = draw(st.lists(hostile, max_size=3, unique_by=one_line))
    loaded = draw(st.booleans())
    post = None
    variants: list[Variant] = []
    if loaded:
        front = FrontMatter.model_construct(title=draw(st.none() | hostile), draft=False)
        post = Post(
            draw(hostile), file, front, "", 1, {}, channels, draw(st.sampled_from([None, WHEN]))
        )
        for channel in channels:
            parts = [
                Part(
                    draw(hostile),
                    draw(st.integers(0, 999)),
                    [Media(draw(hostile), draw(st.none() | hostile), None, "png")]
                    if draw(st.booleans())
                    else [],
                )
                for _ in range(draw(st.integers(1, 2)))
            ]
            variants.append(
                Variant(
                    post.id,
                    channel,
                    draw(st.sampled_from(NETWORKS)),
                    "plain",
                    parts,
                    draw(st.sampled_from([None, 300])),
                    post.publish_at,
                    draw(st.none() | hostile),
                    [],
                    None,
                    False,
                    draw(findings(file, channel)),
                )
            )
    item = PostPreview(
        file,
        post,
        draw(st.sampled_from(["added", "changed", "renamed", "all"])),
        variants,
        draw(findings(file, None)),
        via=draw(st.lists(hostile, max_size=2)),
    )
    for channel in draw(st.lists(st.sampled_from(channels), unique=True)) if channels else []:
        status = draw(st.sampled_from(["published", "unknown", "claimed"]))
        item.published[channel] = ItemState("x", channel, status, url=draw(st.none() | hostile))
    if draw(st.booleans()):
        item.renamed_from = draw(hostile)
        item.old_id = draw(hostile)
        item.again = {c: ItemState(item.old_id, c, "published") for c in channels[:1]}
    return item


@st.composite
def previews(draw: st.DrawFn) -> Preview:
    return Preview(
        cast(Any, None),  # the rendering reads no configuration
        draw(st.none() | hostile),
        draw(st.lists(items(), min_size=1, max_size=3)),
        draw(st.lists(hostile, max_size=2)),
        draw(hostile),
        draw(st.booleans()),
    )


def strings(preview: Preview) -> tuple[list[str], list[str]]:
    """Every string of a preview: (shown as prose, shown as code)."""
    prose, codes = [preview.ledger], [*preview.removed]
    if preview.ref:
        codes.append(preview.ref)
    for item in preview.posts:
        codes += [item.id, item.file, *item.via[:5]]
        if item.post is not None and item.post.front.title:
            prose.append(item.post.front.title)
        if item.renamed_from:
            codes.append(item.renamed_from)
            if item.again:
                codes += [item.old_id or "", f"id: {item.old_id}"]
                prose.append(", ".join(sorted(item.again)))
        for finding in [*item.findings, *(f for v in item.variants for f in v.findings)]:
            prose += [finding.message, *([finding.hint] if finding.hint else [])]
            codes += [finding.key] if finding.key else []
            prose += [finding.channel] if finding.channel else []
        for channel, state in item.published.items():
            prose.append(channel)
            codes += [state.url] if state.url and state.status == "published" else []
        for variant in item.variants:
            prose.append(variant.channel)
            for part in variant.parts:
                for media in part.media:
                    codes.append(media.path)
                    prose += [media.alt] if media.alt else []
            if variant.link and variant.network == "bluesky" and not variant.parts[0].media:
                codes.append(variant.link)
    return prose, codes


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(previews())
def test_every_string_is_inert_wherever_it_goes(preview: Preview) -> None:
    text = as_markdown(preview)
    assert "more than a comment holds" not in text  # the whole preview: every string in it
    page = github(text)
    prose, codes = strings(preview)
    assert_inert(page, prose=prose, codes=codes)
    # the layout, in the numbers the posts and channels call for
    variants = [v for item in preview.posts for v in item.variants]
    details = page.root.all("details")
    assert len(details) == len(variants)
    assert len(page.root.all("summary")) == len(variants)
    for node, variant in zip(details, variants, strict=True):
        summary = node.elements()[0]
        assert summary.tag == "summary"
        shown = summary.all("b")[0].text().replace("\u200b", "")
        assert shown == one_line(variant.channel).replace("\u200b", "")
    headings = page.root.all("h3")
    assert len(headings) == len(preview.posts)
    for heading, item in zip(headings, preview.posts, strict=True):
        assert heading.all("code")[0].text() in (one_line(item.id), "  ")
    (table,) = page.root.all("table")
    rows = table.all("tr")
    assert len(rows) == 1 + len(preview.posts)
    for row, item in zip(rows[1:], preview.posts, strict=True):
        cells = row.all("td")
        assert len(cells) == 5
        assert cells[0].all("code")[0].text() in (one_line(item.id), "  ")
    # each text exactly, in a code block of its own
    blocks = [code.text() for code in _blocks(page)]
    assert Counter(blocks) == Counter(exact(p.text) for v in variants for p in v.parts)
    # shortened to fit a small comment, it is just as inert
    short = as_markdown(preview, limit=2_000)
    assert len(short) <= 2_000
    assert_inert(github(short), prose=[], codes=[])


def test_a_link_cannot_break_out_of_its_line(make_project: MakeProject) -> None:
    """The reported example, through the loader: a link, a title, a text and alt text."""
    link = "https://e.example/x</details><img/src=x/onerror=alert(1)>@octocat"
    body = "Hi @octocat and @org/team </details><img src=x onerror=alert(1)> ````` | <!--"
    root = make_project(
        posts={
            "a.md": f'---\nid: a\ntitle: "</summary></details><img src=x> @octocat #1"\n'
            f"publish_at: 2026-12-01 09:00\nlink: {link}\nchannels: [bluesky, mastodon]\n---\n"
            f"{body}\n",
            "b.md": "---\nid: b\ntitle: After it\npublish_at: 2026-12-02 09:00\n---\nSecond.\n",
        },
    )
    preview = make_preview(smmgen.load(root), None)
    text = as_markdown(preview)
    page = github(text)
    prose, codes = strings(preview)
    assert any(code.startswith(link) for code in codes)  # with its UTM parameters
    assert_inert(page, prose=prose, codes=codes)
    assert len(page.root.all("details")) == 4
    assert len(page.root.all("table")[0].all("tr")) == 3
    assert not page.root.all("img")


# -- every changed post ------------------------------------------------------------------

CHANNELS = """\
defaults:
  channels: [mastodon, feed]
channels:
  mastodon: {type: mastodon, instance: https://mastodon.example, token_env: SMMGEN_MASTODON_TOKEN}
  feed: {type: feed, template: feed.j2}
ledger: {store: local}
"""


def post(text: str, ident: str, extra: str = "") -> str:
    return f"---\nid: {ident}\npublish_at: 2026-12-01 09:00\n{extra}---\n{text}\n"


@pytest.fixture
def repo(make_project: MakeProject) -> Path:
    """Posts made from other files: a symlink into content/_parts/ (two hops for one),
    media (one through a symlink), a template; and a post that depends on nothing else."""
    root = make_project(
        channels=CHANNELS,
        calendar="timezone: UTC\n",
        posts={
            "_parts/linked.md": post("Shared text.", "linked"),
            "_parts/far.md": post("Far text.", "far"),
            "_parts/other.md": post("Other text.", "far"),
            "pictured.md": post(
                "With a picture.", "pictured", "media: [{path: media/a.png, alt: A}]\n"
            ),
            "via-link.md": post(
                "Picture behind a link.", "via-link", "media: [{path: media/b.png, alt: B}]\n"
            ),
            "plain.md": post("Only itself.", "plain", "channels: [mastodon]\n"),
            "templated.md": post("On the feed.", "templated", "channels: [feed]\n"),
        },
        media=["media/a.png", "media/_real/b.png"],
    )
    write(root / "templates" / "feed.j2", "{% include 'part.j2' %}{{ text }}")
    write(root / "templates" / "part.j2", "News: ")
    write(root / "content" / "_unrelated.md", "not a post")
    os.symlink("_parts/linked.md", root / "content" / "linked.md")
    os.symlink("hop.md", root / "content" / "_parts" / "far-link.md")
    os.symlink("_parts/far-link.md", root / "content" / "far.md")
    os.symlink("hop.md", root / "content" / "_parts" / "unused")
    (root / "content" / "_parts" / "hop.md").symlink_to("far.md")
    os.symlink("_real/b.png", root / "media" / "b.png")
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "content")
    git(root, "checkout", "--quiet", "-b", "branch")
    return root


def changed(root: Path) -> dict[str, PostPreview]:
    preview = make_preview(smmgen.load(root), "main")
    return {item.id: item for item in preview.posts}


ON_FEED = ["far", "linked", "pictured", "templated", "via-link"]  # the templated channel
CHANGES: dict[str, tuple[Any, dict[str, list[str]]]] = {
    # what the branch changes -> the posts made from it
    "the target of a symlink, in a _ folder": (
        lambda r: write(r / "content/_parts/linked.md", post("Edited.", "linked")),
        {"linked": ["content/_parts/linked.md"]},
    ),
    "a file two links away": (
        lambda r: write(r / "content/_parts/far.md", post("Edited far.", "far")),
        {"far": ["content/_parts/far.md"]},
    ),
    "a link on the way, pointed elsewhere": (
        lambda r: _relink(r / "content/_parts/hop.md", "other.md"),
        {"far": ["content/_parts/hop.md"]},
    ),
    "a medium": (
        lambda r: write(r / "media/a.png", b"\x89PNG\r\n\x1a\nedited"),
        {"pictured": ["media/a.png"]},
    ),
    "the file behind a medium's link": (
        lambda r: write(r / "media/_real/b.png", b"\x89PNG\r\n\x1a\nedited"),
        {"via-link": ["media/_real/b.png"]},
    ),
    "a template another one includes": (
        lambda r: write(r / "templates/part.j2", "Update: "),
        {i: ["templates/part.j2"] for i in ON_FEED},
    ),
    "a new, untracked template": (
        lambda r: write(r / "templates/new.j2", "{{ text }}"),
        {i: ["templates/new.j2"] for i in ON_FEED},
    ),
}


def _relink(link: Path, target: str) -> None:
    link.unlink()
    link.symlink_to(target)


@pytest.mark.parametrize("what", list(CHANGES))
def test_a_post_is_previewed_when_anything_it_is_made_from_changed(repo: Path, what: str) -> None:
    change, expected = CHANGES[what]
    change(repo)
    found = changed(repo)
    assert {i: (p.change, p.via) for i, p in found.items()} == {
        i: ("changed", via) for i, via in expected.items()
    }
    text = as_markdown(make_preview(smmgen.load(repo), "main"))
    assert all(f"### `{i}`" in text for i in expected)
    assert f"changed with `{expected[next(iter(expected))][0]}`" in text


def test_configuration_changes_every_post(repo: Path) -> None:
    write(repo / "calendar.yaml", "timezone: Europe/Berlin\n")
    found = changed(repo)
    assert set(found) == {"linked", "far", "pictured", "via-link", "plain", "templated"}
    assert {tuple(p.via) for p in found.values()} == {("calendar.yaml",)}


def test_unrelated_files_change_no_post(repo: Path) -> None:
    write(repo / "content/_unrelated.md", "still not a post")
    write(repo / "content/_parts/new.md", post("Not linked.", "new"))
    write(repo / "README.md", "# notes\n")
    assert changed(repo) == {}


def test_own_changes_and_renames_are_still_told_apart(repo: Path) -> None:
    write(repo / "content/plain.md", post("Edited itself.", "plain", "channels: [mastodon]\n"))
    git(repo, "mv", "content/pictured.md", "content/renamed.md")
    write(repo / "content/new.md", post("New.", "new"))
    write(repo / "content/_parts/new-target.md", post("New behind a link.", "new-link"))
    os.symlink("_parts/new-target.md", repo / "content/new-link.md")
    found = changed(repo)
    assert {i: (p.change, p.via) for i, p in found.items()} == {
        "plain": ("changed", []),
        "pictured": ("renamed", []),
        "new": ("added", []),
        "new-link": ("added", []),
    }
    assert found["pictured"].renamed_from == "content/pictured.md"
    data = preview_json(make_preview(smmgen.load(repo), "main"))
    assert {p["file"]: p["changed_via"] for p in data["posts"]}["content/plain.md"] == []


def test_a_post_moved_out_of_content_is_removed(repo: Path) -> None:
    (repo / "content/_drafts").mkdir()
    git(repo, "mv", "content/plain.md", "content/_drafts/plain.md")
    preview = make_preview(smmgen.load(repo), "main")
    assert preview.posts == []
    assert preview.removed == ["content/plain.md"]


def test_a_post_that_no_longer_loads_through_its_link_is_previewed(repo: Path) -> None:
    (repo / "content/_parts/linked.md").unlink()
    found = make_preview(smmgen.load(repo), "main")
    files = {item.file: item for item in found.posts}
    assert "content/linked.md" in files
    item = files["content/linked.md"]
    assert item.post is None
    assert item.findings
    assert item.via == ["content/_parts/linked.md"]
    assert found.removed == []


# -- too long for a comment ---------------------------------------------------------------


def _rows(page: Page) -> list[list[str]]:
    (table,) = page.root.all("table")
    return [[cell.text() for cell in row.all("td")] for row in table.all("tr")[1:]]


@pytest.mark.parametrize(
    "oversized",
    [
        "a text of 200,000 characters",
        "1,000 findings",
        "a title of 100,000 characters",
    ],
)
def test_one_oversized_post_hides_no_other(make_project: MakeProject, oversized: str) -> None:
    posts = {f"p{n:02d}.md": post(f"Post number {n}.", f"p{n:02d}") for n in range(40)}
    if oversized.startswith("a text"):
        posts["p05.md"] = post("word " * 40_000, "p05", "channels: [feed]\n")
    elif oversized.startswith("1,000"):
        posts["p05.md"] = post(" ".join(f"@nobody{n}" for n in range(1000)), "p05")
    else:
        posts["p05.md"] = post("Short.", "p05").replace(
            "id: p05", f"id: p05\ntitle: {'t' * 100_000}"
        )
    root = make_project(channels=CHANNELS.replace(", template: feed.j2", ""), posts=posts)
    preview = make_preview(smmgen.load(root), None)
    text = as_markdown(preview)
    assert len(text) <= LIMIT
    assert "more than a comment holds" in text
    page = github(text)
    rows = _rows(page)
    assert [row[0] for row in rows] == [item.id for item in preview.posts]
    for row, item in zip(rows, preview.posts, strict=True):
        problems = {*item.findings, *(f for v in item.variants for f in v.findings)}
        errors = sum(1 for f in problems if f.is_error)
        assert (f"{errors} error" in row[4]) == bool(errors), (item.id, row)
        if not problems:
            assert "no problems" in row[4]
    # the others' texts are still there: only what is too long was left out
    blocks = Counter(code.text() for code in _blocks(page))
    others = [item for item in preview.posts if item.id != "p05"]
    assert blocks >= Counter(exact(p.text) for i in others for v in i.variants for p in v.parts)
    if oversized.startswith("a text"):
        assert re.search(r"The text is left out here: 200,0\d\d characters", text)


@st.composite
def large(draw: st.DrawFn) -> tuple[Preview, int]:
    posts = []
    for n in range(draw(st.integers(1, 30))):
        file = f"content/p{n}.md"
        front = FrontMatter.model_construct(title=f"Post {n}")
        item = Post(f"p{n}", file, front, "", 1, {}, ["mastodon"], WHEN)
        problems = [
            Finding(Severity.ERROR, "e", f"problem {k} " * draw(st.integers(1, 50)), file=file)
            for k in range(draw(st.sampled_from([0, 0, 1, 5, 400])))
        ]
        texts = [
            "x" * draw(st.sampled_from([10, 299, 301, 2_000, 12_000]))
            for _ in range(draw(st.integers(1, 3)))
        ]
        variant = Variant(
            item.id, "mastodon", "mastodon", "plain", [Part(t, len(t)) for t in texts], 500,
            WHEN, None, [], None, False, [],
        )  # fmt: skip
        posts.append(PostPreview(file, item, "changed", [variant], problems))
    preview = Preview(cast(Any, None), "main", posts, [], "local", True)
    return preview, draw(st.integers(1_500, 80_000))


def sections(text: str) -> list[str]:
    """Each post's section of a comment, in order."""
    return [section.strip() for section in text.split("\n### ")[1:]]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(large())
def test_the_largest_posts_are_shortened_first_and_rows_go_last(case: tuple[Preview, int]) -> None:
    preview, limit = case
    text = as_markdown(preview, limit=limit)
    assert len(text) <= limit
    page = github(text)
    rows = _rows(page)
    if len(rows) < len(preview.posts):
        # rows go last: no section is left, and the comment says which are missing
        assert not sections(text)
        missing = len(preview.posts) - len(rows)
        assert f"…and {missing} more post" in text
        assert f"`{preview.posts[len(rows)].id}`" in text.split("not shown:")[1]
        return
    assert [r[0] for r in rows] == [item.id for item in preview.posts]
    shown = sections(text)
    if not shown:
        return
    assert len(shown) == len(preview.posts)
    # a post is shortened only if it is larger than every post shown in full
    full = [
        sections(as_markdown(replace(preview, posts=[i]), limit=10**9))[0] for i in preview.posts
    ]
    whole = [len(f) for f, s in zip(full, shown, strict=True) if f == s]
    cut = [len(f) for f, s in zip(full, shown, strict=True) if f != s]
    if whole and cut:
        assert max(whole) < min(cut)
