"""smmgen.text.length per network, with the rule each example pins.

The sources of the rules are cited in each network's module, smmgen/networks/
(and smmgen/text/twitter.py, smmgen/networks/mastodon/counting.py).
"""

from __future__ import annotations

import importlib

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

import smmgen.text
from smmgen import registry
from smmgen.networks.linkedin import linkedin_visible_text
from smmgen.networks.mastodon.counting import countable_text, mastodon_length
from smmgen.networks.telegram import telegram_visible_text
from smmgen.text import (
    graphemes,
    length,
    urls,
    utf8_length,
    utf16_length,
)
from smmgen.text.twitter import (
    CONFIG_V1,
    extract_urls,
    parse_tweet,
    weighted_length,
)

FAMILY = "👨‍👩‍👧‍👦"  # 7 code points, 11 UTF-16 units, 25 UTF-8 bytes, 1 grapheme
WAVE = "👋🏽"  # emoji modifier sequence: 2 code points, 4 UTF-16 units, 8 bytes


def test_networks_are_the_channel_types() -> None:
    assert set(registry.types()) == {
        "x",
        "mastodon",
        "bluesky",
        "threads",
        "linkedin",
        "facebook",
        "telegram",
        "discord",
        "slack",
        "webhook",
        "feed",
    }
    limits = {net.type: net.limits.max_chars for net in registry.networks()}
    assert limits == {
        "x": 280,
        "mastodon": 500,
        "bluesky": 300,
        "threads": 500,
        "linkedin": 3000,
        "facebook": 63206,
        "telegram": 4096,
        "discord": 2000,
        "slack": 40000,
        "webhook": None,
        "feed": None,
    }


def test_unknown_network_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown network 'myspace'; known networks: bluesky, "):
        length("hi", "myspace")


# -- X: twitter-text v3 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 5),
        # URLs count 23 whatever their length, with or without a scheme.
        ("see https://example.com/a/rather/long/path/to/something?x=1", 4 + 23),
        ("see example.com and www.example.org/x", 4 + 23 + 5 + 23),
        ("t.co/abc123", 23),
        # ...but not without a known TLD, or with a label over 63 characters.
        ("see example.invalidtld", 22),
        ("x" * 64 + ".com", 68),
        # CJK and most symbols weigh 2; Latin, Cyrillic, general punctuation 1.
        ("日本語", 6),
        ("Привет — “hi”", 13),
        # Emoji sequences weigh 2 however many code points they hold.
        (FAMILY, 2),
        (WAVE, 2),
        ("🇩🇪", 2),
        ("❤️", 2),
        ("1️⃣", 2),
        # A text-presentation pictograph is not an emoji: ☺ (2) + U+FE0E (2).
        ("☺\ufe0e", 4),
        # © weighs 1, but as emoji (with U+FE0F) it is one sequence of 2.
        ("©", 1),
        ("©\ufe0f", 2),
        # NFC first: e + combining acute is one code point.
        ("e\u0301", 1),
    ],
)
def test_x(text: str, expected: int) -> None:
    assert length(text, "x") == expected


def test_x_trailing_punctuation_stays_out_of_the_url() -> None:
    text = "Read https://example.com/post. Or (https://en.wikipedia.org/wiki/Foo_(bar))!"
    spans = extract_urls(text)
    assert [text[start:end] for start, end in spans] == [
        "https://example.com/post",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
    ]
    assert length(text, "x") == len(text) - 24 - 39 + 46


