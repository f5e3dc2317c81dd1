"""Where each post stands on each of its channels, as the pages show it: the
plan's status at this moment (:mod:`smmgen.status`), what the ledger says went
out, and whether `check` finds errors in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smmgen.models.timing import Calendar

if TYPE_CHECKING:
    from smmgen.loader.posts import Post
    from smmgen.project import Project

# Every status a page shows, in the order the filter lists them, and what each means.
STATUSES: dict[str, str] = {
    "draft": "a draft: checked, never published",
    "unscheduled": "no publish_at yet (smmgen schedule gives it a slot)",
    "scheduled": "goes out at its time",
    "due": "its time has come: the next publish run sends it",
    "published": "the ledger records it as published",
    "missed": "later than max_lateness: reported, never published",
    "blocked": "its time falls in a blackout, or publishing is frozen",
    "failed": "the network refused it (see the ledger)",
    "unknown": "sent, but whether it arrived is not known (smmgen ledger resolve)",
    "findings": "check finds errors in it",
}
# the ledger's statuses that stand for themselves on a page
_LEDGER = {"published": "published", "failed": "failed", "unknown": "unknown"}


@dataclass(frozen=True)
class ChannelStatus:
    channel: str
    network: str
    status: str  # a key of STATUSES other than "findings"
    at: datetime | None  # in the calendar's zone
    reason: str | None = None  # why blocked or missed, or the ledger's error
    url: str | None = None  # where it was published
    errors: int = 0  # what check finds on this channel (or the whole post)
    warnings: int = 0


def channel_statuses(
    project: Project,
    post: Post,
    now: datetime,
    ledger: dict[tuple[str, str], Any] | None,
    counts: dict[str | None, tuple[int, int]],
    calendar: Calendar | None = None,
) -> list[ChannelStatus]:
    """``post`` on each of its channels that the project has (disabled ones left
    out); ``counts``: errors and warnings by channel (None: the whole post);
    ``calendar``: the project's, when the caller has it already."""
    calendar = calendar or Calendar(project.calendar)
    tz = calendar.tz
    whole = counts.get(None, (0, 0))
    out = []
    for name in post.channels:
        channel = project.channels.get(name)
        if channel is None or not channel.enabled:
            continue
        when = post.when(name)
        at = when.astimezone(tz) if when is not None else None
        reason: str | None = None
        url: str | None = None
        item = ledger.get((post.id, name)) if ledger is not None else None
        if item is not None and item.status in _LEDGER:
            status = _LEDGER[item.status]
            url, reason = item.url, item.error
        elif at is None:
            status = "draft" if post.is_draft else "unscheduled"
        else:
            status, reason = calendar.status(at, now, draft=post.is_draft)
        errors, warnings = counts.get(name, (0, 0))
        out.append(
            ChannelStatus(
                channel=name,
                network=channel.type,
                status=status,
                at=at,
                reason=reason,
                url=url,
                errors=errors + whole[0],
                warnings=warnings + whole[1],
            )
        )
    return out
