"""Slack: settings, limits, counting and dialect (mrkdwn)."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field

from smmgen.channels.base import Network, NetworkLimits
from smmgen.channels.dialect import Dialect
from smmgen.models.base import EnvName
from smmgen.models.channels import NetworkChannel
from smmgen.text import code_points
from smmgen.text.entities import link_entities
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


_MRKDWN = re.compile(r"<(?P<url>[^<>|]*)(?:\|(?P<label>[^<>]*))?>|&(?P<entity>amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}


def _shown(match: re.Match[str]) -> str:
    if match.group("entity"):
        return _ENTITIES[match.group("entity")]
    label = match.group("label")
    return match.group("url") if label is None else _MRKDWN.sub(_shown, label)


def slack_visible_text(text: str) -> str:
    """The text a reader sees of Slack mrkdwn: ``<url|label>`` as its label, ``<url>``
    as the URL, and ``&amp; &lt; &gt;`` as the characters (style markers are left)."""
    if "<" not in text and "&" not in text:
        return text
    return _MRKDWN.sub(_shown, text)


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
    visible_text=slack_visible_text,
    entities=link_entities,  # links only: Slack links no #tag or @name it is sent as text
    driver="smmgen.networks.slack.driver:SlackDriver",
    docs=(
        "Incoming webhooks: text (mrkdwn) is truncated past 40,000 characters; webhooks "
        "cannot upload files."
    ),
)
