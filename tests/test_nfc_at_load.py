"""Post text is NFC once loaded; ids and other names stay as written (issue 14, item 3).

Text in NFD looks the same as in NFC, and X normalises to NFC before counting;
so the loader gives every later step one form. The ledger knows a published
post by its id (and channel), never by its text: a post published while its
text was loaded as NFD is not published again once it loads as NFC.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from smmgen.commands.publish import ledger_init
from smmgen.loader import posts as loader_posts
from smmgen.loading import load_project
from smmgen.publish.driver import part_key

CHANNELS = """\
defaults:
  channels: [feed]
channels:
  feed:
    type: feed
    title: Wiadomości
    site_url: https://example.com/
policy:
  require_alt_text: true
"""
CALENDAR = "timezone: Europe/Warsaw\nmax_lateness: 6h\n"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


BODY = "Spotkanie w Krakowie: zażółć gęślą jaźń. Среща: ѝ, й. שַׁבָּת"
POST = f"""\
---
id: {nfd("kraków-spotkanie")}
title: {nfd("Spotkanie w Krakowie, Йордан")}
publish_at: 2026-11-25 11:00
link: https://example.com/kraków
tags: [{nfd("Kraków")}, {nfd("София")}]
media:
  - path: media/{nfd("łódź")}.png
    alt: {nfd("Rynek w Łodzi, zażółć")}
overrides:
  feed:
    title: {nfd("Zażółć")}
    text: "{nfd("Tekst dla kanału: gęślą jaźń")}"
---
{nfd(BODY)}
"""
UNNAMED = f"---\npublish_at: 2026-11-25 11:30\n---\n{nfd('Bez id, zażółć.')}\n"
UNNAMED_FILE = nfd("spotkanie-łódź-zażółć.md")


@pytest.fixture
def project(make_project) -> Path:
    return make_project(
        channels=CHANNELS,
        calendar=CALENDAR,
        posts={"a.md": POST, UNNAMED_FILE: UNNAMED},
        media=[f"media/{nfd('łódź')}.png"],
    )


def test_text_is_nfc_and_names_are_as_written(project: Path) -> None:
    loaded = load_project(project)
    post = next(p for p in loaded.posts if p.file == "content/a.md")
    assert post.body == nfc(BODY) + "\n"
    assert post.front.title == nfc("Spotkanie w Krakowie, Йордан")
    assert post.front.tags == [nfc("Kraków"), nfc("София")]
    (item,) = post.front.media or []
    assert item.alt == nfc("Rynek w Łodzi, zażółć")
    override = (post.front.overrides or {})["feed"]
    assert override.title == nfc("Zażółć")
    assert override.text == nfc("Tekst dla kanału: gęślą jaźń")
    assert post.text_for("feed") == override.text
    # what points at something is as written: the ledger's key, a file, a link
    assert post.id == nfd("kraków-spotkanie")
    assert item.path == f"media/{nfd('łódź')}.png"
    assert str(post.front.link) == "https://example.com/kraków"
    unnamed = next(p for p in loaded.posts if p.file != "content/a.md")
    assert unnamed.id == UNNAMED_FILE.removesuffix(".md")
    assert unnamed.body == nfc("Bez id, zażółć.\n")


def test_nfc_text_is_the_same_object_when_it_already_is_nfc() -> None:
    text = nfc(BODY)
    assert loader_posts.nfc(text) is text


def publish(run, root: Path) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    result = run("--root", root, "publish", "--format", "json")
    report = json.loads(result.output)
    return {(i["post"], i["channel"]): i["outcome"] for i in report["items"]}


def test_a_post_published_as_nfd_text_is_not_published_again_as_nfc(
    run, make_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without NFD tags, which smmgen refused before (issue 14, item 1)
    tagless = POST.replace(f"tags: [{nfd('Kraków')}, {nfd('София')}]\n", "")
    project = make_project(
        channels=CHANNELS,
        calendar=CALENDAR,
        posts={"a.md": tagless, UNNAMED_FILE: UNNAMED},
        media=[f"media/{nfd('łódź')}.png"],
    )
    ledger_init(project)
    with monkeypatch.context() as before:  # as smmgen loaded text before: as written
        before.setattr(loader_posts, "nfc", lambda text: text)
        old = load_project(project)
        assert any(p.body == nfd(BODY) + "\n" for p in old.posts)
        first = publish(run, project)
    ids = {nfd("kraków-spotkanie"), UNNAMED_FILE.removesuffix(".md")}
    assert first == {(ident, "feed"): "published" for ident in ids}

    new = load_project(project)
    assert {p.id for p in new.posts} == ids  # the same keys...
    assert any(p.body == nfc(BODY) + "\n" for p in new.posts)  # ...for text loaded as NFC
    assert publish(run, project) == {}  # nothing is due that is not published
    for post in new.posts:  # and the remote's key for a part is the id's, not the text's
        assert part_key(post.id, "feed", 0) == part_key(
            next(p.id for p in old.posts if p.file == post.file), "feed", 0
        )
