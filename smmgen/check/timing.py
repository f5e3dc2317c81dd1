"""The calendar's rule per post: blackouts and campaigns' dates (the minimum gap
and times in the past are judged across posts: :mod:`smmgen.check.schedule`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

from smmgen.check.rules import post_rule
from smmgen.check.schedule import Slot, local, slots
from smmgen.findings import Finding, Severity
from smmgen.loader.posts import Post
from smmgen.models.calendar import Blackout
from smmgen.models.timing import describe_blackout
from smmgen.project import Project

__all__ = ["Slot", "calendar_rules", "slots"]


@post_rule
def calendar_rules(project: Project, post: Post) -> Iterator[Finding]:
    calendar = project.timing
    campaigns = project.calendar.campaigns
    reported: set[tuple[str, str]] = set()  # (code, key as shown): once per key
    days: dict[float, tuple[Blackout | None, date]] = {}  # channels mostly share a time
    for slot in slots(project, post):
        known = days.get(slot.at)
        if known is None:
            when = datetime.fromtimestamp(slot.at, UTC)
            known = days[slot.at] = (
                calendar.blackout_at(when),
                when.astimezone(calendar.tz).date(),
            )
        blackout, day = known
        if blackout is not None and ("in-blackout", slot.key) not in reported:
            reported.add(("in-blackout", slot.key))
            yield _finding(
                post,
                slot,
                "in-blackout",
                f"{local(calendar.tz, slot.at)} is in the {describe_blackout(blackout)};"
                " nothing publishes then",
                "move it out of the blackout, or remove publish_at and run `smmgen schedule`",
            )
        if not campaigns:
            continue
        name = post.field_for(slot.channel, "campaign") if post.overrides else post.front.campaign
        campaign = campaigns.get(name or "")
        outside = campaign is not None and not campaign.from_ <= day <= campaign.to
        if campaign is not None and outside and ("outside-campaign", slot.key) not in reported:
            reported.add(("outside-campaign", slot.key))
            yield _finding(
                post,
                slot,
                "outside-campaign",
                f"{local(calendar.tz, slot.at)} is outside the campaign '{name}'"
                f" ({campaign.from_} to {campaign.to})",
                "move the post into the campaign's dates, or change the campaign",
            )


def _finding(post: Post, slot: Slot, code: str, message: str, hint: str) -> Finding:
    """An error about the time of ``slot`` (at the key that sets it)."""
    return Finding(
        Severity.ERROR, code, message, file=post.file, line=slot.line, key=slot.key, hint=hint
    )
