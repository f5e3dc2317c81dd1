"""Facebook Page: settings, limits, counting and dialect (plain text).

Hashtags and mentions: Facebook documents no grammar for them (UNVERIFIED by its
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
from smmgen.text import utf16_length


class FacebookChannel(NetworkChannel):
    type: Literal["facebook"] = Field(description="A Facebook Page.")
    page_id: str = Field(description="The Page's numeric id.")
    token_env: EnvName = Field(description="Variable holding a Page access token.")


def facebook_length(text: str) -> int:
    """Facebook Pages: UTF-16 code units, limit 63,206.

    Source: the Graph API rejects a Page post ``message`` above 63,206
    characters; Meta does not document the unit, and the JavaScript/PHP
    stack counts UTF-16 code units, the larger of the plausible counts.
    """
    return utf16_length(text)


NETWORK = Network(
    type="facebook",
    title="Facebook Page",
    limits=NetworkLimits(
        max_chars=63206, max_media=10, max_image_bytes=10 * MB, max_alt_chars=None
    ),
    settings=FacebookChannel,
    count=facebook_length,
    unit="characters",
    counts="UTF-16 units",
    count_bounded=True,
    hashtags="end",
    docs=("Graph API Page feed: message up to 63,206 characters."),
)
