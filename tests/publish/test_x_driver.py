"""The X driver against the strict X test server (tests/servers/x.py): posts, images
with alt text, GIFs through the chunked upload, threads as self-replies, OAuth 1.0a,
X's errors and rate limits, reconciling, a run killed before the final call,
--dry-run and channels verify."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smmgen
from smmgen.adapt.variants import Variant, build_variant
from smmgen.errors import MissingCredentials, NotSent, PublishError, Rejected, Transient, Unknown
from smmgen.networks.x import NETWORK
from smmgen.networks.x.driver import XDriver, comparable, same_text
from smmgen.networks.x.problems import problem_kind
from smmgen.project import Project
from smmgen.publish.driver import Context, Handles, Remote, driver_class, part_key
from smmgen.publish.http import Http
from tests import i18n_strategies as i18n
from tests.conftest import MakeProject
from tests.servers.base import Faults
from tests.servers.x import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    API_KEY,
    API_SECRET,
    DUPLICATE,
    ENV,
    USERNAME,
    XServer,
    channel_yaml,
)

pytestmark = pytest.mark.npm("tests/text/node")  # the server counts with twitter-text

CREDENTIALS = (API_KEY, API_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)
WHEN = "2026-12-01 09:00"


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0.01")
    monkeypatch.setenv("SMMGEN_HTTP_TIMEOUT", "5")
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def server() -> Iterator[XServer]:
    with XServer() as running:
        yield running
    assert running.errors == []


def channels_yaml(server: XServer, *, ledger: bool = False) -> str:
    config: dict[str, Any] = {
        "defaults": {"channels": ["x"]},
        "channels": {"x": channel_yaml(server)},
    }
    if ledger:
        config["ledger"] = {"store": "local"}
    return yaml.safe_dump(config, sort_keys=False)


def post(body: str, **front: Any) -> str:
    fields = {"id": "p1", "publish_at": WHEN, **front}
    return f"---\n{yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)}---\n{body}\n"


def build(
    make_project: MakeProject, server: XServer, body: str, *, ledger: bool = False, **front: Any
) -> tuple[Project, Variant]:
    root = make_project(
        channels=channels_yaml(server, ledger=ledger),
        posts={"p.md": post(body, **front)},
        media=[item["path"] for item in front.get("media", [])],
    )
    project = smmgen.load(root)
    return project, build_variant(project, project.posts[0], "x")


@contextmanager
def driver_for(project: Project, env: dict[str, str] | None = None) -> Iterator[XDriver]:
    context = Context("x", project.channels["x"], project, Http(), env if env is not None else ENV)
    driver = XDriver(context)  # type: ignore[arg-type]
    try:
        yield driver
    finally:
        driver.close()


def publish_all(driver: XDriver, variant: Variant) -> list[Remote]:
    thread: list[Remote] = []
    for index in range(len(variant.parts)):
        key = part_key(variant.post, variant.channel, index)
        thread.append(driver.publish(variant, index, key=key, thread=list(thread)))
    return thread


def sent(server: XServer, method: str, path: str) -> list[Any]:
    return [r for r in server.requests if r.method == method and r.path == path]


def shown(exc: BaseException) -> str:
    return str(exc) + repr(exc) + "".join(traceback.format_exception(exc))


KEY = part_key("p1", "x", 0)


# -- posting ------------------------------------------------------------------------------


def test_the_network_names_its_driver() -> None:
    assert driver_class(NETWORK) is XDriver
    assert XDriver.reconcilable
    assert XDriver.credentials == (
        "api_key_env", "api_secret_env", "access_token_env", "access_token_secret_env",
    )  # fmt: skip


def test_text_post_signed_with_oauth1(server: XServer, make_project: MakeProject) -> None:
    text = "Release 2.0 & <friends>: https://example.com/a/very/long/path/to/the/notes #release"
    project, variant = build(make_project, server, text)
    with driver_for(project) as driver:
        remote = driver.publish(variant, 0, key=KEY, thread=[])
    [only] = server.posts
    assert remote == Remote(only.id, f"https://x.com/{USERNAME}/status/{only.id}")
    assert server.published() == [
        {"id": only.id, "text": variant.parts[0].text, "reply_to": None, "media": 0}
    ]
    [request] = sent(server, "POST", "/2/tweets")
    assert request.json() == {"text": variant.parts[0].text}
    assert request.header("content-type") == "application/json"
    assert request.header("authorization").startswith("OAuth ")
    assert 'oauth_signature_method="HMAC-SHA1"' in request.header("authorization")
    assert "oauth_body_hash" not in request.header("authorization")  # the JSON is not signed
    assert len(sent(server, "GET", "/2/users/me")) == 1
    # X gives the link back as a t.co link, its entities escaped
    assert "https://t.co/" in only.text
    assert "&amp; &lt;friends&gt;" in only.text


def test_images_with_alt_text(server: XServer, make_project: MakeProject) -> None:
    media = [
        {"path": "media/a.png", "alt": "The dashboard, dark theme"},
        {"path": "media/b.jpg", "alt": "Hebrew alt: לוח הבקרה"},
    ]
    project, variant = build(make_project, server, "Two screenshots.", media=media)
    written: list[dict[str, Any]] = []
    with driver_for(project) as driver:
        driver.handles = Handles(None, written.append)
        driver.publish(variant, 0, key=KEY, thread=[])
    [only] = server.posts
    uploads = list(server.uploads.values())
    assert [m.alt_text for m in only.media] == [m["alt"] for m in media]
    assert [m.id for m in only.media] == [m.id for m in uploads]
    assert [m.data for m in uploads] == [(project.root / m["path"]).read_bytes() for m in media]
    [create] = sent(server, "POST", "/2/tweets")
    assert create.json()["media"] == {"media_ids": [m.id for m in uploads]}
    assert len(sent(server, "POST", "/2/media/upload")) == 2
    assert len(sent(server, "POST", "/2/media/metadata")) == 2
    # each media id went to the ledger as soon as it existed, then its alt text mark
    names = [name for write in written for name in write]
    assert names == ["media0", "alt0", "media1", "alt1"]
    assert written[0]["media0"]["value"]["id"] == uploads[0].id
    assert "expires" in written[0]["media0"]
    assert server.published()[0]["media"] == 2


def test_a_gif_goes_through_the_chunked_upload(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    with XServer(media_polls=2) as server:
        media = [{"path": "media/loop.gif", "alt": "A spinning logo"}]
        project, variant = build(make_project, server, "Animated.", media=media)
        with driver_for(project) as driver:
            driver.publish(variant, 0, key=KEY, thread=[])
        [item] = server.uploads.values()
        assert item.category == "tweet_gif"
        assert item.media_type == "image/gif"
        assert item.data == (project.root / "media/loop.gif").read_bytes()
        assert len(sent(server, "POST", "/2/media/upload/initialize")) == 1
        assert len(sent(server, "POST", f"/2/media/upload/{item.id}/append")) == 1
        assert len(sent(server, "POST", f"/2/media/upload/{item.id}/finalize")) == 1
        assert len(sent(server, "GET", "/2/media/upload")) == 2  # polled until succeeded
        assert [m.id for m in server.posts[0].media] == [item.id]
        assert server.errors == []


def test_a_thread_is_a_chain_of_self_replies(server: XServer, make_project: MakeProject) -> None:
    body = "First part of the thread.\n\n---\n\nSecond part.\n\n---\n\nThird part, #done."
    project, variant = build(make_project, server, body, thread=True)
    assert len(variant.parts) == 3
    with driver_for(project) as driver:
        remotes = publish_all(driver, variant)
    published = server.published()
    assert [p["id"] for p in published] == [r.id for r in remotes]
    assert [p["reply_to"] for p in published] == [None, remotes[0].id, remotes[1].id]
    replies = [r.json().get("reply") for r in sent(server, "POST", "/2/tweets")]
    assert replies == [
        None,
        {"in_reply_to_tweet_id": remotes[0].id},
        {"in_reply_to_tweet_id": remotes[1].id},
    ]


def test_a_reply_without_its_parent_is_refused(server: XServer, make_project: MakeProject) -> None:
    project, variant = build(make_project, server, "One.\n\n---\n\nTwo.", thread=True)
    with driver_for(project) as driver, pytest.raises(Rejected, match="no earlier part"):
        driver.publish(variant, 1, key=KEY, thread=[])
    assert server.requests == []


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.sampled_from(i18n.SCRIPTS).flatmap(lambda script: i18n.sentences(script, max_size=3)),
    link=st.sampled_from(["", " https://example.com/דף", " lumen.pl/ścieżka"]),
)
def test_texts_in_other_scripts_are_posted_and_found_again(
    server: XServer, make_project: MakeProject, text: str, link: str
) -> None:
    """Hebrew, Persian, Bulgarian and Polish posts, with a link or not: posted as
    written, and found by ``reconcile`` in X's form of them (links as t.co links)."""
    server.posts.clear()
    project, variant = build(make_project, server, text + link)
    with driver_for(project) as driver:
        remote = driver.publish(variant, 0, key=KEY, thread=[])
        since = server.posts[-1].created_at
        assert driver.reconcile(variant, 0, key=KEY, thread=[], since=since) == remote
    assert server.published()[-1] == {
        "id": remote.id, "text": variant.parts[0].text, "reply_to": None, "media": 0,
    }  # fmt: skip


