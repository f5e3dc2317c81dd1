"""The Mastodon driver against the strict test server (tests/servers/mastodon.py):
posts, threads, media, the instance's limits, errors by kind, reconciling and
idempotency, verify and preview."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

import smmgen
from smmgen.adapt.variants import Variant, build_variant
from smmgen.errors import MissingCredentials, NotSent, Rejected, Transient, Unknown
from smmgen.networks.mastodon import driver as module
from smmgen.networks.mastodon.driver import InstanceLimits, MastodonDriver, language, plain
from smmgen.project import Project
from smmgen.publish.driver import Context, Remote, driver_class, part_key
from smmgen.publish.http import Http
from tests.conftest import MakeProject
from tests.servers.base import Faults
from tests.servers.mastodon import MastodonServer

TOKEN_ENV = "SMMGEN_MASTODON_TOKEN"
TEXT = (
    "Hello @alice@example.social & <friends>: v2 is out, see"
    " https://example.com/a/very/long/path/that/mastodon/hides #release"
)


def channels_yaml(url: str, *, visibility: str = "public") -> str:
    return (
        "defaults:\n  channels: [mastodon]\nchannels:\n  mastodon:\n    type: mastodon\n"
        f"    instance: {url}\n    api_base: {url}\n    token_env: {TOKEN_ENV}\n"
        f"    visibility: {visibility}\n"
    )


def post(body: str, **front: Any) -> str:
    fields = {"id": "p1", "publish_at": "2026-12-01 09:00", **front}
    return f"---\n{yaml.safe_dump(fields, sort_keys=False)}---\n{body}\n"


def build(
    make_project: MakeProject,
    url: str,
    body: str = TEXT,
    *,
    visibility: str = "public",
    **front: Any,
) -> tuple[Project, Variant]:
    """A project with one post on a Mastodon channel at ``url`` (its media files
    created), and the post's variant."""
    root = make_project(
        channels=channels_yaml(url, visibility=visibility),
        posts={"p.md": post(body, **front)},
        media=[item["path"] for item in front.get("media", [])],
    )
    project = smmgen.load(root)
    return project, build_variant(project, project.posts[0], "mastodon")


@contextmanager
def driver_for(project: Project, **http: Any) -> Iterator[MastodonDriver]:
    driver = MastodonDriver(
        Context("mastodon", project.channels["mastodon"], project, Http(**http))
    )
    try:
        yield driver
    finally:
        driver.close()


def publish_all(driver: MastodonDriver, variant: Variant) -> list[Remote]:
    """Every part in order, as the engine sends them."""
    thread: list[Remote] = []
    for index in range(len(variant.parts)):
        key = part_key(variant.post, variant.channel, index)
        thread.append(driver.publish(variant, index, key=key, thread=list(thread)))
    return thread


def requests(server: MastodonServer, method: str, path: str) -> list[Any]:
    return [r for r in server.requests if r.method == method and r.path.startswith(path)]


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0.01")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[MastodonServer]:
    with MastodonServer() as running:
        monkeypatch.setenv(TOKEN_ENV, running.token)
        yield running
    assert running.errors == []


KEY = part_key("p1", "mastodon", 0)


# -- posting ---------------------------------------------------------------------------------


def test_the_network_names_its_driver() -> None:
    from smmgen.networks.mastodon import NETWORK

    assert driver_class(NETWORK) is MastodonDriver
    assert MastodonDriver.reconcilable
    assert MastodonDriver.credentials == ("token_env",)


def test_text_post(server: MastodonServer, make_project: MakeProject) -> None:
    project, variant = build(make_project, server.url)
    with driver_for(project) as driver:
        remote = driver.publish(variant, 0, key=KEY, thread=[])
    [status] = server.statuses
    assert remote == Remote(status.id, f"{server.url}/@smmgen/{status.id}")
    assert status.text == variant.parts[0].text
    assert status.in_reply_to_id is None
    [sent] = requests(server, "POST", "/api/v1/statuses")
    assert sent.header("authorization") == f"Bearer {server.token}"
    assert sent.header("idempotency-key") == KEY
    assert sent.json() == {"status": variant.parts[0].text, "visibility": "public"}


def test_visibility_and_language_are_sent(
    server: MastodonServer, make_project: MakeProject
) -> None:
    project, variant = build(
        make_project, server.url, "Hallo Welt.", visibility="unlisted", language="de"
    )
    with driver_for(project) as driver:
        driver.publish(variant, 0, key=KEY, thread=[])
    [status] = server.statuses
    assert (status.visibility, status.language) == ("unlisted", "de")


