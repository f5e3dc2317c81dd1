"""A variant's text as HTML for people, with links, mentions and hashtags isolated.

In a right-to-left paragraph a link, an ``@mention`` or a ``#hashtag`` is a run
of its own direction: between ``<bdi>`` and ``</bdi>`` the browser lays it out
by itself, so the punctuation beside it keeps the paragraph's direction and
does not jump to the other end of the link. The text stays exactly as it is
(``<bdi>`` adds no character): only how it is shown changes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import regex
from markupsafe import Markup

_TRAILING = r"""(?<![.,:;!?'"()\[\]«»“”\u2018\u2019،؛؟…])"""  # a link does not end in punctuation
_WORD = r"[\p{L}\p{M}\p{N}_]"
# Every part of the pattern takes time linear in the text: a repeat that could
# end at many places gives nothing back (``++``) where what follows cannot match
# there anyway, a domain starts only where no earlier start in the same word
# failed (not after a hyphen), and only the two ASCII words match in any case
# (a pattern that ignores case throughout is four times as slow).
ENTITY = regex.compile(
    rf"""(?i:https?://|www\.)[^\s<>"]+{_TRAILING}"""
    # a link shown without its scheme (Bluesky's), an ASCII domain with a path or not;
    # a label (and so the domain) does not begin with a hyphen, as in DNS
    rf"""|(?<![\w@./-])(?:[a-zA-Z0-9-]++\.(?=[a-zA-Z0-9]))++[a-zA-Z]{{2,}}+\b"""
    rf"""(?![@\w-]|\.\w)(?:/[^\s<>"]*{_TRAILING})?"""
    rf"|(?<![\w@])@{_WORD}(?:[\w.-]*{_WORD})?(?:@{_WORD}(?:[\w.-]*{_WORD})?)?"
    # with what stands inside words: ZWNJ, ZWJ, the middle dot, geresh, gershayim, maqaf
    rf"|(?<![\w&#])#{_WORD}(?:{_WORD}|[\u200c\u200d\u00b7\u05f3\u05f4\u05be])*"
    r"|(?i:\{hashtag\|\\\#\|)[^{}]*+\}",  # LinkedIn's hashtag markup
    regex.VERSION1,
)
# A word that can hold an entity: every entity has one of these characters, and
# none has a space (but LinkedIn's hashtags: a text with a brace is searched
# whole). ``re`` finds them five times as fast as ``regex`` finds entities; its
# \s has U+001C..U+001F, which regex's has not.
_CANDIDATE = re.compile(
    r"(?<!\S)(?<![\x1c-\x1f])"  # at the start of a word: each word is read once
    r"(?:[^\s.@#:]|[\x1c-\x1f])*+[.@#:](?:\S|[\x1c-\x1f])*+"
)


def _entities(text: str) -> Iterator[regex.Match[str]]:
    """:data:`ENTITY`'s matches in ``text``, searched only in the words that can
    hold one (an entity starts after a space or at the start, where it would
    start in the whole text, and ends before a space)."""
    if "{" in text:
        yield from ENTITY.finditer(text)
        return
    for word in _CANDIDATE.finditer(text):
        yield from ENTITY.finditer(text, word.start(), word.end())


# in HTML: a link, another tag, or text (escaped already)
_HTML = regex.compile(r"(<a\b[^>]*>.*?</a>)|(<[^>]*>)|([^<]+)", regex.DOTALL)


def _isolate(text: str, escape: bool) -> str:
    out = []
    last = 0
    for match in _entities(text):
        before, entity = text[last : match.start()], match.group()
        if escape:
            before, entity = html.escape(before, quote=False), html.escape(entity, quote=False)
        out.append(f"{before}<bdi>{entity}</bdi>")
        last = match.end()
    rest = text[last:]
    out.append(html.escape(rest, quote=False) if escape else rest)
    return "".join(out)


def _in_html(match: regex.Match[str]) -> str:
    link, tag, text = match.groups()
    if link is not None:
        return f"<bdi>{link}</bdi>"
    return tag if tag is not None else _isolate(text, escape=False)


def isolated_html(text: str, *, is_html: bool = False) -> Markup:
    """``text`` as HTML with its links, mentions and hashtags in ``<bdi>``; ``is_html``:
    ``text`` is HTML already (the feed's dialect): its links and what looks like one
    in its text are isolated."""
    if is_html:
        return Markup(_HTML.sub(_in_html, text))
    return Markup(_isolate(text, escape=True))
