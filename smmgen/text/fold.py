"""Text folded for policy matching: one form for text that reads the same.

`fold` is what `check` compares banned phrases and the sponsored disclosure
in. Both the policy's strings and the post's text are folded the same way:

1. NFD (canonical decomposition: ``ó`` becomes ``o`` + U+0301).
2. Hebrew *ktiv male* for the vowels u and o (see below): a letter pointed with
   qubbutz (U+05BB), or with holam (U+05B9) on a letter other than vav, gets a
   vav after it.
3. Delete the marks that do not change which word it is:

   - Hebrew points and cantillation: the characters of U+0591-U+05C7 whose
     category is Mn (niqqud, dagesh, shin and sin dots, te'amim). The four
     that are not marks stay: maqaf U+05BE (see 5), paseq U+05C0, sof pasuq
     U+05C3 and nun hafukha U+05C6;
   - Arabic short-vowel signs U+064B-U+0652 (fathatan to sukun, as in ``لطفاً``);
     hamza and madda (U+0653-U+0655) stay, as they are part of letters like
     ``أ`` and ``آ``;
   - tatweel U+0640 (kashida), which only stretches a word.

4. Arabic letters that Persian writes with its own: yeh ``ي`` U+064A and alef
   maksura ``ى`` U+0649 become Persian yeh ``ی`` U+06CC, and kaf ``ك`` U+0643
   becomes keheh ``ک`` U+06A9 (Arabic keyboards and copied text give the
   Arabic ones; the words are the same).
5. Hebrew punctuation as typed on a keyboard without it: maqaf ``־`` becomes
   ``-`` (the hyphen most people type for it; ``תל־אביב`` and ``תל-אביב`` match,
   ``תל אביב`` does not, as ``e-mail`` and ``e mail`` do not), geresh ``׳``
   becomes ``'`` and gershayim ``״`` becomes ``"``.
6. Case folding (`str.casefold`), then NFC, so that the result is NFC however
   case folding expanded it (``ß`` becomes ``ss``).
7. ZWNJ U+200C (inside Persian words: ``برنامه‌نویسی``) becomes a space,
   every run of whitespace becomes one space, and whitespace at either end
   goes (`str.split`'s whitespace).

Folding never removes or adds a space and never turns a letter into
punctuation or back, so a phrase found in folded text starts and ends where
it did in the text: `check`'s word boundaries mean the same on both.

*Ktiv male* (step 2). Pointed Hebrew (*ktiv menukad*) writes the vowels u and o
with points under or over a consonant; the unpointed "full" spelling that
people type (*ktiv male*, also *ktiv khaser niqqud*) writes them with a vav.
Stripping the points alone turns ``מֻבְטַחַת`` into ``מבטחת``, which is not how
anyone writes ``מובטחת``. The Academy of the Hebrew Language's rules for
spelling without niqqud (כללי הכתיב חסר הניקוד, rules 1 and 2) write
"u is always written with vav" and "o is written with vav" (with a few
listed exceptions), so:

- qubbutz (u) on any letter: a vav follows the letter (``שֻׁלְחָן`` -> ``שולחן``);
- holam (o) on a letter other than vav: a vav follows (``כֹּל`` -> ``כול``,
  ``תֹּאַר`` -> ``תואר``), except where an alef without a vowel point follows
  and carries the o, as the rules keep it (``לֹא`` -> ``לא``, ``רֹאשׁ`` -> ``ראש``,
  ``זֹאת`` -> ``זאת``); holam on a vav (holam male, ``וֹ``) already is the vav,
  and so is shuruk (``וּ``).

Limits: the rules' other exceptions are not applied (``מֹשֶׁה`` folds to
``מושה``, not ``משה``; holam haser for vav U+05BA is only deleted, so
``מִצְוֺת`` folds to ``מצות``, not ``מצוות``). Holam typed on a silent alef
(``ראֹשׁ`` rather than ``רֹאשׁ``) adds a vav. Yod for i and e (hiriq, tsere) is
not added: the rules add it only in some syllables, which spelling alone does
not show. Text already written without points is unchanged by step 2, so a
phrase and a post that are both unpointed always compare letter for letter.

This is a folding for *matching*, never for output: posts are published as
written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "folded_line"]

QUBBUTZ = "\u05bb"
HOLAM = "\u05b9"
VAV = "\u05d5"
ALEF = "\u05d0"
MAQAF = "\u05be"
GERESH = "\u05f3"
GERSHAYIM = "\u05f4"
TATWEEL = "\u0640"
ZWNJ = "\u200c"

#: Hebrew points and cantillation: the Mn characters of U+0591-U+05C7 (51).
HEBREW_MARKS = "".join(
    chr(c) for c in range(0x0591, 0x05C8) if unicodedata.category(chr(c)) == "Mn"
)
#: Arabic short vowels, tanwin, shadda and sukun.
ARABIC_VOWEL_SIGNS = "".join(chr(c) for c in range(0x064B, 0x0653))

_REPLACED = {
    **dict.fromkeys(HEBREW_MARKS + ARABIC_VOWEL_SIGNS + TATWEEL, ""),
    "\u064a": "\u06cc",  # ي -> ی
    "\u0649": "\u06cc",  # ى -> ی
    "\u0643": "\u06a9",  # ك -> ک
    MAQAF: "-",
    GERESH: "'",
    GERSHAYIM: '"',
    ZWNJ: " ",
}
# Searching for these and replacing each where found is several times faster
# than str.translate over every character of text that holds few or none.
_TO_REPLACE = re.compile("[" + "".join(_REPLACED) + "]")
_HEBREW_MARK = f"[{HEBREW_MARKS}]"
# A Hebrew letter with its points, and whether an unpointed alef comes next.
_POINTED = re.compile(
    rf"([\u05d0-\u05ea])({_HEBREW_MARK}*)(?=({ALEF}(?!{_HEBREW_MARK}))?)",
)


def _full_spelling(match: re.Match[str]) -> str:
    letter, points, silent_alef = match.group(1), match.group(2), match.group(3)
    if QUBBUTZ in points or (HOLAM in points and letter != VAV and not silent_alef):
        return letter + points + VAV
    return match.group(0)


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """``text`` in the form policy matching compares (see the module's docstring)."""
    return _fold(text)


def _fold(text: str) -> str:
    if text.isascii():
        return " ".join(text.lower().split())
    # the checks first: most text is NFD already (nothing to decompose), and
    # text that was not NFD is certainly not NFC once decomposed
    decomposed = not unicodedata.is_normalized("NFD", text)
    if decomposed:
        text = unicodedata.normalize("NFD", text)
    if QUBBUTZ in text or HOLAM in text:
        text = _POINTED.sub(_full_spelling, text)
    text = _TO_REPLACE.sub(_replacement, text).casefold()
    if decomposed or not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def _replacement(match: re.Match[str]) -> str:
    return _REPLACED[match.group()]


def folded_line(text: str, offset: int) -> int:
    """The 0-based line of ``text`` that the character at ``offset`` in
    ``fold(text)`` comes from.

    A line break is a starter that nothing composes with and that folds to a
    space (or to nothing at the end), so the fold of the text up to a line's
    end is the start of the fold of the whole text.
    """
    end = text.find("\n")
    line = 0
    while end >= 0:
        if offset < len(_fold(text[: end + 1])):
            return line
        line += 1
        end = text.find("\n", end + 1)
    return line
