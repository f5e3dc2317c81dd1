"""The Discord driver against the strict webhook test server (tests/servers/discord.py):
messages, attachments with alt text, Discord's errors by kind and rate limits,
the webhook URL kept out of every error, verify and preview."""

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
from smmgen.errors import MissingCredentials, NotSent, Rejected, Transient, Unknown
from smmgen.networks.discord.driver import DiscordDriver
from smmgen.project import Project
from smmgen.publish.driver import Context, Remote, driver_class, part_key
from smmgen.publish.http import Http
from smmgen.registry import network
from tests.conftest import MakeProject
from tests.servers.discord import CHANNEL_ID, GUILD_ID, TOKEN, WEBHOOK_ID, DiscordServer
from tests.servers.telegram import png

ENV = "SMMGEN_DISCORD_WEBHOOK_URL"
TEXT = "**v2 is out** for *everyone* @here: [the notes](https://example.com/n)"


@pytest.fixture(autouse=True)
def _no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0")


def channels_yaml(api_base: str | None = None, username: str | None = "smmgen news") -> str:
    channel: dict[str, Any] = {"type": "discord", "webhook_url_env": ENV}
    if username:
        channel["username"] = username
    if api_base:
        channel["api_base"] = api_base
    return yaml.safe_dump({"defaults": {"channels": ["chat"]}, "channels": {"chat": channel}})


def post(body: str, **front: Any) -> str:
    fields = {"id": "p1", "publish_at": "2026-12-01 09:00", **front}
    return f"---\n{yaml.safe_dump(fields, sort_keys=False)}---\n{body}\n"


def build(
    make_project: MakeProject,
    body: str = TEXT,
    *,
    images: int = 0,
    api_base: str | None = None,
    username: str | None = "smmgen news",
    **front: Any,
) -> tuple[Project, Variant]:
    media = [{"path": f"media/shot{n}.png", "alt": f"Screenshot {n}"} for n in range(images)]
    if media:
        front["media"] = media
    root = make_project(
        channels=channels_yaml(api_base, username), posts={"p.md": post(body, **front)}
    )
    for number, item in enumerate(media):
        Path(root, item["path"]).parent.mkdir(parents=True, exist_ok=True)
        Path(root, item["path"]).write_bytes(png(number + 1, 1))
    project = smmgen.load(root)
    return project, build_variant(project, project.posts[0], "chat")


@contextmanager
def driver_for(project: Project, url: str | None, **http: Any) -> Iterator[DiscordDriver]:
    env = {ENV: url} if url is not None else {}
    driver = DiscordDriver(Context("chat", project.channels["chat"], project, Http(**http), env))
    try:
        yield driver
    finally:
        driver.close()


def publish(driver: DiscordDriver, variant: Variant, index: int = 0) -> Remote:
    key = part_key(variant.post, variant.channel, index)
    return driver.publish(variant, index, key=key, thread=[])


def assert_no_secret(exc: BaseException) -> None:
    shown = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
    assert TOKEN not in shown
    assert f"/webhooks/{WEBHOOK_ID}/" not in shown


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- sending -------------------------------------------------------------------


def test_network_names_the_driver() -> None:
    assert driver_class(network("discord")) is DiscordDriver
    assert DiscordDriver.reconcilable is False


def test_text_message_waits_for_the_message_and_pings_nobody(make_project: MakeProject) -> None:
    with DiscordServer() as server:
        project, variant = build(make_project)
        with driver_for(project, server.webhook_url) as driver:
            first = publish(driver, variant)
            second = publish(driver, variant)
        assert server.errors == []
    sent = server.messages[0]
    assert sent["query"] == {"wait": ["true"]}
    assert sent["payload"] == {
        "content": variant.text,
        "allowed_mentions": {"parse": []},
        "username": "smmgen news",
    }
    assert sent["author"]["username"] == "smmgen news"
    url = f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{sent['id']}"
    assert first == Remote(sent["id"], url, {"channel_id": CHANNEL_ID})
    assert int(second.id) == int(first.id) + 1
    # the server (guild) is looked up once, with the webhook
    assert [r.method for r in server.requests] == ["POST", "GET", "POST"]


def test_no_guild_no_url(make_project: MakeProject) -> None:
    with DiscordServer(guild_id=None) as server:
        project, variant = build(make_project)
        with driver_for(project, server.webhook_url) as driver:
            remote = publish(driver, variant)
    assert remote.url is None
    assert remote.id == server.messages[0]["id"]


