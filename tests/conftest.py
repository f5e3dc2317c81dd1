"""Shared test helpers: a minimal valid project to change, and a CLI runner."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from smmgen.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent

CHANNELS_YAML = """\
defaults:
  channels: [mastodon, bluesky]
  utm: {utm_source: "{channel}", utm_medium: social}
channels:
  mastodon:
    type: mastodon
    instance: https://mastodon.example
    token_env: SMMGEN_MASTODON_TOKEN
  bluesky:
    type: bluesky
    handle: example.bsky.social
    password_env: SMMGEN_BLUESKY_APP_PASSWORD
  linkedin:
    type: linkedin
    author: urn:li:organization:1
    token_env: SMMGEN_LINKEDIN_TOKEN
  feed:
    type: feed
people:
  alice: {mastodon: "@alice@example.social", bluesky: "@alice.example.com"}
policy:
  require_alt_text: true
  banned_phrases: ["guaranteed returns"]
  sponsored_disclosure: "#ad"
  max_hashtags: {default: 3, linkedin: 5}
"""

CALENDAR_YAML = """\
timezone: Europe/Berlin
slots:
  default: ["Mon 09:00", "Wed 12:30"]
blackout:
  - {from: 2026-12-24, to: 2026-12-26, reason: Holidays}
max_lateness: 6h
min_gap: 10m
campaigns:
  launch: {from: 2026-12-01, to: 2026-12-15, hashtags: [v2]}
"""

GOOD_POST = """\
---
id: 2026-12-01-hello
title: Hello
publish_at: 2026-12-01 09:00
tags: [release]
---
Hello @alice, v2 is out.
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


MakeProject = Callable[..., Path]

# The tests judge times as on this day, whatever the date they run on (--at's default).
TODAY = "2026-11-25 12:00"


@pytest.fixture(autouse=True)
def _fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_AT", TODAY)


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """A valid project in tmp_path; keyword arguments replace or add files.

    ``make_project(channels=..., calendar=..., posts={"a.md": text}, media=["media/x.png"])``;
    ``posts`` paths are below content/; a value of None removes the file.
    """

    def make(
        *,
        channels: str | None = CHANNELS_YAML,
        calendar: str | None = CALENDAR_YAML,
        posts: dict[str, str | bytes] | None = None,
        media: list[str] = (),  # type: ignore[assignment]
        fixtures: list[str] = (),  # type: ignore[assignment]
    ) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        for name, text in (("channels.yaml", channels), ("calendar.yaml", calendar)):
            if text is not None:
                write(root / name, text)
        for relative in media:
            write(root / relative, b"\x89PNG\r\n\x1a\n")
        for name, text in (posts if posts is not None else {"hello.md": GOOD_POST}).items():
            write(root / "content" / name, text)
        for name in fixtures:
            target = root / "content" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(FIXTURES / "posts" / name, target)
        return root

    return make


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process: ``run("--root", str(root), "check")``."""

    def invoke(*args: Any, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)

    return invoke
