"""Atom feed: settings, limits, counting and dialect (HTML)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smmgen.adapt.markdown import render_html
from smmgen.channels.base import Network, NetworkLimits
from smmgen.channels.dialect import Dialect, MentionFn
from smmgen.models.base import Url
from smmgen.models.channels import Channel
from smmgen.text import code_points
from smmgen.text.escape import html_text


class FeedChannel(Channel):
    type: Literal["feed"] = Field(description="An Atom feed file (needs no credentials).")
    path: str = Field(default="public/feed.xml", description="Where the feed is written.")
    title: str | None = Field(default=None, description="The feed's title.")
    site_url: Url | None = Field(default=None, description="The site the feed belongs to.")
    media_url: Url | None = Field(
        default=None,
        description="The URL a post's media paths are relative to (media/x.png is at"
        " <media_url>/media/x.png): a site that publishes the repository's media/ folder, or"
        " the repository's raw files. Without it, entries leave the images out.",
    )


def feed_length(text: str) -> int:
    """Atom feed: code points; no limit of its own."""
    return code_points(text)


class HtmlDialect(Dialect):
    """HTML for the feed's entries, rendered by the CommonMark renderer itself."""

    name = "html"

    def escape(self, text: str) -> str:
        return html_text(text)

    def render(self, text: str, slot: MentionFn) -> str | None:
        return render_html(text, slot)

    def appendix(self, link: str | None, hashtags: list[str]) -> str:
        return ""  # the feed carries the link and tags as entry metadata


NETWORK = Network(
    type="feed",
    title="Atom feed",
    limits=NetworkLimits(max_chars=None, max_media=100),
    settings=FeedChannel,
    count=feed_length,
    unit="characters",
    counts="code points",
    count_bounded=True,
    dialect=HtmlDialect(),
    hashtags="none",
    mentions=False,
    driver="smmgen.networks.feed.driver:FeedDriver",
    docs=("RFC 4287 Atom: entry content as HTML, no length limit."),
)
