"""The LinkedIn driver against the strict test server (tests/servers/linkedin.py):
posts in little text that LinkedIn never cuts, images through the Images API,
threads as comments, LinkedIn's errors with what to do, rate limits, and
exactly once without an idempotency key (handles, reconciling, DUPLICATE_POST)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

import smmgen
from smmgen.adapt.variants import Variant, build_variant
from smmgen.errors import CannotTell, MissingCredentials, Rejected, Transient
from smmgen.networks.linkedin import DEFAULT_VERSION
from smmgen.networks.linkedin.driver import LinkedInDriver
from smmgen.project import Project
from smmgen.publish.driver import Context, Handles, Remote, driver_class, part_key
from smmgen.publish.http import Http
from smmgen.registry import network
from tests.conftest import MakeProject
from tests.servers.base import Faults, Reply, Request
from tests.servers.linkedin import (
    CLIENT_ID,
    CLIENT_SECRET,
    ENV,
    MEMBER,
    ORGANIZATION,
    TOKEN,
    LinkedInServer,
    channel_yaml,
    little_text,
)
from tests.servers.telegram import png

REPO = Path(__file__).resolve().parents[2]
AT = "2026-12-01 09:05"
TEXT = "Lumen 2.0 (beta) is out: 50% faster <really> | a*b_c ~ [notes] {x} back\\slash #release"


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0")
    monkeypatch.setenv("SMMGEN_HTTP_TIMEOUT", "1")
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def server() -> Iterator[LinkedInServer]:
    with LinkedInServer() as running:
        yield running
        assert running.errors == []


def channels(server: LinkedInServer, **settings: Any) -> str:
    """channels.yaml: `org` (an organization) and `me` (a member), local ledger."""
    config = {
        "defaults": {"channels": ["org"]},
        "channels": {
            "org": channel_yaml(server, **settings),
            "me": channel_yaml(server, author=MEMBER, **settings),
        },
        "ledger": {"store": "local"},
    }
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def post(body: str, ident: str = "p1", **front: Any) -> str:
    fields = {"id": ident, "publish_at": "2026-12-01 09:00", **front}
    return f"---\n{yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)}---\n{body}\n"


def build(
    make_project: MakeProject,
    server: LinkedInServer,
    body: str = TEXT,
    *,
    channel: str = "org",
    images: int = 0,
    settings: dict[str, Any] | None = None,
    **front: Any,
) -> tuple[Project, Variant]:
    media = [
        {"path": f"media/shot{n}.png", "alt": f"Screenshot {n} (of {images})"}
        for n in range(images)
    ]
    if media:
        front["media"] = media
    front.setdefault("channels", [channel])
    root = make_project(
        channels=channels(server, **(settings or {})), posts={"p.md": post(body, **front)}
    )
    for number, item in enumerate(media):
        target = root / item["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png(number + 1, 2))
    project = smmgen.load(root)
    return project, build_variant(project, project.posts[0], channel)


@contextmanager
def driver_for(
    project: Project, channel: str = "org", env: dict[str, str] | None = None
) -> Iterator[LinkedInDriver]:
    context = Context(channel, project.channels[channel], project, Http(), env or dict(ENV))
    driver = LinkedInDriver(context)
    try:
        yield driver
    finally:
        driver.close()


def publish(driver: LinkedInDriver, variant: Variant) -> list[Remote]:
    thread: list[Remote] = []
    for index in range(len(variant.parts)):
        key = part_key(variant.post, variant.channel, index)
        thread.append(driver.publish(variant, index, key=key, thread=list(thread)))
    return thread


def cli(run: Any, root: Path, *args: str) -> dict[str, Any]:
    result = run("--root", root, "publish", "--at", AT, "--format", "json", *args)
    return dict(json.loads(result.output))


def ledger_events(root: Path, channel: str = "org") -> list[dict[str, Any]]:
    path = root / "ledger" / f"{channel}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def posted(server: LinkedInServer) -> list[Request]:
    return [r for r in server.requests if r.method == "POST" and r.path == "/rest/posts"]


# -- posts ---------------------------------------------------------------------


def test_the_network_names_its_driver() -> None:
    assert driver_class(network("linkedin")) is LinkedInDriver
    assert LinkedInDriver.reconcilable is True


def test_a_text_post_reads_as_written(server: LinkedInServer, make_project: MakeProject) -> None:
    project, variant = build(make_project, server)
    with driver_for(project) as driver:
        (remote,) = publish(driver, variant)
    assert remote.id.startswith("urn:li:share:")
    assert remote.url == f"https://www.linkedin.com/feed/update/{remote.id}"
    (request,) = posted(server)
    assert request.header("linkedin-version") == DEFAULT_VERSION
    assert request.header("x-restli-protocol-version") == "2.0.0"
    body = request.json()
    assert body["author"] == ORGANIZATION
    assert body["commentary"] == variant.text
    assert server.truncated == []
    (shown,) = server.published()
    assert shown == {"id": remote.id, "text": shown["text"], "reply_to": None, "media": 0}
    # Markdown's emphasis aside, the reader sees every character of the source
    assert shown["text"] == (
        "Lumen 2.0 (beta) is out: 50% faster <really> | a*b_c ~ [notes] {x} back\\slash #release"
    )


def test_an_escape_smmgen_misses_is_a_truncated_post(server: LinkedInServer) -> None:
    """The server reproduces LinkedIn's silent cut (201 all the same)."""
    assert little_text("Hello (world)") == ("Hello ", 6)
    assert little_text("Hello \\(world\\)") == ("Hello (world)", None)
    assert little_text("Hi @[Ada](urn:li:person:abc) {hashtag|\\#|news}") == ("Hi Ada #news", None)
    assert little_text("see https://example.com/a_b#c now _x") == (
        "see https://example.com/a_b#c now ",
        34,
    )


