"""The chaos harness for the networks without an idempotency key (X, LinkedIn,
Threads, Facebook) and Mastodon beside them: publish runs killed with SIGKILL at
random instants while every server fails at random, then settled; each part of
each post must be public exactly once on each network, threads linked as the
network links them, and the ledger must agree with the servers.

Every fourth post is a thread of three parts and every fifth has an image with
alternative text, so kills land between an upload and the call that makes a
post public: the resumed run must reuse what the ledger kept (``prepared``).

Each network's strict server (``tests/servers/<network>.py``) offers the same
face: ``published()`` (what a reader sees: ``id``, ``text``, ``reply_to``,
``media``), ``ENV`` (its fake credentials) and ``channel_yaml(server)``.
Runnable alone for longer runs: ``python -m tests.publish.chaos_networks --runs 300``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from smmgen.publish.ledger.state import fold
from tests.publish.chaos import (
    MIX,
    START,
    TOKEN,
    Publishing,
    Stats,
    _env,
    ledger,
    publish,
)
from tests.publish.gitrepo import origin_with
from tests.servers import facebook, linkedin, threads, x
from tests.servers.base import Faults
from tests.servers.mastodon import MastodonServer
from tests.servers.telegram import png

#: A 1x1 PNG (the smallest image every network takes).
PNG = png(1, 1)


@dataclass
class Target:
    """One network in the chaos run: its channel, its server and how to read it."""

    channel: str
    entry: dict[str, Any]  # the channel's settings in channels.yaml
    env: dict[str, str]
    faults: Faults
    public: Callable[[], list[dict[str, Any]]]
    errors: Callable[[], list[str]]
    requests: Callable[[], int]  # how many requests its server has had
    #: "chain": each part replies to the one before; "comments": to the first
    replies: str = "chain"


def _mastodon(stack: ExitStack, faults: Faults, site: str) -> Target:
    server = stack.enter_context(
        MastodonServer(faults, token=TOKEN, idempotency=False, rate_limit=10**6)
    )

    def public() -> list[dict[str, Any]]:
        return [
            {"id": s.id, "text": s.text, "reply_to": s.in_reply_to_id, "media": len(s.media_ids)}
            for s in server.statuses
        ]

    entry = {"type": "mastodon", "instance": server.url, "token_env": "CHAOS_MASTO_TOKEN"}
    return Target(
        "masto",
        entry,
        {"CHAOS_MASTO_TOKEN": TOKEN},
        faults,
        public,
        lambda: server.errors,
        lambda: len(server.requests),
    )


def _threads(stack: ExitStack, faults: Faults, site: str) -> Target:
    server = stack.enter_context(threads.ThreadsServer(faults))
    return Target(
        "thr",
        threads.channel_yaml(server, site),
        dict(threads.ENV),
        faults,
        server.published,
        lambda: server.errors,
        lambda: len(server.requests),
    )


def _facebook(stack: ExitStack, faults: Faults, site: str) -> Target:
    server = stack.enter_context(facebook.FacebookServer(faults))
    return Target(
        "fb",
        facebook.channel_yaml(server),
        dict(facebook.ENV),
        faults,
        server.published,
        lambda: server.errors,
        lambda: len(server.requests),
        replies="comments",  # a Page has no threads: the later parts comment on the first
    )


def _x(stack: ExitStack, faults: Faults, site: str) -> Target:
    # rate limits far off: the chaos run posts far more than X's 100 per 15 minutes
    server = stack.enter_context(
        x.XServer(faults, post_window=10**6, user_day=10**6, app_day=10**6)
    )
    x.prime([_post(n)[2][i] for n in range(200) for i in range(len(_post(n)[2]))])
    return Target(
        "xx",
        x.channel_yaml(server),
        dict(x.ENV),
        faults,
        server.published,
        lambda: server.errors,
        lambda: len(server.requests),
    )


def _linkedin(stack: ExitStack, faults: Faults, site: str) -> Target:
    server = stack.enter_context(linkedin.LinkedInServer(faults))
    return Target(
        "li",
        linkedin.channel_yaml(server),  # an organization: its own posts can be read back
        dict(linkedin.ENV),
        faults,
        server.published,
        lambda: server.errors,
        lambda: len(server.requests),
        replies="comments",  # LinkedIn has no threads: the later parts comment on the first
    )


#: name -> how to start its server (within the ExitStack) and describe it
NETWORKS: dict[str, Callable[[ExitStack, Faults, str], Target]] = {
    "mastodon": _mastodon,
    "x": _x,
    "linkedin": _linkedin,
    "threads": _threads,
    "facebook": _facebook,
}


def _post(number: int) -> tuple[str, str, list[str]]:
    """The file name, the file, and the text of each part."""
    when = START + timedelta(minutes=3 * number)
    ident = f"p{number:03d}"
    if number % 4 == 0:
        parts = [f"Thread {ident} one.", f"Thread {ident} two.", f"Thread {ident} three."]
    else:
        parts = [f"Post {ident}: hello from the chaos test."]
    front = f"---\nid: {ident}\npublish_at: {when:%Y-%m-%d %H:%M}\nthread: true\n"
    if number % 5 == 0:
        front += f"media:\n  - {{path: media/{ident}.png, alt: 'A dot for {ident}'}}\n"
    return f"{ident}.md", front + "---\n" + "\n\n---\n\n".join(parts) + "\n", parts


def make_project(root: Path, posts: int, targets: list[Target]) -> None:
    (root / "content").mkdir(parents=True)
    (root / "media").mkdir()
    config = {
        "defaults": {"channels": [t.channel for t in targets]},
        "channels": {t.channel: t.entry for t in targets},
        "ledger": {"store": "git", "lease": "0s"},
    }
    (root / "channels.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (root / "calendar.yaml").write_text(
        "timezone: UTC\nmax_lateness: 30d\nmin_gap: 0m\n", encoding="utf-8"
    )
    for number in range(posts):
        name, text, _ = _post(number)
        (root / "content" / name).write_text(text, encoding="utf-8")
        if number % 5 == 0:
            (root / "media" / f"p{number:03d}.png").write_bytes(PNG)


@contextmanager
def _site(root: Path) -> Iterator[str]:
    """The project's files served on loopback (networks that fetch media by URL)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_network_chaos(
    workdir: Path, *, networks: list[str], runs: int, posts: int, seed: int = 1
) -> tuple[Stats, dict[str, Any]]:
    """Returns the statistics and the findings (empty lists when all is well)."""
    chance = random.Random(seed)
    stats = Stats()
    started = time.monotonic()
    root = workdir / "project"
    with ExitStack() as stack:
        site = stack.enter_context(_site(root))
        targets = [
            NETWORKS[name](stack, Faults(MIX, seed=seed + n, delay=0.6, reads=True), site)
            for n, name in enumerate(networks)
        ]
        env: dict[str, str] = {}
        for target in targets:
            env.update(target.env)
        make_project(root, posts, targets)
        bare = workdir / "origin.git"
        origin_with(root, bare)
        span = timedelta(minutes=3 * posts)
        publishing = Publishing(lambda: sum(t.requests() for t in targets))
        for number in range(runs):
            at = START + span * (number + 1) / runs
            stats.runs += 1
            if chance.random() < 0.15:
                publish(root, at, kill_after=None, publishing=publishing, extra=env)
                stats.completed += 1
                continue
            kill_after = publishing.kill_after(chance)
            code = publish(root, at, kill_after=kill_after, publishing=publishing, extra=env)
            if code is not None:
                stats.completed += 1
                continue
            stats.killed += 1
            states = fold(ledger(bare))
            claimed = [s for s in states.values() if s.status == "claimed"]
            stats.interrupted += bool(claimed)
            stats.states.update(s.status for s in states.values())
        for target, name in zip(targets, networks, strict=True):
            for fault in MIX:
                stats.faults[f"{name} {fault}"] = target.faults.injected[fault]
            target.faults.rates.clear()
        end = START + span + timedelta(minutes=5)
        final = None
        for _ in range(4):
            final = publish(root, end, kill_after=None, settle=True, extra=env)
            if final == 0:
                break
            _settle_by_hand(root, bare, targets, posts, stats, env)
        stats.seconds = time.monotonic() - started
        records = ledger(bare)
        prepared = {
            (r["post"], r["channel"], r["index"]): r["run"]
            for r in records
            if r["event"] == "prepared"
        }
        for record in records:  # parts made public by a later run than the one that prepared them
            key = (record["post"], record["channel"], record.get("index"))
            if record["event"] == "part" and key in prepared and prepared[key] != record["run"]:
                stats.states["resumed with kept handles"] += 1
        return stats, _findings(bare, targets, posts, final)


