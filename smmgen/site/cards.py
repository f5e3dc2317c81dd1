"""A part's text as its network's card shows it (links, mentions and hashtags
isolated for mixed-direction text)."""

from __future__ import annotations

from markupsafe import Markup

from smmgen.channels.base import Network
from smmgen.report.isolation import isolated_html


def part_html(
    text: str,
    network: Network,
    *,
    facets: list[dict[str, object]] | None = None,
    html: bool = False,
) -> Markup:
    return isolated_html(text, is_html=html)