def test_language_codes_as_mastodon_takes_them() -> None:
    assert [language(c) for c in ("de", "en-US", "pt-BR", "zh-tw", "sr-Latn")] == [
        "de", "en", "pt-BR", "zh-TW", "sr-Latn",
    ]  # fmt: skip


def test_media_with_alt_text_waits_for_processing(
    monkeypatch: pytest.MonkeyPatch, make_project: MakeProject
) -> None:
    with MastodonServer(media_polls=3) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        project, variant = build(
            make_project,
            server.url,
            "A picture.",
            media=[{"path": "media/shot.png", "alt": "The new dashboard"}],
        )
        with driver_for(project) as driver:
            driver.publish(variant, 0, key=KEY, thread=[])
        [attachment] = server.media
        [status] = server.statuses
        assert status.media_ids == [attachment.id]
        assert attachment.description == "The new dashboard"
        assert (attachment.filename, attachment.content_type) == ("shot.png", "image/png")
        assert attachment.size == (project.root / "media/shot.png").stat().st_size
        # answered 202, then polled until it has a url: 206, 206, 200
        assert len(requests(server, "GET", f"/api/v1/media/{attachment.id}")) == 3
        [sent] = requests(server, "POST", "/api/v1/statuses")
        assert sent.json()["media_ids"] == [attachment.id]
        assert server.errors == []


def test_media_are_not_uploaded_again_when_the_part_is_retried(
    server: MastodonServer, make_project: MakeProject
) -> None:
    project, variant = build(
        make_project,
        server.url,
        "A picture.",
        media=[{"path": "media/a.png", "alt": "A"}],
    )
    server.fail_next("POST", "/api/v1/statuses", 503, "Service unavailable")
    with driver_for(project) as driver:
        with pytest.raises(Transient, match="Service unavailable"):
            driver.publish(variant, 0, key=KEY, thread=[])
        driver.publish(variant, 0, key=KEY, thread=[])
    assert len(server.media) == 1
    assert [s.media_ids for s in server.statuses] == [[server.media[0].id]]


def test_media_still_processing_is_transient_and_polled_again_later(
    monkeypatch: pytest.MonkeyPatch, make_project: MakeProject
) -> None:
    monkeypatch.setattr(module, "MEDIA_POLLS", 2)
    with MastodonServer(media_polls=100) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        project, variant = build(
            make_project,
            server.url,
            "A video.",
            media=[{"path": "media/a.png", "alt": "A"}],
        )
        with driver_for(project) as driver:
            with pytest.raises(Transient, match="still being processed") as caught:
                driver.publish(variant, 0, key=KEY, thread=[])
            assert caught.value.retry_after
            assert server.statuses == []
            server.finish_processing()
            driver.publish(variant, 0, key=KEY, thread=[])
        assert len(server.media) == 1
        assert len(server.statuses) == 1
        assert server.errors == []


def test_a_thread_of_three_parts_replies_in_order(
    server: MastodonServer, make_project: MakeProject
) -> None:
    body = "One: the start.\n\n---\n\nTwo: the middle.\n\n---\n\nThree: the end."
    project, variant = build(make_project, server.url, body)
    assert len(variant.parts) == 3
    with driver_for(project) as driver:
        thread = publish_all(driver, variant)
    statuses = server.statuses
    assert [s.id for s in statuses] == [r.id for r in thread]
    assert [s.text for s in statuses] == [p.text for p in variant.parts]
    assert [s.in_reply_to_id for s in statuses] == [None, thread[0].id, thread[1].id]
    keys = [r.header("idempotency-key") for r in requests(server, "POST", "/api/v1/statuses")]
    assert keys == [part_key("p1", "mastodon", i) for i in range(3)]


def test_a_reply_without_its_parent_is_refused(
    server: MastodonServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server.url, "One.\n\n---\n\nTwo.")
    with driver_for(project) as driver:
        with pytest.raises(Rejected, match="no earlier part"):
            driver.publish(variant, 1, key=KEY, thread=[])
        with pytest.raises(Rejected, match="does not appear to exist") as caught:
            driver.publish(variant, 1, key=KEY, thread=[Remote("4242")])
    assert caught.value.status == 404
    assert server.statuses == []


# -- the instance's limits -------------------------------------------------------------------


