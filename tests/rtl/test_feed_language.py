"""The Atom feed says each entry's language (xml:lang), as feedparser reads it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import feedparser
from click.testing import Result

from smmgen.commands.publish import ledger_init
from tests.conftest import MakeProject
from tests.rtl.posts import ENGLISH, HEBREW, PERSIAN

Run = Callable[..., Result]

CHANNELS = """\
defaults:
  channels: [feed]
{language}channels:
  feed:
    type: feed
    title: Lumen news
    site_url: https://lumen.example/
"""


def _published_feed(
    make_project: MakeProject, run: Run, default: str | None
) -> feedparser.FeedParserDict:
    language = f"  language: {default}\n" if default else ""
    due = "publish_at: 2026-11-25 11:00\n"
    root = make_project(
        channels=CHANNELS.replace("{language}", language),
        calendar="timezone: Europe/Berlin\nmax_lateness: 6h\n",
        posts={
            name: text.replace("publish_at: 2026-12-02 12:30\n", due)
            .replace("channels: [mastodon, bluesky, linkedin, feed]\n", "")
            .replace("channels: [mastodon, bluesky, feed]\n", "")
            for name, text in (("he.md", HEBREW), ("fa.md", PERSIAN), ("en.md", ENGLISH))
        },
    )
    ledger_init(root)
    result = run("--root", root, "publish", "--format", "json")
    assert result.exit_code == 0, result.output
    outcomes = {item["post"]: item["outcome"] for item in json.loads(result.output)["items"]}
    assert set(outcomes.values()) == {"published"}, outcomes
    feed = feedparser.parse(Path(root / "public" / "feed.xml"))
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_entries_carry_their_language(make_project: MakeProject, run: Run) -> None:
    feed = _published_feed(make_project, run, None)
    languages = {entry.id.rsplit(":", 1)[1]: entry.content[0].language for entry in feed.entries}
    assert languages == {"2026-12-02-he": "he", "2026-12-02-fa": "fa", "2026-12-02-en": None}
    titles = {entry.id.rsplit(":", 1)[1]: entry.title_detail.language for entry in feed.entries}
    assert titles == languages
    assert "language" not in feed.feed  # the project has no default language


def test_the_feed_takes_the_projects_default(make_project: MakeProject, run: Run) -> None:
    feed = _published_feed(make_project, run, "he")
    assert feed.feed.language == "he"
    languages = {entry.id.rsplit(":", 1)[1]: entry.content[0].language for entry in feed.entries}
    # a post without language: is in the project's language
    assert languages == {"2026-12-02-he": "he", "2026-12-02-fa": "fa", "2026-12-02-en": "he"}
