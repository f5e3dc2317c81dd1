"""``smmgen schedule``: the next free calendar slots for unscheduled posts.

Posts are taken in id order. A post whose channels all use the same slot
list (``slots.<channel>``, else ``slots.default``) is scheduled in that list;
a post whose channels use different lists in ``slots.default``. A slot is
free when it is after now, not in a blackout, and none of the post's
channels has another post within ``min_gap`` of it (at least a minute: one
post per slot per channel). The result is deterministic, and a second run
changes nothing: scheduled posts are no longer unscheduled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from smmgen.calendar.slots import occurrences
from smmgen.loader.posts import Post
from smmgen.models.timing import Calendar
from smmgen.project import Project


@dataclass(frozen=True)
class Assignment:
    post: Post
    at: datetime  # in the calendar's time zone


@dataclass(frozen=True)
class Unschedulable:
    post: Post
    reason: str


def unscheduled(post: Post) -> bool:
    """No publish_at, and some channel without a time of its own in overrides."""
    return post.publish_at is None and any(post.when(name) is None for name in post.channels)


def slot_list(project: Project, post: Post) -> list[str]:
    slots = project.calendar.slots
    lists = {tuple(slots.get(name) or slots.get("default") or []) for name in post.channels}
    if len(lists) == 1:
        return list(lists.pop())
    return list(slots.get("default") or [])


def schedule(
    project: Project, now: datetime, posts: list[Post] | None = None
) -> tuple[list[Assignment], list[Unschedulable]]:
    """Slots for ``posts`` (default: every unscheduled post that is not a draft)."""
    calendar = Calendar(project.calendar)
    gap = max(calendar.min_gap, timedelta(minutes=1))
    taken: dict[str, list[datetime]] = {}
    for post in project.posts:
        for name in post.channels:
            at = post.when(name)
            if at is not None:  # in UTC: wall clocks of one zone mislead across DST
                taken.setdefault(name, []).append(at.astimezone(UTC))
    if posts is None:
        posts = [p for p in project.posts if unscheduled(p) and not p.is_draft]
    done: list[Assignment] = []
    failed: list[Unschedulable] = []
    for post in sorted(posts, key=lambda p: p.id):
        if not unscheduled(post):
            continue  # already scheduled: nothing to do
        slots = slot_list(project, post)
        if not slots:
            failed.append(Unschedulable(post, "calendar.yaml has no slots for its channels"))
            continue
        for at in occurrences(slots, calendar.tz, now):
            if calendar.blackout_at(at) is not None:
                continue
            if any(
                abs(at - other) < gap for name in post.channels for other in taken.get(name, [])
            ):
                continue
            done.append(Assignment(post, at))
            for name in post.channels:
                taken.setdefault(name, []).append(at)
            break
        else:
            failed.append(Unschedulable(post, "no free slot in the next 800 days"))
    return done, failed
