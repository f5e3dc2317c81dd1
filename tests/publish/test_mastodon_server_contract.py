"""The strict Mastodon test server answers as the Mastodon OpenAPI description says.

Every answer is validated with ``jsonschema`` against the response schema the
description gives for its path, method and status code (``$ref`` resolved in
the document), and its ``X-RateLimit-*`` headers against the header schemas;
the driver's requests against the request schemas. The description is
abraham/mastodon-openapi's, vendored in tests/vendor/mastodon-openapi.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema  # type: ignore[import-untyped]
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.servers.mastodon import MastodonServer
from tests.vendored import vendored

SPEC = vendored("mastodon-openapi", "schema.json")
BASE = "urn:mastodon-openapi"


@cache
def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return data


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)  # type: ignore[untyped-decorator]
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        raise ValueError("not an RFC 3339 date-time")
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("uri", raises=ValueError)  # type: ignore[untyped-decorator]
def _uri(value: object) -> bool:
    if isinstance(value, str):
        parts = urlsplit(value)
        if not (parts.scheme and (parts.netloc or parts.path)):
            raise ValueError("not an absolute URI")
    return True


def validator(pointer: str) -> jsonschema.Draft202012Validator:
    """A validator for the schema at ``pointer`` in the description, refs resolved."""
    resource = Resource.from_contents(spec(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(BASE, resource)
    return jsonschema.Draft202012Validator(
        {"$ref": f"{BASE}#{pointer}"}, registry=registry, format_checker=FORMATS
    )


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def conforms(response: httpx.Response, template: str) -> Any:
    """Check ``response`` against ``paths[template][method].responses[status]``; its body."""
    method = response.request.method.lower()
    operation = spec()["paths"][template][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{status} is not documented for {method} {template}"
    documented = operation["responses"][status]
    body = response.json()
    content = documented.get("content", {}).get("application/json")
    if content is not None:
        path = ["paths", _escape(template), method, "responses", status, "content"]
        pointer = "/" + "/".join([*path, "application~1json", "schema"])
        errors = [e.message for e in validator(pointer).iter_errors(body)]
        assert errors == [], f"{method} {template} {status}: {errors[:5]}"
    rate_limit_headers(response)
    return body


def rate_limit_headers(response: httpx.Response) -> None:
    headers = spec()["components"]["headers"]
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert name in response.headers, f"{name} missing"
        value: Any = response.headers[name]
        if headers[name]["schema"]["type"] == "integer":
            value = int(value)
        pointer = f"/components/headers/{name}/schema"
        errors = [e.message for e in validator(pointer).iter_errors(value)]
        assert errors == [], f"{name}: {errors}"


@pytest.fixture
def server() -> Iterator[MastodonServer]:
    spec()
    with MastodonServer(media_polls=2) as running:
        yield running
    assert running.errors == []


@pytest.fixture
def client(server: MastodonServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, headers=headers) as http:
        yield http


PNG = b"\x89PNG\r\n\x1a\n"


def upload(client: httpx.Client, description: str = "A chart") -> httpx.Response:
    files = {"file": ("chart.png", PNG, "image/png")}
    return client.post("/api/v2/media", files=files, data={"description": description})


def processed(client: httpx.Client, server: MastodonServer) -> str:
    """The id of an upload that is ready to attach."""
    media_id = str(upload(client).json()["id"])
    server.finish_processing()
    return media_id


# -- each endpoint ---------------------------------------------------------------------------


def test_instance(server: MastodonServer) -> None:
    with httpx.Client() as anonymous:  # public
        body = conforms(anonymous.get(f"{server.url}/api/v2/instance"), "/api/v2/instance")
    statuses = body["configuration"]["statuses"]
    assert (statuses["max_characters"], statuses["max_media_attachments"]) == (500, 4)
    assert statuses["characters_reserved_per_url"] == 23
    assert body["domain"] == "mastodon.test"


def test_verify_credentials(client: httpx.Client, server: MastodonServer) -> None:
    body = conforms(
        client.get("/api/v1/accounts/verify_credentials"), "/api/v1/accounts/verify_credentials"
    )
    assert (body["id"], body["acct"]) == (server.account.id, "smmgen")


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic dGVzdA=="])
def test_a_bad_or_missing_token_is_401(server: MastodonServer, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    with httpx.Client(base_url=server.url, headers=headers) as http:
        for template, response in [
            (
                "/api/v1/accounts/verify_credentials",
                http.get("/api/v1/accounts/verify_credentials"),
            ),
            ("/api/v1/statuses", http.post("/api/v1/statuses", json={"status": "Hi"})),
            (
                "/api/v2/media",
                http.post("/api/v2/media", files={"file": ("a.png", PNG, "image/png")}),
            ),
        ]:
            assert response.status_code == 401
            assert conforms(response, template) == {"error": "The access token is invalid"}
    assert server.statuses == []
    assert server.media == []


def test_media_processing(client: httpx.Client) -> None:
    created = upload(client)
    body = conforms(created, "/api/v2/media")
    assert (created.status_code, body["url"], body["description"]) == (202, None, "A chart")
    template = "/api/v1/media/{id}"
    first, second = (client.get(f"/api/v1/media/{body['id']}") for _ in range(2))
    assert (first.status_code, second.status_code) == (206, 200)
    # 206 has no documented body; Mastodon sends the attachment, still without a url
    assert conforms(first, template) is not None
    assert validator("/components/schemas/MediaAttachment").is_valid(first.json())
    assert first.json()["url"] is None
    assert conforms(second, template)["url"].endswith("/chart.png")


def test_media_without_processing_is_200() -> None:
    spec()
    with MastodonServer() as server:
        headers = {"Authorization": f"Bearer {server.token}"}
        with httpx.Client(base_url=server.url, headers=headers) as http:
            created = upload(http)
            assert created.status_code == 200
            assert conforms(created, "/api/v2/media")["url"]
        assert server.errors == []


@pytest.mark.parametrize(
    ("files", "description", "error"),
    [
        ({}, "x", "Validation failed: File can't be blank"),
        (
            {"file": ("a.bmp", b"BM", "image/bmp")},
            "x",
            "Validation failed: File content type is invalid, File is invalid",
        ),
        (
            {"file": ("a.png", PNG, "image/png")},
            "x" * 1501,
            "Validation failed: Description is too long (maximum is 1500 characters)",
        ),
    ],
)
def test_bad_uploads_are_422(
    client: httpx.Client, files: dict[str, Any], description: str, error: str
) -> None:
    response = client.post("/api/v2/media", files=files or None, data={"description": description})
    assert response.status_code == 422
    assert conforms(response, "/api/v2/media") == {"error": error}


def test_a_status_with_everything(client: httpx.Client, server: MastodonServer) -> None:
    media_id = processed(client, server)
    root = conforms(client.post("/api/v1/statuses", json={"status": "Root"}), "/api/v1/statuses")
    sent = {
        "status": "Hi @alice@example.social & <you> https://example.com/a/long/path/here #Tag",
        "media_ids": [media_id],
        "visibility": "unlisted",
        "language": "de",
        "in_reply_to_id": root["id"],
    }
    body = conforms(client.post("/api/v1/statuses", json=sent), "/api/v1/statuses")
    assert body["in_reply_to_id"] == root["id"]
    assert body["in_reply_to_account_id"] == server.account.id
    assert (body["visibility"], body["language"]) == ("unlisted", "de")
    assert [m["id"] for m in body["media_attachments"]] == [media_id]
    assert body["media_attachments"][0]["description"] == "A chart"
    assert body["content"].startswith('<p>Hi <span class="h-card"')
    assert "&amp; &lt;you&gt;" in body["content"]
    assert body["mentions"][0]["acct"] == "alice@example.social"
    assert body["tags"] == [{"name": "tag", "url": f"{server.url}/tags/tag"}]
    assert int(body["id"]) > int(root["id"])
    again = conforms(client.get(f"/api/v1/statuses/{body['id']}"), "/api/v1/statuses/{id}")
    assert again == body
    # attached media are no longer the uploader's to fetch or attach
    assert client.get(f"/api/v1/media/{media_id}").status_code == 404


def test_a_form_encoded_status(client: httpx.Client, server: MastodonServer) -> None:
    media_id = processed(client, server)
    form = {"status": "Form", "media_ids[]": [media_id], "visibility": "private"}
    body = conforms(client.post("/api/v1/statuses", data=form), "/api/v1/statuses")
    assert ([m["id"] for m in body["media_attachments"]], body["visibility"]) == (
        [media_id],
        "private",
    )
    # a private status is not shown to others
    with httpx.Client(base_url=server.url) as anonymous:
        hidden = anonymous.get(f"/api/v1/statuses/{body['id']}")
    assert hidden.status_code == 404
    assert conforms(hidden, "/api/v1/statuses/{id}") == {"error": "Record not found"}


def test_account_statuses_newest_first_with_pages(
    client: httpx.Client, server: MastodonServer
) -> None:
    ids = [server.add_status(f"Status {n}").id for n in range(5)]
    template = "/api/v1/accounts/{id}/statuses"
    path = f"/api/v1/accounts/{server.account.id}/statuses"
    first = client.get(path, params={"limit": 2})
    assert [s["id"] for s in conforms(first, template)] == ids[:-3:-1]
    assert 'rel="next"' in first.headers["Link"]
    older = client.get(path, params={"limit": 2, "max_id": ids[3]})
    assert [s["id"] for s in conforms(older, template)] == [ids[2], ids[1]]
    newer = client.get(path, params={"min_id": ids[1], "limit": 2})
    assert [s["id"] for s in conforms(newer, template)] == [ids[3], ids[2]]
    missing = client.get("/api/v1/accounts/1/statuses")
    assert (missing.status_code, conforms(missing, template)) == (
        404,
        {"error": "Record not found"},
    )


# -- what is refused ---------------------------------------------------------------------------


def too_many(client: httpx.Client, server: MastodonServer) -> dict[str, Any]:
    return {"status": "x", "media_ids": [processed(client, server) for _ in range(5)]}


def unknown_media(client: httpx.Client, server: MastodonServer) -> dict[str, Any]:
    return {"status": "x", "media_ids": ["12345"]}


def unprocessed(client: httpx.Client, server: MastodonServer) -> dict[str, Any]:
    return {"status": "x", "media_ids": [str(upload(client).json()["id"])]}


def attached(client: httpx.Client, server: MastodonServer) -> dict[str, Any]:
    media_id = processed(client, server)
    client.post("/api/v1/statuses", json={"status": "first", "media_ids": [media_id]})
    return {"status": "x", "media_ids": [media_id]}


def other_accounts_media(client: httpx.Client, server: MastodonServer) -> dict[str, Any]:
    server.add_account("other", "other-token")
    files = {"file": ("a.png", PNG, "image/png")}
    other = client.post(
        "/api/v2/media", files=files, headers={"Authorization": "Bearer other-token"}
    )
    return {"status": "x", "media_ids": [str(other.json()["id"])]}


@pytest.mark.parametrize(
    ("make", "status", "error"),
    [
        (lambda c, s: {"status": "  "}, 422, "Validation failed: Text can't be blank"),
        (lambda c, s: {}, 422, "Validation failed: Text can't be blank"),
        (
            lambda c, s: {"status": "x" * 501},
            422,
            "Validation failed: Text character limit of 500 exceeded",
        ),
        (
            lambda c, s: {"status": "x", "visibility": "everyone"},
            422,
            "Validation failed: Visibility is not included in the list",
        ),
        (too_many, 422, "Cannot attach more than 4 files"),
        (unknown_media, 422, "Media 12345 not found or already attached to another post"),
        (
            unprocessed,
            422,
            "Cannot attach files that have not finished processing. Try again in a moment!",
        ),
        (
            lambda c, s: {"status": "x", "in_reply_to_id": "999"},
            404,
            "The post you are trying to reply to does not appear to exist.",
        ),
    ],
)
def test_invalid_statuses_are_refused(
    client: httpx.Client, server: MastodonServer, make: Any, status: int, error: str
) -> None:
    response = client.post("/api/v1/statuses", json=make(client, server))
    assert response.status_code == status
    assert conforms(response, "/api/v1/statuses") == {"error": error}
    assert [s.text for s in server.statuses] == []


@pytest.mark.parametrize("make", [attached, other_accounts_media])
def test_media_of_another_status_or_account_cannot_be_attached(
    client: httpx.Client, server: MastodonServer, make: Any
) -> None:
    response = client.post("/api/v1/statuses", json=make(client, server))
    assert response.status_code == 422
    assert "not found or already attached" in conforms(response, "/api/v1/statuses")["error"]


def test_media_only_status_needs_no_text(client: httpx.Client, server: MastodonServer) -> None:
    response = client.post("/api/v1/statuses", json={"media_ids": [processed(client, server)]})
    assert conforms(response, "/api/v1/statuses")["content"] == ""


def test_length_is_counted_as_mastodon_counts(client: httpx.Client, server: MastodonServer) -> None:
    # a URL counts 23 and a mention its username only: 500 exactly
    head = "@alice@a-very-long-domain.example.social https://example.com/" + "p" * 200 + " "
    counted = len("@alice") + 1 + 23 + 1
    fits = head + "x" * (500 - counted)
    assert conforms(client.post("/api/v1/statuses", json={"status": fits}), "/api/v1/statuses")
    over = client.post("/api/v1/statuses", json={"status": fits + "x"})
    assert over.status_code == 422
    # graphemes, not code points: a family emoji is one character
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    emoji = client.post("/api/v1/statuses", json={"status": family * 500})
    assert emoji.status_code == 200
    assert server.count(fits) == 1


# -- idempotency and rate limits ------------------------------------------------------------


def test_idempotency_key_per_account(client: httpx.Client, server: MastodonServer) -> None:
    key = {"Idempotency-Key": "same"}
    first = conforms(
        client.post("/api/v1/statuses", json={"status": "Once"}, headers=key), "/api/v1/statuses"
    )
    # the same key again: the first status, even for a different text
    again = client.post("/api/v1/statuses", json={"status": "Twice"}, headers=key)
    assert conforms(again, "/api/v1/statuses")["id"] == first["id"]
    server.add_account("other", "other-token")
    other = client.post(
        "/api/v1/statuses",
        json={"status": "Once"},
        headers={**key, "Authorization": "Bearer other-token"},
    )
    assert conforms(other, "/api/v1/statuses")["id"] != first["id"]
    assert server.count("Once") == 2
    assert server.count("Twice") == 0


def test_rate_limit_budget() -> None:
    spec()
    limited = MastodonServer(rate_limit=2, rate_window=60)
    with limited, httpx.Client(base_url=limited.url) as http:
        remaining = []
        for _ in range(3):
            response = http.get("/api/v2/instance")
            remaining.append(response.headers["X-RateLimit-Remaining"])
        assert remaining == ["1", "0", "0"]
        assert response.status_code == 429
        assert conforms(response, "/api/v2/instance") == {"error": "Too many requests"}
        reset = datetime.fromisoformat(response.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
        assert 55 < reset.timestamp() - datetime.now().timestamp() <= 60
    assert limited.errors == []


# -- the driver's requests, as the description has them ----------------------------------------


def test_the_drivers_requests_match_the_request_schemas(
    server: MastodonServer, make_project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.publish.test_mastodon_driver import TOKEN_ENV, build, driver_for, publish_all

    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0.01")
    monkeypatch.setenv(TOKEN_ENV, server.token)
    project, variant = build(
        make_project,
        server.url,
        "One.\n\n---\n\nTwo.",
        language="en",
        media=[{"path": "media/a.png", "alt": "A"}],
    )
    with driver_for(project) as driver:
        publish_all(driver, variant)
    bodies = [
        r.json() for r in server.requests if (r.method, r.path) == ("POST", "/api/v1/statuses")
    ]
    text, media = (validator(f"/components/schemas/{n}") for n in ("TextStatus", "MediaStatus"))
    # The description's oneOf [TextStatus, MediaStatus, PollStatus] cannot hold for a status
    # with both text and media (both match), so each body is checked against its own kind.
    assert media.is_valid(bodies[0])
    assert "media_ids" in bodies[0]
    assert text.is_valid(bodies[1])
    for body in bodies:
        errors = list(validator("/components/schemas/BaseStatus").iter_errors(body))
        assert errors == []
    [uploaded] = [r for r in server.requests if r.path == "/api/v2/media"]
    assert (uploaded.header("content-type") or "").startswith("multipart/form-data")
    assert b'name="file"; filename="a.png"' in uploaded.body
    assert b'name="description"' in uploaded.body
