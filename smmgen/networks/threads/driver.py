"""Threads: each part is a media container, waited for, then published.

The calls (Meta's Threads API docs, "Posts", "Carousel posts", "Reply
management", "Troubleshooting"; the official Postman collection in
``fbsamples/threads_api``):

1. ``POST /{user}/threads`` creates a container: ``media_type`` TEXT, IMAGE
   (``image_url``), VIDEO (``video_url``) or CAROUSEL (``children``, the ids of
   2-20 item containers made with ``is_carousel_item=true``), with ``text``,
   ``alt_text`` and, for the parts after the first, ``reply_to_id``. Meta
   downloads the media itself, so each file is given by its public URL under the
   channel's ``media_base_url``. It answers ``{"id": <container id>}``.
2. ``GET /{container}?fields=status,error_message`` until ``FINISHED``
   (IN_PROGRESS, FINISHED, PUBLISHED, ERROR, EXPIRED: a container not
   published within 24 hours expires).
3. ``POST /{user}/threads_publish?creation_id=<container>`` makes it public
   and answers ``{"id": <media id>}``: the one irreversible call of a part.
   ``auto_publish_text`` (publish at creation) is never used: it would leave no
   container to ask after a lost answer.
4. ``GET /{media id}?fields=permalink`` gives the post's URL.

Each container id goes into ``self.handles`` (the ledger) as soon as it
exists, with its expiry, so a resumed run reuses a FINISHED container and
creates a new one only for an EXPIRED or failed one. After an answer lost
around step 3, :meth:`ThreadsDriver.reconcile` asks the container first
(PUBLISHED: the post exists, found among the account's own threads or
replies by text and parent; FINISHED or anything else: it was not published,
safe to publish), then, without a container to ask, the account's own
threads.

Limits: 250 published posts and 1000 replies per moving 24 hours
(``GET /{user}/threads_publishing_limit``, read once per run and counted
down); a part over quota is not sent in this run. Errors are Graph errors
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``:
code 190 is a token that expired or was revoked, 10 and 200-299 a missing
permission, 4, 17, 32, 613 and 80000-80014 throttling (UNVERIFIED for Threads:
these are the Graph API's codes; Threads documents no usage header, so
``Retry-After`` and Graph's ``X-Business-Use-Case-Usage``
``estimated_time_to_regain_access`` are honoured when present, else the
engine backs off).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from smmgen.adapt.variants import Media, Part, Variant
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
from smmgen.networks.graph import graph_error, kind_of, usage_wait
from smmgen.networks.threads import API_BASE, ThreadsChannel
from smmgen.publish.driver import Context, Driver, Remote
from smmgen.publish.drivercommon import (
    cleaned,
    network_time,
    response_json,
    scrub,
    shortened,
    text_reason,
)
from smmgen.publish.http import pause, retry_after

#: A container not published within 24 hours expires (Meta: status EXPIRED).
CONTAINER_LIFETIME = timedelta(hours=24)
#: Polls of a container's status: waits from 1 s doubling to 60 s, about 5 minutes
#: in all (Meta recommends polling once a minute for at most five minutes).
STATUS_POLLS = 10
#: Pages of the account's own threads (or replies) read by ``reconcile`` (100 each).
RECONCILE_PAGES = 3
RECONCILE_LIMIT = 100
#: Allowance for Meta's clock running behind ours.
CLOCK_SKEW = timedelta(minutes=2)
#: Carousels take 2-20 items (Meta's docs, "Carousel posts").
CAROUSEL_MIN, CAROUSEL_MAX = 2, 20


_SPACE = re.compile(r"\s+")
_REFRESH = (
    "refresh it with GET https://graph.threads.net/refresh_access_token"
    "?grant_type=th_refresh_token&access_token=<token> (works while the token is at least"
    " 24 hours old and not expired; a scheduled CI job that writes the new token back to"
    " the secret keeps it alive), or get a new long-lived token"
)


def comparable(text: str) -> str:
    """A text as compared by ``reconcile``: NFC, white space collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _regain_after(response: httpx.Response) -> float | None:
    """Seconds until access comes back: ``Retry-After``, else Meta's usage headers."""
    return retry_after(response) or usage_wait(response.headers)


