"""The isolation of links, mentions and hashtags takes time linear in the text.

`build` isolates every part of every variant for its preview, so a pattern that
backtracks over a whole word at every place it could start (a long hyphenated
or dotted run, an unclosed LinkedIn hashtag) turned a long text into seconds.
The pattern was rewritten for speed; on ordinary text it finds exactly what the
previous one found, which is kept here as the reference.
"""

from __future__ import annotations

import time

import regex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from smmgen.report.isolation import _TRAILING, _WORD, ENTITY, _entities, isolated_html
from tests.i18n_strategies import URLS, mixed_text, sentences

PREVIOUS = regex.compile(
    rf"""(?:https?://|www\.)[^\s<>"]+{_TRAILING}"""
    rf"""|(?<![\w@./])(?:[a-z0-9-]+\.)+[a-z]{{2,}}\b(?![@\w-]|\.\w)(?:/[^\s<>"]*{_TRAILING})?"""
    rf"|(?<![\w@])@{_WORD}(?:[\w.-]*{_WORD})?(?:@{_WORD}(?:[\w.-]*{_WORD})?)?"
    rf"|(?<![\w&#])#{_WORD}(?:{_WORD}|[\u200c\u200d\u00b7\u05f3\u05f4\u05be])*"
    r"|\{hashtag\|\\\#\|[^}]*\}",
    regex.VERSION1 | regex.IGNORECASE,
)

LONG = 100_000  # characters
SECONDS = 1.0  # the previous pattern took 18 s on 100,000 characters of "a-a-a-..."

# What the slow texts were made of: runs of letters, digits, dots and hyphens,
# the starts of mentions, hashtags, links and LinkedIn's hashtags, and spaces.
_PIECES = st.sampled_from(
    [
        "a",
        "b1",
        "-",
        ".",
        "..",
        "@",
        "#",
        "/",
        ":",
        " ",
        "é",
        "_",
        "{hashtag|\\#|",
        "www.",
        "https://",
        "}",
        "ש",
        "\u200c",
        "ł",
        "o\u0301",
    ]
)


def _spans(pattern: regex.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


# A hyphen in an ASCII run that cannot start a domain (it follows a letter of
# another script, "@", "." or "/"): before, a domain could start after the hyphen.
_STARTED_AFTER_A_HYPHEN = regex.compile(r"(?:[\w--[a-zA-Z0-9]]|[@./])[a-zA-Z0-9-]*-", regex.V1)


def _comparable(text: str) -> bool:
    return not _STARTED_AFTER_A_HYPHEN.search(text)


@settings(max_examples=100, deadline=None)
@given(mixed_text().map(lambda text: text.replace("-", " ")))
def test_the_pattern_finds_what_the_previous_one_found(text: str) -> None:
    """Hebrew, Persian with ZWNJ, Bulgarian and Polish text with links, mentions,
    hashtags and emoji: the same entities at the same places."""
    assert _spans(ENTITY, text) == _spans(PREVIOUS, text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a", "b1", "cd", "-", ".", " ", "@", "/", "é"]), max_size=16))
def test_domains_are_found_as_before(pieces: list[str]) -> None:
    """Dotted and hyphenated ASCII runs (the part that was rewritten): the same, but
    for a label that begins with a hyphen, which no domain has."""
    text = "".join(pieces)
    assume(_comparable(text))
    assert _spans(ENTITY, text) == _spans(PREVIOUS, text)


def test_a_domain_does_not_start_inside_a_hyphenated_word() -> None:
    assert str(isolated_html("x-lumen.dev")) == "<bdi>x-lumen.dev</bdi>"
    assert str(isolated_html("é-lumen.dev ok")) == "é-lumen.dev ok"
    assert str(isolated_html("see lumen.dev.-x")) == "see <bdi>lumen.dev</bdi>.-x"


@settings(max_examples=25, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=12).map("".join))
def test_a_long_text_of_any_repeated_piece_is_isolated_in_linear_time(piece: str) -> None:
    text = piece * (LONG // len(piece) + 1)
    started = time.perf_counter()
    markup = isolated_html(text)
    seconds = time.perf_counter() - started
    assert seconds < SECONDS, f"{len(text)} characters of {piece!r} took {seconds:.2f} s"
    assert (
        markup.replace("<bdi>", "")
        .replace("</bdi>", "")
        .startswith(text[:100].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    )


@settings(max_examples=5, deadline=None)
@given(st.sampled_from(["he", "fa", "bg", "pl"]).flatmap(lambda script: sentences(script)))
def test_many_parts_of_real_text_are_isolated_fast(text: str) -> None:
    """A thread of many parts, each a sentence with links and mentions: each part
    costs what its length costs, whatever came before."""
    parts = [f"{text} {URLS[i % len(URLS)]} @alice #tag{i}" for i in range(1_000)]
    started = time.perf_counter()
    for part in parts:
        isolated_html(part)
    seconds = time.perf_counter() - started
    assert seconds < SECONDS, f"1,000 parts took {seconds:.2f} s"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "lumen.dev",
                "@",
                "#",
                ".",
                ":",
                "/",
                " ",
                "\n",
                "\x1c",
                "\u3000",
                "https://",
                "www.",
                "ש",
                "\u200c",
                "{hashtag|\\#|x}",
                "-",
                "é",
            ]
        ),
        max_size=20,
    ).map("".join)
)
def test_searching_only_words_that_can_hold_an_entity_finds_them_all(text: str) -> None:
    """The words searched are split where the pattern's \\s splits them (U+001C..U+001F
    are spaces to ``re`` but not to ``regex``)."""
    assert [match.span() for match in _entities(text)] == _spans(ENTITY, text)
