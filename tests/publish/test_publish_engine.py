"""`smmgen publish` through the engine against the strict test servers:
retries, refusals, unknown outcomes, resumed threads, and channels that fail
alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smmgen.commands.publish import ledger_init
from smmgen.publish.ledger import records as rec
from tests.conftest import MakeProject
from tests.servers.mastodon import MastodonServer
from tests.servers.webhook import SECRET, WebhookServer

TOKEN = "engine-test-token-7c1d"


@pytest.fixture
def servers() -> Iterator[tuple[MastodonServer, WebhookServer]]:
    with (
        MastodonServer(token=TOKEN, idempotency=False) as masto,
        WebhookServer(tolerance=10**9) as hook,
    ):
        yield masto, hook


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_MASTO", TOKEN)
    monkeypatch.setenv("ENGINE_HOOK", SECRET)
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0.001")
    monkeypatch.setenv("SMMGEN_HTTP_TIMEOUT", "5")


def project(make_project: MakeProject, masto: str, hook: str, posts: dict[str, str]) -> Path:
    channels = (
        "defaults:\n  channels: [masto, hook]\nchannels:\n"
        f"  masto: {{type: mastodon, instance: '{masto}', token_env: ENGINE_MASTO}}\n"
        f"  hook: {{type: webhook, url: '{hook}', secret_env: ENGINE_HOOK}}\n"
        "ledger: {store: local}\n"
    )
    root = make_project(
        channels=channels, calendar="timezone: UTC\nmax_lateness: 6h\nmin_gap: 0m\n", posts=posts
    )
    ledger_init(root)
    return root


def post(ident: str, body: str, when: str = "2026-11-25 11:00") -> str:
    return f"---\nid: {ident}\npublish_at: {when}\nthread: true\n---\n{body}\n"


THREAD = "Part one.\n\n---\n\nPart two.\n\n---\n\nPart three."


def publish(run: Any, root: Path, *args: str) -> tuple[int, dict[tuple[str, str], dict[str, Any]]]:
    result = run("--root", root, "publish", "--format", "json", *args)
    report = json.loads(result.output)
    return result.exit_code, {(i["post"], i["channel"]): i for i in report["items"]}


@pytest.mark.usefixtures("env")
def test_thread_resumes_after_its_last_recorded_part(run, make_project, servers) -> None:  # type: ignore[no-untyped-def]
    masto, hook = servers
    root = project(make_project, masto.url, hook.endpoint, {"t.md": post("t", THREAD)})
    code, items = publish(run, root, "--channel", "masto", "--post", "t")
    assert code == 0
    statuses = masto.statuses
    assert [s.text.split(" ")[1] for s in statuses] == ["one.", "two.", "three."]
    # now pretend the run had stopped after part one: remove parts two and three
    # from the server and the ledger, as if they were never sent
    ledger = root / "ledger" / "masto.jsonl"
    records = [json.loads(line) for line in ledger.read_text().splitlines()]
    kept = [
        r for r in records if r["event"] == "intent" or (r["event"] == "part" and r["index"] == 0)
    ]
    ledger.write_text("".join(rec.dumps(r) + "\n" for r in kept))
    with masto._state:
        del masto._statuses[1:]
    code, items = publish(run, root, "--channel", "masto", "--post", "t")
    assert code == 0, items
    statuses = masto.statuses
    assert [s.text.split(" ")[1] for s in statuses] == ["one.", "two.", "three."]
    assert statuses[1].in_reply_to_id == statuses[0].id
    assert statuses[2].in_reply_to_id == statuses[1].id


@pytest.mark.usefixtures("env")
def test_unknown_webhook_outcome_is_reported_until_resolved(run, make_project, servers) -> None:  # type: ignore[no-untyped-def]
    masto, hook = servers
    root = project(make_project, masto.url, hook.endpoint, {"a.md": post("a", "Hello.")})
    hook.faults.next("reset_after")  # delivered, but the answer is lost
    code, items = publish(run, root)
    assert code == 1
    assert items["a", "masto"]["outcome"] == "published"  # one channel failing never stops another
    assert items["a", "hook"]["outcome"] == "unknown"
    assert "smmgen ledger resolve a --channel hook" in items["a", "hook"]["detail"]
    assert len(hook.requests) == 1
    code, items = publish(run, root)  # reported again, never re-sent
    assert code == 1
    assert items["a", "hook"]["outcome"] == "unknown"
    assert len(hook.requests) == 1
    result = run("--root", root, "ledger", "resolve", "a", "--channel", "hook", "--as", "published",
                 "--url", "https://receiver.example/events/1")  # fmt: skip
    assert result.exit_code == 0, result.output
    code, items = publish(run, root)
    assert code == 0
    assert items == {}
    assert len(hook.requests) == 1


@pytest.mark.usefixtures("env")
def test_a_killed_webhook_request_becomes_unknown_not_a_resend(run, make_project, servers) -> None:  # type: ignore[no-untyped-def]
    masto, hook = servers
    root = project(make_project, masto.url, hook.endpoint, {"a.md": post("a", "Hello.")})
    # a run claimed the item and died before recording anything
    intent = rec.make("intent", "a", "hook", "dead-run", parts=1)
    (root / "ledger" / "hook.jsonl").write_text(rec.dumps(intent) + "\n")
    code, items = publish(run, root)
    assert items["a", "hook"]["outcome"] == "unknown"
    assert "may have been sent" in items["a", "hook"]["detail"]
    assert hook.requests == []
    result = run("--root", root, "ledger", "resolve", "a", "--channel", "hook", "--as", "retry")
    assert result.exit_code == 0
    code, items = publish(run, root)
    assert code == 0
    assert items["a", "hook"]["outcome"] == "published"
    assert len(hook.requests) == 1


@pytest.mark.usefixtures("env")
def test_an_interrupted_mastodon_post_is_found_not_reposted(run, make_project, servers) -> None:  # type: ignore[no-untyped-def]
    masto, hook = servers
    root = project(make_project, masto.url, hook.endpoint, {"a.md": post("a", "Hello there.")})
    masto.faults.next("reset_after")  # the status is created, the answer lost ...
    masto.faults.reads = True
    masto.faults.next("error_500")  # ... and the first look at the account fails too
    code, items = publish(run, root, "--channel", "masto")
    assert code == 0, items
    assert masto.count("Hello there.") == 1
    assert (
        items["a", "masto"]["url"] == masto.statuses[0].url
        if hasattr(masto.statuses[0], "url")
        else True
    )


@pytest.mark.usefixtures("env")
def test_rate_limits_and_server_errors_are_retried(run, make_project, servers) -> None:  # type: ignore[no-untyped-def]
    masto, hook = servers
    root = project(make_project, masto.url, hook.endpoint, {"a.md": post("a", "Hello.")})
    hook.faults.next("rate_429", "error_500", "error_500")
    code, items = publish(run, root, "--channel", "hook")
    assert code == 0
    assert items["a", "hook"]["outcome"] == "published"
    assert len(hook.requests) == 1
    assert hook.faults.injected["rate_429"] == 1


@pytest.mark.usefixtures("env")
def test_a_network_that_stays_down_is_retried_next_run(run, make_project, servers) -> None:  # type: ignore[no-untyped-def]
    masto, hook = servers
    posts = {"a.md": post("a", "First."), "b.md": post("b", "Second.", "2026-11-25 11:30")}
    root = project(make_project, masto.url, hook.endpoint, posts)
    hook.faults.next(*["error_500"] * 5)
    code, items = publish(run, root, "--channel", "hook")
    assert code == 1
    assert items["a", "hook"]["outcome"] == "failed"
    assert "the next run tries again" in items["a", "hook"]["detail"]
    assert items["b", "hook"]["outcome"] == "skipped"  # not hammered while it is down
    assert hook.requests == []
    code, items = publish(run, root, "--channel", "hook")
    assert code == 0
    assert {i["outcome"] for i in items.values()} == {"published"}
    assert len(hook.requests) == 2


@pytest.mark.usefixtures("env")
def test_a_refusal_is_recorded_with_the_network_message_and_not_retried(
    run, make_project, servers
) -> None:  # type: ignore[no-untyped-def]
    masto, hook = servers
    root = project(make_project, masto.url, hook.endpoint, {"a.md": post("a", "Hello.")})
    masto.fail_next(
        "POST", "/api/v1/statuses", 422, "Validation failed: Text character limit exceeded"
    )
    code, items = publish(run, root, "--channel", "masto")
    assert code == 1
    assert "Validation failed: Text character limit exceeded" in items["a", "masto"]["detail"]
    code, items = publish(run, root, "--channel", "masto")
    assert items["a", "masto"]["outcome"] == "failed"
    assert "failed earlier" in items["a", "masto"]["detail"]
    assert masto.statuses == []
    run("--root", root, "ledger", "resolve", "a", "--channel", "masto", "--as", "retry")
    code, items = publish(run, root, "--channel", "masto")
    assert code == 0
    assert masto.count("Hello.") == 1


@pytest.mark.usefixtures("env")
def test_missing_credentials_fail_one_channel_only(run, make_project, servers, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    masto, hook = servers
    monkeypatch.delenv("ENGINE_MASTO")
    root = project(make_project, masto.url, hook.endpoint, {"a.md": post("a", "Hello.")})
    code, items = publish(run, root)
    assert code == 1
    assert "environment variable ENGINE_MASTO not set" in items["a", "masto"]["detail"]
    assert items["a", "hook"]["outcome"] == "published"
    assert not (root / "ledger" / "masto.jsonl").exists()


def test_dry_run_needs_no_credentials(run, make_project, servers) -> None:  # type: ignore[no-untyped-def]
    masto, hook = servers
    root = project(make_project, masto.url, hook.endpoint, {"t.md": post("t", THREAD)})
    result = run("--root", root, "publish", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "-- part 3 of 3" in result.output
    assert masto.requests == []
    assert hook.requests == []


@pytest.mark.usefixtures("env")
def test_a_refused_webhook_url_is_a_failure_to_retry_not_an_unknown(
    run, make_project, servers, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(
        "ENGINE_SLACK", "http://hooks.example.com/services/T0/B0/a8Rk2Qv7Ws1Zp4Lx9Nc3Tb6M"
    )
    channels = (
        "defaults:\n  channels: [team]\nchannels:\n"
        "  team: {type: slack, webhook_url_env: ENGINE_SLACK}\nledger: {store: local}\n"
    )
    root = make_project(channels=channels, calendar="timezone: UTC\nmax_lateness: 6h\n",
                        posts={"a.md": post("a", "Hello.")})  # fmt: skip
    ledger_init(root)
    for _ in range(2):
        code, items = publish(run, root)
        assert code == 1
        assert items["a", "team"]["outcome"] == "failed"
        assert "https://" in items["a", "team"]["detail"]
