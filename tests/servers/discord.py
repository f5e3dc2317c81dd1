"""A strict Discord webhook server: Get Webhook with Token and Execute Webhook.

The contract (https://discord.com/developers/docs/resources/webhook,
.../topics/rate-limits, .../topics/opcodes-and-status-codes#json):

- ``/api[/v<n>]/webhooks/<id>/<token>``: an unknown id is 404 ``{"code": 10015,
  "message": "Unknown Webhook"}``, a wrong token 401 ``{"code": 50027,
  "message": "Invalid Webhook Token"}``; other paths 404 ``{"code": 0,
  "message": "404: Not Found"}``.
- ``GET`` returns the webhook object (with its token, as Discord does).
- ``POST``: JSON, or multipart/form-data with ``payload_json`` and
  ``files[n]``. ``content`` up to 2000 characters (code points); a message
  with no content and no files is 400 ``{"code": 50006, "message": "Cannot
  send an empty message"}``; invalid fields are 400 ``{"code": 50035,
  "message": "Invalid Form Body", "errors": {<field>: {"_errors": [{"code",
  "message"}]}}}``: content length, ``username`` (1-80, no "discord" or
  "clyde"), ``allowed_mentions.parse`` values, ``attachments`` (each ``id``
  naming a sent ``files[id]``, ``description`` up to 1024), at most 10 files.
  ``?wait=true`` answers 200 with the message object, otherwise 204.
- Rate limit: every ``POST`` answer carries ``X-RateLimit-Limit``,
  ``-Remaining``, ``-Reset`` (epoch seconds), ``-Reset-After`` (seconds) and
  ``-Bucket``; past ``budget`` requests in ``window`` seconds it is 429 with
  ``{"message": "You are being rate limited.", "retry_after": <seconds>,
  "global": false}``, ``Retry-After`` and ``X-RateLimit-Scope``.

Message ids are snowflake-like strings counting up; the REST answer of a
webhook message carries ``channel_id`` but no ``guild_id``, as Discord's.
"""

from __future__ import annotations

import json
import math
import re
import time
from datetime import UTC, datetime
from typing import Any

from tests.servers.base import Faults, Reply, Request, TestServer
from tests.servers.telegram import form_data

WEBHOOK_ID = "1180000000000000001"
TOKEN = "Zx9-kQ2vN7bT4mL1pR8sW3yH6cJ0dF5gA2eU7iO4nB1vC8xZ3kM6qT9wE2rY5uI0-oP7a"
CHANNEL_ID = "1180000000000000100"
GUILD_ID = "1180000000000000200"

CONTENT_LIMIT = 2000  # "the message contents (up to 2000 characters)"
DESCRIPTION_LIMIT = 1024  # attachment description
FILES_LIMIT = 10
_PATH = re.compile(r"/api(?:/v\d+)?/webhooks/([^/]+)/([^/]+)/?")


class DiscordError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid(field: str, code: str, message: str) -> DiscordError:
    """A 50035 "Invalid Form Body" error for ``field`` ("a.b.0")."""
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(field.split(".")):
        errors = {key: errors}
    return DiscordError(400, 50035, "Invalid Form Body", errors)


