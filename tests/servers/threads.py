"""A strict Threads API server: the calls smmgen's driver makes, checked as Meta documents them.

The contract (Meta's Threads API docs: "Posts", "Carousel posts", "Reply
management", "Publishing limits" in "Overview", "Troubleshooting", "Debug
access token"; the official Postman collection of ``fbsamples/threads_api``):

- Every path starts with ``/v1.0``. The token comes as ``Authorization: Bearer``
  or the ``access_token`` parameter; parameters come from the query string or
  an ``application/x-www-form-urlencoded`` body. A wrong token is Graph error
  190 "Invalid OAuth access token - Cannot parse access token" (HTTP 400), an
  expired one 190/463 "Error validating access token: Session has expired"
  (HTTP 401 here), a token without ``threads_content_publish`` error 10
  "Application does not have permission for this action" (HTTP 403).
- ``POST /{user}/threads`` makes a container: ``media_type`` TEXT (``text``
  required), IMAGE (``image_url``), VIDEO (``video_url``), CAROUSEL
  (``children``: 2-20 ids of FINISHED item containers made with
  ``is_carousel_item=true``); ``text`` at most 500, counted here as UTF-8
  bytes (Meta's docs count emoji so, and production refused curly quotes so:
  postiz-app#1946); ``alt_text`` at most 1000; ``reply_to_id`` a published
  post. More than 5 distinct links fail with ``THREADS_API__LINK_LIMIT_EXCEEDED``
  (since 2025-12-22). ``auto_publish_text`` is refused as a contract breach:
  smmgen must never use it.
- The server downloads each ``image_url``/``video_url`` itself (from loopback
  only) when the container is made; a file it cannot download, or that is not a
  JPEG or PNG (image) or MP4/MOV (video), leaves the container ``ERROR`` with
  ``error_message`` ``FAILED_DOWNLOADING_IMAGE`` (this server's wording; Meta
  documents ``FAILED_DOWNLOADING_VIDEO``) or ``FAILED_DOWNLOADING_VIDEO``.
- ``GET /{container}?fields=status,error_message``: ``IN_PROGRESS`` for the first
  ``in_progress_polls`` reads, then ``FINISHED``; ``PUBLISHED`` once published;
  ``EXPIRED`` 24 hours after it was made unless published.
- ``POST /{user}/threads_publish?creation_id=``: a FINISHED container that is
  not a carousel item, at most 250 posts and 1000 replies in a moving 24 hours
  (error code 4, subcode 2207042 in this server's wording for a spent quota);
  answers ``{"id": <media id>}``.
- ``GET /{user}/threads_publishing_limit``, ``GET /{user}/threads`` and
  ``/replies`` (newest first, ``since``, ``limit``, ``after`` cursors),
  ``GET /{media}?fields=permalink,...``, ``GET /{user}?fields=id,username``,
  ``GET /debug_token?input_token=``.

Errors are Graph errors ``{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}``. The ``rate_429`` fault answers 429 with
error code 4 and the Graph API's usage headers ``X-App-Usage`` and
``X-Business-Use-Case-Usage`` (``estimated_time_to_regain_access`` in
minutes: ``faults.retry_after``). Threads documents no usage header: these are
the Graph API's (UNVERIFIED for Threads).

Counting and link finding are this server's own code, never smmgen's.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from tests.servers.base import Faults, Reply, Request, TestServer

TOKEN = "THAAGk2x9QpL7vR4mN8sT1wY6zB3cD5fH0jK2eU7iO4nB1vC8xZ3kM6qT9wE2rY5uI0oP7aSd"
TOKEN_ENV = "SMMGEN_THREADS_TOKEN"
ENV = {TOKEN_ENV: TOKEN}
USER_ID = "17841400000000001"
USERNAME = "smmgen_test"
VERSION = "v1.0"

TEXT_LIMIT = 500
ALT_LIMIT = 1000
LINK_LIMIT = 5
CAROUSEL = (2, 20)
IMAGE_BYTES = 8 * 1024 * 1024
CONTAINER_TTL = 24 * 3600.0
POSTS_QUOTA = 250
REPLIES_QUOTA = 1000
WINDOW = 86400
SCOPES = ["threads_basic", "threads_content_publish", "threads_manage_replies"]

# Links as a reader sees them: with a scheme, or www.; own pattern, not smmgen's.
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)


class GraphError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: int,
        subcode: int | None = None,
        kind: str = "OAuthException",
        user_message: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.subcode = subcode
        self.kind = kind
        self.user_message = user_message


def graph_error(
    message: str,
    code: int,
    subcode: int | None = None,
    kind: str = "OAuthException",
    user_message: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_message is not None:
        error["error_user_msg"] = user_message
    error.update(extra)
    error["fbtrace_id"] = "A" + secrets.token_hex(10)
    return {"error": error}


def bad_param(message: str) -> GraphError:
    return GraphError(400, message, 100, kind="THApiException")


def text_length(text: str) -> int:
    """This server's count: UTF-8 bytes (see the module docstring)."""
    return len(text.encode("utf-8"))


