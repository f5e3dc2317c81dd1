"""Markdown into each network's dialect."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import ClassVar

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from smmgen.adapt import markdown
from smmgen.channels.dialect import PLAIN
from tests.dialects import render

BODY = """\
Lumen **v2** is _here_: see [the notes](https://example.com/v2) & <https://example.com>.

- faster queries
- `lumen migrate`

> Best release yet
"""


def no_mentions(name: str) -> str | None:
    return None


def test_plain() -> None:
    assert render(BODY, "plain", no_mentions) == (
        "Lumen v2 is here: see the notes (https://example.com/v2) & https://example.com.\n\n"
        "• faster queries\n• lumen migrate\n\n"
        "> Best release yet"
    )


def test_telegram_html() -> None:
    assert render(BODY, "telegram", no_mentions) == (
        'Lumen <b>v2</b> is <i>here</i>: see <a href="https://example.com/v2">the notes</a>'
        ' &amp; <a href="https://example.com">https://example.com</a>.\n\n'
        "• faster queries\n• <code>lumen migrate</code>\n\n"
        "<blockquote>Best release yet</blockquote>"
    )


def test_discord() -> None:
    assert render(BODY, "discord", no_mentions) == (
        "Lumen **v2** is *here*: see [the notes](https://example.com/v2) & <https://example.com>.\n\n"
        "- faster queries\n- `lumen migrate`\n\n"
        "> Best release yet"
    )


def test_slack_escapes_and_links() -> None:
    assert render(BODY, "slack", no_mentions) == (
        "Lumen *v2* is _here_: see <https://example.com/v2|the notes> &amp; <https://example.com>.\n\n"
        "• faster queries\n• `lumen migrate`\n\n"
        "&gt; Best release yet"
    )


def test_linkedin_escapes_reserved_characters() -> None:
    out = render("Use (parens), a_b and ~x~ [x]", "linkedin", no_mentions)
    assert out == r"Use \(parens\), a\_b and \~x\~ \[x\]"


def test_linkedin_keeps_links_whole_and_hashtags_as_templates() -> None:
    out = render("See https://e.com/wiki/A_(b) now #open_source.", "linkedin", no_mentions)
    assert out == r"See https://e.com/wiki/A_(b) now {hashtag|\#|open\_source}."


def test_linkedin_length_counts_what_readers_see() -> None:
    from smmgen.text import length

    out = render("Hi (all) #news", "linkedin", no_mentions)
    assert length(out, "linkedin") == len("Hi (all) #news")


def test_html_for_the_feed() -> None:
    out = render(BODY, "html", no_mentions)
    assert out.startswith("<p>Lumen <strong>v2</strong> is <em>here</em>")
    assert "<ul>" in out
    assert "<li>faster queries</li>" in out


def test_raw_html_is_escaped_not_passed_through() -> None:
    out = render("Hi <script>alert(1)</script>", "html", no_mentions)
    assert "<script>" not in out
    assert "&lt;script&gt;" in out


def test_soft_breaks_are_spaces_and_hard_breaks_newlines() -> None:
    assert render("one\ntwo\n\nthree  \nfour", "plain", no_mentions) == "one two\n\nthree\nfour"


def test_fast_path_equals_parser() -> None:
    text = "Plain text, no markup at all.\nSecond line.\n\nNew paragraph!"
    assert (
        render(text, "plain", no_mentions)
        == "Plain text, no markup at all. Second line.\n\nNew paragraph!"
    )


def test_mentions_written_by_the_callback() -> None:
    handles = {"alice": "@alice@example.social"}
    out = render("Thanks @alice and @bob, mail me@example.com", "plain", handles.get)
    assert out == "Thanks @alice@example.social and @bob, mail me@example.com"


class _Checker(HTMLParser):
    # the tags Telegram's HTML parse mode accepts
    ALLOWED: ClassVar[frozenset[str]] = frozenset(
        [
            "b",
            "strong",
            "i",
            "em",
            "u",
            "ins",
            "s",
            "strike",
            "del",
            "a",
            "code",
            "pre",
            "blockquote",
            "tg-spoiler",
            "span",
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.ALLOWED, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, tag
        assert self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        "# Title\n\nText with ***both*** and ~~gone~~ and `a<b`",
        "1. one\n2. two\n   - nested **x**\n\n```\ncode <here> & there\n```",
        '5 < 6 & 7 > 3 "quoted"',
    ],
)
def test_telegram_html_is_well_formed_with_allowed_tags_only(text: str) -> None:
    out = render(text, "telegram", no_mentions)
    checker = _Checker()
    checker.feed(out)
    checker.close()
    assert checker.stack == []
    assert not re.search(r"&(?!amp;|lt;|gt;|quot;)", out)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=" \t\n\r\u00a0\u2028\x0b\u200cab@#.:!1שׁ\u0301", max_size=25))
def test_a_text_the_fast_path_takes_renders_as_the_parser_renders_it(text: str) -> None:
    """Text without Markdown skips the parser; it must come out as the parser's
    would: tabs before a line end, indentation as code and white space other than
    space, tab and line feed (which CommonMark keeps) send it to the parser."""
    assume(not markdown._NEEDS_PARSER.search(text))
    renderer = markdown._Renderer(PLAIN, markdown._slot)
    fast = "\n\n".join(renderer.text(p) for p in markdown._plain_paragraphs(text) if p)
    assert fast == renderer.blocks(markdown.parse(text))
