"""Records built from Bluesky variants validate against the official lexicons
(vendored in tests/vendor/atproto, checked by @atproto/lexicon in Node)."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from smmgen.adapt.variants import Variant, build_variants
from smmgen.loading import load_project as load
from smmgen.networks.bluesky import post_record
from tests.adapt.test_properties import FRAGMENT_LIST, PROJECT, make_post
from tests.conftest import REPO
from tests.text.lexicon_helper import validate_records

pytestmark = pytest.mark.npm("tests/text/node")

NSID = "app.bsky.feed.post"
WHEN = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _resolved(facets: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Mentions as publishing sends them: the handle resolved to a DID."""
    out = copy.deepcopy(facets)
    for facet in out or []:
        for feature in facet["features"]:
            if feature["$type"].endswith("#mention"):
                feature["did"] = "did:plc:" + "a" * 24
    return out


def _records(variant: Variant) -> list[tuple[str, dict[str, Any]]]:
    langs = [variant.language] if variant.language else None
    return [
        (NSID, post_record(p.text, _resolved(p.facets), created_at=WHEN, langs=langs))
        for p in variant.parts
    ]


def test_example_content_records_validate() -> None:
    project = load(REPO)
    records = []
    for post in project.posts:
        for variant in build_variants(project, post):
            if variant.network == "bluesky":
                records += _records(variant)
    assert len(records) >= 12
    assert validate_records(records) == [None] * len(records)


def test_generated_posts_records_validate() -> None:
    """300 posts drawn from the property tests' fragments, validated in one call."""
    rng = random.Random(7)
    records = []
    for _ in range(300):
        body = " ".join(rng.choice(FRAGMENT_LIST) for _ in range(rng.randint(1, 160)))
        for variant in build_variants(PROJECT, make_post(body)):
            if variant.network == "bluesky":
                records += _records(variant)
    assert len(records) >= 300
    assert validate_records(records) == [None] * len(records)


def test_an_invalid_record_is_refused() -> None:
    """The validator is real: 301 graphemes fail."""
    record = post_record("a" * 301, None, created_at=WHEN)
    (problem,) = validate_records([(NSID, record)])
    assert problem is not None
