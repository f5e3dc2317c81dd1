"""The calendar's rules: blackouts, campaigns' dates, times in the past, and the
minimum gap between two posts on one channel."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import NamedTuple

from smmgen.check.rules import post_rule
from smmgen.findings import Finding, KeyPath, Severity, format_key
from smmgen.loader.posts import Post
from smmgen.models.timing import Calendar, describe_blackout, duration_text
from smmgen.project import Project


class Slot(NamedTuple):
    """One post on one channel at one instant: enough to compare gaps (a tuple:
    the check's workers send many of them back)."""

    channel: str
    at: float  # POSIX seconds (UTC): cheap to send between processes, exact to compare
    post: str
    file: str
    line: int
    key: str  # the key that sets the time: publish_at, or overrides.<channel>.publish_at


def _time_key(post: Post, channel: str) -> KeyPath:
    override = post.override(channel)
    if override is not None and "publish_at" in override.model_fields_set:
        return ("overrides", channel, "publish_at")
    return ("publish_at",)


def _local(calendar: Calendar, at: datetime | float) -> str:
    when = datetime.fromtimestamp(at, UTC) if isinstance(at, float) else at
    return when.astimezone(calendar.tz).strftime("%Y-%m-%d %H:%M")


def slots(project: Project, post: Post) -> Iterator[Slot]:
    """Where this post goes out, per enabled channel (not for drafts)."""
    if post.is_draft:
        return
    for name in post.channels:
        at = post.when(name)
        if at is not None and project.channels[name].enabled:
            key = _time_key(post, name)
            yield Slot(name, at.timestamp(), post.id, post.file, post.line_of(key), format_key(key))


@post_rule
def calendar_rules(project: Project, post: Post) -> Iterator[Finding]:
    calendar = project.timing
    reported: set[tuple[str, KeyPath]] = set()
    for slot in slots(project, post):
        key = _time_key(post, slot.channel)

        def finding(
            code: str,
            message: str,
            hint: str,
            severity: Severity = Severity.ERROR,
            key: KeyPath = key,
            line: int = slot.line,
        ) -> Finding:
            reported.add((code, key))
            shown = format_key(key)
            return Finding(severity, code, message, file=post.file, line=line, key=shown, hint=hint)

        when = datetime.fromtimestamp(slot.at, UTC)
        blackout = calendar.blackout_at(when)
        if blackout is not None and ("in-blackout", key) not in reported:
            yield finding(
                "in-blackout",
                f"{_local(calendar, slot.at)} is in the {describe_blackout(blackout)};"
                " nothing publishes then",
                "move it out of the blackout, or remove publish_at and run `smmgen schedule`",
            )
        name = post.field_for(slot.channel, "campaign")
        campaign = project.calendar.campaigns.get(name or "")
        day = when.astimezone(calendar.tz).date()
        outside = campaign is not None and not campaign.from_ <= day <= campaign.to
        if campaign is not None and outside and ("outside-campaign", key) not in reported:
            yield finding(
                "outside-campaign",
                f"{_local(calendar, slot.at)} is outside the campaign '{name}'"
                f" ({campaign.from_} to {campaign.to})",
                "move the post into the campaign's dates, or change the campaign",
            )


def past_findings(entries: Iterable[Slot], calendar: Calendar, now: datetime) -> Iterator[Finding]:
    """Times already past at ``now``: late, or missed past max_lateness (warnings).

    Judged apart from the per-post rules, so those do not depend on the time.
    """
    reported: set[tuple[str, str]] = set()
    moment = now.timestamp()
    for slot in sorted((e for e in entries if e.at < moment), key=lambda e: (e.file, e.line)):
        if (slot.file, slot.key) in reported:
            continue
        reported.add((slot.file, slot.key))
        late = timedelta(seconds=moment - slot.at)
        if late > calendar.max_lateness:
            outcome = (
                f"more than max_lateness {duration_text(calendar.max_lateness)}: unless it was"
                " published, it will be reported as missed, not published"
            )
        else:
            outcome = "unless it was published, it goes out late, at the next publish run"
        yield Finding(
            Severity.WARNING,
            "in-the-past",
            f"{_local(calendar, slot.at)} is {duration_text(late)} in the past; {outcome}",
            file=slot.file,
            line=slot.line,
            key=slot.key,
            hint="give it a future time, or remove publish_at and run `smmgen schedule`",
        )


def gap_findings(entries: Iterable[Slot], calendar: Calendar) -> Iterator[Finding]:
    """Two posts on one channel closer than ``min_gap``: reported on the later one."""
    gap = calendar.min_gap
    if not gap:
        return
    by_channel: dict[str, list[Slot]] = {}
    for entry in entries:
        by_channel.setdefault(entry.channel, []).append(entry)
    for channel, items in sorted(by_channel.items()):
        items.sort(key=lambda e: (e.at, e.file))
        for earlier, later in pairwise(items):
            apart = timedelta(seconds=later.at - earlier.at)
            if apart < gap and later.post != earlier.post:
                yield Finding(
                    Severity.ERROR,
                    "min-gap",
                    f"{channel}: {_local(calendar, later.at)} is"
                    f" {duration_text(apart)} after {earlier.file}"
                    f" ({_local(calendar, earlier.at)}); min_gap is {duration_text(gap)}",
                    file=later.file,
                    line=later.line,
                    channel=channel,
                    hint="move one of them, or lower min_gap in calendar.yaml",
                )
