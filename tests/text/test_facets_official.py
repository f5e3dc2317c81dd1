"""smmgen's facets() against the official `@atproto/api` on the whole corpus.

Needs Node; the test run installs tests/text/node (tests/prerequisites.py).
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest

from smmgen.text.richtext import detect_facets, facets
from tests.prerequisites import REPO, node
from tests.text.facet_corpus import CORPUS
from tests.text.lexicon_helper import NODE_DIR, run_node

pytestmark = pytest.mark.npm("tests/text/node")

BEGIN = "# --- begin generated data (tests/text/node/gen_facet_data.mjs) ---"
END = "# --- end generated data ---"


@pytest.fixture(scope="module")
def official() -> list[list[dict[str, Any]]]:
    """The library's facets for every corpus string."""
    result = run_node("facets.mjs", CORPUS)
    assert isinstance(result, list)
    assert len(result) == len(CORPUS)
    return result


def test_corpus_is_large_and_varied(official: list[list[dict[str, Any]]]) -> None:
    assert len(CORPUS) >= 500
    kinds = {f["features"][0]["$type"] for found in official for f in found}
    assert kinds == {
        "app.bsky.richtext.facet#link",
        "app.bsky.richtext.facet#mention",
        "app.bsky.richtext.facet#tag",
    }
    assert sum(1 for found in official if found) >= 500


def describe(text: str, expected: Any, got: Any) -> str:
    return (
        f"{text!r}\n  official: {json.dumps(expected, ensure_ascii=False)}"
        f"\n  smmgen:   {json.dumps(got, ensure_ascii=False)}"
    )


def test_detect_facets_matches_the_official_library_on_every_string(
    official: list[list[dict[str, Any]]],
) -> None:
    mismatches = [
        describe(text, expected, detect_facets(text))
        for text, expected in zip(CORPUS, official, strict=True)
        if detect_facets(text) != expected
    ]
    matched = len(CORPUS) - len(mismatches)
    print(f"detect_facets(): {matched}/{len(CORPUS)} corpus strings match @atproto/api")
    assert not mismatches, f"{len(mismatches)} of {len(CORPUS)} differ:\n" + "\n".join(
        mismatches[:20]
    )


# The lexicon's `uri` format (@atproto/syntax isValidUri), written out again here.
VALID_URI = re.compile(r"[A-Za-z0-9_]+:(?://)?[^\s/]\S*\Z", re.ASCII)


def publishable(text: str, official: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The official facets with its unpublishable links fixed as facets() documents."""
    raw = text.encode()
    out = []
    for facet in official:
        feature = facet["features"][0]
        if feature["$type"].endswith("#link") and not VALID_URI.match(feature["uri"]):
            covered = raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
            if not covered.startswith("http") or "://" in covered:
                continue  # a link without a host: dropped
            feature = {**feature, "uri": "https://" + covered}  # a bare http... domain
            facet = {**facet, "features": [feature]}
        out.append(facet)
    return out


def test_facets_differ_from_the_library_only_where_bluesky_would_refuse_its_links(
    official: list[list[dict[str, Any]]],
) -> None:
    mismatches = []
    fixed = 0
    for text, expected in zip(CORPUS, official, strict=True):
        wanted = publishable(text, expected)
        fixed += wanted != expected
        if facets(text) != wanted:
            mismatches.append(describe(text, wanted, facets(text)))
    print(f"facets(): {len(CORPUS) - fixed}/{len(CORPUS)} corpus strings identical to @atproto/api")
    assert 0 < fixed < 60
    assert not mismatches, f"{len(mismatches)} of {len(CORPUS)} differ:\n" + "\n".join(
        mismatches[:20]
    )


def test_generated_data_matches_the_installed_packages() -> None:
    """The TLD list and punctuation table in richtext.py are what Node generates now."""
    proc = subprocess.run(
        [node(), str(NODE_DIR / "gen_facet_data.mjs")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=True,
    )
    source = (REPO / "smmgen" / "text" / "richtext.py").read_text(encoding="utf-8")
    block = source[source.index(BEGIN) : source.index(END) + len(END)]
    assert block == proc.stdout.rstrip("\n"), (
        "the generated data in smmgen/text/richtext.py is stale: "
        "run `node tests/text/node/gen_facet_data.mjs --write`"
    )
