"""Posts with smmgen's facets pass `@atproto/lexicon` validation of app.bsky.feed.post.

Uses the lexicons vendored in tests/vendor/atproto and the official
@atproto/lexicon in tests/text/node (tests/text/lexicon_helper.py).
"""

# ruff: noqa: RUF001  (full-width and curly characters are the point here)

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest

from smmgen.text.richtext import facets
from tests.text.facet_corpus import CORPUS
from tests.text.lexicon_helper import validate_records

pytestmark = pytest.mark.npm("tests/text/node")

POST = "app.bsky.feed.post"
MENTION = "app.bsky.richtext.facet#mention"
CREATED_AT = "2024-05-01T12:00:00.000Z"


def fake_did(handle: str) -> str:
    """A well-formed did:plc for `handle`, standing in for resolution at publish time."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    digest = hashlib.sha256(handle.encode()).digest()
    return "did:plc:" + "".join(alphabet[b % 32] for b in digest[:24])


def resolved(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`found` with each mention's handle replaced by a DID, as publishing does."""
    out = copy.deepcopy(found)
    for facet in out:
        for feature in facet["features"]:
            if feature["$type"] == MENTION:
                feature["did"] = fake_did(feature["did"])
    return out


def post(text: str, **extra: Any) -> dict[str, Any]:
    return {"$type": POST, "text": text, "createdAt": CREATED_AT, **extra}


def test_hand_built_post_with_facets_is_valid() -> None:
    text = "Hello @alice.bsky.social! Read https://example.com/a. and example.org #launch ＃日本"
    found = facets(text)
    assert len(found) == 5
    record = post(text, langs=["en", "ja"], facets=resolved(found))
    assert validate_records([(POST, record)]) == [None]


def test_unresolved_mention_is_not_a_valid_record() -> None:
    """The handle in `did` is a placeholder: the record is valid only once resolved."""
    (error,) = validate_records(
        [(POST, post("hi @alice.bsky.social", facets=facets("hi @alice.bsky.social")))]
    )
    assert error == "Record/facets/0/features/0/did must be a valid did"


def test_text_of_300_graphemes_is_valid_and_301_is_not() -> None:
    family = "👨\u200d👩\u200d👧"  # one grapheme, 18 bytes
    results = validate_records(
        [
            (POST, post("a" * 300)),
            (POST, post("e\u0301" * 300)),
            (POST, post("a" * 301)),
            (POST, post("e\u0301" * 301)),
            (POST, post(family * 166)),  # 2988 bytes
            (POST, post(family * 170)),  # 3060 bytes
        ]
    )
    assert results[:2] == [None, None]
    assert results[2] == results[3] == "Record/text must not be longer than 300 graphemes"
    assert results[4] is None
    assert results[5] == "Record/text must not be longer than 3000 characters"


def test_facets_of_the_whole_corpus_validate() -> None:
    records = [(POST, post(text, facets=resolved(facets(text)))) for text in CORPUS]
    results = validate_records(records)
    failures = []
    for text, error in zip(CORPUS, results, strict=True):
        # Texts over 300 code points may be over the post length; their facets must be fine.
        if error is not None and not (len(text) > 300 and error.startswith("Record/text ")):
            failures.append(f"{text!r}: {error}")
    assert not failures, "\n".join(failures[:20])
    assert sum(1 for text in CORPUS if facets(text)) >= 500
