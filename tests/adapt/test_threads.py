"""Thread parts: explicit separators, and splitting that loses nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from smmgen.adapt.threads import explicit_parts, split


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
