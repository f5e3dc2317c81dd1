"""Telegram: a bot posts to a channel or group through the Bot API.

What this relies on (https://core.telegram.org/bots/api):

- Every method is ``<api_base>/bot<token>/<method>``: the token is in the
  URL path, so it is in :meth:`TelegramDriver.secrets` (with its secret half,
  after the colon, which survives URL-encoding) and scrubbed from every fault.
- ``sendMessage``: ``chat_id``, ``text`` "1-4096 characters after entities
  parsing", ``parse_mode: "HTML"`` (the ``telegram`` dialect already renders
  Telegram's HTML), ``link_preview_options`` (the preview shows the post's
  link when it has one), ``reply_parameters``.
- One media file: ``sendPhoto`` (``sendVideo`` for a video) as
  multipart/form-data with the file, ``caption`` "0-1024 characters after
  entities parsing" and ``parse_mode``. Two to ten: ``sendMediaGroup`` with
  ``media``, a JSON array of ``InputMediaPhoto``/``InputMediaVideo`` whose
  ``media`` is ``attach://<name>`` naming a file part; the first item's
  caption is the album's. Telegram has no alt text.
- Answers are ``{"ok": true, "result": ...}`` (a Message; an array of them for
  an album) or ``{"ok": false, "error_code": 400, "description": "Bad Request:
  ..."}``, with ``parameters.retry_after`` (seconds) on 429 flood control and
  ``parameters.migrate_to_chat_id`` when a group became a supergroup.
- Parts after the first (Telegram has no threads; normally there is one part)
  are sent as replies to the previous part (``reply_parameters`` with
  ``allow_sending_without_reply``).

A message's address is ``https://t.me/<username>/<message_id>`` for a public
chat (an ``@name`` chat_id, or a chat whose answer carries a username); a
private chat's messages have none. The Bot API cannot look up what a bot
sent, so an unknown outcome is left to a person (not reconcilable).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from smmgen.errors import MissingCredentials, Rejected, Transient, Unknown
from smmgen.media import probe
from smmgen.networks.telegram import TelegramChannel
from smmgen.publish.driver import Driver, Remote
from smmgen.publish.drivercommon import cleaned, response_json, send
from smmgen.publish.http import status_error

if TYPE_CHECKING:
    from smmgen.adapt.variants import Media, Variant

API = "https://api.telegram.org"
# A token is "<bot id>:<secret>"; anything that could change the URL's meaning is refused.
_TOKEN = re.compile(r"[^\s/?#%]+")


class TelegramDriver(Driver[TelegramChannel]):
    """Posts through the Bot API (see the module docstring)."""

    reconcilable: ClassVar[bool] = False
    credentials: ClassVar[tuple[str, ...]] = ("token_env",)

    # -- credentials ----------------------------------------------------------

    def secrets(self) -> list[str]:
        values = super().secrets()
        for token in list(values):
            values.append(quote(token, safe=""))
            _, _, secret_half = token.partition(":")
            if len(secret_half) >= 16:
                values.append(secret_half)
        return list(dict.fromkeys(values))

    def _token(self) -> str:
        token = self.secret("token_env")
        if not _TOKEN.fullmatch(token):
            raise MissingCredentials(
                f"channel '{self.context.name}': {self.channel.token_env} does not hold a bot"
                " token (like 123456:ABC-DEF..., from @BotFather)"
            )
        return token

    def _url(self, method: str) -> str:
        base = (self.channel.api_base or API).rstrip("/")
        return f"{base}/bot{self._token()}/{method}"

    # -- requests -------------------------------------------------------------

    def _call(self, http_method: str, method: str, **kwargs: Any) -> Any:
        """The ``result`` of one Bot API call; its failures as publish errors."""
        response = send(self, http_method, self._url(method), **kwargs)
        answer = response_json(response)
        if not isinstance(answer, dict):
            answer = {}
        if response.is_success and answer.get("ok") is True and "result" in answer:
            return answer["result"]
        if response.is_success:  # it went through, but the answer is not the Bot API's
            raise cleaned(
                Unknown(
                    f"{method}: answered without a Bot API result", status=response.status_code
                ),
                self.secrets(),
            )
        description = answer.get("description")
        message = str(description) if description else f"{method}: no Bot API answer"
        parameters = answer.get("parameters")
        parameters = parameters if isinstance(parameters, dict) else {}
        migrated = parameters.get("migrate_to_chat_id")
        if migrated is not None:
            message += f" (the chat is now {migrated}: set chat_id in channels.yaml)"
        error = status_error(response, message)
        wait = parameters.get("retry_after")
        if isinstance(error, Transient) and isinstance(wait, int | float):
            error.retry_after = float(wait)
        raise cleaned(error, self.secrets())

    def _object(self, method: str, **params: Any) -> dict[str, Any]:
        """A read-only call whose result is an object."""
        result = self._call("GET", method, params=params)
        if not isinstance(result, dict):
            raise Rejected(f"{method}: the answer is not an object")
        return result

    def verify(self) -> str:
        """``getMe``, then ``getChat`` and ``getChatMember``: the bot exists and can post there."""
        me = self._object("getMe")
        chat_id = self.channel.chat_id
        chat = self._object("getChat", chat_id=chat_id)
        member = self._object("getChatMember", chat_id=chat_id, user_id=me.get("id"))
        where = _chat_name(chat, chat_id)
        status = member.get("status")
        if status in ("left", "kicked"):
            raise Rejected(f"@{me.get('username')} is not a member of {where}")
        if chat.get("type") == "channel" and not (
            status == "creator" or (status == "administrator" and member.get("can_post_messages"))
        ):
            raise Rejected(
                f"@{me.get('username')} cannot post in {where}: make it an administrator"
                " allowed to post messages"
            )
        if status == "restricted" and not member.get("can_send_messages"):
            raise Rejected(f"@{me.get('username')} may not send messages in {where}")
        return f"@{me.get('username')} posts to {where}"

    def _media(self, media: Media) -> tuple[str, bytes, str]:
        path = self.context.project.root / media.path
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Rejected(f"cannot read {media.path}: {exc.strerror or exc}") from None
        kind = probe(data).mime or "application/octet-stream"
        return Path(media.path).name, data, kind

    def request(
        self, variant: Variant, index: int, thread: list[Remote]
    ) -> tuple[str, dict[str, Any], list[Media]]:
        """(method, fields, media files) of part ``index``; the fields without files."""
        part = variant.parts[index]
        fields: dict[str, Any] = {"chat_id": self.channel.chat_id}
        if index > 0 and thread and thread[-1].id.isdigit():
            fields["reply_parameters"] = {
                "message_id": int(thread[-1].id),
                "allow_sending_without_reply": True,
            }
        media = list(part.media)
        if not media:
            fields.update(text=part.text, parse_mode="HTML")
            # The post's own link gets the preview; otherwise Telegram's default (the first link).
            if variant.link:
                fields["link_preview_options"] = {"url": variant.link}
            return "sendMessage", fields, []
        if len(media) == 1:
            kind = "video" if media[0].is_video else "photo"
            fields.update({kind: media[0].path, "caption": part.text, "parse_mode": "HTML"})
            return ("sendVideo" if kind == "video" else "sendPhoto"), fields, media
        items = []
        for number, item in enumerate(media):
            entry = {
                "type": "video" if item.is_video else "photo",
                "media": f"attach://file{number}",
            }
            if number == 0:
                entry.update(caption=part.text, parse_mode="HTML")
            items.append(entry)
        fields["media"] = items
        return "sendMediaGroup", fields, media

    def publish(self, variant: Variant, index: int, *, key: str, thread: list[Remote]) -> Remote:
        method, fields, media = self.request(variant, index, thread)
        if method == "sendMessage":
            result = self._call("POST", method, json=fields)
        else:
            files: dict[str, tuple[str, bytes, str]] = {}
            if method == "sendMediaGroup":
                for number, item in enumerate(media):
                    files[f"file{number}"] = self._media(item)
            else:
                kind = "video" if method == "sendVideo" else "photo"
                files[kind] = self._media(media[0])
                del fields[kind]
            form = {
                name: value if isinstance(value, str) else json.dumps(value)
                for name, value in fields.items()
            }
            result = self._call("POST", method, data=form, files=files)
        messages = result if isinstance(result, list) else [result]
        if not messages or not isinstance(messages[0], dict) or "message_id" not in messages[0]:
            raise Unknown(f"{method}: the answer names no message")
        first = messages[0]
        chat = first.get("chat")
        chat = chat if isinstance(chat, dict) else {}
        ids = [m.get("message_id") for m in messages if isinstance(m, dict)]
        return Remote(
            str(first["message_id"]),
            self._message_url(chat, first["message_id"]),
            {"chat_id": chat.get("id"), "message_ids": ids},
        )

    def _message_url(self, chat: dict[str, Any], message_id: object) -> str | None:
        username = chat.get("username")
        if not username and self.channel.chat_id.startswith("@"):
            username = self.channel.chat_id[1:]
        return f"https://t.me/{username}/{message_id}" if username else None

    def preview(self, variant: Variant, index: int) -> dict[str, Any]:
        method, fields, media = self.request(variant, index, [])
        if method == "sendMediaGroup":  # name the files rather than the parts they travel in
            for item, entry in zip(media, fields["media"], strict=True):
                entry["media"] = item.path
        return {"method": method, **fields}


def _chat_name(chat: dict[str, Any], chat_id: str) -> str:
    title = chat.get("title") or chat.get("first_name") or chat_id
    username = chat.get("username")
    return f"{chat.get('type', 'chat')} '{title}'" + (f" (@{username})" if username else "")
