"""Threads: explicit parts, and splitting long text so every part fits.

Explicit parts are separated by a line holding only ``---`` (outside code
fences). ``thread: auto`` splits a part that is too long at sentence ends
(Unicode's rules tailored per language, :mod:`smmgen.text.sentences`), else at
line ends, else at spaces, else between two graphemes, numbering the parts
``1/3``. Splitting
never loses or reorders text and never cuts a grapheme (an emoji, a letter
with its marks): joining the parts (without their numbers) gives the original
words in order.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache

import regex

from smmgen.text.sentences import SentenceEnds

_SEPARATOR = re.compile(r"^---[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SPACE = re.compile(r"\s+")
_GRAPHEME = regex.compile(r"\X")
#: Leading blanks, whole graphemes only (a space carrying a combining mark stays).
_LEADING_BLANKS = regex.compile(r"(?:(?=\s)\X(?<=\s))*")
#: A grapheme that a following space joins (UAX #29 GB9b), unless it is a control.
_PREPEND = regex.compile(r"\p{Grapheme_Cluster_Break=Prepend}")
_CONTROL = regex.compile(r"[\p{Grapheme_Cluster_Break=Control}\r\n]")
#: A grapheme ends after a control or a line feed (GB4); after any other character
#: but the ones that start a longer grapheme (Prepend, Hangul, regional indicators,
#: marks and ZWJ), it ends unless a mark or a ZWJ follows (GB9, GB9a).
_AFTER_CONTROL = regex.compile(r"[\p{Grapheme_Cluster_Break=Control}\n]")
_PLAIN = regex.compile(r"\p{Grapheme_Cluster_Break=Other}")
_JOINS = regex.compile(
    r"[\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=SpacingMark}]"
)

Fits = Callable[[str], bool]  # whether a candidate part is short enough


@lru_cache(maxsize=64)
def explicit_parts(text: str) -> tuple[str, ...]:
    """``text`` cut at lines holding only ``---`` (not inside fenced code)."""
    if "---" not in text:  # no separator line: one part (most texts)
        whole = text.strip()
        return (whole,) if whole else ()
    parts: list[list[str]] = [[]]
    fence: str | None = None  # the opening fence, while inside one
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif (
                marker[0] == fence[0]
                and len(marker) >= len(fence)
                and not line.strip(marker[0] + " \t")
            ):  # CommonMark: a closing fence is at least as long, and nothing else
                fence = None
        if fence is None and _SEPARATOR.match(line):
            parts.append([])
        else:
            parts[-1].append(line)
    texts = ["\n".join(p).strip() for p in parts]
    return tuple(t for t in texts if t)


def _cuts(text: str, pattern: re.Pattern[str]) -> list[int]:
    """Offsets where ``text`` may be cut: the end of each separator match."""
    return [m.end() for m in pattern.finditer(text)]


def _fitting(cuts: list[int], fits: Callable[[int], bool]) -> int:
    """How many of ``cuts`` fit (``fits`` holds for them); a longer prefix never
    counts less, so a binary search finds it with a handful of measurements."""
    low, high = 0, len(cuts)
    while low < high:
        middle = (low + high) // 2
        if fits(cuts[middle]):
            low = middle + 1
        else:
            high = middle
    return low


def _last_fitting(cuts: list[int], fits: Callable[[int], bool]) -> int | None:
    """The last cut for which ``fits`` holds."""
    count = _fitting(cuts, fits)
    return cuts[count - 1] if count else None


def _last_fitting_such(
    cuts: list[int], fits: Callable[[int], bool], such: Callable[[int], bool]
) -> int | None:
    """The last cut that fits and is ``such`` (every cut before one that fits fits
    too: the ones after the last fitting cut are never looked at)."""
    for cut in reversed(cuts[: _fitting(cuts, fits)]):
        if such(cut):
            return cut
    return None


def _strip_start(text: str) -> str:
    """``text`` without its leading blanks, taken as whole graphemes: a space that
    carries a combining mark is a grapheme of its own and stays."""
    blanks = _LEADING_BLANKS.match(text)
    return text[blanks.end() :] if blanks else text


def _strip_end(text: str) -> str:
    """``text`` without its trailing blanks, except a space that a prepended mark
    (U+0600 ARABIC NUMBER SIGN...) holds in its grapheme."""
    stripped = text.rstrip()
    end = len(stripped)
    if 0 < end < len(text) and _PREPEND.match(text, end - 1) and not _CONTROL.match(text, end):
        return text[: end + 1]
    return stripped


class _Text:
    """A text to split: where its sentences end, and where its graphemes do (found
    as far as splitting has come, once for all the ways it is split)."""

    def __init__(self, text: str, language: str | None) -> None:
        self.text = text
        self.ends = SentenceEnds(text, language)
        self._between = bytearray(len(text) + 1)  # 1 where one grapheme ends
        self._between[0] = 1
        self._done = 0  # graphemes are known up to here

    def between_graphemes(self, offset: int) -> bool:
        """Whether ``offset`` is not inside a grapheme (an emoji, a letter and its marks)."""
        text = self.text
        if 0 < offset < len(text):  # most places: decided by the two characters around
            if _AFTER_CONTROL.match(text, offset - 1):
                return True  # UAX #29 GB4
            if _PLAIN.match(text, offset - 1):
                return not _JOINS.match(text, offset)  # GB9, GB9a
        for match in _GRAPHEME.finditer(self.text, self._done) if offset > self._done else ():
            self._between[match.end()] = 1
            self._done = match.end()
            if self._done >= offset:
                break
        return bool(self._between[offset])


def _best_cut(
    rest: str, index: int, budget: Callable[[int, str], bool], text: _Text, offset: int
) -> int:
    """Where to end part ``index``: at a sentence end, else a line end, else a space,
    else between two graphemes. ``rest`` is ``text`` from ``offset`` on (up to a
    window's end)."""

    def fits(cut: int) -> bool:
        return budget(index, _strip_end(rest[:cut]))

    def between(cut: int) -> bool:
        return text.between_graphemes(offset + cut)

    def line_end(cut: int) -> bool:  # UAX #29 ends a sentence at every line end
        return between(cut) and text.ends.is_end(offset + cut)

    def sentence_end(cut: int) -> bool:
        return line_end(cut) and text.ends.after_terminator(offset + cut)

    candidates = text.ends.candidates()  # the few places where a sentence may end
    first = bisect.bisect_right(candidates, offset)
    last = bisect.bisect_right(candidates, offset + len(rest))
    places = [c - offset for c in candidates[first:last]]
    cut = _last_fitting_such(places, fits, sentence_end)
    if cut is None:  # a list, lines of a poem: a part ends with a line, not inside one
        cut = _last_fitting_such(places, fits, line_end)
    if cut is None:
        cut = _last_fitting_such(_cuts(rest, _SPACE), fits, between)
    if cut is not None:
        return cut
    graphemes = [m.end() for m in _GRAPHEME.finditer(rest)]
    inside = _last_fitting(graphemes[:-1], lambda c: budget(index, rest[:c]))
    return inside or (graphemes[0] if graphemes else 1)


_WORD_REST = re.compile(r"\S*")

#: The first window a part is looked for in (it grows while its prefix still fits).
WINDOW = 2048


def _window(rest: str, index: int, budget: Callable[[int, str], bool]) -> int | None:
    """A length no fitting prefix of ``rest`` reaches (None: the whole of it fits).

    A longer prefix never counts less, so once a window does not fit, the cut
    lies inside it: looking only there keeps splitting a long text linear in
    its length instead of quadratic (every part would scan all the rest).
    """
    size = WINDOW
    while size < len(rest):
        # never measure half a word: a URL cut short counts as its characters,
        # whole it counts 23, so only whole words make a longer prefix count more
        whole = _WORD_REST.match(rest, size)
        size = whole.end() if whole else size
        if size >= len(rest):
            break
        if not budget(index, rest[:size]):
            return size
        size *= 4
    return None if budget(index, rest) else len(rest)


def _pack(text: _Text, budget: Callable[[int, str], bool]) -> list[str]:
    """Greedy: the longest prefix that fits, at the best kind of cut available."""
    chunks: list[str] = []
    rest = text.text
    while rest:
        index = len(chunks)
        limit = _window(rest, index, budget)
        if limit is None:
            chunks.append(rest)
            break
        cut = _best_cut(rest[:limit], index, budget, text, len(text.text) - len(rest))
        chunks.append(_strip_end(rest[:cut]))
        rest = _strip_start(rest[cut:])
    return chunks


@lru_cache(maxsize=16)
def _text(text: str, language: str | None) -> _Text:
    """``text`` (stripped) to split, kept while its variant is built: it is split
    once with a quick count and once with the exact one."""
    return _Text(_strip_end(_strip_start(text)), language)


def split(
    text: str,
    fits: Fits,
    *,
    first_extra: str = "",
    numbered: bool = True,
    language: str | None = None,
) -> list[str]:
    """``text`` as parts for which ``fits`` holds; ``first_extra`` is appended to part 1.

    Sentences end as in ``language`` (BCP 47, e.g. ``pl``; its abbreviations end
    none). Numbers ``i/n`` are appended to each part when there is more than one.
    """
    whole = _text(text, language)
    for digits in (1, 2, 3):
        suffix_room = f" {'9' * digits}/{'9' * digits}" if numbered else ""

        def budget(index: int, chunk: str, room: str = suffix_room) -> bool:
            extra = first_extra if index == 0 else ""
            return fits(chunk + extra + room)

        chunks = _pack(whole, budget)
        if len(chunks) == 1:
            return [chunks[0] + first_extra]
        if len(str(len(chunks))) <= digits:
            total = len(chunks)
            out = []
            for index, chunk in enumerate(chunks, 1):
                extra = first_extra if index == 1 else ""
                out.append(f"{chunk} {index}/{total}{extra}" if numbered else chunk + extra)
            return out
    raise ValueError("text too long to split into at most 999 parts")
