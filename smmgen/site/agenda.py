"""The calendar pages' content: what goes out on each day, in the calendar's
zone, with blackout days, the freeze, campaigns as bands and free slots."""

from __future__ import annotations

import calendar as monthly
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from smmgen.calendar.slots import parse_slot
from smmgen.models.timing import Calendar, describe_blackout
from smmgen.site.paths import week_start
from smmgen.site.state import SiteState
from smmgen.site.status import ChannelStatus


@dataclass
class Entry:
    """One post at one time: every channel it goes out on then."""

    post: str
    title: str
    language: str | None
    at: datetime  # in the calendar's zone
    channels: list[ChannelStatus]

    @property
    def statuses(self) -> list[str]:
        return sorted({c.status for c in self.channels})

    @cached_property
    def token(self) -> str:
        """All a page shows of it, as text (an entry is on a month's and a week's page)."""
        shown = [self.post, self.title, str(self.language), self.at.isoformat()]
        for c in self.channels:
            shown.append(f"{c.channel}|{c.network}|{c.status}|{c.reason}|{c.url}|{c.errors}")
        return "\0".join(shown)


@dataclass
class Day:
    day: date
    in_month: bool
    today: bool
    entries: list[Entry] = field(default_factory=list)
    blackout: str | None = None  # why nothing goes out this day
    frozen: bool = False  # publishing is frozen (from today on)
    free: list[tuple[time, list[str]]] = field(default_factory=list)  # open slots, channels
    campaigns: list[str] = field(default_factory=list)


@dataclass
class Band:
    """A campaign across the days of one week: from column ``start`` (0: Monday)
    over ``span`` days; ``before``/``after``: it goes on beyond the week."""

    name: str
    start: int
    span: int
    before: bool
    after: bool
    description: str | None


@dataclass
class Week:
    days: list[Day]
    bands: list[Band]


@dataclass
class Agenda:
    """The entries of the whole project by day, made once per version."""

    by_day: dict[date, list[Entry]]
    tz_name: str
    today: date
    freeze: str | None

    def first_month(self) -> tuple[int, int]:
        first = min(self.by_day, default=self.today)
        return first.year, first.month

    def last_month(self) -> tuple[int, int]:
        last = max(self.by_day, default=self.today)
        return last.year, last.month


def agenda(state: SiteState) -> Agenda:
    project = state.project
    tz = project.timing.tz
    now = state.now()
    by_day: dict[date, list[Entry]] = defaultdict(list)
    timing = Calendar(project.calendar)
    for post in state.listed():
        statuses = state.statuses(post, timing, now)
        at_time: dict[datetime, list[ChannelStatus]] = defaultdict(list)
        for status in statuses:
            if status.at is not None:
                at_time[status.at].append(status)
        for at, channels in at_time.items():
            entry = Entry(post.id, post.title, post.language, at, channels)
            by_day[at.date()].append(entry)
    for entries in by_day.values():
        entries.sort(key=lambda e: (e.at, e.post))
    return Agenda(dict(by_day), project.calendar.timezone, now.astimezone(tz).date(), timing.freeze)


def _day(state: SiteState, found: Agenda, day: date, in_month: bool) -> Day:
    project = state.project
    timing = Calendar(project.calendar)
    shown = Day(day, in_month, day == found.today, list(found.by_day.get(day, [])))
    for blackout in project.calendar.blackout or []:
        if blackout.from_ <= day <= blackout.to:
            shown.blackout = blackout.reason or describe_blackout(blackout)
    shown.frozen = found.freeze is not None and day >= found.today
    shown.campaigns = [
        name for name, c in (project.calendar.campaigns or {}).items() if c.from_ <= day <= c.to
    ]
    if day >= found.today and shown.blackout is None:
        shown.free = _free(state, day, shown.entries, timing)
    return shown


def _free(
    state: SiteState, day: date, entries: list[Entry], timing: Calendar
) -> list[tuple[time, list[str]]]:
    """The slots of ``day`` with nothing on a channel that uses them."""
    project = state.project
    slots = project.calendar.slots or {}
    taken = {
        (c.channel, e.at.time().replace(second=0, microsecond=0))
        for e in entries
        for c in e.channels
    }
    now = state.now().astimezone(timing.tz)
    free: dict[time, list[str]] = defaultdict(list)
    for name, channel in project.channels.items():
        if not channel.enabled:
            continue
        for slot in slots.get(name) or slots.get("default") or []:
            weekday, clock = parse_slot(slot)
            if weekday != day.weekday() or (name, clock) in taken:
                continue
            if datetime.combine(day, clock, timing.tz) <= now:
                continue
            free[clock].append(name)
    return sorted(free.items())


def _bands(state: SiteState, days: list[date]) -> list[Band]:
    out = []
    first, last = days[0], days[-1]
    for name, c in (state.project.calendar.campaigns or {}).items():
        if c.to < first or c.from_ > last:
            continue
        start = max(c.from_, first)
        end = min(c.to, last)
        out.append(
            Band(
                name,
                (start - first).days,
                (end - start).days + 1,
                c.from_ < first,
                c.to > last,
                c.description,
            )
        )
    return out


def month(state: SiteState, found: Agenda, year: int, number: int) -> list[Week]:
    weeks = []
    for days in monthly.Calendar(firstweekday=0).monthdatescalendar(year, number):
        shown = [_day(state, found, d, d.month == number) for d in days]
        weeks.append(Week(shown, _bands(state, days)))
    return weeks


def week(state: SiteState, found: Agenda, day: date) -> Week:
    start = week_start(day)
    days = [start + timedelta(days=i) for i in range(7)]
    return Week([_day(state, found, d, True) for d in days], _bands(state, days))


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    year, number = first
    while (year, number) <= last:
        out.append((year, number))
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return out


def token(weeks: list[Week]) -> str:
    """All a calendar page shows of ``weeks``, as text: the same text, the same page."""
    out = []
    for w in weeks:
        out.append(repr(w.bands))
        for d in w.days:
            out.append(
                repr((d.day, d.in_month, d.today, d.blackout, d.frozen, d.free, d.campaigns))
            )
            out.extend(e.token for e in d.entries)
    return "\n".join(out)
