"""A strict LinkedIn test server: the versioned REST calls smmgen makes, checked as
LinkedIn documents them, and LinkedIn's silent truncation of bad little text.

The contract (learn.microsoft.com/linkedin: ``community-management/shares/
posts-api``, ``images-api``, ``multiimage-post-api``, ``little-text-format``,
``comments-api``, ``shared/api-guide/concepts/protocol-version``,
``marketing/versioning``, ``shared/authentication/token-introspection``;
error bodies as quoted in peers' issues, see smmgen/networks/linkedin/driver.py):

- every ``/rest/`` call carries ``Authorization: Bearer``, ``LinkedIn-Version:
  YYYYMM`` (active: released within the last 12 months of :data:`TODAY`, else
  426 ``NONEXISTENT_VERSION``) and ``X-Restli-Protocol-Version: 2.0.0``; URNs
  in a path are URL-encoded whole (``urn%3Ali%3A...``);
- ``POST /rest/posts``: exactly the documented fields, the author one the token
  may post as (``w_member_social`` for its member, ``w_organization_social``
  for an organization it administers), ``commentary`` in little text. It
  answers 201 with an empty body and the URN in ``x-restli-id``; the same
  commentary again by the same author is 422 ``DUPLICATE_POST`` naming the
  first post, even after it was deleted (a "ghost" URN that answers 404);
- little text: ``\\ | { } @ [ ] ( ) < > # * _ ~`` are reserved and escaped with
  ``\\``; ``@[Name](urn:li:person:…)`` is a mention and ``{hashtag|\\#|tag}`` a
  hashtag. LinkedIn stores a post with an unescaped reserved character cut
  there, and answers 201 all the same: so does this server (``truncated``
  keeps what was cut). This server's own parser reads it. UNVERIFIED: a link
  (``http(s)://`` up to white space) is taken as written, reserved characters
  and all, as LinkedIn links the URLs of a commentary;
- images: ``initializeUpload`` -> ``PUT`` the bytes to ``uploadUrl`` (with the
  token) -> ``GET /rest/images/{urn}`` (``WAITING_UPLOAD``, ``PROCESSING`` for
  ``processing_polls`` reads, ``AVAILABLE``); a post may use only AVAILABLE
  images its author owns: one as ``content.media``, 2-20 as
  ``content.multiImage``;
- comments (``POST /rest/socialActions/{urn}/comments``): plain text, shown as
  sent (it is not little text);
- the author finder ``GET /rest/posts?q=author&author=…`` (newest first) needs
  ``r_organization_social`` and serves organizations only (a member's posts
  need the restricted ``r_member_social``); so does reading comments;
- no rate-limit headers: the ``rate_429`` fault is LinkedIn's 429 without
  ``Retry-After``; ``posts_left_today`` makes the daily limit run out
  (``serviceErrorCode`` 101, resets at 00:00 UTC).
"""

from __future__ import annotations

import itertools
import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, unquote

from tests.servers.base import Faults, Reply, Request, TestServer

TOKEN = "AQXlinkedin-test-token-3f9c2e7a1b"
CLIENT_ID = "86test1client2id"
CLIENT_SECRET = "linkedin-client-secret-5d4c3b2a"
MEMBER_ID = "Dk968RHxiO"
MEMBER = f"urn:li:person:{MEMBER_ID}"
ORGANIZATION = "urn:li:organization:2414183"
TOKEN_ENV = "SMMGEN_LINKEDIN_TOKEN"
ENV: dict[str, str] = {TOKEN_ENV: TOKEN}
TODAY = (2026, 12)  # versions of the 12 months up to this one are active
RESERVED = set("\\|{}@[]()<>#*_~")
COMMENTARY_LIMIT = 3000
ALT_LIMIT = 4086
ALL_SCOPES = frozenset(
    {"openid", "profile", "w_member_social", "w_organization_social", "r_organization_social"}
)
_MENTION = re.compile(r"@\[((?:\\.|[^\]\\])*)\]\((urn:li:(?:person|organization):[A-Za-z0-9_-]+)\)")
_HASHTAG = re.compile(r"\{hashtag\|\\#\|((?:\\.|[^}\\])*)\}")
_URL = re.compile(r"https?://[^\s\\]+")
_POST_FIELDS = {
    "author",
    "commentary",
    "visibility",
    "distribution",
    "lifecycleState",
    "isReshareDisabledByAuthor",
    "content",
}


def channel_yaml(
    server: LinkedInServer, *, author: str = ORGANIZATION, **more: Any
) -> dict[str, Any]:
    """The channels.yaml entry of a channel on this server."""
    return {
        "type": "linkedin",
        "author": author,
        "token_env": TOKEN_ENV,
        "api_base": server.url,
        **more,
    }


