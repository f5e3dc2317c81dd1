"""A strict in-memory Mastodon: the REST API smmgen's driver uses, as documented.

Endpoints (docs.joinmastodon.org, Mastodon 4.3):

- ``GET /api/v2/instance`` (public): limits in ``configuration``;
- ``GET /api/v1/accounts/verify_credentials``: the token's account;
- ``GET /api/v1/accounts/:id/statuses``: newest first, ``limit`` (20, at most
  40), ``max_id``, ``since_id``, ``min_id``, ``exclude_replies``,
  ``exclude_reblogs``, ``only_media``, and a ``Link`` header;
- ``POST /api/v2/media`` (multipart ``file``, ``description``, ``focus``):
  200 with ``url``, or 202 with ``url: null`` when ``media_polls`` > 0;
- ``GET /api/v1/media/:id``: 206 with ``url: null`` until it was polled
  ``media_polls`` times, then 200; only the uploader's unattached media;
- ``POST /api/v1/statuses`` (JSON, form or multipart): ``status``,
  ``media_ids``, ``visibility``, ``language``, ``in_reply_to_id``,
  ``sensitive``, ``spoiler_text``, de-duplicated by ``Idempotency-Key`` per
  account for an hour;
- ``GET /api/v1/statuses/:id``.

Errors are ``{"error": message}`` with Mastodon's messages: 401 for a missing
or unknown bearer token, 404 for an unknown record or parent, 422 for a blank
or too long text (counted as Mastodon counts: URLs 23, mentions without their
domain), too many, unknown, attached or unprocessed media, and bad uploads.
Every answer carries ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset``
(ISO 8601); a spent budget answers 429. Faults come from the base class.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qs, urlencode

from smmgen import text as textlib
from tests.servers.base import Faults, Reply, Request, TestServer

MB = 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/heic", "image/heif", "image/webp",
               "image/avif")  # fmt: skip
VIDEO_TYPES = ("video/webm", "video/mp4", "video/quicktime", "video/ogg")
AUDIO_TYPES = ("audio/wave", "audio/wav", "audio/x-wav", "audio/mpeg", "audio/mp3", "audio/ogg",
               "audio/flac", "audio/aac", "audio/mp4")  # fmt: skip
VISIBILITIES = ("public", "unlisted", "private", "direct")
IDEMPOTENCY_TTL = 3600.0  # Mastodon keeps keys an hour

_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")
_ENTITY = re.compile(
    r"(?P<url>https?://[^\s<>\"]+[^\s<>\".,;:!?'\")\]])"
    r"|(?<![\w/@])@(?P<user>[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)(?:@(?P<domain>[\w-]+(?:\.[\w-]+)+))?"
    r"|(?<![\w/&#])#(?P<tag>\w*[^\W\d_]\w*)"
)


class _Error(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _unauthorized() -> _Error:
    return _Error(401, "The access token is invalid")


def _not_found() -> _Error:
    return _Error(404, "Record not found")


def _iso(when: datetime) -> str:
    """Mastodon's timestamps: UTC with milliseconds."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1", "on")


@dataclass
class Account:
    id: str
    username: str
    token: str
    display_name: str
    created_at: datetime


@dataclass
class Attachment:
    id: str
    account_id: str
    filename: str
    content_type: str
    size: int
    description: str | None
    polls_left: int  # GETs until processed
    created_at: datetime
    focus: tuple[float, float] | None = None
    status_id: str | None = None

    @property
    def type(self) -> str:
        major = self.content_type.split("/")[0]
        return major if major in ("image", "video", "audio") else "unknown"

    @property
    def processed(self) -> bool:
        return self.polls_left <= 0


