"""Slack: posts to a channel through an incoming webhook.

What this relies on (https://api.slack.com/messaging/webhooks, and the
changelog "Improving error conditions for Incoming Webhooks", 2016-05-17):

- The webhook URL, ``https://hooks.slack.com/services/T…/B…/<secret>``, is the
  credential: it and its last segment are in :meth:`SlackDriver.secrets`
  and scrubbed from every fault. ``api_base`` replaces its scheme and host.
- ``POST <url>`` with JSON ``{"text": ...}``; the ``slack`` dialect already
  renders mrkdwn with ``&``, ``<`` and ``>`` escaped. Text past 40,000
  characters is truncated by Slack, not refused (``check`` reports it).
  Incoming webhooks cannot upload files (the channel takes no media).
- Success is HTTP 200 with the body ``ok``; no message id or timestamp
  comes back, so a part's id is its delivery key and it has no URL.
- Errors are plain-text bodies: 400 ``invalid_payload``, ``no_text``,
  ``user_not_found``; 403 ``action_prohibited``, ``invalid_token``; 404
  ``no_service``, ``channel_not_found``; 410 ``channel_is_archived``; 500
  ``rollup_error``. Rate limit (about one message per second per webhook):
  429 with ``Retry-After``.
- Nothing checks an incoming webhook without posting to it, so
  :meth:`SlackDriver.verify` checks the URL's shape only, and says so.

A webhook cannot list what it posted, so an unknown outcome is left to a
person (not reconcilable). Parts after the first are separate messages.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from smmgen.networks.slack import SlackChannel
from smmgen.publish.driver import Driver, Remote
from smmgen.publish.drivercommon import (
    cleaned,
    send,
    text_reason,
    webhook_secrets,
    webhook_url,
)
from smmgen.publish.http import status_error

if TYPE_CHECKING:
    from smmgen.adapt.variants import Variant

# /services/<team>/<bot or incoming webhook>/<secret>
_PATH = re.compile(r"/services/([A-Z0-9]+)/([A-Z0-9]+)/([A-Za-z0-9]+)/?")
_EXAMPLE = "https://hooks.slack.com/services/T…/B…/…"


class SlackDriver(Driver[SlackChannel]):
    """Posts through an incoming webhook (see the module docstring)."""

    reconcilable: ClassVar[bool] = False
    credentials: ClassVar[tuple[str, ...]] = ("webhook_url_env",)

    def secrets(self) -> list[str]:
        return webhook_secrets(self, _PATH, 3)  # 3: the secret

    def _url(self) -> str:
        return webhook_url(
            self, _PATH, what="a Slack incoming webhook URL", example=_EXAMPLE, query=False
        )

    def verify(self) -> str:
        url = self._url()
        host = urlsplit(url).netloc
        return (
            f"the incoming webhook URL ({host}) is well-formed; Slack has no way to check an"
            " incoming webhook without posting to it, so whether it still works shows at the"
            " first post"
        )

    def payload(self, variant: Variant, index: int) -> dict[str, Any]:
        return {"text": variant.parts[index].text}

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        response = send(self, "POST", self._url(), json=self.payload(variant, index))
        if not response.is_success:
            raise cleaned(status_error(response, text_reason(response)), self.secrets())
        return Remote(key)

    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        return self.payload(variant, index)
