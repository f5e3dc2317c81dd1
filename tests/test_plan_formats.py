"""``smmgen plan`` output formats: table, JSON, Markdown and the iCalendar feed.

The items are built by hand on the nights clocks change, so every format has to
show the wall clock and the UTC instant of a time that happens twice (clocks go
back) or right after a gap (clocks go forward), including a 30-minute-offset zone.
The iCalendar feed is read back with two independent parsers, ``icalendar`` and
``vobject``, and both must yield exactly the instants that went in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import click
import icalendar
import pytest
import vobject  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from smmgen.calendar.plan import PlanItem
from smmgen.report.plan import (
    NOTHING_PLANNED,
    PRODID,
    as_ics,
    as_json,
    as_markdown,
    as_table,
    markdown_cell,
    preview,
    summary,
    uid,
)
from smmgen.status import Status

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """A wall-clock time on a DST night and what it must come out as."""

    zone: str
    wall: str  # YYYY-MM-DD HH:MM in ``zone``
    fold: int  # 0: the first of two equal wall times, 1: the second
    utc: datetime  # the instant, written out by hand
    abbr: str  # the zone abbreviation at that instant
    offset: str  # the UTC offset at that instant

    @property
    def at(self) -> datetime:
        naive = datetime.fromisoformat(self.wall)
        return naive.replace(tzinfo=ZoneInfo(self.zone), fold=self.fold)

    @property
    def id(self) -> str:
        return f"{self.zone} {self.wall} {self.abbr}"


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


CASES = [
    # Europe/Berlin, clocks go back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice.
    Case("Europe/Berlin", "2026-10-25 01:30", 0, utc(2026, 10, 24, 23, 30), "CEST", "+02:00"),
    Case("Europe/Berlin", "2026-10-25 02:30", 0, utc(2026, 10, 25, 0, 30), "CEST", "+02:00"),
    Case("Europe/Berlin", "2026-10-25 02:30", 1, utc(2026, 10, 25, 1, 30), "CET", "+01:00"),
    Case("Europe/Berlin", "2026-10-25 03:30", 0, utc(2026, 10, 25, 2, 30), "CET", "+01:00"),
    # Europe/Berlin, clocks go forward 2027-03-28 02:00 CET -> 03:00 CEST: no 02:30.
    Case("Europe/Berlin", "2027-03-28 01:30", 0, utc(2027, 3, 28, 0, 30), "CET", "+01:00"),
    Case("Europe/Berlin", "2027-03-28 03:30", 0, utc(2027, 3, 28, 1, 30), "CEST", "+02:00"),
    # America/New_York, clocks go back 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 happens twice.
    Case("America/New_York", "2026-11-01 01:30", 0, utc(2026, 11, 1, 5, 30), "EDT", "-04:00"),
    Case("America/New_York", "2026-11-01 01:30", 1, utc(2026, 11, 1, 6, 30), "EST", "-05:00"),
    Case("America/New_York", "2026-11-01 03:30", 0, utc(2026, 11, 1, 8, 30), "EST", "-05:00"),
    Case("America/New_York", "2026-10-31 21:30", 0, utc(2026, 11, 1, 1, 30), "EDT", "-04:00"),
    # America/New_York, clocks go forward 2027-03-14 02:00 EST -> 03:00 EDT.
    Case("America/New_York", "2027-03-14 01:30", 0, utc(2027, 3, 14, 6, 30), "EST", "-05:00"),
    Case("America/New_York", "2027-03-14 03:30", 0, utc(2027, 3, 14, 7, 30), "EDT", "-04:00"),
    # Australia/Adelaide (+09:30 ACST / +10:30 ACDT), forward 2026-10-04 02:00 -> 03:00.
    Case("Australia/Adelaide", "2026-10-04 01:30", 0, utc(2026, 10, 3, 16, 0), "ACST", "+09:30"),
    Case("Australia/Adelaide", "2026-10-04 03:30", 0, utc(2026, 10, 3, 17, 0), "ACDT", "+10:30"),
    # Australia/Adelaide, back 2027-04-04 03:00 ACDT -> 02:00 ACST: 02:30 happens twice.
    Case("Australia/Adelaide", "2027-04-04 01:30", 0, utc(2027, 4, 3, 15, 0), "ACDT", "+10:30"),
    Case("Australia/Adelaide", "2027-04-04 02:30", 0, utc(2027, 4, 3, 16, 0), "ACDT", "+10:30"),
    Case("Australia/Adelaide", "2027-04-04 02:30", 1, utc(2027, 4, 3, 17, 0), "ACST", "+09:30"),
    Case("Australia/Adelaide", "2027-04-04 03:30", 0, utc(2027, 4, 3, 18, 0), "ACST", "+09:30"),
    Case("Australia/Adelaide", "2027-04-04 10:30", 0, utc(2027, 4, 4, 1, 0), "ACST", "+09:30"),
]
ZONES = sorted({case.zone for case in CASES})
CHANNELS = ["mastodon", "bluesky", "linkedin"]
STATUSES: list[tuple[Status, str | None]] = [
    ("scheduled", None),
    ("due", None),
    ("blocked", "blackout: Holidays"),
    ("missed", "later than max_lateness (6h)"),
]


def make_item(at: datetime, **changes: Any) -> PlanItem:
    fields: dict[str, Any] = {
        "post": "2026-10-25-launch",
        "channel": "mastodon",
        "network": "mastodon",
        "title": "Launch",
        "file": "content/2026-10-25-launch.md",
        "at": at,
        "status": "scheduled",
    }
    fields.update(changes)
    return PlanItem(**fields)


def plan_for(zone: str) -> list[PlanItem]:
    """Every case of ``zone`` as one item, channels and statuses taking turns, sorted by time."""
    cases = sorted((c for c in CASES if c.zone == zone), key=lambda c: c.utc)
    items = []
    for n, case in enumerate(cases):
        status, reason = STATUSES[n % len(STATUSES)]
        items.append(
            make_item(
                case.at,
                post=f"nightly/{case.wall[:10]}/{case.wall[11:13]}{case.wall[14:]}-{case.fold}",
                channel=CHANNELS[n % len(CHANNELS)],
                network=CHANNELS[n % len(CHANNELS)],
                title=None if n % 2 else f"Post {n}, at {case.wall}; {case.abbr}",
                status=status,
                reason=reason,
                text=f"Post number {n} at {case.wall} {case.abbr}.\nSecond line.",
                campaign="dst" if n % 3 == 0 else None,
            )
        )
    return items


def cases_of(zone: str) -> list[Case]:
    return sorted((c for c in CASES if c.zone == zone), key=lambda c: c.utc)


def test_the_cases_are_what_they_say() -> None:
    """The hand-written instants agree with the tz database: the test data itself is right."""
    for case in CASES:
        assert case.at.astimezone(UTC) == case.utc, case.id
        assert case.at.tzname() == case.abbr, case.id
        assert case.at.isoformat().endswith(case.offset), case.id
    # the two 02:30s on a night clocks go back are different instants one hour apart
    repeated = [c for c in CASES if c.fold == 1]
    assert len(repeated) == 3


# --- table ---------------------------------------------------------------------------------


def table_rows(table: str) -> list[str]:
    return table.splitlines()[1:-1]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_table_shows_local_time_with_zone_and_utc(case: Case) -> None:
    text = as_table([make_item(case.at)], case.zone)
    header, row, tail = text.splitlines()
    local = f"{case.wall} {case.abbr}"
    utc_text = case.utc.strftime("%H:%M")
    if case.utc.date().isoformat() != case.wall[:10]:
        utc_text = case.utc.strftime("%Y-%m-%d %H:%M")  # the UTC date when it differs
    assert re.match(rf"^{re.escape(local)}\s+{re.escape(utc_text)}\s+mastodon\s", row), row
    assert header.split()[:6] == ["LOCAL", "TIME", "UTC", "CHANNEL", "STATUS", "POST"]
    assert tail == "1 item on 1 channel: 1 scheduled, 0 due, 0 blocked, 0 missed"


@pytest.mark.parametrize("zone", ZONES)
def test_table_of_a_dst_night(zone: str) -> None:
    items = plan_for(zone)
    text = as_table(items, zone)
    rows = table_rows(text)
    assert len(rows) == len(items)
    for row, item, case in zip(rows, items, cases_of(zone), strict=True):
        assert row.startswith(f"{case.wall} {case.abbr}")
        assert f" {case.utc:%H:%M}  {item.channel} " in row
        assert item.post in row
        assert "Post number" in row
        assert "Second line" not in row  # the first line only
        if item.reason:
            assert f"{item.status} ({item.reason})" in row
    # the columns line up: every row has its channel at the same position as the header
    channel_at = text.splitlines()[0].index("CHANNEL")
    for row, item in zip(rows, items, strict=True):
        assert row[channel_at:].startswith(item.channel), row
    assert text.splitlines()[-1] == summary(items)


def test_table_repeated_wall_time_is_told_apart_by_zone_and_utc() -> None:
    first, second = (c for c in CASES if c.zone == "Europe/Berlin" and c.wall.endswith("02:30"))
    rows = table_rows(as_table([make_item(first.at), make_item(second.at)], "Europe/Berlin"))
    assert rows[0].startswith("2026-10-25 02:30 CEST")
    assert " 00:30 " in rows[0]
    assert rows[1].startswith("2026-10-25 02:30 CET ")
    assert " 01:30 " in rows[1]


def test_table_summary_counts_statuses_and_channels() -> None:
    at = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    statuses: list[Status] = ["scheduled", "scheduled", "due", "blocked", "missed", "draft"]
    items = [
        make_item(at + timedelta(hours=n), channel=CHANNELS[n % 2], status=status)
        for n, status in enumerate(statuses)
    ]
    text = as_table(items, "Europe/Berlin")
    assert text.splitlines()[-1] == (
        "6 items on 2 channels: 2 scheduled, 1 due, 1 blocked, 1 missed, 1 draft"
    )
    assert summary(items[:2]) == "2 items on 2 channels: 2 scheduled, 0 due, 0 blocked, 0 missed"


def test_table_of_nothing() -> None:
    assert as_table([], "Europe/Berlin") == NOTHING_PLANNED == "nothing planned"
    assert as_markdown([], "Europe/Berlin") == "nothing planned"


def test_table_colours_only_the_status_word_and_only_when_asked() -> None:
    items = plan_for("Europe/Berlin")
    plain = as_table(items, "Europe/Berlin")
    coloured = as_table(items, "Europe/Berlin", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured
    assert click.unstyle(coloured) == plain
    blocked = next(line for line in coloured.splitlines() if "blocked" in line)
    assert re.search(r"\x1b\[[0-9;]*mblocked\x1b\[0m \(blackout: Holidays\)", blocked)


def test_preview_is_the_first_line_cut_with_an_ellipsis() -> None:
    assert preview("\n\n  First line  \nsecond") == "First line"
    assert preview("") == ""
    long = "word " * 30
    cut = preview(long)
    assert len(cut) <= 50
    assert cut.endswith("…")
    assert cut.startswith("word word")
    assert preview("x" * 50) == "x" * 50
    assert preview("x" * 51) == "x" * 49 + "…"
    assert preview("tab\there \x1b[31mred") == "tab here [31mred"  # no raw escape reaches a TTY
    assert preview("family 👨\u200d👩\u200d👧") == "family 👨\u200d👩\u200d👧"


# --- JSON ----------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ZONES)
def test_json_round_trips_with_exact_instants(zone: str) -> None:
    items = plan_for(zone)
    data = json.loads(as_json(items, zone, NOW))
    assert data["schema_version"] == 1
    assert data["timezone"] == zone
    assert data["generated_at"] == "2026-09-01T08:00:00Z"
    assert len(data["items"]) == len(items)
    for entry, item, case in zip(data["items"], items, cases_of(zone), strict=True):
        assert list(entry) == [
            "post",
            "channel",
            "network",
            "title",
            "file",
            "at",
            "at_utc",
            "status",
            "reason",
            "text",
            "campaign",
            "price",
        ]
        at_utc = datetime.fromisoformat(entry["at_utc"])
        assert entry["at_utc"].endswith(("Z", "+00:00"))
        assert at_utc.utcoffset() == timedelta(0)
        assert at_utc == case.utc
        assert entry["at"] == f"{case.wall.replace(' ', 'T')}:00{case.offset}"
        assert datetime.fromisoformat(entry["at"]) == case.utc
        fields = {key: value for key, value in entry.items() if key != "at_utc"}
        fields["at"] = datetime.fromisoformat(entry["at"]).astimezone(ZoneInfo(zone))
        back = PlanItem(**fields)
        # same tzinfo compares wall clocks and ignores fold, so compare the instants too
        assert back.at.astimezone(UTC) == item.at.astimezone(UTC)
        assert back.at.tzname() == item.at.tzname()
        assert replace(back, at=item.at) == item


def test_json_of_nothing_and_generated_at_in_utc() -> None:
    now = datetime(2026, 10, 25, 2, 30, 15, 999, tzinfo=ZoneInfo("Europe/Berlin"), fold=1)
    data = json.loads(as_json([], "Europe/Berlin", now))
    assert data == {
        "schema_version": 1,
        "timezone": "Europe/Berlin",
        "generated_at": "2026-10-25T01:30:15Z",
        "items": [],
    }


def test_json_keeps_text_and_unicode_as_is() -> None:
    at = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    text = 'Grüße 👋 "quoted" | pipe\nline two'
    out = as_json([make_item(at, text=text)], "Europe/Berlin", NOW)
    assert "Grüße 👋" in out
    assert json.loads(out)["items"][0]["text"] == text


# --- Markdown ------------------------------------------------------------------------------


def github_markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def inline_text(token: Token) -> str:
    """What a reader sees in an inline token: text, code, and ``<br>`` as a line break."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak", "html_inline"):
            assert child.type != "html_inline" or child.content == "<br>", child.content
            parts.append("\n")
        elif child.content:
            parts.append(child.content)
    return "".join(parts)


