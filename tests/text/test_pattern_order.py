"""The mention patterns look for their ``@`` first and only then behind it: a
pattern that starts with a lookbehind is tried at every position of a text, one
that starts with a character is found by a fast scan. Both forms must find
exactly the same matches (hypothesis). (Hashtags follow each network's grammar,
whose boundary consumes the character before ``#`` as the official extractors
do: tests/text/test_grammar_official.py.)"""

# ruff: noqa: RUF001  (Persian letters are the point here)

from __future__ import annotations

import itertools
import re

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from smmgen.adapt import hashtags, markdown
from smmgen.networks.mastodon import counting

# The patterns as written before, lookbehind first.
LOOKBEHIND_FIRST = [
    (
        markdown.MENTION,
        regex.compile(
            r"(?<![A-Za-z0-9_@./:+=?&%#~])@([\p{L}\p{N}_]+)(?![\p{L}\p{N}\p{M}_])"
            r"(?![@\uff20]|\.[\p{L}\p{N}_]|://)"
        ),
    ),
]
_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"
MASTODON_FIRST = regex.compile(
    rf"(?<![=/{_WORD}])@((?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@[{_WORD}]+(?:[.-]+[{_WORD}]+)*)?)"
)

# What sits around a # or @ in posts: every character the lookbehinds name,
# words of several scripts (Hebrew with niqqud, Persian with ZWNJ, Bulgarian,
# Polish with a decomposed accent), digits, marks and spaces; side by side.
PIECES = [
    *"#@&/.:+-=?%~_ \n\t\uff03\u0301\u200c",
    *("a", "Z9", "zażółć", "zaz\u0301", "жълт", "שָׁלוֹם", "می\u200cخواهم", "09", "_x"),
]
# a # or @ with a piece before it and a word after it, among free pieces
marked = st.tuples(st.sampled_from(PIECES), st.sampled_from("#@"), st.sampled_from(PIECES))
texts = st.lists(st.one_of(marked.map("".join), st.sampled_from(PIECES)), max_size=8).map("".join)


def spans(pattern: re.Pattern[str] | regex.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span(1) for m in pattern.finditer(text)]


def same_matches(text: str) -> None:
    for pattern, before in LOOKBEHIND_FIRST:
        assert spans(pattern, text) == spans(before, text), (pattern.pattern, text)
    assert spans(counting.MENTION, text) == spans(MASTODON_FIRST, text), text


def test_every_piece_before_and_after_a_mark_is_judged_alike() -> None:
    for before, mark, after, then in itertools.product(PIECES, "#@", PIECES, PIECES):
        same_matches(before + mark + after + then)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_a_character_first_finds_what_a_lookbehind_first_found(text: str) -> None:
    same_matches(text)


def test_the_lookbehind_still_holds_at_the_start_and_after_the_named_characters() -> None:
    # twitter-text: '/' may come before '#' (a tag in a URL is left out as overlapping it)
    assert hashtags.inline_hashtags("#a b#c &#d /#e #f https://example.com/#g") == ("a", "e", "f")
    assert markdown.MENTION.findall("@a x@b .@c @d") == ["a", "d"]


def test_the_policy_reads_mentions_with_the_pattern_that_resolves_them() -> None:
    from smmgen.check import policy

    assert policy.MENTION is markdown.MENTION
