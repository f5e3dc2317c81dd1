"""A strict in-memory X (API v2): the calls smmgen's X driver makes, as documented.

Every request body and every answer of this server is validated with the
pydantic models of X's official Python SDK, PyPI ``xdk`` (MIT, generated from
X's OpenAPI description): ``CreatePostsRequest``, ``MediaUploadRequest``,
``InitializeMediaUploadRequest``, ``AppendMediaUploadRequest``,
``CreateMediaMetadataRequest`` and their responses, ``GetUsersMeResponse``,
``GetUsersPostsResponse``, ``GetMediaUploadStatusResponse``. The SDK's models
allow unknown fields; this server does not: a field the model does not name is
an error (X's ``TweetCreateRequest`` has ``additionalProperties: false``). The
SDK renamed two fields of X's answers (``referenced_tweets`` to
``referenced_posts``, ``edit_history_tweet_ids`` to ``edit_history_post_ids``);
the server answers with X's documented names and allows just those two.

Everything else is the server's own code, from X's documentation:

- OAuth 1.0a (RFC 5849) with HMAC-SHA1, verified here with ``hmac`` (never the
  driver's oauthlib): the base string from the method, the URL as received and
  the query and ``oauth_*`` parameters (a JSON or multipart body is not
  signed), a timestamp within 5 minutes and a fresh nonce. A bad signature, an
  unknown key or token: 401 ``Unauthorized``.
- ``Content-Type: application/json`` on every JSON body ("Requests with bodies
  must have content-type of application/json."), multipart on ``append``.
- Text counted by the npm twitter-text 3.1.0 (``twttr.parseTweet``, run by
  tests/text/node/twitter_count.mjs), never by smmgen: over ``max_chars``
  refused with X's message. The text X gives back has each link wrapped as a
  23-character ``https://t.co/...`` link (the URLs twitter-text finds), and a
  post with media ends with a t.co link to the media, as on X.
- The same text twice from the account: 403 ``duplicate content``.
- Media: images up to 5 MB in one ``POST /2/media/upload``; GIFs and videos
  through ``initialize``/``append``/``finalize``, processed after
  ``media_polls`` STATUS polls; at most 4 images, or 1 GIF or video, per post;
  alt text up to 1000 characters.
- Rate limits: ``x-rate-limit-limit``/``-remaining``/``-reset`` (epoch
  seconds) on every answer, and ``x-user-limit-24hour-*`` and
  ``x-app-limit-24hour-*`` on ``POST /2/tweets``; a spent window or day is 429.
- Errors are RFC 7807 problems (``type``, ``title``, ``detail``, ``status``).

For the chaos test: :data:`ENV`, :func:`channel_yaml` and :meth:`XServer.published`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import subprocess
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import quote, unquote

from pydantic import BaseModel, ValidationError
from xdk import schemas

from tests.prerequisites import node
from tests.servers.base import Faults, Reply, Request, TestServer
from tests.text.lexicon_helper import NODE_DIR

API_KEY = "xk-consumer-key-0123456789"
API_SECRET = "xk-consumer-secret-abcdefghijklmnop"
ACCESS_TOKEN = "1000000000000000001-accesstokenvalue0123"
ACCESS_TOKEN_SECRET = "access-token-secret-qrstuvwxyz987654"
USER_ID = "1000000000000000001"
USERNAME = "smmgen_test"

#: The variables channel_yaml names, and the values this server accepts.
ENV = {
    "SMMGEN_X_API_KEY": API_KEY,
    "SMMGEN_X_API_SECRET": API_SECRET,
    "SMMGEN_X_ACCESS_TOKEN": ACCESS_TOKEN,
    "SMMGEN_X_ACCESS_TOKEN_SECRET": ACCESS_TOKEN_SECRET,
}

MB = 1024 * 1024
IMAGE_BYTES = 5 * MB
GIF_BYTES = 15 * MB
VIDEO_BYTES = 512 * MB
ALT_CHARS = 1000
TIMESTAMP_SKEW = 300  # seconds
WINDOW = 900  # the 15-minute window
DAY = 86400
TCO_LENGTH = 23
MEDIA_LIFETIME = 86400
PROBLEMS = "https://api.x.com/2/problems/"
TWEET_FIELDS = frozenset({
    "article", "attachments", "author_id", "card_uri", "context_annotations", "conversation_id",
    "created_at", "edit_controls", "edit_history_tweet_ids", "entities", "geo", "id",
    "in_reply_to_user_id", "lang", "non_public_metrics", "note_tweet", "organic_metrics",
    "possibly_sensitive", "promoted_metrics", "public_metrics", "referenced_tweets",
    "reply_settings", "scopes", "source", "text", "withheld",
})  # fmt: skip
#: X's names that the SDK's models renamed (see the module docstring).
RENAMED = frozenset({"referenced_tweets", "edit_history_tweet_ids"})
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text"
    " length see https://github.com/twitter/twitter-text."
)
READ_ONLY = (
    "Your client app is not configured with the appropriate oauth1 app permissions for"
    " this endpoint."
)
_OAUTH_PARAM = re.compile(r'\s*([A-Za-z_]+)="([^"]*)"\s*')


def channel_yaml(server: XServer) -> dict[str, Any]:
    """The channels.yaml entry of an X channel on ``server`` (credentials in :data:`ENV`)."""
    return {
        "type": "x",
        "api_base": server.url,
        "api_key_env": "SMMGEN_X_API_KEY",
        "api_secret_env": "SMMGEN_X_API_SECRET",
        "access_token_env": "SMMGEN_X_ACCESS_TOKEN",
        "access_token_secret_env": "SMMGEN_X_ACCESS_TOKEN_SECRET",
    }


class _Error(Exception):
    def __init__(self, status: int, detail: str, *, kind: str = "", title: str = "", **extra: Any):
        super().__init__(detail)
        self.status = status
        self.body = {
            "type": PROBLEMS + kind if kind else "about:blank",
            "title": title or _TITLES.get(status, "Error"),
            "detail": detail,
            "status": status,
            **extra,
        }


_TITLES = {
    400: "Invalid Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def _invalid(message: str, **parameters: Any) -> _Error:
    return _Error(
        400,
        "One or more parameters to your request was invalid.",
        kind="invalid-request",
        errors=[{"message": message, "parameters": parameters}],
    )


def rfc3986(value: str) -> str:
    """RFC 5849 section 3.6: percent-encode all but ALPHA, DIGIT, ``-._~`` (UTF-8)."""
    return quote(value, safe="~")


def _extras(value: Any, where: str = "") -> list[str]:
    """Fields a validated SDK model holds that its class does not name."""
    found: list[str] = []
    if isinstance(value, BaseModel):
        for name in value.model_extra or {}:
            found.append(f"{where}{name}")
        for name in type(value).model_fields:
            found += _extras(getattr(value, name), f"{where}{name}.")
    elif isinstance(value, list):
        for item in value:
            found += _extras(item, where)
    return found


def count(text: str) -> tuple[int, list[tuple[int, int]]]:
    """twitter-text 3.1.0's weighted length of ``text``, and its URLs as code-point spans
    of the NFC text (tests/text/node/twitter_count.mjs)."""
    return _counted(text)


_COUNTS: dict[str, tuple[int, list[tuple[int, int]]]] = {}
_COUNTS_LOCK = threading.Lock()
_NODE: list[str] = []


def _counted(text: str) -> tuple[int, list[tuple[int, int]]]:
    prime([text])
    with _COUNTS_LOCK:
        return _COUNTS[text]


def prime(texts: list[str]) -> None:
    """Count the ``texts`` not counted yet, in one run of node."""
    with _COUNTS_LOCK:
        todo = [t for t in dict.fromkeys(texts) if t not in _COUNTS]
    if not todo:
        return
    proc = subprocess.run(
        [_NODE[0], str(NODE_DIR / "twitter_count.mjs")],
        input=json.dumps(todo),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    results = json.loads(proc.stdout)
    with _COUNTS_LOCK:
        for text, (weighted, urls) in zip(todo, results, strict=True):
            _COUNTS[text] = (int(weighted), [(int(a), int(b)) for a, b in urls])


@dataclass
class MediaItem:
    id: str
    owner: str
    category: str
    media_type: str
    total_bytes: int
    created: float
    segments: dict[int, bytes] = field(default_factory=dict)
    data: bytes = b""
    finalized: bool = False
    polls_left: int = 0
    alt_text: str | None = None

    @property
    def key(self) -> str:
        return f"{3 if self.category == 'tweet_image' else 7}_{self.id}"

    @property
    def processed(self) -> bool:
        return self.finalized and self.polls_left <= 0


@dataclass
class Post:
    id: str
    author: str
    sent: str  # the text as sent (as a reader sees it, links shown as written)
    text: str  # as X gives it back: links wrapped as t.co links
    reply_to: str | None
    conversation_id: str
    media: list[MediaItem]
    created_at: datetime


class XServer(TestServer):
    """``with XServer() as server:`` one account (:data:`USERNAME`), :data:`ENV` credentials."""

    def __init__(
        self,
        faults: Faults | None = None,
        *,
        max_chars: int = 280,
        media_polls: int = 0,
        read_only: bool = False,
        post_window: int = 100,
        user_day: int = 2400,
        app_day: int = 10000,
    ):
        super().__init__(faults)
        if not _NODE:
            _NODE.append(node())
        self.max_chars = max_chars
        self.media_polls = media_polls
        self.read_only = read_only
        self.post_window = post_window
        self.user_day = user_day
        self.app_day = app_day
        self.posts: list[Post] = []
        self.uploads: dict[str, MediaItem] = {}
        self._state = threading.RLock()
        self._last_id = 0
        self._nonces: set[tuple[str, str]] = set()
        self._windows: dict[str, tuple[int, float]] = {}  # endpoint -> (used, reset)
        self._days: dict[str, tuple[int, float]] = {}  # "user" / "app" -> (used, reset)
        self._failures: list[tuple[str, str, int, dict[str, Any], dict[str, str]]] = []
        self.bad_signatures = 0
        # "METHOD /path" held until ``unstall`` is set, then dropped unprocessed (a run
        # killed while its request was in flight: the test kills it once ``stalled``)
        self.stall: str | None = None
        self.stalled = threading.Event()
        self.unstall = threading.Event()

    def __enter__(self) -> XServer:  # the base class's is typed TestServer
        self.start()
        return self

    # -- for tests ------------------------------------------------------------------
    def published(self) -> list[dict[str, Any]]:
        """One dict per public post: id, text (as sent; a reader sees links as
        written), reply_to (the parent's id or None) and media (how many)."""
        with self._state:
            return [
                {"id": p.id, "text": p.sent, "reply_to": p.reply_to, "media": len(p.media)}
                for p in self.posts
            ]

    def add_post(self, text: str, *, reply_to: str | None = None) -> Post:
        """A post of the account, made without a request (no checks)."""
        with self._state:
            return self._store(text, reply_to, [])

    def add_posts(self, texts: list[str]) -> list[Post]:
        """Posts of the account, made without requests, counted in one run of node."""
        prime(texts)
        return [self.add_post(text) for text in texts]

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``method path`` with this error, without processing it."""
        problem = body or _Error(status, _TITLES.get(status, "Error")).body
        with self._state:
            self._failures.append((method, path, status, problem, dict(headers or {})))

    def rate_limited(self, request: Request) -> Reply:
        """X's 429: no Retry-After; the window's reset as epoch seconds."""
        reset = int(time.time()) + max(1, int(self.faults.retry_after))
        headers = {
            "x-rate-limit-limit": str(self.post_window),
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        }
        headers["Content-Type"] = "application/problem+json"
        return Reply(429, self.error_body(429, "Too Many Requests"), headers)

    def error_body(self, status: int, message: str) -> Any:
        return _Error(status, message).body

    # -- the server -----------------------------------------------------------------
    def _next_id(self) -> str:
        """Snowflake-like: (milliseconds since X's epoch) << 22, increasing, 19 digits."""
        self._last_id = max((int(time.time() * 1000) - 1288834974657) << 22, self._last_id + 1)
        return str(self._last_id)

    def handle(self, request: Request) -> Reply:
        if self.stall == f"{request.method} {request.path}":
            self.stalled.set()
            self.unstall.wait(60)
            return Reply(503, _Error(503, "dropped before processing").body)
        if request.method == "POST" and request.path == "/2/tweets":
            self._count_first(request)
        with self._state:
            try:
                self._authenticate(request)
            except _Error as exc:
                return Reply(exc.status, exc.body)
            for n, (method, path, status, body, extra) in enumerate(self._failures):
                if method == request.method and path == request.path:
                    del self._failures[n]
                    return Reply(status, body, extra)
            endpoint = self._endpoint(request)
            allowed, headers = self._rate(endpoint)
            if not allowed:
                headers["Content-Type"] = "application/problem+json"
                return Reply(429, _Error(429, "Too Many Requests").body, headers)
            try:
                reply = self._route(request)
            except _Error as exc:
                reply = Reply(exc.status, exc.body)
            except ValidationError as exc:  # an invalid request body
                self.errors.append(f"{request.method} {request.path}: {exc}")
                reply = Reply(400, _invalid(str(exc).splitlines()[0]).body)
            reply.headers.update(headers)
            if reply.status >= 400 and isinstance(reply.body, dict):
                reply.headers["Content-Type"] = "application/problem+json"
            return reply

    def _count_first(self, request: Request) -> None:
        """Count a post's text before taking the lock (node takes a moment: the
        other requests need not wait for it); ``_create`` then finds it counted."""
        try:
            text = json.loads(request.body).get("text")
        except (ValueError, AttributeError):
            return
        if isinstance(text, str):
            count(text)

    # -- OAuth 1.0a -------------------------------------------------------------------
    def _authenticate(self, request: Request) -> None:
        """Verify the OAuth 1.0a HMAC-SHA1 signature with this server's own code."""
        header = request.header("authorization") or ""
        if not header.startswith("OAuth "):
            raise _Error(401, "Unauthorized")
        params: dict[str, str] = {}
        for piece in header[len("OAuth ") :].split(","):
            match = _OAUTH_PARAM.fullmatch(piece)
            if not match:
                self.errors.append(f"malformed Authorization parameter {piece!r}")
                raise _Error(401, "Unauthorized")
            params[unquote(match.group(1))] = unquote(match.group(2))
        wanted = {"oauth_consumer_key", "oauth_token", "oauth_signature_method",
                  "oauth_timestamp", "oauth_nonce", "oauth_signature"}  # fmt: skip
        if not wanted <= set(params) or params.get("oauth_version", "1.0") != "1.0":
            self.errors.append(f"OAuth parameters missing: {sorted(wanted - set(params))}")
            raise _Error(401, "Unauthorized")
        if params["oauth_signature_method"] != "HMAC-SHA1":
            raise _Error(401, "Unauthorized")
        if abs(int(params["oauth_timestamp"]) - time.time()) > TIMESTAMP_SKEW:
            raise _Error(401, "Unauthorized")
        if params["oauth_consumer_key"] != API_KEY or params["oauth_token"] != ACCESS_TOKEN:
            raise _Error(401, "Unauthorized")
        signature = params.pop("oauth_signature")
        pairs = [(k, v) for k, v in params.items() if k != "realm"]
        for name, values in request.query.items():
            pairs += [(name, v) for v in values]
        # a form-encoded body is signed (RFC 5849 3.4.1.3.1); JSON and multipart are not
        if (request.header("content-type") or "").startswith("application/x-www-form-urlencoded"):
            self.errors.append("X's v2 endpoints take no form-encoded bodies")
        encoded = sorted((rfc3986(k), rfc3986(v)) for k, v in pairs)
        normalized = "&".join(f"{k}={v}" for k, v in encoded)
        host = (request.header("host") or "").lower()
        base_uri = f"http://{host.removesuffix(':80')}{request.path}"
        base = "&".join([request.method.upper(), rfc3986(base_uri), rfc3986(normalized)])
        key = f"{rfc3986(API_SECRET)}&{rfc3986(ACCESS_TOKEN_SECRET)}"
        expected = base64.b64encode(
            hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
        ).decode()
        if not hmac.compare_digest(expected, signature):
            self.bad_signatures += 1
            raise _Error(401, "Unauthorized")
        nonce = (params["oauth_timestamp"], params["oauth_nonce"])
        if nonce in self._nonces:
            self.errors.append("an OAuth nonce was used twice")
            raise _Error(401, "Unauthorized")
        self._nonces.add(nonce)

    # -- rate limits --------------------------------------------------------------------
    def _endpoint(self, request: Request) -> str:
        path = re.sub(r"/\d{5,}(?=/|$)", "/:id", request.path)  # ids, not /2
        return f"{request.method} {path}"

    def _rate(self, endpoint: str) -> tuple[bool, dict[str, str]]:
        """Count a request in its endpoint's 15-minute window (and, for ``POST
        /2/tweets``, in the user's and the app's day); X's headers for it."""
        now = time.time()
        limit = self.post_window if endpoint == "POST /2/tweets" else 900
        used, reset = self._windows.get(endpoint, (0, now + WINDOW))
        if now >= reset:
            used, reset = 0, now + WINDOW
        allowed = used < limit
        days: dict[str, tuple[int, float, int]] = {}
        if endpoint == "POST /2/tweets":
            for who, cap in (("user", self.user_day), ("app", self.app_day)):
                spent, day_reset = self._days.get(who, (0, now + DAY))
                if now >= day_reset:
                    spent, day_reset = 0, now + DAY
                allowed = allowed and spent < cap
                days[who] = (spent, day_reset, cap)
        step = 1 if allowed else 0
        self._windows[endpoint] = (used + step, reset)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - used - step)),
            "x-rate-limit-reset": str(int(reset)),
        }
        for who, (spent, day_reset, cap) in days.items():
            self._days[who] = (spent + step, day_reset)
            headers[f"x-{who}-limit-24hour-limit"] = str(cap)
            headers[f"x-{who}-limit-24hour-remaining"] = str(max(0, cap - spent - step))
            headers[f"x-{who}-limit-24hour-reset"] = str(int(day_reset))
        return allowed, headers

    def spend_day(self, who: str = "user") -> None:
        """Use up the 24-hour cap of the user (or the app) of ``POST /2/tweets``."""
        with self._state:
            cap = self.user_day if who == "user" else self.app_day
            self._days[who] = (cap, time.time() + DAY)

    # -- routing -------------------------------------------------------------------------
    _ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
        ("GET", re.compile(r"/2/users/me"), "_me"),
        ("GET", re.compile(r"/2/users/(?P<id>[0-9]+)/tweets"), "_user_posts"),
        ("POST", re.compile(r"/2/media/upload"), "_upload"),
        ("GET", re.compile(r"/2/media/upload"), "_status"),
        ("POST", re.compile(r"/2/media/upload/initialize"), "_initialize"),
        ("POST", re.compile(r"/2/media/upload/(?P<id>[0-9]+)/append"), "_append"),
        ("POST", re.compile(r"/2/media/upload/(?P<id>[0-9]+)/finalize"), "_finalize"),
        ("POST", re.compile(r"/2/media/metadata"), "_metadata"),
        ("POST", re.compile(r"/2/tweets"), "_create"),
    )

    def _route(self, request: Request) -> Reply:
        for method, pattern, name in self._ROUTES:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                reply: Reply = getattr(self, name)(request, **match.groupdict())
                return reply
        self.errors.append(f"unknown endpoint {request.method} {request.path}")
        raise _Error(404, "Sorry, that page does not exist.", kind="resource-not-found")

    def _json(self, request: Request, model: type[BaseModel]) -> Any:
        """The JSON body, validated with the SDK's ``model`` (and no field it does not name)."""
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            self.errors.append(f"{request.path}: Content-Type {kind!r}, not application/json")
            raise _Error(400, "Requests with bodies must have content-type of application/json.")
        try:
            data = json.loads(request.body)
        except ValueError:
            self.errors.append(f"{request.path}: the body is not JSON")
            raise _invalid("The request body is not valid JSON.") from None
        validated = model.model_validate(data)
        extra = _extras(validated)
        if extra:
            self.errors.append(f"{request.path}: fields X does not take: {extra}")
            raise _invalid(f"[{', '.join(extra)}] is not a valid field of the request body")
        return validated

    def _answer(self, model: type[BaseModel], body: dict[str, Any], status: int = 200) -> Reply:
        """An answer, validated with the SDK's response ``model`` first."""
        validated = model.model_validate(body)
        extra = [e for e in _extras(validated) if e.rsplit(".", 1)[-1] not in RENAMED]
        if extra:
            self.errors.append(f"the server's own answer has fields the SDK lacks: {extra}")
        return Reply(status, body)

    def _no_body(self, request: Request) -> None:
        if request.body:
            self.errors.append(f"{request.method} {request.path} takes no body")

    # -- users ---------------------------------------------------------------------------
    def _me(self, request: Request) -> Reply:
        self._no_body(request)
        user = {"id": USER_ID, "name": "smmgen test", "username": USERNAME}
        return self._answer(schemas.GetUsersMeResponse, {"data": user})

    def _user_posts(self, request: Request, id: str) -> Reply:
        self._no_body(request)
        if id != USER_ID:
            raise _Error(403, "You are not permitted to read this user's posts.")
        query = {k: v[-1] for k, v in request.query.items()}
        known = {"start_time", "end_time", "max_results", "tweet.fields", "pagination_token",
                 "exclude", "since_id", "until_id", "expansions"}  # fmt: skip
        if set(query) - known:
            self.errors.append(f"unknown parameters {sorted(set(query) - known)}")
            raise _invalid("The query has unknown parameters.")
        size = int(query.get("max_results", "10"))
        if not 5 <= size <= 100:
            self.errors.append(f"max_results {size} is not between 5 and 100")
            raise _invalid(
                f"The `max_results` query parameter value [{size}] is not between 5 and 100"
            )
        fields = set(filter(None, query.get("tweet.fields", "").split(",")))
        if fields - TWEET_FIELDS:
            self.errors.append(f"unknown tweet.fields {sorted(fields - TWEET_FIELDS)}")
            raise _invalid("The `tweet.fields` query parameter value is not one of the allowed")
        excluded = set(query.get("exclude", "").split(",")) - {""}
        start = _time(query["start_time"]) if "start_time" in query else None
        posts = [p for p in reversed(self.posts) if p.author == USER_ID]
        if start is not None:
            posts = [p for p in posts if p.created_at >= start]
        if "replies" in excluded:
            posts = [p for p in posts if p.reply_to is None]
        offset = int(query.get("pagination_token") or 0)
        page = posts[offset : offset + size]
        data = [self._post_json(p, fields) for p in page]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
        if offset + size < len(posts):
            meta["next_token"] = str(offset + size)
        body: dict[str, Any] = {"meta": meta}
        if data:
            body["data"] = data
        return self._answer(schemas.GetUsersPostsResponse, body)

    def _post_json(self, post: Post, fields: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": post.id, "text": post.text,
                               "edit_history_tweet_ids": [post.id]}  # fmt: skip
        if "created_at" in fields:
            out["created_at"] = post.created_at.isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"
            )
        if "conversation_id" in fields:
            out["conversation_id"] = post.conversation_id
        if "referenced_tweets" in fields and post.reply_to:
            out["referenced_tweets"] = [{"type": "replied_to", "id": post.reply_to}]
        if "attachments" in fields and post.media:
            out["attachments"] = {"media_keys": [m.key for m in post.media]}
        if "author_id" in fields:
            out["author_id"] = post.author
        return out

    # -- media ---------------------------------------------------------------------------
    def _new_media(self, category: str, media_type: str, total: int) -> MediaItem:
        item = MediaItem(self._next_id(), USER_ID, category, media_type, total, time.time())
        self.uploads[item.id] = item
        return item

    def _media_json(self, item: MediaItem, *, state: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"id": item.id, "media_key": item.key, "size": len(item.data),
                               "expires_after_secs": MEDIA_LIFETIME}  # fmt: skip
        if state and item.category != "tweet_image":
            progress = "succeeded" if item.processed else "in_progress"
            info: dict[str, Any] = {"state": progress}
            if not item.processed:
                info["check_after_secs"] = 1
                info["progress_percent"] = 50
            out["processing_info"] = info
        return out

    def _upload(self, request: Request) -> Reply:
        body = self._json(request, schemas.MediaUploadRequest)
        if request.query:
            self.errors.append(f"POST /2/media/upload with a query {request.query}")
        if body.media_category != "tweet_image":
            self.errors.append(f"one-shot upload of a {body.media_category}: use initialize")
            raise _invalid("Use the chunked upload for this media_category.")
        try:
            content = base64.b64decode(body.media, validate=True)
        except ValueError:
            self.errors.append("media is not base64")
            raise _invalid("The media is not valid base64.") from None
        media_type = _image_type(content)
        if media_type is None or media_type == "image/gif":
            self.errors.append(f"uploaded a file that is not a still image ({media_type})")
            raise _invalid("Unsupported media type for tweet_image.")
        if len(content) > IMAGE_BYTES:
            raise _invalid(f"File size exceeds {IMAGE_BYTES} bytes.")
        item = self._new_media("tweet_image", media_type, len(content))
        item.data, item.finalized = content, True
        return self._answer(schemas.MediaUploadResponse, {"data": self._media_json(item)})

    def _initialize(self, request: Request) -> Reply:
        body = self._json(request, schemas.InitializeMediaUploadRequest)
        if body.media_category not in ("tweet_gif", "tweet_video", "tweet_image"):
            self.errors.append(f"initialize with media_category {body.media_category}")
            raise _invalid("Unsupported media_category.")
        cap = {"tweet_gif": GIF_BYTES, "tweet_video": VIDEO_BYTES}.get(
            body.media_category, IMAGE_BYTES
        )
        if body.total_bytes is None or body.total_bytes > cap:
            raise _invalid(f"total_bytes must be given and at most {cap}.")
        item = self._new_media(body.media_category, str(body.media_type), body.total_bytes)
        data = {"id": item.id, "media_key": item.key, "expires_after_secs": MEDIA_LIFETIME}
        return self._answer(schemas.InitializeMediaUploadResponse, {"data": data})

    def _append(self, request: Request, id: str) -> Reply:
        item = self._owned(id)
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        if kind != "multipart/form-data":
            self.errors.append(f"append with Content-Type {kind!r}")
            raise _invalid("append takes multipart/form-data.")
        head = f"Content-Type: {request.header('content-type')}\r\nMIME-Version: 1.0\r\n\r\n"
        message = BytesParser(policy=policy.HTTP).parsebytes(head.encode() + request.body)
        fields: dict[str, bytes] = {}
        for part in message.walk():
            if part.is_multipart():
                continue
            name = str(part.get_param("name", "", header="content-disposition"))
            payload = part.get_payload(decode=True)
            fields[name] = payload if isinstance(payload, bytes) else b""
        schemas.AppendMediaUploadRequest.model_validate(
            {
                "media": fields.get("media", b"").decode("latin-1"),
                "segment_index": fields.get("segment_index", b"").decode(),
            }
        )
        if set(fields) != {"media", "segment_index"}:
            self.errors.append(f"append fields {sorted(fields)}")
        segment = int(fields["segment_index"])
        if not 0 <= segment <= 999 or item.finalized:
            raise _invalid("Invalid segment_index, or the upload is finalized.")
        item.segments[segment] = fields["media"]
        expires = int(item.created) + MEDIA_LIFETIME
        return self._answer(schemas.AppendMediaUploadResponse, {"data": {"expires_at": expires}})

    def _finalize(self, request: Request, id: str) -> Reply:
        self._no_body(request)
        item = self._owned(id)
        data = b"".join(item.segments[n] for n in sorted(item.segments))
        if sorted(item.segments) != list(range(len(item.segments))) or len(data) != (
            item.total_bytes
        ):
            self.errors.append("finalize: the segments do not add up to total_bytes")
            raise _invalid("File size does not match total_bytes, or segments are missing.")
        item.data, item.finalized, item.polls_left = data, True, self.media_polls
        body = {"data": self._media_json(item, state=True)}
        return self._answer(schemas.FinalizeMediaUploadResponse, body)

    def _status(self, request: Request) -> Reply:
        query = {k: v[-1] for k, v in request.query.items()}
        if query.get("command") != "STATUS" or set(query) != {"media_id", "command"}:
            self.errors.append(f"GET /2/media/upload with {query}")
            raise _invalid("command=STATUS and media_id are required.")
        item = self._owned(query["media_id"])
        if not item.finalized:
            raise _invalid("The media is not finalized.")
        if item.polls_left > 0:
            item.polls_left -= 1
        body = {"data": self._media_json(item, state=True)}
        return self._answer(schemas.GetMediaUploadStatusResponse, body)

    def _metadata(self, request: Request) -> Reply:
        body = self._json(request, schemas.CreateMediaMetadataRequest)
        item = self._owned(body.id)
        alt = body.metadata.alt_text if body.metadata else None
        if alt is None:
            self.errors.append("metadata without alt_text")
            raise _invalid("metadata.alt_text is required.")
        text = alt.text
        if not isinstance(text, str) or not 1 <= len(text) <= ALT_CHARS:
            raise _invalid(f"alt_text.text must be 1 to {ALT_CHARS} characters.")
        item.alt_text = text
        data = {"id": item.id, "associated_metadata": {"alt_text": {"text": text}}}
        return self._answer(schemas.CreateMediaMetadataResponse, {"data": data})

    def _owned(self, media_id: str) -> MediaItem:
        item = self.uploads.get(media_id)
        if item is None or item.owner != USER_ID:
            raise _invalid(f"Media id {media_id} is invalid.")
        if time.time() > item.created + MEDIA_LIFETIME:
            raise _invalid(f"Media id {media_id} has expired.")
        return item

    # -- posts ---------------------------------------------------------------------------
    def _create(self, request: Request) -> Reply:
        body = self._json(request, schemas.CreatePostsRequest)
        if self.read_only:
            # the body seen by node-twitter-api-v2#493 (2023)
            raise _Error(403, READ_ONLY, kind="oauth1-permissions")
        text = body.text or ""
        media: list[MediaItem] = []
        if body.media is not None:
            ids = body.media.media_ids
            if not 1 <= len(ids) <= 4:
                raise _invalid("media_ids must hold 1 to 4 ids.")
            for media_id in ids:
                item = self.uploads.get(media_id)
                if item is None or not item.processed:
                    raise _invalid("Your media IDs are invalid.", media_ids=ids)
                media.append(item)
            if len(media) > 1 and any(m.category != "tweet_image" for m in media):
                raise _invalid("A post takes 4 images, or 1 GIF, or 1 video.")
        if not text.strip() and not media:
            raise _invalid("The text of a post without media must not be empty.")
        weighted, _ = count(text)
        if weighted > self.max_chars:
            raise _Error(400, TOO_LONG, title="Bad Request")
        reply_to = body.reply.in_reply_to_tweet_id if body.reply else None
        if reply_to is not None and not any(p.id == reply_to for p in self.posts):
            raise _Error(
                400,
                "The Post you are replying to has been deleted or is not visible to you.",
                title="Bad Request",
            )
        if any(p.sent == text and p.author == USER_ID for p in self.posts):
            raise _Error(403, DUPLICATE)
        post = self._store(text, reply_to, media)
        data = {"id": post.id, "text": post.text}
        return self._answer(schemas.CreatePostsResponse, {"data": data}, 201)

    def _store(self, text: str, reply_to: str | None, media: list[MediaItem]) -> Post:
        post_id = self._next_id()
        parent = next((p for p in self.posts if p.id == reply_to), None)
        post = Post(
            id=post_id,
            author=USER_ID,
            sent=text,
            text=self._wrapped(text, bool(media)),
            reply_to=reply_to,
            conversation_id=parent.conversation_id if parent else post_id,
            media=media,
            created_at=datetime.now(UTC),
        )
        self.posts.append(post)
        return post

    def _wrapped(self, text: str, media: bool) -> str:
        """X's form of a text: links as t.co links, ``&<>`` escaped, a media link at the end."""
        normalized = unicodedata.normalize("NFC", text)
        _, urls = count(text)
        pieces, last = [], 0
        for start, end in urls:
            pieces += [_escape(normalized[last:start]), self._tco()]
            last = end
        out = "".join(pieces) + _escape(normalized[last:])
        if media:
            out = f"{out} {self._tco()}" if out else self._tco()
        return out

    def _tco(self) -> str:
        slug = hashlib.sha256(self._next_id().encode()).hexdigest()[
            : TCO_LENGTH - len("https://t.co/")
        ]
        return f"https://t.co/{slug}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _time(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(f"Invalid date {value!r}: use YYYY-MM-DDTHH:mm:ssZ") from None
    if when.tzinfo is None:
        raise _invalid(f"Invalid date {value!r}: use YYYY-MM-DDTHH:mm:ssZ")
    return when


def _image_type(data: bytes) -> str | None:
    """A still image's type from its first bytes (PNG, JPEG, WEBP; GIF is told apart)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None
