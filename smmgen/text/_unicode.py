"""Unicode measures shared by the networks: graphemes, UTF-8 bytes, UTF-16 units.

Grapheme clusters are the extended grapheme clusters of Unicode Standard
Annex #29, as the `regex` package's ``\\X`` finds them (it follows the
current Unicode version). Counting them with ``\\X`` alone costs about 0.1 µs
a character, so `graphemes` only runs it where a cluster can hold more than
one code point: UAX #29 joins two code points only across a character whose
Grapheme_Cluster_Break is not Other, Control, CR or LF (an Extend, ZWJ,
SpacingMark, Prepend, Regional_Indicator or Hangul jamo/syllable), or in the
pair CR LF. Everything else is one cluster per code point.
"""

from __future__ import annotations

import regex

__all__ = ["code_points", "graphemes", "utf8_length", "utf16_length"]

_GRAPHEME = regex.compile(r"\X")
# Runs of code points that can join a neighbour into one cluster.
_MAX_RUNS = 8
_JOINING_RUN = regex.compile(r"[^\p{GCB=Other}\p{GCB=Control}\p{GCB=CR}\p{GCB=LF}]+")


def graphemes(text: str) -> int:
    """The number of extended grapheme clusters (UAX #29) in `text`.

    This is what Bluesky limits (300) and what Mastodon counts.

    >>> graphemes("e\\u0301 👨‍👩‍👧‍👦 🇩🇪")
    5
    """
    size = len(text)
    if text.isascii():
        return size - text.count("\r\n")
    windows: list[tuple[int, int]] = []
    for count, run in enumerate(_JOINING_RUN.finditer(text)):
        if count == _MAX_RUNS:
            # Scripts that join all the time: one pass over the text is cheaper.
            return _count_clusters(text)
        # A joining run can merge with the code point on either side of it;
        # a window of the run plus one neighbour each side holds every join.
        left = max(run.start() - 1, 0)
        right = min(run.end() + 1, size)
        if windows and left < windows[-1][1]:
            windows[-1] = (windows[-1][0], right)
        else:
            windows.append((left, right))
    joins = text.count("\r\n")
    for left, right in windows:
        joins += _joins(text[left:right])
    return size - joins


def _joins(window: str) -> int:
    # Code points that do not start a cluster; CR LF pairs are counted for the
    # whole text already.
    return len(window) - _count_clusters(window) - window.count("\r\n")


def _count_clusters(text: str) -> int:
    count: int = _GRAPHEME.subn("", text)[1]
    return count


def utf8_length(text: str) -> int:
    """The number of bytes of `text` in UTF-8 (Bluesky's second limit: 3000).

    Lone surrogates count 3 bytes, as they would in the (invalid) UTF-8 that
    encodes them one by one.
    """
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def utf16_length(text: str) -> int:
    """The number of UTF-16 code units (JavaScript's and Java's ``length``)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def code_points(text: str) -> int:
    """The number of Unicode code points (Python's ``len``)."""
    return len(text)
