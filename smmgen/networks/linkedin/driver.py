"""LinkedIn: posts through the versioned Posts API, images first, threads as comments.

Sources (learn.microsoft.com/linkedin, "MSL"): ``community-management/shares/
posts-api`` (``POST /rest/posts``: 201 with an empty body, the new URN in the
``x-restli-id`` header; the author finder ``GET /rest/posts?q=author``),
``shares/images-api`` (``POST /rest/images?action=initializeUpload``, ``PUT``
the bytes to ``uploadUrl``, ``GET /rest/images/{urn}`` until ``AVAILABLE``),
``shares/multiimage-post-api`` (2-20 images), ``shares/little-text-format``,
``shared/api-guide/concepts/protocol-version`` (``X-Restli-Protocol-Version:
2.0.0``, URNs URL-encoded whole in paths and queries), ``marketing/versioning``
(``LinkedIn-Version: YYYYMM``, each supported at least a year),
``community-management/shares/comments-api`` (``POST /rest/socialActions/
{urn}/comments``) and ``shared/authentication/token-introspection``. The error
bodies (422 ``DUPLICATE_POST`` naming the existing URN, 426
``NONEXISTENT_VERSION``, 429 ``serviceErrorCode`` 101) are as quoted in peers'
issues (Arisamiga/Linkedin-RSS#5, n8n-io/n8n#28967, Automattic/wp-calypso#32007).

Exactly once without an idempotency key: the waiting steps (image uploads) keep
their image URNs in ``self.handles`` as soon as LinkedIn names them, so a
resumed run reuses them. Right before the one call that makes a part public,
the handle ``sent`` is recorded: a part without it was certainly never sent,
and :meth:`LinkedInDriver.reconcile` says so at once. Otherwise an
organization's own posts are read back (the author finder) and matched by
their text and images; a member's posts cannot be listed without a restricted
permission, so such a part ends ``unknown`` (:class:`~smmgen.errors.CannotTell`).
A repeated post is refused 422 ``DUPLICATE_POST`` naming the existing URN,
which is read back (a deleted post's URN answers 404) and adopted.

A thread's later parts are comments on the first post (LinkedIn has no
threads); comments are not little text, so their visible text is sent.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from smmgen.adapt.variants import Media, Variant
from smmgen.errors import (
    Cancelled,
    CannotTell,
    MissingCredentials,
    NotSent,
    PublishError,
    Rejected,
    Transient,
    Unknown,
)
from smmgen.media import probe
from smmgen.networks.linkedin import (
    DEFAULT_VERSION,
    TOKEN_WARN_DAYS,
    LinkedInChannel,
    linkedin_visible_text,
)
from smmgen.publish.driver import Context, Driver, Remote
from smmgen.publish.drivercommon import response_json, shortened
from smmgen.publish.http import pause, retry_after, status_error
from smmgen.secrets import Redactor

API = "https://api.linkedin.com"
OAUTH = "https://www.linkedin.com"  # token introspection
RESTLI = "2.0.0"
#: Polls of an image being processed (waits grow from 0.25 s to 5 s: about 75 s).
IMAGE_POLLS = 20
#: Posts of an organization read by ``reconcile`` (the author finder, newest first).
RECONCILE_POSTS = 100
#: Allowance for LinkedIn's clock running behind ours.
CLOCK_SKEW = timedelta(minutes=2)
#: Images in one post (``content.multiImage``: 2-20; MSL multiimage-post-api).
MAX_IMAGES = 20
#: Comments: "max 1250 characters" (UNVERIFIED by MSL; Publora's LinkedIn comment tool).
COMMENT_CHARS = 1250
_DUPLICATE = re.compile(r"duplicate of (urn:li:(?:share|ugcPost|post):[0-9A-Za-z_-]+)")
_SPACE = re.compile(r"\s+")


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


def comment_url(post: str, comment: str) -> str:
    # the form LinkedIn's "copy link to comment" gives (UNVERIFIED by MSL)
    return f"{post_url(post)}?commentUrn={quote(comment, safe='')}"


def _encoded(urn: str) -> str:
    """A URN in a Rest.li 2.0 path or query: URL-encoded whole (``:`` too)."""
    return quote(urn, safe="")


def _same_text(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()

    return norm(a) == norm(b)


def until_midnight_utc(now: datetime | None = None) -> float:
    """Seconds until 00:00 UTC, when LinkedIn's daily limits reset."""
    now = now or datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return (midnight - now).total_seconds()


