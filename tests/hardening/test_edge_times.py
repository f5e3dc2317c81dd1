"""Issue 11, class 11: edge times.

Any date and time that can be written, in any time zone, with any offset, is
an instant smmgen uses (far enough inside what Python can hold that nothing
computed from it overflows) or a clear refusal: a finding with file, line and
key for ``publish_at``, a usage error for ``--at``. No command ever fails with
an internal error on one, and a post with such a time never keeps the others
from being checked, planned, built or published. RFC 3339's space instead of
the ``T`` is accepted.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmgen.errors import TimeError
from smmgen.networks.bluesky.tid import is_tid, record_key
from smmgen.times import EARLIEST, LATEST, parse_when, zone
from tests.conftest import CHANNELS_YAML, MakeProject, write


def _usable(name: str) -> bool:
    try:
        zone(name)
    except TimeError:
        return False
    return True


ZONES = sorted(z for z in available_timezones() if _usable(z))
FIRST = datetime(1, 1, 1)
LAST = datetime(9999, 12, 31, 23, 59)
BOUNDARY_WALLS = [
    FIRST,
    datetime(1, 1, 1, 23, 59),
    datetime(1, 1, 2),
    datetime(999, 12, 31, 23, 59),
    datetime(1000, 1, 1),
    datetime(1000, 1, 1, 0, 1),
    datetime(1000, 1, 2),
    datetime(1969, 12, 31, 23, 59),
    datetime(1970, 1, 1),
    datetime(2038, 1, 19, 3, 14),
    datetime(2255, 6, 5, 23, 47),  # the last second a TID can hold
    datetime(2255, 6, 6),
    datetime(8999, 12, 30, 12),
    datetime(8999, 12, 31, 23, 59),
    datetime(9000, 1, 1),
    datetime(9999, 12, 30, 23, 59),
    datetime(9999, 12, 31),
    LAST,
]
FORMS = ("local", "local-seconds", "offset", "rfc3339-space", "z", "lowercase")


@lru_cache(maxsize=256)
def dst_edges(name: str, year: int) -> tuple[datetime, ...]:
    """Wall-clock times around each change of ``name``'s offset in ``year``: the
    minute before, at and after each end of a skipped or repeated interval."""
    tz = ZoneInfo(name)
    start = datetime(year, 1, 1, tzinfo=UTC)
    edges: list[datetime] = []
    previous = None
    for hour in range(0, 366 * 24, 3):
        try:
            instant = start + timedelta(hours=hour)
            offset = instant.astimezone(tz).utcoffset()
        except OverflowError:
            break
        if previous is not None and offset != previous[1]:
            low, high = previous[0], instant  # the change happens in (low, high]
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == previous[1]:
                    low = middle
                else:
                    high = middle
            change = high.replace(second=0, microsecond=0, tzinfo=None)
            for before_after in (previous[1], offset):
                assert before_after is not None
                wall = change + before_after
                edges += [wall - timedelta(minutes=1), wall, wall + timedelta(minutes=1)]
        previous = (instant, offset)
    return tuple(edges)


@st.composite
def wall_times(draw: st.DrawFn, name: str) -> datetime:
    kind = draw(st.sampled_from(["any", "boundary", "dst"]))
    if kind == "dst":
        year = draw(st.sampled_from([1000, 1916, 1970, 2026, 2027, 2255, 8999, 9999]))
        edges = dst_edges(name, year)
        if edges:
            return draw(st.sampled_from(edges))
    if kind == "any":
        return draw(st.datetimes(min_value=FIRST, max_value=LAST)).replace(second=0, microsecond=0)
    return draw(st.sampled_from(BOUNDARY_WALLS))


def offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def written(wall: datetime, form: str, minutes: int) -> str:
    """``wall`` as someone would write it in ``publish_at`` or ``--at``."""
    if form == "local":
        return wall.isoformat(" ", "minutes")
    if form == "local-seconds":
        return wall.isoformat(" ", "seconds")
    if form == "offset":
        return wall.isoformat("T", "seconds") + offset_text(minutes)
    if form == "rfc3339-space":
        return wall.isoformat(" ", "seconds") + offset_text(minutes)
    if form == "z":
        return wall.isoformat("T", "seconds") + "Z"
    return wall.isoformat("t", "seconds") + "z"  # RFC 3339 allows lower case


def meant(wall: datetime, form: str, minutes: int) -> datetime | None:
    """The instant a time written with an offset means (None: a local time, or
    one Python cannot hold in UTC)."""
    if form.startswith("local"):
        return None
    fixed = timezone(timedelta(minutes=0 if form in ("z", "lowercase") else minutes))
    try:
        return wall.replace(tzinfo=fixed).astimezone(UTC)
    except OverflowError:
        return None


def assert_usable(when: datetime, tz: ZoneInfo) -> None:
    """What smmgen computes from a time does not overflow."""
    instant = when.astimezone(UTC)
    assert EARLIEST <= instant <= LATEST
    for delta in (timedelta(0), -timedelta(days=366 + 7), timedelta(days=801)):
        (instant + delta).astimezone(tz).isoformat()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d", when.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    )


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.sampled_from(FORMS),
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
    st.data(),
)
def test_any_written_time_is_a_usable_instant_or_a_clear_refusal(
    name: str, form: str, minutes: int, data: st.DataObject
) -> None:
    tz = zone(name)
    wall = data.draw(wall_times(name))
    if form == "local":  # written to the minute: judged as written (LMT edges have seconds)
        wall = wall.replace(second=0, microsecond=0)
    text = written(wall, form, minutes)
    expected = meant(wall, form, minutes)
    try:
        when = parse_when(text, tz)
    except TimeError as exc:
        message = str(exc)
        if "out of the range of dates smmgen can use" in message:
            assert f"'{text}'" in message
            if form.startswith("local"):
                try:
                    expected = wall.replace(tzinfo=tz).astimezone(UTC)
                except OverflowError:
                    expected = None
            assert expected is None or not EARLIEST <= expected <= LATEST
        else:  # a local time that does not exist or happens twice
            assert form.startswith("local"), message
            assert wall.isoformat(" ", "minutes") in message
            assert (
                wall.replace(tzinfo=tz).utcoffset() != wall.replace(tzinfo=tz, fold=1).utcoffset()
            )
        return
    assert_usable(when, tz)
    if expected is not None:
        assert when == expected  # with a space or a T, the same instant
    else:
        assert when.replace(tzinfo=None) == wall


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(8999, 12, 30)))
def test_record_keys_exist_for_every_usable_time(when: datetime) -> None:
    assert is_tid(record_key("post", "bluesky", 0, when.replace(tzinfo=UTC)))


# -- every command, on projects with edge times -----------------------------------------------

CALENDAR = """\
timezone: {zone}
slots:
  default: ["Mon 09:00", "Wed 12:30", "Sun 23:59"]
