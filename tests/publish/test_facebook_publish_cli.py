"""`smmgen publish`, `check`, `--dry-run` and `channels verify` for a Facebook
Page against the strict test server (tests/servers/facebook.py): a thread
published as a post and its comments, retries and reconciling without a
duplicate, a rate limit longer than a run waits, and a run killed between the
photo uploads and the post, resumed with the uploaded photos."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import MakeProject
from tests.servers.base import Faults
from tests.servers.facebook import (
    ENV,
    PAGE_ID,
    PAGE_NAME,
    PAGE_TOKEN,
    SYSTEM_USER_TOKEN,
    TOKEN_ENV,
    FacebookServer,
    channel_yaml,
)

SEED = int(os.environ.get("SMMGEN_FB_SEED", "15"))
CALENDAR = "timezone: UTC\nmax_lateness: 30d\nmin_gap: 0m\n"


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0")
    monkeypatch.setenv("SMMGEN_HTTP_TIMEOUT", "5")
    monkeypatch.setenv("NO_COLOR", "1")
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def project(
    make_project: MakeProject,
    server: FacebookServer,
    body: str,
    *,
    media: int = 0,
    **front: Any,
) -> Path:
    entry = channel_yaml(server)
    channels = {"defaults": {"channels": ["page"]}, "channels": {"page": entry}}
    channels["ledger"] = {"store": "local"}
    paths = [f"media/shot{n}.png" for n in range(media)]
    if paths:
        front["media"] = [{"path": p, "alt": f"Screenshot {n}"} for n, p in enumerate(paths)]
    fields = {"id": "p1", "publish_at": "2026-11-25 11:00", **front}
    text = f"---\n{yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)}---\n{body}\n"
    return make_project(
        channels=yaml.safe_dump(channels, sort_keys=False),
        calendar=CALENDAR,
        posts={"p.md": text},
        media=paths,
    )


def publish(run: Any, root: Path, *args: str) -> dict[str, Any]:
    result = run("--root", root, "publish", "--format", "json", *args)
    report: dict[str, Any] = json.loads(result.output)
    return report


def ledger(root: Path) -> list[dict[str, Any]]:
    path = root / "ledger" / "page.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_a_thread_is_a_post_and_its_comments_once(make_project: MakeProject, run: Any) -> None:
    with FacebookServer() as server:
        body = "Release day.\n\n---\n\nWhat changed.\n\n---\n\nThanks!"
        root = project(make_project, server, body, thread=True, link="https://example.com/v2")
        assert run("--root", root, "ledger", "init").exit_code == 0
        (item,) = publish(run, root)["items"]
        assert item["outcome"] == "published"
        [made] = server.posts
        assert made.link == "https://example.com/v2"
        assert [c.message for c in server.comments] == ["What changed.", "Thanks!"]
        assert item["urls"] == [made.permalink, *[c.permalink for c in server.comments]]
        assert publish(run, root)["items"] == []  # published once
        assert len(server.published()) == 3
        assert server.errors == []


def test_check_refuses_an_over_limit_post_before_any_request(
    make_project: MakeProject, run: Any
) -> None:
    with FacebookServer() as server:
        root = project(make_project, server, "x" * 63_207, thread=False)
        checked = run("--root", root, "check")
        assert checked.exit_code == 1
        assert "Facebook Page allows 63206" in checked.output
        assert run("--root", root, "ledger", "init").exit_code == 0
        (item,) = publish(run, root)["items"]
        assert item["outcome"] == "failed"
        assert "run smmgen check" in item["detail"]
        assert server.requests == []


def test_check_refuses_a_photo_over_4_mb_before_any_request(
    make_project: MakeProject, run: Any
) -> None:
    with FacebookServer() as server:
        root = project(make_project, server, "A big picture.", media=1)
        photo = root / "media/shot0.png"
        photo.write_bytes(photo.read_bytes() + b"\0" * (4_000_001 - photo.stat().st_size))
        checked = run("--root", root, "check", "--format", "json")
        assert checked.exit_code == 1
        findings = json.loads(checked.output)["findings"]
        [finding] = [f for f in findings if f["severity"] == "error"]
        assert (finding["code"], finding["channel"]) == ("media-too-large", "page")
        assert "takes images up to 4,000,000 bytes" in finding["message"]
        assert run("--root", root, "ledger", "init").exit_code == 0
        (item,) = publish(run, root)["items"]
        assert item["outcome"] == "failed"
        assert server.requests == []


def test_dry_run_shows_the_requests_without_credentials_or_network(
    make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV)
    with FacebookServer() as server:
        root = project(make_project, server, "Two pictures.", media=2)
        (item,) = publish(run, root, "--dry-run")["items"]
        assert server.requests == []
    assert item["outcome"] == "would publish"
    [request] = item["requests"]
    assert request["request"] == f"POST /v26.0/{PAGE_ID}/feed?fields=id,permalink_url"
    assert request["body"]["attached_media"][1] == {"media_fbid": "<id of media/shot1.png>"}
    assert [u["body"]["alt_text_custom"] for u in request["uploads"]] == [
        "Screenshot 0",
        "Screenshot 1",
    ]


def test_channels_verify_names_the_page_and_the_kind_of_token(
    make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FacebookServer() as server:
        root = project(make_project, server, "Hello.")
        result = run("--root", root, "channels", "verify", "--format", "json")
        [channel] = json.loads(result.output)["channels"]
        assert channel["status"] == "ok"
        assert f"Page '{PAGE_NAME}' (id {PAGE_ID}), with a Page access token" in channel["detail"]
        monkeypatch.setenv(TOKEN_ENV, SYSTEM_USER_TOKEN)
        result = run("--root", root, "channels", "verify")
        assert "a System User or user token" in result.output
        server.revoked.add(SYSTEM_USER_TOKEN)
        result = run("--root", root, "channels", "verify")
        assert result.exit_code == 1
        assert f"refused the access token in {TOKEN_ENV}" in result.output
        assert SYSTEM_USER_TOKEN not in result.output
        assert PAGE_TOKEN not in result.output


def test_a_server_error_is_retried_and_a_lost_answer_reconciled_without_a_duplicate(
    make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FacebookServer(Faults()) as server:
        root = project(make_project, server, "Two pictures.", media=2)
        assert run("--root", root, "ledger", "init").exit_code == 0
        # POSTs 1 and 2 upload the photos; the post (3) gets a 500 unprocessed, and
        # its retry (4) is processed but its answer lost
        plan = {3: "error_500", 4: "reset_after"}
        posts = itertools.count(1)
        monkeypatch.setattr(
            server.faults,
            "draw",
            lambda method: plan.get(next(posts)) if method == "POST" else None,
        )
        (item,) = publish(run, root)["items"]
        assert item["outcome"] == "published", item
        assert len(server.posts) == 1
        assert len(server.uploads()) == 2  # the photos were not uploaded again
        # the 500 was answered unprocessed (not in requests); the lost answer was processed
        assert len([r for r in server.requests if r.path.endswith("/feed")]) == 1
        reads = [r for r in server.requests if r.path.endswith("/published_posts")]
        assert len(reads) == 2  # asked after the 500, and after the lost answer
        assert item["url"] == server.posts[0].permalink
        events = [r["event"] for r in ledger(root)]
        assert events.count("prepared") == 2
        assert events[-1] == "published"
        assert server.errors == []


def test_a_rate_limit_longer_than_a_run_waits_is_left_to_the_next_run(
    make_project: MakeProject, run: Any
) -> None:
    with FacebookServer(Faults(), retry_minutes=30) as server:
        root = project(make_project, server, "Hello.")
        assert run("--root", root, "ledger", "init").exit_code == 0
        server.faults.next("rate_429")
        (item,) = publish(run, root)["items"]
        assert item["outcome"] == "failed"
        assert "rate limit" in item["detail"]
        assert "next run tries again" in item["detail"]
        assert server.posts == []
        (item,) = publish(run, root)["items"]  # the next run
        assert item["outcome"] == "published"
        assert len(server.posts) == 1


def test_a_run_killed_before_the_post_is_resumed_with_the_uploaded_photos(
    make_project: MakeProject, run: Any
) -> None:
    with FacebookServer() as server:
        root = project(make_project, server, "Three pictures.", media=3)
        assert run("--root", root, "ledger", "init").exit_code == 0
        arrived, release = server.stall("POST", rf"/{PAGE_ID}/feed$")
        process = subprocess.Popen(
            [sys.executable, "-m", "smmgen", "--root", str(root), "publish"],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert arrived.wait(60), "the run never made the post"
            process.send_signal(signal.SIGKILL)
            process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            release.set()
        time.sleep(0.05)
        assert server.posts == []
        records = ledger(root)
        kept = {
            name: entry["value"]["id"]
            for record in records
            if record["event"] == "prepared"
            for name, entry in record["handles"].items()
        }
        assert sorted(kept) == ["photo:0", "photo:1", "photo:2"]
        assert [p.id for p in server.uploads()] == list(kept.values())
        assert records[-1]["event"] == "prepared"  # claimed, not finished
        (item,) = publish(run, root)["items"]
        assert item["outcome"] == "published", item
        assert len(server.uploads()) == 3  # one upload per photo, ever
        [made] = server.posts
        assert made.photos == [kept[f"photo:{n}"] for n in range(3)]
        assert [p["media"] for p in server.published()] == [3]
        assert server.errors == []


def test_random_faults_never_make_a_duplicate_nor_lose_a_post(
    make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs against a server failing at random (lost answers, timeouts, 500s, rate
    limits, reads too) until everything is published: each part exactly once."""
    monkeypatch.setenv("SMMGEN_HTTP_TIMEOUT", "0.3")
    mix = {"reset_after": 0.15, "reset_before": 0.05, "timeout_after": 0.07,
           "error_500": 0.1, "rate_429": 0.08}  # fmt: skip
    faults = Faults(mix, seed=SEED, delay=0.6, reads=True)
    with FacebookServer(faults, retry_minutes=0) as server:
        posts = {
            "t.md": ("Thread one.\n\n---\n\nThread two.\n\n---\n\nThread three.", 0, True),
            "a.md": ("Album post.", 2, False),
            "b.md": ("Photo post.", 1, False),
            "c.md": ("Text post one.", 0, False),
            "d.md": ("Text post two.", 0, False),
        }
        entry = channel_yaml(server)
        channels = {"defaults": {"channels": ["page"]}, "channels": {"page": entry},
                    "ledger": {"store": "local"}}  # fmt: skip
        files: dict[str, str | bytes] = {}
        media = []
        for number, (name, (body, photos, thread)) in enumerate(posts.items()):
            paths = [f"media/{name[0]}{n}.png" for n in range(photos)]
            media += paths
            front: dict[str, Any] = {"id": name[0], "publish_at": f"2026-11-25 10:0{number}"}
            if thread:
                front["thread"] = True
            if paths:
                front["media"] = [{"path": p, "alt": f"Alt {p}"} for p in paths]
            files[name] = f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n{body}\n"
        root = make_project(
            channels=yaml.safe_dump(channels), calendar=CALENDAR, posts=files, media=media
        )
        assert run("--root", root, "ledger", "init").exit_code == 0
        for _ in range(6):
            publish(run, root)
        faults.rates.clear()
        outcomes = [i["outcome"] for i in publish(run, root)["items"]]
        assert set(outcomes) <= {"published"}, outcomes  # nothing unknown nor refused
        assert publish(run, root)["items"] == []
        lost = faults.injected["reset_after"] + faults.injected["timeout_after"]
        assert lost >= 1, faults.injected  # answers were lost after the server acted
        texts = sorted(p["text"] for p in server.published())
        assert texts == sorted(["Thread one.", "Thread two.", "Thread three.", "Album post.",
                                "Photo post.", "Text post one.", "Text post two."])  # fmt: skip
        [root_post] = [p for p in server.published() if p["text"] == "Thread one."]
        replies = [p["reply_to"] for p in server.published() if p["text"].startswith("Thread t")]
        assert replies == [root_post["id"], root_post["id"]]
        media_of = {p["text"]: p["media"] for p in server.published()}
        assert (media_of["Album post."], media_of["Photo post."]) == (2, 1)
        assert server.errors == []
