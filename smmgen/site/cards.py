"""A part's text as a network's app shows it in a post: the text of a card.

:func:`part_html` takes one part's text exactly as it will be sent and returns
HTML: the text escaped, with the links, mentions and hashtags the network
itself links (``Network.entities``: X's twitter-text, Mastodon's extractor;
Bluesky's facets; smmgen's URL detection and the network's grammar for the
others) wrapped and styled, and each link shown as the app shows it
(``Network.display_link``: X and Mastodon cut long links; Bluesky's text
holds its short form already). Where the network's text is markup (LinkedIn's
little text, Telegram's HTML, Discord's Markdown, Slack's mrkdwn) the card
shows what a reader sees of it (``Network.visible_text``).

Nothing is reordered or added to the text: line breaks stay as they are (the
page shows them with ``white-space: pre-wrap``), and a link (``dir="ltr"``),
a mention or a hashtag (``dir="auto"``) is isolated from the text around it,
so a right-to-left sentence keeps its punctuation in place.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from smmgen.channels.base import Entity, Network
from smmgen.report.isolation import isolated_html
from smmgen.text.entities import default_entities, facet_entities

__all__ = ["part_html", "shown_entities"]


def shown_entities(
    text: str, network: Network, facets: Sequence[dict[str, Any]] | None = None
) -> tuple[str, list[Entity]]:
    """The text a reader sees of ``text`` (as sent) and what the network links in it."""
    shown = network.visible_text(text) if network.visible_text is not None else text
    if facets is not None and shown == text:
        return shown, facet_entities(shown, facets)
    if network.entities is not None:
        return shown, list(network.entities(shown))
    return shown, default_entities(shown, network.grammar)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _link(written: str, href: str, network: Network) -> str:
    display = network.display_link(href) if network.display_link is not None else written
    title = f' title="{html.escape(href)}"' if display != written else ""
    return (
        f'<a class="link" href="{html.escape(href)}"{title} rel="nofollow noopener"'
        f' dir="ltr">{_escape(display)}</a>'
    )


def part_html(
    text: str,
    network: Network,
    *,
    facets: list[dict[str, Any]] | None = None,
    html: bool = False,
) -> Markup:
    """One part's ``text`` (as sent) as ``network``'s app shows it, as HTML.

    ``facets`` are the part's Bluesky facets (UTF-8 byte offsets into ``text``);
    ``html``: the text is HTML already (the feed's dialect), returned with its links
    isolated (:func:`smmgen.report.isolation.isolated_html`).
    """
    if html:
        return isolated_html(text, is_html=True)
    shown, entities = shown_entities(text, network, facets)
    out = []
    last = 0
    for entity in entities:
        if entity.start < last or entity.end > len(shown):
            continue  # a network's finder must not overlap; a stray one is left as text
        out.append(_escape(shown[last : entity.start]))
        written = shown[entity.start : entity.end]
        if entity.kind == "link":
            out.append(_link(written, entity.href or written, network))
        else:
            out.append(f'<span class="{entity.kind}" dir="auto">{_escape(written)}</span>')
        last = entity.end
    out.append(_escape(shown[last:]))
    return Markup("".join(out))