class DiscordServer(TestServer):
    """``with DiscordServer() as server:``, webhook URL ``server.webhook_url``."""

    def __init__(
        self,
        *,
        webhook_id: str = WEBHOOK_ID,
        token: str = TOKEN,
        channel_id: str = CHANNEL_ID,
        guild_id: str | None = GUILD_ID,
        name: str = "smmgen",
        budget: int = 5,
        window: float = 2.0,
        max_file_bytes: int = 10 * 1024 * 1024,
        faults: Faults | None = None,
    ):
        super().__init__(faults)
        self.webhook_id, self.token = webhook_id, token
        self.channel_id, self.guild_id, self.name = channel_id, guild_id, name
        self.budget, self.window = budget, window
        self.max_file_bytes = max_file_bytes
        self.remaining = budget
        self.reset_at = 0.0
        self.messages: list[dict[str, Any]] = []
        self._next_id = int(webhook_id) + 1000

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/api/webhooks/{self.webhook_id}/{self.token}"

    def error_body(self, status: int, message: str) -> Any:
        if status == 429:
            return {
                "message": "You are being rate limited.",
                "retry_after": float(self.faults.retry_after),
                "global": False,
            }
        return {"message": f"{status}: {message}", "code": 0}

    def handle(self, request: Request) -> Reply:
        match = _PATH.fullmatch(request.path)
        if not match:
            return Reply(404, {"message": "404: Not Found", "code": 0})
        try:
            if match.group(1) != self.webhook_id:
                raise DiscordError(404, 10015, "Unknown Webhook")
            if match.group(2) != self.token:
                raise DiscordError(401, 50027, "Invalid Webhook Token")
            if request.method == "GET":
                return Reply(200, self.webhook())
            if request.method != "POST":
                raise DiscordError(405, 0, "405: Method Not Allowed")
        except DiscordError as exc:
            return Reply(exc.status, exc.body())
        return self.execute(request)

    def webhook(self) -> dict[str, Any]:
        return {
            "application_id": None,
            "avatar": None,
            "channel_id": self.channel_id,
            "guild_id": self.guild_id,
            "id": self.webhook_id,
            "name": self.name,
            "type": 1,
            "token": self.token,
        }

    # -- Execute Webhook ------------------------------------------------------------

    def _rate(self) -> tuple[dict[str, str], float | None]:
        """This request's rate-limit headers, and the wait if it is over the limit."""
        now = time.time()
        with self.lock:
            if now >= self.reset_at:
                self.remaining, self.reset_at = self.budget, now + self.window
            over = self.remaining <= 0
            if not over:
                self.remaining -= 1
            remaining, reset_at = self.remaining, self.reset_at
        after = max(0.0, reset_at - now)
        headers = {
            "X-RateLimit-Limit": str(self.budget),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{reset_at:.3f}",
            "X-RateLimit-Reset-After": f"{after:.3f}",
            "X-RateLimit-Bucket": "b7f3c3e1a4d2e5f6a7b8c9d0e1f2a3b4",
        }
        return headers, (round(after, 3) if over else None)

    def execute(self, request: Request) -> Reply:
        headers, wait = self._rate()
        if wait is not None:
            headers.update({"Retry-After": str(math.ceil(wait)), "X-RateLimit-Scope": "shared"})
            body = {"message": "You are being rate limited.", "retry_after": wait, "global": False}
            return Reply(429, body, headers)
        try:
            wait_for_message = self._wait(request)
            payload, files = self._payload(request)
            message = self._validate(payload, files)
        except DiscordError as exc:
            return Reply(exc.status, exc.body(), headers)
        with self.lock:
            self._next_id += 1
            message["id"] = str(self._next_id)
            for number, attachment in enumerate(message["attachments"]):
                attachment["id"] = str(self._next_id * 100 + number)
                attachment["url"] = (
                    f"https://cdn.discordapp.com/attachments/{self.channel_id}"
                    f"/{attachment['id']}/{attachment['filename']}"
                )
            self.messages.append(
                {**message, "files": files, "payload": payload, "query": request.query}
            )
        if not wait_for_message:
            return Reply(204, None, headers)
        public = {k: v for k, v in message.items()}
        public["attachments"] = [
            {k: v for k, v in a.items() if k != "bytes"} for a in message["attachments"]
        ]
        return Reply(200, public, headers)

    def _wait(self, request: Request) -> bool:
        values = request.query.get("wait", ["false"])
        if values[-1] not in ("true", "false", "True", "False", "1", "0"):
            raise invalid("wait", "BOOLEAN_TYPE_CONVERT", "Must be either true or false.")
        return values[-1] in ("true", "True", "1")

    def _payload(
        self, request: Request
    ) -> tuple[dict[str, Any], dict[str, tuple[str, str, bytes]]]:
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        files: dict[str, tuple[str, str, bytes]] = {}
        if kind == "multipart/form-data":
            try:
                fields, files = form_data(request)
            except ValueError:
                raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
            text = fields.get("payload_json", "{}")
        elif kind == "application/json":
            text = request.body.decode("utf-8", "replace")
        else:
            raise DiscordError(400, 50006, "Cannot send an empty message")
        try:
            payload = json.loads(text)
        except ValueError:
            raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
        if not isinstance(payload, dict):
            raise DiscordError(400, 50109, "The request body contains invalid JSON.")
        return payload, files

    def _validate(
        self, payload: dict[str, Any], files: dict[str, tuple[str, str, bytes]]
    ) -> dict[str, Any]:
        content = payload.get("content") or ""
        if not isinstance(content, str):
            raise invalid("content", "STRING_TYPE_CONVERT", "Must be a string.")
        if len(content) > CONTENT_LIMIT:
            raise invalid(
                "content", "BASE_TYPE_MAX_LENGTH", f"Must be {CONTENT_LIMIT} or fewer in length."
            )
        username = payload.get("username")
        if username is not None:
            if not isinstance(username, str) or not 1 <= len(username) <= 80:
                raise invalid(
                    "username", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 80 in length."
                )
            for word in ("discord", "clyde"):
                if word in username.lower():
                    raise invalid(
                        "username", "USERNAME_INVALID_CONTAINS", f'Username cannot contain "{word}"'
                    )
        mentions = payload.get("allowed_mentions")
        if mentions is not None:
            parse = mentions.get("parse", []) if isinstance(mentions, dict) else None
            if not isinstance(parse, list):
                raise invalid(
                    "allowed_mentions",
                    "DICT_TYPE_CONVERT",
                    "Only dictionaries may be used in a DictType",
                )
            for number, value in enumerate(parse):
                if value not in ("roles", "users", "everyone"):
                    raise invalid(
                        f"allowed_mentions.parse.{number}",
                        "BASE_TYPE_CHOICES",
                        "Value must be one of {'roles', 'users', 'everyone'}.",
                    )
        uploads = {}
        for name, value in files.items():
            match = re.fullmatch(r"files\[(\d+)\]", name)
            if not match:
                raise invalid(name, "UNKNOWN_FIELD", "Unknown field.")
            if len(value[2]) > self.max_file_bytes:
                raise DiscordError(413, 40005, "Request entity too large")
            uploads[int(match.group(1))] = value
        if len(uploads) > FILES_LIMIT:
            raise invalid(
                "files", "BASE_TYPE_MAX_LENGTH", f"Must be {FILES_LIMIT} or fewer in length."
            )
        attachments = []
        described = payload.get("attachments") or []
        if not isinstance(described, list):
            raise invalid("attachments", "LIST_TYPE_CONVERT", "Must be an array.")
        seen = set()
        for number, item in enumerate(described):
            if not isinstance(item, dict) or "id" not in item:
                raise invalid(
                    f"attachments.{number}.id", "BASE_TYPE_REQUIRED", "This field is required"
                )
            try:
                index = int(item["id"])
            except (TypeError, ValueError):
                raise invalid(
                    f"attachments.{number}.id", "NUMBER_TYPE_COERCE", "Value is not int."
                ) from None
            if index not in uploads:
                raise invalid(
                    f"attachments.{number}.id", "ATTACHMENT_NOT_FOUND", "Attachment data not found"
                )
            description = item.get("description")
            if description is not None and (
                not isinstance(description, str) or len(description) > DESCRIPTION_LIMIT
            ):
                raise invalid(
                    f"attachments.{number}.description",
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {DESCRIPTION_LIMIT} or fewer in length.",
                )
            seen.add(index)
            filename, content_type, data = uploads[index]
            attachments.append(
                {
                    "filename": item.get("filename") or filename,
                    "description": description,
                    "content_type": content_type,
                    "size": len(data),
                    "bytes": data,
                }
            )
        for index in sorted(set(uploads) - seen):  # files sent without attachment metadata
            filename, content_type, data = uploads[index]
            attachments.append(
                {
                    "filename": filename,
                    "content_type": content_type,
                    "size": len(data),
                    "bytes": data,
                }
            )
        if not content.strip() and not attachments and not payload.get("embeds"):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        return {
            "type": 0,
            "content": content,
            "channel_id": self.channel_id,
            "author": {
                "id": self.webhook_id,
                "username": username or self.name,
                "avatar": None,
                "discriminator": "0000",
                "bot": True,
            },
            "attachments": attachments,
            "embeds": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "flags": 0,
            "components": [],
            "webhook_id": self.webhook_id,
        }
