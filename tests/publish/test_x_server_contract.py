"""The X test server is strict: what it refuses, so that the driver's tests mean something.

Requests here are made by hand (httpx, signed by smmgen's signer or not at all),
never through the driver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from smmgen.networks.x.oauth import OAuth1
from tests.servers.x import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    API_KEY,
    API_SECRET,
    DUPLICATE,
    TOO_LONG,
    XServer,
)

pytestmark = pytest.mark.npm("tests/text/node")  # the server counts with twitter-text


@pytest.fixture
def server() -> Iterator[XServer]:
    with XServer() as running:
        yield running


def signed(secret: str = API_SECRET) -> OAuth1:
    return OAuth1(API_KEY, secret, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)


def post(server: XServer, body: Any, **kwargs: Any) -> httpx.Response:
    kwargs.setdefault("auth", signed())
    return httpx.post(f"{server.url}/2/tweets", json=body, timeout=10, **kwargs)


def test_unsigned_and_badly_signed_requests_are_401(server: XServer) -> None:
    for auth in (None, signed("another-consumer-secret-0000")):
        answer = httpx.post(f"{server.url}/2/tweets", json={"text": "Hi"}, auth=auth, timeout=10)
        assert answer.status_code == 401
        assert answer.json() == {
            "type": "about:blank", "title": "Unauthorized", "detail": "Unauthorized", "status": 401,
        }  # fmt: skip
    assert server.posts == []


def test_the_query_is_signed_and_the_json_body_is_not(server: XServer) -> None:
    auth = signed()
    url = f"{server.url}/2/users/1000000000000000001/tweets"
    good = httpx.get(url, params={"max_results": 5, "tweet.fields": "created_at"}, auth=auth)
    assert good.status_code == 200, good.text
    # the same signature on another query is refused
    header = auth.headers[-1]
    other = httpx.get(url, params={"max_results": 6}, headers={"Authorization": header})
    assert other.status_code == 401
    assert server.bad_signatures == 1
    assert post(server, {"text": "Signed without its body."}).status_code == 201
    assert server.errors == []


def test_a_nonce_is_used_once(server: XServer) -> None:
    auth = signed()
    assert httpx.get(f"{server.url}/2/users/me", auth=auth).status_code == 200
    header = auth.headers[-1]
    again = httpx.get(f"{server.url}/2/users/me", headers={"Authorization": header})
    assert again.status_code == 401
    assert server.errors == ["an OAuth nonce was used twice"]


def test_a_body_that_is_not_json_is_refused(server: XServer) -> None:
    answer = httpx.post(
        f"{server.url}/2/tweets",
        content=b'{"text": "Hi"}',
        headers={"Content-Type": "text/plain"},
        auth=signed(),
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "Requests with bodies must have content-type of application/json."
    )
    assert server.posts == []
    assert len(server.errors) == 1


def test_fields_the_sdk_model_does_not_name_are_refused(server: XServer) -> None:
    answer = post(server, {"text": "Hi", "status": "Mastodon's name"})
    assert answer.status_code == 400
    assert answer.json()["type"] == "https://api.x.com/2/problems/invalid-request"
    assert server.posts == []
    assert server.errors == ["/2/tweets: fields X does not take: ['status']"]


def test_a_body_the_sdk_model_refuses_is_an_error(server: XServer) -> None:
    answer = post(server, {"text": "Hi", "reply": {"in_reply_to": "1"}})
    assert answer.status_code == 400
    assert server.errors
    assert "in_reply_to_tweet_id" in server.errors[0]


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("é" * 280, True),  # Latin-1 supplement weighs 1
        ("ש" * 280, True),  # so does Hebrew (code points below 4352)
        ("🎉" * 140, True),  # emoji weigh 2
        ("🎉" * 140 + "a", False),
        ("日" * 141, False),  # CJK weighs 2
        ("a" * 256 + " https://example.com/" + "p" * 60, True),  # a URL weighs 23
        ("a" * 257 + " example.com/" + "p" * 60, False),
    ],
)
def test_text_is_counted_as_twitter_text_counts(server: XServer, text: str, allowed: bool) -> None:
    answer = post(server, {"text": text})
    if allowed:
        assert answer.status_code == 201, answer.text
        assert answer.json()["data"]["id"] == server.posts[-1].id
    else:
        assert answer.status_code == 400
        assert answer.json()["detail"] == TOO_LONG
        assert server.posts == []


def test_the_same_text_twice_is_a_duplicate(server: XServer) -> None:
    assert post(server, {"text": "Once."}).status_code == 201
    again = post(server, {"text": "Once."})
    assert again.status_code == 403
    assert again.json()["detail"] == DUPLICATE
    assert again.headers["content-type"] == "application/problem+json"


def test_every_answer_has_the_rate_limit_headers(server: XServer) -> None:
    answer = post(server, {"text": "Counted."})
    reset = int(answer.headers["x-rate-limit-reset"])
    assert answer.headers["x-rate-limit-limit"] == "100"
    assert answer.headers["x-rate-limit-remaining"] == "99"
    assert reset > 1_700_000_000  # epoch seconds, not a delay
    assert answer.headers["x-user-limit-24hour-remaining"] == str(server.user_day - 1)
    assert "retry-after" not in answer.headers


def test_published_is_what_the_chaos_test_compares(server: XServer) -> None:
    first = post(server, {"text": "Root https://example.com/a"}).json()["data"]
    reply = {"text": "Child", "reply": {"in_reply_to_tweet_id": first["id"]}}
    second = post(server, reply).json()["data"]
    assert first["text"].startswith("Root https://t.co/")
    assert server.published() == [
        {"id": first["id"], "text": "Root https://example.com/a", "reply_to": None, "media": 0},
        {"id": second["id"], "text": "Child", "reply_to": first["id"], "media": 0},
    ]
    assert server.errors == []