def markdown_tables(text: str) -> list[tuple[str, list[list[str]]]]:
    """Each table with the ``###`` heading above it, as rows of cell texts (header first)."""
    tokens = github_markdown().parse(text)
    tables: list[tuple[str, list[list[str]]]] = []
    heading = ""
    rows: list[list[str]] = []
    for n, token in enumerate(tokens):
        if token.type == "heading_open":
            assert token.tag == "h3"
            heading = inline_text(tokens[n + 1])
        elif token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and tokens[n - 1].type in ("th_open", "td_open"):
            rows[-1].append(inline_text(token))
        elif token.type == "table_close":
            tables.append((heading, rows))
    return tables


@pytest.mark.parametrize("zone", ZONES)
def test_markdown_is_a_table_per_local_date(zone: str) -> None:
    items = plan_for(zone)
    text = as_markdown(items, zone)
    tables = markdown_tables(text)
    cases = cases_of(zone)
    dates = sorted({case.wall[:10] for case in cases})
    assert [heading[:10] for heading, _ in tables] == dates
    cells = []
    for heading, rows in tables:
        assert rows[0] == ["Local time", "UTC", "Channel", "Status", "Post", "Text"]
        assert all(len(row) == 6 for row in rows)
        cells += [(heading, row) for row in rows[1:]]
    assert len(cells) == len(items)
    for (heading, row), item, case in zip(cells, items, cases, strict=True):
        assert heading.startswith(case.wall[:10])
        local, utc_text, channel, status, post, preview_text = row
        assert local == f"{case.wall[11:]} {case.abbr}"
        same_day = case.utc.date().isoformat() == case.wall[:10]
        assert utc_text == case.utc.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
        assert channel == item.channel
        assert status == (f"{item.status} ({item.reason})" if item.reason else item.status)
        assert post == item.post
        assert preview_text == preview(item.text)
    assert text.rstrip().splitlines()[-1] == summary(items)