class ThreadsDriver(Driver[ThreadsChannel]):
    """Publishes to one Threads account (see the module docstring)."""

    reconcilable = True
    credentials = ("token_env",)

    def __init__(self, context: Context[ThreadsChannel]):
        super().__init__(context)
        channel = self.channel
        if not isinstance(channel, ThreadsChannel):
            raise TypeError(f"channel '{context.name}' is not a Threads channel")
        self.base = f"{(channel.api_base or API_BASE).rstrip('/')}/{channel.api_version}"
        self.user = channel.user_id
        # [used, total, seconds] for posts and for replies, read once per run
        self._quota: dict[str, list[int]] | None = None

    # -- requests -------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret('token_env')}"}

    def _error(self, response: httpx.Response, context: str) -> PublishError | MissingCredentials:
        """The error for a failing answer, from its Graph error object."""
        status = response.status_code
        error = graph_error(response)
        if error is None:
            reason = text_reason(response)
            message = f"{context}: {reason}" if context else reason
            if status == 429 or status >= 500:
                return Transient(message, status=status, retry_after=_regain_after(response))
            return Rejected(message, status=status)
        said = shortened(self.http.redact((error.user_message or error.message).strip()))
        numbers = ", ".join(
            f"{name} {value}"
            for name, value in (("code", error.code), ("subcode", error.subcode))
            if value is not None
        )
        where = f"{context}: " if context else ""
        reason = f"{where}Threads says: {said or response.reason_phrase}" + (
            f" ({numbers})" if numbers else ""
        )
        channel = f"channel '{self.context.name}'"
        kind = kind_of(error, status)
        if kind == "token" or status == 401:
            variable = self.variable("token_env")
            return MissingCredentials(
                f"{channel}: the access token in {variable} is expired, revoked or not a"
                f" Threads token ({reason}); {_REFRESH}"
            )
        if kind == "permission" or status == 403:
            return Rejected(
                f"{channel}: the token lacks a permission ({reason}); grant the app"
                " threads_basic and threads_content_publish (and threads_manage_replies for"
                " threads of several parts), then get a new token",
                status=status,
            )
        if kind == "rate":
            return Transient(
                f"{reason}; Threads is limiting this app's calls",
                status=status,
                retry_after=_regain_after(response),
            )
        if kind == "transient":
            return Transient(reason, status=status, retry_after=_regain_after(response))
        return Rejected(reason, status=status, code=error.code)

    def _send(
        self,
        method: str,
        path: str,
        *,
        context: str = "",
        creates: bool = False,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One request, its JSON object answer. Only the call that ``creates`` the
        post may end ``Unknown``; any other, unanswered, changed nothing that
        matters and is ``NotSent`` (safe to repeat)."""
        url = self.base + path
        try:
            response = self.http.send(
                method, url, headers=self._headers(), params=params, data=data
            )
        except Unknown as exc:
            if creates:
                raise cleaned(exc, self.secrets()) from None
            raise cleaned(NotSent(f"{context or path}: {exc.message}"), self.secrets()) from None
        except PublishError as exc:
            raise cleaned(exc, self.secrets()) from None
        if not response.is_success:
            raise self._cleaned(self._error(response, context))
        body = response_json(response)
        if isinstance(body, dict):
            return body
        what = f"{method} {path}"
        if creates:
            raise Unknown(f"{what} answered {response.status_code} without a JSON object")
        raise Transient(f"{what} answered without a JSON object", status=response.status_code)

    def _cleaned(
        self, error: PublishError | MissingCredentials
    ) -> PublishError | MissingCredentials:
        if isinstance(error, MissingCredentials):  # Threads' part of it is shortened already
            return MissingCredentials(scrub(self.http.redact(str(error)), self.secrets()))
        return cleaned(error, self.secrets())

    # -- checks before sending ----------------------------------------------------
    def _media_url(self, media: Media) -> str:
        channel = self.channel
        where = f"channels.yaml: channels.{self.context.name}"
        if not channel.media_base_url:
            raise Rejected(
                f"{media.path}: Threads downloads media from a public URL, and channel"
                f" '{self.context.name}' has no media_base_url ({where}): set it to the URL"
                " where this repository's files are served"
            )
        url = channel.media_url(media.path)
        if url is None:
            raise Rejected(
                f"{media.path} is outside media_root '{channel.media_root}' ({where}), so it"
                f" is not served at {channel.media_base_url}"
            )
        return url

    def _check(self, part: Part, index: int) -> None:
        if not part.text.strip() and not part.media:
            raise Rejected(f"part {index + 1} has neither text nor media")
        if len(part.media) > CAROUSEL_MAX:
            raise Rejected(
                f"part {index + 1} has {len(part.media)} media; a Threads carousel takes at"
                f" most {CAROUSEL_MAX}"
            )
        for media in part.media:
            self._media_url(media)

    # -- quota --------------------------------------------------------------------
    def _read_quota(self) -> dict[str, list[int]]:
        if self._quota is None:
            fields = "quota_usage,config,reply_quota_usage,reply_config"
            body = self._send(
                "GET",
                f"/{self.user}/threads_publishing_limit",
                params={"fields": fields},
                context="reading the publishing quota",
            )
            rows = body.get("data")
            row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
            self._quota = {
                "posts": _usage(row.get("quota_usage"), row.get("config"), 250),
                "replies": _usage(row.get("reply_quota_usage"), row.get("reply_config"), 1000),
            }
        return self._quota

    def _take_quota(self, reply: bool) -> None:
        """Count one publication against the quota, or refuse it in this run."""
        kind = "replies" if reply else "posts"
        quota = self._read_quota()[kind]
        used, total, seconds = quota
        if used >= total:
            hours = seconds / 3600
            raise Transient(
                f"Threads' limit of {total} {kind} per {hours:g} hours is reached ({used}"
                " published by this account in the moving window); not sent in this run,"
                " the next run tries again",
                retry_after=float(seconds),
            )
        quota[0] += 1

    # -- containers -----------------------------------------------------------------
    def _status(self, container: str) -> tuple[str, str]:
        body = self._send(
            "GET",
            f"/{container}",
            params={"fields": "status,error_message"},
            context="reading a container's status",
        )
        return str(body.get("status") or ""), str(body.get("error_message") or "")

    def _create(self, fields: dict[str, str], handle: str, what: str) -> str:
        body = self._send(
            "POST",
            f"/{self.user}/threads",
            data=fields,
            context=f"creating the container of {what}",
        )
        container = body.get("id")
        if not isinstance(container, str | int):
            raise Transient(f"creating the container of {what}: the answer has no id")
        self.handles.put(handle, str(container), expires=datetime.now(UTC) + CONTAINER_LIFETIME)
        return str(container)

    def _wait(self, container: str, handle: str, what: str) -> str:
        """Poll until the container is no longer IN_PROGRESS; its last status.
        A failed container is forgotten (the next attempt makes a new one)."""
        delay, waited = 1.0, 0.0
        for poll in range(STATUS_POLLS):
            status, message = self._status(container)
            if status in ("FINISHED", "PUBLISHED", "EXPIRED"):
                if status == "EXPIRED":
                    self.handles.forget(handle)
                return status
            if status == "ERROR":
                self.handles.forget(handle)
                hint = ""
                if message.startswith("FAILED_DOWNLOADING"):
                    hint = (
                        f"; Threads could not download it from {self.channel.media_base_url}:"
                        " is the site deployed with this file, and media_base_url right?"
                    )
                raise Rejected(f"Threads could not prepare {what}: {message or 'ERROR'}{hint}")
            if poll == STATUS_POLLS - 1:
                break
            if pause(delay * self.http.policy.scale, self.http.cancel):
                raise Cancelled(f"interrupted while Threads prepared {what}; not published")
            waited += delay
            delay = min(delay * 2, 60.0)
        raise Transient(f"Threads is still preparing {what} after {waited:.0f} s", retry_after=60.0)

    def _reused(self, handle: str, what: str) -> str | None:
        """A container of an earlier attempt, if it can still be published."""
        container = self.handles.get(handle)
        if container is None:
            return None
        status = self._wait(str(container), handle, what)
        if status == "FINISHED":
            return str(container)
        if status == "PUBLISHED":  # reconcile did not find it: an earlier run made it public
            raise CannotTell(
                f"the container of {what} ({container}) is already published, but the post"
                " was not found among the account's own threads"
            )
        return None  # expired: make another

    def _item_fields(self, media: Media, *, carousel: bool) -> dict[str, str]:
        url = self._media_url(media)
        fields = {"media_type": "VIDEO" if media.is_video else "IMAGE"}
        fields["video_url" if media.is_video else "image_url"] = url
        if carousel:
            fields["is_carousel_item"] = "true"
        if media.alt:
            fields["alt_text"] = media.alt
        return fields

    def _fields(
        self, part: Part, reply_to: str | None, children: list[str] | None
    ) -> dict[str, str]:
        """The fields of the part's own container (the carousel's, with ``children``)."""
        if children is not None:
            fields = {"media_type": "CAROUSEL", "children": ",".join(children)}
        elif part.media:
            fields = self._item_fields(part.media[0], carousel=False)
        else:
            fields = {"media_type": "TEXT"}
        if part.text:
            fields["text"] = part.text
        if reply_to is not None:
            fields["reply_to_id"] = reply_to
        return fields

    def _container(self, part: Part, index: int, reply_to: str | None) -> str:
        """The part's container, FINISHED: reused from an earlier attempt or made."""
        what = f"part {index + 1}"
        found = self._reused("container", what)
        if found is not None:
            return found
        children = None
        if len(part.media) >= CAROUSEL_MIN:
            children = []
            for position, media in enumerate(part.media):
                handle, item = f"item{position}", f"{media.path} (part {index + 1})"
                child = self._reused(handle, item)
                if child is None:
                    child = self._create(self._item_fields(media, carousel=True), handle, item)
                    if self._wait(child, handle, item) != "FINISHED":
                        raise Transient(f"the container of {item} expired at once; try again")
                children.append(child)
        container = self._create(self._fields(part, reply_to, children), "container", what)
        status = self._wait(container, "container", what)
        if status != "FINISHED":
            raise Transient(f"the container of {what} is {status} before it was published")
        return container

    # -- publishing -----------------------------------------------------------------
    def _remote(self, media_id: str, permalink: Any = None) -> Remote:
        if not isinstance(permalink, str):
            try:
                body = self._send(
                    "GET", f"/{media_id}", params={"fields": "permalink"}, context="permalink"
                )
                permalink = body.get("permalink")
            except PublishError as exc:  # the post exists: its URL is a nicety
                self.note(f"its permalink could not be read ({exc})")
                permalink = None
        return Remote(media_id, permalink if isinstance(permalink, str) else None)

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        """Publish part ``index`` (a reply to ``thread[-1]`` after the first part)."""
        if index > 0 and not thread:
            raise Rejected(f"part {index + 1} is a reply, but no earlier part was given")
        part = variant.parts[index]
        self._check(part, index)
        self._take_quota(reply=index > 0)
        container = self._container(part, index, thread[-1].id if thread else None)
        body = self._send(
            "POST",
            f"/{self.user}/threads_publish",
            data={"creation_id": container},
            creates=True,
            context=f"publishing part {index + 1}",
        )
        media_id = body.get("id")
        if not isinstance(media_id, str | int):
            raise Unknown(f"threads_publish answered without the post's id (container {container})")
        return self._remote(str(media_id))

    # -- reconciling ------------------------------------------------------------------
    def reconcile(
        self, variant: Variant, index: int, *, key: str, thread: list[Remote], since: datetime
    ) -> Remote | None:
        """The part if it was published, else None: asked of its container, else
        looked for among the account's own threads (or replies) since ``since``."""
        part = variant.parts[index]
        parent = thread[-1].id if thread else None
        # expired or not, an earlier attempt's container says what became of it
        container = self.handles.get("container", margin=-timedelta(days=36500))
        if container is None:
            return None  # no container was ever made for this part: nothing was published
        try:
            status, _ = self._status(str(container))
        except Rejected:  # the container is gone (long expired): look for the post
            status = ""
        if status in ("FINISHED", "IN_PROGRESS", "ERROR", "EXPIRED"):
            return None  # never published: safe to publish (again)
        found = self._find(part, parent, since)
        if found is not None:
            return found
        if status == "PUBLISHED":
            raise CannotTell(
                f"the container of part {index + 1} is published, but the post was not found"
                " among the account's own threads"
            )
        return None

    def _find(self, part: Part, parent: str | None, since: datetime) -> Remote | None:
        """The account's own thread (or reply to ``parent``) with the part's text."""
        wanted = comparable(part.text)
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        oldest = since - CLOCK_SKEW
        edge = "replies" if parent else "threads"
        fields = "id,text,timestamp,permalink,media_type,is_reply,replied_to"
        params = {
            "fields": fields,
            "limit": str(RECONCILE_LIMIT),
            "since": str(int(oldest.timestamp())),
        }
        for _ in range(RECONCILE_PAGES):
            body = self._send(
                "GET", f"/{self.user}/{edge}", params=params, context=f"reading own {edge}"
            )
            items = body.get("data")
            if not isinstance(items, list):
                raise Transient(f"GET /{self.user}/{edge} answered without a list")
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
                    continue
                when = network_time(item.get("timestamp"))
                if when is not None and when < oldest:
                    return None  # newest first: the rest is older still
                replied = item.get("replied_to")
                replied_id = replied.get("id") if isinstance(replied, dict) else None
                if parent is not None and str(replied_id) != parent:
                    continue
                kind = item.get("media_type")  # TEXT_POST, IMAGE, VIDEO, CAROUSEL_ALBUM
                if isinstance(kind, str) and (kind == "TEXT_POST") == bool(part.media):
                    continue
                if comparable(str(item.get("text") or "")) == wanted:
                    return self._remote(str(item["id"]), item.get("permalink"))
            paging = body.get("paging")
            cursors = paging.get("cursors") if isinstance(paging, dict) else None
            after = cursors.get("after") if isinstance(cursors, dict) else None
            if not (isinstance(paging, dict) and paging.get("next") and isinstance(after, str)):
                return None
            params = {**params, "after": after}
        return None

    # -- the account ------------------------------------------------------------------
    def verify(self) -> str:
        """Who posts (``@username``), with the token's expiry when Meta tells it."""
        body = self._send(
            "GET", f"/{self.user}", params={"fields": "id,username"}, context="reading the account"
        )
        who = f"@{body.get('username') or body.get('id')}"
        expiry = self._token_expiry()
        return f"{who}; {expiry}" if expiry else who

    def _token_expiry(self) -> str | None:
        """The token's expiry from ``GET /debug_token`` (Meta: "Debug Access Token";
        it answers only for a Threads tester's token: else nothing is said)."""
        try:
            body = self._send(
                "GET",
                "/debug_token",
                params={"input_token": self.secret("token_env")},
                context="reading the token's expiry",
            )
        except (PublishError, MissingCredentials):
            return None
        data = body.get("data")
        if not isinstance(data, dict):
            return None
        expires = data.get("expires_at")
        if not isinstance(expires, int) or isinstance(expires, bool):
            return None
        if expires == 0:
            return "the token does not expire"
        when = datetime.fromtimestamp(expires, UTC)
        left = when - datetime.now(UTC)
        days = left.days
        text = f"the token expires {when:%Y-%m-%d %H:%M} UTC (in {days} days)"
        if left < timedelta(days=7):
            text += f"; {_REFRESH}"
        return text

    # -- --dry-run --------------------------------------------------------------------
    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        """The container request of part ``index`` (its carousel items first), then
        the publish call; ids not known yet shown as ``<...>``. A media file without
        a public URL shows the reason instead of it."""
        part = variant.parts[index]
        reply_to = f"<id of part {index}>" if index > 0 else None
        out: dict[str, Any] = {}
        children = None
        try:
            if len(part.media) >= CAROUSEL_MIN:
                out["items"] = [self._item_fields(m, carousel=True) for m in part.media]
                children = [f"<container of {m.path}>" for m in part.media]
            out["container"] = self._fields(part, reply_to, children)
        except Rejected as exc:
            out["container"] = {"text": part.text, "problem": exc.message}
        out["publish"] = {"creation_id": f"<container of part {index + 1}>"}
        return out


def _usage(used: Any, config: Any, default_total: int) -> list[int]:
    """[used, total, seconds] from ``quota_usage`` and ``config`` (Meta's defaults
    when missing: 250 posts or 1000 replies per 86400 s)."""
    config = config if isinstance(config, dict) else {}
    total = config.get("quota_total")
    seconds = config.get("quota_duration")
    return [
        used if isinstance(used, int) and used >= 0 else 0,
        total if isinstance(total, int) and total > 0 else default_total,
        seconds if isinstance(seconds, int) and seconds > 0 else 86400,
    ]