def test_a_member_posts_as_the_member(server: LinkedInServer, make_project: MakeProject) -> None:
    project, variant = build(make_project, server, "Hello from a member", channel="me")
    with driver_for(project, "me") as driver:
        (remote,) = publish(driver, variant)
    assert posted(server)[0].json()["author"] == MEMBER
    assert server.published()[0]["text"] == "Hello from a member"
    assert remote.id in server.posts


# -- images ----------------------------------------------------------------------


def test_one_image_with_its_alt_text(server: LinkedInServer, make_project: MakeProject) -> None:
    server.processing_polls = 2
    project, variant = build(make_project, server, "One picture", images=1)
    with driver_for(project) as driver:
        (_remote,) = publish(driver, variant)
        handles = driver.handles
    (image,) = server.uploads
    content = posted(server)[0].json()["content"]
    assert content == {"media": {"id": image, "altText": "Screenshot 0 (of 1)"}}
    assert server.published()[0]["media"] == 1
    assert handles.get("image0")["urn"] == image
    assert all("dms-uploads" not in json.dumps(handles.get(n)) for n in handles.names())
    init = next(r for r in server.requests if r.path == "/rest/images")
    assert init.json() == {"initializeUploadRequest": {"owner": ORGANIZATION}}
    assert next(r for r in server.requests if r.method == "PUT").body == png(1, 2)


def test_several_images_are_a_multi_image_post(
    server: LinkedInServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "Three pictures", images=3)
    with driver_for(project) as driver:
        publish(driver, variant)
    images = posted(server)[0].json()["content"]["multiImage"]["images"]
    assert [i["id"] for i in images] == server.uploads
    assert [i["altText"] for i in images] == [f"Screenshot {n} (of 3)" for n in range(3)]
    assert server.published()[0]["media"] == 3


