"""Where each post stands on each of its channels, as the pages show it: the
plan's status at this moment (:mod:`smmgen.status`), what the ledger says went
out, and whether `check` finds errors in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from smmgen.models.timing import Calendar

if TYPE_CHECKING:
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


class Scheduled(Protocol):
    """What a status is judged from: a loaded post, or what the list shows of one."""

    @property
    def id(self) -> str: ...
    @property
    def channels(self) -> list[str]: ...
    @property
    def is_draft(self) -> bool: ...
    def when(self, channel: str) -> datetime | None: ...


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
    post: Scheduled,
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
    draft = post.is_draft
    out = []
    # a post's channels mostly share one time: each time is judged once
    judged: dict[datetime, tuple[datetime, str, str | None]] = {}
    for name in post.channels:
        channel = project.channels.get(name)
        if channel is None or not channel.enabled:
            continue
        when = post.when(name)
        at: datetime | None = None
        reason: str | None = None
        url: str | None = None
        if when is not None:
            found = judged.get(when)
            if found is None:
                local = when.astimezone(tz)
                found = judged[when] = (local, *calendar.status(local, now, draft=draft))
            at, status, reason = found
        item = ledger.get((post.id, name)) if ledger is not None else None
        if item is not None and item.status in _LEDGER:
            status = _LEDGER[item.status]
            url, reason = item.url, item.error
        elif at is None:
            status = "draft" if draft else "unscheduled"
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