def test_markdown_heading_names_the_weekday() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    items = [
        make_item(datetime(2026, 10, 25, 2, 30, tzinfo=berlin)),
        make_item(datetime(2026, 10, 26, 9, 0, tzinfo=berlin)),
    ]
    headings = re.findall(r"^### .*$", as_markdown(items, "Europe/Berlin"), re.MULTILINE)
    assert headings == ["### 2026-10-25 (Sunday)", "### 2026-10-26 (Monday)"]


def test_markdown_cells_keep_pipes_backslashes_and_markup_literal() -> None:
    at = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    nasty = r"a | b \| c \ d *not bold* _x_ `code` <b>html</b> [link](x) ~~s~~ &amp;"
    items = [
        make_item(at, text=nasty, reason="why | not", status="blocked"),
        make_item(at, post="p|q", channel="x", text="first\nsecond"),
    ]
    (_, rows), *_ = markdown_tables(as_markdown(items, "Europe/Berlin"))
    assert len(rows) == 3
    assert all(len(row) == 6 for row in rows)
    assert rows[1][5] == preview(nasty)
    assert rows[1][3] == "blocked (why | not)"
    assert rows[2][4] == "p|q"
    assert rows[2][5] == "first"
    # a cell with a line break stays one cell and shows the break
    (_, rows), *_ = markdown_tables(
        "| a |\n|---|\n| " + markdown_cell("one | two\nthree\\") + " |\n"
    )
    assert rows[1] == ["one | two\nthree\\"]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t")))