def test_the_instance_limit_refuses_a_long_part_before_sending(
    monkeypatch: pytest.MonkeyPatch, make_project: MakeProject
) -> None:
    with MastodonServer(max_characters=100) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        # 150 characters fit the channel's 500, so the variant is one part
        project, variant = build(make_project, server.url, "x" * 150, thread=False)
        with driver_for(project) as driver:
            with pytest.raises(Rejected, match=r"150 characters; mastodon\.test allows 100"):
                driver.publish(variant, 0, key=KEY, thread=[])
            assert driver.limits().max_characters == 100
        assert [(r.method, r.path) for r in server.requests] == [("GET", "/api/v2/instance")]
        assert server.errors == []


def test_the_limits_are_read_once(server: MastodonServer, make_project: MakeProject) -> None:
    project, variant = build(make_project, server.url, "One.\n\n---\n\nTwo.")
    with driver_for(project) as driver:
        publish_all(driver, variant)
    assert len(requests(server, "GET", "/api/v2/instance")) == 1


def test_urls_and_mention_domains_count_as_mastodon_counts(
    monkeypatch: pytest.MonkeyPatch, make_project: MakeProject
) -> None:
    # "Hi @bob " (8) + a URL (23) = 31, though the text is far longer
    text = "Hi @bob@a-long-domain.example.social https://example.com/" + "x" * 80
    with MastodonServer(max_characters=31) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        project, variant = build(make_project, server.url, text, thread=False)
        with driver_for(project) as driver:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert server.count(text) == 1


@pytest.mark.parametrize(
    ("files", "error"),
    [
        ([f"media/{n}.png" for n in range(5)], r"5 media; mastodon\.test takes at most 4"),
        (["media/old.bmp"], r"media/old\.bmp is image/bmp; mastodon\.test does not take"),
        (["media/gone.png"], r"media/gone\.png: cannot read it"),
    ],
)
def test_media_the_instance_refuses_are_refused_before_uploading(
    server: MastodonServer, make_project: MakeProject, files: list[str], error: str
) -> None:
    media = [{"path": path, "alt": "x"} for path in files]
    project, variant = build(make_project, server.url, "Pictures.", media=media)
    (project.root / "media/gone.png").unlink(missing_ok=True)  # removed after `check`
    with driver_for(project) as driver, pytest.raises(Rejected, match=error):
        driver.publish(variant, 0, key=KEY, thread=[])
    assert requests(server, "POST", "/") == []


def test_instance_limits_from_v1_and_defaults() -> None:
    v1 = {"uri": "old.example", "max_toot_chars": 5000, "configuration": {}}
    assert InstanceLimits.parse(v1) == InstanceLimits(max_characters=5000, domain="old.example")
    assert InstanceLimits.parse({"configuration": {"statuses": "junk"}}) == InstanceLimits()


# -- errors ----------------------------------------------------------------------------------


def test_a_bad_token_is_rejected_with_the_servers_message(
    server: MastodonServer, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "wrong-secret-token-value")
    project, variant = build(make_project, server.url)
    with driver_for(project) as driver:
        with pytest.raises(Rejected) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert driver.secrets() == ["wrong-secret-token-value"]
    assert caught.value.status == 401
    assert str(caught.value) == "HTTP 401: The access token is invalid"
    assert "wrong-secret-token-value" not in str(caught.value)
    assert server.statuses == []


def test_the_token_never_appears_in_an_error(
    server: MastodonServer, make_project: MakeProject
) -> None:
    server.fail_next("POST", "/api/v1/statuses", 403, f"token {server.token} is suspended")
    project, variant = build(make_project, server.url)
    with driver_for(project) as driver, pytest.raises(Rejected) as caught:
        driver.publish(variant, 0, key=KEY, thread=[])
    assert server.token not in str(caught.value)
    assert str(caught.value) == "HTTP 403: token [redacted] is suspended"


def test_missing_credentials_are_reported_before_any_request(
    server: MastodonServer, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV)
    project, variant = build(make_project, server.url)
    with driver_for(project) as driver:
        assert driver.missing() == [TOKEN_ENV]
        with pytest.raises(MissingCredentials, match=TOKEN_ENV):
            driver.publish(variant, 0, key=KEY, thread=[])
    assert server.requests == []


def test_422_is_rejected_with_the_servers_message(
    server: MastodonServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server.url, "x" * 100)
    with driver_for(project) as driver:
        driver.limits()  # read at 500; then the admin lowers the limit
        server.max_characters = 50
        with pytest.raises(Rejected) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
    assert caught.value.status == 422
    assert caught.value.message == "Validation failed: Text character limit of 50 exceeded"


