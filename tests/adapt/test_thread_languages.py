"""Threads in Hebrew, Persian, Bulgarian and Polish (issue 14, item 4): parts end
where sentences end in the post's ``language:``.

Through the whole pipeline (a project, `show --format json`): a long post on a
channel whose limit leaves room for one sentence a part, so each part must end at
a sentence end. Each example had the earlier rule cut elsewhere: after ``ul.``,
``т.нар.`` or ``טל.``, or in the middle of a sentence because ``؟``, ``.»``,
``.”``, ``.“``, ``.)`` and ``."`` were not taken for ends.

Then properties over generated text (tests/i18n_strategies.py): every part fits,
the parts give the text back, no part starts or ends inside a grapheme, and no
part ends after a listed abbreviation when a sentence end was there to cut at.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable

import pytest
import regex
from click.testing import Result
from hypothesis import example, given, settings
from hypothesis import strategies as st
from uniseg.sentencebreak import sentence_boundaries

from smmgen.adapt.threads import _Text, split
from smmgen.text import length
from smmgen.text.sentences import abbreviations
from tests.conftest import MakeProject
from tests.i18n_strategies import EMOJI, SCRIPTS, sentences
from tests.text.test_sentences import sb8_holds

Run = Callable[..., Result]

CHANNELS = """\
defaults: {{channels: [toots]}}
channels:
  toots:
    type: mastodon
    instance: https://mastodon.example
    token_env: MASTODON_TOKEN
    limits: {{max_chars: {limit}}}
"""


def thread(make_project: MakeProject, run: Run, sentences: list[str], language: str) -> list[str]:
    """The parts `show` gives (without their numbers) for the sentences joined by
    spaces, on a Mastodon channel whose limit holds the longest sentence and a
    part number, and no more than that."""
    room = len(" 9/9")
    limit = max(length(s, "mastodon") for s in sentences) + room
    body = " ".join(sentences)
    assert length(body, "mastodon") > limit  # it must be split
    front = f"---\nid: p\nlanguage: {language}\n---\n{body}\n"
    root = make_project(channels=CHANNELS.format(limit=limit), posts={"p.md": front})
    result = run("--root", root, "show", "p", "--format", "json")
    assert result.exit_code == 0, result.output
    (variant,) = json.loads(result.stdout)["variants"]
    parts = [p["text"] for p in variant["parts"]]
    assert all(length(p, "mastodon") <= limit for p in parts)
    return [p.removesuffix(f" {i}/{len(parts)}") for i, p in enumerate(parts, 1)]


EXAMPLES = {
    "fa: ؟ ends a sentence": (
        "fa",
        ["آیا آماده‌اید؟", "ما لومن ۲ را منتشر کردیم و همه چیز را بهتر کردیم."],
    ),
    "fa: .» ends a sentence": (
        "fa-IR",
        ["«این عالی است.»", "ما لومن را منتشر کردیم و همه چیز بهتر شد."],
    ),
    "pl: .” ends a sentence": (
        "pl",
        ["Powiedział: „To działa.”", "Potem wyszedł i długo nie wracał do biura."],
    ),
    "pl: .) ends a sentence": (
        "pl",
        ["Zobacz stronę (to nowa wersja.)", "Dzięki za wszystkie uwagi i zgłoszenia!"],
    ),
    "bg: .“ ends a sentence": (
        "bg",
        ["Той каза: „Работи.“", "После си тръгна към офиса в центъра."],
    ),
    'he: ." ends a sentence': (
        "he",
        ['"זה מצוין."', "השקנו את Lumen 2.0 עם הרבה שיפורים חדשים."],
    ),
    "pl: ul. godz. np. tzw. end no sentence": (
        "pl-PL",
        [
            "Zapraszamy!",
            "Spotkanie przy ul. Długiej 5 o godz. 18:00, np. w sali nr 3.",
            "Pokażemy tzw. Generator postów w 2024 r. w Łodzi.",
        ],
    ),
    "bg: ул. т.нар. end no sentence, ч. ends one": (
        "bg",
        [
            "Заповядайте!",
            "Среща на ул. Витоша 5 за т.нар. генератор в 18 ч.",
            "Елате навреме.",
        ],
    ),
    "he: רח׳ and טל. end no sentence": (
        "he",
        ["מחכים לכם!", "נפגשים ברח׳ הרצל 5, טל. 03-5551234, בשעה 18:00 בערב."],
    ),
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_parts_end_where_sentences_end_in_the_post_s_language(
    make_project: MakeProject, run: Run, name: str
) -> None:
    language, expected = EXAMPLES[name]
    assert thread(make_project, run, expected, language) == expected


def test_without_the_language_a_polish_abbreviation_may_end_a_part(
    make_project: MakeProject, run: Run
) -> None:
    """The abbreviations are the language's: in English, ``ul.`` and ``tzw.``
    before a capital end sentences, as UAX #29 says."""
    _, expected = EXAMPLES["pl: ul. godz. np. tzw. end no sentence"]
    assert thread(make_project, run, expected, "en") == [
        "Zapraszamy! Spotkanie przy ul.",
        "Długiej 5 o godz. 18:00, np. w sali nr 3. Pokażemy tzw.",
        "Generator postów w 2024 r. w Łodzi.",
    ]


