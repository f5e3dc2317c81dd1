"""Slack: settings, limits, counting and dialect (mrkdwn)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from smmgen.channels.base import Network, NetworkLimits
from smmgen.channels.dialect import Dialect
from smmgen.models.base import EnvName
from smmgen.models.channels import NetworkChannel
from smmgen.text import code_points
from smmgen.text.escape import slack_escape


class SlackChannel(NetworkChannel):
    type: Literal["slack"] = Field(description="A Slack channel via an incoming webhook.")
    webhook_url_env: EnvName = Field(
        description="Variable holding the webhook URL (the URL is the secret)."
    )


def slack_length(text: str) -> int:
    """Slack: code points of the ``text`` as sent, entities included; limit 40,000.

    Source: ``chat.postMessage``: "The text field ... will be truncated
    [above] 40,000 characters" (Slack changelog 2018-04, "Truncating really
    long messages"). The unit is not documented; code points of the escaped
    mrkdwn that is sent (``&amp;`` counts 5) can only over-count.
    """
    return code_points(text)


class SlackDialect(Dialect):
    """Slack's mrkdwn: ``*bold*``, ``<url|text>``, and ``&<>`` escaped."""

    name = "slack"
    styles: ClassVar[dict[str, tuple[str, str]]] = {
        "strong": ("*", "*"),
        "em": ("_", "_"),
        "s": ("~", "~"),
        "code": ("`", "`"),
    }
    quote_prefix = "&gt; "
    unescape_labels = True

    def escape(self, text: str) -> str:
        return slack_escape(text)

    def link(self, href: str, label: str, same: bool) -> str:
        return f"<{href}>" if same else f"<{href}|{label}>"

    def heading(self, text: str) -> str:
        return f"*{text}*"

    def code(self, text: str) -> str:
        return f"```\n{slack_escape(text)}\n```"


NETWORK = Network(
    type="slack",
    title="Slack",
    limits=NetworkLimits(max_chars=40000, max_media=0),
    settings=SlackChannel,
    count=slack_length,
    unit="characters",
    counts="code points of the escaped text",
    count_bounded=True,
    dialect=SlackDialect(),
    hashtags="none",
    alt_text=False,
    mentions=False,
    driver="smmgen.networks.slack.driver:SlackDriver",
    docs=(
        "Incoming webhooks: text (mrkdwn) is truncated past 40,000 characters; webhooks "
        "cannot upload files."
    ),
)
