"""Mastodon: settings, limits, counting and dialect (plain text)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smmgen.channels.base import MB, Network, NetworkLimits
from smmgen.models.base import EnvName, Url
from smmgen.models.channels import NetworkChannel
from smmgen.networks.mastodon.counting import mastodon_length
from smmgen.networks.mastodon.grammar import GRAMMAR, mastodon_display_link, mastodon_entities


class MastodonChannel(NetworkChannel):
    type: Literal["mastodon"] = Field(description="A Mastodon account.")
    instance: Url = Field(description="The instance, e.g. https://mastodon.social.")
    token_env: EnvName = Field(description="Variable holding the account's access token.")
    visibility: Literal["public", "unlisted", "private", "direct"] = Field(
        default="public", description="Who sees the posts."
    )


NETWORK = Network(
    type="mastodon",
    title="Mastodon",
    limits=NetworkLimits(
        max_chars=500,
        max_media=4,
        max_image_bytes=16 * MB,
        max_alt_chars=1500,
        image_formats=frozenset({"jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "avif"}),
    ),
    settings=MastodonChannel,
    count=mastodon_length,
    unit="characters",
    counts="graphemes; URLs 23; `@user@domain` as `@user`; the instance may set another limit",
    count_bounded=True,
    handle_prefix="@",
    grammar=GRAMMAR,
    threads=True,
    url_length=23,
    display_link=mastodon_display_link,
    entities=mastodon_entities,
    driver="smmgen.networks.mastodon.driver:MastodonDriver",
    docs=(
        "Mastodon: 500 characters (instance setting, read from /api/v2/instance at publish), "
        "URLs count 23, mentions count without their domain; 4 attachments; images up to 16 "
        "MB; alt text up to 1500 characters."
    ),
)