# -- properties ------------------------------------------------------------------------

_GRAPHEME = regex.compile(r"\X")
_OPENING = "([{\"'«„“\u2018\u2039"


def _graphemes_end(text: str) -> set[int]:
    return {0} | {m.end() for m in _GRAPHEME.finditer(text)}


def _spans(text: str, parts: list[str]) -> list[tuple[int, int]]:
    """Where each part lies in ``text``: parts follow each other, blanks between."""
    spans, at = [], 0
    for part in parts:
        while not text.startswith(part, at):
            assert text[at].isspace(), (text, parts, at)
            at += 1
        spans.append((at, at + len(part)))
        at += len(part)
    assert text[at:].strip() == ""
    return spans


def _abbreviation_before(text: str, offset: int, language: str) -> bool:
    words = text[:offset].split()
    if not words:
        return False
    last = unicodedata.normalize("NFC", words[-1].lstrip(_OPENING)).casefold()
    return last in abbreviations(language)


# text as these writers write it, and with emoji, niqqud on spaces, a prepended mark
EXTRA = st.sampled_from([*EMOJI, " \u05b8", "\u0600 ", "e\u0301", "\u200c", "\n", "\n\n"])


@st.composite
def texts(draw: st.DrawFn, script: str) -> str:
    pieces = draw(st.lists(st.one_of(sentences(script), EXTRA), min_size=1, max_size=8))  # type: ignore[arg-type]
    return " ".join(pieces)


@settings(max_examples=60, deadline=None)
@example(script="pl", text="Idę na ul. Długą. Potem na ul. Krótką.", limit=30)
@example(script="he", text="a 🇮🇱 \u0600 b שָׁלוֹם.", limit=16)
@given(
    script=st.sampled_from(SCRIPTS),
    text=st.sampled_from(SCRIPTS).flatmap(texts),
    limit=st.integers(min_value=16, max_value=160),
)
def test_split_properties(script: str, text: str, limit: int) -> None:
    parts = split(text, lambda p: len(p) <= limit, language=script)
    assert all(len(p) <= limit for p in parts)
    bodies = [p.removesuffix(f" {i}/{len(parts)}") for i, p in enumerate(parts, 1)]
    if len(parts) == 1:
        bodies = parts
    spans = _spans(text, bodies)  # nothing lost, nothing reordered, blanks aside
    between = _graphemes_end(text)
    assert all(start in between and end in between for start, end in spans)
    # no part ends after a listed abbreviation when it held a sentence end (uniseg's
    # on the whole text, but for rule SB8 and the language's abbreviations) instead
    ends = {c for c in sentence_boundaries(text) if not sb8_holds(text, c)}
    for start, end in spans[:-1]:
        if _abbreviation_before(text, end, script):
            inside = [
                c
                for c in ends
                if start < c < end
                and text[start:c].strip()
                and not _abbreviation_before(text, c, script)
            ]
            assert inside == [], (text[start:end], inside)


GRAPHEME_PIECES = st.sampled_from(
    [
        *"aA .\n\r\t\u0301\u200d\u200c\u0600\u0903\u094d\u05b8\x85\u2028",
        *EMOJI,
        "क्ष",
        "\u1100\u1161\u11a8",
        "\U0001f1f5",
        "e\u0301",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(GRAPHEME_PIECES, max_size=20).map("".join))
def test_between_graphemes_is_regex_s_grapheme_ends(text: str) -> None:
    """Splitting decides most places from the two characters around them (GB4, GB9,
    GB9a) and scans graphemes with `regex` for the rest: the same places."""
    ends = _graphemes_end(text)
    for offset in range(len(text) + 1):
        assert _Text(text, None).between_graphemes(offset) == (offset in ends), offset
