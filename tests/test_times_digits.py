# ruff: noqa: RUF001, RUF002 - Persian and Arabic-Indic digits are what this file is about
"""Dates and times written with Persian or Arabic-Indic digits (issue 14, item 6).

``publish_at: ۲۰۲۷-۰۱-۱۰ ۰۹:۰۰`` is the same time as ``2027-01-10 09:00``, in
any mix of digit systems and with the direction marks a right-to-left editor
may put around it; what still is not a time is reported on its file, line and
key, with what smmgen read in it.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmgen.errors import TimeError
from smmgen.times import ascii_digits, parse_when, zone
from tests.i18n_strategies import ARABIC_INDIC_DIGITS, PERSIAN_DIGITS, RLM

TEHRAN = zone("Asia/Tehran")
SYSTEMS = ("0123456789", PERSIAN_DIGITS, ARABIC_INDIC_DIGITS, "०१२३४५६७८९")  # and Devanagari


@st.composite
def written_in_mixed_digits(draw: st.DrawFn, ascii_text: str) -> str:
    """``ascii_text`` with each digit in a digit system drawn for it."""
    out = []
    for char in ascii_text:
        if char.isdigit():
            char = draw(st.sampled_from(SYSTEMS))[int(char)]
        out.append(char)
    text = "".join(out)
    if draw(st.booleans()):  # an RTL editor's marks around it
        text = RLM + text + RLM
    return text


@st.composite
def a_time_written_two_ways(draw: st.DrawFn) -> tuple[str, str]:
    when = draw(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(8999, 12, 30)))
    form = draw(st.sampled_from(("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S%z")))
    if form.endswith("%z"):
        when = when.replace(tzinfo=TEHRAN)
    text = when.strftime(form).replace("+0330", "+03:30").replace("+0430", "+04:30")
    text = f"{when.year:04d}{text[text.index('-') :]}"  # four-digit years before 1000 too
    return text, draw(written_in_mixed_digits(text))


@given(a_time_written_two_ways())
def test_any_mix_of_digit_systems_is_the_same_time(pair: tuple[str, str]) -> None:
    ascii_text, mixed = pair
    try:
        expected = parse_when(ascii_text, TEHRAN)
    except TimeError:  # a local time that does not exist or happens twice in Tehran
        with pytest.raises(TimeError):
            parse_when(mixed, TEHRAN)
        return
    assert parse_when(mixed, TEHRAN) == expected


def test_the_issue_example() -> None:
    assert parse_when("۲۰۲۷-۰۱-۱۰ ۰۹:۰۰", TEHRAN) == datetime(2027, 1, 10, 9, 0, tzinfo=TEHRAN)
    assert ascii_digits("٢٠٢٧-٠١-١٠ ٠٩:٠٠") == "2027-01-10 09:00"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "۲۰۲۷-۰۱-۳۲ ۰۹:۰۰",
            "publish_at: '۲۰۲۷-۰۱-۳۲ ۰۹:۰۰' (read as '2027-01-32 09:00') is not a valid date"
            " and time: day is out of range for month",
        ),
        (
            "۲۰۲۷-۰۱-۱۰",
            "publish_at: '۲۰۲۷-۰۱-۱۰' (read as '2027-01-10') has a date but no time;"
            " write it as '2027-01-10 09:00'",
        ),
        (
            "فردا ۰۹:۰۰",
            "publish_at: 'فردا ۰۹:۰۰' (read as 'فردا 09:00') is not a date and time;"
            " expected 'YYYY-MM-DD HH:MM' (calendar time zone) or ISO 8601 with an offset",
        ),
    ],
)
def test_what_is_still_not_a_time_is_reported_on_its_line(make_project, run, value, message):
    post = f"---\nid: p\nchannels: [mastodon]\npublish_at: {value}\n---\nسلام\n"
    root = make_project(posts={"p.md": post})
    result = run("--root", root, "check", "--format", "json")
    found = json.loads(result.stdout)["findings"]
    assert [(f["file"], f["line"], f["key"], f["code"]) for f in found] == [
        ("content/p.md", 4, "publish_at", "bad-time")
    ]
    assert f"{found[0]['key']}: {found[0]['message']}" == message


def test_a_post_with_persian_digits_is_planned_at_its_time(make_project, run):
    post = "---\nid: p\nchannels: [mastodon]\npublish_at: ۲۰۲۷-۰۱-۱۰ ۰۹:۰۰\n---\nسلام\n"
    root = make_project(posts={"p.md": post})
    result = run("--root", root, "plan", "--format", "json", "--at", "2027-01-01 00:00")
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)["items"]
    assert item["at_utc"] == "2027-01-10T08:00:00Z"  # Europe/Berlin, the test calendar's zone
