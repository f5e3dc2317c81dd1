"""Each network's hashtags and mentions as smmgen sees them, against the official
extractors, on generated Hebrew, Persian, Bulgarian and Polish text (issue 14).

- X: npm twitter-text 3.1.0, ``extractHashtagsWithIndices`` and
  ``extractMentionsWithIndices`` (tests/text/node/extract.mjs);
- Bluesky: ``@atproto/api``'s ``RichText.detectFacetsWithoutResolution``
  (tests/text/node/facets.mjs);
- Mastodon: its own ``Tag::HASHTAG_RE`` and ``Account::MENTION_RE`` with the
  extractor's loops, run by Ruby (tests/text/ruby/mastodon_extract.rb).

Hypothesis draws the texts once per module (``TEXTS`` of them) and each oracle
reads them all in one node or ruby run; a failure lists the texts that differ.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from smmgen.adapt.hashtags import written_hashtags
from smmgen.adapt.markdown import MENTION
from smmgen.models.hashtags import is_hashtag
from smmgen.registry import network
from tests.i18n_strategies import (
    EMOJI,
    GERESH,
    GERSHAYIM,
    MAQAF,
    SCRIPTS,
    ZWJ,
    ZWNJ,
    draw_examples,
    hashtag_body,
    mixed_text,
    word,
    words,
)
from tests.prerequisites import tool
from tests.text.lexicon_helper import run_json, run_node

pytestmark = pytest.mark.npm("tests/text/node")

RUBY_ORACLE = Path(__file__).parent / "ruby" / "mastodon_extract.rb"
TEXTS = 600  # generated texts, each read by every oracle
BODIES = 400  # generated tag bodies

Found = list[tuple[str, int, int]]


def run_ruby(texts: list[str]) -> list[dict[str, Found]]:
    ruby = tool("ruby", "Mastodon's own regular expressions are run by it: apt-get install ruby")
    result = run_json([ruby, str(RUBY_ORACLE)], texts)
    return [{k: [tuple(e) for e in v] for k, v in r.items()} for r in result]  # type: ignore[misc]


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def utf8(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


# -- generated text -------------------------------------------------------------------

_BEFORE = ("", " ", "\n", "ל-", "ל" + MAQAF, "(", "x", "&", "/", ")", "🚀", "❤️", "=", ZWNJ, "·")
_AFTER = ("", " ", ".", "!", ",", GERESH, GERSHAYIM, MAQAF, ZWNJ, ZWJ, "-", "://x", "#x", "_")


@st.composite
def tag_in_context(draw: st.DrawFn) -> str:
    """A hashtag with what is typed around it, in one of the four scripts."""
    script = draw(st.sampled_from(SCRIPTS))
    body = draw(hashtag_body(script))
    text = draw(st.sampled_from(_BEFORE)) + "#" + body + draw(st.sampled_from(_AFTER))
    if draw(st.booleans()):
        text = draw(words(script, 0, 3)) + " " + text + " " + draw(words(script, 0, 3))
    return text


@st.composite
def mention_in_context(draw: st.DrawFn) -> str:
    script = draw(st.sampled_from(SCRIPTS))
    before = draw(st.sampled_from((*_BEFORE, "ש", "ł", "ب", "й", "-", ".", "+", "\u3000", "\t")))
    after = draw(st.sampled_from(("", " ", ".", ",", ")", "!", MAQAF, ZWNJ, "🎉", "\n")))
    return draw(words(script, 0, 3)) + " " + before + "@alice" + after + draw(word(script))


texts = st.one_of(mixed_text(), tag_in_context(), mention_in_context())


@pytest.fixture(scope="module")
def generated() -> list[str]:
    return draw_examples(texts, TEXTS)


def describe(text: str, expected: Any, got: Any) -> str:
    return (
        f"{text!r}\n  official: {json.dumps(expected, ensure_ascii=False)}"
        f"\n  smmgen:   {json.dumps(got, ensure_ascii=False)}"
    )


def assert_same(texts: Sequence[str], official: list[Any], ours: Callable[[str], Any]) -> None:
    differ = [
        describe(text, expected, ours(text))
        for text, expected in zip(texts, official, strict=True)
        if ours(text) != expected
    ]
    assert not differ, f"{len(differ)} of {len(texts)} differ:\n" + "\n".join(differ[:10])


# -- hashtags -------------------------------------------------------------------------


def test_x_hashtags_are_twitter_texts(generated: list[str]) -> None:
    batch = generated
    official = [[tuple(h) for h in r["hashtags"]] for r in run_node("extract.mjs", batch)]

    def ours(text: str) -> Found:
        return [
            (tag.tag, utf16(text, tag.start), utf16(text, tag.end))
            for tag in network("x").grammar.hashtags(text)
        ]

    assert_same(batch, official, ours)
    # the tags smmgen reads as written in a post, for every network
    assert_same(
        batch,
        official,
        lambda t: [(h.tag, utf16(t, h.start), utf16(t, h.end)) for h in written_hashtags(t)],
    )


def test_bluesky_hashtags_are_atproto_apis(generated: list[str]) -> None:
    batch = generated
    official = []
    for facets in run_node("facets.mjs", batch):
        official.append(
            [
                (f["features"][0]["tag"], f["index"]["byteStart"], f["index"]["byteEnd"])
                for f in facets
                if f["features"][0]["$type"].endswith("#tag")
                and not f["features"][0]["tag"].startswith("$")
            ]
        )

    def ours(text: str) -> Found:
        return [
            (tag, utf8(text, start), utf8(text, end))
            for start, end, tag in network("bluesky").grammar.hashtags(text)
        ]

    assert_same(batch, official, ours)


def test_mastodon_hashtags_are_mastodons(generated: list[str]) -> None:
    batch = generated
    official = [r["hashtags"] for r in run_ruby(batch)]

    def ours(text: str) -> Found:
        return [(tag, start, end) for start, end, tag in network("mastodon").grammar.hashtags(text)]

    assert_same(batch, official, ours)


def test_the_oracles_see_the_issues_examples() -> None:
    """The grammars differ where the issue says, by the official code."""
    examples = ["#برنامه‌نویسی", "#מנכ״ל", "#צ׳אטבוט", "#תל־אביב", "#שַׁבָּת", "#Krako\u0301w"]
    x = [[h[0] for h in r["hashtags"]] for r in run_node("extract.mjs", examples)]
    mastodon = [[h[0] for h in r["hashtags"]] for r in run_ruby(examples)]
    bluesky = [
        [f["features"][0]["tag"] for f in facets] for facets in run_node("facets.mjs", examples)
    ]
    assert x == [[e[1:]] for e in examples]
    assert mastodon == [["برنامه‌نویسی"], ["מנכ"], ["צ"], ["תל"], ["שַׁבָּת"], ["Krako\u0301w"]]
    assert bluesky == [["برنامه"], ["מנכ״ל"], ["צ׳אטבוט"], ["תל־אביב"], ["שַׁבָּת"], ["Krako\u0301w"]]


def test_a_tag_is_accepted_when_twitter_text_reads_it_whole() -> None:
    odd = st.text(alphabet="aב۲_.-' ״׳־·\u200c\u200d\u0301\u05b7" + "".join(EMOJI), max_size=6)
    scripts = st.sampled_from(SCRIPTS)
    generated = st.one_of(scripts.flatmap(hashtag_body), scripts.flatmap(word), odd)
    bodies = draw_examples(generated, BODIES)
    official = run_node("extract.mjs", ["#" + body for body in bodies])
    for body, result in zip(bodies, official, strict=True):
        whole = [h[0] for h in result["hashtags"]] == [body]
        assert is_hashtag(body) == whole, (body, result)


# -- mentions -------------------------------------------------------------------------

# How each network is sent @alice: its handle there, in the text it would be written into.
HANDLES = {"x": "alice_lumen", "mastodon": "alice@example.social", "bluesky": "alice.example.com"}
_GLUED = re.compile(r"-[A-Za-z0-9_.]")  # a handle would run on into it (not judged here)


def written_for(kind: str, text: str) -> tuple[str, list[tuple[int, bool]]]:
    """``text`` with each @name smmgen resolves written as the network's handle, and for
    each: where its '@' is then, and whether smmgen says the network links it there."""
    grammar = network(kind).grammar
    out = []
    at: list[tuple[int, bool]] = []
    last = 0
    for match in MENTION.finditer(text):
        if _GLUED.match(text, match.end()):
            continue
        out.append(text[last : match.start()])
        before = text[match.start() - 1] if match.start() else ""
        at.append((len("".join(out)), grammar.mention_may_follow(before)))
        out.append("@" + HANDLES[kind])
        last = match.end()
    out.append(text[last:])
    return "".join(out), at


def official_mentions(kind: str, written: list[str]) -> list[set[int]]:
    """Where the '@' of each mention the network's own extractor links is, in characters."""
    if kind == "x":
        return [
            {len(t.encode("utf-16-le")[: 2 * m[1]].decode("utf-16-le")) for m in r["mentions"]}
            for t, r in zip(written, run_node("extract.mjs", written), strict=True)
        ]
    if kind == "mastodon":
        return [{m[1] for m in r["mentions"]} for r in run_ruby(written)]
    found = []
    for t, facets in zip(written, run_node("facets.mjs", written), strict=True):
        raw = t.encode("utf-8")
        found.append(
            {
                len(raw[: f["index"]["byteStart"]].decode("utf-8"))
                for f in facets
                if f["features"][0]["$type"].endswith("#mention")
            }
        )
    return found