# -- before any request -------------------------------------------------------------------


def test_an_over_limit_post_is_refused_by_check_before_any_request(
    server: XServer, make_project: MakeProject, run: Any
) -> None:
    long = "Bardzo długi wpis, który nie mieści się w limicie X. " * 8
    root = make_project(
        channels=channels_yaml(server, ledger=True), posts={"p.md": post(long, thread=False)}
    )
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert "280" in result.output
    assert run("--root", root, "ledger", "init").exit_code == 0
    result = run("--root", root, "publish", "--format", "json", env={"SMMGEN_AT": WHEN})
    assert result.exit_code != 0
    assert server.requests == []
    # the driver itself refuses it too (a run given such a variant sends nothing)
    project = smmgen.load(root)
    variant = build_variant(project, project.posts[0], "x")
    with driver_for(project) as driver, pytest.raises(Rejected, match="280"):
        driver.publish(variant, 0, key=KEY, thread=[])
    assert server.requests == []


def test_missing_credentials_are_named_before_any_request(
    server: XServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "Hello.")
    env = {k: v for k, v in ENV.items() if k != "SMMGEN_X_ACCESS_TOKEN_SECRET"}
    with driver_for(project, env) as driver:
        assert driver.missing() == ["SMMGEN_X_ACCESS_TOKEN_SECRET"]
        with pytest.raises(MissingCredentials, match="SMMGEN_X_ACCESS_TOKEN_SECRET"):
            driver.publish(variant, 0, key=KEY, thread=[])
    assert server.requests == []