def token_days_left(expires: date, today: date | None = None) -> int:
    return (expires - (today or datetime.now(UTC).date())).days


class LinkedInDriver(Driver[LinkedInChannel]):
    """Publishes to one LinkedIn member or organization (see the module docstring)."""

    reconcilable = True
    credentials = ("token_env",)

    def __init__(self, context: Context[LinkedInChannel]):
        super().__init__(context)
        channel = self.channel
        if not isinstance(channel, LinkedInChannel):
            raise TypeError(f"channel '{context.name}' is not a LinkedIn channel")
        self.base = (channel.api_base or API).rstrip("/")
        self.oauth = (channel.api_base or OAUTH).rstrip("/")
        self.organization = channel.author.startswith("urn:li:organization:")
        self._upload_urls: list[str] = []  # signed: redacted, never kept in the ledger

    # -- credentials ------------------------------------------------------------
    def secrets(self) -> list[str]:
        values = super().secrets()
        for field_name in ("client_id_env", "client_secret_env"):
            name = getattr(self.channel, field_name)
            if name and self.context.env.get(name):
                values.append(self.context.env[name])
        return values + self._upload_urls

    def _redact(self, text: str) -> str:
        return self.http.redact(Redactor(self.secrets()).text(text))

    def _where(self, field_name: str) -> str:
        return f"channels.yaml: channels.{self.context.name}.{field_name}"

    def _headers(self, *, json: bool = False) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.secret('token_env')}",
            "LinkedIn-Version": self.channel.version,
            "X-Restli-Protocol-Version": RESTLI,
        }
        if json:
            headers["Content-Type"] = "application/json"
        return headers

    # -- errors -------------------------------------------------------------------
    def _error(self, response: httpx.Response, what: str) -> PublishError | MissingCredentials:
        """The error of a failed call, naming what to do where LinkedIn's answer says."""
        data = response_json(response)
        data = data if isinstance(data, dict) else {}
        message = data.get("message") if isinstance(data.get("message"), str) else None
        message = message or _SPACE.sub(" ", response.text).strip() or response.reason_phrase
        status = response.status_code
        code = data.get("code")
        name = self.context.name
        token = self.variable("token_env")
        if status == 401:
            return MissingCredentials(
                f"channel '{name}': LinkedIn refused the access token in {token} ({what}:"
                f" {shortened(self._redact(message))}). LinkedIn tokens last 60 days and"
                f" self-serve apps get no refresh token: a person must sign in again"
                f" (re-consent), put the new token in {token} and set token_expires"
                f" ({self._where('token_expires')}) to 60 days later"
            )
        if status == 403:
            scope = "w_organization_social" if self.organization else "w_member_social"
            need = f"the {scope} permission"
            if what.startswith("reading the organization's posts"):
                need = "the r_organization_social permission (reconciling reads the posts)"
            elif self.organization:
                need += (
                    " and a role of ADMINISTRATOR, CONTENT_ADMIN or DIRECT_SPONSORED_CONTENT_POSTER"
                    f" on {self.channel.author} for the member who made the token"
                )
            reason = shortened(self._redact(message))
            return MissingCredentials(
                f"channel '{name}': LinkedIn refused {what} (403: {reason});"
                f" the token in {token} needs {need}: add it to the app and sign in again"
            )
        if status == 426 or code == "NONEXISTENT_VERSION":
            return MissingCredentials(
                f"channel '{name}': LinkedIn no longer serves LinkedIn-Version"
                f" {self.channel.version} ({shortened(self._redact(message))}); set version to a"
                f" current one ({self._where('version')}), e.g. {DEFAULT_VERSION} (smmgen's"
                " default when the setting is left out), or update smmgen"
            )
        if status == 429:
            wait = retry_after(response)
            shown = shortened(self._redact(message))
            if wait is None and (data.get("serviceErrorCode") == 101 or "throttle" in message):
                # LinkedIn's limits are per day (application and member) and reset at
                # 00:00 UTC; it documents no header that says when (developer.linkedin.com
                # docs/guide/v2/concepts/rate-limits). Waiting longer than a run does is
                # left to the next run (the retrier gives up past its max_wait).
                left = until_midnight_utc()
                return Transient(
                    f"LinkedIn's daily limit for {what} is reached ({shown}); it resets at"
                    f" 00:00 UTC, in {left / 3600:.1f} h",
                    status=429,
                    retry_after=left,
                )
            return Transient(f"{what}: {shown}", status=429, retry_after=wait)
        detail = message
        details = data.get("errorDetails")
        if isinstance(details, dict):
            for error in details.get("inputErrors") or []:
                if isinstance(error, dict) and error.get("code"):
                    detail += f" [{error['code']}: {error.get('description', '')}]"
        return status_error(response, shortened(self._redact(f"LinkedIn {what}: {detail}")))

    def _send(
        self, method: str, url: str, what: str, *, creates: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """One request; a failing answer becomes its error. Only a request that
        ``creates`` what a reader sees can end ``Unknown``."""
        try:
            response = self.http.send(method, url, **kwargs)
        except Unknown as exc:
            if creates:
                raise Unknown(self._redact(f"{what}: {exc.message}")) from None
            raise NotSent(self._redact(f"{what}: {exc.message}")) from None
        except PublishError as exc:
            exc.message = self._redact(exc.message)
            raise
        if response.is_success:
            return response
        raise self._error(response, what)

    def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        data = response_json(response)
        if isinstance(data, dict):
            return data
        raise Transient(f"{what}: LinkedIn answered without a JSON object")

    # -- verify -------------------------------------------------------------------
    def verify(self) -> str:
        """Who posts, and for how long the token is good."""
        notes = []
        who = self.channel.author
        info = self._userinfo()
        member = str(info.get("sub") or "")
        if not self.organization and member and who != f"urn:li:person:{member}":
            raise Rejected(
                f"channel '{self.context.name}': the token belongs to urn:li:person:{member},"
                f" not to the author {who} ({self._where('author')})"
            )
        if info.get("name"):
            notes.append(f"as {info['name']}" if not self.organization else f"by {info['name']}")
        if self.organization:
            self._own_posts(count=1)  # posts may be read back: reconciling works
        expiry = self._introspect()
        if expiry is not None:
            notes.append(expiry)
        elif self.channel.token_expires is not None:
            notes.append(self._expiry_note(self.channel.token_expires))
        else:
            notes.append(
                "token expiry unknown: set token_expires (the day it was made + 60 days) so"
                f" that check warns {TOKEN_WARN_DAYS} days ahead"
            )
        notes.append(f"LinkedIn-Version {self.channel.version}")
        return f"{who} ({'; '.join(notes)})"

    def _userinfo(self) -> dict[str, Any]:
        """Who the token belongs to (OpenID ``/v2/userinfo``: ``sub``, ``name``); {} for
        an organization's token without the ``openid profile`` scopes (it needs none)."""
        try:
            response = self._send(
                "GET",
                f"{self.base}/v2/userinfo",
                "reading who the token belongs to",
                headers={"Authorization": f"Bearer {self.secret('token_env')}"},
            )
        except MissingCredentials as exc:
            if "(403" not in str(exc):
                raise
            if self.organization:
                return {}
            raise MissingCredentials(
                f"channel '{self.context.name}': the token in {self.variable('token_env')}"
                " cannot say whom it belongs to (403); add the `openid profile` scopes to the"
                " app and sign in again"
            ) from None
        return self._json(response, "userinfo")

    def _expiry_note(self, expires: date) -> str:
        left = token_days_left(expires)
        if left < 0:
            raise MissingCredentials(
                f"channel '{self.context.name}': the token in {self.variable('token_env')}"
                f" expired on {expires.isoformat()} (token_expires); a person must sign in"
                " again (re-consent) and put the new token there"
            )
        note = f"token expires {expires.isoformat()}, in {left} days"
        if left <= TOKEN_WARN_DAYS:
            note += ": a person must sign in again (re-consent) before then"
        return note

    def _introspect(self) -> str | None:
        """The token's expiry and permissions from LinkedIn's token introspection, when
        the app's client id and secret are configured; None otherwise."""
        id_env, secret_env = self.channel.client_id_env, self.channel.client_secret_env
        env = self.context.env
        if not (id_env and secret_env and env.get(id_env) and env.get(secret_env)):
            return None
        response = self._send(
            "POST",
            f"{self.oauth}/oauth/v2/introspectToken",
            "introspecting the token",
            data={
                "client_id": env[id_env],
                "client_secret": env[secret_env],
                "token": self.secret("token_env"),
            },
        )
        data = self._json(response, "introspectToken")
        if not data.get("active"):
            raise MissingCredentials(
                f"channel '{self.context.name}': LinkedIn says the token in"
                f" {self.variable('token_env')} is not active ({data.get('status', 'revoked')});"
                " a person must sign in again (re-consent) and put the new token there"
            )
        scopes = {s.strip() for s in str(data.get("scope") or "").split(",")}
        scope = "w_organization_social" if self.organization else "w_member_social"
        if scope not in scopes:
            raise MissingCredentials(
                f"channel '{self.context.name}': the token in {self.variable('token_env')}"
                f" lacks the {scope} permission (it has: {', '.join(sorted(scopes)) or 'none'})"
            )
        expires = data.get("expires_at")
        if not isinstance(expires, int | float):
            return None
        when = datetime.fromtimestamp(expires, UTC).date()
        return self._expiry_note(when) + " (introspection)"

    # -- images -------------------------------------------------------------------
    def _read(self, media: Media) -> bytes:
        try:
            return (self.context.project.root / media.path).read_bytes()
        except OSError as exc:
            raise Rejected(f"{media.path}: cannot read it ({exc.strerror})") from None

    def _image(self, position: int, media: Media) -> str:
        """The URN of an AVAILABLE image of this file: reused from the ledger's handle
        when LinkedIn still has it, else initialized, uploaded and waited for."""
        data = self._read(media)
        found = probe(data)
        if found.format not in ("jpeg", "png", "gif"):
            raise Rejected(f"{media.path}: LinkedIn takes JPEG, PNG or GIF images")
        digest = hashlib.sha256(data).hexdigest()
        name = f"image{position}"
        kept = self.handles.get(name)
        if isinstance(kept, dict) and kept.get("sha256") == digest and kept.get("uploaded"):
            status = self._status(str(kept["urn"]), media)
            if status in ("AVAILABLE", "PROCESSING"):
                if status == "PROCESSING":
                    self._wait(str(kept["urn"]), media)
                return str(kept["urn"])
            self.handles.forget(name)  # never uploaded, failed or gone: start again
        urn, upload_url = self._initialize()
        self.handles.put(name, {"urn": urn, "sha256": digest, "uploaded": False})
        self._put(upload_url, data, found.mime or "application/octet-stream", media)
        self.handles.put(name, {"urn": urn, "sha256": digest, "uploaded": True})
        self._wait(urn, media)
        return urn

    def _initialize(self) -> tuple[str, str]:
        response = self._send(
            "POST",
            f"{self.base}/rest/images?action=initializeUpload",
            "initializing an image upload",
            headers=self._headers(json=True),
            json={"initializeUploadRequest": {"owner": self.channel.author}},
        )
        value = self._json(response, "initializeUpload").get("value")
        if not isinstance(value, dict) or not value.get("image") or not value.get("uploadUrl"):
            raise Transient("initializeUpload: the answer has no image URN or upload URL")
        self._upload_urls.append(str(value["uploadUrl"]))
        return str(value["image"]), str(value["uploadUrl"])

    def _put(self, url: str, data: bytes, mime: str, media: Media) -> None:
        self._send(
            "PUT",
            url,
            f"uploading {media.path}",
            headers={"Authorization": f"Bearer {self.secret('token_env')}", "Content-Type": mime},
            content=data,
        )

    def _status(self, urn: str, media: Media) -> str:
        try:
            response = self._send(
                "GET",
                f"{self.base}/rest/images/{_encoded(urn)}",
                f"reading the state of {media.path}",
                headers=self._headers(),
            )
        except Rejected as exc:
            if exc.status == 404:
                return "GONE"
            raise
        return str(self._json(response, "images").get("status") or "")

    def _wait(self, urn: str, media: Media) -> None:
        """Poll the image until AVAILABLE (bounded); a failed one is refused."""
        delay, waited = 0.25, 0.0
        for _ in range(IMAGE_POLLS):
            status = self._status(urn, media)
            if status == "AVAILABLE":
                return
            if status in ("PROCESSING_FAILED", "FAILED", "GONE"):
                raise Rejected(f"LinkedIn could not process {media.path} ({status})")
            if pause(delay * self.http.policy.scale, self.http.cancel):
                raise Cancelled(f"interrupted while LinkedIn processed {media.path}; not sent")
            waited += delay
            delay = min(delay * 1.5, 5.0)
        raise Transient(
            f"LinkedIn is still processing {media.path} after {waited:.0f} s", retry_after=30.0
        )

    # -- posts and comments ---------------------------------------------------------
    def body(self, variant: Variant, index: int, images: list[str]) -> dict[str, Any]:
        """The body of ``POST /rest/posts`` (the first part) or of the comment (later parts)."""
        part = variant.parts[index]
        if index > 0:
            return {
                "actor": self.channel.author,
                "object": "<the first part's URN>",
                "message": {"text": linkedin_visible_text(part.text)},
            }
        body: dict[str, Any] = {
            "author": self.channel.author,
            "commentary": part.text,
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        alts = [m.alt or "" for m in part.media]
        if len(images) == 1:
            body["content"] = {"media": {"id": images[0], "altText": alts[0]}}
        elif images:
            body["content"] = {
                "multiImage": {
                    "images": [{"id": i, "altText": a} for i, a in zip(images, alts, strict=True)]
                }
            }
        return body

    def _refuse(self, variant: Variant, index: int) -> None:
        """Refuse, before anything is sent, what LinkedIn would refuse."""
        part = variant.parts[index]
        if index == 0:
            for number, later in enumerate(variant.parts[1:], start=2):
                if later.media:
                    raise Rejected(f"part {number} has media; LinkedIn comments carry no images")
                length = len(linkedin_visible_text(later.text))
                if length > COMMENT_CHARS:
                    raise Rejected(
                        f"part {number} is {length} characters; LinkedIn comments take"
                        f" {COMMENT_CHARS}"
                    )
            if len(part.media) > MAX_IMAGES:
                raise Rejected(f"{len(part.media)} images; LinkedIn takes 1 to 20 in a post")

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        self._refuse(variant, index)
        if index > 0:
            if not thread:
                raise Rejected(f"part {index + 1} is a comment, but the first part is unknown")
            return self._comment(variant, index, thread[0])
        images = [self._image(n, m) for n, m in enumerate(variant.parts[0].media)]
        body = self.body(variant, 0, images)
        self.handles.put("sent", True)  # from here on, the post may exist
        try:
            response = self._send(
                "POST",
                f"{self.base}/rest/posts",
                "posting",
                creates=True,
                headers=self._headers(json=True),
                json=body,
            )
        except Rejected as exc:
            found = self._duplicate(exc)
            if found is not None:
                return found
            raise
        except (MissingCredentials, Transient) as exc:
            if not isinstance(exc, Transient) or exc.status == 429:
                self.handles.forget("sent")  # refused before anything was made
            raise
        urn = response.headers.get("x-restli-id")
        if not urn:
            raise Unknown(f"POST /rest/posts answered {response.status_code} without x-restli-id")
        return Remote(urn, post_url(urn))

    def _duplicate(self, exc: Rejected) -> Remote | None:
        """The existing post a 422 DUPLICATE_POST names, read back; a URN that answers
        404 (a deleted post LinkedIn still remembers) is refused with what to do."""
        if exc.status != 422 or "DUPLICATE_POST" not in exc.message:
            return None
        match = _DUPLICATE.search(exc.message)
        if not match:
            return None
        urn = match.group(1)
        if self._read_post(urn) is not None:
            return Remote(urn, post_url(urn))
        raise Rejected(
            f"LinkedIn refuses the post as a duplicate of {urn}, which no longer exists (deleted);"
            " LinkedIn remembers deleted posts for a day or two: change the text, or try later",
            status=422,
        )

    def _read_post(self, urn: str) -> dict[str, Any] | None:
        try:
            response = self._send(
                "GET",
                f"{self.base}/rest/posts/{_encoded(urn)}",
                "reading a post back",
                headers=self._headers(),
            )
        except Rejected as exc:
            if exc.status in (404, 410):
                return None
            raise
        return self._json(response, "posts")

    def _comment(self, variant: Variant, index: int, root: Remote) -> Remote:
        body = self.body(variant, index, [])
        body["object"] = root.id
        self.handles.put("sent", True)
        try:
            response = self._send(
                "POST",
                f"{self.base}/rest/socialActions/{_encoded(root.id)}/comments",
                "commenting",
                creates=True,
                headers=self._headers(json=True),
                json=body,
            )
        except (MissingCredentials, Transient) as exc:
            if not isinstance(exc, Transient) or exc.status == 429:
                self.handles.forget("sent")
            raise
        data = response_json(response)
        urn = response.headers.get("x-restli-id") or (
            data.get("$URN") if isinstance(data, dict) else None
        )
        if not urn:
            raise Unknown(f"the comment was answered {response.status_code} without its URN")
        return Remote(str(urn), comment_url(root.id, str(urn)))

    # -- reconciling --------------------------------------------------------------
    def reconcile(
        self, variant: Variant, index: int, *, key: str, thread: list[Remote], since: datetime
    ) -> Remote | None:
        if not self.handles.get("sent"):
            return None  # the final call of this part was never made
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        oldest = (since - CLOCK_SKEW).timestamp() * 1000
        if index > 0:
            if not thread:
                return None
            return self._find_comment(variant, index, thread[0], oldest)
        if not self.organization:
            raise CannotTell(
                "LinkedIn lets no app list a member's posts (r_member_social is restricted),"
                " so whether the post was made cannot be told; look at the profile"
            )
        wanted = linkedin_visible_text(variant.parts[0].text)
        images = [
            str((self.handles.get(f"image{n}") or {}).get("urn"))
            for n in range(len(variant.parts[0].media))
        ]
        for post in self._own_posts(count=RECONCILE_POSTS):
            created = post.get("createdAt") or post.get("publishedAt") or 0
            if isinstance(created, int | float) and created < oldest:
                continue
            if not _same_text(linkedin_visible_text(str(post.get("commentary") or "")), wanted):
                continue
            if images and _post_images(post) != images:
                continue
            return Remote(str(post["id"]), post_url(str(post["id"])))
        return None

    def _own_posts(self, *, count: int) -> list[dict[str, Any]]:
        """The organization's latest posts (the author finder; needs r_organization_social)."""
        query = (
            f"q=author&author={_encoded(self.channel.author)}&count={count}&sortBy=LAST_MODIFIED"
        )
        response = self._send(
            "GET",
            f"{self.base}/rest/posts?{query}",
            "reading the organization's posts",
            headers=self._headers(),
        )
        elements = self._json(response, "posts").get("elements")
        if not isinstance(elements, list):
            raise Transient("the author finder answered without elements")
        return [p for p in elements if isinstance(p, dict) and p.get("id")]

    def _find_comment(
        self, variant: Variant, index: int, root: Remote, oldest: float
    ) -> Remote | None:
        if not self.organization:
            raise CannotTell(
                "LinkedIn lets no app read a member's comments (r_member_social is restricted),"
                f" so whether part {index + 1} was commented cannot be told; look at the post"
            )
        response = self._send(
            "GET",
            f"{self.base}/rest/socialActions/{_encoded(root.id)}/comments",
            "reading the post's comments",
            headers=self._headers(),
        )
        wanted = linkedin_visible_text(variant.parts[index].text)
        for comment in self._json(response, "comments").get("elements") or []:
            if not isinstance(comment, dict) or comment.get("actor") != self.channel.author:
                continue
            created = (comment.get("created") or {}).get("time", 0)
            if isinstance(created, int | float) and created < oldest:
                continue
            text = (comment.get("message") or {}).get("text")
            if isinstance(text, str) and _same_text(text, wanted) and comment.get("$URN"):
                urn = str(comment["$URN"])
                return Remote(urn, comment_url(root.id, urn))
        return None

    # -- --dry-run ----------------------------------------------------------------
    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        """The body of ``POST /rest/posts`` (or of the comment), URNs not known yet as
        ``<...>``; ``uploads`` lists the images sent first through the Images API."""
        part = variant.parts[index]
        images = [f"<image URN of {m.path}>" for m in part.media]
        body = self.body(variant, index, images)
        if index > 0:
            return {"comment on": "<the first part's URN>", **body}
        if part.media:
            body["uploads"] = [{"file": m.path, "altText": m.alt or ""} for m in part.media]
        body["headers"] = {
            "LinkedIn-Version": self.channel.version,
            "X-Restli-Protocol-Version": RESTLI,
        }
        return body


def _post_images(post: dict[str, Any]) -> list[str]:
    content = post.get("content") or {}
    if isinstance(content.get("media"), dict):
        return [str(content["media"].get("id"))]
    multi = content.get("multiImage")
    if isinstance(multi, dict):
        return [str(i.get("id")) for i in multi.get("images") or [] if isinstance(i, dict)]
    return []
