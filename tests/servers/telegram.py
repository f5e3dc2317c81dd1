"""A strict Telegram Bot API server: the methods smmgen uses, checked as Telegram checks them.

The contract (https://core.telegram.org/bots/api):

- ``/bot<token>/<method>``, method names case-insensitive; parameters from the
  query string, ``application/json``, ``application/x-www-form-urlencoded`` or
  ``multipart/form-data`` (objects as JSON strings there). A wrong token is
  401 ``Unauthorized``, an unknown method or path 404 ``Not Found``.
- Answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
  "description": "..."}``; 429 adds ``parameters.retry_after`` (seconds), and
  the description reads "Too Many Requests: retry after N".
- ``sendMessage``: ``text`` "1-4096 characters after entities parsing" (UTF-16
  code units, as entity offsets are counted); ``sendPhoto``/``sendVideo``/
  ``sendMediaGroup`` captions 0-1024. ``parse_mode: HTML`` accepts only
  ``b strong i em u ins s strike del``, ``span class="tg-spoiler"``,
  ``tg-spoiler``, ``a href``, ``tg-emoji emoji-id``, ``code`` (``class=
  "language-…"`` inside ``pre``), ``pre``, ``blockquote [expandable]``, and
  the entities ``&lt; &gt; &amp; &quot;`` and numeric ones. Errors read
  "Bad Request: can't parse entities: ...".
- ``chat_id`` must name a known chat ("Bad Request: chat not found"); a reply
  to a missing message fails unless ``allow_sending_without_reply``.
- Photos must be real images ("Bad Request: IMAGE_PROCESS_FAILED"); albums
  hold 2-10 items whose ``attach://<name>`` names a file part.

Stricter than Telegram, to catch a renderer slip: a ``&`` that starts no
entity and a bare ``>`` are refused (Telegram shows them as typed), and so
are attributes a tag does not take. Descriptions Telegram does not document
are this server's own wording. Message ids count up per chat from 1.
"""

from __future__ import annotations

import json
import re
import struct
import threading
import time
import zlib
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

from tests.servers.base import Faults, Reply, Request, TestServer

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
BOT: dict[str, Any] = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "smmgen test",
    "username": "smmgen_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
CHANNEL: dict[str, Any] = {
    "id": -1001000000001,
    "type": "channel",
    "title": "smmgen news",
    "username": "smmgen_news",
}
GROUP: dict[str, Any] = {"id": -1001000000002, "type": "supergroup", "title": "smmgen team"}

TEXT_LIMIT = 4096  # sendMessage: "1-4096 characters after entities parsing"
CAPTION_LIMIT = 1024  # sendPhoto etc.: "0-1024 characters after entities parsing"
ALBUM = (
    2,
    10,
)  # sendMediaGroup: "an array describing messages to be sent, must include 2-10 items"


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# -- helpers other servers use ---------------------------------------------------


