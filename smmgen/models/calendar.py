"""``calendar.yaml``: time zone, posting slots, blackouts, freeze and campaigns."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from smmgen.errors import TimeError
from smmgen.models.base import Bool, Model
from smmgen.models.post import Tag
from smmgen.times import parse_duration, zone

SLOT_PATTERN = r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01]?\d|2[0-3]):[0-5]\d$"
_SLOT = re.compile(SLOT_PATTERN)
DURATION_PATTERN = r"^(\d+d)?\s*(\d+h)?\s*(\d+m)?\s*(\d+s)?$"


def _timezone(value: str) -> str:
    try:
        zone(value)
    except TimeError as exc:
        raise ValueError(str(exc)) from None
    return value


def _slot(value: str) -> str:
    if not _SLOT.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a slot: write a weekday and a 24-hour time, like 'Mon 09:00'"
        )
    return value


def _duration(value: str | int) -> str | int:
    try:
        parse_duration(value)
    except TimeError as exc:
        raise ValueError(str(exc)) from None
    return value


TimeZoneName = Annotated[
    str, AfterValidator(_timezone), Field(json_schema_extra={"examples": ["Europe/Berlin"]})
]
Slot = Annotated[str, AfterValidator(_slot), Field(json_schema_extra={"pattern": SLOT_PATTERN})]
Duration = Annotated[
    str | int, AfterValidator(_duration), Field(json_schema_extra={"examples": ["6h", "10m"]})
]


class DateRange(Model):
    from_: date = Field(alias="from", description="First day (inclusive), YYYY-MM-DD.")
    to: date = Field(description="Last day (inclusive), YYYY-MM-DD.")

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.to < self.from_:
            raise ValueError(f"'to' ({self.to}) is before 'from' ({self.from_})")
        return self


class Blackout(DateRange):
    """Days on which nothing is published."""

    reason: str | None = Field(default=None, description="Shown wherever the blackout applies.")


class Campaign(DateRange):
    """A campaign: posts that name it must fall within its dates."""

    hashtags: list[Tag] = Field(
        default_factory=list, description="Hashtags added to every post of the campaign."
    )
    description: str | None = Field(default=None, description="What the campaign is.")


class Freeze(Model):
    reason: str = Field(description="Why publishing is stopped; shown everywhere.")


class CalendarFile(Model):
    """calendar.yaml: when posts go out."""

    model_config = ConfigDict(title="smmgen calendar.yaml")

    timezone: TimeZoneName = Field(
        default="UTC", description="IANA time zone of times written without an offset."
    )
    slots: dict[str, list[Slot]] = Field(
        default_factory=dict,
        description="Weekly posting slots for `smmgen schedule`, per channel name, with"
        " 'default' for the rest.",
    )
    blackout: list[Blackout] = Field(
        default_factory=list, description="Date ranges on which nothing is published."
    )
    freeze: Bool | Freeze = Field(
        default=False,
        description="Emergency stop: true, or {reason: ...}. Nothing publishes while set.",
    )
    max_lateness: Duration = Field(
        default="6h",
        description="A post later than this past its time is reported as missed, not published.",
    )
    min_gap: Duration = Field(
        default="0m", description="Minimum time between two posts on one channel."
    )
    campaigns: dict[str, Campaign] = Field(
        default_factory=dict, description="Campaigns by name, with dates and hashtags."
    )
