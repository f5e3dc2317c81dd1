"""Bluesky: posts as ``app.bsky.feed.post`` records on the account's PDS, over XRPC.

Each part is created with ``com.atproto.repo.createRecord`` under a record key
derived from the post (:func:`smmgen.networks.bluesky.tid.record_key`), so a repeated
request cannot make a second post: the PDS refuses it and the driver reads the
record back and adopts it. The same key lets :meth:`BlueskyDriver.reconcile`
find a part whose request had no answer.

Before a part is sent its mention facets get the DID of their handle
(``com.atproto.identity.resolveHandle``); images are uploaded as blobs with
their alternative text and aspect ratio (read from the file's header by
:mod:`smmgen.media`); the first part of a post with a link and no images
gets a link card from the
page's OpenGraph tags, fetched within the limits of :mod:`smmgen.publish.fetch`
(or the URL alone, with a note). Replies name the thread's root and the previous part.
"""

from __future__ import annotations

import copy
import hashlib
from base64 import b32encode
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin

import httpx

from smmgen.adapt.variants import Media, Variant
from smmgen.errors import FetchError, NotSent, PublishError, Rejected, Transient, Unknown
from smmgen.media import Probe, accepted, probe
from smmgen.networks.bluesky import NETWORK, BlueskyChannel, post_record
from smmgen.networks.bluesky.tid import record_key
from smmgen.publish.driver import Context, Driver, Remote
from smmgen.publish.drivercommon import shortened
from smmgen.publish.fetch import fetch
from smmgen.publish.http import status_error
from smmgen.secrets import Redactor

POST = "app.bsky.feed.post"
_MENTION = "app.bsky.richtext.facet#mention"
PAGE_TYPES = ("text/html", "application/xhtml+xml")  # what a linked page may be
CARD_PAGE_BYTES = 2_000_000  # more of a page is not read for its tags
THUMB_BYTES = 1_000_000  # app.bsky.embed.external#external.thumb maxSize
CARD_TITLE_CHARS = 300  # more of a page's title or description is not kept:
CARD_DESCRIPTION_CHARS = 1000  # a page cannot make the record too large to post
REDACTED = "[redacted]"


