"""Mastodon: statuses through the REST API, media uploaded first, threads as replies.

The instance's limits come from ``GET /api/v2/instance`` (``/api/v1/instance``
on servers older than 4.0), once per run; a part longer than the instance
allows (counted as Mastodon counts: URLs 23, mentions without their domain),
or with media it would refuse, is refused before anything is sent. Media go
to ``POST /api/v2/media`` with their alternative text; an upload answered 202
is processed in the background, so ``GET /api/v1/media/:id`` is polled until
it has a ``url``. Each part is then ``POST /api/v1/statuses`` with the
engine's key as ``Idempotency-Key`` (Mastodon returns the first status for a
repeated key, for an hour), a reply to the part before it.

After a request of unknown outcome, :meth:`MastodonDriver.reconcile` reads the
account's own recent statuses and matches the part by its text (the HTML
``content`` turned back into text), its parent and its number of media.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx

from smmgen import text as textlib
from smmgen.adapt.variants import Media, Part, Variant
from smmgen.errors import Cancelled, NotSent, Rejected, Transient, Unknown
from smmgen.media import probe, probe_file
from smmgen.networks.mastodon import MastodonChannel
from smmgen.publish.driver import Context, Driver, Remote
from smmgen.publish.drivercommon import network_time, shortened
from smmgen.publish.http import pause, status_error
from smmgen.secrets import Redactor

#: Polls of an upload still being processed (waits grow from 0.25 s to 5 s: about 75 s).
MEDIA_POLLS = 20
#: Pages of the account's statuses read by ``reconcile`` (40 statuses each).
RECONCILE_PAGES = 5
#: Allowance for the instance's clock running behind ours.
CLOCK_SKEW = timedelta(minutes=2)

# Regional codes Mastodon accepts as a status language (LanguagesHelper);
# other regional codes are sent as their language, which Mastodon knows.
_REGIONAL = {
    code.lower(): code
    for code in (
        "en-GB",
        "es-AR",
        "es-MX",
        "fr-CA",
        "pt-BR",
        "pt-PT",
        "sr-Latn",
        "zh-CN",
        "zh-HK",
        "zh-TW",
    )
}
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p>\s*<p[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# @user@domain is shown as @user in ``content`` (and counted so).
_MENTION_DOMAIN = re.compile(
    r"(?<![\w/@])(@[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)@[\w-]+(?:\.[\w-]+)+"
)


@dataclass(frozen=True)
class InstanceLimits:
    """What an instance accepts, from its ``configuration`` (Mastodon's defaults otherwise)."""

    max_characters: int = 500
    max_media: int = 4
    image_bytes: int | None = None
    video_bytes: int | None = None
    description_chars: int | None = None
    mime_types: frozenset[str] | None = None
    domain: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> InstanceLimits:
        """From a v2 (or v1) ``Instance``; missing or malformed values keep the defaults."""
        configuration = _dict(data.get("configuration"))
        statuses = _dict(configuration.get("statuses"))
        media = _dict(configuration.get("media_attachments"))
        types = media.get("supported_mime_types")
        domain = data.get("domain") or data.get("uri")  # v1 has the domain as `uri`
        if isinstance(domain, str) and "://" in domain:
            domain = urlsplit(domain).netloc
        return cls(
            max_characters=_int(statuses.get("max_characters"))
            or _int(data.get("max_toot_chars"))  # v1 of Pleroma and glitch-soc
            or cls.max_characters,
            max_media=_int(statuses.get("max_media_attachments")) or cls.max_media,
            image_bytes=_int(media.get("image_size_limit")),
            video_bytes=_int(media.get("video_size_limit")),
            description_chars=_int(media.get("description_limit")),
            mime_types=frozenset(map(str, types)) if isinstance(types, list) and types else None,
            domain=domain if isinstance(domain, str) and domain else None,
        )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number > 0 else None


def language(code: str) -> str:
    """A BCP 47 code as Mastodon takes it: ``pt-BR`` stays, ``en-US`` becomes ``en``."""
    lowered = code.lower()
    return _REGIONAL.get(lowered) or lowered.split("-", 1)[0]


OCTET_STREAM = "application/octet-stream"  # the type of a file of no type smmgen knows


def plain(text: str, *, markup: bool = False) -> str:
    """Text as compared by ``reconcile``: ``content`` HTML turned back into text
    (``markup``), mention domains dropped, white space collapsed, NFC."""
    if markup:
        text = _PARAGRAPH.sub("\n\n", text)
        text = _BREAK.sub("\n", text)
        text = html.unescape(_TAG.sub("", text))
    text = _MENTION_DOMAIN.sub(r"\1", unicodedata.normalize("NFC", text))
    return _SPACE.sub(" ", text).strip()


class MastodonDriver(Driver[MastodonChannel]):
    """Publishes to one Mastodon account (see the module docstring)."""

    reconcilable = True
    credentials = ("token_env",)

    def __init__(self, context: Context[MastodonChannel]):
        super().__init__(context)
        channel = self.channel
        if not isinstance(channel, MastodonChannel):
            raise TypeError(f"channel '{context.name}' is not a Mastodon channel")
        self.base = (channel.api_base or channel.instance).rstrip("/")
        self._limits: InstanceLimits | None = None
        self._account_id: str | None = None
        # Uploads per part key: (position, path, alt) -> (media id, processed).
        self._uploads: dict[str, dict[tuple[int, str, str | None], tuple[str, bool]]] = {}

    # -- requests -------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret('token_env')}"}

    def _redact(self, text: str) -> str:
        return self.http.redact(Redactor(self.secrets()).text(text))

    def _message(self, response: httpx.Response) -> str:
        """The network's own message: Mastodon's ``{"error": ...}``, else the body's start."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            message: str = data["error"]
            if isinstance(data.get("error_description"), str):
                message += f": {data['error_description']}"
        else:
            message = _SPACE.sub(" ", response.text).strip() or response.reason_phrase
        return shortened(self._redact(message))

    def _send(
        self, method: str, path: str, *, context: str = "", creates: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """One request; a failing answer becomes the error for its status code.

        Only a request that ``creates`` a status can end ``Unknown``; for any
        other, an unanswered request changed nothing that matters and is
        ``NotSent`` (safe to repeat)."""
        try:
            response = self.http.send(method, self.base + path, **kwargs)
        except Unknown as exc:
            if creates:
                raise
            raise NotSent(self._redact(f"{context or path}: {exc.message}")) from None
        if response.is_success:
            return response
        message = self._message(response)
        raise status_error(response, f"{context}: {message}" if context else message)

    def _json(self, response: httpx.Response, *, creates: bool = False) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
        what = f"{response.request.method} {response.request.url.path}"
        if creates:
            raise Unknown(f"{what} answered {response.status_code} without a status; it may exist")
        raise Transient(f"{what} answered without a JSON object", status=response.status_code)

    # -- what the instance allows ---------------------------------------------
    def limits(self) -> InstanceLimits:
        """The instance's limits, read once (``/api/v2/instance``, else ``/api/v1/instance``)."""
        if self._limits is None:
            headers = self._headers()
            context = "reading the instance's limits"
            try:
                response = self._send("GET", "/api/v2/instance", headers=headers, context=context)
            except Rejected as exc:
                if exc.status != 404:
                    raise
                response = self._send("GET", "/api/v1/instance", headers=headers, context=context)
            self._limits = InstanceLimits.parse(self._json(response))
        return self._limits

    def _check(self, part: Part, index: int) -> None:
        """Refuse, before sending, what the instance would refuse."""
        limits = self.limits()
        where = limits.domain or urlsplit(self.channel.instance).netloc
        length = textlib.length(part.text, "mastodon")
        if length > limits.max_characters:
            raise Rejected(
                f"part {index + 1} is {length} characters; {where} allows"
                f" {limits.max_characters} (its configuration.statuses.max_characters)"
            )
        if not part.text.strip() and not part.media:
            raise Rejected(f"part {index + 1} has neither text nor media")
        if len(part.media) > limits.max_media:
            raise Rejected(
                f"part {index + 1} has {len(part.media)} media; {where} takes at most"
                f" {limits.max_media}"
            )
        for media in part.media:
            self._check_media(media, limits, where)

    def _check_media(self, media: Media, limits: InstanceLimits, where: str) -> None:
        file = self.context.project.root / media.path
        try:
            found = probe_file(file)
        except OSError as exc:
            raise Rejected(f"{media.path}: cannot read it ({exc.strerror})") from None
        kind, size = found.mime or OCTET_STREAM, found.bytes
        if limits.mime_types is not None and kind not in limits.mime_types:
            raise Rejected(f"{media.path} is {kind}; {where} does not take that type")
        cap = limits.video_bytes if kind.startswith("video/") else limits.image_bytes
        if cap is not None and size > cap:
            raise Rejected(f"{media.path} is {size:,} bytes; {where} takes up to {cap:,}")
        alt = media.alt or ""
        if limits.description_chars is not None and len(alt) > limits.description_chars:
            raise Rejected(
                f"the alt text of {media.path} is {len(alt)} characters; {where} allows"
                f" {limits.description_chars}"
            )

    # -- media ------------------------------------------------------------------
    def _media_ids(self, part: Part, key: str) -> list[str]:
        """Upload the part's media (once per key and file) and wait until processed."""
        uploads = self._uploads.setdefault(key, {})
        ids = []
        for position, media in enumerate(part.media):
            slot = (position, media.path, media.alt)
            media_id, ready = uploads.get(slot) or self._upload(media)
            uploads[slot] = (media_id, ready)
            if not ready:
                try:
                    self._wait_processed(media_id, media)
                except Rejected:
                    del uploads[slot]  # gone from the instance: upload again next time
                    raise
                uploads[slot] = (media_id, True)
            ids.append(media_id)
        return ids

    def _upload(self, media: Media) -> tuple[str, bool]:
        file = self.context.project.root / media.path
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise Rejected(f"{media.path}: cannot read it ({exc.strerror})") from None
        kind = probe(content).mime or OCTET_STREAM
        files = {"file": (PurePosixPath(media.path).name, content, kind)}
        form = {"description": media.alt} if media.alt else {}
        response = self._send(
            "POST",
            "/api/v2/media",
            headers=self._headers(),
            files=files,
            data=form,
            context=f"uploading {media.path}",
        )
        data = self._json(response)
        if not isinstance(data.get("id"), str | int):
            raise Transient(f"uploading {media.path}: the answer has no media id")
        return str(data["id"]), response.status_code == 200 and bool(data.get("url"))

    def _wait_processed(self, media_id: str, media: Media) -> None:
        """Poll ``GET /api/v1/media/:id`` until the attachment has a ``url`` (bounded)."""
        delay, waited = 0.25, 0.0
        for _ in range(MEDIA_POLLS):
            if pause(delay * self.http.policy.scale, self.http.cancel):
                raise Cancelled(f"interrupted while {media.path} was being processed; not sent")
            waited += delay
            response = self._send(
                "GET",
                f"/api/v1/media/{media_id}",
                headers=self._headers(),
                context=f"processing {media.path}",
            )
            if self._json(response).get("url"):
                return
            delay = min(delay * 1.5, 5.0)
        raise Transient(
            f"{media.path} is still being processed by the instance after {waited:.0f} s",
            retry_after=30.0,
        )

    # -- statuses -----------------------------------------------------------------
    def _body(
        self, variant: Variant, index: int, parent: str | None, media_ids: list[str]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"status": variant.parts[index].text}
        if media_ids:
            body["media_ids"] = media_ids
        body["visibility"] = self.channel.visibility
        if variant.language:
            body["language"] = language(variant.language)
        if parent is not None:
            body["in_reply_to_id"] = parent
        return body

    def _remote(self, status: Mapping[str, Any]) -> Remote:
        url = status.get("url") or status.get("uri")
        return Remote(str(status["id"]), url if isinstance(url, str) else None)

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        """Post part ``index`` (a reply to ``thread[-1]`` after the first part)."""
        if index > 0 and not thread:
            raise Rejected(f"part {index + 1} is a reply, but no earlier part was given")
        part = variant.parts[index]
        headers = self._headers()
        self._check(part, index)
        media_ids = self._media_ids(part, key)
        body = self._body(variant, index, thread[-1].id if thread else None, media_ids)
        response = self._send(
            "POST",
            "/api/v1/statuses",
            headers={**headers, "Idempotency-Key": key},
            json=body,
            creates=True,
        )
        status = self._json(response, creates=True)
        if not isinstance(status.get("id"), str | int):
            raise Unknown(f"POST /api/v1/statuses answered {response.status_code} without an id")
        return self._remote(status)

    # -- the account --------------------------------------------------------------
    def _account(self) -> dict[str, Any]:
        response = self._send("GET", "/api/v1/accounts/verify_credentials", headers=self._headers())
        account = self._json(response)
        if not isinstance(account.get("id"), str | int):
            raise Transient("verify_credentials answered without an account id")
        self._account_id = str(account["id"])
        return account

    def verify(self) -> str:
        """Check the token and read the limits; return ``@user@domain``."""
        account = self._account()
        acct = str(account.get("acct") or account.get("username") or "")
        if "@" in acct:
            return f"@{acct}"
        domain = self.limits().domain or urlsplit(self.channel.instance).netloc
        return f"@{acct}@{domain}"

    def reconcile(
        self, variant: Variant, index: int, *, key: str, thread: list[Remote], since: datetime
    ) -> Remote | None:
        """The part's status if the account posted it at or after ``since``, else None."""
        part = variant.parts[index]
        wanted = plain(part.text)
        parent = thread[-1].id if thread else None
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        oldest = since - CLOCK_SKEW
        if self._account_id is None:
            self._account()
        path = f"/api/v1/accounts/{self._account_id}/statuses"
        params: dict[str, str | int] = {"limit": 40, "exclude_reblogs": "true"}
        for _ in range(RECONCILE_PAGES):
            response = self._send("GET", path, headers=self._headers(), params=params)
            try:
                statuses = response.json()
            except ValueError:
                statuses = None
            if not isinstance(statuses, list):
                raise Transient(f"GET {path} answered without a list of statuses")
            for status in statuses:
                if not isinstance(status, dict) or "id" not in status:
                    continue
                created = network_time(status.get("created_at"))
                if created is not None and created < oldest:
                    return None  # newest first: the rest is older still
                if status.get("reblog"):
                    continue
                if (
                    status.get("in_reply_to_id") == parent
                    and len(status.get("media_attachments") or []) == len(part.media)
                    and plain(str(status.get("content") or ""), markup=True) == wanted
                ):
                    return self._remote(status)
            ids = [str(s["id"]) for s in statuses if isinstance(s, dict) and "id" in s]
            if len(statuses) < int(params["limit"]) or not ids:
                return None
            params = {**params, "max_id": ids[-1]}
        return None

    # -- --dry-run ----------------------------------------------------------------
    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        """The body of ``POST /api/v1/statuses``, ids not known yet shown as ``<...>``;
        ``uploads`` lists the media sent first to ``POST /api/v2/media``."""
        part = variant.parts[index]
        media_ids = [f"<id of {m.path}>" for m in part.media]
        parent = f"<id of part {index}>" if index > 0 else None
        body = self._body(variant, index, parent, media_ids)
        if part.media:
            body["uploads"] = [{"file": m.path, "description": m.alt} for m in part.media]
        return body