def test_an_image_kept_in_the_handles_is_reused_and_one_never_uploaded_is_not(
    server: LinkedInServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "Reused", images=2)
    with driver_for(project) as driver:
        driver.handles = Handles()
        driver._image(0, variant.parts[0].media[0])  # uploaded by an earlier run
        urn, _ = driver._initialize()  # initialized, never uploaded
        digest = hashlib.sha256(png(2, 2)).hexdigest()
        driver.handles.put("image1", {"urn": urn, "sha256": digest, "uploaded": False})
        kept = Handles({n: {"value": driver.handles.get(n)} for n in driver.handles.names()})
        driver.handles = kept
        publish(driver, variant)
    ids = [i["id"] for i in posted(server)[0].json()["content"]["multiImage"]["images"]]
    assert ids[0] == server.uploads[0]
    assert ids[1] != urn
    assert ids[1] == server.uploads[1]
    assert len(server.uploads) == 2


# -- threads ----------------------------------------------------------------------


THREAD = "First (the post).\n\n---\n\nSecond: a *comment* (plain text).\n\n---\n\nThird #done."


def test_a_thread_becomes_comments_in_plain_text(
    server: LinkedInServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, THREAD, thread=True)
    assert len(variant.parts) == 3
    with driver_for(project) as driver:
        first, second, third = publish(driver, variant)
    shown = server.published()
    assert [s["text"] for s in shown] == [
        "First (the post).",
        "Second: a comment (plain text).",
        "Third #done.",
    ]
    assert [s["reply_to"] for s in shown] == [None, first.id, first.id]
    assert second.id.startswith(f"urn:li:comment:({first.id},")
    assert third.url
    assert third.url.startswith(first.url + "?commentUrn=urn%3Ali%3Acomment")
    assert server.truncated == []