@dataclass
class Status:
    id: str
    account_id: str
    text: str  # as sent
    content: str  # as rendered
    visibility: str
    language: str | None
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    media_ids: list[str]
    created_at: datetime
    sensitive: bool = False
    spoiler_text: str = ""
    idempotency_key: str | None = None
    mentions: list[tuple[str, str | None]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class _Upload:
    filename: str
    content_type: str
    data: bytes


class MastodonServer(TestServer):
    """``with MastodonServer() as server:`` one account, token ``server.token``."""

    def __init__(
        self,
        faults: Faults | None = None,
        *,
        token: str = "test-token-0123456789",
        username: str = "smmgen",
        domain: str = "mastodon.test",
        max_characters: int = 500,
        max_media_attachments: int = 4,
        description_limit: int = 1500,
        image_size_limit: int = 16 * MB,
        video_size_limit: int = 99 * MB,
        media_polls: int = 0,
        rate_limit: int = 300,
        rate_window: float = 300.0,
        idempotency: bool = True,
    ):
        super().__init__(faults)
        self.token = token
        self.domain = domain
        self.max_characters = max_characters
        self.max_media_attachments = max_media_attachments
        self.description_limit = description_limit
        self.image_size_limit = image_size_limit
        self.video_size_limit = video_size_limit
        self.media_polls = media_polls
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        # False: keys are ignored, as after Mastodon's one hour (the chaos test
        # uses it so that only the ledger and reconciling prevent duplicates)
        self.idempotency = idempotency
        self._state = threading.RLock()
        self._last_id = 0
        self._accounts: dict[str, Account] = {}
        self._statuses: list[Status] = []
        self._media: dict[str, Attachment] = {}
        self._idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self._failures: list[tuple[str, str, int, str, dict[str, str]]] = []
        self._remaining = rate_limit
        self._resets = 0.0
        self.account = self.add_account(username, token)

    def __enter__(self) -> MastodonServer:  # the base class's is typed TestServer
        self.start()
        return self

    # -- for tests ----------------------------------------------------------
    def add_account(self, username: str, token: str) -> Account:
        """Another local account that posts with ``token``."""
        with self._state:
            account = Account(self._next_id(), username, token, username.title(), datetime(
                2026, 1, 1, tzinfo=UTC))  # fmt: skip
            self._accounts[account.id] = account
            return account

    @property
    def statuses(self) -> list[Status]:
        """Every status, oldest first."""
        with self._state:
            return list(self._statuses)

    @property
    def media(self) -> list[Attachment]:
        """Every upload, oldest first."""
        with self._state:
            return list(self._media.values())

    def status(self, status_id: str) -> Status | None:
        with self._state:
            return next((s for s in self._statuses if s.id == status_id), None)

    def count(self, text: str) -> int:
        """How many statuses have exactly this text."""
        with self._state:
            return sum(1 for s in self._statuses if s.text == text)

    def add_status(
        self, text: str, *, in_reply_to_id: str | None = None, visibility: str = "public"
    ) -> Status:
        """A status of the server's account, made without a request (no checks)."""
        with self._state:
            parent = self.status(in_reply_to_id) if in_reply_to_id else None
            return self._store(self.account, text, visibility=visibility, parent=parent)

    def finish_processing(self) -> None:
        """Every upload is processed now."""
        with self._state:
            for attachment in self._media.values():
                attachment.polls_left = 0

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        message: str = "injected failure",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``method path`` with this error, without processing it."""
        with self._state:
            self._failures.append((method, path, status, message, dict(headers or {})))

    # -- the server -----------------------------------------------------------
    def _next_id(self) -> str:
        """Snowflake-like: milliseconds << 16, increasing."""
        self._last_id = max(int(time.time() * 1000) << 16, self._last_id + 1)
        return str(self._last_id)

    def _rate(self) -> tuple[bool, dict[str, str]]:
        now = time.time()
        if now >= self._resets:
            self._resets = now + self.rate_window
            self._remaining = self.rate_limit
        allowed = self._remaining > 0
        if allowed:
            self._remaining -= 1
        reset = datetime.fromtimestamp(self._resets, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return allowed, {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(self._remaining),
            "X-RateLimit-Reset": reset,
        }

    def handle(self, request: Request) -> Reply:
        with self._state:
            allowed, headers = self._rate()
            if not allowed:
                return Reply(429, {"error": "Too many requests"}, headers)
            for n, (method, path, status, message, extra) in enumerate(self._failures):
                if method == request.method and path == request.path:
                    del self._failures[n]
                    return Reply(status, {"error": message}, {**headers, **extra})
            try:
                reply = self._route(request)
            except _Error as exc:
                reply = Reply(exc.status, {"error": exc.message})
            reply.headers.update(headers)
            return reply

    _ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
        ("GET", re.compile(r"/api/v2/instance"), "_instance"),
        ("GET", re.compile(r"/api/v1/accounts/verify_credentials"), "_verify_credentials"),
        ("GET", re.compile(r"/api/v1/accounts/(?P<id>[^/]+)/statuses"), "_account_statuses"),
        ("POST", re.compile(r"/api/v2/media"), "_upload"),
        ("GET", re.compile(r"/api/v1/media/(?P<id>[^/]+)"), "_get_media"),
        ("POST", re.compile(r"/api/v1/statuses"), "_create_status"),
        ("GET", re.compile(r"/api/v1/statuses/(?P<id>[^/]+)"), "_get_status"),
    )

    def _route(self, request: Request) -> Reply:
        for method, pattern, name in self._ROUTES:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                handler = getattr(self, name)
                reply: Reply = handler(request, **match.groupdict())
                return reply
        raise _not_found()

    # -- requests ---------------------------------------------------------------
    def _viewer(self, request: Request, *, required: bool) -> Account | None:
        header = request.header("authorization")
        if header is None:
            if required:
                raise _unauthorized()
            return None
        scheme, _, token = header.partition(" ")
        account = next((a for a in self._accounts.values() if a.token == token.strip()), None)
        if scheme.lower() != "bearer" or account is None:
            raise _unauthorized()
        return account

    def _params(self, request: Request) -> tuple[dict[str, Any], dict[str, _Upload]]:
        """Query and body parameters (``name[]`` as a list under ``name``), and files."""
        params: dict[str, Any] = {}
        files: dict[str, _Upload] = {}

        def add(name: str, value: Any) -> None:
            if name.endswith("[]"):
                params.setdefault(name[:-2], []).append(value)
            else:
                params[name] = value

        for name, values in request.query.items():
            for value in values:
                add(name, value)
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        if kind == "application/json" and request.body:
            try:
                data = json.loads(request.body)
            except ValueError:
                raise _Error(400, "Error occurred while parsing request parameters") from None
            if not isinstance(data, dict):
                raise _Error(400, "Error occurred while parsing request parameters")
            params.update(data)
        elif kind == "application/x-www-form-urlencoded":
            for name, values in parse_qs(request.body.decode(), keep_blank_values=True).items():
                for value in values:
                    add(name, value)
        elif kind == "multipart/form-data":
            head = f"Content-Type: {request.header('content-type')}\r\nMIME-Version: 1.0\r\n\r\n"
            message = BytesParser(policy=policy.HTTP).parsebytes(head.encode() + request.body)
            for part in message.walk():
                if part.is_multipart():
                    continue
                name = str(part.get_param("name", "", header="content-disposition"))
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                filename = part.get_filename()
                if filename is not None:
                    files[name] = _Upload(filename, part.get_content_type(), data)
                else:
                    add(name, data.decode())
        return params, files

    # -- entities ---------------------------------------------------------------
    def _account_json(self, account: Account, *, credential: bool = False) -> dict[str, Any]:
        base = self.url
        posted = [s.created_at for s in self._statuses if s.account_id == account.id]
        data: dict[str, Any] = {
            "id": account.id,
            "username": account.username,
            "acct": account.username,
            "display_name": account.display_name,
            "locked": False,
            "bot": False,
            "discoverable": True,
            "indexable": False,
            "group": False,
            "created_at": _iso(account.created_at),
            "note": "",
            "url": f"{base}/@{account.username}",
            "uri": f"{base}/users/{account.username}",
            "avatar": f"{base}/avatars/original/missing.png",
            "avatar_static": f"{base}/avatars/original/missing.png",
            "header": f"{base}/headers/original/missing.png",
            "header_static": f"{base}/headers/original/missing.png",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": len(posted),
            "last_status_at": max(posted).date().isoformat() if posted else None,
            "hide_collections": False,
            "noindex": False,
            "emojis": [],
            "roles": [],
            "fields": [],
        }
        if credential:
            data["source"] = {
                "privacy": "public",
                "sensitive": False,
                "language": None,
                "note": "",
                "fields": [],
                "follow_requests_count": 0,
                "indexable": False,
                "hide_collections": False,
                "discoverable": True,
                "attribution_domains": [],
            }
            data["role"] = {
                "id": "-99",
                "name": "",
                "permissions": "65536",
                "color": "",
                "highlighted": False,
            }
        return data

    def _media_json(self, attachment: Attachment) -> dict[str, Any]:
        base = f"{self.url}/system/media_attachments/files/{attachment.id}"
        meta: dict[str, Any] = {}
        if attachment.focus is not None:
            meta["focus"] = {"x": attachment.focus[0], "y": attachment.focus[1]}
        return {
            "id": attachment.id,
            "type": attachment.type,
            "url": f"{base}/original/{attachment.filename}" if attachment.processed else None,
            "preview_url": f"{base}/small/{attachment.filename}",
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": meta,
            "description": attachment.description,
            "blurhash": None,
        }

    def _status_json(self, status: Status, viewer: Account | None) -> dict[str, Any]:
        account = self._accounts[status.account_id]
        base = self.url
        data: dict[str, Any] = {
            "id": status.id,
            "created_at": _iso(status.created_at),
            "in_reply_to_id": status.in_reply_to_id,
            "in_reply_to_account_id": status.in_reply_to_account_id,
            "sensitive": status.sensitive,
            "spoiler_text": status.spoiler_text,
            "visibility": status.visibility,
            "language": status.language,
            "uri": f"{base}/users/{account.username}/statuses/{status.id}",
            "url": f"{base}/@{account.username}/{status.id}",
            "replies_count": sum(1 for s in self._statuses if s.in_reply_to_id == status.id),
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "content": status.content,
            "reblog": None,
            "application": {"name": "smmgen", "website": None},
            "account": self._account_json(account),
            "media_attachments": [self._media_json(self._media[i]) for i in status.media_ids],
            "mentions": [
                {
                    "id": str(abs(hash((user, domain))) % 10**17),
                    "username": user,
                    "url": f"https://{domain}/@{user}" if domain else f"{base}/@{user}",
                    "acct": f"{user}@{domain}" if domain else user,
                }
                for user, domain in status.mentions
            ],
            "tags": [{"name": tag, "url": f"{base}/tags/{tag}"} for tag in status.tags],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        if viewer is not None:
            data.update(favourited=False, reblogged=False, muted=False, bookmarked=False)
            if viewer.id == status.account_id:
                data["pinned"] = False
        return data

    def render(self, text: str) -> tuple[str, list[tuple[str, str | None]], list[str]]:
        """Mastodon's HTML for a plain text: paragraphs, ``<br />``, links,
        mentions (shown without their domain) and hashtags; and the mentions and tags."""
        mentions: list[tuple[str, str | None]] = []
        tags: list[str] = []

        def piece(segment: str) -> str:
            out: list[str] = []
            position = 0
            for match in _ENTITY.finditer(segment):
                out.append(html.escape(segment[position : match.start()]))
                position = match.end()
                if match.group("url"):
                    url = match.group("url")
                    scheme, _, rest = url.partition("://")
                    shown, hidden = rest[:30], rest[30:]
                    ellipsis = "ellipsis" if hidden else ""
                    out.append(
                        f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener"'
                        f' translate="no"><span class="invisible">{scheme}://</span>'
                        f'<span class="{ellipsis}">{html.escape(shown)}</span>'
                        f'<span class="invisible">{html.escape(hidden)}</span></a>'
                    )
                elif match.group("user"):
                    user, domain = match.group("user"), match.group("domain")
                    mentions.append((user, domain))
                    href = f"https://{domain}/@{user}" if domain else f"{self.url}/@{user}"
                    out.append(
                        f'<span class="h-card" translate="no"><a href="{html.escape(href)}"'
                        f' class="u-url mention">@<span>{html.escape(user)}</span></a></span>'
                    )
                else:
                    tag = match.group("tag")
                    tags.append(tag.lower())
                    out.append(
                        f'<a href="{self.url}/tags/{tag.lower()}" class="mention hashtag"'
                        f' rel="tag">#<span>{html.escape(tag)}</span></a>'
                    )
            out.append(html.escape(segment[position:]))
            return "".join(out)

        paragraphs = re.split(r"\n{2,}", text.replace("\r\n", "\n").strip())
        content = "".join(
            "<p>" + "<br />".join(piece(line) for line in p.split("\n")) + "</p>"
            for p in paragraphs
            if p
        )
        return content, mentions, list(dict.fromkeys(tags))

    def _visible(self, status: Status, viewer: Account | None) -> bool:
        if viewer is not None and viewer.id == status.account_id:
            return True
        return status.visibility in ("public", "unlisted")

    # -- endpoints --------------------------------------------------------------
    def _instance(self, request: Request) -> Reply:
        base = self.url
        return Reply(200, {
            "domain": self.domain,
            "title": "Mastodon test server",
            "version": "4.3.0",
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A strict loopback Mastodon for smmgen's tests.",
            "usage": {"users": {"active_month": len(self._accounts)}},
            "thumbnail": {"url": f"{base}/packs/media/images/preview.png"},
            "icon": [],
            "languages": ["en"],
            "configuration": {
                "urls": {"streaming": base.replace("http", "ws", 1), "status": None},
                "vapid": {"public_key": ""},
                "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": self.max_media_attachments,
                    "characters_reserved_per_url": 23,
                },
                "media_attachments": {
                    "supported_mime_types": [*IMAGE_TYPES, *VIDEO_TYPES, *AUDIO_TYPES],
                    "description_limit": self.description_limit,
                    "image_size_limit": self.image_size_limit,
                    "image_matrix_limit": 33177600,
                    "video_size_limit": self.video_size_limit,
                    "video_frame_rate_limit": 120,
                    "video_matrix_limit": 8294400,
                },
                "polls": {
                    "max_options": 4,
                    "max_characters_per_option": 50,
                    "min_expiration": 300,
                    "max_expiration": 2629746,
                },
                "translation": {"enabled": False},
            },
            "registrations": {"enabled": False, "approval_required": False, "message": None},
            "api_versions": {"mastodon": 2},
            "contact": {"email": "admin@" + self.domain, "account": None},
            "rules": [],
        })  # fmt: skip

    def _verify_credentials(self, request: Request) -> Reply:
        viewer = self._viewer(request, required=True)
        assert viewer is not None
        return Reply(200, self._account_json(viewer, credential=True))

    def _account_statuses(self, request: Request, id: str) -> Reply:
        viewer = self._viewer(request, required=False)
        account = self._accounts.get(id)
        if account is None:
            raise _not_found()
        params, _ = self._params(request)
        try:
            limit = min(max(int(params.get("limit", 20)), 1), 40)
            max_id = int(params["max_id"]) if params.get("max_id") else None
            since_id = int(params["since_id"]) if params.get("since_id") else None
            min_id = int(params["min_id"]) if params.get("min_id") else None
        except ValueError:
            raise _Error(400, "Error occurred while parsing request parameters") from None
        items = [s for s in self._statuses if s.account_id == id and self._visible(s, viewer)]
        if _truthy(params.get("exclude_replies", False)):
            items = [s for s in items if s.in_reply_to_account_id in (None, id)]
        if _truthy(params.get("only_media", False)):
            items = [s for s in items if s.media_ids]
        if max_id is not None:
            items = [s for s in items if int(s.id) < max_id]
        if since_id is not None:
            items = [s for s in items if int(s.id) > since_id]
        if min_id is not None:
            page = [s for s in items if int(s.id) > min_id][:limit][::-1]
        else:
            page = items[::-1][:limit]
        headers = {}
        if page:
            path = f"{self.url}{request.path}"
            older = urlencode({"limit": limit, "max_id": page[-1].id})
            newer = urlencode({"limit": limit, "min_id": page[0].id})
            headers["Link"] = f'<{path}?{older}>; rel="next", <{path}?{newer}>; rel="prev"'
        return Reply(200, [self._status_json(s, viewer) for s in page], headers)

    def _upload(self, request: Request) -> Reply:
        viewer = self._viewer(request, required=True)
        assert viewer is not None
        params, files = self._params(request)
        upload = files.get("file")
        if upload is None or not upload.data:
            raise _Error(422, "Validation failed: File can't be blank")
        kind = upload.content_type
        if kind not in (*IMAGE_TYPES, *VIDEO_TYPES, *AUDIO_TYPES):
            raise _Error(422, "Validation failed: File content type is invalid, File is invalid")
        cap = self.image_size_limit if kind in IMAGE_TYPES else self.video_size_limit
        if len(upload.data) > cap:
            raise _Error(422, f"Validation failed: File file size must be less than {cap // MB} MB")
        description = params.get("description")
        if description is not None and len(str(description)) > self.description_limit:
            raise _Error(
                422,
                "Validation failed: Description is too long"
                f" (maximum is {self.description_limit} characters)",
            )
        focus = None
        if params.get("focus"):
            try:
                x, y = (float(v) for v in str(params["focus"]).split(","))
            except ValueError:
                raise _Error(422, "Validation failed: Focus is invalid") from None
            focus = (x, y)
        attachment = Attachment(
            id=self._next_id(),
            account_id=viewer.id,
            filename=re.sub(r"[^\w.-]", "_", upload.filename) or "file",
            content_type=kind,
            size=len(upload.data),
            description=str(description) if description else None,
            polls_left=self.media_polls,
            created_at=datetime.now(UTC),
            focus=focus,
        )
        self._media[attachment.id] = attachment
        return Reply(200 if attachment.processed else 202, self._media_json(attachment))

    def _get_media(self, request: Request, id: str) -> Reply:
        viewer = self._viewer(request, required=True)
        attachment = self._media.get(id)
        if attachment is None or viewer is None or attachment.account_id != viewer.id:
            raise _not_found()
        if attachment.status_id is not None:
            raise _not_found()
        if not attachment.processed:
            attachment.polls_left -= 1
        return Reply(200 if attachment.processed else 206, self._media_json(attachment))

    def _get_status(self, request: Request, id: str) -> Reply:
        viewer = self._viewer(request, required=False)
        status = self.status(id)
        if status is None or not self._visible(status, viewer):
            raise _not_found()
        return Reply(200, self._status_json(status, viewer))

    def _create_status(self, request: Request) -> Reply:
        viewer = self._viewer(request, required=True)
        assert viewer is not None
        params, _ = self._params(request)
        parent: Status | None = None
        if params.get("in_reply_to_id"):
            parent = self.status(str(params["in_reply_to_id"]))
            if parent is None or not self._visible(parent, viewer):
                raise _Error(404, "The post you are trying to reply to does not appear to exist.")
        key = request.header("idempotency-key")
        now = time.time()
        if key and self.idempotency:
            known = self._idempotency.get((viewer.id, key))
            if known is not None and known[1] > now:
                earlier = self.status(known[0])
                if earlier is not None:
                    return Reply(200, self._status_json(earlier, viewer))
        media = self._attachments(viewer, params.get("media_ids"))
        text = params.get("status")
        text = "" if text is None else str(text)
        visibility = str(params.get("visibility") or "public")
        if visibility not in VISIBILITIES:
            raise _Error(422, "Validation failed: Visibility is not included in the list")
        spoiler = str(params.get("spoiler_text") or "")
        if not text.strip() and not media:
            raise _Error(422, "Validation failed: Text can't be blank")
        if textlib.length(spoiler + text, "mastodon") > self.max_characters:
            raise _Error(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        language = params.get("language")
        status = self._store(
            viewer,
            text,
            visibility=visibility,
            # Mastodon ignores a code it does not know (the account's default applies).
            language=language if isinstance(language, str) and _LANGUAGE.match(language) else None,
            parent=parent,
            media=media,
            sensitive=_truthy(params.get("sensitive", False)),
            spoiler_text=spoiler,
            key=key,
        )
        if key:
            self._idempotency[(viewer.id, key)] = (status.id, now + IDEMPOTENCY_TTL)
        return Reply(200, self._status_json(status, viewer))

    def _store(
        self,
        account: Account,
        text: str,
        *,
        visibility: str = "public",
        language: str | None = None,
        parent: Status | None = None,
        media: list[Attachment] = (),  # type: ignore[assignment]
        sensitive: bool = False,
        spoiler_text: str = "",
        key: str | None = None,
    ) -> Status:
        content, mentions, tags = self.render(text)
        status = Status(
            id=self._next_id(),
            account_id=account.id,
            text=text,
            content=content,
            visibility=visibility,
            language=language,
            in_reply_to_id=parent.id if parent else None,
            in_reply_to_account_id=parent.account_id if parent else None,
            media_ids=[a.id for a in media],
            created_at=datetime.now(UTC),
            sensitive=sensitive,
            spoiler_text=spoiler_text,
            idempotency_key=key,
            mentions=mentions,
            tags=tags,
        )
        for attachment in media:
            attachment.status_id = status.id
        self._statuses.append(status)
        return status

    def _attachments(self, viewer: Account, ids: Any) -> list[Attachment]:
        """The media of a new status, checked as ``PostStatusService#validate_media!``."""
        if not ids:
            return []
        if not isinstance(ids, list):
            ids = [ids]
        ids = [str(i) for i in ids]
        if len(ids) > self.max_media_attachments:
            raise _Error(422, f"Cannot attach more than {self.max_media_attachments} files")
        found = [
            self._media[i]
            for i in ids
            if i in self._media
            and self._media[i].account_id == viewer.id
            and self._media[i].status_id is None
        ]
        missing = [i for i in ids if i not in {a.id for a in found}]
        if missing:
            raise _Error(
                422, f"Media {', '.join(missing)} not found or already attached to another post"
            )
        if len(found) > 1 and any(a.type in ("video", "audio") for a in found):
            raise _Error(422, "Cannot attach a video to a post that already contains images")
        if any(not a.processed for a in found):
            raise _Error(
                422, "Cannot attach files that have not finished processing. Try again in a moment!"
            )
        return found
