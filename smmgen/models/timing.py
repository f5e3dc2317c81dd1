"""What the calendar says about an instant: blackout, freeze, due, late, missed.

calendar.yaml's model with its values parsed: the loaded project, the checks,
the plan and the schedule all judge time with it, so it sits with the models.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from smmgen.status import Status
from smmgen.times import parse_duration, zone

if TYPE_CHECKING:  # check judges times from its cache without loading the models
    from smmgen.models.calendar import Blackout, CalendarFile


class Calendar:
    """calendar.yaml with its values parsed: zone, durations, ranges."""

    def __init__(self, model: CalendarFile):
        self.model = model
        self.tz: ZoneInfo = zone(model.timezone)
        self.max_lateness: timedelta = parse_duration(model.max_lateness)
        self.min_gap: timedelta = parse_duration(model.min_gap)

    def blackout_at(self, when: datetime) -> Blackout | None:
        """The blackout covering ``when``'s local date, if any."""
        if not self.model.blackout:
            return None
        day = when.astimezone(self.tz).date()
        for blackout in self.model.blackout:
            if blackout.from_ <= day <= blackout.to:
                return blackout
        return None

    @property
    def freeze(self) -> str | None:
        """Why publishing is frozen ("" when no reason is given), or None."""
        from smmgen.models.calendar import Freeze

        freeze = self.model.freeze
        if isinstance(freeze, Freeze):
            return freeze.reason
        return "" if freeze else None

    def status(
        self, at: datetime, now: datetime, *, draft: bool = False
    ) -> tuple[Status, str | None]:
        """What publishing at ``now`` does with an item scheduled for ``at``."""
        if draft:
            return "draft", None
        # in UTC: datetimes of one zone compare as wall clocks across a DST change
        at, now = at.astimezone(UTC), now.astimezone(UTC)
        if at > now:
            blackout = self.blackout_at(at)
            if blackout is not None:
                return "blocked", describe_blackout(blackout)
            if self.freeze is not None:
                return "blocked", describe_freeze(self.freeze)
            return "scheduled", None
        late = now - at
        if late > self.max_lateness:
            limit = duration_text(self.max_lateness)
            return "missed", f"{duration_text(late)} late, more than max_lateness {limit}"
        if self.freeze is not None:
            return "blocked", describe_freeze(self.freeze)
        blackout = self.blackout_at(now)
        if blackout is not None:
            return "blocked", describe_blackout(blackout)
        return "due", None


def describe_blackout(blackout: Blackout) -> str:
    span = (
        f"{blackout.from_}"
        if blackout.from_ == blackout.to
        else f"{blackout.from_} to {blackout.to}"
    )
    return f"blackout {span}" + (f": {blackout.reason}" if blackout.reason else "")


def describe_freeze(reason: str) -> str:
    return "publishing is frozen" + (f": {reason}" if reason else "")


def duration_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{days}d" if days else "",
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
    ]
    return "".join(parts) or "0m"
