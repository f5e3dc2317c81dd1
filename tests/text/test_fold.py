"""smmgen.text.fold: the form policy matching compares (issue 14, item 3).

Generated Hebrew, Persian, Bulgarian and Polish words (tests/i18n_strategies.py)
are written again the ways people write the same words: decomposed, with
niqqud, with Arabic letters for Persian ones, with tatweel, with a space for a
ZWNJ. A banned phrase must be found in each, folding must be idempotent, and it
must keep words apart so that `check`'s word boundaries hold.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from smmgen.check.policy import contains_word
from smmgen.text.fold import HEBREW_MARKS, HOLAM, QUBBUTZ, fold, folded_line
from tests.i18n_strategies import (
    SCRIPTS,
    Script,
    mixed_text,
    word,
    words,
)

HEBREW_LETTER = re.compile("[\u05d0-\u05ea]")
# Points that do not change the unpointed spelling: not holam or qubbutz (a vav
# in ktiv male, tested by example below).
SPELLING_NEUTRAL_POINTS = "".join(m for m in HEBREW_MARKS if m not in (HOLAM, QUBBUTZ))
TATWEEL, ZWNJ = "\u0640", "\u200c"


@st.composite
def written_again(draw: st.DrawFn, text: str) -> str:
    """``text`` as someone else types the same words."""
    out = []
    for char in text:
        out.append(char)
        # a point on a Hebrew letter (an alef's vowel decides whether a holam
        # before it is written with a vav, so alef keeps its points as they are)
        if HEBREW_LETTER.match(char) and char != "\u05d0" and draw(st.integers(0, 2)) == 0:
            out.append(draw(st.sampled_from(SPELLING_NEUTRAL_POINTS)))
        # tatweel stretches a joining Arabic-script letter
        if "\u0628" <= char <= "\u06cc" and draw(st.integers(0, 5)) == 0:
            out.append(TATWEEL)
    again = "".join(out)
    if draw(st.booleans()):
        again = again.replace("ی", draw(st.sampled_from("يى"))).replace("ک", "ك")
    if draw(st.booleans()):
        again = again.replace(ZWNJ, " ")
    if draw(st.booleans()):
        again = again.upper()
    return unicodedata.normalize(draw(st.sampled_from(("NFC", "NFD"))), again)


@st.composite
def phrase_in_text(draw: st.DrawFn) -> tuple[str, str]:
    script: Script = draw(st.sampled_from(SCRIPTS))
    phrase = draw(words(script, 1, 3))
    before = draw(words(draw(st.sampled_from(SCRIPTS)), 0, 4))
    after = draw(words(draw(st.sampled_from(SCRIPTS)), 0, 4))
    text = " ".join(p for p in (before, draw(written_again(phrase)), after) if p)
    return phrase, text


@given(phrase_in_text())
def test_a_phrase_is_found_however_it_is_written_again(pair: tuple[str, str]) -> None:
    phrase, text = pair
    assert fold(phrase) in fold(text)


@given(st.one_of(mixed_text(), st.text()))
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.one_of(mixed_text(), st.text()))
def test_the_folded_text_is_nfc(text: str) -> None:
    assert unicodedata.is_normalized("NFC", fold(text))


@st.composite
def two_words(draw: st.DrawFn) -> tuple[str, str]:
    return draw(word(draw(st.sampled_from(SCRIPTS)))), draw(word(draw(st.sampled_from(SCRIPTS))))


@given(two_words(), st.sampled_from((" ", "\n", "  ", "\t", " \n ")))
def test_folding_keeps_words_apart(pair: tuple[str, str], space: str) -> None:
    """Each word folds on its own, and whitespace stays one space between them."""
    first, second = pair
    assert fold(first + space + second) == fold(first) + " " + fold(second)


@given(two_words())
def test_a_word_is_not_found_as_the_start_of_a_longer_one(pair: tuple[str, str]) -> None:
    first, second = pair
    tag = "#" + first
    if re.match(r"\w", fold(second)):  # the second word goes on with a letter
        assert not contains_word(tag + second, tag)
    assert contains_word(f"x {tag} {second}", tag)


@given(st.lists(st.one_of(mixed_text(), st.sampled_from(("", " ", "\n\n"))), max_size=6))
def test_folded_line_finds_the_line_a_folded_character_came_from(pieces: list[str]) -> None:
    text = "\n".join(pieces)
    folded = fold(text)
    for number, line in enumerate(text.split("\n")):
        key = fold(line).strip()
        if not key or folded.count(key) != 1:
            continue
        assert folded_line(text, folded.index(key)) == number


def test_niqqud_with_qubbutz_and_holam_folds_to_ktiv_male() -> None:
    assert fold("תְּשׁוּאָה מֻבְטַחַת") == "תשואה מובטחת"  # qubbutz: a vav
    assert fold("שֻׁלְחָן") == "שולחן"
    assert fold("כֹּל") == fold("כול")  # holam on a consonant: a vav
    assert fold("שָׁלוֹם") == "שלום"  # holam on the vav: the vav is there
    assert fold("לֹא") == "לא"  # an unpointed alef carries the o
    assert fold("זֹאת") == "זאת"
    assert fold("אֹזֶן") == "אוזן"  # an alef with holam is a consonant
    assert fold("מוּבְטַחַת") == "מובטחת"  # shuruk is already a vav


def test_the_hebrew_signs_that_are_not_points_stay() -> None:
    assert fold("תל־אביב") == "תל-אביב"  # maqaf: the hyphen typed for it
    assert fold("מנכ״ל וכו׳") == "מנכ\"ל וכו'"
    signs = "\u05c0\u05c3\u05c6"  # paseq, sof pasuq, nun hafukha
    assert fold(signs) == signs


def test_letters_that_look_alike_across_scripts_are_not_folded() -> None:
    assert fold("ł") != fold("l")
    assert fold("й") != fold("и")
    assert fold("ż") != fold("z")
    assert fold("ی") != fold("ئ")  # hamza on yeh is another letter
    assert fold("آ") != fold("\u0627")  # alef with madda, alef
