"""`smmgen publish` end to end on the channel that needs no server: the Atom feed,
beside a channel of a network smmgen cannot publish to (LinkedIn stripped of its
driver stands for a third-party network without one: every built-in network has
a driver since issue 15)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest

from smmgen import registry
from smmgen.commands.publish import ledger_init
from smmgen.registry import network
from tests.conftest import MakeProject
from tests.publish.gitrepo import branch_files, git, origin_with

CHANNELS = """\
defaults:
  channels: [feed, linkedin]
channels:
  feed:
    type: feed
    title: Example news
    site_url: https://example.com/
  linkedin:
    type: linkedin
    author: urn:li:organization:1
    token_env: SMMGEN_LINKEDIN_TOKEN
"""
CALENDAR = """\
timezone: Europe/Berlin
max_lateness: 6h
blackout:
  - {from: 2026-11-27, to: 2026-11-27, reason: Strike day}
"""


def post(ident: str, when: str, body: str = "Hello **world**.", extra: str = "") -> str:
    return f"---\nid: {ident}\ntitle: Title {ident}\npublish_at: {when}\nlink: https://example.com/{ident}\n{extra}---\n{body}\n"


@pytest.fixture(autouse=True)
def linkedin_without_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._NETWORKS, "linkedin", replace(network("linkedin"), driver=None))


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    root = make_project(
        channels=CHANNELS,
        calendar=CALENDAR,
        posts={
            "due.md": post("due", "2026-11-25 11:00"),
            "due2.md": post("due2", "2026-11-25 11:30", "Second <b>&</b> one."),
            "later.md": post("later", "2026-11-26 09:00"),
            "missed.md": post("missed", "2026-11-24 09:00"),
            "draft.md": post("draft", "2026-11-25 11:00", extra="draft: true\n"),
        },
    )
    ledger_init(root)
    return root


def publish(run, root: Path, *args: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    result = run("--root", root, "publish", "--format", "json", *args)
    return result.exit_code, json.loads(result.output)


def outcomes(report: dict) -> dict[tuple[str, str], str]:
    return {(i["post"], i["channel"]): i["outcome"] for i in report["items"]}


def test_publishes_due_items_once_and_writes_a_valid_feed(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    code, report = publish(run, project)
    assert code == 0, report
    assert report["schema_version"] == 1
    assert outcomes(report) == {
        ("due", "feed"): "published",
        ("due", "linkedin"): "skipped",
        ("due2", "feed"): "published",
        ("due2", "linkedin"): "skipped",
        ("missed", "feed"): "missed",
    }
    feed = feedparser.parse(project / "public" / "feed.xml")
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Example news"
    assert [e.title for e in feed.entries] == ["Title due2", "Title due"]
    assert feed.entries[0].link == "https://example.com/due2"
    assert (
        "<b>&amp;</b>" in feed.entries[0].content[0].value
        or "&amp;" in feed.entries[0].content[0].value
    )
    # a second run publishes nothing again
    code, report = publish(run, project)
    assert code == 0
    assert "published" not in outcomes(report).values()
    lines = (project / "ledger" / "feed.jsonl").read_text().splitlines()
    events = [json.loads(x)["event"] for x in lines]
    assert events.count("published") == 2
    assert events.count("intent") == 2


def test_dry_run_prints_what_would_be_sent_and_writes_nothing(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", project, "publish", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing is sent" in result.output
    assert '"title": "Title due"' in result.output
    assert "would publish  due" in result.output
    assert not (project / "ledger").exists() or not list((project / "ledger").glob("*.jsonl"))
    assert not (project / "public").exists()


def test_filters_and_unknown_names(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    _code, report = publish(run, project, "--post", "due", "--channel", "feed")
    assert outcomes(report) == {("due", "feed"): "published"}
    result = run("--root", project, "publish", "--channel", "fed")
    assert result.exit_code == 2
    assert "--channel fed: no such channel" in result.output
    assert "feed" in result.output


def test_at_moves_the_reference_time(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    _code, report = publish(run, project, "--at", "2026-11-26 09:05")
    assert outcomes(report)[("later", "feed")] == "published"
    assert ("due", "feed") not in outcomes(report) or outcomes(report)[("due", "feed")] == "missed"


def test_blackout_and_freeze_block(run, make_project: MakeProject) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        channels=CHANNELS, calendar=CALENDAR, posts={"a.md": post("a", "2026-11-27 10:00")}
    )
    ledger_init(root)  # (make_project below changes this same project)
    _, report = publish(run, root, "--at", "2026-11-27 10:05")
    assert outcomes(report)[("a", "feed")] == "blocked"
    assert "Strike day" in report["items"][0]["detail"] or "Strike day" in json.dumps(report)
    frozen = make_project(
        channels=CHANNELS,
        calendar=CALENDAR + "freeze: {reason: incident}\n",
        posts={"a.md": post("a", "2026-11-25 11:00")},
    )
    _code, report = publish(run, frozen)
    assert outcomes(report)[("a", "feed")] == "blocked"
    assert not (frozen / "public").exists()


def test_variants_with_errors_are_not_published(run, make_project: MakeProject) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        channels=CHANNELS,
        calendar=CALENDAR,
        posts={"a.md": post("a", "2026-11-25 11:00", "guaranteed returns here")},
    )
    ledger_init(root)
    (root / "channels.yaml").write_text(
        CHANNELS + "policy:\n  banned_phrases: [guaranteed returns]\n"
    )
    code, report = publish(run, root)
    assert code == 1
    item = next(i for i in report["items"] if i["channel"] == "feed")
    assert item["outcome"] == "failed"
    assert "run smmgen check" in item["detail"]
    assert not list((root / "ledger").glob("*.jsonl"))


def test_resolve_and_list(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    publish(run, project)
    result = run(
        "--root",
        project,
        "ledger",
        "resolve",
        "later",
        "--channel",
        "feed",
        "--as",
        "skip",
        "--note",
        "not this one",
    )
    assert result.exit_code == 0, result.output
    assert "now skipped" in result.output
    _code, report = publish(run, project, "--at", "2026-11-26 09:05")
    assert ("later", "feed") not in outcomes(report)
    result = run(
        "--root", project, "ledger", "resolve", "later", "--channel", "feed", "--as", "published"
    )
    assert result.exit_code == 2
    assert "is skipped" in result.output
    listing = json.loads(run("--root", project, "ledger", "list", "--format", "json").output)
    assert {(i["post"], i["status"]) for i in listing["items"]} >= {
        ("later", "skipped"),
        ("due", "published"),
    }
    text = run("--root", project, "ledger", "list", "--status", "skipped").output
    assert "later" in text
    assert "due " not in text


def test_channels_verify_names_missing_variables(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "channels.yaml").write_text(
        CHANNELS
        + "  masto:\n    type: mastodon\n    instance: https://mastodon.example\n"
        + "    token_env: SMMGEN_TEST_MASTO\n"
    )
    result = run("--root", project, "channels", "verify", env={"SMMGEN_TEST_MASTO": ""})
    assert result.exit_code == 1
    assert "SMMGEN_TEST_MASTO is not set" in result.output
    assert "cannot publish to LinkedIn yet" in result.output
    assert "writes public/feed.xml" in result.output


def test_git_ledger_keeps_the_feed_on_its_branch(run, project: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bare = tmp_path / "origin.git"
    origin_with(project, bare)
    code, report = publish(run, project)
    assert code == 0
    assert report["ledger"] == "branch smmgen-ledger of origin"
    files = branch_files(bare)
    assert "public/feed.xml" in files
    assert not (project / "public").exists()
    assert not feedparser.parse(files["public/feed.xml"]).bozo
    assert git(project, "status", "--porcelain") == ""
    assert git(bare, "log", "--format=%s", "main").splitlines() == ["content"]


def test_markdown_summary_for_ci(run, project: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", project, "publish", "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "## smmgen publish"
    assert "| status | post | channel | detail |" in lines
    assert (
        "| published | `due` | feed | [https://example.com/due](https://example.com/due) |" in lines
    )
    assert any(line.startswith("| missed | `missed` | feed |") for line in lines)
    again = run(
        "--root", project, "publish", "--format", "markdown", "--channel", "feed", "--post", "due"
    )
    assert "Nothing is due." in again.output
