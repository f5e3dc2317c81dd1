"""Hypothesis strategies for text as Hebrew, Persian, Bulgarian and Polish teams write it.

Each script's letters come from its own Unicode block, with the characters that
real writing in it carries and that naive ``\\w`` patterns trip over:

- Hebrew: niqqud and cantillation (combining marks U+0591-U+05C7), geresh ``׳``
  (U+05F3), gershayim ``״`` (U+05F4), maqaf ``־`` (U+05BE), and ASCII ``'``, ``"``
  and ``-`` typed in their place;
- Persian: ZWNJ (U+200C) inside words, the Persian letters ``پ چ ژ گ ی ک`` with
  their Arabic look-alikes ``ي ى ك``, tatweel (U+0640), Persian digits
  (U+06F0-U+06F9), ``؟`` and ``،``, ``«`` ``»``;
- Bulgarian: Cyrillic with ``ѝ`` and ``й``, which decompose, and ``„`` ``“`` quotes;
- Polish: ``ą ć ę ł ń ó ś ź ż``, ``„`` ``”`` quotes.

Every word is drawn as typed (NFC) or decomposed (NFD), so code that compares
text must treat the two alike. ``words(script)`` and ``sentences(script)`` build
running text; ``mixed_text()`` mixes scripts with Latin names, digits, emoji,
URLs, mentions and hashtags, and directional marks, as real posts do.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from hypothesis import strategies as st

Script = Literal["he", "fa", "bg", "pl"]
SCRIPTS: tuple[Script, ...] = ("he", "fa", "bg", "pl")

ZWNJ = "\u200c"
ZWJ = "\u200d"
GERESH = "\u05f3"
GERSHAYIM = "\u05f4"
MAQAF = "\u05be"
TATWEEL = "\u0640"
LRM, RLM, ALM = "\u200e", "\u200f", "\u061c"
ISOLATES = ("\u2066", "\u2067", "\u2068", "\u2069")

HEBREW_LETTERS = "אבגדהוזחטיכלמנסעפצקרשתךםןףץ"
NIQQUD = "".join(chr(c) for c in range(0x05B0, 0x05BD)) + "\u05bf\u05c1\u05c2\u05c7"
CANTILLATION = "".join(chr(c) for c in range(0x0591, 0x05AF))
PERSIAN_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
ARABIC_VARIANTS = "يىك"  # Arabic yeh, alef maksura, kaf: look like Persian ی and ک
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
BULGARIAN_LETTERS = "абвгдежзийклмнопрстуфхцчшщъьюяѝАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯ"
POLISH_LETTERS = "aąbcćdeęfghijklłmnńoóprsśtuwyzźżAĄBCĆDEĘFGHIJKLŁMNŃOÓPRSŚTUWYZŹŻ"

EMOJI = ("🚀", "🇮🇱", "🇵🇱", "🇧🇬", "👩‍💻", "👍🏽", "❤️", "🎉", "1️⃣", "🏳️‍🌈")
LATIN_NAMES = ("Lumen", "Lumen 2.0", "API", "iOS", "GitHub", "v2", "COVID-19")
URLS = (
    "https://lumen.example/he",
    "lumen.io",
    "https://example.com/a?b=c",
    "lumen.bg/x",
    "https://przykład.pl/ścieżka",
)

_WORDS: dict[Script, tuple[str, ...]] = {
    "he": ("שלום", "השקה", "מנכ״ל", "צ׳אטבוט", "תל־אביב", "שַׁבָּת", "תודה", "בחיפה", "וכו׳"),
    "fa": ("برنامه‌نویسی", "می‌خواهم", "سلام", "لومن", "تهران", "کتاب", "سـلام", "ایران"),
    "bg": ("София", "среща", "ѝ", "Йордан", "т.нар.", "генератор", "ул.", "благодаря"),
    "pl": ("Kraków", "Łódź", "spotkanie", "zażółć", "gęślą", "jaźń", "np.", "ul.", "godz."),
}


def _letters(script: Script) -> str:
    return {
        "he": HEBREW_LETTERS,
        "fa": PERSIAN_LETTERS,
        "bg": BULGARIAN_LETTERS,
        "pl": POLISH_LETTERS,
    }[script]


@st.composite
def _generated_word(draw: st.DrawFn, script: Script) -> str:
    letters = _letters(script)
    word = draw(st.text(alphabet=letters, min_size=1, max_size=9))
    if script == "he":
        # points after some letters, a geresh/gershayim/maqaf inside or at the end
        marked = []
        for ch in word:
            marked.append(ch)
            if draw(st.integers(0, 3)) == 0:
                marked.append(draw(st.sampled_from(NIQQUD + CANTILLATION[:4])))
        word = "".join(marked)
        extra = draw(st.sampled_from(("", "", GERESH, GERSHAYIM, MAQAF, "'", '"', "-")))
        if extra:
            cut = draw(st.integers(1, len(word)))
            word = word[:cut] + extra + word[cut:]
    elif script == "fa":
        pieces = [word]
        if draw(st.booleans()):
            pieces.append(draw(st.text(alphabet=letters, min_size=1, max_size=5)))
        word = ZWNJ.join(pieces)
        if draw(st.integers(0, 4)) == 0:
            word = word.replace("ی", draw(st.sampled_from(ARABIC_VARIANTS[:2]))).replace("ک", "ك")
        if draw(st.integers(0, 6)) == 0 and len(word) > 1:
            word = word[0] + TATWEEL + word[1:]
    return word


def word(script: Script) -> st.SearchStrategy[str]:
    """One word in ``script``: a real one or a generated one, NFC or NFD."""
    raw = st.one_of(st.sampled_from(_WORDS[script]), _generated_word(script))
    return st.tuples(raw, st.sampled_from(("NFC", "NFD"))).map(
        lambda pair: unicodedata.normalize(pair[1], pair[0])  # type: ignore[arg-type]
    )


def words(script: Script, min_size: int = 1, max_size: int = 8) -> st.SearchStrategy[str]:
    """Words of one script separated by spaces (or, in Persian, sometimes a ZWNJ)."""
    return st.lists(word(script), min_size=min_size, max_size=max_size).map(" ".join)


_ENDS: dict[Script, tuple[str, ...]] = {
    "he": (".", "!", "?", '."', "."),
    "fa": (".", "؟", "!", ".»", "؛"),
    "bg": (".", "!", "?", ".“", "…"),
    "pl": (".", "!", "?", ".”", ".)"),
}


@st.composite
def sentence(draw: st.DrawFn, script: Script) -> str:
    """A sentence ending the way the script's writers end one (``؟``, ``.»``, ``.”``)."""
    body = draw(words(script, 1, 10))
    end = draw(st.sampled_from(_ENDS[script]))
    if end.endswith(("»", "”", "“", '"')):
        opening = {"»": "«", "”": "„", "“": "„", '"': '"'}[end[-1]]
        return opening + body + end
    if end.endswith(")"):
        return "(" + body + end
    return body + end


