"""Chaos: publish runs killed with SIGKILL at random instants while the servers
fail at random (connection resets after the request, timeouts, 500s, 429s),
then re-run until settled. Every due variant must exist exactly once on each
server, and the ledger must agree with the servers.

The default test run has a short version (24 runs); the full one (200 runs, in
two halves of 100 with their own seeds, which CI's two cores run side by side)
is a soak that CI runs with ``python -m pytest -m soak``.
The fault mix is ``tests.publish.chaos.MIX``. For longer runs:
``python -m tests.publish.chaos --runs 1000``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.publish.chaos import MISHAPS, MIX, run_chaos, run_rewind_chaos, run_signal_chaos


@pytest.mark.parametrize(
    ("runs", "posts", "seed"),
    [
        pytest.param(24, 30, 11, id="short"),
        # the full soak: 200 runs in two halves of other seeds, so that CI's two
        # cores share it (one 200-run chaos alone outlasted all the other soaks)
        pytest.param(100, 100, 7, id="full-1", marks=pytest.mark.soak),
        pytest.param(100, 100, 8, id="full-2", marks=pytest.mark.soak),
    ],
)
def test_publishing_survives_kills_and_faults(
    tmp_path: Path, runs: int, posts: int, seed: int
) -> None:
    stats, problems = run_chaos(tmp_path, runs=runs, posts=posts, seed=seed)
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
    if runs >= 100:  # enough requests that Mastodon sees every kind of fault
        mastodon = {k: n for k, n in stats.faults.items() if k.startswith("mastodon ")}
        assert set(mastodon) == {f"mastodon {kind}" for kind in MIX}, stats.faults
        assert all(mastodon.values()), stats.faults
        # the webhook sees about a fifth of the requests: a fault of most kinds, not
        # of each in every 100 runs (seen: 3 to 10 of each)
        webhook = {k: n for k, n in stats.faults.items() if k.startswith("webhook ") and n}
        assert len(webhook) >= len(MIX) - 2, stats.faults
        assert sum(webhook.values()) >= 15, stats.faults
    else:  # a short run: the webhook sees few requests, so count the kinds over both servers
        kinds: Counter[str] = Counter()
        for name, count in stats.faults.items():
            kinds[name.split()[-1]] += count
        assert set(kinds) == set(MIX), stats.faults
        assert all(kinds.values()), stats.faults
    assert stats.states["unknown"] > 0 or stats.resolved, stats.as_dict()


@pytest.mark.parametrize(
    ("runs", "posts", "seed"),
    [
        pytest.param(4, 12, 5, id="short"),
        pytest.param(40, 80, 3, id="full", marks=pytest.mark.soak),
    ],
)
def test_a_deleted_or_rewound_ledger_never_publishes_twice(
    tmp_path: Path, runs: int, posts: int, seed: int
) -> None:
    """The ledger branch deleted or force-pushed back between runs or while one
    publishes, seen from the same clone or a fresh one: the next run sends
    nothing until the branch is restored as its error says, and in the end
    every post exists exactly once."""
    stats, problems = run_rewind_chaos(tmp_path, runs=runs, posts=posts, seed=seed)
    print(json.dumps(stats.as_dict(), indent=2))  # shown with -s or -rA
    assert problems == {
        "final_exit": [],
        "mastodon_not_exactly_once": [],
        "mastodon_thread_broken": [],
        "webhook_not_exactly_once": [],
        "ledger_disagrees": [],
        "server_bugs": [],
        "sent_after_a_lost_ledger": [],
        "lost_ledger_not_refused": [],
    }
    # the test did what it claims: every kind of mishap, each refused and restored
    assert set(stats.mishaps) == set(MISHAPS), stats.as_dict()
    assert stats.refused == stats.restored == sum(stats.mishaps.values()) >= runs * 3 // 4
    assert 0 < stats.fresh_clones < runs


@pytest.mark.parametrize(
    ("runs", "posts", "seed"),
    [
        pytest.param(10, 20, 5, id="short"),
        pytest.param(120, 80, 9, id="full", marks=pytest.mark.soak),
    ],
)
def test_publishing_survives_sigint_and_sigterm(
    tmp_path: Path, runs: int, posts: int, seed: int
) -> None:
    """Runs stopped by SIGINT or SIGTERM at random instants (as a cancelled CI job
    is) instead of SIGKILL, then settled: still exactly once, and every stopped
    run started no request after the signal, exited 130 or 143 with its summary
    and left no claim without a record."""
    stats, problems = run_signal_chaos(tmp_path, runs=runs, posts=posts, seed=seed)
    print(json.dumps(stats.as_dict(), indent=2))  # shown with -s or -rA
    assert problems == {
        "final_exit": [],
        "mastodon_not_exactly_once": [],
        "mastodon_thread_broken": [],
        "webhook_not_exactly_once": [],
        "ledger_disagrees": [],
        "server_bugs": [],
        "bad_exit": [],
        "requests_after_signal": [],
        "claims_left_by_signalled_runs": [],
    }
    # the test did what it claims: most runs stopped mid-publish, by both signals
    assert stats.killed >= runs // 2, stats.as_dict()
    assert set(stats.codes) == {130, 143}, stats.as_dict()
    assert stats.left_for_next_run >= runs // 4, stats.as_dict()
