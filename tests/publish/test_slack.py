"""The Slack driver against the strict incoming-webhook test server
(tests/servers/slack.py): mrkdwn messages, Slack's text errors by status,
rate limits, the webhook URL kept out of every error, verify and preview."""

from __future__ import annotations

import json
import socket
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
import yaml

import smmgen
from smmgen.adapt.variants import Part, Variant, build_variant
from smmgen.errors import MissingCredentials, NotSent, Rejected, Transient, Unknown
from smmgen.networks.slack.driver import SlackDriver
from smmgen.project import Project
from smmgen.publish.driver import Context, Remote, driver_class, part_key
from smmgen.publish.http import Http
from smmgen.registry import network
from tests.conftest import MakeProject
from tests.servers.slack import HOOK, SECRET, TEAM, SlackServer

ENV = "SMMGEN_SLACK_WEBHOOK_URL"
TEXT = "**v2 is out** for <friends> & _everyone_: [the notes](https://example.com/n?a=1&b=2)"
REAL = f"https://hooks.slack.com/services/{TEAM}/{HOOK}/{SECRET}"


@pytest.fixture(autouse=True)
def _no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0")


def build(
    make_project: MakeProject, body: str = TEXT, *, api_base: str | None = None, **front: Any
) -> tuple[Project, Variant]:
    channel: dict[str, Any] = {"type": "slack", "webhook_url_env": ENV}
    if api_base:
        channel["api_base"] = api_base
    channels = yaml.safe_dump({"defaults": {"channels": ["team"]}, "channels": {"team": channel}})
    fields = {"id": "p1", "publish_at": "2026-12-01 09:00", **front}
    text = f"---\n{yaml.safe_dump(fields, sort_keys=False)}---\n{body}\n"
    project = smmgen.load(make_project(channels=channels, posts={"p.md": text}))
    return project, build_variant(project, project.posts[0], "team")


@contextmanager
def driver_for(project: Project, url: str | None, **http: Any) -> Iterator[SlackDriver]:
    env = {ENV: url} if url is not None else {}
    driver = SlackDriver(Context("team", project.channels["team"], project, Http(**http), env))
    try:
        yield driver
    finally:
        driver.close()


def publish(driver: SlackDriver, variant: Variant, index: int = 0) -> Remote:
    return driver.publish(variant, index, key=part_key(variant.post, "team", index), thread=[])


def assert_no_secret(exc: BaseException) -> None:
    shown = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
    assert SECRET not in shown


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_network_names_the_driver() -> None:
    assert driver_class(network("slack")) is SlackDriver
    assert SlackDriver.reconcilable is False


def test_text_message_in_mrkdwn(make_project: MakeProject) -> None:
    with SlackServer() as server:
        project, variant = build(make_project, link="https://example.com/v2")
        with driver_for(project, server.webhook_url) as driver:
            remote = publish(driver, variant)
        assert server.errors == []
    sent = server.messages[0]
    assert sent["payload"] == {"text": variant.text}
    assert sent["problems"] == []  # &, < and > escaped; links well-formed
    assert sent["shown"].startswith("*v2 is out* for <friends> & _everyone_: the notes\n\n")
    assert {"url": "https://example.com/n?a=1&b=2", "label": "the notes"} in sent["links"]
    # Slack returns no id: the part's key stands for it
    assert remote == Remote(part_key("p1", "team", 0), None)


def test_parts_are_separate_messages(make_project: MakeProject) -> None:
    with SlackServer() as server:
        project, variant = build(make_project)
        variant = replace(variant, parts=[Part("one", 3), Part("two", 3)])
        with driver_for(project, server.webhook_url) as driver:
            remotes = [publish(driver, variant, i) for i in range(2)]
    assert [m["text"] for m in server.messages] == ["one", "two"]
    assert remotes[0].id != remotes[1].id


def test_api_base_replaces_the_host(make_project: MakeProject) -> None:
    with SlackServer() as server:
        project, variant = build(make_project, api_base=server.url)
        with driver_for(project, REAL) as driver:
            publish(driver, variant)
            secrets = driver.secrets()
    assert server.requests[0].path == f"/services/{TEAM}/{HOOK}/{SECRET}"
    assert {REAL, SECRET, server.webhook_url} <= set(secrets)


# -- Slack's refusals ------------------------------------------------------------


@pytest.mark.parametrize(
    ("refusal", "kind"),
    [
        ((410, "channel_is_archived"), Rejected),
        ((404, "channel_not_found"), Rejected),
        ((403, "action_prohibited"), Rejected),
        ((500, "rollup_error"), Transient),
    ],
)
def test_slacks_text_errors(
    make_project: MakeProject, refusal: tuple[int, str], kind: type[Exception]
) -> None:
    with SlackServer() as server:
        server.refuse = refusal
        project, variant = build(make_project)
        with driver_for(project, server.webhook_url) as driver, pytest.raises(kind) as caught:
            publish(driver, variant)
    assert str(caught.value) == f"HTTP {refusal[0]}: {refusal[1]}"


