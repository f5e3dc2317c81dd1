"""UTM tagging of the post's link."""

from __future__ import annotations

from smmgen.adapt.links import tagged

UTM = {"utm_source": "{channel}", "utm_medium": "social", "utm_campaign": "{campaign}"}


def test_parameters_are_added_and_filled() -> None:
    url = tagged("https://example.com/blog/v2", UTM, {"channel": "mastodon", "campaign": "launch"})
    assert url == (
        "https://example.com/blog/v2?utm_source=mastodon&utm_medium=social&utm_campaign=launch"
    )


def test_empty_values_are_left_out_and_existing_ones_win() -> None:
    url = tagged(
        "https://example.com/?utm_medium=email&a=1#top", UTM, {"channel": "x", "campaign": ""}
    )
    assert url == "https://example.com/?utm_medium=email&a=1&utm_source=x#top"


def test_no_utm_leaves_the_url_alone() -> None:
    assert tagged("https://example.com/a b", {}, {}) == "https://example.com/a b"
