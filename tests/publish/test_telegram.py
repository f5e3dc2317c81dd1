"""The Telegram driver against the strict Bot API test server (tests/servers/telegram.py):
messages, photos and albums, replies between parts, Telegram's errors by kind,
the token kept out of every error, verify and preview."""

from __future__ import annotations

import json
import socket
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import smmgen
from smmgen.adapt.variants import Part, Variant, build_variant
from smmgen.errors import (
    MissingCredentials,
    NotSent,
    PublishError,
    Rejected,
    Transient,
    Unknown,
)
from smmgen.networks.telegram.driver import TelegramDriver
from smmgen.project import Project
from smmgen.publish.driver import Context, Remote, driver_class, part_key
from smmgen.publish.http import Http
from smmgen.registry import network
from smmgen.secrets import REDACTED
from tests.conftest import MakeProject
from tests.servers.base import Faults
from tests.servers.telegram import BOT, CHANNEL, GROUP, TOKEN, TelegramServer, parse_html, png

ENV = "SMMGEN_TELEGRAM_TOKEN"
TEXT = "**v2 is out** for <friends> & *everyone*: [the notes](https://example.com/n?a=1&b=2)"


@pytest.fixture(autouse=True)
def _no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0")


def channels_yaml(api_base: str) -> str:
    channels = {
        "defaults": {"channels": ["news"]},
        "channels": {
            name: {"type": "telegram", "chat_id": chat, "token_env": ENV, "api_base": api_base}
            for name, chat in (
                ("news", "@smmgen_news"),
                ("team", str(GROUP["id"])),
                ("gone", "@nope"),
            )
        },
    }
    return yaml.safe_dump(channels, sort_keys=False)


def post(body: str, **front: Any) -> str:
    fields = {"id": "p1", "publish_at": "2026-12-01 09:00", **front}
    return f"---\n{yaml.safe_dump(fields, sort_keys=False)}---\n{body}\n"