class BlueskyDriver(Driver[BlueskyChannel]):
    """Publishes to one Bluesky account (see the module docstring)."""

    reconcilable = True
    credentials = ("password_env",)

    def __init__(self, context: Context[BlueskyChannel]):
        super().__init__(context)
        channel = self.channel
        self.base = str(channel.api_base or channel.service).rstrip("/")
        self._session: dict[str, Any] | None = None
        self._dids: dict[str, str] = {}
        self._blobs: dict[str, dict[str, Any]] = {}
        self._cards: dict[str, _CardPage] = {}

    # -- credentials ----------------------------------------------------------
    def secrets(self) -> list[str]:
        values = super().secrets()
        if self._session:
            values += [self._session.get("accessJwt", ""), self._session.get("refreshJwt", "")]
        return [v for v in values if v]

    def _scrub(self, text: str) -> str:
        return self.http.redact(Redactor(self.secrets()).text(text))

    # -- XRPC -------------------------------------------------------------------
    def _error(self, response: httpx.Response, what: str) -> PublishError:
        """The error of a failed XRPC call, with the server's ``error`` and ``message``."""
        name, message = _xrpc_error(response)
        detail = ": ".join(p for p in (name, message) if p) or response.reason_phrase
        # redacted whole, then cut: a cut first could leave the start of a secret
        return status_error(response, shortened(self._scrub(f"Bluesky {what}: {detail}")))

    def _send(
        self, method: str, nsid: str, *, auth: bool, idempotent: bool, **kwargs: Any
    ) -> httpx.Response:
        """One XRPC request; with ``auth`` a session is opened, or refreshed once if expired.

        ``idempotent`` requests (reads, sessions, blobs: nothing a reader sees)
        whose answer was lost are safe to send again: ``Unknown`` becomes ``NotSent``.
        """
        url = f"{self.base}/xrpc/{nsid}"
        given = dict(kwargs.pop("headers", None) or {})
        for attempt in range(2):
            headers = dict(given)
            if auth:
                headers["Authorization"] = f"Bearer {self._access()}"
            try:
                response = self.http.send(method, url, headers=headers, **kwargs)
            except Unknown as exc:
                if idempotent:
                    raise NotSent(exc.message) from None
                raise
            if response.is_success:
                return response
            name, _ = _xrpc_error(response)
            if auth and attempt == 0 and name == "ExpiredToken":
                self._refresh()
                continue
            raise self._error(response, nsid.rsplit(".", 1)[-1])
        raise AssertionError("unreachable")

    def _call(self, nsid: str, body: dict[str, Any], *, idempotent: bool = True) -> dict[str, Any]:
        response = self._send("POST", nsid, auth=True, idempotent=idempotent, json=body)
        return _json(response)

    def _query(self, nsid: str, params: dict[str, str], *, auth: bool = False) -> dict[str, Any]:
        response = self._send("GET", nsid, auth=auth, idempotent=True, params=params)
        return _json(response)

    # -- the session ------------------------------------------------------------
    def _login(self) -> dict[str, Any]:
        password = self.secret("password_env")
        response = self._send(
            "POST",
            "com.atproto.server.createSession",
            auth=False,
            idempotent=True,
            json={"identifier": self.channel.handle, "password": password},
        )
        session = _json(response)
        if not session.get("accessJwt") or not session.get("did"):
            raise Transient("Bluesky createSession: the answer has no session")
        self._session = session
        return session

    def _refresh(self) -> None:
        """A new access token: from the refresh token, else by logging in again."""
        refresh = (self._session or {}).get("refreshJwt")
        self._session = None
        if refresh:
            try:
                response = self.http.send(
                    "POST",
                    f"{self.base}/xrpc/com.atproto.server.refreshSession",
                    headers={"Authorization": f"Bearer {refresh}"},
                )
                session = _json(response) if response.is_success else {}
            except PublishError:
                session = {}  # the refresh token is no good either: log in again
            if session.get("accessJwt") and session.get("did"):
                self._session = session
                return
        self._login()

    def _access(self) -> str:
        session = self._session or self._login()
        return str(session["accessJwt"])

    def _did(self) -> str:
        session = self._session or self._login()
        return str(session["did"])

    # -- the work ---------------------------------------------------------------
    def verify(self) -> str:
        session = self._login()
        return "@" + str(session.get("handle") or self.channel.handle)

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        rkey = self.rkey(variant, index)
        record = self.record(variant, index, thread)
        body = {"repo": self._did(), "collection": POST, "rkey": rkey, "record": record}
        try:
            created = self._call("com.atproto.repo.createRecord", body, idempotent=False)
        except (Unknown, Transient, Rejected) as exc:
            # A lost answer, a server error (a second record under the key is one:
            # "There is already a value at key"), or a refusal that says the key is
            # taken: the record may exist. Adopt it if it does.
            if isinstance(exc, Rejected) and not _key_taken(exc):
                raise
            try:
                found = self._get(rkey)
            except PublishError:
                raise exc from None
            if found is not None:
                return found
            if isinstance(exc, Unknown):
                # Not there: sending again is safe (the key allows one record only).
                raise NotSent(
                    f"{exc.message}; no post has its record key, so it is sent again"
                ) from None
            raise
        return self._remote(str(created["uri"]), str(created["cid"]))

    def reconcile(
        self, variant: Variant, index: int, *, key: str, thread: list[Remote], since: datetime
    ) -> Remote | None:
        return self._get(self.rkey(variant, index))

    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        """The record as it would be created (mentions unresolved, no link card fetched)."""
        part = variant.parts[index]
        embed: dict[str, Any] | None = None
        images = [self._image_preview(m) for m in part.media]
        if images:
            embed = {"$type": "app.bsky.embed.images", "images": images}
        elif variant.link and index == 0:
            embed = _card(variant.link, variant.link, "", None)
        record = post_record(
            part.text,
            copy.deepcopy(part.facets),
            created_at=_now(),
            langs=[variant.language] if variant.language else None,
            reply=_reply_preview(index) if index else None,
            embed=embed,
        )
        return {"collection": POST, "rkey": self.rkey(variant, index), "record": record}

    # -- pieces -----------------------------------------------------------------
    def rkey(self, variant: Variant, index: int) -> str:
        """The record key of a part: the same on every attempt."""
        return record_key(variant.post, variant.channel, index, variant.publish_at)

    def record(self, variant: Variant, index: int, thread: list[Remote]) -> dict[str, Any]:
        """The ``app.bsky.feed.post`` record of part ``index``, ready to send."""
        part = variant.parts[index]
        self._resolve_mentions(variant)
        facets = copy.deepcopy(part.facets) or None
        for facet in facets or []:
            for feature in facet["features"]:
                if feature.get("$type") == _MENTION:
                    feature["did"] = self._dids[_handle(feature["did"])]
        reply = None
        if index > 0:
            if not thread:
                raise Rejected(f"part {index + 1} is a reply, but the earlier parts are unknown")
            reply = {"root": _strong_ref(thread[0]), "parent": _strong_ref(thread[-1])}
        embed: dict[str, Any] | None = None
        if part.media:
            embed = {
                "$type": "app.bsky.embed.images",
                "images": [self._image(m) for m in part.media],
            }
        elif variant.link and index == 0:
            embed = self._link_card(variant.link)
        return post_record(
            part.text,
            facets,
            created_at=_now(),
            langs=[variant.language] if variant.language else None,
            reply=reply,
            embed=embed,
        )

    def _resolve_mentions(self, variant: Variant) -> None:
        """The DID of every handle mentioned in the variant (all parts: a wrong
        handle stops the post before its first part goes out)."""
        for part in variant.parts:
            for facet in part.facets or []:
                for feature in facet["features"]:
                    if feature.get("$type") != _MENTION:
                        continue
                    handle = _handle(feature["did"])
                    if handle in self._dids:
                        continue
                    if handle.startswith("did:"):
                        self._dids[handle] = handle
                        continue
                    try:
                        answer = self._query(
                            "com.atproto.identity.resolveHandle", {"handle": handle}
                        )
                    except Rejected as exc:
                        raise Rejected(
                            f"the mention @{handle} cannot be resolved ({exc.message});"
                            " fix the handle in `people` in channels.yaml or in the post",
                            status=exc.status,
                        ) from None
                    did = answer.get("did")
                    if not isinstance(did, str) or not did.startswith("did:"):
                        raise Rejected(f"the mention @{handle} resolved to no DID")
                    self._dids[handle] = did

    def _read_media(self, media: Media) -> tuple[bytes, Probe]:
        path = self.context.project.root / media.path
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise Rejected(f"cannot read {media.path}: {exc.strerror or exc}") from None
        found = probe(data)
        if not accepted(found.format, NETWORK.limits.image_formats) or found.mime is None:
            raise Rejected(f"{media.path}: Bluesky takes PNG, JPEG, GIF or WebP images")
        return data, found

    def _upload(self, data: bytes, mime: str) -> dict[str, Any]:
        digest = hashlib.sha256(data).hexdigest()
        if digest not in self._blobs:
            response = self._send(
                "POST",
                "com.atproto.repo.uploadBlob",
                auth=True,
                idempotent=True,
                content=data,
                headers={"Content-Type": mime},
            )
            blob = _json(response).get("blob")
            if not isinstance(blob, dict):
                raise Transient("Bluesky uploadBlob: the answer has no blob")
            self._blobs[digest] = blob
        return self._blobs[digest]

    def _image(self, media: Media) -> dict[str, Any]:
        data, found = self._read_media(media)
        assert found.mime is not None
        image: dict[str, Any] = {"image": self._upload(data, found.mime), "alt": media.alt or ""}
        size = found.size
        if size:
            image["aspectRatio"] = {"width": size[0], "height": size[1]}
        return image

    def _image_preview(self, media: Media) -> dict[str, Any]:
        """The image as it would be embedded: its blob reference computed locally."""
        try:
            data, found = self._read_media(media)
        except Rejected:
            return {"image": {"path": media.path}, "alt": media.alt or ""}
        assert found.mime is not None
        image: dict[str, Any] = {"image": blob_ref(data, found.mime), "alt": media.alt or ""}
        size = found.size
        if size:
            image["aspectRatio"] = {"width": size[0], "height": size[1]}
        return image

    def _link_card(self, url: str) -> dict[str, Any]:
        """An ``app.bsky.embed.external`` card: the page's OpenGraph title,
        description and image when they can be fetched within the limits of
        :mod:`smmgen.publish.fetch`, else the URL as its title, with a note in
        the run's report. A card never stops the post; a retry fetches nothing again."""
        if url not in self._cards:
            self._cards[url] = self._read_card(url)
        found = self._cards[url]
        thumb = None
        note = found.note
        if found.image is not None:
            try:
                thumb = self._upload(*found.image)
            except PublishError as exc:
                note = f"link card without its image (the upload failed: {exc})"
        if note:
            self.note(note)
        return _card(url, found.title, found.description, thumb)

    def _read_card(self, url: str) -> _CardPage:
        """The card's texts and image, read from the page (never an error)."""
        try:
            page = fetch(url, types=PAGE_TYPES, max_bytes=CARD_PAGE_BYTES, truncate=True)
            tags = page_tags(page.text())
        except FetchError as exc:
            return _CardPage(url, "", None, f"link card without the page's title and image: {exc}")
        except Exception:  # any other fault of somebody else's page
            return _CardPage(url, "", None, "link card without the page's title and image")
        title = _clip(tags.get("og:title") or tags.get("title") or url, CARD_TITLE_CHARS)
        description = tags.get("og:description") or tags.get("description") or ""
        description = _clip(description, CARD_DESCRIPTION_CHARS)
        image = tags.get("og:image")
        if not image:
            return _CardPage(title, description, None, "")
        try:
            thumb = fetch(urljoin(page.url, image), types=("image/",), max_bytes=THUMB_BYTES)
        except FetchError as exc:
            return _CardPage(title, description, None, f"link card without its image: {exc}")
        except Exception:
            return _CardPage(title, description, None, "link card without its image")
        kind = probe(thumb.body)
        if not accepted(kind.format, NETWORK.limits.image_formats) or kind.mime is None:
            note = "link card without its image: not a PNG, JPEG, GIF or WebP image"
            return _CardPage(title, description, None, note)
        return _CardPage(title, description, (thumb.body, kind.mime), "")

    def _get(self, rkey: str) -> Remote | None:
        """The part under ``rkey`` in the account's repository, or None."""
        try:
            found = self._query(
                "com.atproto.repo.getRecord",
                {"repo": self._did(), "collection": POST, "rkey": rkey},
            )
        except Rejected as exc:
            if exc.status == 400 and "RecordNotFound" in exc.message:
                return None
            raise
        if not found.get("uri") or not found.get("cid"):
            return None
        return self._remote(str(found["uri"]), str(found["cid"]))

    def _remote(self, uri: str, cid: str) -> Remote:
        rkey = uri.rsplit("/", 1)[-1]
        url = f"https://bsky.app/profile/{self.channel.handle}/post/{rkey}"
        return Remote(id=uri, url=url, data={"uri": uri, "cid": cid})