# Checked against twitter-text's Java library (Extractor.extractURLsWithIndices).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x ßtest.co.uk", ["ßtest.co.uk"]),
        # A path segment ends in an ending character or is "(...)" alone.
        ("x http://a.com/x.(b)", ["http://a.com/x"]),
        ("x http://a.com/x(b)", ["http://a.com/x(b)"]),
        ("foo.bar?www.~", ["foo.bar?www"]),
        ("-example.com", []),
        ("user@example.com", []),
        ("bücher.de/x", ["bücher.de/x"]),
        ("http://例子.香港/x", ["http://例子.香港/x"]),
        # Internationalised domain names only after a scheme.
        ("例子.香港/x", []),
        ("a.b.c.d.example.co.uk:8080/p?q=1#f", ["a.b.c.d.example.co.uk:8080/p?q=1#f"]),
        ("https://t.co/abcdefghij?x=1&y=2 more", ["https://t.co/abcdefghij?x=1&y=2"]),
        ("example.com/@alice/", ["example.com/@alice/"]),
    ],
)
def test_x_urls(text: str, expected: list[str]) -> None:
    assert [text[start:end] for start, end in extract_urls(text)] == expected


def test_x_other_configurations() -> None:
    # twitter-text v1: 140 characters, every code point 1, scale 1.
    assert weighted_length("日本語 " + FAMILY, CONFIG_V1) == 4 + 7
    assert parse_tweet("a" * 141, CONFIG_V1).valid is False


_X_FRAGMENTS = [
    "a",
    "Z",
    " ",
    ".",
    "/",
    "é",
    "e\u0301",
    "日",
    "—",
    "😀",
    WAVE,
    FAMILY,
    "🇩🇪",
    "❤️",
    "1⃣",
    "\ufe0e",
    "\u200d",
    "https://",
    "example.com",
    "t.co/",
    "xn--bcher-kva.example",
    "bücher.de",
    "(",
    ")",
    "?q=1",
    "@",
    "#",
    "\ufffe",
]


@given(st.lists(st.sampled_from(_X_FRAGMENTS), max_size=40).map("".join))
def test_x_fast_length_matches_the_full_parse(text: str) -> None:
    assert length(text, "x") == parse_tweet(text).weighted_length


# -- Mastodon ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Only URLs with a scheme count 23 (extract_url_without_protocol: false).
        ("see https://example.com/a/rather/long/path/to/something?x=1", 4 + 23),
        ("see example.com/a/rather/long/path", 34),
        ("gemini://gemini.example.org/some/page", 23),
        # A mention counts without its domain.
        ("hi @alice@example.social!", len("hi @alice!")),
        ("hi @alice", 9),
        # An e-mail address is no mention.
        ("mail alice@example.social", 25),
        # Characters are grapheme clusters.
        (FAMILY + WAVE + "e\u0301", 3),
        # A blank text counts nothing.
        ("   \n", 0),
    ],
)
def test_mastodon(text: str, expected: int) -> None:
    assert length(text, "mastodon") == expected


def test_mastodon_counts_the_content_warning_too() -> None:
    assert mastodon_length("body", spoiler_text="CW: spoilers") == 4 + 12


def test_mastodon_rewrites_entities_as_the_server_does() -> None:
    assert (
        countable_text("@bob@mastodon.social see https://example.com/x?y=1 (and @carol)")
        == "@bob see " + "x" * 23 + " (and @carol)"
    )


# -- Bluesky ------------------------------------------------------------------------


def test_bluesky_counts_graphemes() -> None:
    assert length("Hello " + FAMILY + WAVE + " 🇩🇪 e\u0301", "bluesky") == 12
    assert length("https://example.com/a/long/url", "bluesky") == 30


def test_bluesky_byte_limit_is_utf8() -> None:
    # The lexicon's maxLength (3000) is in UTF-8 bytes.
    assert utf8_length(FAMILY) == 25
    assert utf8_length("日本") == 6
    assert utf8_length("abc") == 3


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_graphemes_match_uax29(text: str) -> None:
    assert graphemes(text) == len(regex.findall(r"\X", text))


# Code points that join clusters: marks, ZWJ, regional indicators, Hangul
# jamo, Devanagari (virama, visarga), an Arabic prepend, keycap, CR LF.
JOINING_FRAGMENTS = [
    *("a", " ", "\r", "\n", "\u0301", "\u200d", "👩", WAVE, "🇩", "🇪", "ᄀ", "ᅡ", "ᆨ"),
    *("न", "्", "ष", "\u0903", "\u0600", "\ufe0f", "1", "\u20e3"),
]