def form_data(request: Request) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    """The fields and files (name -> (filename, content type, bytes)) of a
    multipart/form-data body, parsed exactly; ValueError if it is malformed."""
    header = Message()
    header["content-type"] = request.header("content-type", "") or ""
    if header.get_content_type() != "multipart/form-data":
        raise ValueError("not multipart/form-data")
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise ValueError("no boundary")
    delimiter = b"--" + boundary.encode()
    sections = request.body.split(delimiter)
    if len(sections) < 3 or not sections[-1].startswith(b"--"):
        raise ValueError("no closing boundary")
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for section in sections[1:-1]:
        if not section.startswith(b"\r\n") or not section.endswith(b"\r\n"):
            raise ValueError("a part is not framed by CRLF")
        head, separator, data = section[2:-2].partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("a part has no header end")
        headers = Message()
        for line in head.decode("utf-8").split("\r\n"):
            key, colon, value = line.partition(":")
            if not colon:
                raise ValueError(f"bad part header {line!r}")
            headers[key.strip()] = value.strip()
        if headers.get_content_disposition() != "form-data":
            raise ValueError("a part is not form-data")
        name = headers.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("a part has no name")
        filename = headers.get_filename()
        if filename is None:
            fields[name] = data.decode("utf-8")
        else:
            files[name] = (filename, headers.get_content_type(), data)
    return fields, files


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 30, 90)) -> bytes:
    """A small, valid PNG image (8-bit RGB)."""
    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(row * height))
        + _chunk(b"IEND", b"")
    )


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a well-formed PNG (every chunk's CRC checked), a JPEG's
    (0, 0), or None for anything else."""
    if data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9"):
        return (0, 0)
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    offset, size, kinds = 8, None, []
    while offset + 12 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length] or b"\0" * 4)
        if len(body) != length or zlib.crc32(kind + body) != crc:
            return None
        if kind == b"IHDR" and length == 13:
            size = struct.unpack(">II", body[:8])
        kinds.append(kind)
        offset += 12 + length
    if not kinds or kinds[0] != b"IHDR" or kinds[-1] != b"IEND" or b"IDAT" not in kinds:
        return None
    return size


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# -- Telegram's HTML parse mode -----------------------------------------------------

# tag -> the attributes it may carry (`expandable` takes no value)
_TAGS: dict[str, set[str]] = {
    **{tag: set() for tag in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del")},
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s<>=/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>\"']+))?)*)\s*>"
)
_ATTRIBUTE = re.compile(r"([^\s<>=/]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s<>\"']+))?")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise bad(f"can't parse entities: invalid character reference {match.group()!r}")
    return chr(code)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The visible text of an HTML-parse-mode text and its entities, as Telegram
    parses it; ApiError("can't parse entities: ...") where Telegram refuses it."""

    def offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def fail(reason: str) -> ApiError:
        return bad(f"can't parse entities: {reason}")

    out: list[str] = []
    stack: list[tuple[str, dict[str, str | None], int]] = []  # (tag, attributes, start)
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "<":
            match = _TAG.match(text, index)
            if not match:
                raise fail(f"Unclosed start tag at byte offset {offset(index)}")
            closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _TAGS:
                kind = "end" if closing else "start"
                raise fail(f'Unsupported {kind} tag "{name}" at byte offset {offset(index)}')
            if closing:
                if attributes.strip():
                    raise fail(f"End tag with attributes at byte offset {offset(index)}")
                if not stack:
                    raise fail(f'Unexpected end tag "{name}" at byte offset {offset(index)}')
                if stack[-1][0] != name:
                    raise fail(
                        f"Unmatched end tag at byte offset {offset(index)}, expected"
                        f' "</{stack[-1][0]}>", found "</{name}>"'
                    )
                tag, values, start = stack.pop()
                entities.append(_entity(tag, values, start, utf16_units("".join(out))))
            else:
                values = _attributes(name, attributes, offset(index))
                open_tags = [t for t, _, _ in stack]
                if name == "blockquote" and "blockquote" in open_tags:
                    raise fail(f"Nested blockquote at byte offset {offset(index)}")
                if name == "a" and "a" in open_tags:
                    raise fail(f"Nested link at byte offset {offset(index)}")
                if {"code", "pre"} & set(open_tags) and not (
                    name == "code" and open_tags[-1] == "pre"
                ):
                    raise fail(f"Tag inside code or pre at byte offset {offset(index)}")
                if name == "code" and values.get("class") and open_tags[-1:] != ["pre"]:
                    raise fail(f"Language class outside pre at byte offset {offset(index)}")
                stack.append((name, values, utf16_units("".join(out))))
            index = match.end()
        elif char == "&":
            match = _ENTITY.match(text, index)
            if not match:
                raise fail(f'unescaped "&" at byte offset {offset(index)} (strict test server)')
            out.append(_decode(match))
            index = match.end()
        elif char == ">":
            raise fail(f'unescaped ">" at byte offset {offset(index)} (strict test server)')
        else:
            out.append(char)
            index += 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), entities


