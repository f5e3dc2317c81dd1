"""Which way a language is written (CLDR through Babel as the oracle), the
isolation of links, mentions and hashtags, and the attributes `build` writes."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale, localedata
from click.testing import Result
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from smmgen.report.isolation import isolated_html
from smmgen.text.direction import direction, isolated, script
from tests.conftest import MakeProject
from tests.i18n_strategies import EMOJI, LATIN_NAMES, URLS, hashtag_body, mixed_text, words
from tests.rtl.posts import rtl_project

Run = Callable[..., Result]


def test_direction_is_cldrs() -> None:
    """Every locale CLDR knows, as a BCP 47 tag: the direction CLDR gives it (HTML has
    no vertical direction: Mongolian's top-to-bottom lines run left to right)."""
    wrong = {}
    identifiers = localedata.locale_identifiers()
    for identifier in identifiers:
        cldr = Locale.parse(identifier).text_direction
        expected = "rtl" if cldr == "rtl" else "ltr"
        if direction(identifier.replace("_", "-")) != expected:
            wrong[identifier] = cldr
    assert len(identifiers) > 1000
    assert wrong == {}


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("he", "rtl"),
        ("he-IL", "rtl"),
        ("iw", "rtl"),
        ("fa", "rtl"),
        ("fa-AF", "rtl"),
        ("ar-EG", "rtl"),
        ("ur", "rtl"),
        ("yi", "rtl"),
        ("ps", "rtl"),
        ("ckb", "rtl"),
        ("dv", "rtl"),
        ("sd", "rtl"),
        ("sd-Deva", "ltr"),
        ("ug", "rtl"),
        ("az-Arab", "rtl"),
        ("az-Arab-IR", "rtl"),
        ("zh-yue-Arab", "rtl"),  # an extended language subtag before the script
        ("pa-Arab-PK", "rtl"),
        ("pa", "ltr"),
        ("bg", "ltr"),
        ("pl-PL", "ltr"),
        ("uz-Cyrl", "ltr"),
        ("EN", "ltr"),
        (None, "auto"),
    ],
)
def test_direction_of_tags(tag: str | None, expected: str) -> None:
    assert direction(tag) == expected


def test_script_subtag() -> None:
    assert script("az-Arab-IR") == "arab"
    assert script("en-US") is None
    assert script("ar-001") is None
    assert script("zh-cmn-Hant") == "hant"


def test_isolated_marks_only_right_to_left_text() -> None:
    assert isolated("Lumen 2.0") == "Lumen 2.0"
    assert isolated("השקת Lumen") == "\u2068השקת Lumen\u2069"


class _Text(HTMLParser):
    """The text of an HTML fragment, and the text inside each <bdi>; any other element
    is a failure (the isolation adds only <bdi>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.isolated: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag == "bdi"
        assert self.depth == 0, "<bdi> inside <bdi>"
        self.depth += 1
        self.isolated.append("")

    def handle_endtag(self, tag: str) -> None:
        assert tag == "bdi"
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        self.text += data
        if self.depth:
            self.isolated[-1] += data


def _parsed(markup: str) -> _Text:
    parser = _Text()
    parser.feed(str(markup))  # a Markup would escape what the parser hands on
    parser.close()
    assert parser.depth == 0
    return parser


def test_isolation_of_a_hebrew_post() -> None:
    text = (
        "🚀 Lumen 2.0 יוצא היום! ראו https://lumen.example/he/launch. וגם lumen.io/x, "
        "תודה ל-@alice_lumen וגם @bob.bsky.social ול-@carol@social.example. "
        "#השקה #برنامه‌نویسی #Lumen2 {hashtag|\\#|מנכ״ל} a@b.example <b>"
    )
    found = _parsed(isolated_html(text))
    assert found.text == text
    assert found.isolated == [
        "https://lumen.example/he/launch",
        "lumen.io/x",
        "@alice_lumen",
        "@bob.bsky.social",
        "@carol@social.example",
        "#השקה",
        "#برنامه‌نویسی",
        "#Lumen2",
        "{hashtag|\\#|מנכ״ל}",
    ]


def test_isolation_in_html_keeps_the_markup() -> None:
    markup = (
        '<p>ראו <a href="https://lumen.example/?a=1&amp;b=2">כאן</a> וגם https://x.example/y.</p>'
    )
    assert str(isolated_html(markup, is_html=True)) == (
        '<p>ראו <bdi><a href="https://lumen.example/?a=1&amp;b=2">כאן</a></bdi>'
        " וגם <bdi>https://x.example/y</bdi>.</p>"
    )


@settings(max_examples=300, deadline=None)
@given(mixed_text())
def test_isolation_keeps_the_text_exactly(text: str) -> None:
    assert _parsed(isolated_html(text)).text == text


@settings(max_examples=200, deadline=None)
@given(
    words("he"),
    st.sampled_from([*URLS, "@alice", "@alice_lumen", "@bob.bsky.social"]),
    words("fa"),
    st.sampled_from(("", ".", ",", "!", "؟", ":")),
)
def test_links_and_mentions_between_words_are_isolated(
    before: str, entity: str, after: str, punctuation: str
) -> None:
    text = f"{before} {entity}{punctuation} {after}"
    assert entity in _parsed(isolated_html(text)).isolated


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["he", "fa", "bg", "pl"]).flatmap(hashtag_body), words("he"))
def test_hashtags_are_isolated_whole(body: str, before: str) -> None:
    """ASCII ' " and - typed for geresh, gershayim and maqaf end a hashtag in
    twitter-text's and Mastodon's patterns, so they end the isolated run too."""
    assume(not set(body) & set("'\"-"))
    found = _parsed(isolated_html(f"{before} #{body} {before}"))
    assert found.isolated == [f"#{body}"]


class _Elements(HTMLParser):
    """Each element's attributes, and the text directly inside each .part."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def _elements(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(page)
    return parser.elements


