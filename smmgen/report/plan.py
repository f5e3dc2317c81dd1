"""The plan as a table, JSON (``schema_version`` 1), Markdown or an iCalendar feed.

Every function is pure: it takes the :class:`PlanItem` list (already sorted by
time), the calendar's IANA zone name and, where the output is stamped, the
reference time ``now``; it returns text (bytes for iCalendar) and writes nothing.

Times are shown twice, as the calendar's wall clock with its zone abbreviation
(``CET``/``CEST``) and in UTC, because a post at 02:30 on the night the clocks go
back happens twice on the wall clock but once in UTC. The iCalendar feed gives
every event in UTC (``DTSTART:...Z``), so no ``VTIMEZONE`` is needed and every
client shows the same instant.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration

from smmgen.adapt.budget import decimal_text, money, month_name
from smmgen.calendar.plan import PlanItem
from smmgen.cilog import LINE_BREAKS, json_for_log, log_safe, one_line
from smmgen.report.console import style
from smmgen.status import Status
from smmgen.times import zone

SCHEMA_VERSION = 1
PRODID = "-//smmgen//plan//EN"
EVENT_LENGTH = timedelta(minutes=15)
PREVIEW_WIDTH = 50
NOTHING_PLANNED = "nothing planned"

_STATUS_ORDER: tuple[Status, ...] = ("scheduled", "due", "blocked", "missed", "draft")
_STATUS_COLORS: dict[str, dict[str, Any]] = {
    "scheduled": {"fg": "cyan"},
    "due": {"fg": "green", "bold": True},
    "blocked": {"fg": "yellow", "bold": True},
    "missed": {"fg": "red", "bold": True},
    "draft": {"dim": True},
}
_ICS_STATUS: dict[str, str] = {
    "scheduled": "CONFIRMED",
    "due": "CONFIRMED",
    "blocked": "TENTATIVE",
    "missed": "CANCELLED",
}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MARKDOWN_SPECIAL = "\\`*_[]<>~|&"


# --- shared pieces -------------------------------------------------------------------------


def _local(item: PlanItem, tz: ZoneInfo) -> datetime:
    return item.at.astimezone(tz)


def _utc(item: PlanItem) -> datetime:
    return item.at.astimezone(UTC)


def _iso_utc(when: datetime, *, timespec: str = "auto") -> str:
    text = when.astimezone(UTC).isoformat(timespec=timespec)
    return text.removesuffix("+00:00") + "Z"


def _local_text(local: datetime) -> str:
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or local.strftime('%z')}"


def _utc_text(local: datetime) -> str:
    """``HH:MM`` in UTC, with the UTC date in front when it is not the local date."""
    utc = local.astimezone(UTC)
    return f"{utc:%H:%M}" if utc.date() == local.date() else f"{utc:%Y-%m-%d %H:%M}"


def _status_text(item: PlanItem) -> str:
    return f"{item.status} ({item.reason})" if item.reason else item.status


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def preview(text: str, width: int = PREVIEW_WIDTH) -> str:
    """The first non-blank line of ``text``, cut to ``width`` characters with an ellipsis."""
    line = next((line for line in text.splitlines() if line.strip()), "")[: width * 4]
    # whitespace runs become one space; control characters (a stray ESC) are dropped
    line = " ".join(_CONTROL.sub("", line).split())
    if len(line) <= width:
        return line
    return line[: width - 1].rstrip() + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(items: Iterable[PlanItem]) -> str:
    """``N items on K channels: X scheduled, Y due, Z blocked, W missed`` (and drafts, if any)."""
    items = list(items)
    counts = Counter(item.status for item in items)
    channels = {item.channel for item in items}
    parts = [f"{counts[status]} {status}" for status in _STATUS_ORDER if status != "draft"]
    if counts["draft"]:
        parts.append(_plural(counts["draft"], "draft"))
    head = f"{_plural(len(items), 'item')} on {_plural(len(channels), 'channel')}"
    return f"{head}: {', '.join(parts)}"


def costs(items: Iterable[PlanItem]) -> list[str]:
    """``xm: $0.600 in January 2027 (UTC), 3 posts``: what the items that are not
    drafts cost, per channel and calendar month (UTC), where the network charges
    per post; nothing when none does."""
    totals: dict[tuple[str, str], tuple[Decimal, int]] = {}
    for item in items:
        if item.price is None or item.status == "draft":
            continue
        key = (item.channel, _utc(item).strftime("%Y-%m"))
        total, count = totals.get(key, (Decimal(0), 0))
        totals[key] = (total + item.price, count + 1)
    return [
        f"cost on {one_line(channel)}: {money(total)} in {month_name(month)} (UTC),"
        f" {_plural(count, 'post')}"
        for (channel, month), (total, count) in sorted(totals.items())
    ]


def _dollars(text: str) -> str:
    """Markdown ``text`` with its dollar signs escaped: GitHub reads ``$...$`` as math."""
    return text.replace("$", "\\$")


def _price_text(item: PlanItem) -> str:
    return money(item.price) if item.price is not None else ""


# --- table ---------------------------------------------------------------------------------


def as_table(items: list[PlanItem], tz_name: str, *, color: bool = False) -> str:
    """An aligned text table, one line per item, a header and a summary line; with a
    PRICE column and a line per channel and month where a network charges per post."""
    if not items:
        return NOTHING_PLANNED
    tz = zone(tz_name)
    with_price = any(item.price is not None for item in items)
    header: tuple[str, ...] = ("LOCAL TIME", "UTC", "CHANNEL", "STATUS", "POST", "TEXT")
    if with_price:
        header = (*header[:5], "PRICE", header[5])
    rows = []
    # one zone here, so an instant is one text; keyed by the instant (timestamp),
    # since two datetimes of one zone compare equal across a DST fold
    times: dict[float, tuple[str, str]] = {}
    previews: dict[str, str] = {}
    for item in items:
        instant = item.at.timestamp()
        shown = times.get(instant)
        if shown is None:
            local = _local(item, tz)
            shown = times[instant] = (_local_text(local), _utc_text(local))
        text = previews.get(item.text)
        if text is None:
            text = previews[item.text] = preview(item.text)
        price = (_price_text(item),) if with_price else ()
        cells = map(one_line, (item.channel, _status_text(item), item.post))
        rows.append((*shown, *cells, *price, text))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]

    def line(row: tuple[str, ...], status: Status | None = None) -> str:
        cells = [
            row[0].ljust(widths[0]),
            row[1].rjust(widths[1]),  # so the HH:MM line up under each other
            row[2].ljust(widths[2]),
            _tint(row[3].ljust(widths[3]), status, color=color),
            row[4].ljust(widths[4]),
        ]
        if with_price:
            cells.append(row[5].rjust(widths[5]))  # so the decimal points line up
        cells.append(row[-1])
        return "  ".join(cells).rstrip()

    lines = [line(header)]
    lines += [line(row, item.status) for row, item in zip(rows, items, strict=True)]
    lines.append(summary(items))
    lines += costs(items)
    return log_safe("\n".join(lines))


def _tint(cell: str, status: Status | None, *, color: bool) -> str:
    """Colour the status word (not the reason or the padding) when ``color``."""
    if not color or status is None:
        return cell
    rest = cell[len(status) :]
    return style(status, color=True, **_STATUS_COLORS[status]) + rest


# --- JSON ----------------------------------------------------------------------------------


def item_dict(item: PlanItem, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "post": item.post,
        "channel": item.channel,
        "network": item.network,
        "title": item.title,
        "file": item.file,
        "at": _local(item, tz).isoformat(),
        "at_utc": _iso_utc(item.at),
        "status": item.status,
        "reason": item.reason,
        "text": item.text,
        "campaign": item.campaign,
        # US dollars as a decimal string ("0.215"), where the network charges per post
        "price": decimal_text(item.price) if item.price is not None else None,
    }


def as_json(items: list[PlanItem], tz_name: str, now: datetime) -> str:
    """``{"schema_version": 1, "timezone", "generated_at", "items": [...]}``, indented."""
    tz = zone(tz_name)
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "timezone": tz_name,
        "generated_at": _iso_utc(now, timespec="seconds"),
        "items": [item_dict(item, tz) for item in items],
    }
    return json_for_log(data)


# --- Markdown ------------------------------------------------------------------------------


def markdown_cell(text: str) -> str:
    """``text`` as literal content of one GitHub-flavoured Markdown table cell.

    Backslashes are escaped first so that an escaped pipe stays one cell; the
    characters that would start emphasis, code, links, HTML or entities are
    escaped so the text shows as written; line breaks become ``<br>``.
    """
    escaped = "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in text.strip())
    return "<br>".join(one_line(line.replace("\t", " ").strip()) for line in escaped.splitlines())


def _markdown_heading(day: date) -> str:
    return f"### {day.isoformat()} ({_WEEKDAYS[day.weekday()]})"


def as_markdown(items: list[PlanItem], tz_name: str) -> str:
    """One GitHub-flavoured Markdown table per local date, under ``### YYYY-MM-DD (Weekday)``."""
    if not items:
        return NOTHING_PLANNED
    tz = zone(tz_name)
    with_price = any(item.price is not None for item in items)
    header = "| Local time | UTC | Channel | Status | Post | Text |"
    rule = "|---|---|---|---|---|---|"
    if with_price:
        header = "| Local time | UTC | Channel | Status | Post | Price | Text |"
        rule = "|---|---|---|---|---|--:|---|"
    blocks = []
    dated = [(_local(item, tz), item) for item in items]
    for day, group in groupby(dated, key=lambda pair: pair[0].date()):
        lines = [_markdown_heading(day), "", header, rule]
        for local, item in group:
            cells: tuple[str, ...] = (
                f"{local:%H:%M} {local.tzname() or local.strftime('%z')}",
                _utc_text(local),
                item.channel,
                _status_text(item),
                item.post,
                *((_price_text(item),) if with_price else ()),
                preview(item.text),
            )
            shown = [markdown_cell(cell) for cell in cells]
            if with_price:
                shown[5] = _dollars(shown[5])
            lines.append("| " + " | ".join(shown) + " |")
        blocks.append("\n".join(lines))
    blocks.append(summary(items))
    blocks += [_dollars(markdown_cell(line)) for line in costs(items)]
    return log_safe("\n\n".join(blocks) + "\n")