@pytest.mark.parametrize("kind", sorted(HANDLES))
def test_a_resolved_mention_is_linked_where_smmgen_says(kind: str, generated: list[str]) -> None:
    pairs = [written_for(kind, text) for text in generated]
    official = official_mentions(kind, [written for written, _ in pairs])
    differ = []
    for (written, at), linked in zip(pairs, official, strict=True):
        for index, predicted in at:
            if predicted != (index in linked):
                differ.append(f"{written!r} @{index}: smmgen says linked={predicted}")
    assert not differ, "\n".join(differ[:10])
    assert sum(len(at) for _, at in pairs) >= 100  # the texts hold mentions to judge


def test_the_oracles_see_the_issues_mention_examples() -> None:
    texts = ["תודה ל-@alice_lumen", "תודה ל־@alice_lumen", "ל־@bob.bsky.social"]
    x = [[m[0] for m in r["mentions"]] for r in run_node("extract.mjs", texts)]
    assert x == [["alice_lumen"], ["alice_lumen"], ["bob"]]
    mastodon = [[m[0] for m in r["mentions"]] for r in run_ruby(texts)]
    assert mastodon == [["alice_lumen"], ["alice_lumen"], ["bob.bsky.social"]]
    assert run_node("facets.mjs", texts) == [[], [], []]


def test_a_name_followed_by_an_at_sign_or_a_scheme_is_no_mention_anywhere() -> None:
    """Found by the generated texts: '@alice://…' and '@alice@ ' are not mentions on
    X or Mastodon (twitter-text's endMentionMatch), so smmgen resolves neither."""
    texts = ["@alice_lumen://lumen.example/x", "@alice_lumen@ hi", "@alice_lumen\uff20 hi"]
    assert [r["mentions"] for r in run_node("extract.mjs", texts)] == [[], [], []]
    assert [MENTION.findall(t.replace("_lumen", "")) for t in texts] == [[], [], []]
    assert MENTION.findall("@alice: hi, @alice. @alice") == ["alice", "alice", "alice"]
