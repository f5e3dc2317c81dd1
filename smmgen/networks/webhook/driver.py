"""Generic webhook: each part is one signed JSON POST to the channel's ``url``.

The request (format version 1)::

    POST <url>                      (``api_base``, if set, replaces its scheme and host)
    Content-Type: application/json
    User-Agent: smmgen/<version>
    X-Smmgen-Delivery: <key>        stable for (post, channel, part): deduplicate on it
    Idempotency-Key: <key>          the same value, for receivers that know this header
    X-Smmgen-Timestamp: <unix time> when it was sent; also ``sent_at`` in the body
    X-Smmgen-Signature: sha256=<hex> only with ``secret_env``

    {"version": 1, "type": "smmgen.post", "delivery": "<key>", "sent_at": 1796212800,
     "post": "2026-12-01-hello", "channel": "hooks", "network": "webhook",
     "index": 0, "parts": 1, "text": "Hello ...",
     "media": [{"path": "media/a.png", "alt": "A chart", "format": "png", "bytes": 1234}],
     "link": "https://example.com/?utm_source=hooks", "hashtags": ["#release"],
     "language": "en", "publish_at": "2026-12-01T09:00:00+01:00",
     "publish_at_utc": "2026-12-01T08:00:00+00:00", "thread": []}

``index`` is the part this request carries and ``parts`` how many the post
has on this channel (each part is its own request, in order; ``thread``
lists the ids the receiver returned for the earlier parts). ``media`` paths
are relative to the content repository; the files are not sent.

Verifying a request: the signature is HMAC-SHA256, keyed with the secret
(its UTF-8 bytes), of the exact request body bytes, in lowercase hex after
``sha256=``. A receiver computes it over the raw body before parsing it,
compares in constant time (``hmac.compare_digest``), then checks that
``sent_at`` (covered by the signature; the header carries the same value)
is recent, e.g. within 5 minutes, to refuse replays, and ignores a
``delivery`` it has already seen::

    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, request.headers["X-Smmgen-Signature"])

The answer: any 2xx means delivered. A JSON body with ``id`` (and
optionally ``url``) names what the receiver created; otherwise the
delivery key is the id. 429 and 5xx are retried (``Retry-After`` is
honoured); other statuses are final, with the receiver's ``error`` or
``message`` (or the start of its text) as the reason. Redirects are not
followed. A request whose answer never came is recorded as unknown: a
webhook cannot be asked whether it received it.

This module also holds the small helpers the other webhook-style drivers
(Discord, Slack) and Telegram share: fault messages scrubbed of secrets,
and webhook URLs rebased on ``api_base`` and checked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from smmgen.networks.webhook import WebhookChannel
from smmgen.publish.driver import Driver, Remote, part_key
from smmgen.publish.drivercommon import (
    cleaned,
    is_loopback,
    rebased,
    response_json,
    send,
    text_reason,
)
from smmgen.publish.http import status_error

if TYPE_CHECKING:
    from smmgen.adapt.variants import Variant

FORMAT_VERSION = 1
SIGNATURE_HEADER = "X-Smmgen-Signature"
DELIVERY_HEADER = "X-Smmgen-Delivery"
TIMESTAMP_HEADER = "X-Smmgen-Timestamp"


# -- the generic webhook --------------------------------------------------------


def signature(secret: str, body: bytes) -> str:
    """The ``X-Smmgen-Signature`` value of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookDriver(Driver[WebhookChannel]):
    """A JSON POST per part, signed with HMAC-SHA256 (see the module docstring)."""

    reconcilable: ClassVar[bool] = False
    credentials: ClassVar[tuple[str, ...]] = ("secret_env",)

    @property
    def url(self) -> str:
        return rebased(self.channel.url, self.channel.api_base)

    def body(
        self, variant: Variant, index: int, *, key: str, thread: list[Remote], sent_at: int | None
    ) -> dict[str, Any]:
        part = variant.parts[index]
        when = variant.publish_at
        return {
            "version": FORMAT_VERSION,
            "type": "smmgen.post",
            "delivery": key,
            "sent_at": sent_at,
            "post": variant.post,
            "channel": variant.channel,
            "network": variant.network,
            "index": index,
            "parts": len(variant.parts),
            "text": part.text,
            "media": [
                {"path": m.path, "alt": m.alt, "format": m.format, "bytes": m.bytes}
                for m in part.media
            ],
            "link": variant.link,
            "hashtags": list(variant.hashtags),
            "language": variant.language,
            "publish_at": when.isoformat() if when else None,
            "publish_at_utc": when.astimezone(UTC).isoformat() if when else None,
            "thread": [remote.id for remote in thread],
        }

    def verify(self) -> str:
        """No request: a generic endpoint has no way to check a secret without a delivery."""
        url = self.url  # both url and api_base are validated http(s) URLs
        parts = urlsplit(url)
        checked = [f"url {parts.scheme}://{parts.netloc}{parts.path} is well-formed"]
        if parts.scheme == "http" and not is_loopback(url):
            checked.append("warning: it is plain http, so deliveries can be read and replayed")
        if self.channel.secret_env:
            secret = self.secret("secret_env")
            checked.append(f"signing secret {self.channel.secret_env} is set")
            if len(secret) < 32:
                checked.append(f"warning: the secret is only {len(secret)} characters (use 32+)")
        else:
            checked.append("no secret_env: deliveries are not signed")
        checked.append("the endpoint was not contacted (a check would be a delivery)")
        return "; ".join(checked)

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        secret = self.secret("secret_env") if self.channel.secret_env else None
        sent_at = int(time.time())
        content = self.body(variant, index, key=key, thread=thread, sent_at=sent_at)
        data = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            DELIVERY_HEADER: key,
            "Idempotency-Key": key,
            TIMESTAMP_HEADER: str(sent_at),
        }
        if secret:
            headers[SIGNATURE_HEADER] = signature(secret, data)
        response = send(self, "POST", self.url, content=data, headers=headers)
        answer = response_json(response)
        if not response.is_success:
            reason = None
            if isinstance(answer, dict):
                for field in ("error", "message", "detail"):
                    if isinstance(answer.get(field), str) and answer[field]:
                        reason = answer[field]
                        break
            if 300 <= response.status_code < 400:
                reason = f"redirected ({response.status_code}); webhooks are not followed"
            error = status_error(response, reason or text_reason(response))
            raise cleaned(error, self.secrets())
        if isinstance(answer, dict) and answer.get("id") not in (None, ""):
            url = answer.get("url")
            return Remote(str(answer["id"]), url if isinstance(url, str) else None)
        return Remote(key)

    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        key = part_key(variant.post, variant.channel, index)
        return self.body(variant, index, key=key, thread=[], sent_at=None)  # set when sent
