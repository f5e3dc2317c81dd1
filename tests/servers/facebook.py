"""A strict Graph API server for Facebook Pages: the calls smmgen's driver makes,
checked as Meta documents them.

The contract (developers.facebook.com/docs/pages-api/posts, graph-api/reference/
page/feed, page/photos, page/published_posts, object/comments, graph-api/guides/
error-handling, graph-api/overview/rate-limiting; parameter names from
``facebook/facebook-business-sdk-codegen`` ``api_specs/specs/{Page,PagePost,
Photo,Comment}.json``):

- every path starts with an available version (``/v24.0`` .. ``/v26.0``; another
  is ``Unknown path components``, code 2500);
- the token comes as ``Authorization: Bearer`` (or ``OAuth``) or as
  ``access_token``; none is code 2500, an unknown or revoked one code 190
  (HTTP 401 here; Meta's status for it varies). A token in the URL is recorded
  in ``errors``: smmgen must keep it in a header;
- ``GET /me?fields=id,name`` answers as the Page for a Page token, as the
  system user for a System User token; ``GET /{page-id}?fields=...,access_token``
  gives a System User the Page's token when it has a task on the Page;
- ``POST /{page-id}/feed``: ``message`` (at most 63,206 UTF-16 units, counted
  here), ``link`` (http or https), ``attached_media`` (a list, or its JSON text
  in a form, of ``{"media_fbid"}`` naming unpublished photos of the Page not
  attached yet), ``published``; needs a Page token and ``pages_manage_posts``
  (else code 200, HTTP 403). Answers ``{"id": "<page>_<post>"}``;
- ``POST /{page-id}/photos``: multipart, the image in ``source`` (PNG, JPEG or
  GIF, checked by its bytes here), ``message``, ``alt_text_custom``,
  ``published``: ``{"id", "post_id"}``, or ``{"id"}`` for an unpublished photo;
- ``POST /{post-id}/comments``: ``message``; needs ``pages_manage_engagement``;
- ``GET /debug_token?input_token=...`` answers only to the app's token
  (``app-id|app-secret``; any other is code 100, as logly/mureo#744 saw):
  ``{"data": {"app_id", "type", "application", "expires_at" (0: never),
  "data_access_expires_at", "is_valid", "scopes", "profile_id", "user_id"}}``;
- ``fields`` on a ``POST`` reads the new object back (read after write) with
  only the fields the node has; an unknown field is code 100 "Tried accessing
  nonexisting field";
- ``GET /{page-id}/published_posts`` and ``GET /{post-id}/comments``: newest
  first (comments with ``order=reverse_chronological``), ``limit`` (at most
  100), cursor paging (``paging.cursors.after``); ``attachments`` of a post show
  one photo as ``media_type: photo`` and several as an album with
  ``subattachments`` (the shape as Graph shows it; UNVERIFIED in detail);
- errors are ``{"error": {"message", "type", "code", "error_subcode",
  "error_user_title", "error_user_msg", "fbtrace_id"}}``; every answer carries
  ``X-App-Usage`` and ``X-Business-Use-Case-Usage``. A rate limit
  (:meth:`FacebookServer.rate_limited`) is code 80001 with the Page's business
  use case at 100 % and ``estimated_time_to_regain_access`` in minutes; Meta
  sends it with HTTP 400 or 403, not 429, so clients must read the code.

Unknown parameters are refused (code 100) and recorded in ``errors``. Messages
Meta does not document are this server's own wording.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from tests.servers.base import Faults, Reply, Request, TestServer
from tests.servers.telegram import form_data, image_size

TOKEN_ENV = "SMMGEN_FACEBOOK_TOKEN"
PAGE_ID = "104729381000001"
PAGE_NAME = "smmgen news"
PAGE_TOKEN = "EAAGm0PX4ZCpsBO7fbPageTokenZB4kq9v2tXhQm1ZCw8"
SYSTEM_USER_ID = "61550000000042"
SYSTEM_USER_NAME = "smmgen ci"
SYSTEM_USER_TOKEN = "EAAGm0PX4ZCpsBOsysUserTokenZD7yLk3qQ0pRv5"
APP_ID = "1234567890123456"
APP_TOKEN = f"{APP_ID}|9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c"  # app-id|app-secret
APP_TOKEN_ENV = "SMMGEN_FACEBOOK_APP_TOKEN"
ENV: dict[str, str] = {TOKEN_ENV: PAGE_TOKEN}
VERSIONS = ("v24.0", "v25.0", "v26.0")  # available as of 2026-12 (Graph API changelog)
MESSAGE_LIMIT = 63206  # UTF-16 units
PHOTO_BYTES = 4_000_000  # subcode 1366046 beyond (Postiz's table; letmepost.dev)
PERMISSIONS = frozenset(
    {"pages_manage_posts", "pages_read_engagement", "pages_manage_engagement", "pages_show_list"}
)

_PATH = re.compile(r"^/(v[0-9]+\.[0-9]+)/(.*)$")
_POST_ID = re.compile(rf"^{PAGE_ID}_[0-9]+$")
_FIELDS = {
    "page": {"id", "name", "access_token", "link", "username"},
    "user": {"id", "name"},
    "post": {"id", "message", "created_time", "permalink_url", "attachments"},
    "comment": {"id", "message", "created_time", "permalink_url", "from"},
    "photo": {"id", "link", "page_story_id", "alt_text_custom", "created_time"},
    "attachment": {"media_type", "subattachments", "type", "url"},
}


def channel_yaml(server: TestServer, *, token_env: str = TOKEN_ENV, **extra: Any) -> dict[str, Any]:
    """The channels.yaml entry of a Page on ``server`` (its token in ``token_env``)."""
    return {
        "type": "facebook",
        "page_id": PAGE_ID,
        "token_env": token_env,
        "api_base": server.url,
        **extra,
    }


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class GraphFail(Exception):
    """A Graph error answer."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        type: str = "OAuthException",
        subcode: int | None = None,
        user_title: str = "",
        user_msg: str = "",
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.type = status, code, message, type
        self.subcode, self.user_title, self.user_msg = subcode, user_title, user_msg
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.user_title:
            error["error_user_title"] = self.user_title
        if self.user_msg:
            error["error_user_msg"] = self.user_msg
        error["fbtrace_id"] = "A" + secrets.token_hex(10)
        return {"error": error}


