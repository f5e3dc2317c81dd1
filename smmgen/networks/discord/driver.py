"""Discord: posts to a channel through a webhook ("Execute Webhook").

What this relies on (https://discord.com/developers/docs/resources/webhook
and .../topics/rate-limits, .../topics/opcodes-and-status-codes):

- The webhook URL, ``https://discord.com/api/webhooks/<id>/<token>``, is the
  credential: it and its token are in :meth:`DiscordDriver.secrets` and
  scrubbed from every fault. ``api_base`` replaces its scheme and host.
- ``POST <url>?wait=true`` with JSON ``{"content", "username",
  "allowed_mentions": {"parse": []}}``; ``content`` up to 2000 characters. No
  mention pings: the text comes from a post, not from a person in the chat.
  With ``wait=true`` the answer is the message object (``id``,
  ``channel_id``); without it Discord answers 204 and no id.
- Media: multipart/form-data with ``payload_json`` (the JSON above plus
  ``attachments: [{"id": n, "filename", "description"}]``, the description
  being the alt text, up to 1024 characters) and the files as ``files[n]``;
  up to 10 attachments.
- ``GET <url>`` returns the webhook object (``name``, ``channel_id``,
  ``guild_id``, and the token: never shown): :meth:`verify` uses it, and
  the message URL ``https://discord.com/channels/<guild>/<channel>/<id>``
  needs its ``guild_id`` (looked up once, after the first post).
- Errors are ``{"code": 50006, "message": "Cannot send an empty message"}``,
  ``{"code": 10015, "message": "Unknown Webhook"}`` (404), and 400 ``{"code":
  50035, "message": "Invalid Form Body", "errors": {"content": {"_errors":
  [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in
  length."}]}}}``, whose details are kept in the message.
- Rate limits: ``X-RateLimit-Limit``/``-Remaining``/``-Reset``/``-Reset-After``/
  ``-Bucket`` on every answer (:class:`~smmgen.publish.http.Http` waits when
  ``Remaining`` is 0); a 429's body ``{"message": "You are being rate
  limited.", "retry_after": 0.5, "global": false}`` gives the wait in seconds.

A webhook cannot list what it posted, so an unknown outcome is left to a
person (not reconcilable). Parts after the first are separate messages.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from smmgen.errors import PublishError, Rejected, Transient, Unknown
from smmgen.media import probe
from smmgen.networks.discord import DiscordChannel
from smmgen.publish.driver import Context, Driver, Remote
from smmgen.publish.drivercommon import (
    cleaned,
    response_json,
    send,
    text_reason,
    webhook_secrets,
    webhook_url,
)
from smmgen.publish.http import status_error

if TYPE_CHECKING:
    import httpx

    from smmgen.adapt.variants import Media, Variant

# /api/webhooks/<id>/<token>, optionally with an API version: /api/v10/webhooks/...
_PATH = re.compile(r"(?:/api(?:/v\d+)?)?/webhooks/(\d+)/([A-Za-z0-9_.-]+)/?")
_EXAMPLE = "https://discord.com/api/webhooks/<id>/<token>"


class DiscordDriver(Driver[DiscordChannel]):
    """Posts through a webhook (see the module docstring)."""

    reconcilable: ClassVar[bool] = False
    credentials: ClassVar[tuple[str, ...]] = ("webhook_url_env",)

    def __init__(self, context: Context[DiscordChannel]):
        super().__init__(context)
        self._webhook: dict[str, Any] | None = None  # the webhook object, once fetched

    # -- credentials ----------------------------------------------------------

    def secrets(self) -> list[str]:
        return webhook_secrets(self, _PATH, 2)  # 2: the token

    def _url(self) -> str:
        """The webhook URL to call (``api_base`` applied), checked."""
        return webhook_url(self, _PATH, what="a Discord webhook URL", example=_EXAMPLE)

    # -- requests -------------------------------------------------------------

    def _fail(self, response: httpx.Response) -> PublishError:
        answer = response_json(response)
        message = _error_message(answer) if isinstance(answer, dict) else None
        error = status_error(response, message or text_reason(response))
        wait = answer.get("retry_after") if isinstance(answer, dict) else None
        if isinstance(error, Transient) and isinstance(wait, int | float):
            error.retry_after = float(wait)
        return cleaned(error, self.secrets())

    def _fetch_webhook(self) -> dict[str, Any]:
        response = send(self, "GET", self._url())
        answer = response_json(response)
        if not response.is_success:
            raise self._fail(response)
        if not isinstance(answer, dict):
            raise Rejected("the webhook URL did not answer with a webhook object")
        self._webhook = answer
        return answer

    def verify(self) -> str:
        """``GET`` the webhook: it exists, and where it posts."""
        hook = self._fetch_webhook()
        where = f"channel {hook.get('channel_id')}"
        if hook.get("guild_id"):
            where += f" of server {hook.get('guild_id')}"
        return f"webhook '{hook.get('name')}' posts to {where}"

    def payload(self, variant: Variant, index: int) -> dict[str, Any]:
        """The JSON sent for part ``index`` (``payload_json`` when there are files)."""
        part = variant.parts[index]
        body: dict[str, Any] = {"content": part.text, "allowed_mentions": {"parse": []}}
        if self.channel.username:
            body["username"] = self.channel.username
        if part.media:
            body["attachments"] = []
            for number, item in enumerate(part.media):
                attachment: dict[str, Any] = {"id": number, "filename": Path(item.path).name}
                if item.alt:
                    attachment["description"] = item.alt  # the alt text
                body["attachments"].append(attachment)
        return body

    def _file(self, media: Media) -> tuple[str, bytes, str]:
        path = self.context.project.root / media.path
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Rejected(f"cannot read {media.path}: {exc.strerror or exc}") from None
        return path.name, data, probe(data).mime or "application/octet-stream"

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        url = self._url()
        body = self.payload(variant, index)
        media = variant.parts[index].media
        params = {"wait": "true"}
        if media:
            files = [(f"files[{n}]", self._file(item)) for n, item in enumerate(media)]
            form = {"payload_json": json.dumps(body, ensure_ascii=False)}
            response = send(self, "POST", url, params=params, data=form, files=files)
        else:
            response = send(self, "POST", url, params=params, json=body)
        if not response.is_success:
            raise self._fail(response)
        if response.status_code == 204:  # posted, but as if without wait=true: no id to keep
            return Remote(key)
        message = response_json(response)
        if not isinstance(message, dict) or "id" not in message:
            raise Unknown("Discord answered without the message", status=response.status_code)
        channel_id = message.get("channel_id")
        guild_id = message.get("guild_id") or self._guild_id()
        url_of = None
        if guild_id and channel_id:
            url_of = f"https://discord.com/channels/{guild_id}/{channel_id}/{message['id']}"
        return Remote(str(message["id"]), url_of, {"channel_id": channel_id})

    def _guild_id(self) -> str | None:
        """The webhook's server, for message URLs; None if it cannot be had."""
        if self._webhook is None:
            try:
                self._fetch_webhook()
            except PublishError:
                self._webhook = {}  # the post went out; only its URL is missing
        guild = (self._webhook or {}).get("guild_id")
        return str(guild) if guild else None

    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        return self.payload(variant, index)


def _error_message(answer: dict[str, Any]) -> str | None:
    """Discord's message, its field errors and its code: "Invalid Form Body
    (content: Must be 2000 or fewer in length.) [50035]"."""
    message = answer.get("message")
    if not isinstance(message, str) or not message:
        return None
    details = "; ".join(_field_errors(answer.get("errors"), ""))
    if details:
        message += f" ({details})"
    code = answer.get("code")
    if code:
        message += f" [{code}]"
    return message


def _field_errors(errors: object, path: str) -> list[str]:
    if not isinstance(errors, dict):
        return []
    out = []
    for key, value in errors.items():
        if key == "_errors" and isinstance(value, list):
            out += [
                f"{path or 'body'}: {item.get('message')}"
                for item in value
                if isinstance(item, dict)
            ]
        else:
            out += _field_errors(value, f"{path}.{key}" if path else str(key))
    return out
