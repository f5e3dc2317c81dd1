"""Escaping for LinkedIn little text, Slack mrkdwn and Telegram HTML."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from smmgen.text import length
from smmgen.text.escape import (
    LINKEDIN_RESERVED,
    linkedin_little_text,
    linkedin_unescape,
    slack_escape,
    telegram_html_escape,
)


def test_linkedin_escapes_every_reserved_character() -> None:
    # LinkedIn's little text format reserves \ | { } @ [ ] ( ) < > # * _ ~.
    assert linkedin_little_text(LINKEDIN_RESERVED) == "".join("\\" + c for c in LINKEDIN_RESERVED)
    assert linkedin_little_text("Q&A (part 1): 50% off!") == r"Q&A \(part 1\): 50% off!"


@given(st.text(max_size=50))
def test_linkedin_escaping_round_trips_and_keeps_the_length(text: str) -> None:
    escaped = linkedin_little_text(text)
    assert linkedin_unescape(escaped) == text
    assert length(escaped, "linkedin") == length(text, "facebook")  # both UTF-16 units


def test_slack_escapes_only_amp_lt_gt() -> None:
    assert slack_escape("a & b < c > d \"e\" 'f' *g*") == "a &amp; b &lt; c &gt; d \"e\" 'f' *g*"
    assert slack_escape("&lt;") == "&amp;lt;"


def test_telegram_html_escape() -> None:
    assert telegram_html_escape('<b> & "x"') == "&lt;b&gt; &amp; &quot;x&quot;"


@given(st.text(max_size=50))
def test_telegram_counts_escaped_text_as_the_original(text: str) -> None:
    assert length(telegram_html_escape(text), "telegram") == length(text, "facebook")