blackout:
  - {{from: 0001-01-01, to: 0001-01-02, reason: The first days}}
  - {{from: 9999-12-31, to: 9999-12-31, reason: The last day}}
max_lateness: {lateness}
min_gap: {gap}
campaigns:
  always: {{from: 0001-01-01, to: 9999-12-31}}
"""
IN_RANGE_AT = [
    "2026-11-25 12:00",
    "1000-01-02T00:00:00Z",
    "1000-01-03T12:00:00Z",
    "8999-12-30T12:00:00Z",
    "8999-12-31T23:59:00Z",
]


def post(ident: str, when: str | None, channels: str, extra: str = "") -> str:
    at = f"publish_at: '{when}'\n" if when is not None else ""
    return f"---\nid: {ident}\n{at}channels: [{channels}]\n{extra}---\nHello from {ident}.\n"


def outputs(results: dict[str, Any]) -> str:
    return "\n".join(r.output for r in results.values())


def run_everything(run: Any, root: Path, at: str, ids: list[str]) -> dict[str, Any]:
    env = {"SMMGEN_AT": at}  # the commands without --at judge at it too
    base = ("--root", root)
    commands: dict[str, tuple[Any, ...]] = {
        "check": ("check", "--format", "json", "--no-cache", "--at", at),
        "plan": (
            "plan",
            "--format",
            "json",
            "--at",
            at,
            "--from",
            "0001-01-01",
            "--to",
            "9999-12-31",
        ),
        "plan-ics": ("plan", "--format", "ics", "--at", at),
        "plan-table": ("plan", "--at", at),
        "build": ("build", "--out", root / "site"),
        "publish": ("publish", "--dry-run", "--format", "json", "--at", at),
        "publish-text": ("publish", "--dry-run", "--at", at),
        "schedule": ("schedule", "--dry-run", "--at", at),
        "preview": ("preview", "--format", "json", "--at", at),
    }
    for ident in ids:
        commands[f"show {ident}"] = ("show", ident, "--format", "json")
    return {name: run(*base, *args, env=env) for name, args in commands.items()}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(ZONES),
    lateness=st.sampled_from(["0m", "6h", "366d"]),
    gap=st.sampled_from(["0m", "10m", "366d"]),
    data=st.data(),
)
def test_no_command_crashes_on_edge_times_and_other_posts_go_on(  # type: ignore[no-untyped-def]
    run, tmp_path_factory, name: str, lateness: str, gap: str, data: st.DataObject
) -> None:
    tz = zone(name)
    edges = []
    for _ in range(data.draw(st.integers(1, 3))):
        wall = data.draw(wall_times(name))
        form = data.draw(st.sampled_from(FORMS))
        minutes = data.draw(st.integers(-(24 * 60 - 1), 24 * 60 - 1))
        edges.append(written(wall, form, minutes))
    choices = list(IN_RANGE_AT)
    try:  # just after the first edge time, so that it is due (when smmgen can use it)
        first = parse_when(edges[0], tz).astimezone(UTC) + timedelta(minutes=1)
        if first <= LATEST:
            choices.append(first.isoformat())
    except TimeError:
        pass
    at = data.draw(st.sampled_from(choices))
    now = parse_when(at, tz)

    root = tmp_path_factory.mktemp("edge")
    write(root / "channels.yaml", CHANNELS_YAML)
    write(root / "calendar.yaml", CALENDAR.format(zone=name, lateness=lateness, gap=gap))
    write(root / "content" / "good.md", post("good", now.astimezone(UTC).isoformat(), "feed"))
    write(root / "content" / "later.md", post("later", None, "linkedin"))
    for number, value in enumerate(edges):
        extra = "campaign: always\n" if number % 2 else ""
        write(
            root / "content" / f"edge-{number}.md",
            post(f"edge-{number}", value, "mastodon, bluesky", extra),
        )

    results = run_everything(run, root, at, ["good"])
    text = outputs(results)
    assert "internal error" not in text
    assert "Traceback" not in text
    check = json.loads(results["check"].stdout)
    plan = json.loads(results["plan"].stdout)
    assert results["plan"].exit_code == 0
    planned = {item["post"] for item in plan["items"]}
    assert "good" in planned  # an edge time never blocks the others
    for item in plan["items"]:
        instant = datetime.fromisoformat(item["at_utc"].replace("Z", "+00:00"))
        assert EARLIEST <= instant <= LATEST
    for number, value in enumerate(edges):
        file = f"content/edge-{number}.md"
        if f"edge-{number}" in planned:
            continue
        found = [f for f in check["findings"] if f["file"] == file and f["severity"] == "error"]
        assert [(f["line"], f["key"], f["code"]) for f in found] == [(3, "publish_at", "bad-time")]
        assert value in found[0]["message"] or "clocks go" in found[0]["message"]
    assert results["show good"].exit_code == 0
    assert results["build"].exit_code in (0, 1)
    assert results["preview"].exit_code == 0
    assert results["schedule"].exit_code in (0, 1)
    for year in re.findall(r"publish_at (\d+)-", results["schedule"].output):
        assert 1000 <= int(year) <= 8999
    report = json.loads(results["publish"].stdout)
    outcome = {(i["post"], i["channel"]): i["outcome"] for i in report["items"]}
    assert outcome[("good", "feed")] == "would publish"
    errors = {f["file"] for f in check["findings"] if f["severity"] == "error"}
    for item in report["items"]:  # nothing fails that check finds no error in
        if item["outcome"] == "failed":
            assert f"content/{item['post']}.md" in errors, item
    assert results["publish"].exit_code == (
        1 if any(o == "failed" for o in outcome.values()) or report["not_loaded"] else 0
    )


OUT_OF_RANGE = [
    "0001-01-01T00:00:00+00:00",
    "0001-01-01 00:00",
    "0999-12-31T23:59:59Z",
    "9000-01-01T00:00:00Z",
    "9999-12-31 23:30",
    "9999-12-31T23:59:59-23:59",
]


@pytest.mark.parametrize("at", OUT_OF_RANGE)
def test_at_beyond_either_end_is_a_usage_error_for_every_command(  # type: ignore[no-untyped-def]
    run, make_project: MakeProject, at: str
) -> None:
    root = make_project(calendar="timezone: America/New_York\n")
    results = run_everything(run, root, at, ["2026-12-01-hello"])
    for name, result in results.items():
        assert result.exit_code == 2, (name, result.output)
        source = "SMMGEN_AT" if name.startswith(("show", "build")) else "--at"
        assert (
            f"error: {source}: '{at}' is out of the range of dates smmgen can use" in result.output
        )
        assert "internal error" not in result.output
    assert not (root / "site").exists()
    new = run("--root", root, "new", "A title", "--at", at)
    assert new.exit_code == 2
    assert "out of the range of dates smmgen can use" in new.output


def test_the_issue_example(run, make_project: MakeProject) -> None:  # type: ignore[no-untyped-def]
    """9999-12-31 23:30 in New York is in the year 10000 in UTC."""
    root = make_project(
        calendar="timezone: America/New_York\n",
        posts={
            "far.md": "---\nid: far\npublish_at: 9999-12-31 23:30\n---\nFar away.\n",
            "soon.md": "---\nid: soon\npublish_at: 2026-11-25 11:30\n---\nSoon.\n",
        },
    )
    check = run("--root", root, "check")
    assert check.exit_code == 1
    assert (
        "content/far.md:3: error: publish_at: '9999-12-31 23:30' is out of the range of dates"
        " smmgen can use: give a time from 1000-01-02 to 8999-12-31 (UTC)" in check.output
    )
    plan = run("--root", root, "plan", "--format", "json")
    assert [i["post"] for i in json.loads(plan.stdout)["items"]] == ["soon", "soon"]
    publish = run("--root", root, "publish", "--dry-run", "--format", "json")
    assert publish.exit_code == 1  # the far post does not load: it is reported
    report = json.loads(publish.stdout)
    assert {i["post"]: i["outcome"] for i in report["items"]} == {"soon": "would publish"}
    assert [f["file"] for f in report["not_loaded"]] == ["content/far.md"]
    assert run("--root", root, "show", "soon").exit_code == 0
    assert "internal error" not in run("--root", root, "build").output


@pytest.mark.parametrize(
    ("written_as", "instant"),
    [
        ("2027-01-04 09:00-05:00", "2027-01-04T14:00:00Z"),
        ("2027-01-04 09:00:00+05:30", "2027-01-04T03:30:00Z"),
        ("2027-01-04 09:00:00Z", "2027-01-04T09:00:00Z"),
        ("2027-01-04t09:00:00z", "2027-01-04T09:00:00Z"),
    ],
)
def test_rfc3339_with_a_space_in_publish_at_and_at(  # type: ignore[no-untyped-def]
    run, make_project: MakeProject, written_as: str, instant: str
) -> None:
    root = make_project(
        posts={"a.md": f"---\nid: a\npublish_at: {written_as}\nchannels: [feed]\n---\nHi.\n"}
    )
    assert run("--root", root, "check", "--at", written_as).exit_code == 0
    plan = json.loads(run("--root", root, "plan", "--format", "json", "--at", written_as).stdout)
    assert [(i["at_utc"], i["status"]) for i in plan["items"]] == [(instant, "due")]
    publish = run("--root", root, "publish", "--dry-run", "--format", "json", "--at", written_as)
    assert publish.exit_code == 0, publish.output
    assert [i["outcome"] for i in json.loads(publish.stdout)["items"]] == ["would publish"]


@given(
    st.datetimes(min_value=datetime(1000, 1, 3), max_value=datetime(8999, 12, 30)),
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
)
def test_a_space_or_a_t_is_the_same_instant(wall: datetime, minutes: int) -> None:
    wall = wall.replace(microsecond=0)
    with_t = parse_when(written(wall, "offset", minutes), zone("UTC"))
    with_space = parse_when(written(wall, "rfc3339-space", minutes), zone("UTC"))
    assert with_t == with_space == meant(wall, "offset", minutes)


@pytest.mark.parametrize("name", ["Pacific/Kiritimati", "Etc/GMT+12", "America/New_York", "UTC"])
@pytest.mark.parametrize(
    ("start", "end"),
    [("0001-01-01", "9999-12-31"), ("0001-01-01 00:00", "9999-12-31 23:59"), (None, "9999-12-31")],
)
def test_plan_from_and_to_at_the_ends_of_time(  # type: ignore[no-untyped-def]
    run, make_project: MakeProject, name: str, start: str | None, end: str
) -> None:
    root = make_project(calendar=f"timezone: {name}\n")
    args = [*(["--from", start] if start else []), "--to", end]
    result = run("--root", root, "plan", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    assert {i["post"] for i in json.loads(result.stdout)["items"]} == {"2026-12-01-hello"}
    assert run("--root", root, "plan", "--from", "9999-12-31").exit_code == 0


@pytest.mark.parametrize(
    "at", ["1000-01-02T00:30:00Z", "8999-12-20T12:00:00Z", "8999-12-31T23:00:00Z"]
)
def test_schedule_near_either_end_gives_usable_slots(
    run, make_project: MakeProject, at: str
) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        calendar='timezone: Pacific/Kiritimati\nslots:\n  default: ["Mon 09:00", "Sun 23:59"]\n',
        posts={"a.md": "---\nid: a\nchannels: [feed]\n---\nHi.\n"},
    )
    result = run("--root", root, "schedule", "--at", at)
    assert "internal error" not in result.output
    if result.exit_code == 0:  # written: the time loads again
        plan = json.loads(
            run("--root", root, "plan", "--format", "json", "--from", "0001-01-01").stdout
        )
        assert [i["post"] for i in plan["items"]] == ["a"]
    else:
        assert "cannot be scheduled" in result.output
        assert "publish_at" not in (root / "content" / "a.md").read_text()
