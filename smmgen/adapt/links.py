"""The post's link with UTM parameters for the channel it goes to."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def tagged(url: str, utm: dict[str, str], values: dict[str, str]) -> str:
    """``url`` with the UTM parameters added (ones already in the URL win).

    Placeholders ``{channel}``, ``{campaign}`` and ``{post}`` are filled in; a
    parameter that comes out empty is left out.
    """
    return _tagged(url, tuple(utm.items()), tuple(values.items()))


@lru_cache(maxsize=1024)
def _tagged(
    url: str, utm_items: tuple[tuple[str, str], ...], items: tuple[tuple[str, str], ...]
) -> str:
    utm = dict(utm_items)
    values = dict(items)
    if not utm:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    for key, template in utm.items():
        value = template.format_map(_Values(values)).strip()
        if key not in present and value:
            query.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(query, safe="{}")))
