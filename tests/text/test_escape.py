"""Escaping for LinkedIn little text, Slack mrkdwn, HTML (Telegram, the feed) and
Discord: the one escape module the dialects, check and the drivers call."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from smmgen.text import length
from smmgen.text.escape import (
    LINKEDIN_RESERVED,
    discord_markdown,
    html_attribute,
    html_text,
    linkedin_little_text,
    linkedin_unescape,
    slack_escape,
)
from tests.dialects import DIALECTS


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


def test_html_text_and_attribute() -> None:
    assert html_text('<b> & "x"') == '&lt;b&gt; &amp; "x"'
    assert html_attribute("a\"b'c&<>") == "a&quot;b&#x27;c&amp;&lt;&gt;"


def test_discord_escapes_markers_but_not_links() -> None:
    text = "a_b *c* https://example.com/a_b ~d~\n# head"
    assert discord_markdown(text) == "a\\_b \\*c\\* https://example.com/a_b \\~d\\~\n\\# head"


@given(st.text(max_size=50))
def test_telegram_counts_escaped_text_as_the_original(text: str) -> None:
    assert length(html_text(text), "telegram") == length(text, "facebook")


@given(st.text(max_size=50))
def test_the_dialects_escape_with_this_module(text: str) -> None:
    # what production calls is what is tested here: the dialects use these functions
    assert DIALECTS["telegram"].escape(text) == html_text(text)
    assert DIALECTS["html"].escape(text) == html_text(text)
    assert DIALECTS["slack"].escape(text) == slack_escape(text)
    assert DIALECTS["discord"].escape(text) == discord_markdown(text)
    if "#" not in text and "://" not in text:
        assert DIALECTS["linkedin"].escape(text) == linkedin_little_text(text)
