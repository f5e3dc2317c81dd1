"""Chaos: publish runs killed with SIGKILL at random instants while the servers
fail at random (connection resets after the request, timeouts, 500s, 429s),
then re-run until settled. Every due variant must exist exactly once on each
server, and the ledger must agree with the servers.

The run count is SMMGEN_CHAOS_RUNS (default 200); the fault mix is
``tests.publish.chaos.MIX``. For longer runs: ``python -m tests.publish.chaos``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.publish.chaos import run_chaos


def test_publishing_survives_kills_and_faults(tmp_path: Path) -> None:
    runs = int(os.environ.get("SMMGEN_CHAOS_RUNS", "200"))
    stats, problems = run_chaos(tmp_path, runs=runs, posts=max(40, runs // 2), seed=7)
    print(json.dumps(stats.as_dict(), indent=2))  # shown with -s or -rA
    assert problems == {
        "final_exit": [],
        "mastodon_not_exactly_once": [],
        "mastodon_thread_broken": [],
        "webhook_not_exactly_once": [],
        "ledger_disagrees": [],
        "server_bugs": [],
    }
    # the test did what it claims: many kills, many landing mid-publish, every fault kind
    assert stats.runs >= runs
    assert stats.killed >= runs // 2
    assert stats.interrupted >= runs // 10, stats.as_dict()
    assert all(n > 0 for n in stats.faults.values()), stats.faults
    assert stats.states["unknown"] > 0 or stats.resolved, stats.as_dict()