# --- iCalendar -----------------------------------------------------------------------------


def uid(item: PlanItem) -> str:
    """``<post id>/<channel>@smmgen``: stable across runs and unique per (post, channel).

    Post ids may contain ``/`` and channel names cannot, so the last ``/`` is the
    separator and the pair can be read back. Characters outside the ones ids and
    names allow are percent-encoded, which keeps the mapping one-to-one.

    An event of the feed is one post at one time on several channels: its UID is
    the one of its first channel by name. A post goes out at most once per
    channel, so no two events share it, and it stays when the post is moved to
    another time or a channel after the first is added or dropped.
    """
    return f"{quote(item.post, safe='/._-')}/{quote(item.channel, safe='._-')}@smmgen"


def events(items: Iterable[PlanItem]) -> list[list[PlanItem]]:
    """The items grouped into the feed's events: one per post, instant and status
    (one post at one time on several channels is one event), in the order of the
    first item of each; each event's items sorted by channel, and drafts left out."""
    grouped: dict[tuple[str, float, str, str | None], list[PlanItem]] = {}
    for item in items:
        if item.status != "draft":
            key = (item.post, item.at.timestamp(), item.status, item.reason)
            grouped.setdefault(key, []).append(item)
    return [sorted(group, key=lambda item: item.channel) for group in grouped.values()]


