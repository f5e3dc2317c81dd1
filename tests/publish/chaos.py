"""The chaos harness: publish runs killed at random instants against servers
that fail at random, then settled; what the servers hold is compared with
what the ledger says. Used by test_chaos.py (bounded) and runnable alone for
longer runs: ``python -m tests.publish.chaos --runs 1000``."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from smmgen.publish.ledger.records import parse_lines
from smmgen.publish.ledger.state import fold
from tests.publish.gitrepo import clone, git, origin_with
from tests.servers.base import Faults
from tests.servers.mastodon import MastodonServer
from tests.servers.webhook import SECRET, WebhookServer

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
MIX = {
    "reset_after": 0.07,
    "reset_before": 0.04,
    "timeout_after": 0.04,
    "error_500": 0.06,
    "rate_429": 0.04,
}
TOKEN = "chaos-masto-token-5f0b9d2c7e"


@dataclass
class Stats:
    runs: int = 0
    killed: int = 0
    completed: int = 0
    interrupted: int = 0  # kills that left an item claimed without a result
    states: Counter[str] = field(default_factory=Counter)  # ledger states seen after killed runs
    faults: Counter[str] = field(default_factory=Counter)
    resolved: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "killed": self.killed,
            "completed": self.completed,
            "interrupted_mid_publish": self.interrupted,
            "ledger_states_after_kills": dict(self.states),
            "faults_injected": dict(self.faults),
            "resolved_by_hand": dict(self.resolved),
            "seconds": round(self.seconds, 1),
        }


def _post(number: int) -> tuple[str, str]:
    when = START + timedelta(minutes=3 * number)
    ident = f"p{number:03d}"
    if number % 4 == 0:
        body = (
            f"Thread {ident} one.\n\n---\n\nThread {ident} two.\n\n---\n\nThread {ident} three.\n"
        )
    else:
        body = f"Post {ident}: hello from the chaos test.\n"
    front = f"---\nid: {ident}\npublish_at: {when:%Y-%m-%d %H:%M}\nthread: true\n---\n"
    return f"{ident}.md", front + body


def make_project(root: Path, posts: int, masto: str, hook: str) -> None:
    (root / "content").mkdir(parents=True)
    (root / "channels.yaml").write_text(
        "defaults:\n  channels: [masto, hook]\n"
        "channels:\n"
        f"  masto: {{type: mastodon, instance: '{masto}', token_env: CHAOS_MASTO_TOKEN}}\n"
        f"  hook: {{type: webhook, url: '{hook}', secret_env: CHAOS_HOOK_SECRET}}\n"
        "ledger: {store: git, lease: 0s}\n",
        encoding="utf-8",
    )
    (root / "calendar.yaml").write_text(
        "timezone: UTC\nmax_lateness: 30d\nmin_gap: 0m\n", encoding="utf-8"
    )
    for number in range(posts):
        name, text = _post(number)
        (root / "content" / name).write_text(text, encoding="utf-8")


def _env(at: datetime, timeout: float = 0.3, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a run; the short timeout turns the servers' held-back
    answers into timeouts (settling runs get a long one: a busy machine is no fault)."""
    env = dict(os.environ)
    env.update(extra or {})
    env.update(
        SMMGEN_AT=at.strftime("%Y-%m-%d %H:%M"),
        CHAOS_MASTO_TOKEN=TOKEN,
        CHAOS_HOOK_SECRET=SECRET,
        SMMGEN_RETRY_SCALE="0.01",
        SMMGEN_HTTP_TIMEOUT=str(timeout),
        NO_COLOR="1",
    )
    return env


class Publishing:
    """How long runs publish, from their first request to their exit, so that a
    kill can land at a random instant of that span whatever the machine's speed
    (a busy machine starts Python slowly: a kill timed from the process start
    would then land before the run publishes anything)."""

    def __init__(self, requests: Callable[[], int]):
        self.requests = requests  # how many requests the servers have had
        self.spans: deque[float] = deque([0.2], maxlen=15)

    def kill_after(self, chance: random.Random) -> float:
        """A random instant within most of a typical run's span (most runs are killed)."""
        return chance.uniform(0.0, 0.7 * statistics.median(self.spans))

    def first_request(self, process: subprocess.Popen[bytes]) -> float | None:
        """When the run made its first request; None if it ended without one."""
        before, deadline = self.requests(), time.monotonic() + 30
        while self.requests() == before:
            if process.poll() is not None or time.monotonic() > deadline:
                return None
            time.sleep(0.002)
        return time.monotonic()