def test_500_is_transient(monkeypatch: pytest.MonkeyPatch, make_project: MakeProject) -> None:
    faults = Faults()
    with MastodonServer(faults) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        project, variant = build(make_project, server.url)
        faults.next("error_500")
        with driver_for(project) as driver, pytest.raises(Transient) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert (caught.value.status, caught.value.message) == (500, "injected server error")
        assert caught.value.retry_after is None
        assert server.statuses == []


def test_429_is_transient_with_retry_after(
    monkeypatch: pytest.MonkeyPatch, make_project: MakeProject
) -> None:
    faults = Faults(retry_after=7)
    with MastodonServer(faults) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        project, variant = build(make_project, server.url)
        faults.next("rate_429")
        with driver_for(project) as driver, pytest.raises(Transient) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert caught.value.status == 429
        assert caught.value.retry_after == pytest.approx(7, abs=1)


def test_a_spent_rate_limit_budget_is_transient_until_it_resets(
    monkeypatch: pytest.MonkeyPatch, make_project: MakeProject
) -> None:
    with MastodonServer(rate_limit=1, rate_window=5) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        project, variant = build(make_project, server.url)
        with driver_for(project) as driver, pytest.raises(Transient) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert (caught.value.status, caught.value.message) == (429, "Too many requests")
        # from X-RateLimit-Reset (ISO 8601), as Mastodon sends no Retry-After
        assert caught.value.retry_after is not None
        assert 3 < caught.value.retry_after <= 5
        assert server.statuses == []


def test_no_answer_to_a_read_is_not_sent(
    monkeypatch: pytest.MonkeyPatch, make_project: MakeProject
) -> None:
    faults = Faults(reads=True)
    with MastodonServer(faults) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        project, variant = build(make_project, server.url)
        faults.next("reset_after")  # on GET /api/v2/instance
        with driver_for(project) as driver:
            with pytest.raises(NotSent, match="reading the instance's limits"):
                driver.publish(variant, 0, key=KEY, thread=[])
            driver.publish(variant, 0, key=KEY, thread=[])
        assert len(server.statuses) == 1


# -- unknown outcomes ------------------------------------------------------------------------


def test_an_unanswered_post_is_unknown_and_reconcile_finds_it(
    monkeypatch: pytest.MonkeyPatch, make_project: MakeProject
) -> None:
    faults = Faults()
    with MastodonServer(faults) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        project, variant = build(make_project, server.url)
        since = datetime.now(UTC) - timedelta(minutes=10)
        faults.next("reset_after")
        with driver_for(project) as driver:
            with pytest.raises(Unknown):
                driver.publish(variant, 0, key=KEY, thread=[])
            [status] = server.statuses
            # content is HTML: the mention lost its domain, the link is split in spans
            assert "&lt;friends&gt;" in status.content
            assert "@<span>alice</span>" in status.content
            found = driver.reconcile(variant, 0, key=KEY, thread=[], since=since)
            assert found == Remote(status.id, f"{server.url}/@smmgen/{status.id}")
            # the engine would now record it; sending again would not duplicate it either
            assert driver.publish(variant, 0, key=KEY, thread=[]) == found
        assert server.count(variant.parts[0].text) == 1


def test_reconcile_matches_replies_by_their_parent(
    monkeypatch: pytest.MonkeyPatch, make_project: MakeProject
) -> None:
    faults = Faults()
    with MastodonServer(faults) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        project, variant = build(make_project, server.url, "Same.\n\n---\n\nSame.")
        since = datetime.now(UTC)
        with driver_for(project) as driver:
            root = driver.publish(variant, 0, key=KEY, thread=[])
            key = part_key("p1", "mastodon", 1)
            assert driver.reconcile(variant, 1, key=key, thread=[root], since=since) is None
            faults.next("timeout_after")
            faults.delay = 0.5
            with driver_for(project, timeout=0.2) as impatient, pytest.raises(Unknown):
                impatient.publish(variant, 1, key=key, thread=[root])
            reply = driver.reconcile(variant, 1, key=key, thread=[root], since=since)
            assert reply is not None
            assert reply.id != root.id
            assert server.status(reply.id).in_reply_to_id == root.id  # type: ignore[union-attr]
            # the root is found as the root, not as the reply with the same text
            assert driver.reconcile(variant, 0, key=KEY, thread=[], since=since) == root