def sentences(script: Script, min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[str]:
    return st.lists(sentence(script), min_size=min_size, max_size=max_size).map(" ".join)


def hashtag_body(script: Script) -> st.SearchStrategy[str]:
    """What a writer of ``script`` puts after ``#``: one word (ZWNJ, geresh, niqqud...)."""
    return word(script).filter(lambda w: not w.endswith((".", "'", '"', "-")))


def _piece(draw: st.DrawFn) -> str:
    script: Script = draw(st.sampled_from(SCRIPTS))
    kind = draw(st.integers(0, 11))
    if kind <= 4:
        return draw(words(script, 1, 4))
    if kind == 5:
        return draw(st.sampled_from(LATIN_NAMES))
    if kind == 6:
        return draw(st.sampled_from(EMOJI))
    if kind == 7:
        return draw(st.sampled_from(URLS))
    if kind == 8:
        return "#" + draw(hashtag_body(script))
    if kind == 9:
        return draw(st.sampled_from(("@alice", "ל-@alice", "ל־@bob", "(@alice)", "@alice_lumen")))
    if kind == 10:
        return draw(st.sampled_from((LRM, RLM, ALM, *ISOLATES)))
    digits = PERSIAN_DIGITS + ARABIC_INDIC_DIGITS + "0123456789.,:"
    return draw(st.text(alphabet=digits, max_size=6))


@st.composite
def mixed_text(draw: st.DrawFn, max_pieces: int = 12) -> str:
    """A post-like text mixing the four scripts, Latin names, emoji, URLs, hashtags,
    mentions, directional marks and digits, joined by spaces, punctuation or nothing."""
    count = draw(st.integers(1, max_pieces))
    out: list[str] = []
    for _ in range(count):
        out.append(_piece(draw))
        out.append(draw(st.sampled_from((" ", " ", " ", "", "\n", ", ", ". ", "-", MAQAF, ZWNJ))))
    return "".join(out).strip()


def draw_examples(strategy: st.SearchStrategy[str], count: int) -> list[str]:
    """``count`` examples of ``strategy``, as Hypothesis generates them (not shrunk:
    an oracle in another process judges them all in one run)."""
    from hypothesis import HealthCheck, Phase, given, settings

    found: list[str] = []

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(text: str) -> None:
        found.append(text)

    collect()
    return found
