"""Bluesky facets: the rules on known cases, and byte-exact offsets everywhere.

These need no Node; test_facets_official.py compares with the official
library on the whole corpus.
"""

# ruff: noqa: RUF001  (full-width and curly characters are the point here)

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmgen.text.richtext import detect_facets, facets
from tests.text.facet_corpus import CORPUS, FRAGMENTS

MENTION = "app.bsky.richtext.facet#mention"
LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"


def summary(text: str) -> list[tuple[str, str, str]]:
    """(kind, the text the facet covers, its value) for each facet of `text`."""
    raw = text.encode()
    out = []
    for facet in facets(text):
        (feature,) = facet["features"]
        covered = raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
        kind = feature["$type"].rpartition("#")[2]
        value = feature.get("uri") or feature.get("did") or feature["tag"]
        out.append((kind, covered, value))
    return out


def test_json_shape_matches_the_library() -> None:
    assert facets("hi @alice.bsky.social see example.com #tag") == [
        {
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": 3, "byteEnd": 21},
            "features": [{"$type": MENTION, "did": "alice.bsky.social"}],
        },
        {
            "index": {"byteStart": 26, "byteEnd": 37},
            "features": [{"$type": LINK, "uri": "https://example.com"}],
        },
        {
            "index": {"byteStart": 38, "byteEnd": 42},
            "features": [{"$type": TAG, "tag": "tag"}],
        },
    ]


def test_offsets_are_utf8_bytes() -> None:
    text = "👍🏽 café ＃タグ #日本"
    assert [f["index"] for f in facets(text)] == [
        {"byteStart": 15, "byteEnd": 24},
        {"byteStart": 25, "byteEnd": 32},
    ]
    assert summary(text) == [("tag", "＃タグ", "タグ"), ("tag", "#日本", "日本")]


def test_no_facets() -> None:
    assert facets("") == []
    assert facets("plain words, nothing else.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # links
        ("https://example.com/a.", [("link", "https://example.com/a", "https://example.com/a")]),
        ("(example.com)", [("link", "example.com", "https://example.com")]),
        ("x.com/a_(b)", [("link", "x.com/a_(b)", "https://x.com/a_(b)")]),
        ("example.com).", [("link", "example.com", "https://example.com")]),
        ("example.com.)", [("link", "example.com.", "https://example.com.")]),
        ("example.com?!", [("link", "example.com?", "https://example.com?")]),
        ("a.my-site.com", [("link", "a.my-site.com", "https://a.my-site.com")]),
        ("httpbin.org", [("link", "httpbin.org", "https://httpbin.org")]),  # library: no https
        ("http.cat/404", [("link", "http.cat/404", "https://http.cat/404")]),
        ("https://. https:/// (https://)", []),  # the library has links without a host
        ("Example.com", [("link", "Example.com", "https://Example.com")]),
        ("example.COM my-site.com example.notatld HTTP://x.com", []),
        ("comma,example.com", []),
        ("line\nexample.com", [("link", "example.com", "https://example.com")]),
        # mentions
        ("@alice.bsky.social's", [("mention", "@alice.bsky.social", "alice.bsky.social")]),
        ("(@bob.test)", [("mention", "@bob.test", "bob.test")]),
        ("@alice.comé", [("mention", "@alice.com", "alice.com")]),
        ("@alice @Alice.Bsky.Social alice@example.com @alice.bsky.social_", []),
        ("\x85@alice.com \u3000@bob.com", [("mention", "@bob.com", "bob.com")]),
        # tags
        ("#tag!?", [("tag", "#tag", "tag")]),
        ("#tag's", [("tag", "#tag's", "tag's")]),
        ("＃１２３", [("tag", "＃１２３", "１２３")]),
        ("#123 #1.0 #️⃣ # a#b #_", []),
        ("#c++", [("tag", "#c++", "c++")]),
        ("#a#b", [("tag", "#a#b", "a#b")]),
        ("#👨\u200d💻", [("tag", "#👨", "👨")]),
        ("#" + "a" * 64 + "!", [("tag", "#" + "a" * 64, "a" * 64)]),
        ("#" + "a" * 65, []),
        ("#" + "👍" * 32, [("tag", "#" + "👍" * 32, "👍" * 32)]),
        ("#" + "👍" * 33, []),  # 66 UTF-16 code units
        # cashtags
        ("($aapl).", [("tag", "$aapl", "$AAPL")]),
        ("$TOOLONG $1A US$5", []),
    ],
)
def test_rules(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert summary(text) == expected


def assert_byte_ranges_exact(text: str) -> None:
    """Every facet's range is in bounds, in order, and covers exactly its text."""
    raw = text.encode("utf-8")
    found = facets(text) + detect_facets(text)
    for each in (facets(text), detect_facets(text)):
        starts = [f["index"]["byteStart"] for f in each]
        assert starts == sorted(starts)
    for facet in found:
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert 0 <= start < end <= len(raw)
        covered = raw[start:end].decode("utf-8")  # on character boundaries
        (feature,) = facet["features"]
        kind = feature["$type"]
        if kind == LINK:  # the URL as written, https:// added to bare domains
            assert feature["uri"] in (covered, "https://" + covered)
        elif kind == MENTION:
            assert covered == "@" + feature["did"]
        elif covered[0] == "$":  # cashtags, upper-cased
            assert covered.upper() == feature["tag"]
        else:
            assert covered[0] in "#＃"
            assert covered[1:] == feature["tag"]


def test_corpus_byte_ranges_slice_exactly() -> None:
    checked = 0
    for text in CORPUS:
        assert_byte_ranges_exact(text)
        checked += len(facets(text))
    assert checked > 1000


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_byte_ranges_slice_exactly_for_fragment_mixes(text: str) -> None:
    assert_byte_ranges_exact(text)


@given(st.text(max_size=80))
def test_byte_ranges_slice_exactly_for_any_text(text: str) -> None:
    text = text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
    assert_byte_ranges_exact(text)


def test_detect_facets_keeps_the_library_s_unpublishable_links() -> None:
    assert [f["features"][0]["uri"] for f in detect_facets("httpbin.org https://.")] == [
        "httpbin.org",
        "https://",
    ]


def test_facets_are_fresh_objects() -> None:
    first: list[dict[str, Any]] = facets("#tag")
    first[0]["features"][0]["tag"] = "changed"
    assert facets("#tag")[0]["features"][0]["tag"] == "tag"
