"""`smmgen preview --changed-since REF`: the posts a branch adds or changes, as
each network will show them, with the ledger's warnings; rendered by a
CommonMark/GFM renderer as intended, and within GitHub's comment limit."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

import smmgen
from smmgen.commands.preview import make_preview
from smmgen.publish.ledger import records as rec
from smmgen.report.preview import LIMIT, MARKER, as_markdown
from tests.conftest import MakeProject, write
from tests.publish.gitrepo import git

CHANNELS = """\
defaults:
  channels: [mastodon, bluesky, feed]
channels:
  mastodon: {type: mastodon, instance: https://mastodon.example, token_env: SMMGEN_MASTODON_TOKEN}
  bluesky: {type: bluesky, handle: example.bsky.social, password_env: SMMGEN_BLUESKY_APP_PASSWORD}
  feed: {type: feed}
people:
  alice: {mastodon: "@alice@example.social", bluesky: "@alice.example.com"}
ledger: {store: local}
"""


def post(
    body: str, ident: str | None = None, when: str = "2026-12-01 09:00", extra: str = ""
) -> str:
    head = f"id: {ident}\n" if ident else ""
    return f"---\n{head}title: A | tricky *title*\npublish_at: {when}\n{extra}---\n{body}\n"


@pytest.fixture
def repo(make_project: MakeProject) -> Path:
    root = make_project(
        channels=CHANNELS,
        posts={
            "kept.md": post("Unchanged.", "kept"),
            "edited.md": post("Before the edit.", "edited"),
            "old-name.md": post("A post that will be renamed, long enough to match itself."),
            "gone.md": post("Deleted on the branch.", "gone"),
        },
    )
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "content")
    # the ledger says: 'edited' and the renamed post (by its path id) are out
    (root / "ledger").mkdir()
    lines = [
        rec.make(
            "published",
            "edited",
            "mastodon",
            "r1",
            remote={"id": "1", "url": "https://m.example/1"},
        ),
        rec.make(
            "published",
            "old-name",
            "bluesky",
            "r1",
            remote={"id": "2", "url": "https://b.example/2"},
        ),
    ]
    (root / "ledger" / "all.jsonl").write_text("".join(rec.dumps(r) + "\n" for r in lines))
    git(root, "checkout", "--quiet", "-b", "branch")
    write(
        root / "content" / "added.md",
        post("Hello @alice, see `code` and <b>html</b> | pipes.\n\n```\nfenced\n```", "added"),
    )
    write(root / "content" / "bad.md", post("guaranteed returns", "bad", when="2026-13-01 09:00"))
    write(root / "content" / "edited.md", post("After the edit.", "edited"))
    git(root, "mv", "content/old-name.md", "content/new-name.md")
    git(root, "rm", "--quiet", "content/gone.md")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "branch")
    return root


def preview_of(root: Path) -> tuple[str, dict[str, Any]]:
    project = smmgen.load(root)
    result = make_preview(project, "main")
    return as_markdown(result), {p.id: p for p in result.posts}  # type: ignore[return-value]


def test_only_what_the_branch_changed(repo: Path) -> None:
    text, posts = preview_of(repo)
    assert text.startswith(MARKER + "\n")
    assert set(posts) == {"added", "bad", "edited", "new-name"}
    assert posts["added"].change == "added"
    assert posts["edited"].change == "changed"
    assert posts["new-name"].change == "renamed"
    assert "Removed:" in text
    assert "`content/gone.md`" in text


def test_ledger_warnings(repo: Path) -> None:
    text, posts = preview_of(repo)
    assert (
        "Already published on mastodon (`https://m.example/1`): edits to this post will **not**"
        in text
    )
    assert posts["new-name"].old_id == "old-name"
    assert set(posts["new-name"].again) == {"bluesky"}
    assert "it would be **published again** on bluesky" in text
    assert "add `id: old-name` to its front matter" in text


def test_findings_and_schedule(repo: Path) -> None:
    text, posts = preview_of(repo)
    assert "2026-12-01 09:00 CET (08:00 UTC)" in text
    bad = [f.message for f in posts["bad"].findings]
    assert any("2026-13-01" in m or "month" in m for m in bad), bad
    assert "❌" in text


def render(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


def test_renders_as_gfm(repo: Path) -> None:
    text, posts = preview_of(repo)
    page = render(text)
    # the summary table: a header and one row per post, five cells each
    table = re.search(r"<table>.*?</table>", page, re.S)
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(), re.S)
    assert len(rows) == 1 + len(posts)
    assert all(len(re.findall(r"<t[hd]>", row)) == 5 for row in rows)
    # every variant's text is in a code block, exactly (nothing interpreted as HTML)
    blocks = [
        html.unescape(b)
        for b in re.findall(r'<pre><code class="language-text">(.*?)</code></pre>', page, re.S)
    ]
    expected = [part.text for p in posts.values() for v in p.variants for part in v.parts]
    assert sorted(b.rstrip("\n") for b in blocks) == sorted(expected)
    assert "<b>html</b>" not in page.replace("<b>mastodon</b>", "").replace(
        "<b>bluesky</b>", ""
    ).replace("<b>feed</b>", "")
    # one collapsible section per variant
    assert page.count("<details") == sum(len(p.variants) for p in posts.values())


def test_summarises_when_too_long(make_project: MakeProject) -> None:
    body = "Long text. " * 40
    root = make_project(
        channels=CHANNELS,
        posts={f"p{n:03d}.md": post(f"{body} {n}", f"p{n:03d}") for n in range(120)},
    )
    result = make_preview(smmgen.load(root), None)
    full = as_markdown(result, limit=10**9)
    assert len(full) > LIMIT
    text = as_markdown(result)
    assert len(text) <= LIMIT
    assert "more than a comment holds" in text
    assert render(text).count("<tr>") == 1 + 120
    tiny = as_markdown(result, limit=3000)
    assert len(tiny) <= 3000
    assert "more posts not shown" in tiny


def test_cli(repo: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", repo, "preview", "--changed-since", "main")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(MARKER)
    data = json.loads(
        run("--root", repo, "preview", "--changed-since", "main", "--format", "json").output
    )
    assert data["schema_version"] == 1
    assert {p["id"] for p in data["posts"]} == {"added", "bad", "edited", "new-name"}
    missing = run("--root", repo, "preview", "--changed-since", "no-such-ref")
    assert missing.exit_code == 2
    assert "fetch-depth: 0" in missing.output


def test_project_in_a_subdirectory_of_the_repository(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    root = top / "social"
    write(root / "channels.yaml", CHANNELS)
    write(root / "calendar.yaml", "timezone: UTC\n")
    write(root / "content" / "a.md", post("First.", "a"))
    git(top, "init", "--quiet", "--initial-branch=main")
    git(top, "add", "-A")
    git(top, "commit", "--quiet", "-m", "content")
    write(root / "content" / "a.md", post("Edited.", "a"))
    write(root / "content" / "b.md", post("New.", "b"))
    result = make_preview(smmgen.load(root), "main")
    assert {(p.id, p.change) for p in result.posts} == {("a", "changed"), ("b", "added")}