def build(
    make_project: MakeProject,
    api_base: str,
    body: str = TEXT,
    *,
    channel: str = "news",
    images: int = 0,
    **front: Any,
) -> tuple[Project, Variant]:
    """A project with one post (with ``images`` real PNGs) and its variant on ``channel``."""
    media = [{"path": f"media/shot{n}.png", "alt": f"Screenshot {n}"} for n in range(images)]
    if media:
        front["media"] = media
    root = make_project(channels=channels_yaml(api_base), posts={"p.md": post(body, **front)})
    for number, item in enumerate(media):
        target = Path(root, item["path"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png(number + 1, 2))
    project = smmgen.load(root)
    return project, build_variant(project, project.posts[0], channel)


@contextmanager
def driver_for(
    project: Project, channel: str = "news", token: str | None = TOKEN, **http: Any
) -> Iterator[TelegramDriver]:
    env = {ENV: token} if token is not None else {}
    driver = TelegramDriver(Context(channel, project.channels[channel], project, Http(**http), env))
    try:
        yield driver
    finally:
        driver.close()


def publish(driver: TelegramDriver, variant: Variant, index: int = 0, **kw: Any) -> Remote:
    key = part_key(variant.post, variant.channel, index)
    return driver.publish(variant, index, key=key, thread=kw.get("thread", []))


def assert_no_token(exc: BaseException) -> None:
    shown = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
    assert TOKEN not in shown
    assert TOKEN.split(":")[1] not in shown


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- sending -------------------------------------------------------------------


def test_network_names_the_driver() -> None:
    assert driver_class(network("telegram")) is TelegramDriver
    assert TelegramDriver.reconcilable is False


def test_text_message_in_html_with_the_link_previewed(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        project, variant = build(make_project, server.url, link="https://example.com/v2")
        with driver_for(project) as driver:
            first = publish(driver, variant)
            second = publish(driver, variant)
        assert server.errors == []
    assert first == Remote(
        "1", "https://t.me/smmgen_news/1", {"chat_id": CHANNEL["id"], "message_ids": [1]}
    )
    assert second.id == "2"  # ids count up per chat
    sent = server.messages[0]
    assert sent["html"] == variant.text
    assert sent["parse_mode"] == "HTML"
    assert sent["text"].startswith("v2 is out for <friends> & everyone: the notes\n\n")
    kinds = [(e["type"], e.get("url")) for e in sent["text_entities"]]
    assert ("bold", None) in kinds
    assert ("text_link", "https://example.com/n?a=1&b=2") in kinds
    assert sent["link_preview_options"] == {"url": variant.link}
    request = server.requests[0]
    assert request.path == f"/bot{TOKEN}/sendMessage"
    assert request.json()["chat_id"] == "@smmgen_news"


def test_rich_markdown_renders_html_telegram_accepts(make_project: MakeProject) -> None:
    body = (
        "# Release\n\nSome `code <b>` and ~~old~~ **bold _both_**.\n\n"
        "> a quote\n> > nested\n\n- one\n- two & three\n\n```\nif a < b && c > d:\n```\n\n"
        '<https://example.com/?q=<x>&y="z">'
    )
    with TelegramServer() as server:
        project, variant = build(make_project, server.url, body)
        with driver_for(project) as driver:
            publish(driver, variant)
    assert server.errors == []
    assert "if a < b && c > d:" in server.messages[0]["text"]


def test_private_chat_has_no_message_url(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        project, variant = build(make_project, server.url, channel="team")
        with driver_for(project, "team") as driver:
            remote = publish(driver, variant)
    assert remote.id == "1"
    assert remote.url is None
    assert server.messages[0]["chat_id"] == GROUP["id"]


def test_one_image_is_a_photo_with_an_html_caption(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        project, variant = build(make_project, server.url, images=1)
        with driver_for(project) as driver:
            remote = publish(driver, variant)
    sent = server.messages[0]
    assert sent["method"] == "sendPhoto"
    assert sent["photo"]["bytes"] == png(1, 2)
    assert sent["photo"]["filename"] == "shot0.png"
    assert sent["photo"]["content_type"] == "image/png"
    assert sent["html"] == variant.text
    assert sent["caption"].startswith("v2 is out for <friends>")
    assert remote.url == "https://t.me/smmgen_news/1"


def test_several_images_are_an_album_captioned_once(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        project, variant = build(make_project, server.url, images=3)
        with driver_for(project) as driver:
            remote = publish(driver, variant)
    assert [m["method"] for m in server.messages] == ["sendMediaGroup"] * 3
    assert [m["photo"]["size"] for m in server.messages] == [(1, 2), (2, 2), (3, 2)]
    assert server.messages[0]["html"] == variant.text
    assert [m["caption"] for m in server.messages[1:]] == ["", ""]
    assert remote.id == "1"
    assert remote.data["message_ids"] == [1, 2, 3]


def test_later_parts_reply_to_the_part_before(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        project, variant = build(make_project, server.url)
        variant = replace(variant, parts=[Part("one", 3), Part("two", 3), Part("three", 5)])
        thread: list[Remote] = []
        with driver_for(project) as driver:
            for index in range(3):
                thread.append(publish(driver, variant, index, thread=list(thread)))
    assert [m["reply_to"] for m in server.messages] == [None, 1, 2]
    assert [r.id for r in thread] == ["1", "2", "3"]


# -- Telegram's refusals ---------------------------------------------------------


def test_broken_html_is_rejected_with_telegrams_message(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        project, variant = build(make_project, server.url)
        broken = replace(variant, parts=[Part("<b>bold <i>both</b></i>", 9)])
        with driver_for(project) as driver, pytest.raises(Rejected) as caught:
            publish(driver, broken)
    assert caught.value.status == 400
    assert str(caught.value) == (
        "HTTP 400: Bad Request: can't parse entities: Unmatched end tag at byte offset 15,"
        ' expected "</i>", found "</b>"'
    )
    assert server.messages == []


def test_text_over_4096_after_parsing_is_rejected(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        # 4096 visible characters fit, however long the HTML is ("&" is "&amp;" in it)
        project, fits = build(make_project, server.url, "&" * 4096)
        with driver_for(project) as driver:
            publish(driver, fits)
            too_long = replace(fits, parts=[Part(fits.text + "x", 4097)])
            with pytest.raises(Rejected, match=r"^HTTP 400: Bad Request: message is too long$"):
                publish(driver, too_long)
    assert len(server.messages[0]["text"]) == 4096


def test_caption_over_1024_is_rejected(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        project, variant = build(make_project, server.url, "y" * 1025, images=1)
        assert variant.findings  # check reports it before publishing, too
        with driver_for(project) as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert caught.value.message == "Bad Request: message caption is too long"


def test_unknown_chat_is_rejected(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        project, variant = build(make_project, server.url, channel="gone")
        with driver_for(project, "gone") as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert str(caught.value) == "HTTP 400: Bad Request: chat not found"


def test_wrong_token_is_unauthorized_and_not_shown(make_project: MakeProject) -> None:
    wrong = "987654321:AAFwrongwrongwrongwrongwrongwrong12"
    with TelegramServer() as server:
        project, variant = build(make_project, server.url)
        with driver_for(project, token=wrong) as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert str(caught.value) == "HTTP 401: Unauthorized"
    assert wrong not in "".join(traceback.format_exception(caught.value))


def test_flood_control_is_transient_with_telegrams_wait(make_project: MakeProject) -> None:
    with TelegramServer(budget=1, retry_after=7) as server:
        project, variant = build(make_project, server.url)
        with driver_for(project) as driver:
            publish(driver, variant)
            with pytest.raises(Transient) as caught:
                publish(driver, variant)
    assert caught.value.status == 429
    assert caught.value.retry_after == 7.0
    assert caught.value.message == "Too Many Requests: retry after 7"
    assert len(server.messages) == 1


def test_injected_429_is_transient(make_project: MakeProject) -> None:
    with TelegramServer(faults=Faults(retry_after=3)) as server:
        server.faults.next("rate_429")
        project, variant = build(make_project, server.url)
        with driver_for(project) as driver, pytest.raises(Transient) as caught:
            publish(driver, variant)
    assert caught.value.retry_after == 3.0


def test_server_error_is_transient(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        server.faults.next("error_500")
        project, variant = build(make_project, server.url)
        with driver_for(project) as driver:
            with pytest.raises(Transient) as caught:
                publish(driver, variant)
            assert publish(driver, variant).id == "1"  # nothing was sent the first time
    assert caught.value.status == 500
    assert caught.value.message == "injected server error"


def test_connection_closed_after_sending_is_unknown(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        server.faults.next("reset_after")
        project, variant = build(make_project, server.url)
        with driver_for(project) as driver, pytest.raises(Unknown) as caught:
            publish(driver, variant)
    assert len(server.messages) == 1  # it was posted; the driver cannot know
    assert_no_token(caught.value)


# -- the token never shows ----------------------------------------------------------


def test_connection_refused_names_no_token(make_project: MakeProject) -> None:
    project, variant = build(make_project, f"http://127.0.0.1:{closed_port()}")
    with driver_for(project) as driver, pytest.raises(NotSent) as caught:
        publish(driver, variant)
    assert_no_token(caught.value)


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (httpx.ConnectError, NotSent),
        (httpx.ReadError, Unknown),
        (httpx.LocalProtocolError, NotSent),
    ],
)
def test_transport_errors_quoting_the_url_are_scrubbed(
    make_project: MakeProject, fault: type[httpx.TransportError], kind: type[PublishError]
) -> None:
    """httpx errors may quote the URL; the driver scrubs them even when Http does not."""

    def explode(request: httpx.Request) -> httpx.Response:
        raise fault(f"failed talking to {request.url} (path {request.url.path})")

    project, variant = build(make_project, "https://api.telegram.org")
    transport = httpx.MockTransport(explode)
    with driver_for(project, transport=transport) as driver, pytest.raises(kind) as caught:
        publish(driver, variant)
    assert_no_token(caught.value)
    assert REDACTED in str(caught.value)


def test_secrets_are_the_token_and_its_secret_half(make_project: MakeProject) -> None:
    project, _ = build(make_project, "https://api.telegram.org")
    with driver_for(project) as driver:
        secrets = driver.secrets()
    assert TOKEN in secrets
    assert TOKEN.split(":")[1] in secrets
    assert "123456789%3AAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1" in secrets


def test_missing_or_malformed_token(make_project: MakeProject) -> None:
    project, variant = build(make_project, "https://api.telegram.org")
    with driver_for(project, token=None) as driver:
        assert driver.missing() == [ENV]
        with pytest.raises(MissingCredentials, match=ENV):
            publish(driver, variant)
    bad = "12345:abc/def?x"
    with driver_for(project, token=bad) as driver, pytest.raises(MissingCredentials) as caught:
        publish(driver, variant)
    assert "abc/def" not in str(caught.value)


# -- verify and preview ------------------------------------------------------------


def test_verify_names_the_bot_and_the_chat(make_project: MakeProject) -> None:
    with TelegramServer() as server:
        project, _ = build(make_project, server.url)
        with driver_for(project) as driver:
            said = driver.verify()
        with driver_for(project, "gone") as driver, pytest.raises(Rejected, match="chat not found"):
            driver.verify()
    assert said == "@smmgen_test_bot posts to channel 'smmgen news' (@smmgen_news)"
    assert server.messages == []
    assert [r.path.rsplit("/", 1)[1] for r in server.requests[:3]] == [
        "getMe",
        "getChat",
        "getChatMember",
    ]


@pytest.mark.parametrize(
    ("member", "problem"),
    [
        ({"status": "member"}, "make it an administrator allowed to post messages"),
        ({"status": "administrator", "can_post_messages": False}, "make it an administrator"),
        ({"status": "left"}, "is not a member of channel 'smmgen news'"),
    ],
)
def test_verify_refuses_a_bot_that_cannot_post(
    make_project: MakeProject, member: dict[str, Any], problem: str
) -> None:
    with TelegramServer(members={int(CHANNEL["id"]): member}) as server:
        project, _ = build(make_project, server.url)
        with driver_for(project) as driver, pytest.raises(Rejected, match=problem):
            driver.verify()


def test_verify_with_a_wrong_token(make_project: MakeProject) -> None:
    with TelegramServer(token="1:AAother") as server:
        project, _ = build(make_project, server.url)
        with driver_for(project) as driver, pytest.raises(Rejected) as caught:
            driver.verify()
    assert str(caught.value) == "HTTP 401: Unauthorized"
    assert_no_token(caught.value)


def test_preview_is_the_request_body_without_the_token(make_project: MakeProject) -> None:
    project, variant = build(make_project, "http://127.0.0.1:9", link="https://example.com/v2")
    _, album = build(make_project, "http://127.0.0.1:9", images=2)
    with driver_for(project, token=None) as driver:  # needs no credentials, sends nothing
        text = driver.preview(variant, 0)
        photos = driver.preview(album, 0)
    assert text == {
        "method": "sendMessage",
        "chat_id": "@smmgen_news",
        "text": variant.text,
        "parse_mode": "HTML",
        "link_preview_options": {"url": variant.link},
    }
    assert photos["method"] == "sendMediaGroup"
    assert [m["media"] for m in photos["media"]] == ["media/shot0.png", "media/shot1.png"]
    assert photos["media"][0]["caption"] == album.text
    assert TOKEN not in json.dumps([text, photos])


def test_the_strict_server_parses_what_telegram_parses() -> None:
    text, entities = parse_html('<b>a <i>b</i></b> &lt;&#65;&#x42;&gt; <a href="u?a=1&amp;b">l</a>')
    assert text == "a b <AB> l"
    assert {"type": "text_link", "offset": 9, "length": 1, "url": "u?a=1&b"} in entities
    assert BOT["username"] == "smmgen_test_bot"
