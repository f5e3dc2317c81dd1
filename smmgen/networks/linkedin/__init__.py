"""LinkedIn: settings, limits, counting and dialect (little text).

Hashtags: LinkedIn documents the hashtag template ``{hashtag|\\#|tag}`` of its
"little text" format but no grammar for the tag itself (UNVERIFIED by its docs).
smmgen therefore wraps each tag whole, as the author wrote it and as
twitter-text's grammar reads it (:mod:`smmgen.models.hashtags`): letters with
their combining marks, digits, ``_``, ZWNJ/ZWJ, ``־ ׳ ״ ·``. ``#برنامه‌نویسی``
becomes ``{hashtag|\\#|برنامه‌نویسی}`` and niqqud stays inside the braces. The
network's grammar is the default one (``Grammar()``): no tag is reported cut.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field

from smmgen.channels.base import Network, NetworkLimits
from smmgen.channels.dialect import Dialect
from smmgen.models.base import EnvName
from smmgen.models.channels import NetworkChannel
from smmgen.models.hashtags import hashtags_in
from smmgen.text import utf16_length
from smmgen.text.escape import linkedin_little_text, linkedin_unescape
from smmgen.text.twitter import extract_urls

#: The ``LinkedIn-Version`` sent when a channel names none. LinkedIn releases a
#: version a month and supports each "for a minimum of one year before sunset"
#: (learn.microsoft.com/linkedin/marketing/versioning); a retired one is answered
#: 426 NONEXISTENT_VERSION. Move it forward with smmgen's releases, to a version a
#: few months old (released, and with most of its year still to run).
DEFAULT_VERSION = "202610"
#: ``check`` warns when a version is this many months old (retired at about 12).
VERSION_WARN_MONTHS = 10
#: Access tokens of self-serve apps last 60 days and cannot be refreshed
#: (learn.microsoft.com/linkedin/shared/authentication/programmatic-refresh-tokens).
TOKEN_DAYS = 60
#: ``check`` warns this many days before ``token_expires``.
TOKEN_WARN_DAYS = 14


class LinkedInChannel(NetworkChannel):
    type: Literal["linkedin"] = Field(description="A LinkedIn member or organization page.")
    author: str = Field(
        pattern=r"^urn:li:(organization|person):[A-Za-z0-9_-]+$",
        description="The author URN, e.g. urn:li:organization:123456.",
    )
    token_env: EnvName = Field(
        description="Variable holding the OAuth access token (60 days; no refresh token for"
        " self-serve apps: a person consents again before it expires)."
    )
    token_expires: date | None = Field(
        default=None,
        description="When the access token expires (the day it was made + 60 days): `check`"
        f" warns {TOKEN_WARN_DAYS} days ahead and fails once it has passed, `channels verify`"
        " shows the days left.",
    )
    client_id_env: EnvName | None = Field(
        default=None,
        description="Variable holding the app's client id; with `client_secret_env`, `channels"
        " verify` asks LinkedIn (token introspection) when the token expires and what it may do.",
    )
    client_secret_env: EnvName | None = Field(
        default=None, description="Variable holding the app's client secret (see `client_id_env`)."
    )
    version: str = Field(
        default=DEFAULT_VERSION,
        pattern=r"^20[0-9]{2}(0[1-9]|1[0-2])(\.[0-9]{2})?$",
        description="The `LinkedIn-Version` of the API calls (YYYYMM). LinkedIn releases one"
        " a month and supports each for at least a year; smmgen's default moves with its"
        " releases.",
    )
    threads: Literal["comments", "join", "refuse"] = Field(
        default="comments",
        description="A thread's later parts: `comments` on the first post (LinkedIn has no"
        " threads), `join`ed into one post (with a warning), or `refuse`d by `check`.",
    )

    def thread_policy(self) -> str:
        """How a thread's parts are published (the variant builder reads it)."""
        return self.threads


_LITTLE = re.compile(
    r"\\(?P<escaped>[\\|{}@\[\]()<>#*_~])"
    r"|@\[(?P<name>(?:\\.|[^\]\\])*)\]\(urn:li:[^)]*\)"
    r"|\{hashtag\|\\#\|(?P<tag>(?:\\.|[^}\\])*)\}"
)