@settings(max_examples=300, deadline=None)
def test_any_text_is_one_markdown_cell_shown_as_written(text: str) -> None:
    (_, rows), *_ = markdown_tables(f"| a | b |\n|---|---|\n| {markdown_cell(text)} | end |\n")
    shown = "\n".join(line.replace("\t", " ").strip() for line in text.strip().splitlines())
    assert rows[1] == [shown, "end"]


# --- iCalendar -----------------------------------------------------------------------------


def expected_events(items: list[PlanItem]) -> list[PlanItem]:
    return [item for item in items if item.status != "draft"]


ICS_STATUS = {"scheduled": "CONFIRMED", "due": "CONFIRMED", "blocked": "TENTATIVE"}
ICS_STATUS["missed"] = "CANCELLED"


def check_with_icalendar(feed: bytes, items: list[PlanItem], zone: str) -> None:
    calendar = icalendar.Calendar.from_ical(feed)
    assert calendar["PRODID"] == PRODID == "-//smmgen//plan//EN"
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "smmgen plan"
    assert calendar["X-WR-TIMEZONE"] == zone
    events = calendar.walk("VEVENT")
    wanted = expected_events(items)
    assert len(events) == len(wanted)
    assert len({str(event["UID"]) for event in events}) == len(events)
    for event, item in zip(events, wanted, strict=True):
        assert isinstance(event, icalendar.Event)
        start = event.decoded("DTSTART")
        assert isinstance(start, datetime)
        assert start.utcoffset() == timedelta(0)
        assert start == item.at.astimezone(UTC)
        assert event.decoded("DURATION") == timedelta(minutes=15)
        assert event.decoded("DTSTAMP") == NOW
        assert str(event["UID"]) == f"{item.post}/{item.channel}@smmgen"
        assert str(event["SUMMARY"]) == f"[{item.channel}] {item.title or item.post}"
        assert event["CATEGORIES"].to_ical() == item.channel.encode()
        assert str(event["STATUS"]) == ICS_STATUS[item.status]
        description = str(event["DESCRIPTION"])
        assert description.startswith(item.text.strip())
        assert f"Status: {item.status}" in description
        if item.reason:
            assert item.reason in description


