"""Threads: explicit parts, and splitting long text so every part fits.

Explicit parts are separated by a line holding only ``---`` (outside code
fences). ``thread: auto`` splits a part that is too long at sentence ends,
else at spaces, else inside a word, numbering the parts ``1/3``. Splitting
never loses or reorders text: joining the parts (without their numbers)
gives the original words in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import regex

_SEPARATOR = re.compile(r"^---[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SENTENCE_END = re.compile(
    r"(?<=[.!?\u2026\u3002\uff01\uff1f])\s+"
)  # also the ellipsis and CJK full stops
_SPACE = re.compile(r"\s+")
_GRAPHEME = regex.compile(r"\X")

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


def _last_fitting(cuts: list[int], fits: Callable[[int], bool]) -> int | None:
    """The last cut for which ``fits`` holds; a longer prefix never counts less, so
    a binary search finds it with a handful of measurements."""
    low, high, best = 0, len(cuts) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if fits(cuts[middle]):
            best = cuts[middle]
            low = middle + 1
        else:
            high = middle - 1
    return best


def _best_cut(rest: str, index: int, budget: Callable[[int, str], bool]) -> int:
    """Where to end part ``index``: at a sentence end, else a space, else inside a word."""
    for pattern in (_SENTENCE_END, _SPACE):
        cut = _last_fitting(_cuts(rest, pattern), lambda c: budget(index, rest[:c].rstrip()))
        if cut is not None:
            return cut
    graphemes = [m.end() for m in _GRAPHEME.finditer(rest)]  # never inside an emoji
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


def _pack(text: str, budget: Callable[[int, str], bool]) -> list[str]:
    """Greedy: the longest prefix that fits, at the best kind of cut available."""
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        index = len(chunks)
        limit = _window(rest, index, budget)
        if limit is None:
            chunks.append(rest)
            break
        cut = _best_cut(rest[:limit], index, budget)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return chunks


def split(text: str, fits: Fits, *, first_extra: str = "", numbered: bool = True) -> list[str]:
    """``text`` as parts for which ``fits`` holds; ``first_extra`` is appended to part 1.

    Numbers ``i/n`` are appended to each part when there is more than one.
    """
    for digits in (1, 2, 3):
        suffix_room = f" {'9' * digits}/{'9' * digits}" if numbered else ""

        def budget(index: int, chunk: str, room: str = suffix_room) -> bool:
            extra = first_extra if index == 0 else ""
            return fits(chunk + extra + room)

        chunks = _pack(text, budget)
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
