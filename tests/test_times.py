"""publish_at and durations: exact instants, and refusals that say how to fix them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smmgen.errors import TimeError
from smmgen.times import localize, parse_duration, parse_when, zone

BERLIN = zone("Europe/Berlin")
NEW_YORK = zone("America/New_York")
KOLKATA = zone("Asia/Kolkata")  # +05:30, no DST
LORD_HOWE = zone("Australia/Lord_Howe")  # 30-minute DST shift


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "tz", "instant"),
    [
        ("2026-12-01 09:00", BERLIN, "2026-12-01 08:00"),
        ("2026-07-01 09:00", BERLIN, "2026-07-01 07:00"),
        ("2027-03-28 01:59", BERLIN, "2027-03-28 00:59"),
        ("2027-03-28 03:00", BERLIN, "2027-03-28 01:00"),
        ("2026-11-01 00:30", NEW_YORK, "2026-11-01 04:30"),
        ("2026-11-01 03:00", NEW_YORK, "2026-11-01 08:00"),
        ("2027-03-14 03:00", NEW_YORK, "2027-03-14 07:00"),
        ("2026-12-01 09:00", KOLKATA, "2026-12-01 03:30"),
        ("2026-12-01T09:00:00+01:00", NEW_YORK, "2026-12-01 08:00"),
        ("2026-12-01T09:00:00Z", BERLIN, "2026-12-01 09:00"),
        ("2026-12-01T9:00", BERLIN, "2026-12-01 08:00"),
    ],
)
def test_instants(value: str, tz, instant: str) -> None:
    assert parse_when(value, tz).astimezone(UTC) == utc(instant)


@pytest.mark.parametrize(
    ("value", "tz"),
    [
        ("2027-03-28 02:30", BERLIN),
        ("2027-03-14 02:30", NEW_YORK),
        ("2026-10-04 02:15", LORD_HOWE),
    ],
)
def test_nonexistent_local_times_are_refused(value: str, tz) -> None:
    with pytest.raises(TimeError, match="does not exist"):
        parse_when(value, tz)


@pytest.mark.parametrize(
    ("value", "tz", "first", "second"),
    [
        ("2026-10-25 02:30", BERLIN, "+02:00", "+01:00"),
        ("2026-11-01 01:30", NEW_YORK, "-04:00", "-05:00"),
        ("2027-04-04 01:45", LORD_HOWE, "+11:00", "+10:30"),
    ],
)
def test_ambiguous_local_times_name_both_offsets(value, tz, first, second) -> None:
    with pytest.raises(TimeError, match="happens twice") as info:
        parse_when(value, tz)
    message = str(info.value)
    assert f"{first} (the first)" in message
    assert f"{second} (the second)" in message
    # and both suggested spellings are accepted, an hour (or 30 min) apart
    iso = value.replace(" ", "T") + ":00"
    a = parse_when(iso + first, tz)
    b = parse_when(iso + second, tz)
    assert b - a in (timedelta(hours=1), timedelta(minutes=30))


def test_explicit_offset_on_a_gap_day_is_accepted() -> None:
    assert parse_when("2027-03-28T03:30:00+02:00", BERLIN).astimezone(UTC) == utc(
        "2027-03-28 01:30"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-12-01", "'2026-12-01' has a date but no time; write it as '2026-12-01 09:00'"),
        ("tomorrow", "'tomorrow' is not a date and time; expected 'YYYY-MM-DD HH:MM'"),
        ("2026-02-30 10:00", "'2026-02-30 10:00' is not a valid date and time"),
        ("2026-12-01 25:00", "'2026-12-01 25:00' is not a valid date and time"),
    ],
)
def test_bad_values(value: str, message: str) -> None:
    with pytest.raises(TimeError) as info:
        parse_when(value, BERLIN)
    assert str(info.value).startswith(message)


def test_localize_keeps_normal_times() -> None:
    assert localize(datetime(2026, 6, 1, 12, 0), BERLIN).utcoffset() == timedelta(hours=2)


def test_unknown_zone_suggests() -> None:
    with pytest.raises(TimeError, match="did you mean 'America/New_York'"):
        zone("America/NewYork")


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("6h", timedelta(hours=6)),
        ("10m", timedelta(minutes=10)),
        ("1h30m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("90s", timedelta(seconds=90)),
        (15, timedelta(minutes=15)),
    ],
)
def test_durations(text, delta) -> None:
    assert parse_duration(text) == delta


@pytest.mark.parametrize("text", ["soon", "", "6 hours", True, "h"])
def test_bad_durations(text) -> None:
    with pytest.raises(TimeError):
        parse_duration(text)
