"""Telegram: settings, limits, counting and dialect (HTML parse mode)."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field

from smmgen.channels.base import MB, Network, NetworkLimits
from smmgen.channels.dialect import Dialect
from smmgen.models.base import EnvName
from smmgen.models.channels import NetworkChannel
from smmgen.text import utf16_length
from smmgen.text.escape import html_attribute, html_text


class TelegramChannel(NetworkChannel):
    type: Literal["telegram"] = Field(description="A Telegram channel or group via a bot.")
    chat_id: str = Field(description="'@channelname' or the numeric chat id.")
    token_env: EnvName = Field(description="Variable holding the bot token.")


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


_TAG = re.compile(r"<[^>]+>")


class TelegramDialect(Dialect):
    """Telegram's HTML parse mode, with only the tags it allows."""

    name = "telegram"
    styles: ClassVar[dict[str, tuple[str, str]]] = {
        "strong": ("<b>", "</b>"),
        "em": ("<i>", "</i>"),
        "s": ("<s>", "</s>"),
        "code": ("<code>", "</code>"),
    }
    unescape_labels = True

    def escape(self, text: str) -> str:
        return html_text(text)

    def link(self, href: str, label: str, same: bool) -> str:
        # a link may not contain other entities
        return f'<a href="{html_attribute(href)}">{_TAG.sub("", label)}</a>'

    def heading(self, text: str) -> str:
        return f"<b>{text}</b>"

    def code(self, text: str) -> str:
        return f"<pre>{html_text(text)}</pre>"

    def quote(self, text: str, nested: bool) -> str:
        # Telegram cannot nest quotes: the outer one holds all
        return text if nested else f"<blockquote>{text}</blockquote>"


NETWORK = Network(
    type="telegram",
    title="Telegram",
    limits=NetworkLimits(
        max_chars=4096,
        caption_chars=1024,
        max_media=10,
        max_image_bytes=10 * MB,
        max_alt_chars=None,
    ),
    settings=TelegramChannel,
    count=telegram_length,
    unit="characters",
    counts="UTF-16 units after HTML parsing",
    count_bounded=True,
    dialect=TelegramDialect(),
    visible_text=telegram_visible_text,
    hashtags="end",
    alt_text=False,
    mentions=False,
    driver="smmgen.networks.telegram.driver:TelegramDriver",
    docs=(
        "Bot API: message text up to 4096 characters after entity parsing, media captions up "
        "to 1024; media groups of up to 10; photos up to 10 MB; HTML parse mode."
    ),
)
