"""The Mastodon driver against a second, independent server: PyPI's ``mastodon-mock``
(a stateful FastAPI imitation of Mastodon, run with uvicorn on 127.0.0.1), with
what is published read back through its API.

mastodon-mock de-duplicates ``Idempotency-Key`` and reports the instance's
limits, so both are tested; it processes uploads at once (200 with a ``url``,
never 202), so waiting for processing is tested against the strict server
only (test_mastodon_driver.py). The package is in the test extras.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from mastodon_mock.testing import MockServer

from smmgen.errors import Rejected
from smmgen.networks.mastodon.driver import plain
from smmgen.publish.driver import part_key
from tests.conftest import MakeProject
from tests.publish.test_mastodon_driver import TOKEN_ENV, build, driver_for, publish_all

TOKEN = "alice_token"  # mastodon-mock's default seed: alice, bob, carol


@pytest.fixture(scope="module")
def mock() -> Iterator[Any]:
    """mastodon-mock on a free loopback port, with its in-memory database."""
    with MockServer(host="127.0.0.1") as server:
        yield server


@pytest.fixture
def url(mock: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0.01")
    return str(mock.base_url)


@pytest.fixture
def api(url: str) -> Iterator[httpx.Client]:
    """mastodon-mock's API as alice, to read back what was published."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


def read(api: httpx.Client, status_id: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/statuses/{status_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_verify_and_limits(url: str, make_project: MakeProject) -> None:
    project, _ = build(make_project, url)
    with driver_for(project) as driver:
        assert driver.verify() == "@alice@mock.local"
        limits = driver.limits()
    assert (limits.max_characters, limits.max_media) == (500, 4)
    assert limits.mime_types is not None
    assert "image/png" in limits.mime_types


def test_text_post(url: str, api: httpx.Client, make_project: MakeProject) -> None:
    text = "Mock text post: hello @bob & <friends> https://example.com/mock #release"
    project, variant = build(make_project, url, text, id="mock-text", language="de")
    with driver_for(project) as driver:
        remote = driver.publish(variant, 0, key=part_key("mock-text", "mastodon", 0), thread=[])
    status = read(api, remote.id)
    assert plain(status["content"], markup=True) == plain(variant.parts[0].text)
    assert (status["visibility"], status["language"]) == ("public", "de")
    assert status["account"]["acct"] == "alice"
    assert remote.url == status["url"]


def test_thread(url: str, api: httpx.Client, make_project: MakeProject) -> None:
    body = "Mock thread, one.\n\n---\n\nMock thread, two.\n\n---\n\nMock thread, three."
    project, variant = build(make_project, url, body, id="mock-thread", visibility="unlisted")
    with driver_for(project) as driver:
        thread = publish_all(driver, variant)
    statuses = [read(api, remote.id) for remote in thread]
    assert [s["in_reply_to_id"] for s in statuses] == [None, thread[0].id, thread[1].id]
    assert {s["visibility"] for s in statuses} == {"unlisted"}
    context = api.get(f"/api/v1/statuses/{thread[0].id}/context").json()
    assert [s["id"] for s in context["descendants"]] == [thread[1].id, thread[2].id]


def test_media(url: str, api: httpx.Client, make_project: MakeProject) -> None:
    media = [{"path": "media/mock.png", "alt": "A mock chart"}]
    project, variant = build(make_project, url, "Mock picture.", id="mock-media", media=media)
    with driver_for(project) as driver:
        remote = driver.publish(variant, 0, key=part_key("mock-media", "mastodon", 0), thread=[])
    [attachment] = read(api, remote.id)["media_attachments"]
    assert (attachment["type"], attachment["description"]) == ("image", "A mock chart")
    assert attachment["url"]


def test_idempotency_key_and_reconcile(
    url: str, api: httpx.Client, make_project: MakeProject
) -> None:
    project, variant = build(make_project, url, "Mock, exactly once.", id="mock-once")
    key = part_key("mock-once", "mastodon", 0)
    since = datetime.now(UTC) - timedelta(minutes=10)
    with driver_for(project) as driver:
        assert driver.reconcile(variant, 0, key=key, thread=[], since=since) is None
        first = driver.publish(variant, 0, key=key, thread=[])
        assert driver.publish(variant, 0, key=key, thread=[]) == first
        assert driver.reconcile(variant, 0, key=key, thread=[], since=since) == first
    account = api.get("/api/v1/accounts/verify_credentials").json()
    mine = api.get(f"/api/v1/accounts/{account['id']}/statuses", params={"limit": 40}).json()
    assert [s["id"] for s in mine if "exactly once" in s["content"]] == [first.id]


def test_a_bad_token_is_rejected(
    url: str, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "not-a-token")
    project, variant = build(make_project, url, "Never posted.", id="mock-bad-token")
    with driver_for(project) as driver, pytest.raises(Rejected) as caught:
        driver.publish(variant, 0, key=part_key("mock-bad-token", "mastodon", 0), thread=[])
    assert caught.value.status == 401
    assert "not-a-token" not in str(caught.value)
