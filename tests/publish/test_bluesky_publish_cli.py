"""`smmgen publish` to the real Bluesky PDS: a thread with a mention, read back
and validated against the lexicons; a run whose results were lost finds the
records it made (deterministic record keys) instead of posting again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import MakeProject
from tests.publish.test_bluesky_pds import PASSWORD_ENV, channels_yaml
from tests.servers.pds import Pds
from tests.text.lexicon_helper import validate_records

pytestmark = [
    pytest.mark.npm("tests/pds"),
    pytest.mark.npm("tests/text/node"),
    pytest.mark.xdist_group("pds"),  # one worker, one PDS (the fixture is per session)
]

THREAD = (
    "Hello @bob, the cli test.\n\n---\n\nSecond part of the cli test.\n\n---\n\nThird part, #done."
)


def records(pds: Pds) -> list[dict[str, Any]]:
    with httpx.Client(base_url=f"{pds.url}/xrpc/", timeout=10) as client:
        answer = client.get(
            "com.atproto.repo.listRecords",
            params={"repo": pds.did, "collection": "app.bsky.feed.post", "limit": 100},
        )
        assert answer.status_code == 200, answer.text
        return [r for r in answer.json()["records"] if "cli test" in r["value"]["text"]
                or "Third part, #done" in r["value"]["text"]]  # fmt: skip


def publish(run: Any, root: Path) -> dict[str, Any]:
    result = run("--root", root, "publish", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_publish_a_thread_to_the_pds_once(
    pds: Pds, make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, pds.password)
    channels = channels_yaml(pds) + "ledger: {store: local}\n"
    post = f"---\nid: cli-thread\npublish_at: 2026-11-25 11:00\nthread: true\n---\n{THREAD}\n"
    root = make_project(channels=channels, posts={"t.md": post})
    assert run("--root", root, "ledger", "init").exit_code == 0
    report = publish(run, root)
    (item,) = report["items"]
    assert item["outcome"] == "published"
    assert len(item["urls"]) == 3
    found = sorted(records(pds), key=lambda r: r["value"]["createdAt"])
    assert len(found) == 3
    root_ref = {"uri": found[0]["uri"], "cid": found[0]["cid"]}
    assert found[1]["value"]["reply"] == {"root": root_ref, "parent": root_ref}
    assert found[2]["value"]["reply"]["parent"] == {"uri": found[1]["uri"], "cid": found[1]["cid"]}
    mention = found[0]["value"]["facets"][0]["features"][0]
    assert mention == {"$type": "app.bsky.richtext.facet#mention", "did": pds.accounts["bob.test"]}
    assert validate_records([("app.bsky.feed.post", r["value"]) for r in found]) == [None] * 3
    assert publish(run, root)["items"] == []
    # a run that sent parts two and three but lost their records: the next run
    # finds them on the PDS by their record keys and posts nothing new
    ledger = root / "ledger" / "bluesky.jsonl"
    kept = [
        line
        for line in ledger.read_text().splitlines()
        if json.loads(line)["event"] == "intent"
        or (json.loads(line)["event"] == "part" and json.loads(line)["index"] == 0)
    ]
    ledger.write_text("\n".join(kept) + "\n")
    (item,) = publish(run, root)["items"]
    assert item["outcome"] == "published"
    assert [r["uri"] for r in sorted(records(pds), key=lambda r: r["value"]["createdAt"])] == [
        r["uri"] for r in found
    ]
