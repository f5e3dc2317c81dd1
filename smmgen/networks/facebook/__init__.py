"""Facebook Page: settings, limits, counting and dialect (plain text).

Publishing (:mod:`smmgen.networks.facebook.driver`) goes through the Graph API
version ``graph_version`` (:data:`GRAPH_VERSION` by default). Facebook Pages have
no threads: the later parts of a thread become comments on the first post.

Hashtags and mentions: Facebook documents no grammar for them (UNVERIFIED by its
docs), so the network has the default ``Grammar()``: tags are sent whole as the
author wrote them (twitter-text's grammar, :mod:`smmgen.models.hashtags`) and no
tag or mention is reported as not linked.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smmgen.channels.base import Network, NetworkLimits
from smmgen.models.base import EnvName
from smmgen.models.channels import NetworkChannel
from smmgen.text import utf16_length

#: The Graph API version smmgen is tested against, kept current: v26.0 was
#: released on 2026-07-29 and is the newest version as of 2026-12; Meta keeps a
#: version about two years after the next one comes out (v25.0 until 2028-07-29;
#: v26.0's end is not set yet). Source: developers.facebook.com/docs/graph-api/
#: changelog/versions (read 2026-12-07).
GRAPH_VERSION = "v26.0"


PHOTO_BYTES = 4_000_000


class FacebookChannel(NetworkChannel):
    type: Literal["facebook"] = Field(description="A Facebook Page.")
    page_id: str = Field(pattern=r"^[0-9]+$", description="The Page's numeric id.")
    token_env: EnvName = Field(
        description="Variable holding a Page access token, or a System User token"
        " of a system user that has a task on the Page (smmgen then asks for the"
        " Page's token)."
    )
    app_token_env: EnvName | None = Field(
        default=None,
        description="Optional: variable holding the access token of the Meta app that made"
        " the token (app-id|app-secret). `channels verify` then shows the token's type and"
        " expiry (Meta's /debug_token answers only to the app). Not used to publish.",
    )
    graph_version: str = Field(
        default=GRAPH_VERSION,
        pattern=r"^v[0-9]+\.[0-9]+$",
        description=f"Graph API version, e.g. {GRAPH_VERSION}.",
    )


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
    # Photos: 4 MB, the size peers see refused (Postiz maps error subcode 1366046 to
    # "Photos should be smaller than 4 MB"; letmepost.dev: 4,000,000 bytes); Meta's
    # reference gives none (UNVERIFIED), so the smaller reading is kept.
    limits=NetworkLimits(
        max_chars=63206, max_media=10, max_image_bytes=PHOTO_BYTES, max_alt_chars=None
    ),
    settings=FacebookChannel,
    count=facebook_length,
    unit="characters",
    counts="UTF-16 units",
    count_bounded=True,
    hashtags="end",
    threads=True,  # as comments on the first post: Pages have no threads
    link_card=True,  # the post's `link` is sent, and Facebook shows its preview
    driver="smmgen.networks.facebook.driver:FacebookDriver",
    docs=(
        "Graph API Page feed: message up to 63,206 characters; a thread's later parts"
        " become comments on the first post (Pages have no threads)."
    ),
)