def _texts(group: list[PlanItem]) -> list[str]:
    """The texts of an event: the one text when every channel shows the same,
    otherwise each text after the channels that show it (``mastodon, bluesky:``)."""
    by_text: dict[str, list[str]] = {}
    for item in group:
        by_text.setdefault(item.text.strip(), []).append(item.channel)
    if len(by_text) == 1:
        (text,) = by_text
        return [text] if text else []
    return [f"{', '.join(channels)}:\n{text}" for text, channels in by_text.items()]


def _description(group: list[PlanItem]) -> str:
    first = group[0]
    parts = _texts(group)
    parts.append(f"Status: {_status_text(first)}")
    channels = ", ".join(f"{item.channel} ({item.network})" for item in group)
    details = [f"Post: {first.post}", f"Channels: {channels}"]
    prices = [f"{money(item.price)} on {item.channel}" for item in group if item.price is not None]
    if prices:
        details.append(f"Price: {', '.join(prices)}")
    campaigns = dict.fromkeys(item.campaign for item in group if item.campaign)
    if campaigns:
        details.append(f"Campaign: {', '.join(campaigns)}")
    details.append(f"File: {first.file}")
    details = [one_line(detail) for detail in details]
    parts.append("\n".join(details))
    return "\n\n".join(parts)


