"""A strict receiver of smmgen's generic webhook, written from the format
documented in ``smmgen.networks.webhook.driver`` (version 1), as a third
party would write it:

- ``POST <path>`` with ``Content-Type: application/json``, else 404 / 405 /
  415.
- With a ``secret``: ``X-Smmgen-Signature`` must be ``sha256=`` and the
  HMAC-SHA256 of the raw body keyed with the secret, compared in constant
  time; missing or wrong is 401 ``{"error": ...}``.
- ``X-Smmgen-Timestamp`` must be an integer within ``tolerance`` seconds of
  now and equal the body's ``sent_at`` (which the signature covers), else
  401/400; ``X-Smmgen-Delivery`` must equal the body's ``delivery``.
- The body must be a version-1 object with the documented fields, else 422.
- A ``delivery`` seen before is answered with the same id and not stored
  again. New deliveries are answered ``status`` (201) with ``{"id", "url"}``,
  or 204 with no body when ``respond_id`` is false.
- Past ``budget`` requests: 429 ``{"error": "rate limited"}`` with
  ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from tests.servers.base import Faults, Reply, Request, TestServer

SECRET = "whsec-3f9c1a7e5b2d8046c9e1f7a3b5d2c8e0"
PATH = "/hooks/smmgen"
FIELDS = {
    "version": int,
    "type": str,
    "delivery": str,
    "sent_at": int,
    "post": str,
    "channel": str,
    "network": str,
    "index": int,
    "parts": int,
    "text": str,
    "media": list,
    "hashtags": list,
    "thread": list,
}
OPTIONAL = {"link": str, "language": str, "publish_at": str, "publish_at_utc": str}


class WebhookServer(TestServer):
    """``with WebhookServer(secret=...) as server:``, endpoint ``server.endpoint``."""

    def __init__(
        self,
        *,
        secret: str | None = SECRET,
        path: str = PATH,
        respond_id: bool = True,
        status: int = 201,
        budget: int | None = None,
        retry_after: int = 1,
        tolerance: int = 300,
        faults: Faults | None = None,
    ):
        super().__init__(faults)
        self.secret, self.path = secret, path
        self.respond_id, self.status = respond_id, status
        self.budget, self.retry_after, self.tolerance = budget, retry_after, tolerance
        self.posts = 0
        self.deliveries: dict[str, str] = {}  # delivery key -> id given
        self.messages: list[dict[str, Any]] = []  # the bodies received, once per delivery
        self.reply_with: Reply | None = None  # answer every valid delivery with this instead

    @property
    def endpoint(self) -> str:
        return self.url + self.path

    def error_body(self, status: int, message: str) -> Any:
        return {"error": message}

    def handle(self, request: Request) -> Reply:
        if request.path != self.path:
            return Reply(404, {"error": "not found"})
        if request.method != "POST":
            return Reply(405, {"error": "only POST"}, {"Allow": "POST"})
        with self.lock:
            self.posts += 1
            over = self.budget is not None and self.posts > self.budget
        if over:
            return Reply(429, {"error": "rate limited"}, {"Retry-After": str(self.retry_after)})
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            return Reply(415, {"error": "expected application/json"})
        if self.secret is not None:
            given = request.header("x-smmgen-signature")
            if not given:
                return Reply(401, {"error": "missing signature"})
            digest = hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(given, "sha256=" + digest):
                return Reply(401, {"error": "signature does not match"})
        try:
            stamp = int(request.header("x-smmgen-timestamp") or "")
        except ValueError:
            return Reply(400, {"error": "missing or bad X-Smmgen-Timestamp"})
        if abs(time.time() - stamp) > self.tolerance:
            return Reply(401, {"error": "stale timestamp"})
        try:
            body = json.loads(request.body)
        except ValueError:
            return Reply(400, {"error": "body is not JSON"})
        problem = _problem(body)
        if problem:
            return Reply(422, {"error": problem})
        if body["sent_at"] != stamp:
            return Reply(400, {"error": "X-Smmgen-Timestamp differs from sent_at"})
        delivery = request.header("x-smmgen-delivery")
        if not isinstance(delivery, str) or delivery != body["delivery"]:
            return Reply(400, {"error": "X-Smmgen-Delivery differs from delivery"})
        if self.reply_with is not None:
            return self.reply_with
        with self.lock:
            known = self.deliveries.get(delivery)
            if known is None:
                known = f"evt_{len(self.deliveries) + 1}"
                self.deliveries[delivery] = known
                self.messages.append(body)
                status = self.status
            else:
                status = 200
        if not self.respond_id:
            return Reply(204)
        return Reply(status, {"id": known, "url": f"https://receiver.example/events/{known}"})


def _problem(body: Any) -> str | None:
    """What makes ``body`` not a version-1 delivery, or None."""
    if not isinstance(body, dict):
        return "body is not an object"
    if body.get("version") != 1:
        return f"unknown version {body.get('version')!r}"
    for name, kind in FIELDS.items():
        if not isinstance(body.get(name), kind) or isinstance(body.get(name), bool):
            return f"{name} must be {kind.__name__}"
    for name, kind in OPTIONAL.items():
        if body.get(name) is not None and not isinstance(body[name], kind):
            return f"{name} must be {kind.__name__} or null"
    if not 0 <= body["index"] < body["parts"]:
        return "index out of range"
    for item in body["media"]:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            return "media items need a path"
    return None
