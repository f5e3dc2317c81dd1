"""Facebook Pages: posts, photos and comments through the Graph API.

Calls (``https://graph.facebook.com/<graph_version>``; sources:
developers.facebook.com/docs/pages-api/posts, .../graph-api/reference/page/feed,
.../page/photos, and the parameter lists of ``facebook/facebook-business-sdk-codegen``
``api_specs/specs/{Page,PagePost,Photo,Comment}.json``):

- a text or link post: ``POST /{page-id}/feed`` with ``message`` (and ``link``:
  Facebook shows its preview), answered ``{"id": "{page-id}_{post-id}"}``;
- one photo: ``POST /{page-id}/photos``, the file as multipart ``source``, with
  ``message`` and ``alt_text_custom``, answered ``{"id": <photo>, "post_id": <post>}``;
- several photos: each uploaded first with ``published=false`` (invisible; its id
  goes into the ledger at once, :class:`~smmgen.publish.driver.Handles`, so a
  resumed run reuses it), then ``POST /{page-id}/feed`` with
  ``attached_media=[{"media_fbid": <id>}, ...]``: the one call that makes the
  post public. An unpublished photo left by a run that stopped is harmless;
- a thread: Pages have no threads, so the later parts are comments on the first
  post, ``POST /{post-id}/comments`` with ``message``.

The permalink comes in the same answer: a ``POST`` with ``fields=id,permalink_url``
first writes, then reads the new object back ("read after write", Graph API
changelog v2.9). ``/photos`` answers a Photo, which has no ``permalink_url``, so
the post's is read after it (``GET /{post-id}?fields=permalink_url``; when that
read fails the post is still recorded, without its URL).

The token is a Page access token, or a System User (or user) token whose owner
has a task on the Page: ``GET /me`` answers as the Page for a Page token; for
another token the Page's own token is read from ``GET /{page-id}?fields=access_token``
(a Page is posted to as the Page). It travels in an ``Authorization: Bearer``
header, never in a URL.

No call takes an idempotency key, so after a request of unknown outcome
:meth:`FacebookDriver.reconcile` reads the Page's own published posts
(``GET /{page-id}/published_posts``, newest first) and matches the part by its
message, its time and its number of photos; a comment is looked for among the
first post's comments written by the Page. Errors are Graph errors
(:mod:`smmgen.networks.graph`), classified by their code.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

import httpx

from smmgen.adapt.variants import Media, Part, Variant
from smmgen.errors import CannotTell, NotSent, PublishError, Rejected, Transient, Unknown
from smmgen.media import probe
from smmgen.networks.facebook import FacebookChannel
from smmgen.networks.graph import graph_error, kind_of, usage_wait
from smmgen.publish.driver import Context, Driver, Remote
from smmgen.publish.drivercommon import cleaned, network_time, shortened, text_reason
from smmgen.publish.http import retry_after
from smmgen.secrets import Redactor

BASE = "https://graph.facebook.com"
#: What a post or comment is read back with (read after write).
CREATED_FIELDS = "id,permalink_url"
#: What ``reconcile`` reads of the Page's posts (PagePost fields; the photo count
#: from ``attachments``: one photo, or an album's ``subattachments``).
POST_FIELDS = "id,message,created_time,permalink_url,attachments{media_type,subattachments}"
COMMENT_FIELDS = "id,message,created_time,permalink_url,from"
#: Pages of posts (or comments) read by ``reconcile``, and their size.
RECONCILE_PAGES = 5
PAGE_SIZE = 25
#: Allowance for Facebook's clock running behind ours.
CLOCK_SKEW = timedelta(minutes=2)
#: Image types /photos takes (the Page Photos reference: JPEG, BMP, PNG, GIF, TIFF).
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"})
#: A refused "attached_media" id (an unpublished photo gone from Facebook).
INVALID_PARAMETER = 100
DUPLICATE_POST = 506
PERMISSIONS = (
    "pages_manage_posts and pages_read_engagement (pages_manage_engagement for the"
    " comments of a thread), and the CREATE_CONTENT task on the Page"
)
#: How much of Meta's own message an error keeps (what to do comes after it).
DETAIL_CHARS = 200
_SPACE = re.compile(r"\s+")
#: The permissions publishing needs (comments: pages_manage_engagement).
NEEDED_SCOPES = ("pages_manage_posts", "pages_read_engagement", "pages_manage_engagement")


def _expiry(what: str, epoch: Any) -> str:
    """``expires never`` (Meta's 0) or ``expires 2027-02-05 (60 days left)``."""
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch <= 0:
        return f"{what} never"
    when = datetime.fromtimestamp(epoch, UTC)
    left = (when - datetime.now(UTC)).days
    if left < 0:
        return f"{what.replace('expires', 'expired')} on {when:%Y-%m-%d}"
    return f"{what} {when:%Y-%m-%d} ({left} days left)"


def same_text(published: Any, sent: str) -> bool:
    """Whether a post's ``message`` is the text sent (NFC, white space collapsed)."""
    if not isinstance(published, str):
        return not sent.strip()

    def plain(text: str) -> str:
        return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()

    return plain(published) == plain(sent)


def photo_count(post: Mapping[str, Any]) -> int | None:
    """The photos (and videos) of a post, from its ``attachments`` (asked for: a
    post without any has none); None when they are not in a shape to count."""
    attachments = post.get("attachments")
    if attachments is None:
        return 0
    if not isinstance(attachments, dict) or not isinstance(attachments.get("data"), list):
        return None
    count = 0
    for attachment in attachments["data"]:
        if not isinstance(attachment, dict):
            continue
        sub = attachment.get("subattachments")
        if isinstance(sub, dict) and isinstance(sub.get("data"), list):
            count += len(sub["data"])
        elif attachment.get("media_type") in ("photo", "video"):
            count += 1
    return count


class FacebookDriver(Driver[FacebookChannel]):
    """Publishes to one Facebook Page (see the module docstring)."""

    reconcilable = True
    credentials = ("token_env",)

    def __init__(self, context: Context[FacebookChannel]):
        super().__init__(context)
        channel = self.channel
        if not isinstance(channel, FacebookChannel):
            raise TypeError(f"channel '{context.name}' is not a Facebook channel")
        self.base = f"{(channel.api_base or BASE).rstrip('/')}/{channel.graph_version}"
        self.page_id = channel.page_id
        self._page_token: str | None = None
        self._kind = ""  # "page" or "user": what the configured token is
        self._me: dict[str, Any] = {}
        self._page: dict[str, Any] = {}

    # -- credentials ------------------------------------------------------------
    def secrets(self) -> list[str]:
        values = super().secrets()
        if self._page_token and self._page_token not in values:
            values.append(self._page_token)  # read from Facebook for a System User token
        app_token = self._app_token()
        if app_token:
            values.append(app_token)
            _, bar, app_secret = app_token.partition("|")
            if bar and app_secret:
                values.append(app_secret)  # the app secret, the half that is secret
        return values

    def _app_token(self) -> str:
        """The app's access token (``app_token_env``), or "" when not set up."""
        name = self.channel.app_token_env
        return self.context.env.get(name, "").strip() if name else ""

    def _redact(self, text: str) -> str:
        return self.http.redact(Redactor(self.secrets()).text(text))

    def _token(self) -> str:
        """The Page access token: the configured one if it answers as the Page,
        else the Page's token read with it (a System User or user token)."""
        if self._page_token is not None:
            return self._page_token
        token = self.secret("token_env")
        me = self._get("/me", {"fields": "id,name"}, token=token, what="reading whose token it is")
        self._me = me
        if str(me.get("id")) == self.page_id:
            self._kind, self._page, self._page_token = "page", me, token
            return token
        page = self._get(
            f"/{self.page_id}",
            {"fields": "id,name,access_token"},
            token=token,
            what=f"reading Page {self.page_id} with the token of {self._who()}",
        )
        page_token = page.get("access_token")
        if not isinstance(page_token, str) or not page_token:
            raise Rejected(
                f"the token in {self.variable('token_env')} is {self._who()}'s, who has no task"
                f" on Page {self.page_id}: Facebook gave no Page token. Assign the Page to the"
                " system user in Business Manager (with the Create content task), or set a"
                " Page access token"
            )
        self._kind, self._page, self._page_token = "user", page, page_token
        return page_token

    def _who(self) -> str:
        name, ident = self._me.get("name"), self._me.get("id")
        return f"'{name}' (id {ident})" if name else f"id {ident}"

    # -- requests -----------------------------------------------------------------
    def _send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        creates: bool = False,
        token: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One Graph request; a failed answer becomes the error its code means.

        Only a request that ``creates`` something public can end ``Unknown``; any
        other whose answer was lost changed nothing a reader sees (``NotSent``)."""
        headers = {"Authorization": f"Bearer {token or self._token()}"}
        try:
            response = self.http.send(method, self.base + path, headers=headers, **kwargs)
        except Unknown as exc:
            if creates:
                raise cleaned(exc, self.secrets()) from None
            raise cleaned(NotSent(f"{what}: {exc.message}"), self.secrets()) from None
        except PublishError as exc:
            raise cleaned(exc, self.secrets()) from None
        if response.is_success:
            return response
        raise self._error(response, what)

    def _error(self, response: httpx.Response, what: str) -> PublishError:
        """The error for a failed answer: a Graph error classified by its code,
        with what to do for a token, permission or policy refusal."""
        error = graph_error(response)
        status = response.status_code
        # Meta's words cut, so that what to do is never cut off (a secret in them is
        # redacted before they are cut: Redactor(...) knows it whole)
        if error is not None:
            detail = self._redact(error.describe(DETAIL_CHARS, self._redact))
        else:
            detail = shortened(self._redact(text_reason(response)))
        variable = self.variable("token_env")
        kind = kind_of(error, status)
        if kind == "rate":
            wait = usage_wait(response.headers) or retry_after(response)
            return Transient(
                f"{what}: Facebook's rate limit: {detail}",
                status=status,
                retry_after=wait,
            )
        if kind == "transient":
            return Transient(f"{what}: {detail}", status=status, retry_after=retry_after(response))
        if kind == "token":
            message = (
                f"{what}: Facebook refused the access token in {variable}: {detail}. Create a"
                " new one (a System User token from Business Manager, or a Page token from"
                f" it) and set {variable}"
            )
        elif kind == "permission":
            message = (
                f"{what}: the token in {variable} may not do this: {detail}. It needs {PERMISSIONS}"
            )
        elif kind == "policy":
            message = (
                f"{what}: Facebook blocked it for a policy violation: {detail}. Change the"
                " post, then: smmgen ledger resolve"
            )
        elif error is not None and error.code == DUPLICATE_POST:
            message = f"{what}: Facebook refused it as a duplicate of an earlier post: {detail}"
        else:
            message = f"{what}: {detail}"
        return Rejected(message, status=status, code=error.code if error is not None else None)

    def _json(self, response: httpx.Response, *, creates: bool = False) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
        what = f"{response.request.method} {response.request.url.path}"
        if creates:
            raise Unknown(f"{what} answered {response.status_code} without an id; it may exist")
        raise Transient(f"{what} answered without a JSON object", status=response.status_code)

    def _get(
        self, path: str, params: dict[str, Any], *, what: str, token: str | None = None
    ) -> dict[str, Any]:
        return self._json(self._send("GET", path, params=params, what=what, token=token))

    def _created(self, response: httpx.Response, what: str) -> Remote:
        data = self._json(response, creates=True)
        ident = data.get("id")
        if not isinstance(ident, str) or not ident:
            raise Unknown(f"{what}: Facebook answered {response.status_code} without an id")
        url = data.get("permalink_url")
        return Remote(ident, url if isinstance(url, str) and url else None)

    # -- media ------------------------------------------------------------------------
    def _check(self, part: Part, index: int) -> None:
        """Refuse, before any request, what this driver cannot send."""
        if not part.text.strip() and not part.media:
            raise Rejected(f"part {index + 1} has neither text nor media")
        if index > 0 and part.media:
            raise Rejected(
                f"part {index + 1} has media, but the later parts of a thread become comments"
                " on Facebook, which smmgen sends as text only"
            )
        for media in part.media:
            if media.is_video:
                raise Rejected(f"{media.path}: smmgen does not publish videos to Facebook yet")

    def _read(self, media: Media) -> tuple[bytes, str]:
        try:
            content = (self.context.project.root / media.path).read_bytes()
        except OSError as exc:
            raise Rejected(f"{media.path}: cannot read it ({exc.strerror})") from None
        kind = probe(content).mime
        if kind not in PHOTO_TYPES:
            raise Rejected(f"{media.path}: Facebook takes JPEG, PNG, GIF, BMP or TIFF photos")
        assert kind is not None
        return content, kind

    def _photo_form(self, media: Media, *, published: bool, message: str | None) -> dict[str, str]:
        form = {"published": "true" if published else "false"}
        if message:
            form["message"] = message
        if media.alt:
            form["alt_text_custom"] = media.alt
        return form

    def _unpublished(self, part: Part) -> tuple[list[str], bool]:
        """The ids of the part's photos uploaded with ``published=false`` (each put
        into the ledger as soon as it exists), reusing those an earlier attempt
        uploaded; and whether any was reused."""
        ids, reused = [], False
        for position, media in enumerate(part.media):
            content, kind = self._read(media)
            digest = hashlib.sha256(content).hexdigest()
            name = f"photo:{position}"
            saved = self.handles.get(name)
            if (
                isinstance(saved, dict)
                and isinstance(saved.get("id"), str)
                and saved.get("sha256") == digest
                and saved.get("alt") == (media.alt or "")
            ):
                ids.append(saved["id"])
                reused = True
                continue
            response = self._send(
                "POST",
                f"/{self.page_id}/photos",
                what=f"uploading {media.path}",
                files={"source": (PurePosixPath(media.path).name, content, kind)},
                data=self._photo_form(media, published=False, message=None),
            )
            photo_id = self._json(response).get("id")
            if not isinstance(photo_id, str) or not photo_id:
                raise Transient(f"uploading {media.path}: the answer has no photo id")
            self.handles.put(
                name, {"id": photo_id, "path": media.path, "alt": media.alt or "", "sha256": digest}
            )
            ids.append(photo_id)
        return ids, reused

    # -- posts ------------------------------------------------------------------------
    def _feed_body(self, variant: Variant, part: Part, photo_ids: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"message": part.text}
        if photo_ids:
            body["attached_media"] = [{"media_fbid": ident} for ident in photo_ids]
        elif variant.link and self.channel.link != "none":
            body["link"] = variant.link
        return body

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        """Post part ``index``: the post (part 1), or a comment on it (the others)."""
        part = variant.parts[index]
        self._check(part, index)
        if index > 0:
            if not thread:
                raise Rejected(f"part {index + 1} is a comment, but the first post is unknown")
            return self._comment(thread[0].id, part, index)
        if len(part.media) == 1:
            return self._photo_post(part)
        photo_ids, reused = self._unpublished(part) if part.media else ([], False)
        what = "posting to the Page"
        try:
            response = self._send(
                "POST",
                f"/{self.page_id}/feed",
                params={"fields": CREATED_FIELDS},
                json=self._feed_body(variant, part, photo_ids),
                what=what,
                creates=True,
            )
        except Rejected as exc:
            if reused and exc.code == INVALID_PARAMETER:
                # the photos an earlier run uploaded are gone: upload them again
                self.handles.forget(*[f"photo:{n}" for n in range(len(part.media))])
                raise Transient(f"{exc.message} (the photos are uploaded again)") from None
            raise
        return self._created(response, what)

    def _photo_post(self, part: Part) -> Remote:
        media = part.media[0]
        content, kind = self._read(media)
        what = f"posting {media.path}"
        response = self._send(
            "POST",
            f"/{self.page_id}/photos",
            what=what,
            creates=True,
            files={"source": (PurePosixPath(media.path).name, content, kind)},
            data=self._photo_form(media, published=True, message=part.text),
        )
        answer = self._json(response, creates=True)
        post_id = answer.get("post_id")
        if not isinstance(post_id, str) or not post_id:
            raise Unknown(f"{what}: Facebook answered without the post's id; it may exist")
        return Remote(post_id, self._permalink(post_id))

    def _permalink(self, post_id: str) -> str | None:
        """The post's URL, read after it was made; None (with a note) if that fails:
        the post exists either way."""
        try:
            data = self._get(
                f"/{post_id}", {"fields": "permalink_url"}, what="reading the post's URL"
            )
        except PublishError as exc:
            self.note(f"published, but its URL could not be read: {exc}")
            return None
        url = data.get("permalink_url")
        return url if isinstance(url, str) and url else None

    def _comment(self, post_id: str, part: Part, index: int) -> Remote:
        what = f"commenting part {index + 1} on the post"
        response = self._send(
            "POST",
            f"/{post_id}/comments",
            params={"fields": CREATED_FIELDS},
            json={"message": part.text},
            what=what,
            creates=True,
        )
        return self._created(response, what)

    # -- who posts --------------------------------------------------------------------
    def verify(self) -> str:
        """Check the token; say which Page is posted to, with what kind of token, and
        (with ``app_token_env``) when the token expires."""
        self._token()
        page = f"Page '{self._page.get('name')}' (id {self._page.get('id') or self.page_id})"
        if self._kind == "page":
            said = f"{page}, with a Page access token (it answers as the Page)"
        else:
            said = (
                f"{page}, with the token of {self._who()}: a System User or user token,"
                " from which smmgen reads the Page's token"
            )
        return f"{said}; {self._lifetime()}"

    def _lifetime(self) -> str:
        """What Meta's /debug_token says of the configured token: its type, expiry and
        missing permissions (it answers only to the app's token)."""
        name = self.channel.app_token_env
        if not name:
            return (
                "its expiry is not shown: set app_token_env to the app's token for that"
                " (a Page token from a System User or a long-lived user token does not expire)"
            )
        app_token = self._app_token()
        if not app_token:
            return f"its expiry is not shown: environment variable {name} is not set"
        data = self._get(
            "/debug_token",
            {"input_token": self.secret("token_env")},
            token=app_token,
            what="reading the token's expiry (/debug_token)",
        ).get("data")
        if not isinstance(data, dict):
            raise Transient("/debug_token answered without data")
        variable = self.variable("token_env")
        if data.get("is_valid") is False:
            raise Rejected(
                f"Facebook says the token in {variable} is not valid any more; create a new"
                f" one and set {variable}"
            )
        kind = data.get("type") if isinstance(data.get("type"), str) else "unknown"
        parts = [f"token type {kind}", _expiry("expires", data.get("expires_at"))]
        access = data.get("data_access_expires_at")
        if isinstance(access, int) and access > 0:
            parts.append(_expiry("its data access expires", access))
        scopes = data.get("scopes")
        if isinstance(scopes, list):
            lacking = [p for p in NEEDED_SCOPES if p not in scopes]
            if lacking:
                parts.append(f"it lacks {', '.join(lacking)}")
        return ", ".join(parts)

    # -- unknown outcomes -------------------------------------------------------------
    def reconcile(
        self, variant: Variant, index: int, *, key: str, thread: list[Remote], since: datetime
    ) -> Remote | None:
        """The part if the Page published it at or after ``since``, else None."""
        part = variant.parts[index]
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        oldest = since - CLOCK_SKEW
        if index == 0:
            path, fields = f"/{self.page_id}/published_posts", POST_FIELDS
            params: dict[str, Any] = {"fields": fields, "limit": PAGE_SIZE}
            what = "reading the Page's posts"
        else:
            if not thread:
                raise CannotTell(f"part {index + 1}: the post it comments on is unknown")
            path = f"/{thread[0].id}/comments"
            params = {
                "fields": COMMENT_FIELDS,
                "order": "reverse_chronological",
                "filter": "stream",
                "limit": PAGE_SIZE,
            }
            what = "reading the post's comments"
        for _ in range(RECONCILE_PAGES):
            data = self._get(path, params, what=what)
            items = data.get("data")
            if not isinstance(items, list):
                raise Transient(f"{what}: the answer has no list of data")
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    continue
                created = network_time(item.get("created_time"))
                if created is not None and created < oldest:
                    return None  # newest first: the rest is older still
                if self._matches(item, part, index):
                    url = item.get("permalink_url")
                    return Remote(item["id"], url if isinstance(url, str) and url else None)
            paging = data.get("paging")
            cursors = paging.get("cursors") if isinstance(paging, dict) else None
            after = cursors.get("after") if isinstance(cursors, dict) else None
            if not items or not isinstance(after, str) or not after or len(items) < PAGE_SIZE:
                return None
            params = {**params, "after": after}
        raise CannotTell(
            f"part {index + 1}: more than {RECONCILE_PAGES * PAGE_SIZE} items since"
            f" {since:%Y-%m-%d %H:%M} UTC to look through; look for it on the Page"
        )

    def _matches(self, item: Mapping[str, Any], part: Part, index: int) -> bool:
        if not same_text(item.get("message"), part.text):
            return False
        if index > 0:
            author = item.get("from")
            return isinstance(author, dict) and str(author.get("id")) == self.page_id
        photos = photo_count(item)
        return photos is None or photos == len(part.media)

    # -- --dry-run ----------------------------------------------------------------------
    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        """The requests for part ``index``, ids not known yet shown as ``<...>``."""
        part = variant.parts[index]
        version, page = self.channel.graph_version, self.page_id
        if index > 0:
            return {
                "request": f"POST /{version}/<id of part 1>/comments?fields={CREATED_FIELDS}",
                "body": {"message": part.text},
            }
        if len(part.media) == 1:
            media = part.media[0]
            form: dict[str, Any] = {"source": media.path}
            form.update(self._photo_form(media, published=True, message=part.text))
            return {"request": f"POST /{version}/{page}/photos", "body": form}
        preview: dict[str, Any] = {}
        if part.media:
            preview["uploads"] = [
                {
                    "request": f"POST /{version}/{page}/photos",
                    "body": {
                        "source": media.path,
                        **self._photo_form(media, published=False, message=None),
                    },
                }
                for media in part.media
            ]
        ids = [f"<id of {media.path}>" for media in part.media]
        preview["request"] = f"POST /{version}/{page}/feed?fields={CREATED_FIELDS}"
        preview["body"] = self._feed_body(variant, part, ids)
        return preview
