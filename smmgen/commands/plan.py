"""``smmgen plan``: what goes out when, per channel."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from smmgen.calendar.plan import PlanItem, build_plan
from smmgen.errors import UsageError
from smmgen.project import load
from smmgen.times import TimeError, parse_when


@dataclass
class Plan:
    items: list[PlanItem]
    timezone: str
    now: datetime


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``tz`` (01:00 where clocks skip midnight)."""
    midnight = datetime.combine(day, time()).replace(tzinfo=tz)
    return midnight.astimezone(UTC).astimezone(tz)


def bound(value: str | None, tz: ZoneInfo, option: str, *, end: bool = False) -> datetime | None:
    """``--from``/``--to``: a date (the whole day) or a date and time."""
    if value is None:
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = datetime.fromisoformat(text).date()
            if end:
                return _day_start(day + timedelta(days=1), tz) - timedelta(microseconds=1)
            return _day_start(day, tz)
        return parse_when(text, tz)
    except (TimeError, ValueError) as exc:
        raise UsageError(f"{option}: {exc}; give a date (YYYY-MM-DD) or a date and time") from None


def make_plan(root: Path | None, start: str | None, end: str | None, at: str | None) -> Plan:
    project = load(root, at=at)
    tz = project.timing.tz
    first = bound(start, tz, "--from")
    last = bound(end, tz, "--to", end=True)
    if first is not None and last is not None and last < first:
        raise UsageError("--to is before --from")
    items = build_plan(project, project.now, first, last)
    return Plan(items, project.calendar.timezone, project.now)
