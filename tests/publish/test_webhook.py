"""The generic webhook driver against a strict receiver (tests/servers/webhook.py)
written from the documented format: the body, the HMAC signature a receiver
verifies, redeliveries, the receiver's errors, verify and preview."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

import smmgen
from smmgen.adapt.variants import Part, Variant, build_variant
from smmgen.errors import MissingCredentials, NotSent, Rejected, Transient, Unknown
from smmgen.networks.webhook.driver import WebhookDriver, signature
from smmgen.project import Project
from smmgen.publish.driver import Context, Remote, driver_class, part_key
from smmgen.publish.http import Http
from smmgen.registry import network
from tests.conftest import MakeProject
from tests.servers.base import Reply
from tests.servers.telegram import png
from tests.servers.webhook import SECRET, WebhookServer

ENV = "SMMGEN_WEBHOOK_SECRET"
TEXT = "**v2 is out** for <friends> & *everyone*: [the notes](https://example.com/n)"


@pytest.fixture(autouse=True)
def _no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0")


def build(
    make_project: MakeProject,
    url: str,
    body: str = TEXT,
    *,
    signed: bool = True,
    api_base: str | None = None,
    **front: Any,
) -> tuple[Project, Variant]:
    channel: dict[str, Any] = {"type": "webhook", "url": url}
    if signed:
        channel["secret_env"] = ENV
    if api_base:
        channel["api_base"] = api_base
    channels = yaml.safe_dump({"defaults": {"channels": ["hooks"]}, "channels": {"hooks": channel}})
    fields = {"id": "p1", "publish_at": "2026-12-01 09:00", "tags": ["release"], **front}
    text = f"---\n{yaml.safe_dump(fields, sort_keys=False)}---\n{body}\n"
    root = make_project(channels=channels, posts={"p.md": text})
    for item in front.get("media", []):
        Path(root, item["path"]).parent.mkdir(parents=True, exist_ok=True)
        Path(root, item["path"]).write_bytes(png())
    project = smmgen.load(root)
    return project, build_variant(project, project.posts[0], "hooks")


@contextmanager
def driver_for(project: Project, secret: str | None = SECRET) -> Iterator[WebhookDriver]:
    env = {ENV: secret} if secret is not None else {}
    driver = WebhookDriver(Context("hooks", project.channels["hooks"], project, Http(), env))
    try:
        yield driver
    finally:
        driver.close()


def publish(driver: WebhookDriver, variant: Variant, index: int = 0, **kw: Any) -> Remote:
    key = part_key(variant.post, "hooks", index)
    return driver.publish(variant, index, key=key, thread=kw.get("thread", []))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_network_names_the_driver() -> None:
    assert driver_class(network("webhook")) is WebhookDriver
    assert WebhookDriver.reconcilable is False


def test_signed_delivery_the_receiver_verifies(make_project: MakeProject) -> None:
    media = [{"path": "media/chart.png", "alt": "A chart"}]
    with WebhookServer() as server:
        project, variant = build(
            make_project, server.endpoint, link="https://example.com/v2", media=media
        )
        before = int(time.time())
        with driver_for(project) as driver:
            remote = publish(driver, variant)
        assert server.errors == []
    assert remote == Remote("evt_1", "https://receiver.example/events/evt_1")
    request = server.requests[0]
    key = part_key("p1", "hooks", 0)
    # what a receiver checks, done here by hand from the documented format
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.header("x-smmgen-signature") == expected
    assert request.header("x-smmgen-delivery") == key
    assert request.header("idempotency-key") == key
    assert request.header("content-type") == "application/json"
    body = json.loads(request.body)
    assert int(request.header("x-smmgen-timestamp") or 0) == body["sent_at"] >= before
    assert body == {
        "version": 1,
        "type": "smmgen.post",
        "delivery": key,
        "sent_at": body["sent_at"],
        "post": "p1",
        "channel": "hooks",
        "network": "webhook",
        "index": 0,
        "parts": 1,
        "text": variant.text,
        "media": [
            {"path": "media/chart.png", "alt": "A chart", "format": "png", "bytes": len(png())}
        ],
        "link": variant.link,
        "hashtags": ["#release"],
        "language": None,
        "publish_at": "2026-12-01T09:00:00+01:00",
        "publish_at_utc": "2026-12-01T08:00:00+00:00",
        "thread": [],
    }
    assert variant.text.startswith("v2 is out for <friends> & everyone: the notes")


def test_wrong_secret_is_refused_by_the_receiver(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        project, variant = build(make_project, server.endpoint)
        with driver_for(project, "not-the-secret") as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert str(caught.value) == "HTTP 401: signature does not match"
    assert server.messages == []


def test_unsigned_channel_to_a_receiver_that_wants_a_signature(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        project, variant = build(make_project, server.endpoint, signed=False)
        with driver_for(project, None) as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert str(caught.value) == "HTTP 401: missing signature"


def test_unsigned_delivery(make_project: MakeProject) -> None:
    with WebhookServer(secret=None) as server:
        project, variant = build(make_project, server.endpoint, signed=False)
        with driver_for(project, None) as driver:
            assert driver.missing() == []
            publish(driver, variant)
    assert server.requests[0].header("x-smmgen-signature") is None
    assert len(server.messages) == 1


def test_signature_helper_matches_hmac_sha256() -> None:
    body = b'{"a":1}'
    digest = hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert signature("k", body) == f"sha256={digest}"


def test_redelivery_is_recognised_by_its_key(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        project, variant = build(make_project, server.endpoint)
        with driver_for(project) as driver:
            first = publish(driver, variant)
            again = publish(driver, variant)
    assert first == again
    assert len(server.messages) == 1
    assert len(server.requests) == 2


def test_parts_carry_index_and_thread(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        project, variant = build(make_project, server.endpoint)
        variant = replace(variant, parts=[Part("one", 3), Part("two", 3)])
        thread: list[Remote] = []
        with driver_for(project) as driver:
            for index in range(2):
                thread.append(publish(driver, variant, index, thread=list(thread)))
    bodies = server.messages
    assert [(b["index"], b["parts"], b["text"], b["thread"]) for b in bodies] == [
        (0, 2, "one", []),
        (1, 2, "two", ["evt_1"]),
    ]


def test_answer_without_id_uses_the_key(make_project: MakeProject) -> None:
    with WebhookServer(respond_id=False) as server:
        project, variant = build(make_project, server.endpoint)
        with driver_for(project) as driver:
            remote = publish(driver, variant)
    assert remote == Remote(part_key("p1", "hooks", 0))


def test_api_base_replaces_scheme_and_host(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        project, variant = build(
            make_project, "https://hooks.example/hooks/smmgen", api_base=server.url
        )
        with driver_for(project) as driver:
            publish(driver, variant)
    assert server.requests[0].path == "/hooks/smmgen"


# -- the receiver's refusals ---------------------------------------------------------


def test_receivers_error_message_is_kept(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        server.reply_with = Reply(422, {"error": "channel 'hooks' is paused"})
        project, variant = build(make_project, server.endpoint)
        with driver_for(project) as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert str(caught.value) == "HTTP 422: channel 'hooks' is paused"


def test_a_secret_echoed_by_the_receiver_is_scrubbed(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        server.reply_with = Reply(400, f"bad key {SECRET}, expected another")
        project, variant = build(make_project, server.endpoint)
        with driver_for(project) as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert SECRET not in str(caught.value)
    assert str(caught.value) == "HTTP 400: bad key [redacted], expected another"


def test_redirect_is_not_followed(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        server.reply_with = Reply(301, None, {"Location": "https://elsewhere.example/"})
        project, variant = build(make_project, server.endpoint)
        with driver_for(project) as driver, pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert str(caught.value) == "HTTP 301: redirected (301); webhooks are not followed"


def test_rate_limit_is_transient_with_retry_after(make_project: MakeProject) -> None:
    with WebhookServer(budget=1, retry_after=9) as server:
        project, variant = build(make_project, server.endpoint)
        with driver_for(project) as driver:
            publish(driver, variant)
            with pytest.raises(Transient) as caught:
                publish(driver, variant)
    assert str(caught.value) == "HTTP 429: rate limited"
    assert caught.value.retry_after is not None
    assert 8.0 < caught.value.retry_after <= 9.0


def test_server_error_is_transient(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        server.faults.next("error_500")
        project, variant = build(make_project, server.endpoint)
        with driver_for(project) as driver, pytest.raises(Transient) as caught:
            publish(driver, variant)
    assert str(caught.value) == "HTTP 500: injected server error"


def test_connection_closed_after_sending_is_unknown(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        server.faults.next("reset_after")
        project, variant = build(make_project, server.endpoint)
        with driver_for(project) as driver, pytest.raises(Unknown) as caught:
            publish(driver, variant)
    assert len(server.messages) == 1
    assert SECRET not in "".join(traceback.format_exception(caught.value))


def test_connection_refused_is_not_sent(make_project: MakeProject) -> None:
    project, variant = build(make_project, f"http://127.0.0.1:{closed_port()}/hooks/smmgen")
    with driver_for(project) as driver, pytest.raises(NotSent) as caught:
        publish(driver, variant)
    assert SECRET not in "".join(traceback.format_exception(caught.value))


def test_missing_secret(make_project: MakeProject) -> None:
    project, variant = build(make_project, "https://hooks.example/in")
    with driver_for(project, None) as driver:
        assert driver.missing() == [ENV]
        with pytest.raises(MissingCredentials, match=ENV):
            publish(driver, variant)


# -- verify and preview ------------------------------------------------------------


def test_verify_contacts_nothing_and_says_what_it_checked(make_project: MakeProject) -> None:
    with WebhookServer() as server:
        project, _ = build(make_project, server.endpoint)
        with driver_for(project) as driver:
            said = driver.verify()
        with driver_for(project, "short") as driver:
            weak = driver.verify()
    assert server.requests == []
    assert said == (
        f"url {server.endpoint} is well-formed; signing secret {ENV} is set;"
        " the endpoint was not contacted (a check would be a delivery)"
    )
    assert "only 5 characters" in weak
    assert SECRET not in said


def test_verify_warns_about_plain_http_and_unsigned(make_project: MakeProject) -> None:
    project, _ = build(make_project, "http://hooks.example/in", signed=False)
    with driver_for(project, None) as driver:
        said = driver.verify()
    assert "plain http" in said
    assert "not signed" in said


def test_preview_is_the_body_without_the_secret(make_project: MakeProject) -> None:
    project, variant = build(make_project, "https://hooks.example/in")
    with driver_for(project, None) as driver:
        preview = driver.preview(variant, 0)
    assert preview["delivery"] == part_key("p1", "hooks", 0)
    assert preview["sent_at"] is None  # set when sent
    assert preview["text"] == variant.text
    assert SECRET not in json.dumps(preview)
