"""Long links shortened in a Bluesky post's text, as Bluesky's own app does.

The app writes ``example.com/blog/2026/v2-l...`` in the text and keeps the
full URL in the link facet, so a link costs at most about 40 characters of
the 300. smmgen sends the same: the facets are detected on the full text and
their byte offsets moved to the shortened text.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

_LINK = "app.bsky.richtext.facet#link"


def short_url(url: str) -> str:
    """``https://host/long/path?q`` as ``host/long/path...`` (path cut at 13 + ``...``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    path = "" if parts.path == "/" else parts.path
    rest = (
        path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )
    if len(rest) > 15:
        return parts.netloc + rest[:13] + "..."
    return parts.netloc + rest


def shorten_links(text: str, facets: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """``text`` with each link facet's text shortened, and the facets moved to match."""
    data = text.encode("utf-8")
    out = bytearray()
    moved: list[dict[str, Any]] = []
    cursor = 0
    shift = 0
    for facet in sorted(facets, key=lambda f: f["index"]["byteStart"]):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        feature = facet["features"][0]
        replacement = None
        if feature.get("$type") == _LINK:
            written = data[start:end].decode("utf-8")
            short = short_url(feature["uri"])
            if len(short) < len(written):
                replacement = short.encode("utf-8")
        out += data[cursor:start]
        new_start = start + shift
        if replacement is not None:
            out += replacement
            shift += len(replacement) - (end - start)
        else:
            out += data[start:end]
        cursor = end
        moved.append({**facet, "index": {"byteStart": new_start, "byteEnd": end + shift}})
    out += data[cursor:]
    return out.decode("utf-8"), moved
