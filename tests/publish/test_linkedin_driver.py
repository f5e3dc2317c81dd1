"""The LinkedIn driver against the strict test server (tests/servers/linkedin.py):
posts in little text that LinkedIn never cuts, images through the Images API,
threads as comments, LinkedIn's errors with what to do, rate limits, and
exactly once without an idempotency key (handles, reconciling, DUPLICATE_POST)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

import smmgen
from smmgen.adapt.variants import Variant, build_variant
from smmgen.networks.linkedin import DEFAULT_VERSION
from smmgen.networks.linkedin.driver import LinkedInDriver
from smmgen.project import Project
from smmgen.publish.driver import Context, Handles, Remote, driver_class, part_key
from smmgen.publish.http import Http
from smmgen.registry import network
from tests.conftest import MakeProject
from tests.servers.base import Request
from tests.servers.linkedin import (
    ENV,
    MEMBER,
    ORGANIZATION,
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
