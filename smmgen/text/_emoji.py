"""Emoji sequences as X (twitter-text v3) and Threads count them.

twitter-text's ``emojiParsingEnabled`` counts each emoji *sequence* with the
default weight (200, i.e. 2), however many code points it has. The official
libraries find the sequences with a regular expression generated from the
Unicode emoji data (``TwitterTextEmojiRegex`` in Java, ``twemoji-parser`` in
JavaScript). This module recognises the same sequences from the Unicode
emoji properties instead (UTS #51, section 1.4.9, "emoji sequence"), with
the `regex` package's current Unicode data, so that newer emoji count right
too:

- keycaps: ``[#*0-9]`` + optional U+FE0F + U+20E3 (twitter-text accepts the
  keycap without U+FE0F: conformance case "1⃣" counts 2);
- flags: two regional indicators;
- modifier sequences: an Emoji_Modifier_Base + a skin tone;
- presentation sequences: an Extended_Pictographic + U+FE0F, or a code point
  with Emoji_Presentation;
- tag sequences (subdivision flags): an emoji + tags + U+E007F;
- ZWJ sequences: any of the above (or a single pictograph) joined by U+200D.

A pictograph followed by U+FE0E (text presentation) is no emoji sequence,
and U+FE0F after a character that is shown as emoji anyway (😀) is not part
of it, both as in twitter-text. Single code points need no special handling
for X: every pictograph outside the 100-weight ranges weighs 200 anyway,
and the ones inside (©, ®) only count as emoji with U+FE0F, which makes them
a sequence.

Checked against twitter-text's Java library (3.1, 2020) on 20,000 texts of
well-formed emoji (Unicode 12) mixed with text: identical. Known
differences, all where that library's generated list is out of date or
incomplete: newer ZWJ sequences (❤️‍🔥, 😶‍🌫️, 🧔‍♂️, 🐈‍⬛, 🫱🏼‍🫲🏾, 🙂‍↔️, 🐦‍🔥,
couples with skin tones) and the fully qualified 👁️‍🗨️ count 2 here but
their parts there (5 to 11); so do ZWJ chains outside Unicode's recommended
list (👩‍🐱) and regional-indicator pairs that are no flag (🇦🇦).

For X these counts are the Java half only: X's weighted length is the larger
of the Java and JavaScript counts, and the JavaScript library's twemoji-parser
11 knows only Emoji 11, so it counts newer sequences as their parts (🧑‍💻 5);
see `smmgen.text.twitter`.
"""

from __future__ import annotations

import re

import regex

__all__ = ["emoji_sequences", "emoji_spans", "has_sequence_marks"]

_TAGS = r"[\U000E0020-\U000E007E]+\U000E007F"
_ELEMENT = (
    r"(?:\p{Emoji_Modifier_Base}\p{Emoji_Modifier}"
    r"|\p{Emoji_Presentation}"
    r"|\p{Extended_Pictographic}\uFE0F"
    r"|\p{Extended_Pictographic}(?!\uFE0E))"
    rf"(?:{_TAGS})?"
)
_SEQUENCE = regex.compile(
    r"[#*0-9]\uFE0F?\u20E3"
    r"|\p{Regional_Indicator}{2}"
    rf"|{_ELEMENT}(?:\u200D{_ELEMENT})*"
)
# Everything Threads counts as an emoji: the sequences, single pictographs
# (not followed by U+FE0E) and the lone components shown as emoji (skin tones,
# regional indicators).
_ANY = regex.compile(rf"{_SEQUENCE.pattern}|\p{{Emoji_Presentation}}")

# Every sequence of more than one code point holds one of these.
_MARKS = re.compile(
    "[\u200d\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U0001f1e6-\U0001f1ff\U000e0020-\U000e007f]"
)


# ASCII characters that are part of no emoji sequence (all but # * 0-9).
_BREAK = re.compile(r"[\x00-\x22\x24-\x29\x2b-\x2f\x3a-\x7f]")


def has_sequence_marks(text: str) -> bool:
    """Whether `text` can hold an emoji sequence of more than one code point."""
    return _MARKS.search(text) is not None


def emoji_sequences(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the emoji sequences of two or more code points."""
    marks = _MARKS.finditer(text)
    first = next(marks, None)
    if first is None:
        return []
    # Sequences lie within runs of code points that are not ASCII (keycap
    # bases aside), and each holds a mark: scan only the runs around marks.
    size = len(text)
    backwards = text[::-1]
    spans: list[tuple[int, int]] = []
    covered = 0
    for mark in (first, *marks):
        if mark.start() < covered:
            continue
        stop = _BREAK.search(backwards, size - mark.start())
        left = size - stop.start() if stop else 0
        stop = _BREAK.search(text, mark.end())
        covered = stop.start() if stop else size
        spans.extend(
            m.span() for m in _SEQUENCE.finditer(text, left, covered) if m.end() - m.start() > 1
        )
    return spans


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """Spans of every emoji: the sequences, and single emoji code points."""
    return [m.span() for m in _ANY.finditer(text)]
