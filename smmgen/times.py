"""Times as people write them in posts and the calendar, made exact.

``publish_at`` is ``YYYY-MM-DD HH:MM`` in the calendar's time zone, or ISO 8601
with an offset (RFC 3339's space instead of the ``T`` too). A local time that
does not exist (clocks jump forward) or that happens twice (clocks go back) is
refused with a message that says how to write it unambiguously, because
guessing would publish an hour early or late. A time outside 1000-01-02 to
8999-12-31 (UTC) is refused too, so that nothing computed from it can overflow.

Digits of any script count as the digits they are (Persian U+06F0-U+06F9,
Arabic-Indic U+0660-U+0669...), and the invisible direction marks that
right-to-left editors put around numbers are ignored: see :func:`ascii_digits`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from smmgen.errors import TimeError
from smmgen.suggest import closest

_LOCAL = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$"
)
_HAS_OFFSET = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
_SPACED = re.compile(r"^\d{4}-\d{2}-\d{2} \d")  # RFC 3339 allows a space for the T
_DURATION = re.compile(
    r"^(?:(?P<d>\d+)d)?\s*(?:(?P<h>\d+)h)?\s*(?:(?P<m>\d+)m)?\s*(?:(?P<s>\d+)s)?$"
)

MAX_DURATION = timedelta(days=366)
#: The instants smmgen schedules and judges at. Far enough inside what Python's
#: datetime can hold that any time zone, max_lateness, min_gap, a plan's day or
#: the days `schedule` looks ahead can be added to them without overflowing, and
#: in every time zone their year has four digits.
EARLIEST = datetime(1000, 1, 2, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)
RANGE_TEXT = "from 1000-01-02 to 8999-12-31 (UTC)"
WHEN_FORMATS = "'YYYY-MM-DD HH:MM' (calendar time zone) or ISO 8601 with an offset"


# Invisible marks that right-to-left editors put around numbers and dates:
# LRM, RLM, ALM, the embeddings and overrides, the isolates.
_DIRECTION_MARKS = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def ascii_digits(text: str) -> str:
    """``text`` with each decimal digit of any script as its ASCII digit
    (``str.isdecimal``: Persian, Arabic-Indic, Devanagari...)
    and without direction marks; other characters are kept as they are."""
    if text.isascii():
        return text
    text = text.translate(_DIRECTION_MARKS)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _as_written(text: str, read: str) -> str:
    """``'text'``, and what smmgen read in it when that differs (other digits)."""
    return f"'{text}'" if read == text else f"'{text}' (read as '{read}')"


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
    wall = naive.isoformat(" ", "minutes")  # four-digit years, unlike strftime's %Y
    iso = naive.replace(second=0, microsecond=0).isoformat(timespec="seconds")
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


def parse_when(value: object, tz: ZoneInfo, *, clamp: bool = False) -> datetime:
    """``publish_at`` and ``--at`` values as an aware datetime.

    A time outside :data:`EARLIEST`..:data:`LATEST` is refused, or with ``clamp``
    (for the bounds of a range, like plan's ``--to``) moved to the nearest end.
    """
    shown = value.strip() if isinstance(value, str) else str(value)
    try:
        when = _parse_when(value, tz)
        instant = when.astimezone(UTC)  # out of range once in UTC (year 0 or 10000)?
    except OverflowError:
        if clamp:
            return LATEST if _year(value) > 5000 else EARLIEST
        raise _out_of_range(shown) from None
    if EARLIEST <= instant <= LATEST:
        return when
    if clamp:
        return min(max(instant, EARLIEST), LATEST)
    raise _out_of_range(shown)


def _out_of_range(shown: str) -> TimeError:
    return TimeError(
        f"'{shown}' is out of the range of dates smmgen can use: give a time {RANGE_TEXT}"
    )


def _year(value: object) -> int:
    if isinstance(value, datetime):
        return value.year
    match = re.match(r"\s*(\d{4})", str(value))
    return int(match[1]) if match else 0


def _parse_when(value: object, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else localize(value, tz)
    if not isinstance(value, str):
        raise TimeError(f"expected a date and time as {WHEN_FORMATS}")
    written = value.strip()
    text = ascii_digits(written).strip()
    shown = _as_written(written, text)
    match = _LOCAL.match(text)
    if match:
        try:
            naive = datetime.fromisoformat(
                f"{match['date']}T{int(match['h']):02d}:{match['m']}:{match['s'] or '00'}"
            )
        except ValueError as exc:
            raise TimeError(f"{shown} is not a valid date and time: {exc}") from None
        return localize(naive, tz)
    if _HAS_OFFSET.search(text) and ("T" in text.upper() or _SPACED.match(text)):
        try:
            return datetime.fromisoformat(text.upper())
        except ValueError:
            raise TimeError(
                f"{shown} is not a valid ISO 8601 date and time; write it like"
                " 2026-12-01T09:00:00+01:00 (offsets between -23:59 and +23:59)"
            ) from None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise TimeError(f"{shown} has a date but no time; write it as '{text} 09:00'")
    raise TimeError(f"{shown} is not a date and time; expected {WHEN_FORMATS}")


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
    source = "--at"
    if at is None:
        at, source = os.environ.get(AT_ENV) or None, AT_ENV
    if at is None:
        return datetime.now(UTC)
    try:
        return parse_when(at, tz)
    except TimeError as exc:
        from smmgen.errors import UsageError

        raise UsageError(f"{source}: {exc}") from None
