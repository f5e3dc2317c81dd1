"""The post's link with UTM parameters for the channel it goes to."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def tagged(url: str, utm: dict[str, str], values: dict[str, str]) -> str:
    """``url`` with the UTM parameters added (ones already in the URL win).

    Placeholders ``{channel}``, ``{campaign}`` and ``{post}`` are filled in; a
    parameter that comes out empty is left out.
    """
    if not utm:
        return url
    parts, query, present = _split(url)
    fill = _Values(values)
    added = [query] if query else []
    for key, template in utm.items():
        value = template.format_map(fill).strip()
        if key not in present and value:
            added.append(_pair(key, value))
    return unsplit(parts, "&".join(added))


def unsplit(parts: SplitResult, query: str) -> str:
    """``urlunsplit`` of ``parts`` with ``query``, assembled directly for the
    usual link (a scheme and a host; its path empty or from the root)."""
    scheme, netloc, path, _, fragment = parts
    if not (scheme and netloc) or (path and path[0] != "/"):
        return urlunsplit(parts._replace(query=query))
    url = f"{scheme}://{netloc}{path}"
    if query:
        url += "?" + query
    if fragment:
        url += "#" + fragment
    return url


@lru_cache(maxsize=256)
def _split(url: str) -> tuple[SplitResult, str, frozenset[str]]:
    """``url``'s parts, its query encoded again, and the query's keys: once per link."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    return parts, urlencode(query, safe="{}"), frozenset(key for key, _ in query)


@lru_cache(maxsize=1024)
def _pair(key: str, value: str) -> str:
    """``key=value``, encoded as ``urlencode`` encodes it (it joins its pairs with ``&``)."""
    return urlencode([(key, value)], safe="{}")
