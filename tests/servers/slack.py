"""A strict Slack incoming-webhook server.

The contract (https://api.slack.com/messaging/webhooks; the changelog
"Improving error conditions for Incoming Webhooks", 2016-05-17; "Truncating
really long messages", 2018):

- ``POST /services/<team>/<hook>/<secret>`` with a JSON object (or a form
  field ``payload`` holding one). Success is 200 with the body ``ok``.
- Errors are plain-text bodies: 400 ``invalid_payload`` (not a JSON object,
  wrong types), 400 ``no_text`` (neither ``text`` nor ``blocks``/
  ``attachments``), 403 ``invalid_token`` (wrong secret), 404 ``no_service``
  (unknown webhook), and what ``refuse`` is set to: 403
  ``action_prohibited``, 404 ``channel_not_found``, 410
  ``channel_is_archived``, 500 ``rollup_error``.
- ``text`` past 40,000 characters is truncated, not refused.
- Rate limit (about one message per second per webhook): past ``budget``
  requests, 429 ``rate_limited`` with ``Retry-After``.

``messages`` holds what was posted, with the ``<url|label>`` links, ``<@U…>``
mentions and the text as shown (``&amp; &lt; &gt;`` decoded) parsed from the
mrkdwn; ``problems`` lists mrkdwn Slack would show wrongly (a ``<`` that
starts nothing), for tests to assert empty.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

from tests.servers.base import Faults, Reply, Request, TestServer

TEAM = "T0SMMGEN1"
HOOK = "B0SMMGEN2"
SECRET = "q7VbX2nR9tK4wL8mZ1cJ5hD3"
TEXT_LIMIT = 40_000
_PATH = re.compile(r"/services/([^/]+)/([^/]+)/([^/]+)/?")
_SPAN = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


class SlackServer(TestServer):
    """``with SlackServer() as server:``, webhook URL ``server.webhook_url``."""

    def __init__(
        self,
        *,
        team: str = TEAM,
        hook: str = HOOK,
        secret: str = SECRET,
        budget: int | None = None,
        retry_after: int = 1,
        faults: Faults | None = None,
    ):
        super().__init__(faults)
        self.team, self.hook, self.secret = team, hook, secret
        self.budget, self.retry_after = budget, retry_after
        self.refuse: tuple[int, str] | None = None  # e.g. (410, "channel_is_archived")
        self.posts = 0
        self.messages: list[dict[str, Any]] = []

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/services/{self.team}/{self.hook}/{self.secret}"

    def error_body(self, status: int, message: str) -> Any:
        return "rate_limited" if status == 429 else "rollup_error"

    def handle(self, request: Request) -> Reply:
        match = _PATH.fullmatch(request.path)
        if not match or match.group(1, 2) != (self.team, self.hook):
            return Reply(404, "no_service")
        if match.group(3) != self.secret:
            return Reply(403, "invalid_token")
        if request.method != "POST":
            return Reply(405, "invalid_method")
        with self.lock:
            self.posts += 1
            over = self.budget is not None and self.posts > self.budget
        if over:
            return Reply(429, "rate_limited", {"Retry-After": str(self.retry_after)})
        if self.refuse:
            return Reply(*self.refuse)
        payload = self._payload(request)
        if payload is None:
            return Reply(400, "invalid_payload")
        text = payload.get("text")
        if text is not None and not isinstance(text, str):
            return Reply(400, "invalid_payload")
        if not text and not payload.get("blocks") and not payload.get("attachments"):
            return Reply(400, "no_text")
        text = text or ""
        message = {"text": text[:TEXT_LIMIT], "truncated": len(text) > TEXT_LIMIT, **parse(text)}
        message["payload"] = payload
        with self.lock:
            self.messages.append(message)
        return Reply(200, "ok")

    def _payload(self, request: Request) -> dict[str, Any] | None:
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        raw: str | None
        if kind == "application/x-www-form-urlencoded":
            values = parse_qs(request.body.decode("utf-8", "replace")).get("payload")
            raw = values[-1] if values else None
        else:  # Slack reads a JSON body whatever the Content-Type says
            raw = request.body.decode("utf-8", "replace")
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            return None
        return payload if isinstance(payload, dict) else None


def parse(text: str) -> dict[str, Any]:
    """Links, mentions, the visible text and problems of a mrkdwn text."""
    links: list[dict[str, str | None]] = []
    mentions: list[str] = []
    problems: list[str] = []
    visible: list[str] = []
    last = 0

    def plain(start: int, end: int) -> None:
        piece = text[start:end]
        for match in re.finditer(r"[<>]|&(?!amp;|lt;|gt;)", piece):
            problems.append(f"unescaped {match.group()!r} at {start + match.start()}")
        visible.append(_decode(piece))

    for match in _SPAN.finditer(text):
        plain(last, match.start())
        target, label = match.group(1), match.group(2)
        if target[:1] in "@#!":
            mentions.append(target)
            visible.append(_decode(label or target))
        elif re.match(r"(https?|mailto|ftp):", target):
            links.append({"url": _decode(target), "label": _decode(label) if label else None})
            visible.append(_decode(label or target))
        else:
            problems.append(f"<{target}> is neither a link nor a mention")
            visible.append(match.group())
        last = match.end()
    plain(last, len(text))
    return {"links": links, "mentions": mentions, "shown": "".join(visible), "problems": problems}


def _decode(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