# -- X's errors ---------------------------------------------------------------------------


def test_a_wrong_secret_is_401_naming_the_variables(
    server: XServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server, "Hello.")
    env = {**ENV, "SMMGEN_X_API_SECRET": "not-the-consumer-secret-000"}
    with driver_for(project, env) as driver:
        with pytest.raises(Rejected) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
        signatures = driver.auth().signatures
    assert caught.value.status == 401
    message = str(caught.value)
    for name in ENV:
        assert name in message
    assert server.bad_signatures == 1
    assert server.posts == []
    for secret in ["not-the-consumer-secret-000", *signatures]:
        assert secret not in shown(caught.value)


def test_a_read_only_app_is_told_to_get_write_permission(make_project: MakeProject) -> None:
    with XServer(read_only=True) as server:
        project, variant = build(make_project, server, "Hello.")
        with driver_for(project) as driver, pytest.raises(Rejected) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert caught.value.status == 403
        assert "Read and Write" in str(caught.value)
        assert "regenerate the access token" in str(caught.value)
        assert server.errors == []


def test_client_forbidden_names_the_reason(server: XServer, make_project: MakeProject) -> None:
    server.fail_next("POST", "/2/tweets", 403, {
        "client_id": "123", "registration_url": "https://developer.x.com/",
        "title": "Client Forbidden", "required_enrollment": "Appropriate Level of API Access",
        "reason": "client-not-enrolled", "detail": "When authenticating requests to the X API"
        " v2 endpoints, you must use keys and tokens from an App attached to a Project.",
        "type": "https://api.twitter.com/2/problems/client-forbidden", "status": 403,
    })  # fmt: skip
    project, variant = build(make_project, server, "Hello.")
    with driver_for(project) as driver, pytest.raises(Rejected) as caught:
        driver.publish(variant, 0, key=KEY, thread=[])
    assert "client-not-enrolled" in str(caught.value)
    assert "attach the app to a project" in str(caught.value)


