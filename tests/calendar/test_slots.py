"""Weekly slots across DST changes: a slot never drifts an hour, a skipped time
is skipped, a doubled time is taken once (the first)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import islice

import pytest

from smmgen.calendar.slots import at_wall_clock, occurrences
from smmgen.times import zone

BERLIN = zone("Europe/Berlin")
NEW_YORK = zone("America/New_York")
ADELAIDE = zone("Australia/Adelaide")  # +09:30 / +10:30


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def first(slots: list[str], tz, after: str, count: int) -> list[str]:
    out = []
    for at in occurrences(slots, tz, utc(after)):
        out.append(at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"))
        if len(out) == count:
            break
    return out


def test_berlin_slots_keep_their_wall_clock_time_across_spring_forward() -> None:
    # Sunday 2027-03-28: clocks go from 02:00 CET to 03:00 CEST
    assert first(["Sat 09:00", "Sun 09:00", "Mon 09:00"], BERLIN, "2027-03-26 12:00", 3) == [
        "2027-03-27 08:00",  # CET, UTC+1
        "2027-03-28 07:00",  # CEST, UTC+2, the day of the change
        "2027-03-29 07:00",
    ]


def test_berlin_slots_across_fall_back() -> None:
    # Sunday 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET
    assert first(["Sat 09:00", "Sun 09:00"], BERLIN, "2026-10-23 12:00", 2) == [
        "2026-10-24 07:00",
        "2026-10-25 08:00",
    ]


def test_a_slot_in_the_skipped_hour_is_skipped_that_day() -> None:
    assert first(["Sun 02:30"], BERLIN, "2027-03-20 12:00", 2) == [
        "2027-03-21 01:30",
        "2027-04-04 00:30",  # 2027-03-28 02:30 does not exist
    ]


def test_a_slot_in_the_doubled_hour_is_taken_once_the_first() -> None:
    assert first(["Sun 01:30"], NEW_YORK, "2026-10-31 12:00", 2) == [
        "2026-11-01 05:30",  # 01:30 EDT, the first of the two
        "2026-11-08 06:30",
    ]


def test_new_york_spring_forward() -> None:
    assert first(["Sun 02:30", "Sun 03:30"], NEW_YORK, "2027-03-13 12:00", 2) == [
        "2027-03-14 07:30",  # 03:30 EDT; 02:30 does not exist
        "2027-03-21 06:30",
    ]


def test_half_hour_zone_with_dst() -> None:
    # Adelaide: Sunday 2026-10-04 02:00 ACST (+09:30) -> 03:00 ACDT (+10:30)
    assert first(["Sun 09:00", "Mon 09:00"], ADELAIDE, "2026-10-02 12:00", 3) == [
        "2026-10-03 22:30",  # Sun 09:00 ACDT, the change day
        "2026-10-04 22:30",  # Mon 09:00 ACDT
        "2026-10-10 22:30",
    ]


@pytest.mark.parametrize(
    ("day", "clock", "expected"),
    [
        ("2026-10-04", "09:00", "2026-10-03 22:30"),  # ACDT +10:30, the change day
        ("2026-10-03", "09:00", "2026-10-02 23:30"),  # ACST +09:30
        ("2027-04-04", "09:00", "2027-04-03 23:30"),  # back to ACST
        ("2026-10-04", "02:30", None),  # skipped
    ],
)
def test_adelaide_wall_clock(day: str, clock: str, expected: str | None) -> None:
    at = at_wall_clock(
        datetime.fromisoformat(day).date(), datetime.strptime(clock, "%H:%M").time(), ADELAIDE
    )
    shown = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if at else None
    assert shown == expected


def test_occurrences_are_strictly_after_and_ordered() -> None:
    after = utc("2026-12-07 08:00")  # Monday 09:00 Berlin exactly
    slots = ["Mon 09:00", "Mon 08:00", "Wed 12:30"]
    got = [a.astimezone(UTC) for a in islice(occurrences(slots, BERLIN, after), 5)]
    assert got == sorted(got)
    assert got[0] == utc("2026-12-09 11:30")
