"""The calendar's rule per post: blackouts and campaigns' dates (the minimum gap
and times in the past are judged across posts: :mod:`smmgen.check.schedule`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

from smmgen.check.rules import post_rule
from smmgen.check.schedule import Slot, local, slots, time_key
from smmgen.findings import Finding, KeyPath, Severity, format_key
from smmgen.loader.posts import Post
from smmgen.models.calendar import Blackout
from smmgen.models.timing import describe_blackout
from smmgen.project import Project

__all__ = ["Slot", "calendar_rules", "slots"]


@post_rule
def calendar_rules(project: Project, post: Post) -> Iterator[Finding]:
    calendar = project.timing
    reported: set[tuple[str, KeyPath]] = set()
    days: dict[float, tuple[Blackout | None, date]] = {}  # channels mostly share a time
    for slot in slots(project, post):
        key = time_key(post, slot.channel)

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

        known = days.get(slot.at)
        if known is None:
            when = datetime.fromtimestamp(slot.at, UTC)
            known = days[slot.at] = (
                calendar.blackout_at(when),
                when.astimezone(calendar.tz).date(),
            )
        blackout, day = known
        if blackout is not None and ("in-blackout", key) not in reported:
            yield finding(
                "in-blackout",
                f"{local(calendar.tz, slot.at)} is in the {describe_blackout(blackout)};"
                " nothing publishes then",
                "move it out of the blackout, or remove publish_at and run `smmgen schedule`",
            )
        name = post.field_for(slot.channel, "campaign")
        campaign = project.calendar.campaigns.get(name or "")
        outside = campaign is not None and not campaign.from_ <= day <= campaign.to
        if campaign is not None and outside and ("outside-campaign", key) not in reported:
            yield finding(
                "outside-campaign",
                f"{local(calendar.tz, slot.at)} is outside the campaign '{name}'"
                f" ({campaign.from_} to {campaign.to})",
                "move the post into the campaign's dates, or change the campaign",
            )