def _little_element(match: re.Match[str]) -> str:
    if match.group("escaped") is not None:
        return match.group("escaped")
    if match.group("name") is not None:
        return linkedin_unescape(match.group("name"))
    return "#" + linkedin_unescape(match.group("tag"))


def linkedin_visible_text(text: str) -> str:
    """The text a reader sees of LinkedIn little text: escapes removed, a mention
    ``@[Name](urn:li:…)`` shown as its name, ``{hashtag|\\#|tag}`` as ``#tag``."""
    if "\\" not in text and "@[" not in text and "{hashtag" not in text:
        return text
    return _LITTLE.sub(_little_element, text)


def linkedin_length(text: str) -> int:
    """LinkedIn: UTF-16 code units of the visible commentary, limit 3000.

    Source: the Posts API (``commentary``, little text format) and LinkedIn's
    3,000-character limit for a post's text. LinkedIn does not document the
    unit; its backend is Java, whose string length is UTF-16 code units, and
    the composer counts the same way (an emoji counts 2). The count is of
    the text as shown, so the backslashes of the little-text escaping
    (`smmgen.text.escape.linkedin_little_text`) and the URNs of mentions do
    not count.
    """
    return utf16_length(linkedin_visible_text(text))


_MENTION = re.compile(r"^(?P<name>.+?)\s*\((?P<urn>urn:li:(?:person|organization):[\w-]+)\)$")


def linkedin_hashtag(tag: str) -> str:
    """A hashtag in LinkedIn's little text format: ``{hashtag|\\#|tag}``."""
    return "{hashtag|\\#|" + linkedin_little_text(tag) + "}"


def commentary(text: str) -> str:
    """Plain text as little text: reserved characters escaped, but links left whole
    (so they link) and hashtags written as LinkedIn's hashtag template (so they
    stay hashtags)."""
    if "#" not in text and "://" not in text:
        return linkedin_little_text(text)
    links = extract_urls(text, without_scheme=False)
    spans: list[tuple[int, int, str | None]] = [(start, end, None) for start, end in links]
    for hashtag in hashtags_in(text):
        if not any(start <= hashtag.start < end for start, end in links):
            spans.append(hashtag)
    out = []
    last = 0
    for start, end, tag in sorted(spans):
        out.append(linkedin_little_text(text[last:start]))
        out.append(linkedin_hashtag(tag) if tag else text[start:end])
        last = end
    out.append(linkedin_little_text(text[last:]))
    return "".join(out)


class LinkedInDialect(Dialect):
    """Plain text in LinkedIn's "little text" format: reserved characters escaped,
    a mention as ``@[Name](urn:li:…)``, a hashtag as ``{hashtag|\\#|tag}``."""

    name = "linkedin"
    quote_prefix = "\\> "

    def escape(self, text: str) -> str:
        return commentary(text)

    def link(self, href: str, label: str, same: bool) -> str:
        if same or not label:
            return href
        return f"{label} \\({href}\\)"

    def mention(self, handle: str) -> str:
        match = _MENTION.match(handle)
        if match:
            return f"@[{linkedin_little_text(match['name'])}]({match['urn']})"
        return linkedin_little_text(handle)

    def person_name(self, handle: str) -> str | None:
        # "Alice Example (urn:li:person:abc)", or a name alone: LinkedIn mentions need the URN
        match = _MENTION.match(handle)
        return match["name"] if match else handle

    def hashtag(self, tag: str) -> str:
        return linkedin_hashtag(tag[1:])

    def appendix_link(self, link: str) -> str:
        return link


NETWORK = Network(
    type="linkedin",
    title="LinkedIn",
    limits=NetworkLimits(
        max_chars=3000,
        max_media=20,
        max_image_bytes=None,
        max_alt_chars=4086,
        image_formats=frozenset({"jpg", "jpeg", "png", "gif"}),
    ),
    settings=LinkedInChannel,
    count=linkedin_length,
    unit="characters",
    counts="UTF-16 units of the visible text",
    count_bounded=True,
    dialect=LinkedInDialect(),
    visible_text=linkedin_visible_text,
    threads=True,  # as comments on the first post (the channel's `threads` setting)
    driver="smmgen.networks.linkedin.driver:LinkedInDriver",
    docs=(
        "Posts API: commentary up to 3000 characters in 'little text' format (reserved "
        "characters escaped); up to 20 images (MultiImage); altText up to 4086 characters."
    ),
)