def _attributes(tag: str, text: str, at: int) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for match in _ATTRIBUTE.finditer(text):
        name, raw = match.group(1).lower(), match.group(2)
        if name not in _TAGS[tag]:
            raise bad(
                f'can\'t parse entities: Unsupported attribute "{name}" of tag "{tag}"'
                f" at byte offset {at} (strict test server)"
            )
        value = None
        if raw is not None:
            value = raw[1:-1] if raw[:1] in "\"'" else raw
            if "&" in value:
                value = _ENTITY.sub(_decode, value)
        values[name] = value
    if tag == "span" and values.get("class") != "tg-spoiler":
        raise bad(
            f'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset {at}'
        )
    if tag == "code" and "class" in values and not (values["class"] or "").startswith("language-"):
        raise bad(f"can't parse entities: Unsupported class of code at byte offset {at}")
    if tag == "tg-emoji" and not (values.get("emoji-id") or "").isdigit():
        raise bad(f'can\'t parse entities: Custom emoji needs "emoji-id" at byte offset {at}')
    if tag == "blockquote" and values.get("expandable") is not None:
        raise bad(f"can't parse entities: expandable takes no value at byte offset {at}")
    return values


def _entity(tag: str, values: dict[str, str | None], start: int, end: int) -> dict[str, Any]:
    kinds = {
        "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
        "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
        "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link",
        "tg-emoji": "custom_emoji", "code": "code", "pre": "pre", "blockquote": "blockquote",
    }  # fmt: skip
    entity: dict[str, Any] = {"type": kinds[tag], "offset": start, "length": end - start}
    if tag == "a":
        entity["url"] = values.get("href")
    if tag == "blockquote" and "expandable" in values:
        entity["type"] = "expandable_blockquote"
    return entity


# -- the server ----------------------------------------------------------------------


