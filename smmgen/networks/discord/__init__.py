"""Discord: settings, limits, counting and dialect (Discord's Markdown)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from smmgen.channels.base import MB, Network, NetworkLimits
from smmgen.channels.dialect import Dialect
from smmgen.models.base import EnvName
from smmgen.models.channels import NetworkChannel
from smmgen.text import code_points
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
    driver="smmgen.networks.discord.driver:DiscordDriver",
    docs=(
        "Execute Webhook: content up to 2000 characters; up to 10 attachments; attachment "
        "descriptions (alt text) up to 1024 characters."
    ),
)