def _parts(elements: list[tuple[str, dict[str, str | None]]]) -> list[dict[str, str | None]]:
    """The attributes of each variant part's text element."""
    return [attrs for _, attrs in elements if "data-text" in attrs]


def _post_pages(out: Path) -> str:
    """Every post page of the static site, one after the other."""
    return "".join(p.read_text("utf-8") for p in sorted((out / "posts").glob("*/index.html")))


def test_build_sets_lang_and_dir(make_project: MakeProject, run: Run, tmp_path: Path) -> None:
    root = rtl_project(make_project, "he", "fa")
    out = tmp_path / "site"
    assert run("--root", root, "build", "--out", out).exit_code == 0
    page = _post_pages(out)
    elements = _elements(page)
    assert elements[0] == ("html", {"lang": "en", "dir": "ltr"})  # the page's own chrome
    parts = _parts(elements)
    by_language: dict[str | None, set[str | None]] = {}
    for attrs in parts:
        by_language.setdefault(attrs.get("lang"), set()).add(attrs.get("dir"))
    assert by_language == {"he": {"rtl"}, "fa": {"rtl"}, None: {"auto"}}
    assert len(parts) == 4 + 4 + 3  # one per channel of each post
    titles = [attrs for tag, attrs in elements if tag == "h1"]
    assert {(t.get("lang"), t.get("dir")) for t in titles} == {
        ("he", "rtl"),
        ("fa", "rtl"),
        (None, "auto"),
    }
    for link in ("https://lumen.example/he/launch", "lumen.example/fa/launch"):
        assert f"<bdi>{link}</bdi>" in page
    assert "<bdi>@alice@example.social</bdi>" in page  # the mention as Mastodon gets it
    assert "<bdi>#השקה</bdi>" in page
    assert "<bdi>#لومن</bdi>" in page


def test_build_takes_the_projects_default_language(
    make_project: MakeProject, run: Run, tmp_path: Path
) -> None:
    root = rtl_project(make_project)
    channels = root / "channels.yaml"
    channels.write_text(
        channels.read_text(encoding="utf-8").replace("defaults:\n", "defaults:\n  language: ur\n"),
        encoding="utf-8",
    )
    out = tmp_path / "site"
    assert run("--root", root, "build", "--out", out).exit_code == 0
    page = _post_pages(out)
    parts = _parts(_elements(page))
    assert parts
    assert {(a.get("lang"), a.get("dir")) for a in parts} == {("ur", "rtl")}
    assert re.search(r'<h1 lang="ur" dir="rtl">', page)


def test_emoji_and_names_alone_are_not_isolated() -> None:
    for text in (*EMOJI, *LATIN_NAMES):
        assert str(isolated_html(text)) == html.escape(text, quote=False)