def _object(value: Any, name: str) -> dict[str, Any] | None:
    """A JSON-object parameter (a JSON string in a form); None if absent."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad(f"can't parse {name} JSON object") from None
    if not isinstance(value, dict):
        raise bad(f"can't parse {name} JSON object")
    return value


class TelegramServer(TestServer):
    """``with TelegramServer() as server:``, ``api_base = server.url``."""

    def __init__(
        self,
        *,
        token: str = TOKEN,
        chats: list[dict[str, Any]] | None = None,
        members: dict[int, dict[str, Any]] | None = None,
        budget: int | None = None,
        retry_after: int = 5,
        faults: Faults | None = None,
    ):
        super().__init__(faults)
        self.token = token
        self.chats = [dict(c) for c in (chats if chats is not None else [CHANNEL, GROUP])]
        # the bot's membership per chat id (default: an administrator allowed to post)
        self.members = members or {}
        self.budget = budget  # sending requests answered before 429 (None: no limit)
        self.retry_after = retry_after
        self.sends = 0
        self.messages: list[dict[str, Any]] = []
        self._next_id: dict[int, int] = {}
        self._ids = threading.Lock()

    # -- the contract -------------------------------------------------------------

    def error_body(self, status: int, message: str) -> Any:
        if status == 429:
            return {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {self.faults.retry_after}",
                "parameters": {"retry_after": self.faults.retry_after},
            }
        return {"ok": False, "error_code": status, "description": message}

    def handle(self, request: Request) -> Reply:
        try:
            result = self._dispatch(request)
        except ApiError as exc:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.code,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            return Reply(exc.code, body)
        return Reply(200, {"ok": True, "result": result})

    def _dispatch(self, request: Request) -> Any:
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)", request.path)
        if not match:
            raise ApiError(404, "Not Found")
        if match.group(1) != self.token:
            raise ApiError(401, "Unauthorized")
        method = match.group(2).lower()
        handler = {
            "getme": self._getme,
            "getchat": self._getchat,
            "getchatmember": self._getchatmember,
            "sendmessage": self._sendmessage,
            "sendphoto": self._sendphoto,
            "sendvideo": self._sendvideo,
            "sendmediagroup": self._sendmediagroup,
        }.get(method)
        if handler is None:
            raise ApiError(404, "Not Found")
        params, files = self._params(request)
        if method.startswith("send"):
            with self.lock:
                self.sends += 1
                over = self.budget is not None and self.sends > self.budget
            if over:
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {self.retry_after}",
                    {"retry_after": self.retry_after},
                )
        return handler(params, files)

    def _params(self, request: Request) -> tuple[dict[str, Any], dict[str, tuple[str, str, bytes]]]:
        params: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        files: dict[str, tuple[str, str, bytes]] = {}
        if not request.body:
            return params, files
        if kind == "application/json":
            try:
                body = json.loads(request.body)
            except ValueError:
                raise bad("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad("can't parse JSON object")
            params.update(body)
        elif kind == "application/x-www-form-urlencoded":
            params.update({k: v[-1] for k, v in parse_qs(request.body.decode()).items()})
        elif kind == "multipart/form-data":
            try:
                fields, files = form_data(request)
            except ValueError as exc:
                raise bad(f"can't parse multipart/form-data: {exc}") from None
            params.update(fields)
        else:
            raise bad(f"unsupported Content-Type {kind!r}")
        return params, files

    def chat(self, chat_id: Any) -> dict[str, Any]:
        if chat_id is None or chat_id == "":
            raise bad("chat_id is empty")
        key = str(chat_id)
        for chat in self.chats:
            if key == str(chat["id"]) or (chat.get("username") and key == "@" + chat["username"]):
                return chat
        raise bad("chat not found")

    def _text(self, value: Any, parse_mode: Any, limit: int, what: str) -> tuple[str, list[Any]]:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise bad(f"{what} must be a string")
        entities: list[dict[str, Any]] = []
        if parse_mode in (None, ""):
            visible = value
        elif str(parse_mode).lower() == "html":
            visible, entities = parse_html(value)
        else:
            raise bad(f"unsupported parse_mode {parse_mode!r} (strict test server: HTML only)")
        if utf16_units(visible) > limit:
            raise bad("message is too long" if what == "text" else "message caption is too long")
        return visible, entities

    def _reply_to(self, chat: dict[str, Any], params: dict[str, Any]) -> int | None:
        reply = _object(params.get("reply_parameters"), "reply_parameters")
        legacy = params.get("reply_to_message_id")
        if reply is None and legacy is None:
            return None
        try:
            message_id = int(str(reply["message_id"] if reply else legacy))
        except (KeyError, ValueError):
            raise bad("invalid reply parameters: message_id must be an integer") from None
        allow = bool(reply and reply.get("allow_sending_without_reply"))
        exists = any(
            m["chat_id"] == chat["id"] and m["message_id"] == message_id for m in self.messages
        )
        if not exists:
            if allow:
                return None
            raise bad("message to be replied not found")
        return message_id

    def _store(self, chat: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        with self._ids:
            message_id = self._next_id.get(chat["id"], 1)
            self._next_id[chat["id"]] = message_id + 1
        record = {"chat_id": chat["id"], "message_id": message_id, **record}
        with self.lock:
            self.messages.append(record)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": dict(chat),
        }
        if chat["type"] == "channel":
            message["sender_chat"] = dict(chat)
        else:
            message["from"] = {k: BOT[k] for k in ("id", "is_bot", "first_name", "username")}
        for name in ("text", "caption"):
            if record.get(name):
                message[name] = record[name]
                if record.get(f"{name}_entities"):
                    message["entities" if name == "text" else "caption_entities"] = record[
                        f"{name}_entities"
                    ]
        if record.get("reply_to"):
            message["reply_to_message"] = {"message_id": record["reply_to"], "chat": dict(chat)}
        if record.get("media_group_id"):
            message["media_group_id"] = record["media_group_id"]
        if record.get("photo"):
            width, height = record["photo"]["size"]
            message["photo"] = [
                {
                    "file_id": f"photo-{chat['id']}-{message_id}",
                    "file_unique_id": f"p{message_id}",
                    "width": width,
                    "height": height,
                    "file_size": len(record["photo"]["bytes"]),
                }
            ]
        if record.get("video"):
            message["video"] = {
                "file_id": f"video-{message_id}",
                "file_size": len(record["video"]["bytes"]),
            }
        return message

    def _file(
        self, kind: str, value: Any, files: dict[str, tuple[str, str, bytes]]
    ) -> dict[str, Any]:
        if isinstance(value, str) and value.startswith("attach://"):
            value = files.get(value[len("attach://") :])
        elif value is None and kind in files:
            value = files[kind]
        if not isinstance(value, tuple):
            raise bad("wrong file identifier/HTTP URL specified")
        filename, content_type, data = value
        if not data:
            raise bad(f"file must be non-empty ({kind})")
        entry: dict[str, Any] = {"filename": filename, "content_type": content_type, "bytes": data}
        if kind == "photo":
            size = image_size(data)
            if size is None:
                raise bad("IMAGE_PROCESS_FAILED")
            entry["size"] = size
        return entry

    # -- methods ------------------------------------------------------------------

    def _getme(self, params: dict[str, Any], files: Any) -> Any:
        return dict(BOT)

    def _getchat(self, params: dict[str, Any], files: Any) -> Any:
        chat = self.chat(params.get("chat_id"))
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11}

    def _getchatmember(self, params: dict[str, Any], files: Any) -> Any:
        chat = self.chat(params.get("chat_id"))
        try:
            user_id = int(str(params.get("user_id") or ""))
        except ValueError:
            raise bad("invalid user_id specified") from None
        user = {k: BOT[k] for k in ("id", "is_bot", "first_name", "username")}
        if user_id != BOT["id"]:
            raise bad("user not found")
        member = self.members.get(
            chat["id"],
            {"status": "administrator", "can_post_messages": True, "can_be_edited": False},
        )
        return {"user": user, **member}

    def _sendmessage(self, params: dict[str, Any], files: Any) -> Any:
        chat = self.chat(params.get("chat_id"))
        text = params.get("text")
        visible, entities = self._text(text, params.get("parse_mode"), TEXT_LIMIT, "text")
        if not visible.strip():
            raise bad("message text is empty")
        preview = _object(params.get("link_preview_options"), "link_preview_options")
        allowed = {
            "is_disabled",
            "url",
            "prefer_small_media",
            "prefer_large_media",
            "show_above_text",
        }
        if preview is not None and not set(preview) <= allowed:
            raise bad("can't parse link_preview_options JSON object")
        reply_to = self._reply_to(chat, params)
        return self._store(
            chat,
            {
                "method": "sendMessage",
                "html": text,
                "text": visible,
                "text_entities": entities,
                "parse_mode": params.get("parse_mode"),
                "link_preview_options": preview,
                "reply_to": reply_to,
            },
        )

    def _send_media(self, kind: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        chat = self.chat(params.get("chat_id"))
        caption = params.get("caption")
        visible, entities = self._text(caption, params.get("parse_mode"), CAPTION_LIMIT, "caption")
        entry = self._file(kind, params.get(kind), files)
        reply_to = self._reply_to(chat, params)
        return self._store(
            chat,
            {
                "method": "sendPhoto" if kind == "photo" else "sendVideo",
                "html": caption,
                "caption": visible,
                "caption_entities": entities,
                kind: entry,
                "reply_to": reply_to,
            },
        )

    def _sendphoto(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return self._send_media("photo", params, files)

    def _sendvideo(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return self._send_media("video", params, files)

    def _sendmediagroup(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        chat = self.chat(params.get("chat_id"))
        media = params.get("media")
        if isinstance(media, str):
            try:
                media = json.loads(media)
            except ValueError:
                raise bad("can't parse media JSON object") from None
        if not isinstance(media, list):
            raise bad("can't parse media JSON object")
        if not ALBUM[0] <= len(media) <= ALBUM[1]:
            raise bad("media must include 2-10 items")
        records = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in ("photo", "video"):
                raise bad("unsupported media type in the album")
            caption = item.get("caption")
            visible, entities = self._text(
                caption, item.get("parse_mode"), CAPTION_LIMIT, "caption"
            )
            entry = self._file(item["type"], item.get("media"), files)
            records.append((item["type"], caption, visible, entities, entry))
        reply_to = self._reply_to(chat, params)
        group = f"album-{len(self.messages) + 1}"
        return [
            self._store(
                chat,
                {
                    "method": "sendMediaGroup",
                    "html": caption,
                    "caption": visible,
                    "caption_entities": entities,
                    kind: entry,
                    "media_group_id": group,
                    "reply_to": reply_to,
                },
            )
            for kind, caption, visible, entities, entry in records
        ]