def test_images_are_attachments_described_by_their_alt_text(make_project: MakeProject) -> None:
    with DiscordServer() as server:
        project, variant = build(make_project, images=2)
        with driver_for(project, server.webhook_url) as driver:
            publish(driver, variant)
    sent = server.messages[0]
    assert sent["content"] == variant.text
    assert [(a["filename"], a["description"], a["bytes"]) for a in sent["attachments"]] == [
        ("shot0.png", "Screenshot 0", png(1, 1)),
        ("shot1.png", "Screenshot 1", png(2, 1)),
    ]
    assert sorted(sent["files"]) == ["files[0]", "files[1]"]
    assert sent["payload"]["attachments"] == [
        {"id": 0, "filename": "shot0.png", "description": "Screenshot 0"},
        {"id": 1, "filename": "shot1.png", "description": "Screenshot 1"},
    ]


def test_api_base_replaces_the_host_of_the_webhook_url(make_project: MakeProject) -> None:
    real = f"https://discord.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}"
    with DiscordServer() as server:
        project, variant = build(make_project, api_base=server.url)
        with driver_for(project, real) as driver:
            publish(driver, variant)
            secrets = driver.secrets()
    assert server.requests[0].path == f"/api/webhooks/{WEBHOOK_ID}/{TOKEN}"
    assert {real, TOKEN, server.webhook_url} <= set(secrets)


# -- Discord's refusals ----------------------------------------------------------


def test_content_over_2000_is_rejected_with_the_field_error(make_project: MakeProject) -> None:
    with DiscordServer() as server:
        project, variant = build(make_project, "x" * 2001)
        assert variant.findings
        with driver_for(project, server.webhook_url) as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert str(caught.value) == (
        "HTTP 400: Invalid Form Body (content: Must be 2000 or fewer in length.) [50035]"
    )
    assert server.messages == []


def test_2000_code_points_fit(make_project: MakeProject) -> None:
    with DiscordServer() as server:
        project, variant = build(make_project, "😀" * 2000)  # 4000 UTF-16 units
        with driver_for(project, server.webhook_url) as driver:
            publish(driver, variant)
    assert len(server.messages[0]["content"]) == 2000


def test_empty_message_is_rejected(make_project: MakeProject) -> None:
    with DiscordServer() as server:
        project, variant = build(make_project)
        empty = replace(variant, parts=[Part("", 0)])
        with driver_for(project, server.webhook_url) as driver, pytest.raises(Rejected) as caught:
            publish(driver, empty)
    assert str(caught.value) == "HTTP 400: Cannot send an empty message [50006]"


def test_a_username_discord_refuses(make_project: MakeProject) -> None:
    with DiscordServer() as server:
        project, variant = build(make_project, username="Discord news")
        with driver_for(project, server.webhook_url) as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert caught.value.message == (
        'Invalid Form Body (username: Username cannot contain "discord") [50035]'
    )


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        (f"/api/webhooks/1180000000000000999/{TOKEN}", 404, "Unknown Webhook [10015]"),
        (f"/api/webhooks/{WEBHOOK_ID}/{TOKEN[:-3]}abc", 401, "Invalid Webhook Token [50027]"),
    ],
)
def test_unknown_webhook_or_token(
    make_project: MakeProject, path: str, status: int, message: str
) -> None:
    with DiscordServer() as server:
        project, variant = build(make_project)
        url = server.url + path
        with driver_for(project, url) as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert (caught.value.status, caught.value.message) == (status, message)
    assert_no_secret(caught.value)
    assert path.rsplit("/", 1)[1] not in str(caught.value)


def test_rate_limit_is_transient_with_discords_wait(make_project: MakeProject) -> None:
    with DiscordServer(budget=1, window=3.0) as server:
        project, variant = build(make_project)
        with driver_for(project, server.webhook_url) as driver:
            publish(driver, variant)  # answered with X-RateLimit-Remaining: 0
            with pytest.raises(Transient) as caught:
                publish(driver, variant)
    assert caught.value.status == 429
    assert caught.value.message == "You are being rate limited."
    assert caught.value.retry_after is not None
    assert 2.0 < caught.value.retry_after <= 3.0  # the body's precise seconds
    limited = server.requests[-1]
    assert limited.method == "POST"
    assert len(server.messages) == 1


