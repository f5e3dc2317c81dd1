"""Thread parts: explicit separators, and splitting that loses nothing."""

from __future__ import annotations

import re
import time

from hypothesis import example, given, settings
from hypothesis import strategies as st

from smmgen.adapt import threads
from smmgen.adapt.threads import Fits, explicit_parts, split


def test_explicit_parts() -> None:
    assert explicit_parts("one\n\n---\n\ntwo\n---\nthree") == ("one", "two", "three")


def test_separator_inside_a_code_fence_is_text() -> None:
    text = "one\n```\n---\n```\n---\ntwo"
    assert explicit_parts(text) == ("one\n```\n---\n```", "two")


def test_split_at_sentences_with_numbers() -> None:
    text = "First sentence here. Second sentence is here. Third one."
    parts = split(text, lambda t: len(t) <= 30)
    assert parts == ["First sentence here. 1/3", "Second sentence is here. 2/3", "Third one. 3/3"]


def test_split_reserves_room_for_the_first_part_extra() -> None:
    parts = split("aaa bbb ccc ddd", lambda t: len(t) <= 12, first_extra="\n\nL")
    assert parts[0].endswith(" 1/3\n\nL") or parts[0].endswith(" 1/2\n\nL")
    assert all(len(p) <= 12 for p in parts)


def test_a_word_longer_than_the_limit_is_cut() -> None:
    parts = split("x" * 25, lambda t: len(t) <= 10)
    assert all(len(p) <= 10 for p in parts)
    assert "".join(p.rsplit(" ", 1)[0] for p in parts) == "x" * 25


def _words(parts: list[str]) -> list[str]:
    out = []
    for part in parts:
        body = part.rsplit(" ", 1)[0] if len(parts) > 1 else part
        out.extend(body.split())
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
            min_size=1,
            max_size=15,
        ),
        min_size=1,
        max_size=60,
    ),
    st.integers(min_value=20, max_value=120),
)
def test_splitting_keeps_every_word_in_order_and_every_part_fits(words, limit) -> None:
    text = " ".join(words)
    parts = split(text, lambda t: len(t) <= limit)
    assert all(len(p) <= limit for p in parts)
    joined = "".join(_words(parts))
    assert joined == "".join(text.split())


# -- long texts: parts are looked for in a window, with the same result ------------------


def _weighted(limit: int) -> Fits:
    """A budget like the networks' (wide characters count double, URLs a fixed 23)."""

    def fits(part: str) -> bool:
        count = sum(2 if ord(c) > 0x10FF else 1 for c in part)
        count -= sum(len(u) - 23 for u in re.findall(r"https://\S{20,}", part))
        return count <= limit

    return fits


long_words = st.lists(
    st.sampled_from(
        ["word", "longerword", "end.", "Really?", "中文字", "🙂", "https://example.com/" + "p" * 40]
    )
    | st.text(alphabet="abcdefghij", min_size=1, max_size=60),
    min_size=1,
    max_size=400,
)


@settings(max_examples=150, deadline=None)
@example(  # the window ended inside the URL, which counted all its characters
    words=["word", "https://example.com/" + "p" * 40], separators=[" "], limit=32, window=29
)
@given(
    words=long_words,
    separators=st.lists(st.sampled_from([" ", "  ", "\n", " \n\n "]), min_size=1, max_size=5),
    limit=st.integers(min_value=20, max_value=520),
    window=st.integers(min_value=1, max_value=700),
)
def test_a_window_finds_the_cut_the_whole_text_finds(
    words: list[str], separators: list[str], limit: int, window: int
) -> None:
    """Splitting looks for each part in a growing window of the text: whatever the
    window, the parts are those found by scanning all the rest (window unbounded)."""
    text = "".join(w + separators[i % len(separators)] for i, w in enumerate(words))
    fits = _weighted(limit)
    saved = threads.WINDOW
    try:
        threads.WINDOW = 10**9  # every part looked for in all the rest
        try:
            expected: list[str] | None = split(text, fits)
        except ValueError:
            expected = None
        threads.WINDOW = window
        try:
            found: list[str] | None = split(text, fits)
        except ValueError:
            found = None
    finally:
        threads.WINDOW = saved
    assert found == expected


def test_a_long_article_splits_in_linear_time() -> None:
    """A 250,000-character text into about 500 parts: under a second here (scanning
    all the rest for every part took 9 s); the limit leaves room for a slow machine."""
    text = " ".join(f"Sentence number {n} says a little more." for n in range(6500))
    assert len(text) > 250_000
    started = time.perf_counter()
    parts = split(text, lambda part: len(part) <= 500)
    assert time.perf_counter() - started < 5
    assert len(parts) > 500
    assert all(len(p) <= 500 for p in parts)