def test_duplicate_content_says_the_post_may_already_be_on_x(
    server: XServer, make_project: MakeProject
) -> None:
    old = server.add_post("Hello again.")
    old.created_at -= timedelta(hours=2)  # made long before this run
    project, variant = build(make_project, server, "Hello again.")
    with driver_for(project) as driver, pytest.raises(Rejected) as caught:
        driver.publish(variant, 0, key=KEY, thread=[])
    assert caught.value.status == 403
    assert DUPLICATE in str(caught.value)
    assert "may already be on X" in str(caught.value)
    assert len(server.posts) == 1


def test_a_duplicate_of_a_post_made_minutes_ago_is_that_post(
    server: XServer, make_project: MakeProject
) -> None:
    """An earlier request whose answer was lost was still under way when reconcile
    looked: X made the post afterwards, and refuses the part sent again as a
    duplicate. The post it has (same text, parent and media, made minutes ago) is
    the part."""
    project, variant = build(make_project, server, "One.\n\n---\n\nTwo.", thread=True)
    with driver_for(project) as driver:
        first = driver.publish(variant, 0, key=KEY, thread=[])
        made = server.add_post("Two.", reply_to=first.id)  # by the lost request
        elsewhere = server.add_post("Two.")  # the same text, not a reply: not the part
        found = driver.publish(variant, 1, key=part_key("p1", "x", 1), thread=[first])
        assert found == Remote(made.id, f"https://x.com/{USERNAME}/status/{made.id}")
        [note] = driver.take_notes()
        assert "duplicate" in note
        assert made.id in note
        # a duplicate of a post that is not the part (another parent) stays refused
        server.posts.remove(made)
        with pytest.raises(Rejected, match="may already be on X"):
            driver.publish(variant, 1, key=part_key("p1", "x", 1), thread=[first])
    assert [p.id for p in server.posts] == [first.id, elsewhere.id]


def test_429_waits_for_the_windows_epoch_reset(make_project: MakeProject) -> None:
    with XServer(Faults(retry_after=40)) as server:
        project, variant = build(make_project, server, "Hello.")
        server.faults.next("rate_429")
        with driver_for(project) as driver, pytest.raises(Transient) as caught:
            driver.publish(variant, 0, key=KEY, thread=[])
        assert caught.value.status == 429
        assert caught.value.retry_after is not None
        assert 35 <= caught.value.retry_after <= 41
        assert server.posts == []


def test_a_spent_24_hour_cap_gives_up_for_this_run(
    server: XServer, make_project: MakeProject
) -> None:
    server.spend_day("user")
    project, variant = build(make_project, server, "Hello.")
    with driver_for(project) as driver, pytest.raises(Transient) as caught:
        driver.publish(variant, 0, key=KEY, thread=[])
    assert "24-hour cap" in str(caught.value)
    assert "x-user-limit-24hour-remaining: 0" in str(caught.value)
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 3600


def test_usage_capped_gives_up_for_this_run(server: XServer, make_project: MakeProject) -> None:
    server.fail_next("POST", "/2/tweets", 429, {
        "title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly product cap",
        "type": "https://api.x.com/2/problems/usage-capped", "period": "Monthly",
        "scope": "Product", "status": 429,
    })  # fmt: skip
    project, variant = build(make_project, server, "Hello.")
    with driver_for(project) as driver, pytest.raises(Transient) as caught:
        driver.publish(variant, 0, key=KEY, thread=[])
    assert "usage cap" in str(caught.value)
    assert "Monthly" in str(caught.value)
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 3600


def test_problem_types_match_on_their_path_suffix() -> None:
    assert problem_kind("https://api.twitter.com/2/problems/usage-capped") == "usage-capped"
    assert problem_kind("https://api.x.com/2/problems/client-forbidden") == "client-forbidden"
    assert problem_kind("about:blank") == ""


