"""Banned phrases and the sponsored disclosure in Hebrew, Persian, Bulgarian and
Polish, through `smmgen check` (issue 14, item 3).

The policy matches on folded text (smmgen/text/fold.py): a phrase written one
way is found in a post that writes it another way that reads the same: NFC or
NFD, any case, with or without niqqud or tatweel, Arabic or Persian yeh and kaf,
a ZWNJ or a space. Each pair below is written once in channels.yaml and once in
the post, both ways round.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import CHANNELS_YAML

ZWNJ = "\u200c"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# (one way to write a phrase, another way that reads the same)
SAME_PHRASE = {
    "polish-nfc-nfd": ("zarób dziś", nfd("Zarób dziś")),
    "polish-accents-nfc-nfd": ("zażółć gęślą jaźń", nfd("ZAŻÓŁĆ GĘŚLĄ JAŹŃ")),
    "bulgarian-nfc-nfd": ("печалбата ѝ е гарантирана", nfd("Печалбата ѝ е гарантирана")),
    "bulgarian-short-i": ("най-добрият", nfd("Най-добрият")),
    # qubbutz and holam are spelt with a vav without points (ktiv male)
    "hebrew-niqqud": ("תשואה מובטחת", "תְּשׁוּאָה מֻבְטַחַת"),
    "hebrew-holam": ("כול הכסף", "כֹּל הַכֶּסֶף"),
    "hebrew-silent-alef": ("לא תפסידו", "לֹא תַּפְסִידוּ"),
    "hebrew-cantillation": ("בראשית", "בְּרֵאשִׁ֖ית"),
    "hebrew-maqaf-hyphen": ("בתל-אביב", "בתל־אביב"),
    "hebrew-gershayim": ('מנכ"ל', "מנכ״ל"),
    "persian-yeh": ("سود تضمینی", "سود تضميني"),
    "persian-alef-maksura": ("سود قطعی", "سود قطعى"),
    "persian-kaf": ("کسب درآمد", "كسب درآمد"),
    "persian-zwnj-space": ("می خواهید", ZWNJ.join(("می", "خواهید"))),
    "persian-tatweel": ("سود", "سـود"),
    "persian-vowel-signs": ("لطفا", "لطفاً"),
}


def policy(banned: list[str], disclosure: str = "#ad") -> str:
    phrases = json.dumps(banned, ensure_ascii=False)
    return CHANNELS_YAML.replace('["guaranteed returns"]', phrases).replace(
        '"#ad"', json.dumps(disclosure, ensure_ascii=False)
    )


def findings(run, root: Path) -> list[dict]:
    result = run("--root", root, "check", "--format", "json")
    return json.loads(result.stdout)["findings"]


@pytest.mark.parametrize("swap", [False, True], ids=["as-typed", "swapped"])
@pytest.mark.parametrize(("one", "other"), SAME_PHRASE.values(), ids=SAME_PHRASE.keys())
def test_a_banned_phrase_is_found_however_it_is_written(make_project, run, one, other, swap):
    phrase, written = (other, one) if swap else (one, other)
    post = f"---\nid: p\n---\nFirst line.\nBuy now: {written}!\n"
    root = make_project(channels=policy([phrase]), posts={"p.md": post})
    found = findings(run, root)
    assert [(f["code"], f["line"]) for f in found] == [("banned-phrase", 5)], found


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("תשואה מובטחת", "תשואה מבטחת"),  # a different spelling, not a pointed one
        ("سود تضمینی", "سود تضمین"),
        ("می خواهید", "میخواهید"),  # no ZWNJ and no space: another word
        ("תל אביב", "תל־אביב"),  # maqaf folds to a hyphen, not to a space
        ("zysk", "żysk"),  # a letter with an accent is another letter
    ],
)
def test_a_different_spelling_is_not_the_banned_phrase(make_project, run, phrase, text):
    post = f"---\nid: p\n---\n{text}\n"
    root = make_project(channels=policy([phrase]), posts={"p.md": post})
    assert findings(run, root) == []


def test_a_phrase_broken_over_two_lines_is_found_on_its_first_line(make_project, run):
    lines = ("---", "id: p", "---", "One.", "תְּשׁוּאָה", "מֻבְטַחַת!", "")
    post = "\n".join(lines)
    root = make_project(channels=policy(["תשואה מובטחת"]), posts={"p.md": post})
    assert [(f["code"], f["line"]) for f in findings(run, root)] == [("banned-phrase", 5)]


DISCLOSURES = {
    "polish-nfd-text": ("#współpraca", nfd("Nowy produkt. #Współpraca")),
    "polish-nfd-policy": (nfd("#współpraca"), "Nowy produkt. #WSPÓŁPRACA"),
    "bulgarian-short-i-nfd": ("#спонсорирай", nfd("Нов продукт #спонсорирай")),
    "hebrew-niqqud": ("#שיתוף_פעולה", "מוצר חדש #שִׁיתּוּף_פְּעֻלָּה"),
    "persian-yeh-kaf": ("#تبلیغ", "محصول جدید #تبليغ"),
}


@pytest.mark.parametrize(("tag", "text"), DISCLOSURES.values(), ids=DISCLOSURES.keys())
def test_the_disclosure_is_seen_however_it_is_written(make_project, run, tag, text):
    post = f"---\nid: s\nsponsored: true\n---\n{text}\n"
    root = make_project(channels=policy([], tag), posts={"s.md": post})
    assert findings(run, root) == []


@pytest.mark.parametrize(
    ("tag", "text"),
    [
        (nfd("#współpraca"), "Nowy produkt. #współpracaplus"),
        ("#תבלי", "محصول #تبلیغ"),
        ("#تبلیغ", "محصول #تبلیغات"),  # a longer tag is not the disclosure
        ("#ad", "Join our #adventure"),
    ],
)
def test_a_longer_word_is_still_not_the_disclosure(make_project, run, tag, text):
    post = f"---\nid: s\nsponsored: true\n---\n{text}\n"
    root = make_project(channels=policy([], tag), posts={"s.md": post})
    assert [f["code"] for f in findings(run, root)] == ["missing-disclosure"]


PER_LANGUAGE = '{default: "#ad", pl: "#reklama", pt-BR: "#publi", pt: "#pub", he: "#פרסומת"}'


@pytest.mark.parametrize(
    ("language", "written", "missing"),
    [
        ("pl", "#reklama", None),
        ("pl", "#ad", "#reklama"),  # a Polish post needs the Polish disclosure
        ("pl-PL", "#reklama", None),  # the primary subtag's entry
        ("pt-BR", "#publi", None),  # the whole tag's entry before the primary subtag's
        ("pt-BR", "#pub", "#publi"),
        ("pt-PT", "#pub", None),
        ("he", nfd("#פרסומת"), None),
        ("de", "#ad", None),  # no entry: the default
        (None, "#ad", None),
        (None, "#reklama", "#ad"),
    ],
)
def test_the_disclosure_can_differ_per_language(make_project, run, language, written, missing):
    head = f"language: {language}\n" if language else ""
    post = f"---\nid: p\nsponsored: true\n{head}---\nNowa wersja! {written}\n"
    channels = CHANNELS_YAML.replace('"#ad"', PER_LANGUAGE)
    assert channels != CHANNELS_YAML
    found = findings(run, make_project(channels=channels, posts={"p.md": post}))
    if missing is None:
        assert found == []
    else:
        assert [(f["code"], missing in f["message"]) for f in found] == [
            ("missing-disclosure", True)
        ]


def test_without_a_post_language_the_projects_default_language_chooses(make_project, run):
    channels = CHANNELS_YAML.replace('"#ad"', PER_LANGUAGE)
    channels = channels.replace("defaults:\n", "defaults:\n  language: pl\n", 1)
    assert "language: pl" in channels
    post = "---\nid: p\nsponsored: true\n---\nNowa wersja! #ad\n"
    found = findings(run, make_project(channels=channels, posts={"p.md": post}))
    assert [f["code"] for f in found] == ["missing-disclosure"]
    assert "#reklama" in found[0]["message"]


@pytest.mark.parametrize("written", ["תודה ל-@zed", "תודה ל־@zed", "Dzięki,@zed!", "שלום @zed"])
def test_an_unknown_person_is_reported_wherever_a_mention_is_resolved(make_project, run, written):
    """`unknown-person` reads mentions with the pattern that resolves them, so a
    name after a Hebrew prefix and hyphen is reported as any other."""
    root = make_project(posts={"p.md": f"---\nid: p\n---\n{written}\n"})
    found = findings(run, root)
    assert [(f["code"], f["line"]) for f in found] == [("unknown-person", 4)], found
