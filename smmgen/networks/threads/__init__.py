"""Threads: settings, limits, counting and dialect (plain text).

Hashtags and mentions: Threads documents no grammar for them (UNVERIFIED by its
docs), so the network has the default ``Grammar()``: tags are sent whole as the
author wrote them (twitter-text's grammar, :mod:`smmgen.models.hashtags`) and no
tag or mention is reported as not linked.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smmgen.channels.base import MB, Network, NetworkLimits
from smmgen.models.base import EnvName
from smmgen.models.channels import NetworkChannel
from smmgen.text import emoji_spans, utf8_length


class ThreadsChannel(NetworkChannel):
    type: Literal["threads"] = Field(description="A Threads account.")
    user_id: str = Field(default="me", description="Threads user id; 'me' for the token's.")
    token_env: EnvName = Field(description="Variable holding the access token.")


def threads_length(text: str) -> int:
    """Threads: characters, but each emoji counts its UTF-8 bytes; limit 500.

    Source: Meta's Threads API docs, "Threads Posts", Limitations: "Text posts
    are limited to 500 characters. Emojis are counted as the number of UTF-8
    bytes." (https://developers.facebook.com/docs/threads/posts). So 😀 counts
    4, ❤️ 6 and 👨‍👩‍👧‍👦 25. Other characters count one per code point. The same
    docs limit a post to 5 unique links (`smmgen.text.urls`).
    """
    if text.isascii():
        return len(text)
    total = len(text)
    for start, end in emoji_spans(text):
        total += utf8_length(text[start:end]) - (end - start)
    return total


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
    unit="characters",
    counts="code points, emoji as their UTF-8 bytes",
    handle_prefix="@",
    threads=True,
    docs=(
        "Threads API: text up to 500 characters, at most 5 links; carousels up to 20 items; "
        "images JPEG/PNG up to 8 MB."
    ),
)
