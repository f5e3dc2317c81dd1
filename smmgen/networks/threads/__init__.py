"""Threads: settings, limits, counting and dialect (plain text).

Hashtags and mentions: Threads documents no grammar for them (UNVERIFIED by its
docs), so the network has the default ``Grammar()``: tags are sent whole as the
author wrote them (twitter-text's grammar, :mod:`smmgen.models.hashtags`) and no
tag or mention is reported as not linked.

Media: Threads does not take uploads. It downloads each image or video itself
from a public URL given in the container request ("we download media used in
publishing attempts so the media must be hosted on a publicly accessible
server", Meta's Threads docs, Get Started). A channel therefore says where the
project's files are served (``media_base_url``, and ``media_root``, the
directory of the project served there); ``check`` verifies that each file of a
Threads variant would be served (:mod:`smmgen.check.served`).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal
from urllib.parse import quote

from pydantic import Field, field_validator

from smmgen.channels.base import MB, Network, NetworkLimits
from smmgen.models.base import EnvName, Url
from smmgen.models.channels import NetworkChannel
from smmgen.text import utf8_length

#: Meta's current Threads API version (graph.threads.net/v1.0, the only one so far).
API_VERSION = "v1.0"
API_BASE = "https://graph.threads.net"


class ThreadsChannel(NetworkChannel):
    type: Literal["threads"] = Field(description="A Threads account.")
    user_id: str = Field(default="me", description="Threads user id; 'me' for the token's.")
    token_env: EnvName = Field(
        description=(
            "Variable holding a long-lived (60-day) Threads user access token with"
            " threads_basic and threads_content_publish (and threads_manage_replies for"
            " threads of several parts); refresh it before it expires."
        )
    )
    api_version: str = Field(
        default=API_VERSION,
        pattern=r"^v\d+\.\d+$",
        description="Threads API version in the request paths.",
    )
    media_base_url: Url | None = Field(
        default=None,
        description=(
            "Public URL where the project's files are served (e.g. a site deployed from this"
            " repository); Threads downloads images and videos from there. Needed for posts"
            " with media."
        ),
    )
    media_root: str = Field(
        default=".",
        description=(
            "The project directory served at media_base_url: '.' for the whole repository,"
            " e.g. 'static' when a site serves static/ at its root."
        ),
    )

    @field_validator("media_root")
    @classmethod
    def _relative(cls, value: str) -> str:
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts or "\\" in value:
            raise ValueError(
                f"expected a directory of the project, relative to it (like 'static'), got"
                f" '{value}'"
            )
        return value

    def served_path(self, media_path: str) -> str | None:
        """Where ``media_path`` (relative to the project) lies below ``media_root``, or
        None when it lies outside it (it would not be served)."""
        root = PurePosixPath(self.media_root)
        path = PurePosixPath(media_path)
        if root == PurePosixPath("."):
            return str(path)
        try:
            return str(path.relative_to(root))
        except ValueError:
            return None

    def media_url(self, media_path: str) -> str | None:
        """The public URL of a media file, or None (no ``media_base_url``, or the file
        lies outside ``media_root``). Each path segment is percent-encoded."""
        if not self.media_base_url:
            return None
        served = self.served_path(media_path)
        if served is None:
            return None
        return self.media_base_url.rstrip("/") + "/" + quote(served, safe="/")


def threads_length(text: str) -> int:
    """Threads: the text's UTF-8 bytes (conservative); limit 500.

    Meta's docs ("Threads Posts", Limitations) say: "Text posts are limited to
    500 characters. Emojis are counted as the number of UTF-8 bytes." They do
    not say how other characters that are not ASCII count, and production says
    more than the docs: postiz-app#1946 records 175 refusals "Param text must be
    at most 500 characters long", one of them for a post of 498 code points
    with curly apostrophes (3 UTF-8 bytes each) that Meta counted as 504. So
    every character counts its UTF-8 bytes: ASCII 1, é and Hebrew, Persian or
    Cyrillic letters 2, a curly apostrophe (U+2019) and CJK 3, 😀 4. No rule
    Meta could apply (code points, UTF-16 units, graphemes, emoji as bytes)
    counts more, so a text that fits this count fits Threads; the cost is that
    a Hebrew, Persian or Bulgarian post gets about 250 letters per part. There
    is no setting to count otherwise: a channel's ``limits: max_chars`` raises
    the budget of bytes, to be done only after a live post has shown that
    Threads accepts more.
    The same docs limit a post to 5 unique links (`smmgen.text.urls`).
    """
    return len(text) if text.isascii() else utf8_length(text)


NETWORK = Network(
    type="threads",
    title="Threads",
    limits=NetworkLimits(
        max_chars=500,
        max_media=20,
        max_image_bytes=8 * MB,
        max_alt_chars=1000,
        max_links=5,
        image_formats=frozenset({"jpg", "jpeg", "png"}),
    ),
    settings=ThreadsChannel,
    count=threads_length,
    unit="bytes",
    counts="UTF-8 bytes, conservatively (Meta documents it for emoji, and counted curly quotes so)",
    handle_prefix="@",
    threads=True,
    driver="smmgen.networks.threads.driver:ThreadsDriver",
    docs=(
        "Threads API: text up to 500 characters, counted here as UTF-8 bytes (Meta counts emoji"
        " as their bytes and has refused curly quotes so); at most 5 links; carousels of 2-20"
        " items; images JPEG/PNG up to 8 MB, downloaded by Meta from media_base_url; 250"
        " posts and 1000 replies per 24 h."
    ),
)