# -- helpers ------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        status = response.status_code
        raise Transient(f"Bluesky answered HTTP {status} without JSON", status=status) from None
    if not isinstance(data, dict):
        raise Transient("Bluesky answered with JSON that is not an object")
    return data


def _xrpc_error(response: httpx.Response) -> tuple[str, str]:
    """(error, message) of an XRPC error answer, as far as it has them."""
    try:
        data = response.json()
    except ValueError:
        return "", " ".join(response.text.split())
    if not isinstance(data, dict):
        return "", ""
    return str(data.get("error") or ""), str(data.get("message") or "")


def _key_taken(exc: Rejected) -> bool:
    message = exc.message.lower()
    return "invalidswap" in message or "already" in message


def _handle(value: str) -> str:
    return value.removeprefix("@").lower() if not value.startswith("did:") else value


def _strong_ref(remote: Remote) -> dict[str, str]:
    uri, cid = remote.data.get("uri"), remote.data.get("cid")
    if not uri or not cid:
        raise Rejected(f"cannot reply to {remote.id}: its uri and cid are not known")
    return {"uri": str(uri), "cid": str(cid)}


def _reply_preview(index: int) -> dict[str, Any]:
    """Where a reply will point; the uri and cid are known once the parts are sent."""
    return {"root": {"uri": "(part 1)", "cid": ""}, "parent": {"uri": f"(part {index})", "cid": ""}}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _card(uri: str, title: str, description: str, thumb: dict[str, Any] | None) -> dict[str, Any]:
    external: dict[str, Any] = {"uri": uri, "title": title, "description": description}
    if thumb is not None:
        external["thumb"] = thumb
    return {"$type": "app.bsky.embed.external", "external": external}


def blob_ref(data: bytes, mime: str) -> dict[str, Any]:
    """The blob reference a PDS gives ``data``: a CIDv1 of the raw bytes (sha-256)."""
    cid = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(data).digest()
    link = "b" + b32encode(cid).decode("ascii").lower().rstrip("=")
    return {"$type": "blob", "ref": {"$link": link}, "mimeType": mime, "size": len(data)}


class _CardPage(NamedTuple):
    """What a link card shows, as read from its page; ``note`` says what was left out."""

    title: str
    description: str
    image: tuple[bytes, str] | None  # the thumbnail's bytes and type, to upload
    note: str


class _Tags(HTMLParser):
    """The ``<meta>`` tags and ``<title>`` of an HTML page's head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, str] = {}
        self._in_title = False
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            values = {k.lower(): v or "" for k, v in attrs}
            name = (values.get("property") or values.get("name") or "").strip().lower()
            content = values.get("content", "").strip()
            if name and content and name not in self.tags:
                self.tags[name] = content

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            title = " ".join("".join(self._title).split())
            if title:
                self.tags.setdefault("title", title)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)


def page_tags(html: str) -> dict[str, str]:
    """The meta tags (``og:title``, ``description``, ...) and title of a page."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags
