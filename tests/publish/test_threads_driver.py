"""The Threads driver against the strict test server (tests/servers/threads.py):
containers, waiting, publishing, carousels, replies, media served from the
project's own site, quotas, errors, reconciling, resuming, verify and preview."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smmgen
from smmgen.adapt.variants import Variant, build_variant
from smmgen.errors import CannotTell, MissingCredentials, Rejected, Transient
from smmgen.networks.threads import NETWORK, ThreadsChannel, threads_length
from smmgen.networks.threads.driver import ThreadsDriver
from smmgen.project import Project
from smmgen.publish.driver import Context, Handles, Remote, driver_class, part_key
from smmgen.publish.http import Http
from tests.conftest import MakeProject
from tests.i18n_strategies import SCRIPTS, sentences
from tests.servers.threads import (
    ENV,
    TOKEN,
    TOKEN_ENV,
    USERNAME,
    FileServer,
    ThreadsServer,
    channel_yaml,
    text_length,
)

AT = "2026-12-01 09:05"


def channels_yaml(server: ThreadsServer, files: FileServer | None = None, **extra: Any) -> str:
    entry = {**channel_yaml(server, files.url if files else None), **extra}
    data = {"defaults": {"channels": ["threads"]}, "channels": {"threads": entry},
            "ledger": {"store": "local"}}  # fmt: skip
    return yaml.safe_dump(data, sort_keys=False)


def post(body: str, **front: Any) -> str:
    fields = {"id": "p1", "publish_at": "2026-12-01 09:00", **front}
    return f"---\n{yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)}---\n{body}\n"


def git_init(root: Path) -> None:
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def build(
    make_project: MakeProject,
    server: ThreadsServer,
    body: str = "Hello Threads, a first post.",
    *,
    files: FileServer | None = None,
    settings_: dict[str, Any] | None = None,
    **front: Any,
) -> tuple[Project, Variant]:
    root = make_project(
        channels=channels_yaml(server, files, **(settings_ or {})),
        posts={"p.md": post(body, **front)},
        media=[item["path"] for item in front.get("media", [])],
    )
    project = smmgen.load(root)
    return project, build_variant(project, project.posts[0], "threads")


@contextmanager
def driver_for(project: Project, handles: Handles | None = None) -> Iterator[ThreadsDriver]:
    context = Context("threads", project.channels["threads"], project, Http(), ENV)
    driver = ThreadsDriver(context)  # type: ignore[arg-type]
    if handles is not None:
        driver.handles = handles
    try:
        yield driver
    finally:
        driver.close()


def publish_all(driver: ThreadsDriver, variant: Variant) -> list[Remote]:
    thread: list[Remote] = []
    for index in range(len(variant.parts)):
        key = part_key(variant.post, variant.channel, index)
        driver.handles = Handles()  # as the engine does: each part has its own
        thread.append(driver.publish(variant, index, key=key, thread=list(thread)))
    return thread


def posts_of(server: ThreadsServer, method: str, suffix: str) -> list[Any]:
    return [r for r in server.requests if r.method == method and r.path.endswith(suffix)]


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0.01")
    monkeypatch.setenv("SMMGEN_HTTP_TIMEOUT", "2")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadsServer]:
    with ThreadsServer() as running:
        monkeypatch.setenv(TOKEN_ENV, TOKEN)
        yield running
    assert running.errors == []


@pytest.fixture
def files(tmp_path: Path) -> Iterator[FileServer]:
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    with FileServer(root) as serving:
        yield serving


def cli(run: Any, root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    if not (root / "ledger").exists():
        assert run("--root", root, "ledger", "init").exit_code == 0
    result = run("--root", root, "publish", "--at", AT, "--format", "json", *args)
    return result.exit_code, json.loads(result.output)


# -- the network -----------------------------------------------------------------------


def test_the_network_names_its_driver() -> None:
    assert driver_class(NETWORK) is ThreadsDriver
    assert ThreadsDriver.reconcilable
    assert ThreadsDriver.credentials == ("token_env",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("hello", 5), ("café", 5), ("it\u2019s", 6), ("שלום", 8), ("سلام", 8), ("😀", 4), ("日本", 6)],
)
def test_counting_is_utf8_bytes(text: str, expected: int) -> None:
    assert threads_length(text) == expected


def test_media_urls_below_the_served_root() -> None:
    channel = ThreadsChannel(
        type="threads",
        token_env="T",
        media_base_url="https://example.org/site/",
        media_root="static",
    )
    assert channel.media_url("static/media/a b.png") == "https://example.org/site/media/a%20b.png"
    assert channel.media_url("media/x.png") is None
    whole = ThreadsChannel(type="threads", token_env="T", media_base_url="https://example.org")
    assert whole.media_url("media/x.png") == "https://example.org/media/x.png"
    with pytest.raises(ValueError, match="relative"):
        ThreadsChannel(type="threads", token_env="T", media_root="../outside")


# -- posting -----------------------------------------------------------------------------


def test_text_post_is_container_then_publish(
    server: ThreadsServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server)
    with driver_for(project) as driver:
        remote = driver.publish(variant, 0, key=part_key("p1", "threads", 0), thread=[])
    [created] = server.posts
    assert remote == Remote(created.id, server.permalink(created))
    assert server.published() == [
        {"id": created.id, "text": variant.parts[0].text, "reply_to": None, "media": 0}
    ]
    [create] = posts_of(server, "POST", "/threads")
    assert create.header("authorization") == f"Bearer {TOKEN}"
    assert "access_token" not in create.query  # the token never goes in a URL
    [publish] = posts_of(server, "POST", "/threads_publish")
    assert parse_qs(publish.body.decode()) == {"creation_id": [created.container]}
    assert server.containers[created.container].media_type == "TEXT"


def test_container_is_waited_for_until_finished(make_project: MakeProject) -> None:
    with ThreadsServer(in_progress_polls=3) as server:
        project, variant = build(make_project, server)
        with driver_for(project) as driver:
            driver.publish(variant, 0, key="k", thread=[])
        statuses = [r for r in server.requests if r.method == "GET" and "fields" in r.query
                    and r.query["fields"] == ["status,error_message"]]  # fmt: skip
        assert len(statuses) == 4
        assert len(server.posts) == 1
        assert server.errors == []


def test_thread_parts_are_replies(server: ThreadsServer, make_project: MakeProject) -> None:
    body = "First part.\n\n---\n\nSecond part.\n\n---\n\nThird part."
    project, variant = build(make_project, server, body, thread=True)
    with driver_for(project) as driver:
        remotes = publish_all(driver, variant)
    published = server.published()
    assert [p["reply_to"] for p in published] == [None, remotes[0].id, remotes[1].id]
    assert [p["text"] for p in published] == [p.text for p in variant.parts]


def test_one_image_with_alt_text_is_downloaded_from_the_site(
    server: ThreadsServer, files: FileServer, make_project: MakeProject
) -> None:
    media = [{"path": "media/cat.png", "alt": "A cat asleep on a keyboard"}]
    project, variant = build(make_project, server, "A cat.", files=files, media=media)
    with driver_for(project) as driver:
        driver.publish(variant, 0, key="k", thread=[])
    [container] = server.created(media_type="IMAGE")
    assert container.url == f"{files.url}/media/cat.png"
    assert container.alt_text == "A cat asleep on a keyboard"
    assert files.requests == ["/media/cat.png"]
    assert server.published()[0]["media"] == 1


def test_several_images_are_a_carousel(
    server: ThreadsServer, files: FileServer, make_project: MakeProject
) -> None:
    media = [{"path": f"media/{n}.png", "alt": f"Picture {n}"} for n in range(3)]
    project, variant = build(make_project, server, "Three pictures.", files=files, media=media)
    with driver_for(project) as driver:
        driver.publish(variant, 0, key="k", thread=[])
    items = server.created(carousel_item=True)
    assert [c.alt_text for c in items] == ["Picture 0", "Picture 1", "Picture 2"]
    [carousel] = server.created(media_type="CAROUSEL")
    assert carousel.children == [c.id for c in items]
    assert carousel.text == "Three pictures."
    assert server.published()[0]["media"] == 3


def test_media_without_media_base_url_is_refused_before_any_request(
    server: ThreadsServer, make_project: MakeProject
) -> None:
    media = [{"path": "media/cat.png", "alt": "A cat"}]
    project, variant = build(make_project, server, "A cat.", media=media)
    with driver_for(project) as driver, pytest.raises(Rejected, match="media_base_url"):
        driver.publish(variant, 0, key="k", thread=[])
    assert server.requests == []


def test_a_file_the_site_does_not_serve_fails_the_container(
    server: ThreadsServer, files: FileServer, make_project: MakeProject
) -> None:
    media = [{"path": "media/cat.png", "alt": "A cat"}]
    project, variant = build(make_project, server, "A cat.", files=files, media=media)
    (project.root / "media" / "cat.png").unlink()  # not deployed
    with driver_for(project) as driver, pytest.raises(Rejected) as caught:
        driver._container(variant.parts[0], 0, None)
    assert "FAILED_DOWNLOADING_IMAGE" in str(caught.value)
    assert "media_base_url" in str(caught.value)
    assert server.posts == []


# -- limits --------------------------------------------------------------------------------


def test_an_over_limit_post_is_refused_by_check_before_any_request(
    server: ThreadsServer, make_project: MakeProject, run: Any
) -> None:
    hebrew = "שלום עולם " * 30  # 300 characters, 570 UTF-8 bytes
    root = make_project(channels=channels_yaml(server), posts={"p.md": post(hebrew, thread=False)})
    code, report = cli(run, root)
    assert code == 1
    [item] = report["items"]
    assert item["outcome"] == "failed"
    assert "500" in item["detail"]
    assert server.requests == []


def test_the_server_refuses_more_than_five_links(server: ThreadsServer) -> None:
    import httpx

    text = " ".join(f"https://example.org/{n}" for n in range(6))
    answer = httpx.post(
        f"{server.url}/v1.0/me/threads",
        data={"media_type": "TEXT", "text": text},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "THREADS_API__LINK_LIMIT_EXCEEDED"


def test_a_spent_quota_sends_nothing_in_this_run(make_project: MakeProject) -> None:
    with ThreadsServer(quota_used=250) as server:
        project, variant = build(make_project, server)
        with driver_for(project) as driver, pytest.raises(Transient) as caught:
            driver.publish(variant, 0, key="k", thread=[])
        assert "250 posts per 24 hours" in str(caught.value)
        assert caught.value.retry_after == 86400
        assert posts_of(server, "POST", "/threads") == []
        assert server.errors == []


# -- errors --------------------------------------------------------------------------------


def test_an_expired_token_says_how_to_refresh(
    server: ThreadsServer, make_project: MakeProject
) -> None:
    server.token_expired = True
    project, variant = build(make_project, server)
    with driver_for(project) as driver, pytest.raises(MissingCredentials) as caught:
        driver.publish(variant, 0, key="k", thread=[])
    message = str(caught.value)
    assert "expired" in message
    assert "refresh_access_token" in message
    assert TOKEN_ENV in message
    assert TOKEN not in message


def test_a_missing_permission_is_named(make_project: MakeProject) -> None:
    with ThreadsServer(scopes=["threads_basic"]) as server:
        project, variant = build(make_project, server)
        with driver_for(project) as driver, pytest.raises(Rejected) as caught:
            driver.publish(variant, 0, key="k", thread=[])
        assert caught.value.status == 403
        assert "threads_content_publish" in str(caught.value)
        assert server.posts == []


def test_rate_limiting_honours_the_usage_header(
    server: ThreadsServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server)
    server.faults.next("rate_429")
    with driver_for(project) as driver, pytest.raises(Transient) as caught:
        driver.publish(variant, 0, key="k", thread=[])
    assert caught.value.retry_after == 60.0  # estimated_time_to_regain_access: 1 minute
    assert "(code 4)" in str(caught.value)


def test_rate_limited_then_published_by_the_engine(
    server: ThreadsServer, make_project: MakeProject, run: Any
) -> None:
    root = make_project(channels=channels_yaml(server), posts={"p.md": post("Rate limited.")})
    server.faults.next("rate_429", "error_500")
    code, report = cli(run, root)
    assert code == 0, report
    assert report["items"][0]["outcome"] == "published"
    assert len(server.published()) == 1
    assert server.faults.injected["rate_429"] == server.faults.injected["error_500"] == 1


def test_lost_answer_after_publishing_is_reconciled_without_a_duplicate(
    server: ThreadsServer, make_project: MakeProject, run: Any
) -> None:
    root = make_project(channels=channels_yaml(server), posts={"p.md": post("Lost answer.")})
    # the container request, then the publish call: processed, its answer lost
    server.faults.next("reset_before", "reset_after")
    code, report = cli(run, root)
    assert code == 0, report
    [item] = report["items"]
    assert item["outcome"] == "published"
    [published] = server.posts
    assert item["url"] == server.permalink(published)
    assert len(posts_of(server, "POST", "/threads_publish")) == 1


def test_reconcile_asks_the_container_then_the_account(
    server: ThreadsServer, make_project: MakeProject
) -> None:
    from datetime import UTC, datetime, timedelta

    project, variant = build(make_project, server)
    since = datetime.now(UTC) - timedelta(minutes=1)
    handles = Handles()
    with driver_for(project, handles) as driver:
        assert driver.reconcile(variant, 0, key="k", thread=[], since=since) is None
        container = driver._container(variant.parts[0], 0, None)
        assert driver.reconcile(variant, 0, key="k", thread=[], since=since) is None  # FINISHED
        remote = driver.publish(variant, 0, key="k", thread=[])
        assert driver.reconcile(variant, 0, key="k", thread=[], since=since) == remote
        server.posts.clear()  # published, yet not found: the driver cannot tell
        with pytest.raises(CannotTell):
            driver.reconcile(variant, 0, key="k", thread=[], since=since)
    assert handles.get("container") == container


def test_an_expired_container_is_made_again(
    server: ThreadsServer, make_project: MakeProject
) -> None:
    project, variant = build(make_project, server)
    handles = Handles()
    with driver_for(project, handles) as driver:
        first = driver._container(variant.parts[0], 0, None)
        server.offset = 24.5 * 3600  # Threads says EXPIRED: made again
        driver.publish(variant, 0, key="k", thread=[])
    assert len(server.created(media_type="TEXT")) == 2
    assert server.posts[0].container != first


def test_a_killed_run_resumes_with_its_container(
    files: FileServer, make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL while Threads prepares the container (after the ledger has it): the
    next run publishes that container, downloaded once, and makes no other."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with ThreadsServer(in_progress_polls=10_000) as server:
        media = [{"path": "media/cat.png", "alt": "A cat"}]
        root = make_project(
            channels=channels_yaml(server, files),
            posts={"p.md": post("Killed.", media=media)},
            media=["media/cat.png"],
        )
        env = {**os.environ, **ENV, "SMMGEN_RETRY_SCALE": "0.01", "SMMGEN_HTTP_TIMEOUT": "2"}
        assert run("--root", root, "ledger", "init").exit_code == 0
        process = subprocess.Popen(
            [sys.executable, "-m", "smmgen", "--root", str(root), "publish", "--at", AT],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        ledger = root / "ledger" / "threads.jsonl"
        deadline = time.monotonic() + 20
        try:
            while time.monotonic() < deadline:
                if ledger.exists() and '"prepared"' in ledger.read_text():
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the run never recorded its container")
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        [container] = server.created()
        container.polls_left = 0  # Threads finished preparing it meanwhile
        code, report = cli(run, root)
        assert code == 0, [(i["outcome"], i["detail"]) for i in report["items"]]
        assert report["items"][0]["outcome"] == "published"
        assert [p.container for p in server.posts] == [container.id]
        assert len(server.created()) == 1
        assert server.downloads == [f"{files.url}/media/cat.png"]
        assert server.errors == []


# -- verify, preview, secrets ---------------------------------------------------------------


def test_verify_names_the_account_and_the_token_expiry(
    server: ThreadsServer, make_project: MakeProject, run: Any
) -> None:
    root = make_project(channels=channels_yaml(server), posts={})
    result = run("--root", root, "channels", "verify", env=ENV)
    assert result.exit_code == 0, result.output
    assert f"@{USERNAME}" in result.output
    assert "token expires" in result.output
    assert "(in 49 days)" in result.output
    assert TOKEN not in result.output


def test_verify_warns_a_week_before_expiry(make_project: MakeProject) -> None:
    with ThreadsServer(expires_in=3 * 86400) as server:
        project, _ = build(make_project, server)
        with driver_for(project) as driver:
            said = driver.verify()
        assert "refresh_access_token" in said
        assert "in 2 days" in said


def test_dry_run_shows_the_requests_without_credentials(
    server: ThreadsServer, files: FileServer, make_project: MakeProject, run: Any
) -> None:
    media = [{"path": f"media/{n}.png", "alt": f"Picture {n}"} for n in range(2)]
    body = "Pictures.\n\n---\n\nAnd a reply."
    root = make_project(
        channels=channels_yaml(server, files),
        posts={"p.md": post(body, media=media, thread=True)},
        media=[m["path"] for m in media],
    )
    result = run("--root", root, "publish", "--at", AT, "--dry-run", "--format", "json",
                 env={TOKEN_ENV: ""})  # fmt: skip
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output)["items"]
    first, second = item["requests"]
    assert first["items"][0] == {
        "media_type": "IMAGE",
        "image_url": f"{files.url}/media/0.png",
        "is_carousel_item": "true",
        "alt_text": "Picture 0",
    }
    assert first["container"]["children"] == "<container of media/0.png>,<container of media/1.png>"
    assert second["container"] == {
        "media_type": "TEXT", "text": "And a reply.", "reply_to_id": "<id of part 1>"
    }  # fmt: skip
    assert server.requests == []


def test_the_token_is_a_secret(server: ThreadsServer, make_project: MakeProject) -> None:
    project, _ = build(make_project, server)
    with driver_for(project) as driver:
        assert driver.secrets() == [TOKEN]


# -- texts in the project's languages -----------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(script=st.sampled_from(SCRIPTS), data=st.data())
def test_texts_in_every_script_arrive_as_written_and_counted_alike(
    script: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    text = data.draw(sentences(script, max_size=3))  # type: ignore[arg-type]
    assert threads_length(text) == text_length(text)  # smmgen and the server agree
    with ThreadsServer() as server:
        root = tmp_path_factory.mktemp("project")
        (root / "content").mkdir()
        (root / "channels.yaml").write_text(channels_yaml(server), encoding="utf-8")
        (root / "content" / "p.md").write_text(post(text), encoding="utf-8")
        project = smmgen.load(root)
        variant = build_variant(project, project.posts[0], "threads")
        if any(f.severity.name == "ERROR" for f in variant.findings):
            assert text_length(variant.parts[0].text) > 500 or len(variant.parts) > 1
            return
        with driver_for(project) as driver:
            driver.publish(variant, 0, key="k", thread=[])
        assert [p["text"] for p in server.published()] == [variant.parts[0].text]
        assert server.errors == []


def test_a_lost_reply_is_found_among_the_accounts_replies(
    server: ThreadsServer, make_project: MakeProject
) -> None:
    from datetime import UTC, datetime, timedelta

    body = "First part.\n\n---\n\nSecond part."
    project, variant = build(make_project, server, body, thread=True)
    since = datetime.now(UTC) - timedelta(minutes=1)
    with driver_for(project) as driver:
        first, second = publish_all(driver, variant)  # the second's handles stay
        found = driver.reconcile(variant, 1, key="k", thread=[first], since=since)
    assert found == second
    assert [r.path for r in server.requests if r.path.endswith("/replies")] == ["/v1.0/me/replies"]


MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41\x00\x00\x00\x08mdat"


def test_a_video_and_an_image_mix_in_a_carousel(
    server: ThreadsServer, files: FileServer, make_project: MakeProject
) -> None:
    media = [{"path": "media/clip.mp4", "alt": "A short clip"}, {"path": "media/a.png", "alt": "A"}]
    root = make_project(
        channels=channels_yaml(server, files),
        posts={"p.md": post("A clip and a picture.", media=media)},
        media=["media/a.png"],
    )
    (root / "media" / "clip.mp4").write_bytes(MP4)
    project = smmgen.load(root)
    variant = build_variant(project, project.posts[0], "threads")
    assert not variant.findings
    with driver_for(project) as driver:
        driver.publish(variant, 0, key="k", thread=[])
    video, image = server.created(carousel_item=True)
    assert (video.media_type, video.url) == ("VIDEO", f"{files.url}/media/clip.mp4")
    assert (image.media_type, image.url) == ("IMAGE", f"{files.url}/media/a.png")
    assert server.published()[0]["media"] == 2


def test_a_spent_quota_is_reported_and_left_to_the_next_run(
    make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with ThreadsServer(quota_used=250) as server:
        root = make_project(channels=channels_yaml(server), posts={"p.md": post("Over quota.")})
        code, report = cli(run, root)
        assert code == 1
        [item] = report["items"]
        assert item["outcome"] == "failed"
        assert "limit of 250 posts per 24 hours is reached" in item["detail"]
        assert "the next run tries again" in item["detail"]
        assert posts_of(server, "POST", "/threads") == []
        assert server.errors == []
