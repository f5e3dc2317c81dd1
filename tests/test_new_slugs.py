"""`smmgen new` with titles in Hebrew, Persian, Bulgarian and Polish (issue 14, item 6).

Ids are transliterated to ASCII by python-slugify with text-unidecode (never
the GPL Unidecode, even when it is installed), and an id that another post
has already is never reused silently: `new` takes the next free one and says
so, and refuses the same title twice, as before.
"""

from __future__ import annotations

import sys
import types
import unicodedata

import pytest

from smmgen.commands.new import slugify
from smmgen.loading import load_project

AT = ("--at", "2027-01-10 09:00")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def created(result) -> str:
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("created content/2027/01/"), result.output
    return first.removeprefix("created content/2027/01/").removesuffix(".md")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("השקת Lumen 2.0", "hshqt-lumen-2-0"),
        ("סדנת Lumen 2.0 בחיפה", "sdnt-lumen-2-0-bkhyph"),
        ("שַׁבָּת שָׁלוֹם", "shabat-shalvom"),  # points read, then dropped
        ("מנכ״ל צ׳אטבוט תל־אביב", "mnkl-tstbvt-tl-byb"),  # gershayim, geresh, maqaf
        ("Spotkanie w Łodzi", "spotkanie-w-lodzi"),
        (nfd("Spotkanie w Krakowie: zażółć"), "spotkanie-w-krakowie-zazolc"),
        ("برنامه\u200cنویسی با لومن", "brnmhnwysy-b-lwmn"),  # ZWNJ keeps the word whole
        ("رونمایی از لومن \u06f2.\u06f0 در تهران", "rwnmyy-z-lwmn-2-0-dr-thrn"),  # Persian digits
        ("Среща в София за Lumen 2.0", "sreshcha-v-sofiia-za-lumen-2-0"),
        ("Йордан ѝ каза", "iordan-i-kaza"),
        ("v2 launch: what's new!", "v2-launch-what-s-new"),
    ],
)
def test_titles_in_any_script_become_ascii_ids(make_project, run, title, slug):
    root = make_project()
    ident = created(run("--root", root, "new", title, *AT))
    assert ident == f"2027-01-10-{slug}"
    (post,) = [p for p in load_project(root).posts if p.id == ident]
    assert unicodedata.normalize("NFC", post.front.title or "") == unicodedata.normalize(
        "NFC", title
    )


def test_the_issue_titles_get_distinct_ids(make_project, run):
    root = make_project()
    first = created(run("--root", root, "new", "השקת Lumen 2.0", *AT))
    second = created(run("--root", root, "new", "סדנת Lumen 2.0 בחיפה", *AT))
    assert first != second


def test_an_id_another_post_has_is_not_reused_and_new_says_so(make_project, run):
    root = make_project()
    first = created(run("--root", root, "new", "השקת Lumen 2.0", *AT))
    result = run("--root", root, "new", "השקת Lumen 2.0!", *AT)  # another title, same slug
    second = created(result)
    assert second == f"{first}-2"
    assert result.output.splitlines()[1] == (
        f"the id '{first}' is taken by content/2027/01/{first}.md; this post's id is"
        f" '{second}' (change `id:` in the file to choose another)"
    )
    third = created(run("--root", root, "new", "השקת Lumen 2.0?", *AT))
    assert third == f"{first}-3"
    ids = [p.id for p in load_project(root).posts]
    assert len(ids) == len(set(ids))
    check = run("--root", root, "check", "--format", "json")
    assert "duplicate-id" not in check.output


def test_an_explicit_id_in_another_file_is_taken_too(make_project, run):
    post = "---\nid: 2027-01-10-spotkanie-w-lodzi\ntitle: Old\n---\nOld text.\n"
    root = make_project(posts={"elsewhere/old.md": post})
    result = run("--root", root, "new", "Spotkanie w Łodzi", *AT)
    assert created(result) == "2027-01-10-spotkanie-w-lodzi-2"
    assert "taken by content/elsewhere/old.md" in result.output


def test_the_same_title_twice_is_refused_nfc_or_nfd(make_project, run):
    root = make_project()
    created(run("--root", root, "new", "Spotkanie w Łodzi o zażółć", *AT))
    again = run("--root", root, "new", nfd("Spotkanie w Łodzi o zażółć"), *AT)
    assert again.exit_code == 1
    assert again.output.splitlines() == [
        "error: content/2027/01/2027-01-10-spotkanie-w-lodzi-o-zazolc.md already exists;"
        " choose another title"
    ]


def test_an_installed_unidecode_is_not_used(monkeypatch):
    """python-slugify's 'auto' backend prefers Unidecode (GPL) when installed."""
    fake = types.ModuleType("unidecode")
    fake.unidecode = lambda text: "from-unidecode"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "unidecode", fake)
    assert slugify("השקת Lumen") == "hshqt-lumen"


def test_a_title_with_nothing_to_transliterate_gets_a_hash(make_project, run):
    root = make_project()
    first = created(run("--root", root, "new", "🚀", *AT))
    second = created(run("--root", root, "new", "🎉", *AT))
    assert first.startswith("2027-01-10-post-")
    assert first != second
