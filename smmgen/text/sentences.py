"""Sentence ends, for cutting a long text into thread parts.

Where a sentence ends follows Unicode's sentence boundaries (UAX #29, the rules
ICU's sentence break iterator implements), as the `uniseg` package computes them:
``?`` ``!`` ``.`` and the other scripts' terminators (Persian and Arabic ``؟``,
the CJK full stop ``。``...), a terminator inside closing quotes or brackets
(``.»`` ``.”`` ``.“`` ``.)`` ``."``) ends a sentence with them, and a full stop
followed by a lowercase word (``w 2024 r. w Łodzi``) or a digit (``2.0``) does not.

Tailored on top of UAX #29 (as ICU tailors it with CLDR's data for some languages,
and for posts):

- A full stop ends no sentence after an abbreviation that a word always follows
  (a street, a title, "for example", "so-called"), listed per language in
  :data:`ABBREVIATIONS` and chosen by the post's ``language:`` (its BCP 47
  primary subtag). Abbreviations that often end a sentence themselves (Polish
  ``r.`` ``itd.`` ``itp.``, Bulgarian ``г.`` ``ч.`` ``др.``, English ``etc.``)
  are left out on purpose: before a capital they are taken for sentence ends, as
  ICU takes them. Hebrew marks abbreviations with geresh and gershayim
  (``רח׳`` ``ד״ר`` ``וכו׳``), which end no sentence in UAX #29: only the ones
  written with a full stop are listed. Persian needs none.
- The ellipsis ``…`` ends a sentence as ``.`` does (smmgen's earlier rule; UAX #29
  never ends one there): before a capital, not before a lowercase word.
- A mention or a hashtag after a full stop starts a sentence (``Shipped.
  @alice explains``, ``Shipped. #release``): ``@`` and ``#`` are taken for
  letters that are not lowercase. In UAX #29 they are symbols that rule SB8
  looks past, to the lowercase name, and the sentence would go on.
- uniseg 0.10.1 departs from UAX #29 rule SB8 in one place: after a full stop,
  a symbol (``/``, ``%``, an emoji) and then a lowercase word, it ends a
  sentence where ICU and the rule do not (``etc. / and more``). That is undone
  here.

uniseg is pure Python and slow (tens of microseconds a character), so it only
ever sees a few characters around a place where a sentence can end: a
terminator, the closing quotes and spaces after it, or a line end
(:meth:`SentenceEnds.candidates`). The places are found with `regex`'s
Sentence_Break classes (the test suite checks that they include uniseg's), and
decided with uniseg's.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

import regex

__all__ = ["ABBREVIATIONS", "SentenceEnds", "abbreviations"]


def _listed(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Abbreviations after which a full stop ends no sentence, per BCP 47 primary
#: language subtag, lowercase and NFC (text is compared case-folded and NFC).
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": _listed("mr. mrs. ms. dr. prof. sr. jr. st. mt. vs. e.g. i.e. cf. approx. fig."),
    "pl": _listed(
        # ul. ulica, al. aleja, pl. plac, os. osiedle, godz. godzina, ok. około,
        # św. święty, ds. do spraw, m.in. między innymi, tj. to jest, tzn. to znaczy,
        # tzw. tak zwany, np. na przykład, im. imienia, wg według, zob. zobacz,
        # por. porównaj, tel. telefon, woj. województwo, prof. dr. hab. mgr. inż.
        # ks. gen. płk. (titles before a name)
        "ul. al. pl. os. godz. ok. św. ds. m.in. tj. tzn. tzw. np. im. wg. zob. por."
        " tel. woj. prof. dr. hab. mgr. inż. ks. gen. płk."
    ),
    "bg": _listed(
        # ул. улица, бул. булевард, пл. площад, гр. град, кв. квартал, ж.к. жилищен
        # комплекс, бл. блок, вх. вход, ет. етаж, ап. апартамент, т.нар. така
        # наречен, напр. например, т.е. тоест, вкл. включително, стр. страница,
        # св. свети, проф. доц. акад. инж. арх. (titles before a name)
        "ул. бул. пл. гр. кв. ж.к. бл. вх. ет. ап. т.нар. напр. т.е. вкл. стр. св."
        " проф. доц. акад. инж. арх."
    ),
    "he": _listed(
        # written with a full stop instead of a geresh: רח. רחוב (street), שד. שדרות
        # (boulevard), טל. טלפון, מס. מספר (number), עמ. עמוד (page), גב. גברת (Mrs),
        # פרופ. פרופסור
        "רח. שד. טל. מס. עמ. גב. פרופ."
    ),
    "fa": frozenset(),
}

_ALIASES = {"iw": "he", "pes": "fa", "per": "fa", "pol": "pl", "bul": "bg", "heb": "he"}


def abbreviations(language: str | None) -> frozenset[str]:
    """The abbreviations of ``language`` (BCP 47: ``pl``, ``pl-PL``, ``he-IL``...)."""
    if not language:
        return frozenset()
    primary = language.split("-", 1)[0].split("_", 1)[0].lower()
    return ABBREVIATIONS.get(_ALIASES.get(primary, primary), frozenset())


# Sentence_Break classes (UAX #29), and the ellipsis taken as ATerm (see above).
_TERM = r"\p{SB=ATerm}\p{SB=STerm}\u2026"
_CLOSE = r"\p{SB=Close}"
_SP = r"\p{SB=Sp}"
_EXTEND = r"\p{SB=Extend}\p{SB=Format}"
_PARASEP = r"\p{SB=Sep}\p{SB=CR}\p{SB=LF}"

#: A terminator and what may follow it before a sentence ends: every boundary after
#: a terminator lies in such a run or right after it.
_RUN = regex.compile(rf"[{_TERM}][{_TERM}{_CLOSE}{_SP}{_EXTEND}{_PARASEP}]*")
_PARASEP_CHAR = regex.compile(rf"[{_PARASEP}]")
_TERMINATOR = regex.compile(rf"[{_TERM}]")
#: What may stand between a terminator and the end of its sentence.
_BETWEEN = regex.compile(rf"[{_CLOSE}{_SP}{_EXTEND}{_PARASEP}]")
_EXTENDING = regex.compile(rf"[{_EXTEND}]")
#: What starts a mention or a hashtag (and their fullwidth forms).
_WORD_STARTS = "@#\uff20\uff03"
#: Opening punctuation before an abbreviation: ``(ul.`` ``„np.``
_OPENING = "([{\"'«„“\u2018\u2039"

#: Characters before a sentence end looked at for an abbreviation (none is longer).
_LEFT = 64


@cache
def _uniseg() -> Any:
    """uniseg's sentence module, imported when first needed: only splitting a thread
    needs it, and `check` seldom splits."""
    import uniseg.sentencebreak

    return uniseg.sentencebreak


def _property(char: str) -> Any:
    """The Sentence_Break class of ``char``, tailored (see the module's docstring):
    the ellipsis as ATerm, ``@`` and ``#`` as OLetter."""
    module = _uniseg()
    if char == "\u2026":
        return module.SentenceBreak.ATERM
    if char in _WORD_STARTS:
        return module.SentenceBreak.OLETTER
    return module.sentence_break(char)


@cache
def _stops() -> frozenset[Any]:
    """What rule SB8 does not look past for a lowercase letter."""
    SB = _uniseg().SentenceBreak
    return frozenset((SB.OLETTER, SB.UPPER, SB.LOWER, SB.SEP, SB.CR, SB.LF, SB.STERM, SB.ATERM))


#: Decisions by the Sentence_Break classes of their context: the rules see only
#: the classes, and a handful of contexts recurs ("word. Word", "word? «Word").
_DECISIONS: dict[tuple[tuple[Any, ...], int], bool] = {}
_REMEMBERED = 4096


def _ends(text: str, offset: int) -> bool:
    """Whether a sentence ends at ``offset`` in ``text`` (UAX #29, no abbreviations)."""
    kinds = tuple(_property(char) for char in text)
    key = (kinds, offset)
    found = _DECISIONS.get(key)
    if found is None:
        if len(_DECISIONS) >= _REMEMBERED:
            _DECISIONS.clear()
        boundaries = _uniseg().sentence_boundaries(text, property=_property)
        found = offset in set(boundaries) and not _sb8_holds(kinds, offset)
        _DECISIONS[key] = found
    return found


def _sb8_holds(kinds: tuple[Any, ...], offset: int) -> bool:
    """Whether UAX #29 rule SB8 keeps a sentence going at ``offset``, in a text of
    these Sentence_Break classes: ``ATerm Close* Sp*``, then anything but
    ``OLetter Upper Lower ParaSep SATerm``, then ``Lower``."""
    SB = _uniseg().SentenceBreak
    index = offset - 1
    allowed = {SB.SP, SB.CLOSE}
    while index >= 0:
        kind = kinds[index]
        if kind == SB.CLOSE:
            allowed = {SB.CLOSE}  # closing quotes come before the spaces, not after
        elif kind not in allowed and kind not in (SB.EXTEND, SB.FORMAT):
            break
        index -= 1
    if index < 0 or kinds[index] != SB.ATERM:
        return False
    stops = _stops()
    for kind in kinds[offset:]:
        if kind in stops:
            return bool(kind == SB.LOWER)
    return False


class SentenceEnds:
    """Where sentences end in ``text`` written in ``language``.

    :meth:`candidates` are cheap and include every end; :meth:`is_end` decides one
    (and remembers it: splitting asks about the same places several times).
    """

    def __init__(self, text: str, language: str | None = None) -> None:
        self.text = text
        self.abbreviations = abbreviations(language)
        self._decided: dict[int, bool] = {}
        self._candidates: list[int] | None = None

    def candidates(self) -> list[int]:
        """Offsets (in order, not 0 nor the end) where a sentence may end."""
        if self._candidates is None:
            text = self.text
            found: set[int] = set()
            for run in _RUN.finditer(text):
                found.update(range(run.start() + 1, run.end() + 1))
            found.update(m.end() for m in _PARASEP_CHAR.finditer(text))
            found.discard(len(text))
            self._candidates = [c for c in sorted(found) if self._may_end(c)]
        return self._candidates

    def _may_end(self, offset: int) -> bool:
        """False where no sentence can end: before a space or a mark, but after a
        line end (UAX #29: SB5, SB9, SB10; SB4). A run of spaces after a full stop
        is then decided once, at its end."""
        SB = _uniseg().SentenceBreak
        if _property(self.text[offset]) not in (SB.SP, SB.EXTEND, SB.FORMAT):
            return True
        return _property(self.text[offset - 1]) in (SB.SEP, SB.CR, SB.LF)

    def is_end(self, offset: int) -> bool:
        """Whether a sentence ends at ``offset`` (a sentence's trailing spaces and
        one line end belong to it, as in UAX #29)."""
        decided = self._decided.get(offset)
        if decided is None:
            decided = self._decided[offset] = self._decide(offset)
        return decided

    def after_terminator(self, offset: int) -> bool:
        """Whether a terminator (``.`` ``?`` ``؟`` ``。`` ``…``...) comes before
        ``offset``, past closing quotes, spaces and line ends: the end of a
        sentence, where :meth:`is_end` also holds at the end of a line."""
        index = offset - 1
        while index > 0 and _BETWEEN.match(self.text, index):
            index -= 1
        return index >= 0 and _TERMINATOR.match(self.text, index) is not None

    def _decide(self, offset: int) -> bool:
        text = self.text
        if offset <= 0 or offset >= len(text):
            return offset == len(text)
        start, stop = self._context(offset)
        return _ends(text[start:stop], offset - start) and not self._after_abbreviation(offset)

    def _context(self, offset: int) -> tuple[int, int]:
        """The part of the text that decides whether a sentence ends at ``offset``:
        from the character before the nearest terminator (rule SB7 looks at it)
        to the character that rule SB8 looks ahead to."""
        text = self.text
        start = offset - 1
        while start > 0 and _BETWEEN.match(text, start):
            start -= 1  # back over the spaces and closing quotes to a terminator
        if start > 0:
            start -= 1
            while start > 0 and _EXTENDING.match(text, start):
                start -= 1  # the character that carries these marks (SB5)
        stop = offset
        stops = _stops()
        while stop < len(text) and _property(text[stop]) not in stops:
            stop += 1
        return start, min(stop + 1, len(text))

    def _after_abbreviation(self, offset: int) -> bool:
        """Whether the sentence ending at ``offset`` ends with a listed abbreviation."""
        if not self.abbreviations:
            return False
        words = self.text[max(0, offset - _LEFT) : offset].rstrip().rsplit(None, 1)
        if not words:
            return False
        last = unicodedata.normalize("NFC", words[-1].lstrip(_OPENING)).casefold()
        return last in self.abbreviations
