"""What a hashtag is: twitter-text's grammar, the broadest of the networks'.

X's twitter-text (``js/src/regexp/validHashtag.js``, the same in Java) links
``#`` (or its full-width form U+FF03) followed by a run of letters **with their
combining marks** (niqqud, Arabic harakat, NFD accents), digits and a few
special characters, holding at least one letter. The special characters
(``hashtagSpecialChars.js``) are ``_``, ZWNJ and ZWJ (part of Persian and other
scripts' spelling), Cyrillic kavyka U+A67E, Hebrew maqaf ``־``, geresh ``׳``
and gershayim ``״``, the middle dot ``·``, and a few CJK and Tibetan marks. The
character before ``#`` must not be one of these nor ``&`` (a variation
selector U+FE0E/U+FE0F may be), ``#`` must not be followed by U+FE0F or
U+20E3 (keycap emoji), and a tag followed by another ``#`` or by ``://`` is
not one.

smmgen reads the tags a post writes with this grammar, accepts a ``tags:``
entry when it is one whole hashtag under it, and compares tags NFC-normalised
and case-folded. Each network links its own subset (``Network.grammar``);
``check`` warns where one would cut or not link a tag.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import NamedTuple

import regex

#: A letter or a combining mark (twitter-text: "same as objective c's \\p{L}\\p{M}").
ALPHA = r"\p{L}\p{M}"
#: twitter-text's hashtagSpecialChars.
SPECIAL = (
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b"
    "\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)
#: What a tag is made of: letters and marks, decimal digits, the special characters.
ALPHANUMERIC = ALPHA + r"\p{Nd}" + SPECIAL

_BODY = rf"[{ALPHANUMERIC}]*[{ALPHA}][{ALPHANUMERIC}]*"
_HASHTAG = regex.compile(
    rf"(?:^|[\ufe0e\ufe0f]|(?![{ALPHANUMERIC}&]).)(?P<hash>[#\uff03])(?![\ufe0f\u20e3])(?P<tag>{_BODY})",
    regex.DOTALL,
)
_END = regex.compile(r"[#\uff03]|://")
_WHOLE = regex.compile(rf"(?![\ufe0f\u20e3]){_BODY}")


class Hashtag(NamedTuple):
    """A hashtag in a text: where its ``#`` starts, where it ends, the tag after ``#``."""

    start: int
    end: int
    tag: str


def hashtags_in(text: str) -> list[Hashtag]:
    """The hashtags twitter-text's ``validHashtag`` finds in ``text`` (URLs not
    excluded: see :func:`smmgen.adapt.hashtags.written_hashtags`)."""
    if "#" not in text and "\uff03" not in text:
        return []
    found = []
    for match in _HASHTAG.finditer(text):
        if _END.match(text, match.end()):
            continue
        found.append(Hashtag(match.start("hash"), match.end(), match.group("tag")))
    return found


@lru_cache(maxsize=4096)
def is_hashtag(tag: str) -> bool:
    """Whether ``tag`` (without ``#``) is one whole hashtag under twitter-text's grammar."""
    return _WHOLE.fullmatch(tag) is not None


@lru_cache(maxsize=4096)
def tag_key(tag: str) -> str:
    """How tags are compared: NFC-normalised and case-folded (``#Kraków`` typed or
    decomposed, in any case, is one tag)."""
    return unicodedata.normalize("NFC", tag).casefold()
