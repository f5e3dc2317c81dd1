"""The golden example posts in Hebrew, Persian, Bulgarian and Polish (issue 14).

Each of ``content/2027/*/…-lumen-2-0-{he,fa,bg,pl}.md`` has hashtags in its own
script (ZWNJ, maqaf, NFD accents), a mention, a link, an emoji, a thread and a
sponsored disclosure in its language; the Bulgarian and Polish files are saved
decomposed (NFD), as some editors and keyboards write them. `check`, `show` and
`preview` handle them, and what `show` says will be sent is judged by the
networks' own libraries: npm twitter-text for X, @atproto/api for Bluesky.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tests.text.lexicon_helper import run_node

pytestmark = pytest.mark.npm("tests/text/node")

ROOT = Path(__file__).parents[1]

POSTS = {
    "he": "2027-01-24-lumen-2-0-he",
    "fa": "2027-01-26-lumen-2-0-fa",
    "bg": "2027-02-09-lumen-2-0-bg",
    "pl": "2027-02-10-lumen-2-0-pl",
}
# The hashtags each post's X variant carries, whole, as the reader sees them (NFC).
HASHTAGS = {
    "he": {"השקה", "תל־אביב", "פרסומת"},
    "fa": {"متن‌باز", "برنامه‌نویسی", "تبلیغ"},
    "bg": {"ОтворенКод", "реклама"},
    "pl": {"Kraków", "reklama"},
}
DISCLOSURE = {"he": "#פרסומת", "fa": "#تبلیغ", "bg": "#реклама", "pl": "#reklama"}
RTL = {"he", "fa"}


def post_file(language: str) -> Path:
    (path,) = (ROOT / "content").rglob(POSTS[language] + ".md")
    return path


def shown(run: Any, language: str) -> dict[str, dict[str, Any]]:
    result = run("--root", ROOT, "show", POSTS[language], "--format", "json")
    assert result.exit_code == 0, result.output
    return {v["channel"]: v for v in json.loads(result.stdout)["variants"]}


@pytest.mark.parametrize("language", POSTS)
def test_each_golden_post_has_what_the_issue_names(language: str) -> None:
    text = post_file(language).read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    assert f"language: {language}" in front
    assert "sponsored: true" in front
    assert "link: https://" in front
    assert "tags: [" in front
    assert "🚀" in body
    assert "(@alice)" in body
    assert DISCLOSURE[language] in unicodedata.normalize("NFC", body)
    if language in ("bg", "pl"):  # saved decomposed, as typed on some systems
        assert not unicodedata.is_normalized("NFC", body)


@pytest.mark.parametrize("language", POSTS)
def test_check_finds_nothing_in_the_golden_posts(run: Any, language: str) -> None:
    result = run("--root", ROOT, "check", "--strict", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    mine = [f for f in findings if POSTS[language] in json.dumps(f, ensure_ascii=False)]
    assert mine == []


@pytest.mark.parametrize("language", POSTS)
def test_show_sends_whole_hashtags_the_mention_and_a_thread(run: Any, language: str) -> None:
    variants = shown(run, language)
    for channel, variant in variants.items():
        assert variant["warnings"] == [], channel
        assert variant["language"] == language
        whole = "\n".join(part["text"] for part in variant["parts"])
        assert unicodedata.is_normalized("NFC", whole)
        assert DISCLOSURE[language].lstrip("#") in whole, channel
        for part in variant["parts"]:
            assert part["limit"] is None or part["length"] <= part["limit"], channel
    x = variants["x"]
    assert len(x["parts"]) >= 2  # a thread
    assert "@alice_lumen" in "\n".join(part["text"] for part in x["parts"])
    if "mastodon" in variants:
        assert "@alice@fosstodon.example" in variants["mastodon"]["text"]
    for tag in HASHTAGS[language] - {DISCLOSURE[language].lstrip("#")}:
        assert "{hashtag|\\#|" + tag + "}" in variants["linkedin"]["text"]
    assert "feed" in variants


@pytest.mark.parametrize("language", POSTS)
def test_x_parts_pass_twitter_text(run: Any, language: str) -> None:
    """npm twitter-text: every part fits 280, the mention is @alice_lumen and
    every hashtag is extracted whole."""
    parts = [p["text"] for p in shown(run, language)["x"]["parts"]]
    lengths = run_node("twitter_count.mjs", parts)
    assert all(weighted <= 280 for weighted, _urls in lengths), lengths
    extracted = run_node("extract.mjs", parts)
    mentions = {m[0] for e in extracted for m in e["mentions"]}
    tags = {unicodedata.normalize("NFC", h[0]) for e in extracted for h in e["hashtags"]}
    assert mentions == {"alice_lumen"}
    assert tags == HASHTAGS[language]


@pytest.mark.parametrize("language", ["he", "bg", "pl"])
def test_bluesky_parts_link_the_mention_and_whole_tags(run: Any, language: str) -> None:
    """@atproto/api's facet detection finds the mention and each tag whole."""
    parts = [p["text"] for p in shown(run, language)["bluesky"]["parts"]]
    features = [
        f for facets in run_node("facets.mjs", parts) for x in facets for f in x["features"]
    ]
    mentions = {f["did"] for f in features if f["$type"].endswith("#mention")}
    tags = {unicodedata.normalize("NFC", f["tag"]) for f in features if f["$type"].endswith("#tag")}
    assert mentions == {"alice.lumenlabs.example.com"}
    assert tags == HASHTAGS[language]


def test_preview_puts_right_to_left_variants_in_rtl_blocks(run: Any) -> None:
    result = run("--root", ROOT, "preview")
    assert result.exit_code == 0, result.output
    comment = result.stdout
    for language in POSTS:
        assert POSTS[language] in comment
    for language in RTL:  # one block per part of each variant
        parts = sum(len(v["parts"]) for v in shown(run, language).values())
        assert comment.count(f'<div dir="rtl" lang="{language}">') == parts
    assert 'lang="bg"' not in comment
    assert 'lang="pl"' not in comment