def test_legacy_error_bodies_are_read(server: XServer, make_project: MakeProject) -> None:
    server.fail_next(
        "POST", "/2/tweets", 400, {"errors": [{"code": 324, "message": "Invalid media id."}]}
    )
    project, variant = build(make_project, server, "Hello.")
    with driver_for(project) as driver, pytest.raises(Rejected, match="Invalid media id"):
        driver.publish(variant, 0, key=KEY, thread=[])


def test_5xx_is_retried_by_the_engine_without_a_duplicate(
    make_project: MakeProject, run: Any
) -> None:
    with XServer() as server:
        root = make_project(
            channels=channels_yaml(server, ledger=True), posts={"p.md": post("Hello 5xx.")}
        )
        assert run("--root", root, "ledger", "init").exit_code == 0
        server.fail_next("POST", "/2/tweets", 503)
        server.fail_next("POST", "/2/tweets", 500)
        result = run("--root", root, "publish", "--format", "json", env={"SMMGEN_AT": WHEN})
        assert result.exit_code == 0, result.output
        [item] = json.loads(result.output)["items"]
        assert item["outcome"] == "published"
        assert len(server.posts) == 1
        assert item["url"] == f"https://x.com/{USERNAME}/status/{server.posts[0].id}"
        assert server.errors == []


# -- unknown outcomes ---------------------------------------------------------------------


def test_a_lost_answer_is_unknown_and_reconcile_finds_the_post(
    make_project: MakeProject,
) -> None:
    with XServer(Faults()) as server:
        body = "Lost answer, see https://example.com/lost & found.\n\n---\n\nAnd a reply."
        project, variant = build(make_project, server, body, thread=True)
        with driver_for(project) as driver:
            first = driver.publish(variant, 0, key=KEY, thread=[])
            since = server.posts[0].created_at
            server.faults.next("reset_after")
            with pytest.raises(Unknown):
                driver.publish(variant, 1, key=part_key("p1", "x", 1), thread=[first])
            found = driver.reconcile(
                variant, 1, key=part_key("p1", "x", 1), thread=[first], since=since
            )
            assert found is not None
            assert found.id == server.posts[1].id
            # the first part is not a reply: it is not taken for the second
            assert driver.reconcile(variant, 1, key="k", thread=[Remote("1")], since=since) is None
        [request] = [
            r for r in server.requests if r.path.endswith("/tweets") and r.method == "GET"
        ][:1]
        assert "exclude" not in request.query
        assert set(request.query["tweet.fields"][0].split(",")) >= {
            "created_at", "conversation_id", "referenced_tweets",
        }  # fmt: skip
        assert server.errors == []


def test_a_lost_answer_is_reconciled_by_the_engine_without_a_duplicate(
    make_project: MakeProject, run: Any
) -> None:
    with XServer(Faults()) as server:
        body = "Lost, with a link: https://example.com/x & more"
        root = make_project(channels=channels_yaml(server, ledger=True), posts={"p.md": post(body)})
        assert run("--root", root, "ledger", "init").exit_code == 0
        server.faults.next("reset_after")  # the post is made, its answer lost
        result = run("--root", root, "publish", "--format", "json", env={"SMMGEN_AT": WHEN})
        assert result.exit_code == 0, result.output
        [item] = json.loads(result.output)["items"]
        assert item["outcome"] == "published"
        [only] = server.posts
        assert item["url"] == f"https://x.com/{USERNAME}/status/{only.id}"
        assert len(sent(server, "POST", "/2/tweets")) == 1
        assert len(sent(server, "GET", f"/2/users/{only.author}/tweets")) == 1
        assert server.errors == []


def test_reconcile_finds_nothing_when_nothing_was_posted(
    server: XServer, make_project: MakeProject
) -> None:
    server.add_post("Something else.")
    project, variant = build(make_project, server, "Never posted.")
    with driver_for(project) as driver:
        since = server.posts[0].created_at
        assert driver.reconcile(variant, 0, key=KEY, thread=[], since=since) is None


def test_reconcile_reads_older_pages(server: XServer, make_project: MakeProject) -> None:
    project, variant = build(make_project, server, "The one to find.")
    target = server.add_post("The one to find.")
    server.add_posts([f"Filler {n}." for n in range(150)])
    with driver_for(project) as driver:
        found = driver.reconcile(variant, 0, key=KEY, thread=[], since=target.created_at)
    assert found is not None
    assert found.id == target.id
    assert len([r for r in server.requests if r.path.endswith("/tweets")]) == 2