def active(version: str) -> bool:
    """Whether a ``LinkedIn-Version`` is served: YYYYMM within 12 months up to TODAY."""
    match = re.fullmatch(r"(20\d\d)(0[1-9]|1[0-2])(?:\.\d\d)?", version)
    if not match:
        return False
    months = (TODAY[0] - int(match[1])) * 12 + TODAY[1] - int(match[2])
    return 0 <= months < 12


def utf16(text: str) -> int:
    """Characters as LinkedIn's Java backend counts them: UTF-16 code units."""
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def _unescape(text: str) -> str | None:
    """The visible text of an element's inside; None if it has an unescaped reserved character."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in RESERVED:
            out.append(text[i + 1])
            i += 2
            continue
        if c in RESERVED:
            return None
        out.append(c)
        i += 1
    return "".join(out)


def little_text(text: str) -> tuple[str, int | None]:
    """What a reader sees of a commentary, and where LinkedIn cut it (None: whole).

    This server's own reading of the little text format (see the module docstring)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in RESERVED:
            out.append(text[i + 1])
            i += 2
            continue
        url = _URL.match(text, i) if c in "hH" and (i == 0 or not text[i - 1].isalnum()) else None
        if url:
            out.append(url.group())
            i = url.end()
            continue
        if c == "@":
            mention = _MENTION.match(text, i)
            name = _unescape(mention[1]) if mention else None
            if mention and name:
                out.append(name)
                i = mention.end()
                continue
        if c == "{":
            tag = _HASHTAG.match(text, i)
            name = _unescape(tag[1]) if tag else None
            if tag and name:
                out.append("#" + name)
                i = tag.end()
                continue
        if c in RESERVED:
            return "".join(out), i
        out.append(c)
        i += 1
    return "".join(out), None


