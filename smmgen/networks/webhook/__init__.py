"""Webhook: settings, limits, counting and dialect (plain text)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smmgen.channels.base import Network, NetworkLimits
from smmgen.models.base import EnvName, Url
from smmgen.models.channels import NetworkChannel
from smmgen.text import code_points
from smmgen.text.entities import link_entities


class WebhookChannel(NetworkChannel):
    type: Literal["webhook"] = Field(description="Any endpoint that takes a JSON POST.")
    url: Url = Field(description="The endpoint.")
    secret_env: EnvName | None = Field(
        default=None, description="Variable holding the key of the HMAC-SHA256 signature."
    )


def webhook_length(text: str) -> int:
    """Generic webhook: code points; no limit of its own."""
    return code_points(text)


NETWORK = Network(
    type="webhook",
    title="Webhook",
    limits=NetworkLimits(max_chars=None, max_media=100),
    settings=WebhookChannel,
    count=webhook_length,
    unit="characters",
    counts="code points",
    count_bounded=True,
    hashtags="end",
    mentions=False,
    entities=link_entities,  # no app of its own: links only
    driver="smmgen.networks.webhook.driver:WebhookDriver",
    docs=("A generic JSON POST: no limits but the receiver's."),
)