def test_no_text(make_project: MakeProject) -> None:
    with SlackServer() as server:
        project, variant = build(make_project)
        empty = replace(variant, parts=[Part("", 0)])
        with driver_for(project, server.webhook_url) as driver, pytest.raises(Rejected) as caught:
            publish(driver, empty)
    assert str(caught.value) == "HTTP 400: no_text"


def test_wrong_secret_or_unknown_webhook(make_project: MakeProject) -> None:
    with SlackServer() as server:
        project, variant = build(make_project)
        wrong = f"{server.url}/services/{TEAM}/{HOOK}/WrongSecret123"
        gone = f"{server.url}/services/{TEAM}/B0GONE/{SECRET}"
        with driver_for(project, wrong) as driver, pytest.raises(Rejected) as invalid:
            publish(driver, variant)
        with driver_for(project, gone) as driver, pytest.raises(Rejected) as missing:
            publish(driver, variant)
    assert str(invalid.value) == "HTTP 403: invalid_token"
    assert str(missing.value) == "HTTP 404: no_service"
    assert "WrongSecret123" not in str(invalid.value)
    assert_no_secret(missing.value)


def test_rate_limit_is_transient_with_retry_after(make_project: MakeProject) -> None:
    with SlackServer(budget=1, retry_after=4) as server:
        project, variant = build(make_project)
        with driver_for(project, server.webhook_url) as driver:
            publish(driver, variant)
            with pytest.raises(Transient) as caught:
                publish(driver, variant)
    assert str(caught.value) == "HTTP 429: rate_limited"
    assert caught.value.retry_after is not None
    assert 3.0 < caught.value.retry_after <= 4.0
    assert len(server.messages) == 1


def test_injected_server_error_is_transient(make_project: MakeProject) -> None:
    with SlackServer() as server:
        server.faults.next("error_500")
        project, variant = build(make_project)
        with driver_for(project, server.webhook_url) as driver:
            with pytest.raises(Transient):
                publish(driver, variant)
            publish(driver, variant)
    assert len(server.messages) == 1


def test_connection_closed_after_sending_is_unknown(make_project: MakeProject) -> None:
    with SlackServer() as server:
        server.faults.next("reset_after")
        project, variant = build(make_project)
        with driver_for(project, server.webhook_url) as driver, pytest.raises(Unknown) as caught:
            publish(driver, variant)
    assert len(server.messages) == 1
    assert_no_secret(caught.value)


# -- the URL never shows -------------------------------------------------------------


def test_connection_refused_names_no_webhook(make_project: MakeProject) -> None:
    url = f"http://127.0.0.1:{closed_port()}/services/{TEAM}/{HOOK}/{SECRET}"
    project, variant = build(make_project)
    with driver_for(project, url) as driver, pytest.raises(NotSent) as caught:
        publish(driver, variant)
    assert_no_secret(caught.value)


def test_transport_error_quoting_the_url_is_scrubbed(make_project: MakeProject) -> None:
    def explode(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    project, variant = build(make_project)
    transport = httpx.MockTransport(explode)
    with driver_for(project, REAL, transport=transport) as driver, pytest.raises(NotSent) as caught:
        publish(driver, variant)
    assert_no_secret(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        f"http://hooks.slack.com/services/{TEAM}/{HOOK}/{SECRET}",
        f"https://hooks.slack.com/workflows/{TEAM}/{HOOK}/{SECRET}",
        f"https://hooks.slack.com/services/{TEAM}/{HOOK}/{SECRET}?channel=x",
        SECRET,
    ],
)
def test_malformed_url_is_a_credentials_problem(make_project: MakeProject, url: str) -> None:
    project, variant = build(make_project)
    with driver_for(project, url) as driver, pytest.raises(MissingCredentials) as caught:
        publish(driver, variant)
    assert ENV in str(caught.value)
    assert_no_secret(caught.value)


# -- verify and preview ------------------------------------------------------------


def test_verify_checks_the_shape_only_and_says_so(make_project: MakeProject) -> None:
    with SlackServer() as server:
        project, _ = build(make_project)
        with driver_for(project, server.webhook_url) as driver:
            said = driver.verify()
    assert server.requests == []  # checking would mean posting
    assert "without posting" in said
    assert SECRET not in said
    project, _ = build(make_project)
    bad = "https://hooks.slack.com/nope"
    with driver_for(project, bad) as driver, pytest.raises(MissingCredentials):
        driver.verify()


def test_preview_is_the_payload(make_project: MakeProject) -> None:
    project, variant = build(make_project)
    with driver_for(project, None) as driver:
        preview = driver.preview(variant, 0)
    assert preview == {"text": variant.text}
    assert SECRET not in json.dumps(preview)
