"""Which way a language is written, from its BCP 47 code, and bidi isolation.

A tag's script subtag decides when it has one (``az-Arab`` is right to left,
``sd-Deva`` left to right); otherwise its primary language does, by the
script CLDR gives it as likely (``he``, ``fa``, ``ar``, ``ur``, ``yi`` … are
right to left). The table is CLDR's: the tests compare it with every locale
Babel's copy of CLDR knows. A post without a language gets ``auto``: the
reader's browser guesses from the first strong character, which is wrong for
a Hebrew post that starts with "🚀 Lumen 2.0", a link or a mention, so a post
in a right-to-left language should say which one it is in.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

Direction = Literal["ltr", "rtl", "auto"]

# ISO 15924 scripts written right to left (Unicode's bidi class R or AL)
RTL_SCRIPTS = frozenset(
    {
        "adlm", "arab", "aran", "armi", "avst", "chrs", "cprt", "elym", "hatr", "hebr",
        "hung", "khar", "lydi", "mand", "mani", "mend", "merc", "mero", "narb", "nbat",
        "nkoo", "orkh", "ougr", "palm", "phli", "phlp", "phlv", "phnx", "prti", "rohg",
        "samr", "sarb", "sogd", "sogo", "syrc", "thaa", "yezi",
    }
)  # fmt: skip

# primary languages whose likely script (CLDR likelySubtags) is one of those;
# iw and ji are the old codes of Hebrew and Yiddish
RTL_LANGUAGES = frozenset(
    {
        "acm", "aeb", "afb", "ajp", "apc", "apd", "ar", "arc", "ary", "arz", "ayl", "azb",
        "bal", "bgn", "bqi", "brh", "ckb", "dv", "fa", "glk", "haz", "he", "iw", "ji",
        "khw", "ks", "lki", "lrc", "luz", "mzn", "nqo", "pnb", "prs", "ps", "rhg", "sd",
        "sdh", "skr", "syr", "trw", "ug", "ur", "yi",
    }
)  # fmt: skip

FSI = "\u2068"  # first strong isolate: the text between it and PDI keeps its own direction
PDI = "\u2069"


def script(language: str) -> str | None:
    """The script subtag of a BCP 47 tag (lower case), if it has one."""
    for subtag in language.lower().replace("_", "-").split("-")[1:4]:
        if len(subtag) == 4 and subtag.isalpha():
            return subtag
        if not (len(subtag) == 3 and subtag.isalpha()):  # past the extended language subtags
            return None
    return None


def direction(language: str | None) -> Direction:
    """``rtl`` or ``ltr`` for a BCP 47 tag, ``auto`` for none."""
    if not language:
        return "auto"
    written = script(language)
    if written is not None:
        return "rtl" if written in RTL_SCRIPTS else "ltr"
    primary = language.lower().replace("_", "-").split("-", 1)[0]
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter (bidi class R or AL)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def isolated(text: str) -> str:
    """``text`` between Unicode isolates when it holds right-to-left letters, so that
    it keeps its direction inside text of the other (plain text: any sanitiser keeps
    it); otherwise ``text`` as it is."""
    return f"{FSI}{text}{PDI}" if has_rtl(text) else text