def test_reconcile_finds_nothing_when_nothing_was_posted(
    monkeypatch: pytest.MonkeyPatch, make_project: MakeProject
) -> None:
    faults = Faults()
    with MastodonServer(faults) as server:
        monkeypatch.setenv(TOKEN_ENV, server.token)
        project, variant = build(make_project, server.url)
        since = datetime.now(UTC)
        faults.next("reset_before")
        with driver_for(project) as driver:
            with pytest.raises(Unknown):
                driver.publish(variant, 0, key=KEY, thread=[])
            assert driver.reconcile(variant, 0, key=KEY, thread=[], since=since) is None
            remote = driver.publish(variant, 0, key=KEY, thread=[])
            # an identical status from before `since` is not this part
            later = since + timedelta(hours=1)
            assert driver.reconcile(variant, 0, key=KEY, thread=[], since=later) is None
        assert [s.id for s in server.statuses] == [remote.id]


def test_reconcile_reads_older_pages(server: MastodonServer, make_project: MakeProject) -> None:
    project, variant = build(make_project, server.url, "The one.")
    since = datetime.now(UTC)
    with driver_for(project) as driver:
        wanted = driver.publish(variant, 0, key=KEY, thread=[])
        for n in range(45):
            server.add_status("Other.", in_reply_to_id=wanted.id if n % 2 else None)
        assert driver.reconcile(variant, 0, key=KEY, thread=[], since=since) == wanted
    pages = [
        r for r in requests(server, "GET", "/api/v1/accounts/") if r.path.endswith("/statuses")
    ]
    assert [r.query.get("max_id") is not None for r in pages] == [False, True]


def test_plain_text_of_content() -> None:
    content = (
        '<p>Hi <span class="h-card"><a href="https://x.example/@al" class="u-url mention">'
        '@<span>al</span></a></span> &amp; co<br />line two</p><p><a href="https://e.com/abc">'
        '<span class="invisible">https://</span><span class="">e.com/abc</span>'
        '<span class="invisible"></span></a></p>'
    )
    assert plain(content, markup=True) == plain(
        "Hi @al@x.example & co\nline two\n\nhttps://e.com/abc"
    )


# -- idempotency, verify, preview ------------------------------------------------------------


def test_the_same_idempotency_key_twice_makes_one_status(
    server: MastodonServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server.url)
    with driver_for(project) as driver:
        first = driver.publish(variant, 0, key=KEY, thread=[])
    with driver_for(project) as fresh:  # another run: nothing remembered in the driver
        again = fresh.publish(variant, 0, key=KEY, thread=[])
    assert first == again
    assert server.count(variant.parts[0].text) == 1
    assert len(requests(server, "POST", "/api/v1/statuses")) == 2


def test_verify(server: MastodonServer, make_project: MakeProject) -> None:
    project, _ = build(make_project, server.url)
    with driver_for(project) as driver:
        assert driver.verify() == "@smmgen@mastodon.test"
    assert server.statuses == []


def test_verify_with_a_bad_token(
    server: MastodonServer, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "nope")
    project, _ = build(make_project, server.url)
    with driver_for(project) as driver, pytest.raises(Rejected, match="access token is invalid"):
        driver.verify()


def test_preview_needs_no_credentials_and_no_network(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    project, variant = build(
        make_project,
        "http://127.0.0.1:9",
        "One.\n\n---\n\nTwo.",
        language="en-GB",
        visibility="private",
        media=[{"path": "media/a.png", "alt": "A chart"}],
    )
    with driver_for(project) as driver:
        first, second = (driver.preview(variant, i) for i in range(2))
    assert first == {
        "status": "One.",
        "media_ids": ["<id of media/a.png>"],
        "visibility": "private",
        "language": "en-GB",
        "uploads": [{"file": "media/a.png", "description": "A chart"}],
    }
    assert second == {
        "status": "Two.",
        "visibility": "private",
        "language": "en-GB",
        "in_reply_to_id": "<id of part 1>",
    }


def test_a_channel_of_another_type_is_refused(make_project: MakeProject) -> None:
    root = make_project()
    project = smmgen.load(root)
    context = Context("bluesky", project.channels["bluesky"], project, Http())
    try:
        with pytest.raises(TypeError, match="not a Mastodon channel"):
            MastodonDriver(context)
    finally:
        context.http.close()