def image_ok(data: bytes) -> bool:
    """A JPEG, a PNG or a GIF, by its signature and end."""
    return (
        (data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9"))
        or (data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82"))
        or (data[:6] in (b"GIF87a", b"GIF89a") and data.endswith(b";"))
    )


class Refused(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(body.get("message"))
        self.status = status
        self.body = body
        self.headers = headers or {}


def _error(
    status: int, message: str, code: str | None = None, service: int | None = None
) -> Refused:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    if service is not None:
        body["serviceErrorCode"] = service
    return Refused(status, body)


def _denied(resource: str) -> Refused:
    return _error(403, f"Not enough permissions to access: {resource}", "ACCESS_DENIED", 100)


class LinkedInServer(TestServer):
    """The LinkedIn REST API as smmgen uses it (see the module docstring)."""

    def __init__(self, faults: Faults | None = None):
        super().__init__(faults)
        self.scopes: set[str] = set(ALL_SCOPES)
        self.token_active = True
        self.token_expires_at = int(time.time()) + 40 * 86400
        self.processing_polls = 0  # reads of an uploaded image that still say PROCESSING
        self.posts_left_today: int | None = None
        self.posts: dict[str, dict[str, Any]] = {}  # urn -> post, in order of creation
        self.ghosts: dict[str, dict[str, Any]] = {}  # deleted posts LinkedIn still remembers
        self.comments: list[dict[str, Any]] = []
        self.images: dict[str, dict[str, Any]] = {}
        self.uploads: list[str] = []  # image URNs, one per PUT of bytes
        self.truncated: list[dict[str, Any]] = []  # commentaries LinkedIn cut
        self._ids = itertools.count(7141138937766391808)
        self._clock = itertools.count(int(time.time() * 1000))

    # -- what tests read ---------------------------------------------------------
    def published(self) -> list[dict[str, Any]]:
        """One dict per public post or comment: id, text as read, reply_to, media."""
        out = [
            {"id": urn, "text": post["visible"], "reply_to": None, "media": len(post["images"])}
            for urn, post in self.posts.items()
        ]
        out += [
            {"id": c["$URN"], "text": c["message"]["text"], "reply_to": c["object"], "media": 0}
            for c in self.comments
        ]
        return out

    def delete(self, urn: str) -> None:
        """Delete a post: its URN answers 404 but a repeat is still a duplicate of it."""
        self.ghosts[urn] = self.posts.pop(urn)

    # -- the server -------------------------------------------------------------
    def error_body(self, status: int, message: str) -> Any:
        return {"status": status, "message": message}

    def rate_limited(self, request: Request) -> Reply:
        # LinkedIn documents no rate-limit headers (developer.linkedin.com rate-limits)
        return Reply(429, {"status": 429, "message": "Too Many Requests"})

    def contract(self, message: str) -> Refused:
        """A request smmgen should never make: recorded, and refused 400."""
        self.errors.append(message)
        return _error(400, message)

    def handle(self, request: Request) -> Reply:
        try:
            with self.lock:
                status, body, headers = self._route(request)
        except Refused as refused:
            return Reply(refused.status, refused.body, refused.headers)
        return Reply(status, body, headers)

    def _route(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        path, method = request.path, request.method
        if path == "/oauth/v2/introspectToken" and method == "POST":
            return 200, self._introspect(request), {}
        if path.startswith("/dms-uploads/") and method == "PUT":
            self._auth(request)
            self.put(request)
            return 201, None, {}
        self._auth(request)
        if path == "/v2/userinfo" and method == "GET":
            if not {"openid", "profile"} <= self.scopes:
                raise _error(403, "Not enough permissions to access: GET /userinfo", service=100)
            return 200, {"sub": MEMBER_ID, "name": "Ada Lovelace", "locale": "en_US"}, {}
        if not path.startswith("/rest/"):
            raise self.contract(f"{method} {path}: no such call")
        self._versioned(request)
        if path == "/rest/images" and method == "POST":
            return 200, self._initialize(request), {}
        if path.startswith("/rest/images/") and method == "GET":
            return 200, self._image(self._urn(path, "/rest/images/")), {}
        if path == "/rest/posts" and method == "POST":
            urn = self._post(request)
            return 201, None, {"x-restli-id": urn}
        if path == "/rest/posts" and method == "GET":
            return 200, self._finder(request), {}
        if path.startswith("/rest/posts/") and method == "GET":
            urn = self._urn(path, "/rest/posts/")
            if urn not in self.posts:
                raise _error(404, f"Not Found: {urn}", service=0)
            return 200, self._view(urn), {}
        if path.startswith("/rest/socialActions/") and path.endswith("/comments"):
            urn = self._urn(path[: -len("/comments")], "/rest/socialActions/")
            if method == "POST":
                comment = self._comment(request, urn)
                return 201, comment, {"x-restli-id": comment["$URN"]}
            if method == "GET":
                return 200, self._comments(urn), {}
        raise self.contract(f"{method} {path}: no such call")

    # -- checks ------------------------------------------------------------------
    def _auth(self, request: Request) -> None:
        if request.header("authorization") != f"Bearer {TOKEN}" or not self.token_active:
            raise _error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)

    def _versioned(self, request: Request) -> None:
        if request.header("x-restli-protocol-version") != "2.0.0":
            raise self.contract("X-Restli-Protocol-Version is not 2.0.0")
        version = request.header("linkedin-version")
        if not version:
            raise self.contract("no LinkedIn-Version header")
        if not active(version):
            raise _error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION")

    def _urn(self, path: str, prefix: str) -> str:
        encoded = path[len(prefix) :]
        if ":" in encoded or not encoded.startswith("urn%3Ali%3A"):
            raise self.contract(f"the URN in {path} is not URL-encoded whole (Rest.li 2.0)")
        return unquote(encoded)

    def _json(self, request: Request) -> dict[str, Any]:
        if (request.header("content-type") or "").split(";")[0] != "application/json":
            raise self.contract(f"{request.path}: the body is not application/json")
        try:
            data = json.loads(request.body)
        except ValueError:
            raise self.contract(f"{request.path}: the body is not JSON") from None
        if not isinstance(data, dict):
            raise self.contract(f"{request.path}: the body is not an object")
        return data

    def _may_post_as(self, author: Any) -> None:
        if author == MEMBER:
            need = "w_member_social"
        elif author == ORGANIZATION:
            need = "w_organization_social"
        else:
            raise _error(403, f"Not enough permissions to post as {author}", "ACCESS_DENIED", 100)
        if need not in self.scopes:
            raise _error(
                403,
                "Not enough permissions to access: partnerApiPostsExternal.CREATE.20261001",
                "ACCESS_DENIED",
                100,
            )

    # -- calls -------------------------------------------------------------------
    def _introspect(self, request: Request) -> dict[str, Any]:
        form = {k: v[0] for k, v in _form(request).items()}
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            raise _error(401, "invalid client credentials")
        if form.get("token") != TOKEN:
            return {"active": False}
        return {
            "active": self.token_active,
            "client_id": CLIENT_ID,
            "authorized_at": self.token_expires_at - 60 * 86400,
            "created_at": self.token_expires_at - 60 * 86400,
            "status": "active" if self.token_active else "revoked",
            "expires_at": self.token_expires_at,
            "scope": ",".join(sorted(self.scopes)),
            "auth_type": "3L",
        }

    def _initialize(self, request: Request) -> dict[str, Any]:
        if request.query != {"action": ["initializeUpload"]}:
            raise self.contract(f"POST /rest/images?{request.query}: not action=initializeUpload")
        data = self._json(request)
        inner = data.get("initializeUploadRequest")
        if set(data) != {"initializeUploadRequest"} or not isinstance(inner, dict):
            raise self.contract("initializeUpload: the body is not {initializeUploadRequest}")
        if set(inner) != {"owner"}:
            raise self.contract(f"initializeUploadRequest has fields {sorted(inner)}")
        self._may_post_as(inner["owner"])
        number = next(self._ids)
        urn = f"urn:li:image:D4E10AQ{number}"
        secret = f"upload-{number}-sig"
        self.images[urn] = {"owner": inner["owner"], "status": "WAITING_UPLOAD", "reads": 0}
        self.images[urn]["slot"] = secret
        return {
            "value": {
                "uploadUrlExpiresAt": next(self._clock) + 86400000,
                "uploadUrl": f"{self.url}/dms-uploads/{secret}",
                "image": urn,
            }
        }

    def put(self, request: Request) -> None:
        slot = request.path[len("/dms-uploads/") :]
        found = [u for u, i in self.images.items() if i.get("slot") == slot]
        if not found:
            raise _error(404, "no such upload")
        if not image_ok(request.body):
            raise _error(400, "the bytes are not a JPEG, PNG or GIF image")
        urn = found[0]
        self.images[urn].update(status="PROCESSING", reads=0)
        self.uploads.append(urn)

    def _image(self, urn: str) -> dict[str, Any]:
        image = self.images.get(urn)
        if image is None:
            raise _error(404, f"Not Found: {urn}")
        if image["status"] == "PROCESSING":
            image["reads"] += 1
            if image["reads"] > self.processing_polls:
                image["status"] = "AVAILABLE"
        return {"id": urn, "owner": image["owner"], "status": image["status"]}

    def _post(self, request: Request) -> str:
        data = self._json(request)
        if not set(data) <= _POST_FIELDS or not _POST_FIELDS - {"content"} <= set(data):
            raise self.contract(f"POST /rest/posts has fields {sorted(data)}")
        self._may_post_as(data["author"])
        expected = {
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
        }
        for key, value in expected.items():
            if data[key] != value:
                raise self.contract(f"POST /rest/posts: {key} is {data[key]!r}")
        if not isinstance(data["isReshareDisabledByAuthor"], bool):
            raise self.contract("isReshareDisabledByAuthor is not a boolean")
        commentary = data["commentary"]
        if not isinstance(commentary, str):
            raise self.contract("commentary is not text")
        images = self._content(data.get("content"), data["author"])
        visible, cut = little_text(commentary)
        if utf16(visible) > COMMENTARY_LIMIT:
            raise _error(422, f"commentary is longer than {COMMENTARY_LIMIT} characters")
        for urn, post in [*self.posts.items(), *self.ghosts.items()]:
            if post["author"] == data["author"] and post["commentary"] == commentary:
                raise Refused(
                    422,
                    {
                        "errorDetailType": "com.linkedin.common.error.BadRequest",
                        "message": "com.linkedin.content.common.exception."
                        f"BadRequestResponseException: Content is a duplicate of {urn}",
                        "errorDetails": {
                            "inputErrors": [
                                {
                                    "description": "Duplicate post is detected",
                                    "input": {},
                                    "code": "DUPLICATE_POST",
                                }
                            ]
                        },
                        "status": 422,
                    },
                )
        if self.posts_left_today is not None:
            if self.posts_left_today <= 0:
                raise _error(
                    429,
                    "Resource level throttle limit for calls to this resource is reached.",
                    service=101,
                )
            self.posts_left_today -= 1
        urn = f"urn:li:share:{next(self._ids)}"
        if cut is not None:
            self.truncated.append({"urn": urn, "commentary": commentary, "at": cut})
        now = next(self._clock)
        self.posts[urn] = {
            "author": data["author"],
            "commentary": commentary,
            "visible": visible,
            "images": images,
            "content": data.get("content"),
            "createdAt": now,
        }
        return urn

    def _content(self, content: Any, author: str) -> list[dict[str, Any]]:
        if content is None:
            return []
        if not isinstance(content, dict) or len(content) != 1:
            raise self.contract(f"content is {content!r}")
        if "media" in content:
            items = [content["media"]]
        elif "multiImage" in content:
            multi = content["multiImage"]
            if not isinstance(multi, dict) or set(multi) != {"images"}:
                raise self.contract("multiImage is not {images}")
            items = multi["images"]
            if not isinstance(items, list) or not 2 <= len(items) <= 20:
                raise _error(422, "multiImage takes 2 to 20 images")
        else:
            raise self.contract(f"content has {sorted(content)}")
        for item in items:
            if not isinstance(item, dict) or not set(item) <= {"id", "altText"} or "id" not in item:
                raise self.contract(f"an image of content is {item!r}")
            alt = item.get("altText", "")
            if not isinstance(alt, str) or utf16(alt) > ALT_LIMIT:
                raise _error(422, f"altText takes up to {ALT_LIMIT} characters")
            image = self.images.get(item["id"])
            if image is None or image["owner"] != author:
                raise _error(422, f"{item['id']} is no image of {author}")
            if image["status"] != "AVAILABLE":
                self.errors.append(f"{item['id']} posted while {image['status']}")
                raise _error(422, f"{item['id']} is {image['status']}, not AVAILABLE")
        return [dict(item) for item in items]

    def _view(self, urn: str) -> dict[str, Any]:
        post = self.posts[urn]
        view = {
            "id": urn,
            "author": post["author"],
            "commentary": post["commentary"][: self._cut(urn)],
            "visibility": "PUBLIC",
            "lifecycleState": "PUBLISHED",
            "createdAt": post["createdAt"],
            "publishedAt": post["createdAt"],
            "lastModifiedAt": post["createdAt"],
        }
        if post["content"]:
            view["content"] = post["content"]
        return view

    def _cut(self, urn: str) -> int | None:
        return next((t["at"] for t in self.truncated if t["urn"] == urn), None)

    def _finder(self, request: Request) -> dict[str, Any]:
        query = {k: v[0] for k, v in request.query.items()}
        if query.get("q") != "author" or "author" not in query:
            raise self.contract(f"GET /rest/posts?{query}: not the author finder")
        if not set(query) <= {"q", "author", "count", "start", "sortBy"}:
            raise self.contract(f"the author finder has parameters {sorted(query)}")
        if query["author"] != ORGANIZATION:
            raise _error(
                403,
                "Not enough permissions to access: partnerApiPostsExternal.FINDER-author",
                "ACCESS_DENIED",
                100,
            )
        if "r_organization_social" not in self.scopes:
            raise _error(
                403,
                "Not enough permissions to access: partnerApiPostsExternal.FINDER-author",
                "ACCESS_DENIED",
                100,
            )
        count = int(query.get("count", "10"))
        start = int(query.get("start", "0"))
        if not 1 <= count <= 100:
            raise self.contract(f"count {count} is not 1-100")
        mine = [u for u, p in self.posts.items() if p["author"] == ORGANIZATION][::-1]
        return {
            "elements": [self._view(u) for u in mine[start : start + count]],
            "paging": {"start": start, "count": count, "links": []},
        }

    def _comment(self, request: Request, urn: str) -> dict[str, Any]:
        data = self._json(request)
        if set(data) != {"actor", "object", "message"}:
            raise self.contract(f"a comment has fields {sorted(data)}")
        self._may_post_as(data["actor"])
        if data["object"] != urn:
            raise self.contract(f"the comment's object {data['object']} is not {urn}")
        message = data["message"]
        if (
            not isinstance(message, dict)
            or set(message) != {"text"}
            or not isinstance(message["text"], str)
        ):
            raise self.contract(f"the comment's message is {message!r}")
        if urn not in self.posts:
            raise _error(404, f"Not Found: {urn}")
        number = next(self._ids)
        comment = {
            "$URN": f"urn:li:comment:({urn},{number})",
            "id": str(number),
            "actor": data["actor"],
            "object": urn,
            "message": {"text": message["text"]},
            "created": {"actor": data["actor"], "time": next(self._clock)},
        }
        self.comments.append(comment)
        return comment

    def _comments(self, urn: str) -> dict[str, Any]:
        if (
            self.posts.get(urn, {}).get("author") != ORGANIZATION
            or "r_organization_social" not in self.scopes
        ):
            raise _error(
                403,
                "Not enough permissions to access: socialActions.comments.GET_ALL",
                "ACCESS_DENIED",
                100,
            )
        found = [c for c in self.comments if c["object"] == urn]
        return {"elements": found, "paging": {"start": 0, "count": len(found), "links": []}}


def _form(request: Request) -> dict[str, list[str]]:
    if (request.header("content-type") or "").split(";")[0] != "application/x-www-form-urlencoded":
        raise _error(400, "introspectToken takes a form")
    return parse_qs(request.body.decode(), keep_blank_values=True)
