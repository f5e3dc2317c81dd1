"""The plan: which variant goes out when, and what stands in its way.

A :class:`PlanItem` is one post on one channel at one instant. ``status`` is
what publishing would do with it at the plan's reference time ``now``
(:data:`smmgen.status.Status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from smmgen.models.timing import Calendar
from smmgen.status import Status

if TYPE_CHECKING:
    from smmgen.project import Project


@dataclass(frozen=True)
class PlanItem:
    post: str  # the post's id
    channel: str  # channel name from channels.yaml
    network: str  # the channel's type (mastodon, bluesky, ...)
    title: str | None  # the post's title (internal)
    file: str  # the post file, relative to the project root
    at: datetime  # when it goes out, aware, in the calendar's time zone
    status: Status
    reason: str | None = None  # why blocked or missed, e.g. "blackout: Holidays"
    # the channel's text as written (its override, else the body); `plan` shows it
    # as the channel's readers will see it (smmgen.commands.plan.shown)
    text: str = ""
    campaign: str | None = None
    price: Decimal | None = None  # US dollars, where the network charges per post (X)


def build_plan(
    project: Project, now: datetime, start: datetime | None = None, end: datetime | None = None
) -> list[PlanItem]:
    """Every scheduled variant between ``start`` and ``end`` (inclusive), by time.

    ``start`` defaults to ``now`` less ``max_lateness`` (so what is due now
    shows), ``end`` to no end. Channels that are disabled are left out.
    """
    calendar = Calendar(project.calendar)
    # instants in UTC: datetimes of one zone compare as wall clocks across a DST change
    start = (start if start is not None else now - calendar.max_lateness).astimezone(UTC)
    end = end.astimezone(UTC) if end is not None else None
    items = []
    for post in project.posts:
        # per instant: datetimes of one zone compare equal across a DST fold
        judged: dict[float, tuple[datetime, Status, str | None]] = {}
        for name in post.channels:
            channel = project.channels[name]
            when = post.when(name)
            if not channel.enabled or when is None:
                continue
            at = when.astimezone(UTC)
            if at < start or (end is not None and at > end):
                continue
            instant = at.timestamp()
            if instant not in judged:
                status, reason = calendar.status(at, now, draft=post.is_draft)
                judged[instant] = (at.astimezone(calendar.tz), status, reason)
            local, status, reason = judged[instant]
            items.append(
                PlanItem(
                    post=post.id,
                    channel=name,
                    network=channel.type,
                    title=post.front.title,
                    file=post.file,
                    at=local,
                    status=status,
                    reason=reason,
                    text=post.text_for(name).strip(),
                    campaign=post.field_for(name, "campaign"),
                )
            )
    items.sort(key=lambda item: (item.at.astimezone(UTC), item.post, item.channel))
    return items
