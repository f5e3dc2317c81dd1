"""Weekly slots (``"Mon 09:00"``) as instants in the calendar's time zone.

A slot's wall-clock time may not exist on the day clocks go forward (that
occurrence is skipped) or may happen twice on the day they go back (the
first of the two is used), so a slot never publishes an hour early or late
by accident.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from smmgen.errors import TimeError
from smmgen.times import LATEST, localize

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def parse_slot(slot: str) -> tuple[int, time]:
    """``"Wed 12:30"`` -> (2, 12:30)."""
    day, clock = slot.split()
    hour, minute = clock.split(":")
    return WEEKDAYS.index(day), time(int(hour), int(minute))


def at_wall_clock(day: date, clock: time, tz: ZoneInfo) -> datetime | None:
    """The instant of ``clock`` on ``day``: None if it does not exist, the first if twice."""
    naive = datetime.combine(day, clock)
    try:
        return localize(naive, tz)
    except TimeError:
        first = naive.replace(tzinfo=tz, fold=0)
        if first.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != naive:
            return None  # skipped by the clocks going forward
        return first  # happens twice: the first


def occurrences(
    slots: list[str], tz: ZoneInfo, after: datetime, days: int = 800
) -> Iterator[datetime]:
    """Every occurrence of the weekly ``slots`` strictly after ``after``, in order,
    for at most ``days`` days (and none after the last time smmgen can use)."""
    weekly: dict[int, list[time]] = {}
    for slot in slots:
        weekday, clock = parse_slot(slot)
        weekly.setdefault(weekday, []).append(clock)
    for clocks in weekly.values():
        clocks.sort()
    start = after.astimezone(tz).date()
    for offset in range(days):
        day = start + timedelta(days=offset)
        for clock in weekly.get(day.weekday(), []):
            instant = at_wall_clock(day, clock, tz)
            if instant is not None and instant > LATEST:
                return
            if instant is not None and instant > after:
                yield instant