def check_with_vobject(feed: bytes, items: list[PlanItem], zone: str) -> None:
    calendar = vobject.readOne(feed.decode("utf-8"))
    assert calendar.prodid.value == PRODID
    assert calendar.version.value == "2.0"
    assert calendar.method.value == "PUBLISH"
    assert calendar.contents["x-wr-timezone"][0].value == zone
    events = calendar.contents.get("vevent", [])
    wanted = expected_events(items)
    assert len(events) == len(wanted)
    assert len({event.uid.value for event in events}) == len(events)
    for event, item in zip(events, wanted, strict=True):
        start = event.dtstart.value
        assert start.utcoffset() == timedelta(0)
        assert start == item.at.astimezone(UTC)
        assert event.duration.value == timedelta(minutes=15)
        assert event.dtstamp.value == NOW
        assert event.uid.value == f"{item.post}/{item.channel}@smmgen"
        assert event.summary.value == f"[{item.channel}] {item.title or item.post}"
        assert event.categories.value == [item.channel]
        assert event.status.value == ICS_STATUS[item.status]
        assert event.description.value.startswith(item.text.strip())


@pytest.mark.parametrize("zone", ZONES)
def test_ics_parses_with_two_libraries_and_exact_instants(zone: str) -> None:
    items = plan_for(zone)
    feed = as_ics(items, zone, NOW)
    check_with_icalendar(feed, items, zone)
    check_with_vobject(feed, items, zone)
    # and the instants are the hand-written ones, in UTC form in the file itself
    for case in cases_of(zone):
        assert f"DTSTART:{case.utc:%Y%m%dT%H%M%S}Z\r\n".encode() in feed


