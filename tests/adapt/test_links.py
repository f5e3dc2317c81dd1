"""UTM tagging of the post's link."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit, urlunsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from smmgen.adapt.links import tagged, unsplit

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


PIECES = st.text(alphabet="ab/?#:@.%=&;[] é-_~+", max_size=12)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["http", "https", "HTTPS", "mailto", ""]),
    st.sampled_from(["://", ":", ":/", "//", ""]),
    PIECES,
    PIECES,
)
def test_a_link_is_put_together_as_urlunsplit_does(
    scheme: str, separator: str, rest: str, query: str
) -> None:
    try:
        parts: SplitResult = urlsplit(scheme + separator + rest)
    except ValueError:  # not a URL at all (an unclosed "[")
        return
    assert unsplit(parts, query) == urlunsplit(parts._replace(query=query))