def test_threads_refuse_is_a_check_error_and_join_one_post(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    project, variant = build(
        make_project, server, THREAD, thread=True, settings={"threads": "refuse"}
    )
    assert [f.code for f in variant.findings if f.is_error] == ["no-threads"]
    result = run("--root", project.root, "check")
    assert result.exit_code == 1
    assert "threads: refuse" in result.output
    project, variant = build(
        make_project, server, THREAD, thread=True, settings={"threads": "join"}
    )
    assert len(variant.parts) == 1
    assert [f.code for f in variant.findings] == ["no-threads"]
    assert not any(f.is_error for f in variant.findings)


def test_an_over_limit_post_is_refused_by_check_before_any_request(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    long = " ".join(["Słowo (z nawiasem)"] * 200)  # over 3000 characters
    project, _ = build(make_project, server, long, thread=False)
    result = run("--root", project.root, "check")
    assert result.exit_code == 1
    assert "LinkedIn allows 3000" in result.output
    assert run("--root", project.root, "ledger", "init").exit_code == 0
    report = cli(run, project.root)
    assert report["items"][0]["outcome"] == "failed"
    assert server.requests == []


def test_a_comment_over_its_limit_is_a_check_error(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    body = "Short post.\n\n---\n\n" + "x" * 1300
    project, _ = build(make_project, server, body, thread=True)
    result = run("--root", project.root, "check")
    assert result.exit_code == 1
    assert "becomes a LinkedIn comment, which takes 1250" in result.output


# -- LinkedIn's errors --------------------------------------------------------------


def test_an_expired_token_says_to_consent_again(
    server: LinkedInServer, make_project: MakeProject
) -> None:
    server.token_active = False
    project, variant = build(make_project, server)
    with driver_for(project) as driver, pytest.raises(MissingCredentials) as caught:
        publish(driver, variant)
    message = str(caught.value)
    assert "SMMGEN_LINKEDIN_TOKEN" in message
    assert "sign in again (re-consent)" in message
    assert "channels.org.token_expires" in message
    assert TOKEN not in message


@pytest.mark.parametrize(
    ("channel", "scope"), [("org", "w_organization_social"), ("me", "w_member_social")]
)
def test_a_missing_permission_is_named(
    server: LinkedInServer, make_project: MakeProject, channel: str, scope: str
) -> None:
    server.scopes.discard(scope)
    project, variant = build(make_project, server, channel=channel)
    with driver_for(project, channel) as driver, pytest.raises(MissingCredentials) as caught:
        publish(driver, variant)
    assert f"needs the {scope} permission" in str(caught.value)
    assert "403" in str(caught.value)
    assert server.posts == {}


def test_a_retired_version_says_which_setting_to_change(
    server: LinkedInServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, settings={"version": "202401"})
    with driver_for(project) as driver, pytest.raises(MissingCredentials) as caught:
        publish(driver, variant)
    message = str(caught.value)
    assert "LinkedIn-Version 202401" in message
    assert "channels.org.version" in message
    assert f"e.g. {DEFAULT_VERSION}" in message


def test_a_401_stops_the_channel_and_the_next_run_tries_again(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    server.token_active = False
    project, _ = build(make_project, server)
    assert run("--root", project.root, "ledger", "init").exit_code == 0
    (item,) = cli(run, project.root)["items"]
    assert item["outcome"] == "failed"
    assert "re-consent" in item["detail"]
    server.token_active = True
    (item,) = cli(run, project.root)["items"]
    assert item["outcome"] == "published"
    assert len(server.posts) == 1


class _RetryAfter(LinkedInServer):
    def rate_limited(self, request: Request) -> Reply:
        reply = super().rate_limited(request)
        reply.headers["Retry-After"] = "7"
        return reply


def test_a_429_honours_retry_after_when_linkedin_sends_it(make_project: MakeProject) -> None:
    with _RetryAfter(Faults()) as server:
        server.faults.next("rate_429")
        project, variant = build(make_project, server)
        with driver_for(project) as driver, pytest.raises(Transient) as caught:
            publish(driver, variant)
        assert caught.value.status == 429
        assert caught.value.retry_after is not None
        assert 6 <= caught.value.retry_after <= 7
        assert driver.handles.get("sent") is None  # a 429 made nothing: no need to ask
        assert server.errors == []


def test_a_429_without_headers_backs_off_and_posts_once(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    project, _ = build(make_project, server)
    assert run("--root", project.root, "ledger", "init").exit_code == 0
    server.faults.next("rate_429", "rate_429")
    (item,) = cli(run, project.root)["items"]
    assert item["outcome"] == "published"
    assert server.faults.injected["rate_429"] == 2
    assert len(posted(server)) == 1


def test_the_daily_limit_gives_up_until_midnight_utc(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    server.posts_left_today = 0
    root = make_project(
        channels=channels(server),
        posts={
            "a.md": post("First of the day", "a1", channels=["org"], publish_at="2026-12-01 08:50"),
            "b.md": post("Second of the day", "b2", channels=["org"]),
        },
    )
    assert run("--root", root, "ledger", "init").exit_code == 0
    items = {i["post"]: i for i in cli(run, root)["items"]}
    assert items["a1"]["outcome"] == "failed"
    assert "daily limit" in items["a1"]["detail"]
    assert "resets at 00:00 UTC" in items["a1"]["detail"]
    assert items["b2"]["outcome"] == "failed"  # the channel stops for this run
    assert "not tried" in items["b2"]["detail"]
    assert len(posted(server)) == 1
    server.posts_left_today = None  # the next day
    outcomes = {i["post"]: i["outcome"] for i in cli(run, root)["items"]}
    assert outcomes == {"a1": "published", "b2": "published"}


def test_a_5xx_is_retried_and_an_organization_post_made_once(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    project, _ = build(make_project, server, images=1)
    assert run("--root", project.root, "ledger", "init").exit_code == 0
    server.faults.next("error_500")  # the image's initialize: nothing to ask about
    upload = server.put

    def then_fail_the_post(request: Request) -> None:
        upload(request)
        server.faults.next("error_500")  # the post is made, answered 500

    server.put = then_fail_the_post  # type: ignore[method-assign]
    (item,) = cli(run, project.root)["items"]
    assert item["outcome"] == "published"
    assert len(server.posts) == 1
    assert len(server.uploads) == 1
    finder = [r for r in server.requests if r.method == "GET" and r.path == "/rest/posts"]
    assert len(finder) == 1  # the 500 of the post was asked about once


def test_a_5xx_on_a_members_waiting_step_is_retried(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    project, _ = build(make_project, server, channel="me", images=1)
    assert run("--root", project.root, "ledger", "init").exit_code == 0
    server.faults.next("error_500")  # the image's initialize: nothing was posted
    (item,) = cli(run, project.root)["items"]
    assert item["outcome"] == "published"
    assert len(server.posts) == 1


def test_a_5xx_on_a_members_post_ends_unknown_never_sent_again(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    project, _ = build(make_project, server, channel="me")
    assert run("--root", project.root, "ledger", "init").exit_code == 0
    server.faults.next("reset_after")  # made, and the answer lost
    (item,) = cli(run, project.root)["items"]
    assert item["outcome"] == "unknown"
    assert "cannot be told" in item["detail"]
    assert "ledger resolve" in item["detail"]
    (item,) = cli(run, project.root)["items"]
    assert item["outcome"] == "unknown"
    assert len(posted(server)) == 1
    assert len(server.posts) == 1


# -- exactly once ----------------------------------------------------------------


@pytest.mark.parametrize("fault", ["reset_after", "timeout_after"])
def test_a_lost_answer_is_reconciled_without_a_duplicate(
    make_project: MakeProject, run: Any, fault: str
) -> None:
    with LinkedInServer(Faults(delay=1.5)) as server:
        project, _ = build(make_project, server, THREAD, images=2, thread=True)
        assert run("--root", project.root, "ledger", "init").exit_code == 0
        upload = server.put

        def then_lose_the_post(request: Request) -> None:
            upload(request)
            if len(server.uploads) == 2:  # the next request that may fail is the post
                server.faults.next(fault)

        server.put = then_lose_the_post  # type: ignore[method-assign]
        (item,) = cli(run, project.root)["items"]
        assert server.errors == []
    assert item["outcome"] == "published"
    assert len(server.posts) == 1
    assert len(server.comments) == 2
    assert len(server.uploads) == 2
    assert [p["reply_to"] for p in server.published()][1:] == [item["url"].rsplit("/", 1)[1]] * 2


def test_a_duplicate_post_is_read_back_and_adopted(
    server: LinkedInServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, channel="me")
    with driver_for(project, "me") as driver:
        (first,) = publish(driver, variant)
        (again,) = publish(driver, variant)  # e.g. after the ledger was lost
    assert again == first
    assert len(server.posts) == 1
    reads = [r for r in server.requests if r.method == "GET" and r.path.startswith("/rest/posts/")]
    assert [r.path for r in reads] == [f"/rest/posts/{first.id.replace(':', '%3A')}"]


def test_a_duplicate_of_a_deleted_post_is_refused_with_what_to_do(
    server: LinkedInServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, channel="me")
    with driver_for(project, "me") as driver:
        (first,) = publish(driver, variant)
        server.delete(first.id)
        with pytest.raises(Rejected) as caught:
            publish(driver, variant)
    assert "no longer exists" in str(caught.value)
    assert "change the text" in str(caught.value)
    assert server.posts == {}


def test_reconcile_says_none_when_the_post_was_never_sent(
    server: LinkedInServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, channel="me")
    since = datetime.now(UTC)
    with driver_for(project, "me") as driver:
        key = part_key(variant.post, variant.channel, 0)
        assert driver.reconcile(variant, 0, key=key, thread=[], since=since) is None
        driver.handles.put("sent", True)
        with pytest.raises(CannotTell):
            driver.reconcile(variant, 0, key=key, thread=[], since=since)
    assert server.requests == []


def test_a_run_killed_between_the_upload_and_the_post_reuses_the_image(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    server.processing_polls = 10_000  # the image stays PROCESSING: the run waits
    project, _ = build(make_project, server, "Killed while waiting", images=1)
    root = project.root
    assert run("--root", root, "ledger", "init").exit_code == 0
    env = {**os.environ, "SMMGEN_RETRY_SCALE": "1", "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "smmgen", "--root", str(root), "publish", "--at", AT],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            prepared = [e for e in ledger_events(root) if e["event"] == "prepared"]
            if any(
                (e["handles"].get("image0") or {}).get("value", {}).get("uploaded")
                for e in prepared
            ):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the run never recorded the uploaded image")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert server.posts == {}
    (image,) = server.uploads
    server.processing_polls = 0
    (item,) = cli(run, root)["items"]
    assert item["outcome"] == "published"
    assert server.uploads == [image]  # ONE upload
    (post_urn,) = server.posts
    assert server.posts[post_urn]["images"] == [{"id": image, "altText": "Screenshot 0 (of 1)"}]
    assert "dms-uploads" not in (root / "ledger" / "org.jsonl").read_text()


# -- --dry-run, channels verify, check -------------------------------------------------


def test_dry_run_shows_the_bodies_without_credentials_or_requests(
    server: LinkedInServer, make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMMGEN_LINKEDIN_TOKEN")
    project, variant = build(make_project, server, THREAD, images=2, thread=True)
    report = cli(run, project.root, "--dry-run")
    (item,) = report["items"]
    assert item["outcome"] == "would publish"
    first, second, _ = item["requests"]
    assert first["commentary"] == variant.parts[0].text
    assert first["content"]["multiImage"]["images"][1] == {
        "id": "<image URN of media/shot1.png>",
        "altText": "Screenshot 1 (of 2)",
    }
    assert first["uploads"][0] == {"file": "media/shot0.png", "altText": "Screenshot 0 (of 2)"}
    assert first["headers"]["LinkedIn-Version"] == DEFAULT_VERSION
    assert second["comment on"] == "<the first part's URN>"
    assert second["message"] == {"text": "Second: a comment (plain text)."}
    assert server.requests == []


def verify(run: Any, root: Path) -> dict[str, dict[str, Any]]:
    result = run("--root", root, "channels", "verify", "--format", "json")
    return {c["channel"]: c for c in json.loads(result.output)["channels"]}


def test_verify_shows_who_posts_and_the_days_left(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    expires = (datetime.now(UTC) + timedelta(days=30)).date()
    project, _ = build(make_project, server, settings={"token_expires": expires.isoformat()})
    found = verify(run, project.root)
    assert found["org"]["ok"], found
    assert found["org"]["detail"] == (
        f"{ORGANIZATION} (by Ada Lovelace; token expires {expires.isoformat()}, in 30 days;"
        f" LinkedIn-Version {DEFAULT_VERSION})"
    )
    assert found["me"]["ok"]
    assert found["me"]["detail"].startswith(f"{MEMBER} (as Ada Lovelace; token expires")
    finder = [r for r in server.requests if r.path == "/rest/posts"]
    assert [r.query["author"] for r in finder] == [[ORGANIZATION]]  # reconciling will work


def test_verify_without_token_expires_says_to_set_it(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    project, _ = build(make_project, server)
    assert "set token_expires" in verify(run, project.root)["org"]["detail"]


def test_verify_fails_once_the_token_has_expired(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    project, _ = build(make_project, server, settings={"token_expires": "2026-01-01"})
    found = verify(run, project.root)["me"]
    assert not found["ok"]
    assert "expired on 2026-01-01" in found["detail"]


def test_verify_asks_linkedin_when_the_apps_credentials_are_given(
    server: LinkedInServer, make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMMGEN_LINKEDIN_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SMMGEN_LINKEDIN_CLIENT_SECRET", CLIENT_SECRET)
    settings = {
        "client_id_env": "SMMGEN_LINKEDIN_CLIENT_ID",
        "client_secret_env": "SMMGEN_LINKEDIN_CLIENT_SECRET",
    }
    project, _ = build(make_project, server, settings=settings)
    found = verify(run, project.root)["org"]
    assert found["ok"]
    assert "(introspection)" in found["detail"]
    assert " in 39 days" in found["detail"] or " in 40 days" in found["detail"]
    server.scopes.discard("w_organization_social")
    result = run("--root", project.root, "channels", "verify")
    assert "lacks the w_organization_social permission" in result.output
    assert CLIENT_SECRET not in result.output
    assert TOKEN not in result.output


def test_verify_names_a_token_of_another_member(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    root = make_project(
        channels=yaml.safe_dump(
            {"channels": {"me": channel_yaml(server, author="urn:li:person:someone")}}
        )
    )
    found = verify(run, root)["me"]
    assert not found["ok"]
    assert f"belongs to {MEMBER}, not to the author urn:li:person:someone" in found["detail"]


def test_verify_needs_the_organizations_posts_to_be_readable(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    server.scopes.discard("r_organization_social")
    project, _ = build(make_project, server)
    found = verify(run, project.root)
    assert not found["org"]["ok"]
    assert (
        "r_organization_social permission (reconciling reads the posts)" in found["org"]["detail"]
    )
    assert found["me"]["ok"]


@pytest.mark.parametrize(
    ("expires", "expected"),
    [
        ("2027-01-01", None),
        (
            "2026-12-10",
            "warning: channels.org.token_expires: the LinkedIn token expires on 2026-12-10,"
            " in 9 days",
        ),
        (
            "2026-11-30",
            "error: channels.org.token_expires: the LinkedIn token expired on 2026-11-30",
        ),
    ],
)
def test_check_warns_before_the_token_expires(
    server: LinkedInServer, make_project: MakeProject, run: Any, expires: str, expected: str | None
) -> None:
    project, _ = build(make_project, server, settings={"token_expires": expires})
    result = run("--root", project.root, "check", "--at", "2026-12-01 09:00")
    if expected is None:
        assert "token" not in result.output
        assert result.exit_code == 0
    else:
        assert expected in result.output
        assert "channels.yaml" in result.output
        assert "re-consent" in result.output
        assert result.exit_code == (1 if "error" in expected else 0)


@pytest.mark.parametrize(
    ("version", "at", "expected"),
    [
        (None, "2026-12-01 09:00", None),
        (None, "2027-08-15 09:00", f"LinkedIn-Version {DEFAULT_VERSION} is 10 months old"),
        ("202512", "2026-12-01 09:00", "LinkedIn-Version 202512 is 12 months old"),
        ("202607", "2026-12-01 09:00", None),
    ],
)
def test_check_warns_of_a_version_near_its_retirement(
    server: LinkedInServer,
    make_project: MakeProject,
    run: Any,
    version: str | None,
    at: str,
    expected: str | None,
) -> None:
    settings = {"version": version} if version else {}
    project, _ = build(make_project, server, settings=settings)
    result = run("--root", project.root, "check", "--at", at)
    if expected is None:
        assert "linkedin-version" not in result.output
        assert "LinkedIn-Version" not in result.output
    else:
        assert expected in result.output
        hint = "e.g. 202610" if version else "update smmgen"
        assert hint in result.output


def test_a_members_unknown_post_a_person_finds_missing_is_sent_on_retry(
    server: LinkedInServer, make_project: MakeProject, run: Any
) -> None:
    """The 500 came before LinkedIn made anything, but the driver cannot tell; once
    a person has looked (``ledger resolve --as retry``) nothing is asked again."""
    project, _ = build(make_project, server, channel="me")
    root = project.root
    assert run("--root", root, "ledger", "init").exit_code == 0
    server.faults.next("error_500")
    (item,) = cli(run, root)["items"]
    assert item["outcome"] == "unknown"
    assert server.posts == {}
    resolved = run("--root", root, "ledger", "resolve", "p1", "--channel", "me", "--as", "retry")
    assert resolved.exit_code == 0, resolved.output
    (item,) = cli(run, root)["items"]
    assert item["outcome"] == "published"
    assert len(server.posts) == 1
