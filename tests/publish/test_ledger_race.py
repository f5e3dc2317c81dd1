"""Two publishers race for the same due items with the git-branch ledger on a
local bare repository: every item goes out exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from smmgen.publish.ledger.state import fold
from tests.publish.chaos import START, TOKEN, _env, ledger, make_project
from tests.publish.gitrepo import clone, origin_with
from tests.servers.mastodon import MastodonServer
from tests.servers.webhook import WebhookServer

POSTS = 40


def test_two_publishers_racing_publish_each_item_once(tmp_path: Path) -> None:
    with (
        MastodonServer(token=TOKEN, idempotency=False, rate_limit=10**6) as masto,
        WebhookServer(tolerance=10**9) as hook,
    ):
        first = tmp_path / "first"
        make_project(first, POSTS, masto.url, hook.endpoint)
        (first / "channels.yaml").write_text(
            (first / "channels.yaml").read_text().replace("lease: 0s", "lease: 10m")
        )
        bare = tmp_path / "origin.git"
        origin_with(first, bare)
        second = clone(bare, tmp_path / "second")
        reports = []
        # three rounds, each with new posts due, both publishers started at once
        for round_end in (POSTS // 3, 2 * POSTS // 3, POSTS):
            when = START + timedelta(minutes=3 * round_end)
            runs = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "smmgen",
                        "--root",
                        str(root),
                        "publish",
                        "--format",
                        "json",
                    ],
                    env=_env(when, 10.0),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for root in (first, second)
            ]
            for run in runs:
                out, err = run.communicate(timeout=120)
                assert run.returncode == 0, err or out  # the report says what failed
                reports.append(json.loads(out))
    outcomes = Counter()
    for report in reports:
        for item in report["items"]:
            outcome = item["outcome"]
            if "another run" in item["detail"]:
                outcome = "left to the other publisher"
            outcomes[outcome] += 1
    # they really raced: one publisher found items the other had claimed first
    assert outcomes["left to the other publisher"] > 0, outcomes
    assert set(outcomes) == {"published", "left to the other publisher"}, outcomes
    # on the servers: every post exactly once (threads: every part once)
    texts = Counter(s.text.split("\n")[0] for s in masto.statuses)
    assert all(n == 1 for n in texts.values()), [t for t, n in texts.items() if n > 1]
    threads = sum(1 for n in range(POSTS) if n % 4 == 0)
    assert len(masto.statuses) == (POSTS - threads) + 3 * threads
    deliveries = Counter(
        (json.loads(r.body)["post"], json.loads(r.body)["index"]) for r in hook.requests
    )
    assert len(deliveries) == POSTS
    assert set(deliveries.values()) == {1}
    # the ledger agrees: one published record per item, and one winning claim each
    records = ledger(bare)
    states = fold(records)
    assert {s.status for s in states.values()} == {"published"}
    assert len(states) == 2 * POSTS
    intents = Counter((r["post"], r["channel"]) for r in records if r["event"] == "intent")
    assert set(intents.values()) == {1}
    published = Counter((r["post"], r["channel"]) for r in records if r["event"] == "published")
    assert set(published.values()) == {1}