def test_every_answer_carries_the_rate_limit_headers() -> None:
    with DiscordServer(budget=5, window=2.0) as server, httpx.Client() as client:
        response = client.post(server.webhook_url, json={"content": "hi"})
    headers = response.headers
    assert headers["x-ratelimit-limit"] == "5"
    assert headers["x-ratelimit-remaining"] == "4"
    assert 0 < float(headers["x-ratelimit-reset-after"]) <= 2.0
    assert headers["x-ratelimit-bucket"]
    assert response.status_code == 204  # no wait=true: no message object


def test_server_error_is_transient(make_project: MakeProject) -> None:
    with DiscordServer() as server:
        server.faults.next("error_500")
        project, variant = build(make_project)
        with driver_for(project, server.webhook_url) as driver, pytest.raises(Transient) as caught:
            publish(driver, variant)
    assert caught.value.status == 500


def test_connection_closed_after_sending_is_unknown(make_project: MakeProject) -> None:
    with DiscordServer() as server:
        server.faults.next("reset_after")
        project, variant = build(make_project)
        with driver_for(project, server.webhook_url) as driver, pytest.raises(Unknown) as caught:
            publish(driver, variant)
    assert len(server.messages) == 1
    assert_no_secret(caught.value)


# -- the URL never shows -------------------------------------------------------------


def test_connection_refused_names_no_webhook(make_project: MakeProject) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api/webhooks/{WEBHOOK_ID}/{TOKEN}"
    project, variant = build(make_project)
    with driver_for(project, url) as driver, pytest.raises(NotSent) as caught:
        publish(driver, variant)
    assert_no_secret(caught.value)


def test_transport_error_quoting_the_url_is_scrubbed(make_project: MakeProject) -> None:
    def explode(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError(f"connection lost while talking to {request.url}")

    url = f"https://discord.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}"
    project, variant = build(make_project)
    transport = httpx.MockTransport(explode)
    with driver_for(project, url, transport=transport) as driver, pytest.raises(Unknown) as caught:
        publish(driver, variant)
    assert_no_secret(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        f"http://discord.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}",  # not https
        f"https://discord.com/api/channels/{WEBHOOK_ID}/{TOKEN}",  # not a webhook
        f"discord.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}",
        TOKEN,
    ],
)
def test_malformed_url_is_a_credentials_problem(make_project: MakeProject, url: str) -> None:
    project, variant = build(make_project)
    with driver_for(project, url) as driver, pytest.raises(MissingCredentials) as caught:
        publish(driver, variant)
    assert ENV in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_secrets_of_a_garbled_url_never_fail(make_project: MakeProject) -> None:
    project, _ = build(make_project)
    with driver_for(project, "http://[broken") as driver:
        assert driver.secrets() == ["http://[broken"]


def test_missing_url(make_project: MakeProject) -> None:
    project, variant = build(make_project)
    with driver_for(project, None) as driver:
        assert driver.missing() == [ENV]
        assert driver.secrets() == []
        with pytest.raises(MissingCredentials):
            publish(driver, variant)


# -- verify and preview ------------------------------------------------------------


def test_verify_gets_the_webhook_and_shows_no_token(make_project: MakeProject) -> None:
    with DiscordServer() as server:
        project, _ = build(make_project)
        with driver_for(project, server.webhook_url) as driver:
            said = driver.verify()
    assert said == f"webhook 'smmgen' posts to channel {CHANNEL_ID} of server {GUILD_ID}"
    assert [r.method for r in server.requests] == ["GET"]
    assert server.messages == []


def test_verify_of_a_deleted_webhook(make_project: MakeProject) -> None:
    with DiscordServer(webhook_id="1180000000000000777") as server:
        project, _ = build(make_project)
        url = f"{server.url}/api/webhooks/{WEBHOOK_ID}/{TOKEN}"
        with driver_for(project, url) as driver, pytest.raises(Rejected) as caught:
            driver.verify()
    assert str(caught.value) == "HTTP 404: Unknown Webhook [10015]"


def test_preview_is_the_payload_without_the_url(make_project: MakeProject) -> None:
    project, variant = build(make_project, images=1)
    with driver_for(project, None) as driver:
        preview = driver.preview(variant, 0)
    assert preview == {
        "content": variant.text,
        "allowed_mentions": {"parse": []},
        "username": "smmgen news",
        "attachments": [{"id": 0, "filename": "shot0.png", "description": "Screenshot 0"}],
    }
    assert TOKEN not in json.dumps(preview)
