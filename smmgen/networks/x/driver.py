"""X (Twitter): posts through the v2 API, OAuth 1.0a user context, threads as self-replies.

Calls (X API v2 OpenAPI description, ``xdevplatform/xdk`` ``latest-openapi.json``
2.159, and docs.x.com; the chunked paths as the OpenAPI file and X's own samples
have them, not the older ``command=INIT`` form some docs pages still show):

- ``GET /2/users/me``: who posts (its id and username), read once per run;
- ``POST /2/media/upload`` (JSON ``{media: base64, media_category: tweet_image}``):
  an image in one request; answers ``data.id`` and ``expires_after_secs``;
- ``POST /2/media/upload/initialize`` (JSON ``{media_type, total_bytes,
  media_category}``), ``POST /2/media/upload/{id}/append`` (multipart ``media``,
  ``segment_index``), ``POST /2/media/upload/{id}/finalize``, then
  ``GET /2/media/upload?media_id=..&command=STATUS`` until ``processing_info.state``
  is ``succeeded``: a GIF or a video;
- ``POST /2/media/metadata`` (``{id, metadata: {alt_text: {text}}}``): alt text,
  at most 1000 characters;
- ``POST /2/tweets`` (``{text, media: {media_ids}, reply: {in_reply_to_tweet_id}}``):
  the one call that makes a part public; 201 ``{"data": {"id", "text"}}``.

X has no idempotency key. What the waiting steps leave on X (media ids, until
their ``expires_after_secs``, and whether their alt text is set) goes into the
ledger as soon as it exists (``self.handles``), so a resumed run reuses them and
repeats only ``POST /2/tweets``, after :meth:`XDriver.reconcile` found that the
part is not on X: it reads the account's own posts since the attempt
(``GET /2/users/{id}/tweets``, replies included) and matches the part by its
text (X gives links back as t.co links), its parent and its number of media.
A request whose answer was lost may still be under way when ``reconcile`` reads;
X then refuses the part sent again as a duplicate (403), and the post it has of
the part, made in the last minutes, is taken as the part (with a note).

Errors, rate limits and the 24-hour caps: :mod:`smmgen.networks.x.problems`.
Signing: :mod:`smmgen.networks.x.oauth`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from smmgen.adapt.variants import Media, Part, Variant
from smmgen.errors import Cancelled, CannotTell, NotSent, Rejected, Transient, Unknown
from smmgen.media import probe
from smmgen.networks.x import XChannel
from smmgen.networks.x.oauth import OAuth1
from smmgen.networks.x.problems import DUPLICATE, error_for, read_problem
from smmgen.publish.driver import Context, Driver, Remote
from smmgen.publish.drivercommon import cleaned
from smmgen.publish.http import pause
from smmgen.secrets import Redactor
from smmgen.text.twitter import extract_url_entities

API = "https://api.x.com"
WEB = "https://x.com"
MB = 1024 * 1024
#: Bytes per ``append`` (X takes segments of up to 5 MB).
CHUNK = 4 * MB
#: Polls of a GIF or video being processed (X's ``check_after_secs`` each, capped).
MEDIA_POLLS = 30
#: Pages of the account's posts read by ``reconcile`` (100 posts each).
RECONCILE_PAGES = 5
#: Allowance for X's clock running behind ours.
CLOCK_SKEW = timedelta(minutes=2)
#: How long a media id lives when X does not say (``expires_after_secs``; 24 h documented).
MEDIA_LIFETIME = 86400
#: How recent a post refused as a duplicate must be to be taken as the part (see
#: ``XDriver._duplicate_of``).
DUPLICATE_WINDOW = timedelta(minutes=15)
#: Alt text X accepts (``AltText.text`` maxLength).
ALT_CHARS = 1000

_TCO = re.compile(r"https?://t\.co/[A-Za-z0-9]+")
_SPACE = re.compile(r"\s+")
_URL = "\x00"  # a link, wherever it points, in texts compared by ``reconcile``


def comparable(text: str, *, from_x: bool = False) -> str:
    """A text as ``reconcile`` compares it: links as one mark (X wraps them as
    t.co links), entities unescaped (X gives ``&amp;`` back), white space
    collapsed, NFC."""
    text = unicodedata.normalize("NFC", text)
    if from_x:
        text = _TCO.sub(_URL, html.unescape(text))
    else:
        pieces, last = [], 0
        for url in extract_url_entities(text):
            pieces += [text[last : url.start], _URL]
            last = url.end
        text = "".join(pieces) + text[last:]
    return _SPACE.sub(" ", text).strip()


def same_text(ours: str, theirs: str, media: int) -> bool:
    """Whether X's text of a post is the part's text (X ends a post with media with
    a t.co link to the media)."""
    wanted, got = comparable(ours), comparable(theirs, from_x=True)
    if got == wanted:
        return True
    return media > 0 and got.endswith(_URL) and got[:-1].rstrip() == wanted


def _kind(data: bytes) -> tuple[str, str]:
    """(media_type, media_category) of a file, from its bytes."""
    found = probe(data)
    mime = found.mime or "application/octet-stream"
    if found.is_video:
        return mime, "tweet_video"
    if found.format == "gif":
        return mime, "tweet_gif"
    return mime, "tweet_image"


class XDriver(Driver[XChannel]):
    """Publishes to one X account (see the module docstring)."""

    reconcilable = True
    credentials = ("api_key_env", "api_secret_env", "access_token_env", "access_token_secret_env")

    def __init__(self, context: Context[XChannel]):
        super().__init__(context)
        if not isinstance(self.channel, XChannel):
            raise TypeError(f"channel '{context.name}' is not an X channel")
        self.base = (self.channel.api_base or API).rstrip("/")
        self._auth: OAuth1 | None = None
        self._me: tuple[str, str] | None = None  # (user id, username)

    # -- credentials and redaction ------------------------------------------------
    def auth(self) -> OAuth1:
        if self._auth is None:
            self._auth = OAuth1(*(self.secret(name) for name in self.credentials))
        return self._auth

    def secrets(self) -> list[str]:
        """The four credentials, and every signature and Authorization header made."""
        made = self._auth.made() if self._auth is not None else []
        return list(dict.fromkeys([*super().secrets(), *made]))

    def _redact(self, text: str) -> str:
        return self.http.redact(Redactor(self.secrets()).text(text))

    def _variables(self) -> list[str]:
        return [self.variable(name) for name in self.credentials]

    # -- requests -------------------------------------------------------------------
    def _send(
        self, method: str, path: str, *, context: str, creates: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """One signed request; a failing answer becomes the error for its status.

        Only ``POST /2/tweets`` (``creates``) can end ``Unknown``: any other
        request left unanswered changed nothing that makes a post public, and is
        ``NotSent`` (safe to repeat)."""
        auth = self.auth()
        try:
            response = self.http.send(method, self.base + path, auth=auth, **kwargs)
        except Unknown as exc:
            if creates:
                raise cleaned(exc, self.secrets()) from None
            raise cleaned(NotSent(f"{context}: {exc.message}"), self.secrets()) from None
        except (NotSent, Transient, Rejected) as exc:
            raise cleaned(exc, self.secrets()) from None
        if response.is_success:
            return response
        error = error_for(
            response, context=context, variables=self._variables(), redact=self._redact
        )
        raise cleaned(error, self.secrets())

    def _data(self, response: httpx.Response, *, context: str, creates: bool = False) -> Any:
        """``data`` of a success answer (a 2xx with ``errors`` only is a refusal)."""
        try:
            body = response.json()
        except ValueError:
            body = None
        data = body.get("data") if isinstance(body, dict) else None
        if data is not None:
            return data
        if isinstance(body, dict) and body.get("errors"):
            message = self._redact(read_problem(response).text)
            raise cleaned(Rejected(f"{context}: {message}", status=response.status_code), [])
        if creates:
            raise Unknown(f"{context}: X answered {response.status_code} without the post's id")
        raise Transient(f"{context}: X answered {response.status_code} without data")

    # -- who posts ------------------------------------------------------------------
    def me(self) -> tuple[str, str]:
        """(user id, username) of the access token's account, read once."""
        if self._me is None:
            context = "reading the account (GET /2/users/me)"
            data = self._data(self._send("GET", "/2/users/me", context=context), context=context)
            if not isinstance(data, dict) or not data.get("id") or not data.get("username"):
                raise Transient(f"{context}: the answer has no id and username")
            self._me = (str(data["id"]), str(data["username"]))
        return self._me

    def verify(self) -> str:
        """Check the four credentials; return who posts, and that the tokens do not expire
        (X's OAuth 1.0a access tokens end only when the user revokes the app or X
        suspends it: docs.x.com, authentication FAQ)."""
        return f"@{self.me()[1]} (OAuth 1.0a user context; the access token does not expire)"

    def _url(self, post_id: str) -> str:
        return f"{WEB}/{self.me()[1]}/status/{post_id}"

    # -- checks before sending --------------------------------------------------------
    def _check(self, variant: Variant, index: int) -> None:
        part = variant.parts[index]
        if variant.limit is not None and part.length > variant.limit:
            raise Rejected(
                f"part {index + 1} is {part.length} weighted characters; X allows"
                f" {variant.limit} (limits.max_chars for X Premium)"
            )
        if not part.text.strip() and not part.media:
            raise Rejected(f"part {index + 1} has neither text nor media")
        if len(part.media) > 4:
            raise Rejected(f"part {index + 1} has {len(part.media)} media; X takes at most 4")
        for media in part.media:
            if media.alt and len(media.alt) > ALT_CHARS:
                raise Rejected(
                    f"the alt text of {media.path} is {len(media.alt)} characters;"
                    f" X allows {ALT_CHARS}"
                )

    # -- media ------------------------------------------------------------------------
    def _read(self, media: Media) -> bytes:
        try:
            return (self.context.project.root / media.path).read_bytes()
        except OSError as exc:
            raise Rejected(f"{media.path}: cannot read it ({exc.strerror})") from None

    def _media_ids(self, part: Part) -> list[str]:
        """Upload the part's media (or reuse what an earlier attempt uploaded), set
        their alt text, and give their ids. A kept media id X refuses (forgotten
        before its expiry) is dropped, and the part is tried again (``NotSent``)."""
        reused: list[str] = []
        try:
            return self._prepare(part, reused)
        except Rejected as exc:
            if reused and exc.status == 400:
                self.handles.forget(*self.handles.names())
                raise NotSent(f"{exc.message} (the media are uploaded again)") from None
            raise

    def _prepare(self, part: Part, reused: list[str]) -> list[str]:
        ids = []
        for position, media in enumerate(part.media):
            content = self._read(media)
            digest = hashlib.sha256(content).hexdigest()[:32]
            name = f"media{position}"
            kept = self.handles.get(name)
            if (
                isinstance(kept, dict)
                and kept.get("file") == media.path
                and kept.get("digest") == digest
                and isinstance(kept.get("id"), str)
            ):
                media_id = kept["id"]
                reused.append(media_id)
                if kept.get("chunked"):
                    self._wait_processed(media_id, media)
            else:
                self.handles.forget(name, f"alt{position}")
                media_id = self._upload(name, media, content, digest)
            if media.alt and self.handles.get(f"alt{position}") != media_id:
                self._alt_text(media_id, media)
                self.handles.put(f"alt{position}", media_id, expires=self._expiry(name))
            ids.append(media_id)
        return ids

    def _expiry(self, name: str) -> datetime | None:
        """When the media id kept under ``name`` expires (kept with it as ``until``)."""
        kept = self.handles.get(name, margin=timedelta(0))
        until = kept.get("until") if isinstance(kept, dict) else None
        try:
            return datetime.fromisoformat(until) if isinstance(until, str) else None
        except ValueError:
            return None

    def _keep(self, name: str, data: Mapping[str, Any], value: dict[str, Any]) -> str:
        """Put an uploaded media id in the ledger at once, with its expiry."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str | int):
            raise Transient(f"uploading {value['file']}: the answer has no media id")
        lifetime = data.get("expires_after_secs")
        seconds = lifetime if isinstance(lifetime, int) and lifetime > 0 else MEDIA_LIFETIME
        expires = datetime.now(UTC) + timedelta(seconds=seconds)
        value.update(id=str(data["id"]), until=expires.isoformat(timespec="seconds"))
        self.handles.put(name, value, expires=expires)
        return str(data["id"])

    def _upload(self, name: str, media: Media, content: bytes, digest: str) -> str:
        media_type, category = _kind(content)
        value: dict[str, Any] = {"file": media.path, "digest": digest}
        context = f"uploading {media.path}"
        if category == "tweet_image":
            body = {"media": base64.b64encode(content).decode("ascii"), "media_category": category}
            response = self._send("POST", "/2/media/upload", json=body, context=context)
            return self._keep(name, self._data(response, context=context), value)
        # GIF and video: initialize, append, finalize, then wait while X processes it
        init = {"media_type": media_type, "total_bytes": len(content), "media_category": category}
        response = self._send("POST", "/2/media/upload/initialize", json=init, context=context)
        data = self._data(response, context=context)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str | int):
            raise Transient(f"{context}: initialize answered without a media id")
        media_id = str(data["id"])
        for segment, start in enumerate(range(0, len(content), CHUNK)):
            chunk = content[start : start + CHUNK]
            self._send(
                "POST",
                f"/2/media/upload/{media_id}/append",
                files={"media": ("blob", chunk, "application/octet-stream")},
                data={"segment_index": str(segment)},
                context=f"{context} (segment {segment})",
            )
        # kept from finalize on: before it, the id cannot go into a post, and an
        # unfinished upload is begun again rather than resumed
        response = self._send("POST", f"/2/media/upload/{media_id}/finalize", context=context)
        data = self._data(response, context=context)
        media_id = self._keep(name, data, {**value, "chunked": True})
        self._wait_processed(media_id, media, data)
        return media_id

    def _wait_processed(
        self, media_id: str, media: Media, data: Mapping[str, Any] | None = None
    ) -> None:
        """Poll the upload's STATUS until ``processing_info.state`` is ``succeeded``."""
        context = f"processing {media.path}"
        for _ in range(MEDIA_POLLS):
            if data is None:
                response = self._send(
                    "GET",
                    "/2/media/upload",
                    params={"media_id": media_id, "command": "STATUS"},
                    context=context,
                )
                data = self._data(response, context=context)
            info = data.get("processing_info") if isinstance(data, dict) else None
            state = info.get("state") if isinstance(info, dict) else "succeeded"
            if state == "succeeded":
                return
            if state == "failed":
                self.handles.forget(*self.handles.names())
                error = info.get("error") if isinstance(info, dict) else None
                why = error.get("message") if isinstance(error, dict) else None
                raise Rejected(f"X could not process {media.path}: {why or 'failed'}")
            after = info.get("check_after_secs") if isinstance(info, dict) else None
            wait = min(float(after), 30.0) if isinstance(after, int | float) and after > 0 else 1.0
            if pause(wait * self.http.policy.scale, self.http.cancel):
                raise Cancelled(f"interrupted while X processed {media.path}; not sent")
            data = None
        raise Transient(f"X is still processing {media.path}", retry_after=60.0)

    def _alt_text(self, media_id: str, media: Media) -> None:
        body = {"id": media_id, "metadata": {"alt_text": {"text": media.alt}}}
        context = f"setting the alt text of {media.path}"
        self._send("POST", "/2/media/metadata", json=body, context=context)

    # -- posts ------------------------------------------------------------------------
    def _body(self, text: str, parent: str | None, media_ids: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        if parent is not None:
            body["reply"] = {"in_reply_to_tweet_id": parent}
        return body

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        """Post part ``index`` (a reply to ``thread[-1]`` after the first part)."""
        if index > 0 and not thread:
            raise Rejected(f"part {index + 1} is a reply, but no earlier part was given")
        self._check(variant, index)
        part = variant.parts[index]
        self.me()  # the username for the URL, before the post: nothing may fail after it
        media_ids = self._media_ids(part)
        body = self._body(part.text, thread[-1].id if thread else None, media_ids)
        context = "posting (POST /2/tweets)"
        try:
            response = self._send("POST", "/2/tweets", json=body, context=context, creates=True)
        except Rejected as exc:
            if media_ids and exc.status == 400 and "media" in exc.message.lower():
                # expired or unknown media ids: no post was made; upload them again
                self.handles.forget(*self.handles.names())
                raise NotSent(f"{exc.message} (the media are uploaded again)") from None
            if exc.status == 403 and DUPLICATE in exc.message.lower():
                found = self._duplicate_of(part, index, thread[-1].id if thread else None)
                if found is not None:
                    return found
            raise
        data = self._data(response, context=context, creates=True)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise Unknown(f"{context}: X answered {response.status_code} without the post's id")
        return Remote(data["id"], self._url(data["id"]))

    def _duplicate_of(self, part: Part, index: int, parent: str | None) -> Remote | None:
        """After X refused part ``index`` as a duplicate: the post of it made in the last
        minutes, if there is one. An earlier request whose answer was lost may still
        have been under way when ``reconcile`` looked (X made the post after it read
        the account's posts); X then refuses the part sent again as a duplicate. That
        post is this part: it has its text, parent and media, and it is that recent."""
        found = self._find(part, index, parent, datetime.now(UTC) - DUPLICATE_WINDOW)
        if found is not None:
            self.note(
                f"part {index + 1}: X refused it as a duplicate of a post made in the last"
                f" {DUPLICATE_WINDOW.seconds // 60} minutes with the same text, parent and"
                f" media ({found.url}); that post is taken as this part (an earlier request"
                " whose answer was lost made it)"
            )
        return found

    # -- reconciling ----------------------------------------------------------------
    def reconcile(
        self, variant: Variant, index: int, *, key: str, thread: list[Remote], since: datetime
    ) -> Remote | None:
        """The part's post if the account posted it at or after ``since``, else None."""
        parent = thread[-1].id if thread else None
        return self._find(variant.parts[index], index, parent, since)

    def _find(self, part: Part, index: int, parent: str | None, since: datetime) -> Remote | None:
        """The account's post of ``part`` (its text, parent and media count) made at
        or after ``since``, newest first; None if there is none."""
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        start = (since - CLOCK_SKEW).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        user_id = self.me()[0]
        path = f"/2/users/{user_id}/tweets"
        params: dict[str, str] = {
            "start_time": start,
            "max_results": "100",
            "tweet.fields": "created_at,conversation_id,referenced_tweets,attachments",
        }
        context = "reading the account's posts (GET /2/users/:id/tweets)"
        for _ in range(RECONCILE_PAGES):
            response = self._send("GET", path, params=params, context=context)
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise Transient(f"{context}: the answer is not a JSON object")
            posts = body.get("data") or []
            if not isinstance(posts, list):
                raise Transient(f"{context}: data is not a list")
            for post in posts:
                if isinstance(post, dict) and self._matches(post, part, parent):
                    post_id = str(post["id"])
                    return Remote(post_id, self._url(post_id))
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            token = meta.get("next_token") if isinstance(meta, dict) else None
            if not isinstance(token, str) or not token:
                return None
            params = {**params, "pagination_token": token}
        raise CannotTell(
            f"the account posted more than {RECONCILE_PAGES * 100} posts since {start};"
            f" smmgen cannot tell whether part {index + 1} is among them"
        )

    @staticmethod
    def _matches(post: Mapping[str, Any], part: Part, parent: str | None) -> bool:
        if not isinstance(post.get("id"), str) or not isinstance(post.get("text"), str):
            return False
        references = post.get("referenced_tweets") or post.get("referenced_posts") or []
        replied = [
            str(r.get("id"))
            for r in references
            if isinstance(r, dict) and r.get("type") == "replied_to"
        ]
        if (replied[0] if replied else None) != parent:
            return False
        attachments = post.get("attachments") if isinstance(post.get("attachments"), dict) else {}
        keys = attachments.get("media_keys") if isinstance(attachments, dict) else None
        if len(keys or []) != len(part.media):
            return False
        return same_text(part.text, post["text"], len(part.media))

    # -- --dry-run ----------------------------------------------------------------------
    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        """The body of ``POST /2/tweets``, ids not known yet shown as ``<...>``;
        ``uploads`` lists the media sent first, with their alt text."""
        part = variant.parts[index]
        media_ids = [f"<id of {m.path}>" for m in part.media]
        parent = f"<id of part {index}>" if index > 0 else None
        body = self._body(part.text, parent, media_ids)
        if part.media:
            body["uploads"] = [
                {
                    "file": m.path,
                    "endpoint": "/2/media/upload/initialize, append, finalize"
                    if m.is_video or m.probed == "gif"
                    else "/2/media/upload",
                    "alt_text": m.alt,
                }
                for m in part.media
            ]
        return body
