"""X: settings, limits, counting and dialect (plain text)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import Field

from smmgen.adapt.hashtags import written_hashtags
from smmgen.channels.base import MB, Entity, Grammar, Network, NetworkLimits
from smmgen.models.base import EnvName
from smmgen.models.channels import NetworkChannel
from smmgen.networks.x.pricing import price
from smmgen.text.entities import link_entities, without_overlaps
from smmgen.text.twitter import extract_mentions, weighted_length


class XChannel(NetworkChannel):
    type: Literal["x"] = Field(description="An X (Twitter) account, OAuth 1.0a user context.")
    api_key_env: EnvName = Field(description="Variable holding the API key (consumer key).")
    api_secret_env: EnvName = Field(description="Variable holding the API key secret.")
    access_token_env: EnvName = Field(description="Variable holding the access token.")
    access_token_secret_env: EnvName = Field(
        description="Variable holding the access token secret."
    )
    budget: Decimal | None = Field(
        default=None,
        gt=0,
        description="Most US dollars X may charge for this channel's posts in a calendar"
        " month (UTC): `check` errs when the month's planned posts cost more, and `publish`"
        " sends nothing that would go over it.",
    )


def x_length(text: str) -> int:
    """X: twitter-text v3 weighted length, limit 280 (see `smmgen.text.twitter`).

    Source: twitter-text ``config/v3.json`` and ``parseTweet``
    (https://github.com/twitter/twitter-text), the X developer docs
    "Counting characters"; verified against the conformance suite.
    """
    return weighted_length(text)


def x_mention_may_follow(before: str) -> bool:
    """twitter-text ``validMentionPrecedingChars``: anything but an ASCII letter or
    digit, ``_``, ``!#$%&*@`` and the full-width at sign; so ``-`` and maqaf ``־``
    may (``ל-@alice``)."""
    return before == "" or not (
        (before.isascii() and (before.isalnum() or before in "_!#$%&*@")) or before == "\uff20"
    )


GRAMMAR = Grammar(
    hashtags=written_hashtags,  # extractHashtagsWithIndices
    mention_may_follow=x_mention_may_follow,
    mention_rule="X links no mention right after a letter, a digit, _ or !#$%&*@",
    source="twitter-text 3.1.0: validHashtag, validMentionPrecedingChars",
)


def x_entities(text: str) -> list[Entity]:
    """What X links in a post: twitter-text's ``extractEntitiesWithIndices`` (URLs with
    and without a scheme, hashtags, mentions and lists; of two overlapping entities
    the one that starts first), cashtags aside."""
    found = link_entities(text)
    if "#" in text or "\uff03" in text:
        found += [Entity("hashtag", tag.start, tag.end) for tag in written_hashtags(text)]
    found += [Entity("mention", start, end) for start, end in extract_mentions(text)]
    return without_overlaps(found)


_SHOWN_PREFIX = re.compile(r"(?:https?://)?(?:www\.)?", re.IGNORECASE)
_HOST_END = re.compile(r"[/?#]")
#: X shows this many characters of a link after its host, then "…".
DISPLAY_TAIL = 15


def x_display_link(url: str) -> str:
    """How X shows a link in a post (the entity's ``display_url``): without its scheme
    and "www.", and with at most 15 characters after the host, then "…".

    Source: the display_url/expanded_url pairs X's API returns, as twitter-text's
    README and autolink tests quote them: ``http://blog.twitter.com/2011/05/twitter-
    for-mac-update.html`` is shown ``blog.twitter.com/2011/05/twitte…`` and
    ``http://www.google.com`` ``google.com``; X's "Entities" docs: ``bit.ly/2so49n2``
    for ``http://bit.ly/2so49n2``. A path of "/" alone is not shown (UNVERIFIED).
    """
    rest = url[_SHOWN_PREFIX.match(url).end() :]  # type: ignore[union-attr]
    end = _HOST_END.search(rest)
    host, tail = (rest[: end.start()], rest[end.start() :]) if end else (rest, "")
    if tail == "/":
        tail = ""
    if len(tail) > DISPLAY_TAIL:
        tail = tail[:DISPLAY_TAIL] + "…"
    return host + tail


NETWORK = Network(
    type="x",
    title="X",
    limits=NetworkLimits(max_chars=280, max_media=4, max_image_bytes=5 * MB, max_alt_chars=1000),
    settings=XChannel,
    driver="smmgen.networks.x.driver:XDriver",
    count=x_length,
    unit="weighted characters",
    counts="twitter-text v3 weighted length, the larger of the Java and JavaScript"
    " libraries: URLs (with or without scheme) 23, emoji 2, CJK 2",
    handle_prefix="@",
    grammar=GRAMMAR,
    threads=True,
    url_length=23,
    bare_urls=True,
    display_link=x_display_link,
    entities=x_entities,
    price=price,
    docs=(
        "twitter-text v3: 280 weighted characters, URLs count 23; 4 images up to 5 MB; alt "
        "text up to 1000 characters. X Premium: set limits.max_chars."
    ),
)
