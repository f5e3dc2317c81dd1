"""smmgen plan: statuses at a given time, ranges, formats through the CLI."""

from __future__ import annotations

import json

from tests.conftest import CALENDAR_YAML, MakeProject


def post(name: str, when: str, extra: str = "") -> str:
    return f"---\nid: {name}\ntitle: {name}\npublish_at: {when}\n{extra}---\nText of {name}.\n"


POSTS = {
    "a.md": post("a", "2026-12-01 09:00"),
    "b.md": post("b", "2026-12-02 09:00"),
    "c.md": post("c", "2026-12-25 10:00"),  # in the blackout
    "d.md": post("d", "2026-12-02 12:00", "draft: true\n"),
    "e.md": post("e", "2026-12-03 09:00", "channels: [linkedin]\n"),
}


def plan_json(run, root, *args: str) -> list[dict]:
    result = run("--root", root, "plan", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema_version"] == 1
    assert data["timezone"] == "Europe/Berlin"
    return data["items"]


def statuses(items: list[dict]) -> list[tuple[str, str, str]]:
    return [(i["post"], i["channel"], i["status"]) for i in items]


def test_statuses_at_a_time(make_project: MakeProject, run) -> None:
    root = make_project(posts=POSTS)
    items = plan_json(run, root, "--at", "2026-12-02 10:00", "--from", "2026-11-01")
    assert statuses(items) == [
        ("a", "bluesky", "missed"),
        ("a", "mastodon", "missed"),
        ("b", "bluesky", "due"),
        ("b", "mastodon", "due"),
        ("d", "bluesky", "draft"),
        ("d", "mastodon", "draft"),
        ("e", "linkedin", "scheduled"),
        ("c", "bluesky", "blocked"),
        ("c", "mastodon", "blocked"),
    ]
    by_post = {(i["post"], i["channel"]): i for i in items}
    assert by_post[("a", "mastodon")]["reason"] == "1d1h late, more than max_lateness 6h"
    assert by_post[("c", "mastodon")]["reason"] == "blackout 2026-12-24 to 2026-12-26: Holidays"
    assert by_post[("b", "mastodon")]["at"] == "2026-12-02T09:00:00+01:00"
    assert by_post[("b", "mastodon")]["at_utc"].startswith("2026-12-02T08:00:00")


def test_default_range_starts_at_now_less_max_lateness(make_project: MakeProject, run) -> None:
    root = make_project(posts=POSTS)
    items = plan_json(run, root, "--at", "2026-12-02 10:00")
    assert {i["post"] for i in items} == {"b", "c", "d", "e"}  # a is 25h old, more than 6h


def test_from_and_to_take_whole_days(make_project: MakeProject, run) -> None:
    root = make_project(posts=POSTS)
    items = plan_json(
        run, root, "--at", "2026-11-25 10:00", "--from", "2026-12-02", "--to", "2026-12-02"
    )
    assert {i["post"] for i in items} == {"b", "d"}


def test_freeze_blocks_everything_with_its_reason(make_project: MakeProject, run) -> None:
    calendar = CALENDAR_YAML + 'freeze: {reason: "Incident 42"}\n'
    root = make_project(calendar=calendar, posts=POSTS)
    items = plan_json(run, root, "--at", "2026-11-25 10:00")
    assert {i["status"] for i in items if i["post"] != "d"} == {"blocked"}
    assert {i["reason"] for i in items if i["post"] in ("a", "b")} == {
        "publishing is frozen: Incident 42"
    }


def test_table_shows_local_and_utc(make_project: MakeProject, run) -> None:
    root = make_project(posts=POSTS)
    result = run("--root", root, "plan", "--at", "2026-11-25 10:00", "--to", "2026-12-01")
    assert result.exit_code == 0
    rows = [line for line in result.output.splitlines() if line.startswith("2026-12-01")]
    assert len(rows) == 2
    assert all("2026-12-01 09:00 CET" in r and "08:00" in r for r in rows)


def test_ics_is_written_as_bytes(make_project: MakeProject, run) -> None:
    root = make_project(posts=POSTS)
    result = run("--root", root, "plan", "--format", "ics", "--at", "2026-11-25 10:00")
    assert result.exit_code == 0
    assert result.output.startswith("BEGIN:VCALENDAR")
    # one event per post and time: a, b, c (two channels each) and e; d is a draft
    assert result.output.count("BEGIN:VEVENT") == 4
    assert "CATEGORIES:bluesky,mastodon\n" in result.output


def test_bad_range(make_project: MakeProject, run) -> None:
    root = make_project(posts=POSTS)
    result = run("--root", root, "plan", "--from", "2026-12-05", "--to", "2026-12-01")
    assert result.exit_code == 2
    assert "--to is before --from" in result.output
    result = run("--root", root, "plan", "--from", "soon")
    assert result.exit_code == 2
    assert "--from: 'soon' is not a date and time" in result.output