@given(
    st.lists(
        st.sampled_from(JOINING_FRAGMENTS),
        max_size=60,
    ).map("".join)
)
def test_graphemes_match_uax29_on_joining_characters(text: str) -> None:
    assert graphemes(text) == len(regex.findall(r"\X", text))


# -- Threads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        # Every character counts its UTF-8 bytes (conservative: Meta documents it for
        # emoji, and refused curly quotes so in production), letters too...
        ("café 日本", 12),
        ("it\u2019s", 6),
        ("שלום", 8),
        ("سلام", 8),
        ("България", 16),
        # ...and emoji.
        ("😀", 4),
        ("❤️", 6),
        (FAMILY, 25),
        (WAVE, 8),
        ("🇩🇪", 8),
        ("ok 👍", 3 + 4),
    ],
)
def test_threads(text: str, expected: int) -> None:
    assert length(text, "threads") == expected


def test_threads_links_are_counted_once_each() -> None:
    text = "www.threads.net and https://example.com/a, again www.threads.net; bare example.org"
    assert urls(text) == ["www.threads.net", "https://example.com/a", "example.org"]


# -- LinkedIn ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", 5),
        # The little-text escapes do not count: \( is one character as shown.
        (r"Q\&A \(part 1\) \#news", len("Q\\&A (part 1) #news")),
        # A mention shows (and counts) as its name.
        ("Thanks @[Alice Example](urn:li:person:123)!", len("Thanks Alice Example!")),
        # A hashtag template shows as #tag.
        (r"{hashtag|\#|launch} day", len("#launch day")),
        # UTF-16 code units: an emoji counts 2.
        ("😀", 2),
    ],
)
def test_linkedin(text: str, expected: int) -> None:
    assert length(text, "linkedin") == expected


def test_linkedin_visible_text() -> None:
    assert linkedin_visible_text(r"@[A \(B\)](urn:li:organization:9) \~x\~") == "A (B) ~x~"


# -- Facebook, Telegram, Discord, Slack, webhook, feed ----------------------------------


def test_facebook_counts_utf16_units() -> None:
    assert length("hello", "facebook") == 5
    assert length(FAMILY, "facebook") == 11
    assert length("日本", "facebook") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # HTML parse mode: tags do not count, entities count as their character.
        ("<b>bold</b> &amp; <i>more</i>", len("bold & more")),
        ('<a href="https://example.com/x">link</a>', 4),
        ("&lt;3 &#128512; &#x1F600;", len("<3 ") + 2 + 1 + 2),
        ("<blockquote expandable>quote</blockquote>", 5),
        # UTF-16 code units.
        (FAMILY, 11),
    ],
)
def test_telegram(text: str, expected: int) -> None:
    assert length(text, "telegram") == expected


def test_telegram_visible_text_keeps_unknown_entities() -> None:
    assert telegram_visible_text("a &nbsp; b &amp;amp; c") == "a &nbsp; b &amp; c"


@pytest.mark.parametrize("network", ["discord", "slack", "webhook", "feed"])
def test_code_point_networks(network: str) -> None:
    assert length("hello", network) == 5
    assert length(FAMILY, network) == 7
    assert length("日本", network) == 2


def test_slack_counts_the_escaped_text_as_sent() -> None:
    assert length("a &amp; b &lt;c&gt;", "slack") == 19


def test_unit_helpers() -> None:
    assert utf16_length("a😀") == 3
    assert utf8_length("a😀") == 5
    assert graphemes("a\r\nb") == 3


# -- facets re-export -------------------------------------------------------------------


def test_facets_stays_the_function_after_importing_the_module() -> None:
    importlib.import_module("smmgen.text.richtext")
    assert callable(smmgen.text.facets)
    assert smmgen.text.facets("see example.com") == smmgen.text.richtext.facets("see example.com")
