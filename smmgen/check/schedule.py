"""The calendar's rule across posts: the minimum gap between two posts on one
channel, and times already in the past.

Light on purpose (see :mod:`smmgen.check.rules`): a second ``check`` judges it
from the cache without loading a post.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple

from smmgen.check.rules import Clock, across_posts
from smmgen.findings import Finding, KeyPath, Severity, format_key
from smmgen.models.timing import duration_text

if TYPE_CHECKING:
    from smmgen.loader.posts import Post
    from smmgen.project import Project


class Slot(NamedTuple):
    """One post on one channel at one instant: enough to compare gaps."""

    channel: str
    at: float  # POSIX seconds (UTC): cheap to keep and send, exact to compare
    post: str
    file: str
    line: int
    key: str  # the key that sets the time: publish_at, or overrides.<channel>.publish_at


_PUBLISH_AT: KeyPath = ("publish_at",)


def time_key(post: Post, channel: str) -> KeyPath:
    override = post.override(channel)
    if override is not None and "publish_at" in override.model_fields_set:
        return ("overrides", channel, "publish_at")
    return ("publish_at",)


def local(tz: tzinfo, at: datetime | float) -> str:
    when = datetime.fromtimestamp(at, tz) if isinstance(at, float) else at.astimezone(tz)
    return when.strftime("%Y-%m-%d %H:%M")


def slots(project: Project, post: Post) -> Iterator[Slot]:
    """Where this post goes out, per enabled channel (not for drafts)."""
    if post.is_draft:
        return
    channels = project.channels
    # the channels of a post mostly share one time, set by one key: each found once
    stamps: dict[int, float] = {}  # by the datetime's identity: it lives through the loop
    places: dict[KeyPath, tuple[int, str]] = {}
    times, default = post.channel_publish_at, post.publish_at  # as post.when() reads them
    overrides = post.overrides
    for name in post.channels:
        at = times.get(name, default)
        if at is not None and channels[name].enabled:
            key = time_key(post, name) if name in overrides else _PUBLISH_AT
            stamp = stamps.get(id(at))
            if stamp is None:
                stamp = stamps[id(at)] = at.timestamp()
            place = places.get(key)
            if place is None:
                place = places[key] = (post.line_of(key), format_key(key))
            yield Slot(name, stamp, post.id, post.file, *place)


def past_findings(entries: Iterable[Slot], clock: Clock) -> Iterator[Finding]:
    """Times already past at ``clock.now``: late, or missed past max_lateness (warnings).

    Judged apart from the per-post rules, so those do not depend on the time.
    """
    reported: set[tuple[str, str]] = set()
    moment = clock.now.timestamp()
    for slot in sorted((e for e in entries if e.at < moment), key=lambda e: (e.file, e.line)):
        if (slot.file, slot.key) in reported:
            continue
        reported.add((slot.file, slot.key))
        late = timedelta(seconds=moment - slot.at)
        if late > clock.max_lateness:
            outcome = (
                f"more than max_lateness {duration_text(clock.max_lateness)}: unless it was"
                " published, it will be reported as missed, not published"
            )
        else:
            outcome = "unless it was published, it goes out late, at the next publish run"
        yield Finding(
            Severity.WARNING,
            "in-the-past",
            f"{local(clock.tz, slot.at)} is {duration_text(late)} in the past; {outcome}",
            file=slot.file,
            line=slot.line,
            key=slot.key,
            hint="give it a future time, or remove publish_at and run `smmgen schedule`",
        )


def _gaps(
    by_channel: dict[str, list[tuple[float, str, str, int]]], clock: Clock
) -> Iterator[Finding]:
    """Two posts on one channel closer than ``min_gap``: reported on the later one.
    By channel, (at, file, post, line): a channel has one slot per file, so
    sorting these tuples sorts by time, then file."""
    gap = clock.min_gap
    if not gap:
        return
    near = gap.total_seconds() + 1  # only closer pairs need the exact comparison
    for channel, items in sorted(by_channel.items()):
        items.sort()
        for earlier, later in pairwise(items):
            if later[0] - earlier[0] >= near:
                continue
            apart = timedelta(seconds=later[0] - earlier[0])
            if apart < gap and later[2] != earlier[2]:
                yield Finding(
                    Severity.ERROR,
                    "min-gap",
                    f"{channel}: {local(clock.tz, later[0])} is"
                    f" {duration_text(apart)} after {earlier[1]}"
                    f" ({local(clock.tz, earlier[0])}); min_gap is {duration_text(gap)}",
                    file=later[1],
                    line=later[3],
                    channel=channel,
                    hint="move one of them, or lower min_gap in calendar.yaml",
                )


def _gather(project: Project, post: Post) -> list[Any]:
    """[post id, [[at, line, key, [channel, ...]], ...]]: the post's slots, those
    at one time set by one key together (most posts have one such group)."""
    groups: dict[tuple[float, int, str], list[str]] = {}
    for s in slots(project, post):
        groups.setdefault((s.at, s.line, s.key), []).append(s.channel)
    return [post.id, [[at, line, key, names] for (at, line, key), names in groups.items()]]


@across_posts("schedule", _gather)
def schedule(clock: Clock, gathered: Mapping[str, Any]) -> Iterator[Finding]:
    moment = clock.now.timestamp()
    by_channel: dict[str, list[tuple[float, str, str, int]]] = {}
    past: list[Slot] = []
    for file, (post, groups) in gathered.items():
        for at, line, key, names in groups:
            for channel in names:
                by_channel.setdefault(channel, []).append((at, file, post, line))
            if at < moment:  # one slot stands for the group: it is reported once per key
                past.append(Slot(names[0], at, post, file, line, key))
    yield from _gaps(by_channel, clock)
    yield from past_findings(past, clock)
