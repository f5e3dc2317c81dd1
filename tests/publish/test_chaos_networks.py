"""Chaos for the networks without an idempotency key: runs killed with SIGKILL at
random instants while every server fails at random, then settled; every part of
every post is public exactly once, its image kept, its thread linked, and the
ledger agrees (see tests/publish/chaos_networks.py). The short version runs by
default; the full one is a soak (``python -m pytest -m soak``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.publish.chaos import MIX
from tests.publish.chaos_networks import NETWORKS, run_network_chaos


@pytest.mark.npm("tests/text/node")  # X's server counts with npm twitter-text
@pytest.mark.parametrize(
    ("runs", "posts", "seed"),
    [
        pytest.param(16, 20, 21, id="short"),
        pytest.param(60, 40, 22, id="full", marks=pytest.mark.soak),
    ],
)
def test_every_network_survives_kills_and_faults(
    tmp_path: Path, runs: int, posts: int, seed: int
) -> None:
    networks = list(NETWORKS)
    stats, problems = run_network_chaos(
        tmp_path, networks=networks, runs=runs, posts=posts, seed=seed
    )
    print(json.dumps(stats.as_dict(), indent=2))  # shown with -s or -rA
    assert problems == {
        "final_exit": [],
        "not_exactly_once": [],
        "thread_broken": [],
        "media_lost": [],
        "ledger_disagrees": [],
        "server_bugs": [],
    }
    # the test did what it claims: many kills, many mid-publish, every fault kind
    assert stats.killed >= runs // 2, stats.as_dict()
    assert stats.interrupted >= runs // 10, stats.as_dict()
    # kills landed between an upload and the final call, and a later run reused the
    # upload: the soak makes enough kills to be sure of it (a short run usually does, but
    # where kills land depends on the machine's speed; each driver's own kill test shows
    # the reuse every time)
    if runs >= 60:
        assert stats.states["resumed with kept handles"] > 0, stats.as_dict()
    kinds = {name.split()[-1] for name, count in stats.faults.items() if count}
    assert kinds == set(MIX), stats.faults
    for network in networks:  # each server had its share of faults
        assert sum(n for k, n in stats.faults.items() if k.startswith(network)) >= 3, stats.faults
