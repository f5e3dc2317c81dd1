"""Shared test helpers: a minimal valid project to change, and a CLI runner; the
test run's own set-up (npm projects installed when needed, skips refused in CI:
see tests/prerequisites.py)."""

from __future__ import annotations

import io
import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from smmgen.cli import cli
from tests import prerequisites

if TYPE_CHECKING:
    from playwright.sync_api import Browser

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


def image_bytes(name: str) -> bytes:
    """A small image whose bytes are what ``name``'s extension says (a PNG without one)."""
    suffix = Path(name).suffix.lower().lstrip(".")
    kind = {"jpg": "JPEG", "jpeg": "JPEG", "tif": "TIFF"}.get(suffix, suffix.upper())
    buffer = io.BytesIO()
    try:
        Image.new("RGB", (2, 2), (40, 120, 200)).save(buffer, kind)
    except (KeyError, ValueError, OSError):
        Image.new("RGB", (2, 2), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


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
            write(root / relative, image_bytes(relative))
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


# -- the test run's set-up -------------------------------------------------------


def _say(config: pytest.Config, message: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"smmgen tests: {message}", bold=True)


def pytest_sessionstart(session: pytest.Session) -> None:
    """With workers (pytest-xdist), say here what they will install: they cannot."""
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    pending = [p for p in prerequisites.NPM_PROJECTS if not prerequisites.installed(REPO / p)]
    if pending:
        _say(
            config,
            f"installing the npm packages of {' and '.join(pending)} for the tests that need"
            " them (npm ci; only when they change)",
        )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Install the npm projects the collected tests need, before the first test runs.

    Each worker collects; the first installs, the others wait for it (a lock)."""
    needed = sorted({str(m.args[0]) for item in session.items for m in item.iter_markers("npm")})
    for relative in needed:  # a failure fails each test that needs it
        prerequisites.install(relative, lambda message: _say(session.config, message))


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("npm"):
        prerequisites.npm_project(str(marker.args[0]))


def _refuse_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Under SMMGEN_REQUIRE_INTEGRATION=1 (CI) a skip is a failure, with its reason."""
    if not report.skipped or os.environ.get(prerequisites.REQUIRE) != "1":
        return
    if hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped, and {prerequisites.REQUIRE}=1 allows no skip: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    _refuse_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    outcome = yield
    _refuse_skip(outcome.get_result())


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium (never a browser Playwright downloads), once per worker:
    one for every test, since Playwright's sync API runs one per thread."""
    from playwright.sync_api import sync_playwright

    chromium = prerequisites.tool("chromium", "apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium)
        yield launched
        launched.close()
