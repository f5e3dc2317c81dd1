"""Discord: settings, limits, counting and dialect (Discord's Markdown)."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field

from smmgen.channels.base import MB, Entity, Network, NetworkLimits
from smmgen.channels.dialect import Dialect
from smmgen.models.base import EnvName
from smmgen.models.channels import NetworkChannel
from smmgen.text import code_points
from smmgen.text.entities import link_entities
from smmgen.text.escape import discord_markdown


class DiscordChannel(NetworkChannel):
    type: Literal["discord"] = Field(description="A Discord channel via a webhook.")
    webhook_url_env: EnvName = Field(
        description="Variable holding the webhook URL (the URL is the secret)."
    )
    username: str | None = Field(default=None, description="Name shown as the author.")


def discord_length(text: str) -> int:
    """Discord: Unicode code points, limit 2000 (webhook/message ``content``).

    Source: Discord API docs, "Execute Webhook": content "up to 2000
    characters"; a Discord staff answer in discord/discord-api-docs#1315:
    "Our API uses Python 3, so the API calculates length based on the number
    of codepoints in the string."
    """
    return code_points(text)


_MARKDOWN = re.compile(
    r"\\(?P<escaped>[\\*_~`|#>-])|<(?P<url>[a-z][a-z0-9+.-]*://[^<>\s]+)>"
    r"|\[(?P<label>[^\]]*)\]\((?P<href>[a-z][a-z0-9+.-]*://[^()\s]+)\)",
    re.IGNORECASE,
)


def _shown(match: re.Match[str]) -> str:
    for group in ("escaped", "url", "label"):
        if match.group(group) is not None:
            return match.group(group)
    return match.group()  # pragma: no cover - the pattern has no other branch


def discord_visible_text(text: str) -> str:
    """The text a reader sees of the Markdown smmgen sends Discord: escapes removed,
    ``<url>`` as the URL and ``[label](url)`` as its label (style markers are left)."""
    if "\\" not in text and "<" not in text and "](" not in text:
        return text
    return _MARKDOWN.sub(_shown, text)


def discord_links(text: str) -> list[Entity]:
    """The links Discord shows: URLs with a scheme (it links no bare domain)."""
    return link_entities(text, bare=False)


class DiscordDialect(Dialect):
    """Discord's Markdown."""

    name = "discord"
    styles: ClassVar[dict[str, tuple[str, str]]] = {
        "strong": ("**", "**"),
        "em": ("*", "*"),
        "s": ("~~", "~~"),
        "code": ("`", "`"),
    }
    bullet = "-"

    def escape(self, text: str) -> str:
        return discord_markdown(text)

    def link(self, href: str, label: str, same: bool) -> str:
        return f"<{href}>" if same else f"[{label}]({href})"

    def heading(self, text: str) -> str:
        return f"**{text}**"

    def code(self, text: str) -> str:
        return f"```\n{text}\n```"


NETWORK = Network(
    type="discord",
    title="Discord",
    limits=NetworkLimits(max_chars=2000, max_media=10, max_image_bytes=25 * MB, max_alt_chars=1024),
    settings=DiscordChannel,
    count=discord_length,
    unit="characters",
    counts="code points",
    count_bounded=True,
    dialect=DiscordDialect(),
    hashtags="none",
    mentions=False,
    visible_text=discord_visible_text,
    entities=discord_links,
    driver="smmgen.networks.discord.driver:DiscordDriver",
    docs=(
        "Execute Webhook: content up to 2000 characters; up to 10 attachments; attachment "
        "descriptions (alt text) up to 1024 characters."
    ),
)