def publish(
    root: Path,
    at: datetime,
    *,
    kill_after: float | None,
    settle: bool = False,
    publishing: Publishing | None = None,
    extra: dict[str, str] | None = None,
) -> int | None:
    """One run; killed with SIGKILL after ``kill_after`` seconds (None: let it
    finish), counted from its first request when ``publishing`` is given (which
    then learns how long the run published if it was not killed)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "smmgen", "--root", str(root), "publish", "--format", "json"],
        env=_env(at, 10.0 if settle else 0.3, extra),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        first = publishing.first_request(process) if publishing else None
        try:
            code = process.wait(timeout=60 if kill_after is None else kill_after)
            if publishing is not None and first is not None:
                publishing.spans.append(time.monotonic() - first)
            return code
        except subprocess.TimeoutExpired:
            if kill_after is None:
                raise
            process.send_signal(signal.SIGKILL)
            process.wait()
            return None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def ledger(bare: Path) -> list[dict[str, Any]]:
    try:
        names = git(bare, "ls-tree", "--name-only", "smmgen-ledger").split()
    except subprocess.CalledProcessError:
        return []
    records: list[dict[str, Any]] = []
    for name in names:
        if name.endswith(".jsonl"):
            found, _ = parse_lines(git(bare, "show", f"smmgen-ledger:{name}"), name)
            records.extend(found)
    return records


def run_chaos(
    workdir: Path, *, runs: int, posts: int, seed: int = 1
) -> tuple[Stats, dict[str, Any]]:
    """Returns the statistics and the findings (empty lists when all is well)."""
    chance = random.Random(seed)
    stats = Stats()
    started = time.monotonic()
    masto_faults = Faults(MIX, seed=seed, delay=0.6, reads=True)
    hook_faults = Faults(MIX, seed=seed + 1, delay=0.6)
    with (
        MastodonServer(masto_faults, token=TOKEN, idempotency=False, rate_limit=10**6) as masto,
        WebhookServer(faults=hook_faults, tolerance=10**9) as hook,
    ):
        root = workdir / "project"
        make_project(root, posts, masto.url, hook.endpoint)
        bare = workdir / "origin.git"
        origin_with(root, bare)
        span = timedelta(minutes=3 * posts)
        publishing = Publishing(lambda: len(masto.requests) + len(hook.requests))
        for number in range(runs):
            at = START + span * (number + 1) / runs
            stats.runs += 1
            if chance.random() < 0.15:
                publish(root, at, kill_after=None, publishing=publishing)
                stats.completed += 1
                continue
            kill_after = publishing.kill_after(chance)
            code = publish(root, at, kill_after=kill_after, publishing=publishing)
            if code is not None:
                stats.completed += 1
                continue
            stats.killed += 1
            states = fold(ledger(bare))
            claimed = [s for s in states.values() if s.status == "claimed"]
            stats.interrupted += bool(claimed)
            stats.states.update(s.status for s in states.values())
        # settle: no more faults, runs to the end
        for name in list(masto_faults.rates):
            stats.faults[f"mastodon {name}"] = masto_faults.injected[name]
            stats.faults[f"webhook {name}"] = hook_faults.injected[name]
        masto_faults.rates.clear()
        hook_faults.rates.clear()
        end = START + span + timedelta(minutes=5)
        for _ in range(3):
            if publish(root, end, kill_after=None, settle=True) == 0:
                break
        # a person settles the unknown webhook deliveries by looking at the receiver
        sent = Counter(r.header("x-smmgen-delivery") for r in hook.requests if r.method == "POST")
        for state in fold(ledger(bare)).values():
            if state.status in ("unknown", "retry", "failed") and state.channel == "hook":
                delivery = _delivery(hook, state.post)
                outcome = "published" if delivery and sent[delivery] else "retry"
                stats.resolved[outcome] += 1
                subprocess.run(
                    [sys.executable, "-m", "smmgen", "--root", str(root), "ledger", "resolve",
                     state.post, "--channel", "hook", "--as", outcome],
                    env=_env(end), check=True, capture_output=True,
                )  # fmt: skip
        final = publish(root, end, kill_after=None, settle=True)
        stats.seconds = time.monotonic() - started
        return stats, _findings(root, bare, masto, hook, posts, final)


def _delivery(hook: WebhookServer, post: str) -> str | None:
    for request in hook.requests:
        if request.method == "POST":
            try:
                body = json.loads(request.body)
            except ValueError:
                continue
            if body.get("post") == post:
                return str(body.get("delivery"))
    return None


def _findings(
    root: Path,
    bare: Path,
    masto: MastodonServer,
    hook: WebhookServer,
    posts: int,
    final: int | None,
) -> dict[str, Any]:
    problems: dict[str, Any] = {"final_exit": [] if final == 0 else [final]}
    texts = Counter(s.text for s in masto.statuses)
    by_text = {s.text: s for s in masto.statuses}
    states = fold(ledger(bare))
    wrong_count, wrong_thread, disagree = [], [], []
    for number in range(posts):
        ident = f"p{number:03d}"
        parts = (
            [f"Thread {ident} one.", f"Thread {ident} two.", f"Thread {ident} three."]
            if number % 4 == 0
            else [f"Post {ident}: hello from the chaos test."]
        )
        found = []
        for index, text in enumerate(parts):
            matches = [t for t in texts if t.startswith(text)]
            total = sum(texts[t] for t in matches)
            if total != 1:
                wrong_count.append((ident, index, total))
                continue
            found.append(by_text[matches[0]])
        if len(found) == len(parts):
            for parent, child in itertools.pairwise(found):
                if child.in_reply_to_id != parent.id:
                    wrong_thread.append(ident)
            state = states.get((ident, "masto"))
            ids = [r.id for r in state.thread()] if state else []
            if state is None or state.status != "published" or ids != [s.id for s in found]:
                disagree.append((ident, "masto", state.status if state else None))
        hook_state = states.get((ident, "hook"))
        if hook_state is None or hook_state.status != "published":
            disagree.append((ident, "hook", hook_state.status if hook_state else None))
    sent = Counter(r.header("x-smmgen-delivery") for r in hook.requests if r.method == "POST")
    per_post = Counter()
    for request in hook.requests:
        if request.method == "POST":
            body = json.loads(request.body)
            per_post[(body["post"], body["index"])] += 1
    problems["mastodon_not_exactly_once"] = wrong_count
    problems["mastodon_thread_broken"] = wrong_thread
    problems["webhook_not_exactly_once"] = [
        k for k in {(f"p{n:03d}", 0) for n in range(posts)} if per_post[k] != 1
    ] + [d for d, n in sent.items() if n > 1]
    problems["ledger_disagrees"] = disagree
    problems["server_bugs"] = masto.errors + hook.errors
    return problems


# -- a ledger branch deleted or force-pushed back ---------------------------------

MISHAPS = ("rewind", "delete", "rewind during a run", "delete during a run")
RESTORE = re.compile(r"`(git push \S+ [0-9a-f]{40}:refs/heads/\S+)`")


@dataclass
class RewindStats:
    runs: int = 0
    mishaps: Counter[str] = field(default_factory=Counter)
    refused: int = 0  # runs after a mishap that stopped before sending
    stopped: int = 0  # runs at work when the mishap came that stopped (their next push failed)
    fresh_clones: int = 0  # runs in a clone of their own, as in CI
    restored: int = 0  # branches restored with the command the refusal printed
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "mishaps": dict(self.mishaps),
            "refused": self.refused,
            "stopped_mid_run": self.stopped,
            "fresh_clones": self.fresh_clones,
            "restored": self.restored,
            "seconds": round(self.seconds, 1),
        }


def _lose_ledger(bare: Path, mishap: str, chance: random.Random) -> bool:
    """Delete the ledger branch on the remote, or set it back to an older ledger
    commit (what a force push does there); False if there is nothing to do."""
    try:
        commits = git(bare, "rev-list", "smmgen-ledger").split()
    except subprocess.CalledProcessError:
        return False
    if mishap.startswith("delete"):
        git(bare, "update-ref", "-d", "refs/heads/smmgen-ledger")
        return True
    if len(commits) < 2:
        return False
    git(bare, "update-ref", "refs/heads/smmgen-ledger", chance.choice(commits[1:]))
    return True


def _start(root: Path, at: datetime) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "smmgen", "--root", str(root), "publish", "--format", "json"],
        env=_env(at, 10.0), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def run_rewind_chaos(
    workdir: Path, *, runs: int, posts: int, seed: int = 1
) -> tuple[RewindStats, dict[str, Any]]:
    """Publish runs, half of them in a fresh clone (as CI runs them), while the
    ledger branch is deleted or force-pushed back, between runs or while one
    publishes. The run after each mishap must stop before sending anything and
    print how to restore the branch; the printed command is run, and publishing
    goes on. Returns the statistics and the findings (empty lists when all is
    well): those of :func:`run_chaos` and the runs that sent after a mishap or
    did not refuse."""
    chance = random.Random(seed)
    stats = RewindStats()
    started = time.monotonic()
    sent_after, not_refused = [], []
    with (
        MastodonServer(token=TOKEN, idempotency=False, rate_limit=10**6) as masto,
        WebhookServer(tolerance=10**9) as hook,
    ):
        root = workdir / "project"
        make_project(root, posts, masto.url, hook.endpoint)
        bare = workdir / "origin.git"
        origin_with(root, bare)
        span = timedelta(minutes=3 * posts)
        publishing = Publishing(lambda: len(masto.requests) + len(hook.requests))
        for number in range(runs):
            at = START + span * (number + 1) / runs
            stats.runs += 1
            repo = root
            if number % 2:  # every other run in a clone of its own, as CI makes
                repo = clone(bare, workdir / f"run-{number}")
                stats.fresh_clones += 1
            mishap = MISHAPS[number % len(MISHAPS)]  # each as often
            process = _start(repo, at)
            if mishap.endswith("during a run"):
                if publishing.first_request(process) is not None:
                    time.sleep(publishing.kill_after(chance))
                lost = _lose_ledger(bare, mishap, chance)
                process.communicate(timeout=120)
                if lost and process.returncode != 0:
                    stats.stopped += 1
            else:
                first = publishing.first_request(process)
                process.communicate(timeout=120)
                if first is not None and process.returncode == 0:
                    publishing.spans.append(time.monotonic() - first)
                lost = _lose_ledger(bare, mishap, chance)
            if not lost:
                continue
            stats.mishaps[mishap] += 1
            # the next run, in this clone or a fresh one, sends nothing and says what to do
            after = root if chance.random() < 0.5 else clone(bare, workdir / f"after-{number}")
            before = publishing.requests()
            refused = _start(after, at)
            _, error = refused.communicate(timeout=120)
            if publishing.requests() != before:
                sent_after.append((number, mishap))
            commands = RESTORE.findall(error)
            if refused.returncode == 0 or not commands:
                not_refused.append((number, mishap, refused.returncode))
                continue
            stats.refused += 1
            subprocess.run(shlex.split(commands[0]), cwd=after, check=True, capture_output=True)
            stats.restored += 1
        # settle: run to the end, then a person settles the unknown webhook deliveries
        end = START + span + timedelta(minutes=5)
        for _ in range(3):
            if publish(root, end, kill_after=None, settle=True) == 0:
                break
        sent = Counter(r.header("x-smmgen-delivery") for r in hook.requests if r.method == "POST")
        for state in fold(ledger(bare)).values():
            if state.status in ("unknown", "retry", "failed") and state.channel == "hook":
                delivery = _delivery(hook, state.post)
                outcome = "published" if delivery and sent[delivery] else "retry"
                subprocess.run(
                    [sys.executable, "-m", "smmgen", "--root", str(root), "ledger", "resolve",
                     state.post, "--channel", "hook", "--as", outcome],
                    env=_env(end), check=True, capture_output=True,
                )  # fmt: skip
        final = publish(root, end, kill_after=None, settle=True)
        stats.seconds = time.monotonic() - started
        problems = _findings(root, bare, masto, hook, posts, final)
        problems["sent_after_a_lost_ledger"] = sent_after
        problems["lost_ledger_not_refused"] = not_refused
        return stats, problems


# -- SIGINT and SIGTERM ---------------------------------------------------------------


@dataclass
class SignalStats(Stats):
    """``killed`` counts the runs a signal reached while they published."""

    codes: Counter[int] = field(default_factory=Counter)  # exit codes of the signalled runs
    left_for_next_run: int = 0  # signalled runs that left items untried

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        del data["interrupted_mid_publish"]  # a signalled run leaves no claim open: see findings
        return {**data, "exit_codes": dict(self.codes), "left_for_next_run": self.left_for_next_run}


@dataclass
class Signalled:
    code: int
    report: dict[str, Any] | None  # the summary it printed (JSON), None if none
    late: list[int]  # per server: requests that reached it after the run took the signal
    signum: int | None  # None: the run ended before the signal was due


def publish_signalled(
    root: Path,
    at: datetime,
    *,
    after: float,
    signum: int,
    publishing: Publishing,
    servers: list[Callable[[], int]],
    out: Path,
) -> Signalled:
    """One run sent ``signum`` ``after`` seconds from its first request, unless it
    ends first. The requests each server gets after the run took the signal (it
    says so on stderr; on a busy machine that can be a moment after it was sent)
    are counted."""
    with open(out, "w+b") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "smmgen", "--root", str(root), "publish", "--format", "json"],
            env=_env(at), stdout=stdout, stderr=subprocess.PIPE,
        )  # fmt: skip
        taken: list[list[int]] = []  # the servers' counts when the run took the signal

        def watch() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                if b": stopping:" in line and not taken:
                    taken.append([count() for count in servers])

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            first = publishing.first_request(process)
            try:
                code = process.wait(timeout=after)
                if first is not None:
                    publishing.spans.append(time.monotonic() - first)
                sent: int | None = None
            except subprocess.TimeoutExpired:
                process.send_signal(signum)
                code = process.wait(timeout=120)
                sent = signum
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            watcher.join(timeout=10)
            if process.stderr is not None:
                process.stderr.close()
        late = [count() - n for count, n in zip(servers, taken[0], strict=True)] if taken else []
        stdout.seek(0)
        text = stdout.read().decode("utf-8", errors="replace")
    try:
        report = json.loads(text)
    except ValueError:
        report = None
    return Signalled(code, report, late, sent)


def run_signal_chaos(
    workdir: Path, *, runs: int, posts: int, seed: int = 1
) -> tuple[SignalStats, dict[str, Any]]:
    """As :func:`run_chaos`, but runs are stopped by SIGINT or SIGTERM at random
    instants. Besides exactly once, each signalled run must start no request
    once it has taken the signal (one in flight per server may end), exit 130
    or 143 with its summary, and leave no claim without a record."""
    chance = random.Random(seed)
    stats = SignalStats()
    started = time.monotonic()
    masto_faults = Faults(MIX, seed=seed, delay=0.6, reads=True)
    hook_faults = Faults(MIX, seed=seed + 1, delay=0.6)
    bad_exits: list[tuple[int, str, int, bool | None]] = []
    late: list[tuple[int, str, int]] = []
    claims_left: list[tuple[int, list[tuple[str, str]]]] = []
    with (
        MastodonServer(masto_faults, token=TOKEN, idempotency=False, rate_limit=10**6) as masto,
        WebhookServer(faults=hook_faults, tolerance=10**9) as hook,
    ):
        root = workdir / "project"
        make_project(root, posts, masto.url, hook.endpoint)
        bare = workdir / "origin.git"
        origin_with(root, bare)
        span = timedelta(minutes=3 * posts)
        publishing = Publishing(lambda: len(masto.requests) + len(hook.requests))
        counters = [lambda: len(masto.requests), lambda: len(hook.requests)]
        for number in range(runs):
            at = START + span * (number + 1) / runs
            stats.runs += 1
            if chance.random() < 0.15:
                publish(root, at, kill_after=None, publishing=publishing)
                stats.completed += 1
                continue
            signum = chance.choice([signal.SIGINT, signal.SIGTERM])
            after = publishing.kill_after(chance)
            done = publish_signalled(root, at, after=after, signum=signum,
                                     publishing=publishing, servers=counters,
                                     out=workdir / "out.json")  # fmt: skip
            report = done.report
            interrupted = report.get("interrupted") if report else None
            if done.signum is None or not interrupted:  # it ended before the signal
                stats.completed += 1
                allowed = {0, 1}
                if done.signum is not None:  # caught on the way out, handlers restored or not
                    allowed |= {128 + done.signum, -done.signum}
                if done.code not in allowed or report is None:
                    bad_exits.append((number, "ended", done.code, interrupted))
                continue
            stats.killed += 1
            stats.codes[done.code] += 1
            if done.code != 128 + done.signum or report is None:
                bad_exits.append((number, signal.Signals(done.signum).name, done.code, interrupted))
            if not done.late:
                bad_exits.append((number, "signal not acknowledged", done.code, interrupted))
            for name, count in zip(("mastodon", "webhook"), done.late, strict=False):
                if count > 1:
                    late.append((number, name, count))
            skipped = [i for i in report["items"] if i["outcome"] == "skipped"]
            stats.left_for_next_run += any("interrupted" in i["detail"] for i in skipped)
            states = fold(ledger(bare))
            claimed = [k for k, s in states.items() if s.status == "claimed"]
            if claimed:
                claims_left.append((number, claimed))
            stats.states.update(s.status for s in states.values())
        for name in list(masto_faults.rates):
            stats.faults[f"mastodon {name}"] = masto_faults.injected[name]
            stats.faults[f"webhook {name}"] = hook_faults.injected[name]
        final = _settle(root, bare, masto, hook, masto_faults, hook_faults, span, stats)
        stats.seconds = time.monotonic() - started
        problems = _findings(root, bare, masto, hook, posts, final)
        problems["bad_exit"] = bad_exits
        problems["requests_after_signal"] = late
        problems["claims_left_by_signalled_runs"] = claims_left
        return stats, problems


def _settle(
    root: Path,
    bare: Path,
    masto: MastodonServer,
    hook: WebhookServer,
    masto_faults: Faults,
    hook_faults: Faults,
    span: timedelta,
    stats: Stats,
) -> int | None:
    """No more faults: runs to the end; a person settles the unknown webhook
    deliveries by looking at the receiver; the exit code of the last run."""
    masto_faults.rates.clear()
    hook_faults.rates.clear()
    end = START + span + timedelta(minutes=5)
    for _ in range(3):
        if publish(root, end, kill_after=None, settle=True) == 0:
            break
    sent = Counter(r.header("x-smmgen-delivery") for r in hook.requests if r.method == "POST")
    for state in fold(ledger(bare)).values():
        if state.status in ("unknown", "retry", "failed") and state.channel == "hook":
            delivery = _delivery(hook, state.post)
            outcome = "published" if delivery and sent[delivery] else "retry"
            stats.resolved[outcome] += 1
            subprocess.run(
                [sys.executable, "-m", "smmgen", "--root", str(root), "ledger", "resolve",
                 state.post, "--channel", "hook", "--as", outcome],
                env=_env(end), check=True, capture_output=True,
            )  # fmt: skip
    return publish(root, end, kill_after=None, settle=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--posts", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--signals", action="store_true", help="SIGINT/SIGTERM, not SIGKILL")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        chaos = run_signal_chaos if args.signals else run_chaos
        stats, problems = chaos(Path(directory), runs=args.runs, posts=args.posts, seed=args.seed)
    print(json.dumps({"stats": stats.as_dict(), "problems": problems}, indent=2))


if __name__ == "__main__":
    main()
