"""Times as people write them in posts and the calendar, made exact.

``publish_at`` is ``YYYY-MM-DD HH:MM`` in the calendar's time zone, or ISO 8601
with an offset. A local time that does not exist (clocks jump forward) or that
happens twice (clocks go back) is refused with a message that says how to
write it unambiguously, because guessing would publish an hour early or late.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from smmgen.suggest import closest

_LOCAL = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$"
)
_HAS_OFFSET = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_DURATION = re.compile(
    r"^(?:(?P<d>\d+)d)?\s*(?:(?P<h>\d+)h)?\s*(?:(?P<m>\d+)m)?\s*(?:(?P<s>\d+)s)?$"
)

MAX_DURATION = timedelta(days=366)
WHEN_FORMATS = "'YYYY-MM-DD HH:MM' (calendar time zone) or ISO 8601 with an offset"


class TimeError(ValueError):
    """A time value that cannot be used; the message says why and what to write."""


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or a TimeError suggesting the closest name."""
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        guess = closest(name, available_timezones(), cutoff=0.7)
        hint = f"; did you mean '{guess}'?" if guess else ""
        raise TimeError(
            f"unknown time zone '{name}': expected an IANA name like 'Europe/Berlin'{hint}"
        ) from None


def _offset(tz: tzinfo, when: datetime) -> str:
    delta = tz.utcoffset(when) or timedelta(0)
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz`` to a wall-clock time, refusing times that don't exist or occur twice."""
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    wall = naive.strftime("%Y-%m-%d %H:%M")
    iso = naive.strftime("%Y-%m-%dT%H:%M:00")
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise TimeError(
            f"{wall} does not exist in {tz.key}: clocks go forward that night"
            f" (UTC{_offset(tz, first)} to UTC{_offset(tz, second)});"
            " pick a time outside the skipped interval, or write the time with an explicit offset"
        )
    raise TimeError(
        f"{wall} happens twice in {tz.key}: clocks go back that night;"
        f" write it with an explicit offset: {iso}{_offset(tz, first)} (the first)"
        f" or {iso}{_offset(tz, second)} (the second)"
    )


def parse_when(value: object, tz: ZoneInfo) -> datetime:
    """``publish_at`` and ``--at`` values as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else localize(value, tz)
    if not isinstance(value, str):
        raise TimeError(f"expected a date and time as {WHEN_FORMATS}")
    text = value.strip()
    match = _LOCAL.match(text)
    if match:
        try:
            naive = datetime.fromisoformat(
                f"{match['date']}T{int(match['h']):02d}:{match['m']}:{match['s'] or '00'}"
            )
        except ValueError as exc:
            raise TimeError(f"'{text}' is not a valid date and time: {exc}") from None
        try:
            return localize(naive, tz)
        except OverflowError:
            raise TimeError(f"'{text}' is out of the range of dates smmgen can use") from None
    if _HAS_OFFSET.search(text) and "T" in text.upper():
        try:
            when = datetime.fromisoformat(text)
            when.astimezone(UTC)  # out of range once in UTC (year 0 or 10000)?
            return when
        except ValueError:
            raise TimeError(
                f"'{text}' is not a valid ISO 8601 date and time; write it like"
                " 2026-12-01T09:00:00+01:00 (offsets between -23:59 and +23:59)"
            ) from None
        except OverflowError:
            raise TimeError(f"'{text}' is out of the range of dates smmgen can use") from None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise TimeError(f"'{text}' has a date but no time; write it as '{text} 09:00'")
    raise TimeError(f"'{text}' is not a date and time; expected {WHEN_FORMATS}")


def parse_duration(value: object) -> timedelta:
    """``6h``, ``10m``, ``1h30m``, ``2d``, ``90s`` (a bare number is minutes)."""
    if isinstance(value, bool):
        raise TimeError(f"expected a duration like '6h' or '10m', got {value}")
    try:
        if isinstance(value, int):
            delta = timedelta(minutes=value)
        elif (
            isinstance(value, str)
            and (match := _DURATION.match(value.strip()))
            and any(match.groups())
        ):
            parts = {k: int(v) for k, v in match.groupdict().items() if v}
            delta = timedelta(
                days=parts.get("d", 0),
                hours=parts.get("h", 0),
                minutes=parts.get("m", 0),
                seconds=parts.get("s", 0),
            )
        else:
            delta = None
    except OverflowError:
        delta = MAX_DURATION * 2
    if delta is not None:
        if delta > MAX_DURATION:
            raise TimeError(f"'{value}' is longer than a year; use a shorter duration")
        if delta < timedelta(0):
            raise TimeError(f"'{value}' is negative; use a duration like '10m'")
        return delta
    raise TimeError(f"'{value}' is not a duration; write it like '6h', '10m' or '1h30m'")


def today(tz: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(tz).date()


AT_ENV = "SMMGEN_AT"


def reference_time(at: str | None, tz: ZoneInfo) -> datetime:
    """``--at`` as an instant (in ``tz`` unless it has an offset); without it the
    ``SMMGEN_AT`` environment variable, else now."""
    if at is None:
        at = os.environ.get(AT_ENV) or None
    if at is None:
        return datetime.now(UTC)
    try:
        return parse_when(at, tz)
    except TimeError as exc:
        from smmgen.errors import UsageError

        source = "--at" if at != os.environ.get(AT_ENV) else AT_ENV
        raise UsageError(f"{source}: {exc}") from None
