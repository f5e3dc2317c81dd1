"""twitter-text's conformance suite (tests/vendor/twitter-text) against smmgen.text.

The weighted-length sections of ``validate.yml`` pin X's counting rule. As in
twitter-text's own runners (``js/test/conformance.html``, Java
``ConformanceTest``), ``WeightedTweetsCounterTest`` is run with config v2
(no emoji parsing), ``WeightedTweetsWithDiscountedEmojiCounterTest`` with v3
and ``UnicodeDirectionalMarkerCounterTest`` with the default (v3), which is
what ``smmgen.text.length(text, "x")`` counts. The URL sections of
``validate.yml`` (single-URL validation) and ``extract.yml`` (URLs in running
text, which decide what counts 23) run against ``smmgen.text.twitter``.

The files are vendored from twitter/twitter-text (tests/vendor/sources.json).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from smmgen.text import length, tlds
from smmgen.text.twitter import (
    CONFIG_V2,
    CONFIG_V3,
    INVALID_CHARACTERS,
    Config,
    extract_url_entities,
    is_valid_url,
    parse_tweet,
    weighted_length,
)
from tests.vendored import vendored


def _load(name: str) -> dict[str, list[dict[str, Any]]]:
    path = vendored("twitter-text", name)
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text(encoding="utf-8"))[
        "tests"
    ]
    return data


_FILES = {name: _load(name) for name in ("validate.yml", "extract.yml")}


def cases(name: str, section: str) -> list[Any]:
    return [
        pytest.param(case, id=f"{index}-{case['description']}")
        for index, case in enumerate(_FILES[name][section])
    ]


def parsed(text: str, config: Config) -> dict[str, Any]:
    result = parse_tweet(text, config)
    return {
        "weightedLength": result.weighted_length,
        "valid": result.valid,
        "permillage": result.permillage,
        "displayRangeStart": result.display_range_start,
        "displayRangeEnd": result.display_range_end,
        "validRangeStart": result.valid_range_start,
        "validRangeEnd": result.valid_range_end,
    }


def x_valid(text: str) -> bool:
    """Valid on X: 1 to 280 by `length(text, "x")` and no invalid characters."""
    return 0 < length(text, "x") <= 280 and not INVALID_CHARACTERS.intersection(text)


# -- weighted length ------------------------------------------------------------


@pytest.mark.parametrize("case", cases("validate.yml", "WeightedTweetsCounterTest"))
def test_weighted_length_config_v2(case: dict[str, Any]) -> None:
    assert parsed(case["text"], CONFIG_V2) == case["expected"]
    assert weighted_length(case["text"], CONFIG_V2) == case["expected"]["weightedLength"]


@pytest.mark.parametrize(
    "case", cases("validate.yml", "WeightedTweetsWithDiscountedEmojiCounterTest")
)
def test_weighted_length_with_discounted_emoji(case: dict[str, Any]) -> None:
    assert parsed(case["text"], CONFIG_V3) == case["expected"]
    assert length(case["text"], "x") == case["expected"]["weightedLength"]
    assert x_valid(case["text"]) == case["expected"]["valid"]


@pytest.mark.parametrize("case", cases("validate.yml", "UnicodeDirectionalMarkerCounterTest"))
def test_weighted_length_with_directional_markers(case: dict[str, Any]) -> None:
    assert parsed(case["text"], CONFIG_V3) == case["expected"]
    assert length(case["text"], "x") == case["expected"]["weightedLength"]
    assert x_valid(case["text"]) == case["expected"]["valid"]


def test_v2_cases_differ_from_x_only_by_emoji_sequences() -> None:
    """The v2 section under X's v3 rule: the same lengths, except for the two
    texts with emoji sequences, which the v3 section pins to their v3 count."""
    data = _FILES["validate.yml"]
    v3 = {
        case["text"]: case["expected"]
        for case in data["WeightedTweetsWithDiscountedEmojiCounterTest"]
    }
    differing = []
    for case in data["WeightedTweetsCounterTest"]:
        counted = length(case["text"], "x")
        if counted != case["expected"]["weightedLength"]:
            differing.append(case["text"])
            assert counted == v3[case["text"]]["weightedLength"]
    assert differing == ["H🐱☺👨‍👩‍👧‍👦", "🙋🏽👨‍🎤"]


def test_the_tld_list_is_twitter_texts() -> None:
    """smmgen/text/tlds.py holds conformance/tld_lib.yml, in its order."""
    data = yaml.safe_load(vendored("twitter-text", "tld_lib.yml").read_text(encoding="utf-8"))
    assert data == {"country": tlds.COUNTRY, "generic": tlds.GENERIC}


# -- URLs -----------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("validate.yml", "urls"))
def test_url_validation(case: dict[str, Any]) -> None:
    assert is_valid_url(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", cases("validate.yml", "urls_without_protocol"))
def test_url_validation_without_protocol(case: dict[str, Any]) -> None:
    assert is_valid_url(case["text"], require_protocol=False) == case["expected"]


@pytest.mark.parametrize(
    "case", cases("extract.yml", "urls") + cases("extract.yml", "tco_urls_with_params")
)
def test_url_extraction(case: dict[str, Any]) -> None:
    assert [e.url for e in extract_url_entities(case["text"])] == case["expected"]


@pytest.mark.parametrize(
    "case",
    cases("extract.yml", "urls_with_indices")
    + cases("extract.yml", "urls_with_directional_markers"),
)
def test_url_extraction_with_indices(case: dict[str, Any]) -> None:
    found = [
        {"url": e.url, "indices": [e.start, e.end]} for e in extract_url_entities(case["text"])
    ]
    assert found == case["expected"]
