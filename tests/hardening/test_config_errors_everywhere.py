"""Issue 11, class 12 (parts): configuration errors stop every command that
depends on the configuration, and `publish --dry-run` tells time in the
calendar's zone.

An error in channels.yaml or calendar.yaml (a time-zone typo, a tab, an unknown
key, ...) is reported by every command the way `check` reports it (file, line,
key, what to do) with exit 1, before anything is shown, written or sent: no
command goes on with UTC instead of the calendar's zone or without a broken
channel.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CALENDAR_YAML, CHANNELS_YAML, GOOD_POST, MakeProject, write

SECRET = "ghp_" + "Zq8x" * 9
ERRORS: dict[str, tuple[str, str]] = {  # name: (channels.yaml, calendar.yaml)
    "time-zone typo": (CHANNELS_YAML, CALENDAR_YAML.replace("Europe/Berlin", "Europe/Berln")),
    "tab in channels.yaml": (
        CHANNELS_YAML.replace("  mastodon:\n    type:", "  mastodon:\n\ttype:"),
        CALENDAR_YAML,
    ),
    "tab in calendar.yaml": (
        CHANNELS_YAML,
        CALENDAR_YAML.replace("max_lateness", "\tmax_lateness"),
    ),
    "unknown key in a channel": (
        CHANNELS_YAML.replace(
            "    token_env: SMMGEN_MASTODON_TOKEN\n",
            "    visibilty: public\n    token_env: SMMGEN_MASTODON_TOKEN\n",
            1,
        ),
        CALENDAR_YAML,
    ),
    "unknown channel type": (CHANNELS_YAML.replace("type: bluesky", "type: blusky"), CALENDAR_YAML),
    "unknown default channel": (
        CHANNELS_YAML.replace("channels: [mastodon, bluesky]", "channels: [mastodon, bluesy]"),
        CALENDAR_YAML,
    ),
    "bad duration": (
        CHANNELS_YAML,
        CALENDAR_YAML.replace("max_lateness: 6h", "max_lateness: 6 hours"),
    ),
    "blackout ends before it starts": (
        CHANNELS_YAML,
        CALENDAR_YAML.replace(
            "from: 2026-12-24, to: 2026-12-26", "from: 2026-12-26, to: 2026-12-24"
        ),
    ),
    "secret in channels.yaml": (
        CHANNELS_YAML.replace("    token_env: SMMGEN_LINKEDIN_TOKEN\n", f"    token: {SECRET}\n"),
        CALENDAR_YAML,
    ),
    "empty channels.yaml": ("# nothing yet\n", CALENDAR_YAML),
    "calendar.yaml is a list": (CHANNELS_YAML, "- Mon 09:00\n"),
}
COMMANDS: dict[str, tuple[str, ...]] = {
    "plan": ("plan",),
    "plan --format json": ("plan", "--format", "json"),
    "plan --format ics": ("plan", "--format", "ics"),
    "show": ("show", "2026-12-01-hello"),
    "build": ("build",),
    "preview": ("preview",),
    "preview --format json": ("preview", "--format", "json"),
    "schedule": ("schedule",),
    "publish --dry-run": ("publish", "--dry-run"),
    "publish": ("publish",),
    "new": ("new", "Another post", "--at", "2026-12-02 09:00"),
    "ledger list": ("ledger", "list"),
    "channels verify": ("channels", "verify"),
}
UNSCHEDULED = "---\nid: later\ntitle: Later\n---\nNo time yet.\n"


def config_lines(output: str) -> list[str]:
    """The errors `check` prints about channels.yaml and calendar.yaml."""
    return [
        line
        for line in output.splitlines()
        if line.startswith(("channels.yaml:", "calendar.yaml:")) and ": error: " in line
    ]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".smmgen" not in p.parts
    }


def assert_stops_like_check(
    run: Any, root: Path, command: tuple[str, ...], expected: list[str] | None = None
) -> None:
    if expected is None:
        check = run("--root", root, "check")
        expected = config_lines(check.output)
        assert check.exit_code == 1 or not expected
    before = snapshot(root)
    result = run("--root", root, *command)
    assert "internal error" not in result.output
    assert SECRET not in result.output
    if not expected:  # not a configuration error: nothing to say about it
        assert "the configuration has" not in result.output
        return
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: the configuration has"), result.output
    for line in expected:  # file, line, key, message and hint, as check says them
        assert line in result.output
    assert snapshot(root) == before  # nothing written: no site, no post, no ledger, no feed


_CHECKED: dict[str, list[str]] = {}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("error", sorted(ERRORS))
def test_every_command_reports_a_configuration_error_as_check_does(  # type: ignore[no-untyped-def]
    run, make_project: MakeProject, command: str, error: str
) -> None:
    channels, calendar = ERRORS[error]
    root = make_project(
        channels=channels, calendar=calendar, posts={"hello.md": GOOD_POST, "later.md": UNSCHEDULED}
    )
    if error not in _CHECKED:  # what check says of it (the same in every project made so)
        check = run("--root", root, "check")
        assert check.exit_code == 1
        _CHECKED[error] = config_lines(check.output)
    assert _CHECKED[error], "the fixture must be a configuration error"
    assert_stops_like_check(run, root, COMMANDS[command], _CHECKED[error])


INSERTS = ["\t", ": ", "- ", "{", "]", "'", '"', "#", "\n  x: 1\n", "\nx", "@", "*a", "&a ", "?"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    file=st.sampled_from(["channels.yaml", "calendar.yaml"]),
    insert=st.sampled_from(INSERTS) | st.text(min_size=1, max_size=3),
    where=st.floats(min_value=0, max_value=1),
    zone_name=st.sampled_from(["Europe/Berlin", "Europe/Berlin "])
    | st.text(alphabet="abcdefghijklmnopqrstuvwxyzEAP/_", min_size=1, max_size=16),
    command=st.sampled_from(sorted(COMMANDS)),
)
def test_any_broken_configuration_stops_every_command(  # type: ignore[no-untyped-def]
    run, tmp_path_factory, file: str, insert: str, where: float, zone_name: str, command: str
) -> None:
    texts = {
        "channels.yaml": CHANNELS_YAML,
        "calendar.yaml": CALENDAR_YAML.replace("Europe/Berlin", zone_name.replace("\n", "")),
    }
    text = texts[file]
    at = int(where * len(text))
    texts[file] = text[:at] + insert + text[at:]
    root = tmp_path_factory.mktemp("config")
    for name, content in texts.items():
        write(root / name, content.encode("utf-8", "surrogatepass"))
    write(root / "content" / "hello.md", GOOD_POST)
    write(root / "content" / "later.md", UNSCHEDULED)
    assert_stops_like_check(run, root, COMMANDS[command])


# -- publish --dry-run tells time in the calendar's zone ---------------------------------------

HEADER = re.compile(r"^publish at (\d{4}-\d\d-\d\d \d\d:\d\d) (\S+) \((\d\d:\d\d) UTC\); dry run")


@pytest.mark.parametrize(
    "name", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "UTC"]
)
@pytest.mark.parametrize(
    "at",
    [
        "2026-11-25 12:00",
        "2026-11-25T11:00:00Z",
        "2026-07-01 23:30-07:00",
        "2027-03-28T01:30:00+00:00",
    ],
)
def test_the_dry_run_header_is_in_the_calendar_time_zone(  # type: ignore[no-untyped-def]
    run, make_project: MakeProject, name: str, at: str
) -> None:
    tz = ZoneInfo(name)
    root = make_project(calendar=f"timezone: {name}\n")
    text = run("--root", root, "publish", "--dry-run", "--at", at)
    assert text.exit_code == 0, text.output
    given_at = datetime.fromisoformat(at)
    instant = given_at if given_at.tzinfo else given_at.replace(tzinfo=tz)
    local = instant.astimezone(tz)
    match = HEADER.match(text.output)
    assert match, text.output
    assert match.groups() == (
        local.strftime("%Y-%m-%d %H:%M"),
        local.strftime("%Z"),
        instant.astimezone(UTC).strftime("%H:%M"),
    )
    markdown = run("--root", root, "publish", "--dry-run", "--at", at, "--format", "markdown")
    assert f"At {local:%Y-%m-%d %H:%M %Z}; ledger:" in markdown.output


def test_the_dry_run_header_without_at_is_now_in_the_calendar_time_zone(  # type: ignore[no-untyped-def]
    run, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMMGEN_AT")
    tz = ZoneInfo("Pacific/Chatham")  # +12:45 or +13:45: never UTC's clock
    root = make_project(calendar="timezone: Pacific/Chatham\n")
    result = run("--root", root, "publish", "--dry-run")
    match = HEADER.match(result.output)
    assert match, result.output
    shown = datetime.strptime(match[1], "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    assert abs(shown - datetime.now(tz)) < timedelta(minutes=2)
    assert match[2] == datetime.now(tz).strftime("%Z")