def test_ics_has_every_dst_case_once() -> None:
    items = sorted((make_item(c.at, post=c.id) for c in CASES), key=lambda i: i.at.timestamp())
    feed = as_ics(items, "UTC", NOW)
    starts = sorted(
        event.decoded("DTSTART") for event in icalendar.Calendar.from_ical(feed).walk("VEVENT")
    )
    assert starts == sorted(case.utc for case in CASES)
    vobject_starts = sorted(e.dtstart.value for e in vobject.readOne(feed.decode()).vevent_list)
    assert vobject_starts == starts


def test_ics_leaves_out_drafts_and_maps_statuses() -> None:
    at = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    statuses: list[Status] = ["scheduled", "due", "blocked", "missed", "draft"]
    items = [
        make_item(at + timedelta(hours=n), post=f"p{n}", status=status)
        for n, status in enumerate(statuses)
    ]
    feed = as_ics(items, "Europe/Berlin", NOW)
    events = icalendar.Calendar.from_ical(feed).walk("VEVENT")
    assert [str(e["STATUS"]) for e in events] == [
        "CONFIRMED",
        "CONFIRMED",
        "TENTATIVE",
        "CANCELLED",
    ]
    assert b"p4/" not in feed
    check_with_vobject(feed, items, "Europe/Berlin")


def test_ics_is_deterministic_and_well_formed() -> None:
    items = plan_for("Australia/Adelaide")
    feed = as_ics(items, "Australia/Adelaide", NOW)
    assert feed == as_ics(list(items), "Australia/Adelaide", NOW)
    assert feed.startswith(b"BEGIN:VCALENDAR\r\n")
    assert feed.endswith(b"END:VCALENDAR\r\n")
    lines = feed.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and len(line) <= 75 for line in lines)
    # only DTSTAMP depends on when the feed was made
    later = as_ics(items, "Australia/Adelaide", NOW + timedelta(days=1))
    changed = set(feed.split(b"\r\n")) ^ set(later.split(b"\r\n"))
    assert changed == {b"DTSTAMP:20260901T080000Z", b"DTSTAMP:20260902T080000Z"}