def invalid(message: str, subcode: int | None = None) -> GraphFail:
    return GraphFail(400, 100, message, subcode=subcode)


def parse_fields(text: str) -> dict[str, dict[str, Any]]:
    """``a,b{c,d{e}}`` -> {"a": {}, "b": {"c": {}, "d": {"e": {}}}}; ValueError if malformed."""
    out: dict[str, dict[str, Any]] = {}
    depth, start, name = 0, 0, ""
    for index, char in enumerate(text + ","):
        if char == "{":
            if depth == 0:
                name = text[start:index]
                start = index + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise ValueError("unbalanced }")
            if depth == 0:
                out[name.strip()] = parse_fields(text[start:index])
                start, name = index + 1, "\0"
        elif char == "," and depth == 0:
            if name == "\0":
                if text[start:index].strip():
                    raise ValueError("text after }")
            else:
                item = text[start:index].strip()
                if not re.fullmatch(r"[a-z_]+", item):
                    raise ValueError(f"bad field {item!r}")
                out[item] = {}
            start, name = index + 1, ""
    if depth:
        raise ValueError("unbalanced {")
    return out


@dataclass
class Photo:
    id: str
    published: bool
    alt: str | None
    data: bytes
    post_id: str | None = None  # the post it is in (published, or attached)


@dataclass
class Post:
    id: str
    message: str
    created: datetime
    photos: list[str] = field(default_factory=list)
    link: str | None = None

    @property
    def permalink(self) -> str:
        return f"https://www.facebook.com/{PAGE_ID}/posts/{self.id.split('_', 1)[1]}"


@dataclass
class Comment:
    id: str
    post_id: str
    message: str
    created: datetime
    author: str = PAGE_ID

    @property
    def permalink(self) -> str:
        post = self.post_id.split("_", 1)[1]
        return f"https://www.facebook.com/{PAGE_ID}/posts/{post}?comment_id={self.id.split('_')[1]}"