def links(text: str) -> set[str]:
    return {m.group(0).lower().removeprefix("https://").removeprefix("http://") for m in
            _LINK.finditer(text)}  # fmt: skip


def _media_kind(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image"
    if data.startswith(b"\xff\xd8\xff"):
        return "image"
    if len(data) > 12 and data[4:8] == b"ftyp":
        return "video"
    return None


@dataclass
class Container:
    id: str
    media_type: str
    text: str | None
    created: float
    reply_to: str | None = None
    children: list[str] = field(default_factory=list)
    carousel_item: bool = False
    url: str | None = None
    alt_text: str | None = None
    polls_left: int = 0
    error_message: str | None = None
    published_as: str | None = None


@dataclass
class Post:
    id: str
    container: str
    text: str
    media_type: str
    reply_to: str | None
    media: int
    created: float
    shortcode: str


class FileServer:
    """The project's files served on 127.0.0.1, as a deployed site would serve them:
    ``with FileServer(root) as files: files.url``. ``requests`` lists the paths asked."""

    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        owner = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any):
                super().__init__(*args, directory=str(owner.root), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner.requests.append(urlsplit(self.path).path)
                super().do_GET()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class ThreadsServer(TestServer):
    """``with ThreadsServer() as server:`` one account (``USERNAME``), token ``TOKEN``."""

    def __init__(
        self,
        faults: Faults | None = None,
        *,
        in_progress_polls: int = 0,
        quota_used: int = 0,
        scopes: list[str] | None = None,
        expires_in: float = 50 * 86400,
    ):
        super().__init__(faults)
        self.token = TOKEN
        self.in_progress_polls = in_progress_polls
        self.scopes = list(SCOPES if scopes is None else scopes)
        self.token_expired = False
        self.expires_at = int(time.time() + expires_in)
        self.offset = 0.0  # seconds added to the clock (tests age containers)
        self.containers: dict[str, Container] = {}
        self.posts: list[Post] = []
        self.downloads: list[str] = []  # URLs fetched
        self._quota_times: list[float] = [time.time()] * quota_used
        self._reply_times: list[float] = []
        self._next = 18000000000000000
        self._state = threading.RLock()

    def __enter__(self) -> ThreadsServer:
        self.start()
        return self

    # -- for tests --------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.offset

    def published(self) -> list[dict[str, Any]]:
        """One dict per public post: id, text, reply_to, media (the chaos test's view)."""
        with self._state:
            return [
                {"id": p.id, "text": p.text, "reply_to": p.reply_to, "media": p.media}
                for p in self.posts
            ]

    def created(self, **match: Any) -> list[Container]:
        with self._state:
            return [
                c
                for c in self.containers.values()
                if all(getattr(c, k) == v for k, v in match.items())
            ]

    def permalink(self, post: Post) -> str:
        return f"https://www.threads.net/@{USERNAME}/post/{post.shortcode}"

    # -- the base class's hooks ----------------------------------------------------------
    def error_body(self, status: int, message: str) -> Any:
        return graph_error(
            "An unexpected error has occurred. Please retry your request later.",
            2,
            kind="OAuthException",
            is_transient=True,
        )

    def rate_limited(self, request: Request) -> Reply:
        minutes = self.faults.retry_after
        usage = {
            USER_ID: [
                {
                    "type": "threads",
                    "call_count": 100,
                    "total_cputime": 30,
                    "total_time": 40,
                    "estimated_time_to_regain_access": minutes,
                }
            ]
        }
        reply = Reply(
            429,
            graph_error("(#4) Application request limit reached", 4, is_transient=True),
        )
        reply.headers["X-App-Usage"] = json.dumps(
            {"call_count": 100, "total_cputime": 30, "total_time": 40}
        )
        reply.headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
        return reply

    def handle(self, request: Request) -> Reply:
        try:
            return Reply(200, self._dispatch(request))
        except GraphError as exc:
            return Reply(
                exc.status,
                graph_error(exc.message, exc.code, exc.subcode, exc.kind, exc.user_message),
            )

    # -- requests ------------------------------------------------------------------------
    def _params(self, request: Request) -> dict[str, str]:
        params: dict[str, list[str]] = {k: list(v) for k, v in request.query.items()}
        if request.method == "POST" and request.body:
            kind = (request.header("content-type") or "").split(";")[0].strip()
            if kind != "application/x-www-form-urlencoded":
                self.errors.append(f"POST {request.path}: body of type {kind!r}, not a form")
                raise bad_param("Unsupported post request.")
            form = parse_qs(
                request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=True
            )
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
        out = {}
        for key, values in params.items():
            if len(values) != 1:
                self.errors.append(
                    f"{request.method} {request.path}: {key} given {len(values)} times"
                )
                raise bad_param(f"(#100) Param {key} given more than once")
            out[key] = values[0]
        return out

    def _authorize(self, request: Request, params: dict[str, str]) -> None:
        header = request.header("authorization")
        token = params.pop("access_token", None)
        if header is not None:
            if token is not None:
                self.errors.append("the token was sent twice (header and access_token)")
            scheme, _, token = header.partition(" ")
            if scheme.lower() not in ("bearer", "oauth"):
                token = None
        if token != self.token:
            raise GraphError(400, "Invalid OAuth access token - Cannot parse access token", 190)
        if self.token_expired:
            raise GraphError(
                401,
                "Error validating access token: Session has expired on Monday, 30-Nov-26"
                " 10:00:00 PST.",
                190,
                463,
            )

    def _dispatch(self, request: Request) -> Any:
        path = request.path
        if not path.startswith(f"/{VERSION}/"):
            raise GraphError(400, f"Unsupported request - method type: {request.method}", 100)
        params = self._params(request)
        self._authorize(request, params)
        parts = path[len(VERSION) + 2 :].split("/")
        with self._state:
            if request.method == "GET" and parts == ["debug_token"]:
                return self._debug_token(params)
            if parts[0] in ("me", USER_ID):
                rest = parts[1:]
                if request.method == "GET" and rest == []:
                    return self._fields({"id": USER_ID, "username": USERNAME}, params)
                if request.method == "POST" and rest == ["threads"]:
                    return self._create(params)
                if request.method == "POST" and rest == ["threads_publish"]:
                    return self._publish(params)
                if request.method == "GET" and rest == ["threads_publishing_limit"]:
                    return self._limit(params)
                if request.method == "GET" and rest in (["threads"], ["replies"]):
                    return self._list(params, replies=rest == ["replies"])
            if request.method == "GET" and len(parts) == 1:
                return self._node(parts[0], params)
        self.errors.append(f"unexpected request {request.method} {path}")
        raise GraphError(400, f"Unsupported {request.method} request.", 100, 33)

    def _fields(self, values: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        wanted = [f for f in params.get("fields", "").split(",") if f]
        unknown = [f for f in wanted if f not in values and f != "error_message"]
        if unknown:
            self.errors.append(f"unknown fields {unknown}")
            raise bad_param(f"(#100) Tried accessing nonexisting field ({unknown[0]})")
        out = {"id": values["id"]}
        out.update({f: values[f] for f in wanted if f in values and values[f] is not None})
        return out

    def _debug_token(self, params: dict[str, str]) -> Any:
        if params.get("input_token") != self.token:
            raise GraphError(400, "(#100) The parameter input_token is required", 100)
        return {
            "data": {
                "type": "USER",
                "application": "smmgen test app",
                "data_access_expires_at": self.expires_at + 30 * 86400,
                "expires_at": self.expires_at,
                "is_valid": True,
                "issued_at": self.expires_at - 60 * 86400,
                "scopes": self.scopes,
                "user_id": USER_ID,
            }
        }

    def _needs(self, scope: str) -> None:
        if scope not in self.scopes:
            raise GraphError(403, "(#10) Application does not have permission for this action", 10)

    # -- containers ------------------------------------------------------------------------
    def _new_id(self) -> str:
        self._next += 1 + secrets.randbelow(50)
        return str(self._next)

    def _create(self, params: dict[str, str]) -> Any:
        self._needs("threads_content_publish")
        if "auto_publish_text" in params:
            self.errors.append("auto_publish_text was sent: the container model is required")
        allowed = {"media_type", "text", "image_url", "video_url", "alt_text", "children",
                   "is_carousel_item", "reply_to_id", "auto_publish_text"}  # fmt: skip
        extra = set(params) - allowed
        if extra:
            self.errors.append(f"container with unexpected parameters {sorted(extra)}")
            raise bad_param(f"(#100) Unknown parameter {sorted(extra)[0]}")
        kind = params.get("media_type")
        if kind not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            raise bad_param("(#100) Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}")
        text = params.get("text")
        item = params.get("is_carousel_item")
        if item not in (None, "true", "false"):
            raise bad_param("(#100) Param is_carousel_item must be a boolean")
        carousel_item = item == "true"
        if text is not None:
            if text_length(text) > TEXT_LIMIT:
                raise bad_param(f"Param text must be at most {TEXT_LIMIT} characters long.")
            if len(links(text)) > LINK_LIMIT:
                raise GraphError(
                    400,
                    "THREADS_API__LINK_LIMIT_EXCEEDED",
                    100,
                    4279009,
                    "THApiException",
                    f"Posts can't have more than {LINK_LIMIT} links.",
                )
        if carousel_item and (text or params.get("reply_to_id")):
            self.errors.append("a carousel item was given text or reply_to_id")
        alt = params.get("alt_text")
        if alt is not None and (kind in ("TEXT", "CAROUSEL") or len(alt) > ALT_LIMIT):
            raise bad_param(f"(#100) Param alt_text must be at most {ALT_LIMIT} characters long.")
        container = Container(self._new_id(), kind, text, self.now(), carousel_item=carousel_item)
        container.alt_text = alt
        container.polls_left = self.in_progress_polls
        if kind == "TEXT":
            if not text or carousel_item:
                raise bad_param("(#100) Param text is required for a TEXT post")
        elif kind in ("IMAGE", "VIDEO"):
            name = "image_url" if kind == "IMAGE" else "video_url"
            url = params.get(name)
            if not url:
                raise bad_param(f"(#100) Param {name} is required")
            container.url = url
            container.error_message = self._download(url, kind)
        else:
            if carousel_item:
                raise bad_param("(#100) A carousel cannot be a carousel item")
            ids = params.get("children", "").split(",")
            if not CAROUSEL[0] <= len(ids) <= CAROUSEL[1]:
                raise bad_param(
                    f"(#100) Param children must have between {CAROUSEL[0]} and {CAROUSEL[1]} items"
                )
            for child in ids:
                found = self.containers.get(child)
                if found is None or not found.carousel_item:
                    raise bad_param(f"(#100) Param children: {child} is not a carousel item")
                if self._status(found) != "FINISHED":
                    raise bad_param(f"(#100) Param children: {child} is not FINISHED")
            container.children = ids
        reply_to = params.get("reply_to_id")
        if reply_to is not None:
            if not any(p.id == reply_to for p in self.posts):
                raise bad_param(f"(#100) Param reply_to_id: {reply_to} does not exist")
            self._needs("threads_manage_replies")
            container.reply_to = reply_to
        self.containers[container.id] = container
        return {"id": container.id}

    def _download(self, url: str, kind: str) -> str | None:
        """Fetch the media as Meta does; the container's error_message, or None."""
        failed = f"FAILED_DOWNLOADING_{kind}"
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname != "127.0.0.1":
            return failed  # never leaves this machine
        self.downloads.append(url)
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                data = answer.read(IMAGE_BYTES + 1)
        except (urllib.error.URLError, OSError):
            return failed
        found = _media_kind(data)
        if kind == "IMAGE" and (found != "image" or len(data) > IMAGE_BYTES):
            return failed
        if kind == "VIDEO" and found != "video":
            return failed
        return None

    def _status(self, container: Container) -> str:
        if container.published_as is not None:
            return "PUBLISHED"
        if self.now() - container.created > CONTAINER_TTL:
            return "EXPIRED"
        if container.error_message:
            return "ERROR"
        if container.polls_left > 0:
            return "IN_PROGRESS"
        return "FINISHED"

    def _node(self, node: str, params: dict[str, str]) -> Any:
        container = self.containers.get(node)
        if container is not None:
            status = self._status(container)
            if container.polls_left > 0:
                container.polls_left -= 1
            values: dict[str, Any] = {"id": container.id, "status": status}
            if status == "ERROR":
                values["error_message"] = container.error_message
            return self._fields(values, params)
        for post in self.posts:
            if post.id == node:
                return self._fields(self._post_values(post), params)
        raise GraphError(
            400,
            f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded"
            " due to missing permissions, or does not support this operation",
            100,
            33,
        )

    # -- publishing ------------------------------------------------------------------------
    def _window(self, times: list[float]) -> list[float]:
        now = self.now()
        times[:] = [t for t in times if now - t < WINDOW]
        return times

    def _publish(self, params: dict[str, str]) -> Any:
        self._needs("threads_content_publish")
        creation = params.get("creation_id")
        if set(params) != {"creation_id"}:
            self.errors.append(f"threads_publish with parameters {sorted(params)}")
        container = self.containers.get(creation or "")
        if container is None:
            raise bad_param(f"(#100) Param creation_id: {creation} does not exist")
        status = self._status(container)
        if container.carousel_item:
            raise bad_param("(#100) A carousel item cannot be published on its own")
        if status != "FINISHED":
            self.errors.append(f"threads_publish of a container that is {status}")
            raise GraphError(
                400, f"The media is not ready for publishing ({status})", 9007, 2207027
            )
        times = self._window(self._reply_times if container.reply_to else self._quota_times)
        total = REPLIES_QUOTA if container.reply_to else POSTS_QUOTA
        if len(times) >= total:
            self.errors.append("threads_publish over the quota: the driver should not send it")
            raise GraphError(400, "Application request limit reached", 4, 2207042)
        times.append(self.now())
        media = 0 if container.media_type == "TEXT" else len(container.children) or 1
        post = Post(
            self._new_id(),
            container.id,
            container.text or "",
            container.media_type,
            container.reply_to,
            media,
            self.now(),
            secrets.token_urlsafe(8),
        )
        container.published_as = post.id
        self.posts.append(post)
        return {"id": post.id}

    def _limit(self, params: dict[str, str]) -> Any:
        row = {
            "quota_usage": len(self._window(self._quota_times)),
            "config": {"quota_total": POSTS_QUOTA, "quota_duration": WINDOW},
            "reply_quota_usage": len(self._window(self._reply_times)),
            "reply_config": {"quota_total": REPLIES_QUOTA, "quota_duration": WINDOW},
        }
        wanted = [f for f in params.get("fields", "").split(",") if f]
        if not wanted or any(f not in row for f in wanted):
            self.errors.append(f"threads_publishing_limit fields {wanted}")
            raise bad_param("(#100) Tried accessing nonexisting field")
        return {"data": [{f: row[f] for f in wanted}]}

    def _post_values(self, post: Post) -> dict[str, Any]:
        when = datetime.fromtimestamp(post.created, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        return {
            "id": post.id,
            "text": post.text or None,
            "timestamp": when,
            "permalink": self.permalink(post),
            "media_type": "TEXT_POST"
            if post.media_type == "TEXT"
            else post.media_type + ("_ALBUM" if post.media_type == "CAROUSEL" else ""),
            "is_reply": post.reply_to is not None,
            "replied_to": {"id": post.reply_to} if post.reply_to else None,
            "username": USERNAME,
            "shortcode": post.shortcode,
        }

    def _list(self, params: dict[str, str], *, replies: bool) -> Any:
        limit = int(params.get("limit", "25"))
        if not 1 <= limit <= 100:
            raise bad_param("(#100) Param limit must be between 1 and 100")
        since = float(params["since"]) if "since" in params else None
        posts = [p for p in reversed(self.posts) if (p.reply_to is not None) == replies]
        if since is not None:
            posts = [p for p in posts if p.created >= since]
        start = 0
        if "after" in params:
            start = next(
                (i + 1 for i, p in enumerate(posts) if p.id == params["after"]), len(posts)
            )
        page = posts[start : start + limit]
        body: dict[str, Any] = {"data": [self._fields(self._post_values(p), params) for p in page]}
        if page:
            body["paging"] = {"cursors": {"before": page[0].id, "after": page[-1].id}}
            if start + limit < len(posts):
                body["paging"]["next"] = "next-page"
        return body


def channel_yaml(server: ThreadsServer, site: str | None = None) -> dict[str, Any]:
    """The channels.yaml entry of a channel publishing to ``server``, its media served
    at ``site`` (the URL of the project's files, e.g. ``FileServer.url``) when given;
    its credentials are in :data:`ENV`."""
    entry: dict[str, Any] = {"type": "threads", "api_base": server.url, "token_env": TOKEN_ENV}
    if site is not None:
        entry["media_base_url"] = site
    return entry