_ICS_BREAKS = re.compile("\r\n|[" + LINE_BREAKS + "]")
# a continuation line the runner would read as a workflow command ("::" after blanks)
_COMMAND_START = re.compile(r"\s*::")
FOLD_OCTETS = 74  # after the leading space of a continuation: 75 (RFC 5545, 3.1)


def _ics_text(text: str, *, lines: bool = False) -> str:
    """A user's string for the feed: on one line (or with its line breaks as ``\\n``
    when ``lines``), control characters shown escaped, no ``##[``."""
    if lines:
        text = "\n".join(one_line(line) for line in _ICS_BREAKS.split(text))
    else:
        text = one_line(text)
    return text.replace("##[", "##\\[")


def _fold(line: str) -> str:
    """``line`` folded as RFC 5545 says (at most 75 octets), never so that a
    continuation line starts with ``::`` after blanks: a CI log may print the feed."""
    out: list[str] = []
    start = size = 0
    lowest = 1  # the first place left that may be a fold
    for index, char in enumerate(line):
        width = len(char.encode("utf-8"))
        if size + width > FOLD_OCTETS and index > start:
            cut = index
            while cut > lowest and _COMMAND_START.match(line, cut):
                cut -= 1  # fold a little earlier, or (in a run of colons) later
            if _COMMAND_START.match(line, cut):
                lowest = index + 1
            else:
                out.append(line[start:cut])
                start, lowest = cut, cut + 1
                size = len(line[start:index].encode("utf-8"))
        size += width
    out.append(line[start:])
    return "\r\n ".join(out)


def _refold(ics: bytes) -> bytes:
    text = ics.decode("utf-8").replace("\r\n ", "")
    return "\r\n".join(_fold(line) for line in text.split("\r\n")).encode("utf-8")


def _event(group: list[PlanItem], stamp: datetime) -> Event:
    item = group[0]
    channels = [item.channel for item in group]
    event = Event()
    event.add("uid", uid(item))
    event.add("dtstamp", stamp)
    event.add("dtstart", _utc(item))
    event.add("duration", EVENT_LENGTH)
    event.add("summary", _ics_text(f"[{', '.join(channels)}] {item.title or item.post}"))
    event.add("description", _ics_text(_description(group), lines=True))
    event.add("categories", [_ics_text(channel) for channel in channels])
    event.add("status", _ICS_STATUS[item.status])
    event.add("transp", "TRANSPARENT")  # a post going out does not make anyone busy
    return event


def as_ics(
    items: list[PlanItem], tz_name: str, now: datetime, *, name: str = "smmgen plan"
) -> bytes:
    """An RFC 5545 ``VCALENDAR`` with one ``VEVENT`` per post and time (its
    channels listed in it: :func:`events`), drafts left out.

    The same input gives the same bytes: ``DTSTAMP`` is ``now``, events keep the
    order of ``items`` and nothing is random, so the feed can be a golden file.
    What a post holds stays inside its property's line (see `_fold`).
    """
    zone(tz_name)  # an unknown zone is an error here too, not a feed naming it
    stamp = now.astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", tz_name)
    # How often subscribers should fetch the feed again (RFC 7986, and Outlook's name).
    refresh = vDuration(timedelta(hours=1))  # explicit: icalendar 6 wrote a bare timedelta badly
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for group in events(items):
        calendar.add_component(_event(group, stamp))
    ics: bytes = calendar.to_ical(sorted=False)  # the order above, whatever the library version
    return _refold(ics)