def _time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class FacebookServer(TestServer):
    """``with FacebookServer() as server:``, ``api_base = server.url``."""

    def __init__(
        self,
        faults: Faults | None = None,
        *,
        permissions: frozenset[str] = PERMISSIONS,
        system_user_has_page: bool = True,
        retry_minutes: int = 1,
    ):
        super().__init__(faults)
        self.permissions = set(permissions)
        self.system_user_has_page = system_user_has_page
        self.retry_minutes = retry_minutes
        self.tokens = {PAGE_TOKEN: "page", SYSTEM_USER_TOKEN: "user", APP_TOKEN: "app"}
        # what /debug_token says of each token: when it expires (0: never)
        self.expires = {PAGE_TOKEN: 0, SYSTEM_USER_TOKEN: 0}
        self.revoked: set[str] = set()
        self.posts: list[Post] = []
        self.photos: dict[str, Photo] = {}
        self.comments: list[Comment] = []
        self._ids = itertools.count(1000)
        self._id_lock = threading.Lock()
        self._failures: deque[tuple[str, re.Pattern[str], GraphFail]] = deque()
        self._stalls: list[tuple[str, re.Pattern[str], threading.Event, threading.Event]] = []

    # -- for tests ---------------------------------------------------------------------
    def fail_next(self, method: str, path: str, failure: GraphFail) -> None:
        """Answer the next ``method`` request whose path (after the version)
        matches the regular expression ``path`` with ``failure``, unprocessed."""
        with self.lock:
            self._failures.append((method, re.compile(path), failure))

    def stall(self, method: str, path: str) -> tuple[threading.Event, threading.Event]:
        """Hold the next ``method`` request whose path (after the version) matches
        ``path``: ``arrived`` is set when it comes, and once ``release`` is set it is
        answered 500 without being processed (a run killed meanwhile never knows).
        Returns (arrived, release)."""
        arrived, release = threading.Event(), threading.Event()
        with self.lock:
            self._stalls.append((method, re.compile(path), arrived, release))
        return arrived, release

    def published(self) -> list[dict[str, Any]]:
        """One dict per public post or comment: id, text, reply_to, media."""
        with self.lock:
            out = [
                {"id": p.id, "text": p.message, "reply_to": None, "media": len(p.photos)}
                for p in self.posts
            ]
            out += [
                {"id": c.id, "text": c.message, "reply_to": c.post_id, "media": 0}
                for c in self.comments
            ]
        return out

    def uploads(self) -> list[Photo]:
        """Every photo received, published or not, in order."""
        with self.lock:
            return list(self.photos.values())

    # -- the base class's hooks --------------------------------------------------------
    def usage_headers(self, *, share: int = 1, minutes: int = 0) -> dict[str, str]:
        business = {
            PAGE_ID: [
                {
                    "type": "pages",
                    "call_count": share,
                    "total_cputime": share,
                    "total_time": share,
                    "estimated_time_to_regain_access": minutes,
                }
            ]
        }
        app = {"call_count": 1, "total_cputime": 1, "total_time": 1}
        return {
            "X-Business-Use-Case-Usage": json.dumps(business),
            "X-App-Usage": json.dumps(app),
        }

    def rate_limited(self, request: Request) -> Reply:
        failure = self.rate_limit_error()
        return Reply(failure.status, failure.body(), failure.headers)

    def rate_limit_error(self) -> GraphFail:
        return GraphFail(
            400,
            80001,
            "(#80001) There have been too many calls to this Page account. Wait a bit and try"
            " again. For more info, please refer to"
            " https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
            headers=self.usage_headers(share=100, minutes=self.retry_minutes),
        )

    def error_body(self, status: int, message: str) -> Any:
        return GraphFail(
            status, 2, "An unexpected error has occurred. Please retry your request later."
        ).body()

    def handle(self, request: Request) -> Reply:
        with self.lock:
            stalled = next(
                (s for s in self._stalls if s[0] == request.method and s[1].search(request.path)),
                None,
            )
            if stalled is not None:
                self._stalls.remove(stalled)
        if stalled is not None:
            stalled[2].set()
            stalled[3].wait(30)
            failure = GraphFail(500, 2, "An unexpected error has occurred.")
            return Reply(500, failure.body(), self.usage_headers())
        try:
            status, body = self._handle(request)
        except GraphFail as failure:
            headers = {**self.usage_headers(), **failure.headers}
            if failure.code == 190:
                headers["WWW-Authenticate"] = 'OAuth "Facebook Platform" "invalid_token"'
            return Reply(failure.status, failure.body(), headers)
        return Reply(status, body, self.usage_headers())

    # -- requests ----------------------------------------------------------------------
    def _new_id(self) -> str:
        with self._id_lock:
            return str(next(self._ids))

    def _contract(self, problem: str) -> GraphFail:
        with self.lock:
            self.errors.append(problem)
        return invalid(f"(#100) {problem}")

    def _token(self, request: Request) -> str:
        header = request.header("authorization") or ""
        query = request.query.get("access_token")
        if query:
            with self.lock:
                self.errors.append("the access token was sent in the URL")
        scheme, _, token = header.partition(" ")
        given = token.strip() if scheme.lower() in ("bearer", "oauth") else ""
        if given and query:
            raise invalid("(#100) the access token was given twice")
        given = given or (query[-1] if query else "")
        if not given:
            raise GraphFail(
                400,
                2500,
                "An active access token must be used to query information about the current user.",
            )
        if given in self.revoked:
            raise GraphFail(
                401,
                190,
                "Error validating access token: The session has been invalidated because the"
                " user changed their password or Facebook has changed the session for security"
                " reasons.",
                subcode=460,
            )
        if given not in self.tokens:
            raise GraphFail(401, 190, "Invalid OAuth access token - Cannot parse access token")
        return self.tokens[given]

    def _params(self, request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
        params: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
        files: dict[str, Any] = {}
        if request.method == "GET" or not request.body:
            return params, files
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        if kind == "application/json":
            try:
                body = json.loads(request.body)
            except ValueError:
                raise invalid("(#100) The request body is not valid JSON") from None
            if not isinstance(body, dict):
                raise invalid("(#100) The request body must be a JSON object")
            params.update(body)
        elif kind == "application/x-www-form-urlencoded":
            params.update({k: v[-1] for k, v in parse_qs(request.body.decode()).items()})
        elif kind == "multipart/form-data":
            try:
                fields, files = form_data(request)
            except ValueError as exc:
                raise self._contract(f"malformed multipart body: {exc}") from None
            params.update(fields)
        else:
            raise self._contract(f"unsupported Content-Type {kind!r}")
        return params, files

    def _fields(self, params: dict[str, Any], node: str) -> dict[str, dict[str, Any]]:
        raw = params.pop("fields", None)
        if raw is None:
            return {}
        try:
            fields = parse_fields(str(raw))
        except ValueError as exc:
            raise invalid(f"(#100) Syntax error in fields: {exc}") from None
        for name, nested in fields.items():
            if name not in _FIELDS[node]:
                raise invalid(
                    f"(#100) Tried accessing nonexisting field ({name}) on node type"
                    f" ({node.capitalize()})"
                )
            for sub in nested:
                if sub not in _FIELDS["attachment"]:
                    raise invalid(f"(#100) Tried accessing nonexisting field ({sub})")
        return fields

    @staticmethod
    def _only(params: dict[str, Any], allowed: set[str], where: str) -> None:
        extra = sorted(set(params) - allowed - {"access_token"})
        if extra:
            raise invalid(f"(#100) Param {extra[0]} is not valid for {where}")

    def _handle(self, request: Request) -> tuple[int, Any]:
        match = _PATH.match(request.path)
        if not match or match.group(1) not in VERSIONS:
            raise GraphFail(400, 2500, f"Unknown path components: {request.path}")
        path = match.group(2).rstrip("/")
        kind = self._token(request)
        with self.lock:
            for number, (method, pattern, failure) in enumerate(self._failures):
                if method == request.method and pattern.fullmatch(path):
                    del self._failures[number]
                    raise failure
        params, files = self._params(request)
        segments = path.split("/")
        method = request.method
        if method == "GET" and path == "debug_token":
            return 200, self._debug_token(kind, params)
        if kind == "app":
            raise GraphFail(400, 100, "(#100) An app access token cannot do this")
        if method == "GET" and path == "me":
            return 200, self._me(kind, params)
        if method == "GET" and path == PAGE_ID:
            return 200, self._page(kind, params)
        if len(segments) == 2 and segments[0] == PAGE_ID:
            edge = segments[1]
            if method == "POST" and edge == "feed":
                return 200, self._feed(kind, params)
            if method == "POST" and edge == "photos":
                return 200, self._photo(kind, params, files)
            if method == "GET" and edge == "published_posts":
                return 200, self._published_posts(params)
        if _POST_ID.match(segments[0]):
            post = self._post(segments[0])
            if len(segments) == 1 and method == "GET":
                return 200, self._read_post(post, self._fields(params, "post"))
            if segments[1:] == ["comments"] and method == "POST":
                return 200, self._comment(kind, post, params)
            if segments[1:] == ["comments"] and method == "GET":
                return 200, self._comments(post, params)
        raise GraphFail(
            400,
            100,
            f"Unsupported {method.lower()} request. Object with ID '{segments[0]}' does not"
            " exist, cannot be loaded due to missing permissions, or does not support this"
            " operation.",
            subcode=33,
        )

    # -- nodes -------------------------------------------------------------------------
    def _debug_token(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        if kind != "app":
            raise invalid(
                "(#100) You must provide an app access token, or a user access token that is"
                " an owner or developer of the app"
            )
        token = params.pop("input_token", None)
        self._only(params, set(), "/debug_token")
        if not isinstance(token, str) or not token:
            raise invalid("(#100) The parameter input_token is required")
        if token not in self.expires:
            return {"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid"}}}
        page = self.tokens[token] == "page"
        data: dict[str, Any] = {
            "app_id": APP_ID,
            "type": "PAGE" if page else "SYSTEM_USER",
            "application": "smmgen ci",
            "expires_at": self.expires[token],
            "data_access_expires_at": 0,
            "is_valid": token not in self.revoked,
            "scopes": sorted(self.permissions),
            "user_id": SYSTEM_USER_ID,
        }
        if page:
            data["profile_id"] = PAGE_ID
        return {"data": data}

    def _me(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        node = "page" if kind == "page" else "user"
        fields = self._fields(params, node) or {"id": {}, "name": {}}
        self._only(params, set(), "/me")
        if kind == "page":
            values = {"id": PAGE_ID, "name": PAGE_NAME, "access_token": PAGE_TOKEN}
        else:
            values = {"id": SYSTEM_USER_ID, "name": SYSTEM_USER_NAME}
        return {k: values[k] for k in fields if k in values}

    def _page(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        fields = self._fields(params, "page") or {"id": {}, "name": {}}
        self._only(params, set(), "the Page")
        values: dict[str, Any] = {"id": PAGE_ID, "name": PAGE_NAME}
        if kind == "page" or self.system_user_has_page:
            values["access_token"] = PAGE_TOKEN
        return {k: values[k] for k in fields if k in values}

    def _need(self, kind: str, permission: str) -> None:
        if kind != "page":
            raise GraphFail(
                403,
                200,
                "(#200) Unpublished posts must be posted to a page as the page itself.",
            )
        if permission not in self.permissions:
            raise GraphFail(
                403,
                200,
                f"(#200) If posting to a page, requires both pages_read_engagement and"
                f" {permission} as an admin with sufficient administrative permission",
            )

    def _message(self, params: dict[str, Any], *, required: bool = False) -> str:
        message = params.get("message")
        if message is None:
            if required:
                raise invalid("(#100) Missing message")
            return ""
        if not isinstance(message, str):
            raise invalid("(#100) Param message must be a string")
        if utf16_units(message) > MESSAGE_LIMIT:
            raise invalid(f"(#100) Param message must be at most {MESSAGE_LIMIT} characters long")
        return message

    def _bool(self, value: Any, name: str) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        raise invalid(f"(#100) Param {name} must be a boolean")

    def _feed(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        self._need(kind, "pages_manage_posts")
        fields = self._fields(params, "post")
        self._only(params, {"message", "link", "attached_media", "published"}, "/feed")
        message = self._message(params)
        if not self._bool(params.get("published", True), "published"):
            raise self._contract("an unpublished feed post (smmgen publishes only)")
        link = params.get("link")
        if link is not None and (
            not isinstance(link, str) or not re.match(r"https?://[^\s/]+", link)
        ):
            raise invalid("(#100) Param link must be a valid URL")
        photos = self._attached(params.get("attached_media"))
        if not message.strip() and not link and not photos:
            raise invalid("(#100) Posts need a message, a link or attached media")
        post = Post(self._id(), message, datetime.now(UTC), [p.id for p in photos], link)
        with self.lock:
            for photo in photos:
                photo.post_id = post.id
            self.posts.append(post)
        return self._read_post(post, fields) if fields else {"id": post.id}

    def _attached(self, value: Any) -> list[Photo]:
        if value is None:
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise invalid("(#100) param attached_media must be an array") from None
        if not isinstance(value, list) or not value:
            raise invalid("(#100) param attached_media must be a non-empty array")
        photos = []
        for number, item in enumerate(value):
            ident = item.get("media_fbid") if isinstance(item, dict) else None
            if not isinstance(item, dict) or set(item) != {"media_fbid"}:
                raise invalid(f"(#100) param attached_media[{number}] must be an object")
            with self.lock:
                photo = self.photos.get(str(ident))
            if photo is None or photo.published or photo.post_id is not None:
                raise invalid(
                    f"(#100) param attached_media[{number}] has an invalid media_fbid {ident}"
                )
            photos.append(photo)
        if len({p.id for p in photos}) != len(photos):
            raise invalid("(#100) param attached_media names a photo twice")
        return photos

    def _id(self) -> str:
        return f"{PAGE_ID}_{self._new_id()}"

    def _photo(self, kind: str, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        self._need(kind, "pages_manage_posts")
        fields = self._fields(params, "photo")
        if fields:
            raise self._contract("fields on /photos (a Photo has no permalink_url)")
        self._only(params, {"message", "alt_text_custom", "published"}, "/photos")
        if set(files) != {"source"}:
            raise GraphFail(400, 324, "(#324) Requires upload file")
        _, _, data = files["source"]
        if not data or (image_size(data) is None and not data.startswith(b"GIF8")):
            raise GraphFail(400, 100, "Invalid file", subcode=2069019)
        if len(data) > PHOTO_BYTES:
            raise GraphFail(400, 100, "Photo is too large", subcode=1366046)
        alt = params.get("alt_text_custom")
        if alt is not None and not isinstance(alt, str):
            raise invalid("(#100) Param alt_text_custom must be a string")
        published = self._bool(params.get("published", True), "published")
        message = self._message(params)
        photo = Photo(self._new_id(), published, alt, data)
        if not published:
            if message:
                raise self._contract("a message on an unpublished photo")
            with self.lock:
                self.photos[photo.id] = photo
            return {"id": photo.id}
        post = Post(self._id(), message, datetime.now(UTC), [photo.id])
        photo.post_id = post.id
        with self.lock:
            self.photos[photo.id] = photo
            self.posts.append(post)
        return {"id": photo.id, "post_id": post.id}

    def _post(self, ident: str) -> Post:
        with self.lock:
            for post in self.posts:
                if post.id == ident:
                    return post
        raise GraphFail(
            400,
            100,
            f"Unsupported request. Object with ID '{ident}' does not exist, cannot be loaded"
            " due to missing permissions, or does not support this operation.",
            subcode=33,
        )

    def _attachments(self, post: Post) -> dict[str, Any] | None:
        if len(post.photos) == 1:
            return {"data": [{"media_type": "photo", "type": "photo"}]}
        if post.photos:
            sub = [{"media_type": "photo", "type": "photo"} for _ in post.photos]
            album = {"media_type": "album", "type": "album", "subattachments": {"data": sub}}
            return {"data": [album]}
        if post.link:
            return {"data": [{"media_type": "link", "type": "share", "url": post.link}]}
        return None

    def _read_post(self, post: Post, fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, nested in (fields or {"id": {}}).items():
            if name == "id":
                out["id"] = post.id
            elif name == "message" and post.message:
                out["message"] = post.message
            elif name == "created_time":
                out["created_time"] = _time(post.created)
            elif name == "permalink_url":
                out["permalink_url"] = post.permalink
            elif name == "attachments":
                found = self._attachments(post)
                if found is not None:
                    out["attachments"] = {
                        "data": [
                            {k: v for k, v in item.items() if not nested or k in nested}
                            for item in found["data"]
                        ]
                    }
        return out

    def _page_of(
        self, items: list[Any], params: dict[str, Any]
    ) -> tuple[list[Any], dict[str, Any]]:
        try:
            limit = int(params.pop("limit", 25))
        except ValueError:
            raise invalid("(#100) Param limit must be an integer") from None
        if not 0 < limit <= 100:
            raise invalid("(#100) Param limit must be between 1 and 100")
        after = params.pop("after", None)
        start = 0
        if after is not None:
            try:
                start = int(bytes.fromhex(str(after)).decode()) + 1
            except ValueError:
                raise invalid("(#100) Param after is not a valid cursor") from None
        chunk = items[start : start + limit]
        paging: dict[str, Any] = {}
        if chunk:
            cursors = {
                "before": str(start).encode().hex(),
                "after": str(start + len(chunk) - 1).encode().hex(),
            }
            paging = {"cursors": cursors}
            if start + limit < len(items):
                paging["next"] = "https://graph.facebook.com/next-page"
        return chunk, paging

    def _published_posts(self, params: dict[str, Any]) -> dict[str, Any]:
        fields = self._fields(params, "post")
        with self.lock:
            posts = sorted(self.posts, key=lambda p: (p.created, p.id), reverse=True)
        chunk, paging = self._page_of(posts, params)
        self._only(params, set(), "/published_posts")
        data = [self._read_post(p, fields) for p in chunk]
        return {"data": data, "paging": paging} if paging else {"data": data}

    def _comment(self, kind: str, post: Post, params: dict[str, Any]) -> dict[str, Any]:
        self._need(kind, "pages_manage_engagement")
        fields = self._fields(params, "comment")
        self._only(params, {"message"}, "/comments")
        message = self._message(params, required=True)
        if not message.strip():
            raise invalid("(#100) Missing message")
        comment = Comment(f"{post.id.split('_')[1]}_{self._new_id()}", post.id, message,
                          datetime.now(UTC))  # fmt: skip
        with self.lock:
            self.comments.append(comment)
        return self._read_comment(comment, fields) if fields else {"id": comment.id}

    def _read_comment(self, comment: Comment, fields: dict[str, Any]) -> dict[str, Any]:
        values = {
            "id": comment.id,
            "message": comment.message,
            "created_time": _time(comment.created),
            "permalink_url": comment.permalink,
            "from": {"id": comment.author, "name": PAGE_NAME},
        }
        return {k: values[k] for k in (fields or {"id": {}})}

    def _comments(self, post: Post, params: dict[str, Any]) -> dict[str, Any]:
        fields = self._fields(params, "comment")
        order = params.pop("order", "chronological")
        if order not in ("chronological", "reverse_chronological"):
            raise invalid(
                "(#100) Param order must be one of {chronological, reverse_chronological}"
            )
        if params.pop("filter", "toplevel") not in ("toplevel", "stream"):
            raise invalid("(#100) Param filter must be one of {toplevel, stream}")
        with self.lock:
            found = [c for c in self.comments if c.post_id == post.id]
        found.sort(key=lambda c: (c.created, c.id), reverse=order == "reverse_chronological")
        chunk, paging = self._page_of(found, params)
        self._only(params, set(), "/comments")
        data = [self._read_comment(c, fields) for c in chunk]
        return {"data": data, "paging": paging} if paging else {"data": data}