def _settle_by_hand(
    root: Path, bare: Path, targets: list[Target], posts: int, stats: Stats, env: dict[str, str]
) -> None:
    """What a person does with an item left ``unknown`` or ``failed``: looks on the
    network; every part there -> published, none -> retry (a part between is left
    for the findings: no person could settle it with one word)."""
    wanted = {f"p{n:03d}": _post(n)[2] for n in range(posts)}
    end = START + timedelta(minutes=3 * posts + 5)
    for state in fold(ledger(bare)).values():
        if state.status not in ("unknown", "retry", "failed"):
            continue
        target = next(t for t in targets if t.channel == state.channel)
        texts = [p["text"] for p in target.public()]
        present = [any(t.startswith(part) for t in texts) for part in wanted[state.post]]
        if all(present):
            outcome = "published"
        elif not any(present[len(state.thread()) :]):
            outcome = "retry"
        else:
            continue
        stats.resolved[outcome] += 1
        subprocess.run(
            [sys.executable, "-m", "smmgen", "--root", str(root), "ledger", "resolve",
             state.post, "--channel", state.channel, "--as", outcome],
            env=_env(end, 10.0, env), check=True, capture_output=True,
        )  # fmt: skip


def _findings(bare: Path, targets: list[Target], posts: int, final: int | None) -> dict[str, Any]:
    problems: dict[str, Any] = {
        "final_exit": [] if final == 0 else [final],
        "not_exactly_once": [],
        "thread_broken": [],
        "media_lost": [],
        "ledger_disagrees": [],
        "server_bugs": [],
    }
    states = fold(ledger(bare))
    for target in targets:
        public = target.public()
        problems["server_bugs"] += target.errors()
        for number in range(posts):
            ident = f"p{number:03d}"
            parts = _post(number)[2]
            found = []
            for index, text in enumerate(parts):
                matches = [p for p in public if p["text"].startswith(text)]
                if len(matches) != 1:
                    problems["not_exactly_once"].append(
                        (target.channel, ident, index, len(matches))
                    )
                    continue
                found.append(matches[0])
            if len(found) != len(parts):
                continue
            if number % 5 == 0 and found[0]["media"] != 1:
                problems["media_lost"].append((target.channel, ident, found[0]["media"]))
            for index, child in enumerate(found[1:], 1):
                parent = found[index - 1] if target.replies == "chain" else found[0]
                if child["reply_to"] != parent["id"]:
                    problems["thread_broken"].append((target.channel, ident, index))
            state = states.get((ident, target.channel))
            ids = [r.id for r in state.thread()] if state else []
            if state is None or state.status != "published" or ids != [p["id"] for p in found]:
                status = state.status if state else None
                problems["ledger_disagrees"].append((target.channel, ident, status, ids))
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--posts", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--networks", default=",".join(NETWORKS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        stats, problems = run_network_chaos(
            Path(directory),
            networks=args.networks.split(","),
            runs=args.runs,
            posts=args.posts,
            seed=args.seed,
        )
    print(json.dumps({"stats": stats.as_dict(), "problems": problems}, indent=2, default=str))


if __name__ == "__main__":
    main()