def test_texts_compare_as_x_gives_them_back() -> None:
    ours = "Read https://example.com/a?b=1 & more <3"
    assert comparable(ours) == comparable(
        "Read https://t.co/abcdefghij &amp; more &lt;3", from_x=True
    )
    assert same_text("Photo: example.com", "Photo: https://t.co/a1 https://t.co/b2", media=1)
    assert not same_text("Photo: example.com", "Photo: https://t.co/a1 https://t.co/b2", media=0)
    assert not same_text("Photo.", "Photo!", media=0)


# -- a run killed between the upload and the final call ------------------------------


def test_a_run_killed_before_the_final_call_reuses_the_uploaded_media(
    make_project: MakeProject, run: Any
) -> None:
    with XServer() as server:
        media = [{"path": "media/a.png", "alt": "A chart"}]
        root = make_project(
            channels=channels_yaml(server, ledger=True),
            posts={"p.md": post("Killed, then resumed.", media=media)},
            media=["media/a.png"],
        )
        assert run("--root", root, "ledger", "init").exit_code == 0
        server.stall = "POST /2/tweets"
        env = {**os.environ, **ENV, "SMMGEN_AT": WHEN, "SMMGEN_RETRY_SCALE": "0.01"}
        process = subprocess.Popen(
            [sys.executable, "-m", "smmgen", "--root", str(root), "publish"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert server.stalled.wait(60), "the run never reached POST /2/tweets"
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        server.unstall.set()  # the final call is dropped unprocessed
        records = [
            json.loads(line) for line in (root / "ledger" / "x.jsonl").read_text().splitlines()
        ]
        prepared = [r for r in records if r["event"] == "prepared"]
        assert {name for r in prepared for name in r["handles"]} == {"media0", "alt0"}
        assert server.posts == []
        server.stall = None
        result = run("--root", root, "publish", "--format", "json", env={"SMMGEN_AT": WHEN})
        assert result.exit_code == 0, result.output
        [item] = json.loads(result.output)["items"]
        assert item["outcome"] == "published"
        [uploaded] = server.uploads.values()
        [only] = server.posts
        assert [m.id for m in only.media] == [uploaded.id]
        assert len(sent(server, "POST", "/2/media/upload")) == 1
        assert len(sent(server, "POST", "/2/media/metadata")) == 1
        assert server.errors == []


def test_expired_media_ids_are_uploaded_again(server: XServer, make_project: MakeProject) -> None:
    media = [{"path": "media/a.png", "alt": "A chart"}]
    project, variant = build(make_project, server, "Old upload.", media=media)
    saved = {
        "media0": {"value": {"id": "1234567890123456789", "file": "media/a.png", "digest": "x"}},
    }
    with driver_for(project) as driver:
        driver.handles = Handles(saved)
        driver.publish(variant, 0, key=KEY, thread=[])  # another file: uploaded afresh
        assert driver.handles.get("media0")["id"] == server.posts[0].media[0].id
    assert len(server.uploads) == 1


def test_media_ids_x_no_longer_knows_are_uploaded_again(
    server: XServer, make_project: MakeProject
) -> None:
    media = [{"path": "media/a.png", "alt": "A chart"}]
    project, variant = build(make_project, server, "Forgotten upload.", media=media)
    with driver_for(project) as driver:
        driver.handles = Handles()
        driver.publish(variant, 0, key=KEY, thread=[])  # to learn the file's digest
        kept = driver.handles.get("media0")
        server.posts.clear()
        server.uploads.clear()  # X forgot the media id before its expiry
        for saved in ({"media0": {"value": kept}, "alt0": {"value": kept["id"]}},
                      {"media0": {"value": kept}}):  # fmt: skip
            # refused by POST /2/tweets, or by POST /2/media/metadata
            driver.handles = Handles(saved)
            with pytest.raises(NotSent, match="uploaded again"):
                driver.publish(variant, 0, key=KEY, thread=[])
            assert driver.handles.names() == []
        driver.publish(variant, 0, key=KEY, thread=[])
    [only] = server.posts
    [uploaded] = server.uploads.values()
    assert [m.id for m in only.media] == [uploaded.id] != [kept["id"]]
    assert uploaded.alt_text == "A chart"


# -- redaction ----------------------------------------------------------------------------


def test_a_hostile_server_echoing_a_signature_never_shows_it(make_project: MakeProject) -> None:
    echoed: list[str] = []

    def echo(request: httpx.Request) -> httpx.Response:
        header = request.headers["authorization"]
        echoed.append(header)
        return httpx.Response(400, json={"title": "Bad", "detail": f"you sent {header}",
                                         "type": "about:blank", "status": 400})  # fmt: skip

    root = make_project(
        channels=yaml.safe_dump(
            {
                "channels": {
                    "x": {
                        "type": "x",
                        "api_key_env": "SMMGEN_X_API_KEY",
                        "api_secret_env": "SMMGEN_X_API_SECRET",
                        "access_token_env": "SMMGEN_X_ACCESS_TOKEN",
                        "access_token_secret_env": "SMMGEN_X_ACCESS_TOKEN_SECRET",
                    }
                }
            }
        ),
        posts={"p.md": post("Hello.")},
    )
    project = smmgen.load(root)
    variant = build_variant(project, project.posts[0], "x")
    http = Http(transport=httpx.MockTransport(echo))
    driver = XDriver(Context("x", project.channels["x"], project, http, ENV))  # type: ignore[arg-type]
    with pytest.raises(PublishError) as caught:
        driver.publish(variant, 0, key=KEY, thread=[])
    text = shown(caught.value)
    assert echoed
    for secret in [*CREDENTIALS, *driver.auth().signatures]:
        assert secret not in text
    assert set(driver.auth().signatures) <= set(driver.secrets())
    assert set(CREDENTIALS) <= set(driver.secrets())


# -- verify and --dry-run -----------------------------------------------------------------


def test_channels_verify_names_the_account(
    server: XServer, make_project: MakeProject, run: Any
) -> None:
    root = make_project(channels=channels_yaml(server), posts={"p.md": post("Hi.")})
    result = run("--root", root, "channels", "verify")
    assert result.exit_code == 0, result.output
    assert f"@{USERNAME}" in result.output
    assert "does not expire" in result.output
    assert [r.path for r in server.requests] == ["/2/users/me"]
    for secret in CREDENTIALS:
        assert secret not in result.output


def test_channels_verify_with_a_wrong_token(
    server: XServer, make_project: MakeProject, run: Any
) -> None:
    root = make_project(channels=channels_yaml(server), posts={"p.md": post("Hi.")})
    env = {"SMMGEN_X_ACCESS_TOKEN": "1000000000000000001-wrongtokenvalue0000"}
    result = run("--root", root, "channels", "verify", env=env)
    assert result.exit_code != 0
    assert "SMMGEN_X_ACCESS_TOKEN" in result.output
    assert "wrongtokenvalue" not in result.output


def test_dry_run_shows_the_request_bodies_without_credentials_or_requests(
    server: XServer, make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ENV:
        monkeypatch.delenv(name)
    media = [{"path": "media/a.png", "alt": "A chart"}]
    body = "First, with a chart.\n\n---\n\nSecond."
    root = make_project(
        channels=channels_yaml(server, ledger=True),
        posts={"p.md": post(body, thread=True, media=media)},
        media=["media/a.png"],
    )
    project = smmgen.load(root)
    variant = build_variant(project, project.posts[0], "x")
    driver = XDriver(Context("x", project.channels["x"], project, Http(), {}))  # type: ignore[arg-type]
    assert driver.preview(variant, 0) == {
        "text": variant.parts[0].text,
        "media": {"media_ids": ["<id of media/a.png>"]},
        "uploads": [{"file": "media/a.png", "endpoint": "/2/media/upload", "alt_text": "A chart"}],
    }
    assert driver.preview(variant, 1) == {
        "text": variant.parts[1].text, "reply": {"in_reply_to_tweet_id": "<id of part 1>"},
    }  # fmt: skip
    assert run("--root", root, "ledger", "init").exit_code == 0
    result = run(
        "--root", root, "publish", "--dry-run", "--format", "json", env={"SMMGEN_AT": WHEN}
    )
    assert result.exit_code == 0, result.output
    assert "<id of media/a.png>" in result.output
    assert server.requests == []