def test_ics_golden() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    items = [
        make_item(
            datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=1),
            post="blog/2026/launch",
            title="v2, launched; at last",
            text="v2 is out!\nRead more.",
            campaign="v2-launch",
        ),
        make_item(  # the same post at the same time on another channel: the same event
            datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=1),
            post="blog/2026/launch",
            channel="bluesky",
            network="bluesky",
            title="v2, launched; at last",
            text="v2 is out!\nRead more.",
            campaign="v2-launch",
        ),
        make_item(
            datetime(2026, 12, 24, 9, 0, tzinfo=berlin),
            post="xmas",
            channel="bluesky",
            network="bluesky",
            title=None,
            file="content/xmas.md",
            status="blocked",
            reason="blackout: Holidays",
            text="",
        ),
    ]
    expected = (
        "BEGIN:VCALENDAR\r\n"
        "PRODID:-//smmgen//plan//EN\r\n"
        "VERSION:2.0\r\n"
        "CALSCALE:GREGORIAN\r\n"
        "METHOD:PUBLISH\r\n"
        "X-WR-CALNAME:Team posts\r\n"
        "X-WR-TIMEZONE:Europe/Berlin\r\n"
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"
        "X-PUBLISHED-TTL:PT1H\r\n"
        "BEGIN:VEVENT\r\n"
        "UID:blog/2026/launch/bluesky@smmgen\r\n"
        "DTSTAMP:20260901T080000Z\r\n"
        "DTSTART:20261025T013000Z\r\n"
        "DURATION:PT15M\r\n"
        "SUMMARY:[bluesky\\, mastodon] v2\\, launched\\; at last\r\n"
        "DESCRIPTION:v2 is out!\\nRead more.\\n\\nStatus: scheduled\\n\\nPost: blog/2026\r\n"
        " /launch\\nChannels: bluesky (bluesky)\\, mastodon (mastodon)\\nCampaign: v2-l\r\n"
        " aunch\\nFile: content/2026-10-25-launch.md\r\n"
        "CATEGORIES:bluesky,mastodon\r\n"
        "STATUS:CONFIRMED\r\n"
        "TRANSP:TRANSPARENT\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\n"
        "UID:xmas/bluesky@smmgen\r\n"
        "DTSTAMP:20260901T080000Z\r\n"
        "DTSTART:20261224T080000Z\r\n"
        "DURATION:PT15M\r\n"
        "SUMMARY:[bluesky] xmas\r\n"
        "DESCRIPTION:Status: blocked (blackout: Holidays)\\n\\nPost: xmas\\nChannels: \r\n"
        " bluesky (bluesky)\\nFile: content/xmas.md\r\n"
        "CATEGORIES:bluesky\r\n"
        "STATUS:TENTATIVE\r\n"
        "TRANSP:TRANSPARENT\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    assert as_ics(items, "Europe/Berlin", NOW, name="Team posts").decode() == expected


def test_ics_keeps_awkward_text_through_both_parsers() -> None:
    at = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    text = "Grüße 👋, semi; colon: back\\slash\nline two " + "long " * 30
    item = make_item(at, title="A, B; C: \\D", text=text)
    feed = as_ics([item], "Europe/Berlin", NOW)
    for line in feed.split(b"\r\n"):  # folded at 75 octets, never inside a character
        assert len(line) <= 75
        line.decode("utf-8")
    event = icalendar.Calendar.from_ical(feed).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "[mastodon] A, B; C: \\D"
    assert str(event["DESCRIPTION"]).startswith(text.strip())
    other = vobject.readOne(feed.decode()).vevent
    assert other.summary.value == "[mastodon] A, B; C: \\D"
    assert other.description.value.startswith(text.strip())


def test_ics_with_no_items_is_still_a_calendar() -> None:
    feed = as_ics([], "Europe/Berlin", NOW)
    assert icalendar.Calendar.from_ical(feed).walk("VEVENT") == []
    assert vobject.readOne(feed.decode()).prodid.value == PRODID


def test_uid_is_stable_and_unique_even_with_slashes() -> None:
    at = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    pairs = [("a/b", "c"), ("a", "b-c"), ("a/b/c", "d"), ("a-b", "c"), ("a", "b")]
    uids = [uid(make_item(at, post=post, channel=channel)) for post, channel in pairs]
    assert uids[0] == "a/b/c@smmgen"
    assert len(set(uids)) == len(uids)
    # the same post and channel at another time (rescheduled) keeps its UID
    assert uid(make_item(at + timedelta(days=3), post="a/b", channel="c")) == uids[0]


def decode_uid(value: str) -> tuple[str, str]:
    post, channel = value.removesuffix("@smmgen").rsplit("/", 1)
    return unquote(post), unquote(channel)


@given(
    post=st.text(min_size=1, max_size=20).filter(lambda s: "\x00" not in s),
    channel=st.text(min_size=1, max_size=12),
)
@settings(max_examples=200, deadline=None)
def test_uid_can_be_read_back_so_it_is_one_to_one(post: str, channel: str) -> None:
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert decode_uid(uid(make_item(at, post=post, channel=channel))) == (post, channel)


@given(
    zone=st.sampled_from(ZONES),
    instant=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ).map(lambda d: d.replace(second=0, microsecond=0)),
)
@settings(max_examples=100, deadline=None)
def test_every_format_gives_the_same_instant(zone: str, instant: datetime) -> None:
    item = make_item(instant.astimezone(ZoneInfo(zone)))
    row = table_rows(as_table([item], zone))[0]
    assert f"{instant:%H:%M}" in row.split("  mastodon")[0]
    entry = json.loads(as_json([item], zone, NOW))["items"][0]
    assert datetime.fromisoformat(entry["at_utc"]) == instant
    assert datetime.fromisoformat(entry["at"]) == instant
    feed = as_ics([item], zone, NOW)
    (event,) = icalendar.Calendar.from_ical(feed).walk("VEVENT")
    assert event.decoded("DTSTART") == instant
    assert vobject.readOne(feed.decode()).vevent.dtstart.value == instant
