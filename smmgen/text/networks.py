"""How each network counts the length of a post, and its default limit.

Every function here takes the text exactly as it will be sent (after the
network's own escaping or markup) and returns the number the network
compares with its limit. The sources are the networks' own documentation or
server code, cited per function; where a network documents the limit but not
the unit, the choice made and why is stated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from smmgen.text._emoji import emoji_spans
from smmgen.text._unicode import code_points, graphemes, utf8_length, utf16_length
from smmgen.text.escape import linkedin_unescape
from smmgen.text.mastodon import mastodon_length
from smmgen.text.twitter import weighted_length

__all__ = [
    "RULES",
    "Rule",
    "bluesky_length",
    "discord_length",
    "facebook_length",
    "feed_length",
    "linkedin_length",
    "linkedin_visible_text",
    "mastodon_length",
    "slack_length",
    "telegram_length",
    "telegram_visible_text",
    "threads_length",
    "webhook_length",
    "x_length",
]


def x_length(text: str) -> int:
    """X: twitter-text v3 weighted length, limit 280 (see `smmgen.text.twitter`).

    Source: twitter-text ``config/v3.json`` and ``parseTweet``
    (https://github.com/twitter/twitter-text), the X developer docs
    "Counting characters"; verified against the conformance suite.
    """
    return weighted_length(text)


def bluesky_length(text: str) -> int:
    """Bluesky: extended grapheme clusters, limit 300.

    Source: the ``app.bsky.feed.post`` lexicon, ``text`` has
    ``maxGraphemes: 300`` and ``maxLength: 3000`` (UTF-8 bytes, see
    `smmgen.text.utf8_length`); atproto validates graphemes with UAX #29
    segmentation.
    """
    return graphemes(text)


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


def facebook_length(text: str) -> int:
    """Facebook Pages: UTF-16 code units, limit 63,206.

    Source: the Graph API rejects a Page post ``message`` above 63,206
    characters; Meta does not document the unit, and the JavaScript/PHP
    stack counts UTF-16 code units, the larger of the plausible counts.
    """
    return utf16_length(text)


_TELEGRAM_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
_TELEGRAM_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_TELEGRAM_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _telegram_entity(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _TELEGRAM_NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    return chr(code) if 0 < code <= 0x10FFFF else match.group()


def telegram_visible_text(text: str) -> str:
    """The text of a Telegram HTML-parse-mode message: tags removed and the
    entities Telegram supports (``&lt; &gt; &amp; &quot;`` and numeric ones)
    decoded."""
    if "<" in text:
        text = _TELEGRAM_TAG.sub("", text)
    if "&" in text:
        text = _TELEGRAM_ENTITY.sub(_telegram_entity, text)
    return text


def telegram_length(text: str, *, parse_mode: str | None = "HTML") -> int:
    """Telegram: UTF-16 code units after entity parsing; limit 4096, 1024 for a caption.

    Source: Bot API ``sendMessage``: "Text of the message to be sent, 1-4096
    characters after entities parsing", ``sendPhoto`` etc.: "caption, 0-1024
    characters after entities parsing"; ``MessageEntity`` offsets and lengths
    are in UTF-16 code units (https://core.telegram.org/bots/api). With
    ``parse_mode="HTML"`` (what smmgen sends) the tags are not counted and
    each entity counts as the character it stands for; pass ``None`` for
    text that is already plain.
    """
    if parse_mode == "HTML":
        text = telegram_visible_text(text)
    return utf16_length(text)


def discord_length(text: str) -> int:
    """Discord: Unicode code points, limit 2000 (webhook/message ``content``).

    Source: Discord API docs, "Execute Webhook": content "up to 2000
    characters"; a Discord staff answer in discord/discord-api-docs#1315:
    "Our API uses Python 3, so the API calculates length based on the number
    of codepoints in the string."
    """
    return code_points(text)


def slack_length(text: str) -> int:
    """Slack: code points of the ``text`` as sent, entities included; limit 40,000.

    Source: ``chat.postMessage``: "The text field ... will be truncated
    [above] 40,000 characters" (Slack changelog 2018-04, "Truncating really
    long messages"). The unit is not documented; code points of the escaped
    mrkdwn that is sent (``&amp;`` counts 5) can only over-count.
    """
    return code_points(text)


def webhook_length(text: str) -> int:
    """Generic webhook: code points; no limit of its own."""
    return code_points(text)


def feed_length(text: str) -> int:
    """Atom feed: code points; no limit of its own."""
    return code_points(text)


@dataclass(frozen=True)
class Rule:
    """A network's counting rule and default limit (None: no limit)."""

    network: str
    count: Callable[[str], int]
    limit: int | None
    unit: str


RULES: dict[str, Rule] = {
    rule.network: rule
    for rule in (
        Rule("x", x_length, 280, "weighted characters"),
        Rule("mastodon", mastodon_length, 500, "characters"),
        Rule("bluesky", bluesky_length, 300, "graphemes"),
        Rule("threads", threads_length, 500, "characters"),
        Rule("linkedin", linkedin_length, 3000, "characters"),
        Rule("facebook", facebook_length, 63206, "characters"),
        Rule("telegram", telegram_length, 4096, "characters"),
        Rule("discord", discord_length, 2000, "characters"),
        Rule("slack", slack_length, 40000, "characters"),
        Rule("webhook", webhook_length, None, "characters"),
        Rule("feed", feed_length, None, "characters"),
    )
}
