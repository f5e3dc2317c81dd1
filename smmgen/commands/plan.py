"""``smmgen plan``: what goes out when, per channel."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from smmgen.adapt.budget import item_prices
from smmgen.adapt.shown import Unit, shown_texts
from smmgen.calendar.plan import PlanItem, build_plan
from smmgen.errors import TimeError, UsageError
from smmgen.loading import load_project
from smmgen.project import Project
from smmgen.registry import network
from smmgen.times import EARLIEST, LATEST, parse_when


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
    """``--from``/``--to``: a date (the whole day) or a date and time; a bound
    beyond the times smmgen can use (``--to 9999-12-31``) is the end of them."""
    if value is None:
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            try:
                if end:
                    last = _day_start(day + timedelta(days=1), tz) - timedelta(microseconds=1)
                    return parse_when(last, tz, clamp=True)
                return parse_when(_day_start(day, tz), tz, clamp=True)
            except OverflowError:  # the first or last day Python's dates can hold
                return LATEST if day.year > 5000 else EARLIEST
        return parse_when(text, tz, clamp=True)
    except (TimeError, ValueError) as exc:
        raise UsageError(f"{option}: {exc}; give a date (YYYY-MM-DD) or a date and time") from None


def make_plan(root: Path | None, start: str | None, end: str | None, at: str | None) -> Plan:
    project = load_project(root, at=at, strict=True)
    tz = project.timing.tz
    first = bound(start, tz, "--from")
    last = bound(end, tz, "--to", end=True)
    if first is not None and last is not None and last < first:
        raise UsageError("--to is before --from")
    items = priced(project, shown(project, build_plan(project, project.now, first, last)))
    return Plan(items, project.calendar.timezone, project.now)


def shown(project: Project, items: list[PlanItem]) -> list[PlanItem]:
    """``items`` with the text each channel's readers will see (Markdown rendered,
    mentions as the channel writes them: smmgen.adapt.shown), not the text as typed."""
    posts = {post.id: post for post in project.posts}
    # one unit per post text: a post's channels mostly share one (overrides aside)
    units: dict[str, list[str]] = {}
    for item in items:
        channels = units.setdefault(posts[item.post].text_for(item.channel), [])
        if item.channel not in channels:
            channels.append(item.channel)
    pairs: list[Unit] = [(text, tuple(channels)) for text, channels in units.items()]
    texts = {
        (text, channel): shown
        for (text, channels), rendered in zip(pairs, shown_texts(project, pairs), strict=True)
        for channel, shown in zip(channels, rendered, strict=True)
    }
    return [
        replace(item, text=texts[posts[item.post].text_for(item.channel), item.channel])
        for item in items
    ]


def priced(project: Project, items: list[PlanItem]) -> list[PlanItem]:
    """``items`` with the price of those whose network charges per post (X): the
    variant is built for them, as it will be sent (on every core when many)."""
    wanted: dict[str, list[str]] = {}
    for item in items:
        if network(item.network).price is not None:
            channels = wanted.setdefault(item.post, [])
            if item.channel not in channels:
                channels.append(item.channel)
    if not wanted:
        return items
    prices = item_prices(project, wanted)
    return [
        replace(item, price=prices.get((item.post, item.channel)))
        if item.post in wanted and item.channel in wanted[item.post]
        else item
        for item in items
    ]
