"""Issue 11, class 3: SIGINT or SIGTERM stops `smmgen publish` without sending
anything more, losing a record or hiding what happened.

`smmgen publish` runs as a subprocess against test servers on 127.0.0.1 that
note when each request arrives (the machine's monotonic clock, which the test
shares with the subprocess) and can hold their answers back. A signal is sent
at a chosen instant: before the first request, while a request is in flight,
during a retry pause, between items, with several channels, and twice. Each
time: no request starts after the signal (the one in flight may finish), the
exit code is 130 (SIGINT) or 143 (SIGTERM), the summary is printed, the
in-flight item's result (or ``unknown``) is in the ledger and no claim is left
without one, and a next run publishes the rest, every item exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from smmgen.cli import cli
from smmgen.commands.publish import run_publish
from smmgen.publish.ledger.local import LocalStore
from smmgen.publish.ledger.records import parse_lines
from smmgen.publish.ledger.state import ItemState, fold
from tests.conftest import REPO, TODAY, MakeProject
from tests.servers.base import Faults, Reply, Request
from tests.servers.mastodon import MastodonServer
from tests.servers.webhook import PATH, SECRET, WebhookServer

TOKEN = "interrupt-test-token-41c9e7"
INT = pytest.param(signal.SIGINT, id="SIGINT")
TERM = pytest.param(signal.SIGTERM, id="SIGTERM")


@dataclass
class Arrival:
    at: float  # time.monotonic() when the request reached the server
    request: Request
    answered: float | None = None


@dataclass
class Clock:
    """What a server saw, when; ``hold`` seconds before each answer."""

    hold: float = 0.0
    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def around(self, request: Request, handle: Callable[[], Reply]) -> Reply:
        arrival = Arrival(time.monotonic(), request)
        with self.lock:
            self.arrivals.append(arrival)
        time.sleep(self.hold)
        reply = handle()
        arrival.answered = time.monotonic()
        return reply

    def after(self, instant: float) -> list[Arrival]:
        with self.lock:
            return [a for a in self.arrivals if a.at > instant]


class Hook(WebhookServer):
    def __init__(self, hold: float = 0.0, faults: Faults | None = None):
        super().__init__(tolerance=10**9, faults=faults)
        self.clock = Clock(hold)

    def handle(self, request: Request) -> Reply:
        return self.clock.around(request, lambda: super(Hook, self).handle(request))


class Masto(MastodonServer):
    def __init__(self, hold: float = 0.0):
        super().__init__(token=TOKEN)
        self.clock = Clock(hold)

    def handle(self, request: Request) -> Reply:
        return self.clock.around(request, lambda: super(Masto, self).handle(request))


@pytest.fixture
def hook() -> Iterator[Hook]:
    with Hook() as server:
        yield server


@pytest.fixture
def masto() -> Iterator[Masto]:
    with Masto() as server:
        yield server


def text(number: int) -> str:
    return f"Post p{number} of the interrupt test."


def project(make_project: MakeProject, posts: int, hook: Hook, masto: Masto | None = None) -> Path:
    names = ["hook", "masto"] if masto else ["hook"]
    channels = (
        f"defaults:\n  channels: [{', '.join(names)}]\nchannels:\n"
        f"  hook: {{type: webhook, url: '{hook.endpoint}', secret_env: INTERRUPT_HOOK}}\n"
    )
    if masto:
        channels += (
            f"  masto: {{type: mastodon, instance: '{masto.url}', token_env: INTERRUPT_MASTO}}\n"
        )
    channels += "ledger: {store: local}\n"
    files = {
        f"p{n}.md": f"---\nid: p{n}\npublish_at: 2026-11-25 09:{n:02d}\n---\n{text(n)}\n"
        for n in range(posts)
    }
    root = make_project(
        channels=channels, calendar="timezone: UTC\nmax_lateness: 1d\nmin_gap: 0m\n", posts=files
    )
    (root / "ledger").mkdir()
    return root


def environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SMMGEN_AT=TODAY,
        INTERRUPT_HOOK=SECRET,
        INTERRUPT_MASTO=TOKEN,
        SMMGEN_RETRY_SCALE="0.01",
        SMMGEN_HTTP_TIMEOUT="10",
        NO_COLOR="1",
    )
    env.update(extra)
    return env


def start(root: Path, *, fmt: str = "json", **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "smmgen", "--root", str(root), "publish", "--format", fmt],
        env=environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert process.poll() is None, f"the run ended first: {process.communicate()}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def handlers_installed(pid: int) -> bool:
    """The process catches SIGTERM (Python does not by default): publish's handlers are on."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))


@dataclass
class Ended:
    code: int
    stdout: str
    stderr: str
    signalled: float  # when the (first) signal was sent
    ended: float

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.stdout)
        return data


def interrupt(process: subprocess.Popen[str], signum: int, *more: int) -> Ended:
    """Send ``signum`` now (then each of ``more``, 0.2 s apart); wait for the exit."""
    signalled = time.monotonic()
    process.send_signal(signum)
    for other in more:
        time.sleep(0.2)
        if process.poll() is None:
            process.send_signal(other)
    stdout, stderr = process.communicate(timeout=60)
    return Ended(process.returncode, stdout, stderr, signalled, time.monotonic())


def ledger(root: Path) -> dict[tuple[str, str], ItemState]:
    records = []
    for path in sorted((root / "ledger").glob("*.jsonl")):
        found, problems = parse_lines(path.read_text(encoding="utf-8"), str(path))
        assert problems == []
        records += found
    return fold(records)


def post_of(arrival: Arrival) -> str | None:
    """The post a publishing request carries (None for the requests that only read)."""
    request = arrival.request
    if request.method != "POST":
        return None
    if request.path == PATH:  # the webhook
        return str(request.json()["post"])
    if request.path == "/api/v1/statuses":
        status = str(request.json()["status"])
        return next((f"p{n}" for n in range(100) if status.startswith(text(n))), None)
    return None


def check_interrupted(
    ended: Ended, signum: int, root: Path, servers: dict[str, Hook | Masto]
) -> dict[tuple[str, str], dict[str, Any]]:
    """What every interrupted run must show; returns the report's items."""
    assert ended.code == 128 + signum, (ended.code, ended.stderr)
    assert "Traceback" not in ended.stderr
    assert f"interrupted by {signal.Signals(signum).name}" in ended.stderr
    report = ended.report()  # the summary was printed
    assert report["interrupted"] is True
    items = {(i["post"], i["channel"]): i for i in report["items"]}
    states = ledger(root)
    for channel, server in servers.items():
        late = server.clock.after(ended.signalled)
        # no request starts after the signal: only the one in flight may arrive late
        assert len(late) <= 1, [(a.request.method, a.request.path) for a in late]
        for arrival in server.clock.arrivals:
            post = post_of(arrival)
            if post is None:
                continue
            state = states[post, channel]
            assert state.status in ("published", "unknown"), (post, channel, state)
            assert items[post, channel]["outcome"] in ("published", "unknown")
    for key, state in states.items():
        assert state.status != "claimed", f"{key} claimed, without a result"
    for key, item in items.items():
        if item["outcome"] == "skipped":
            assert "interrupted" in item["detail"], item
            assert key not in states or states[key].status == "retry", states[key]
    return items


def sent(servers: dict[str, Hook | Masto]) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for channel, server in servers.items():
        for arrival in server.clock.arrivals:
            post = post_of(arrival)
            if post is not None:
                out[post, channel] += 1
    return out


def finish(root: Path, servers: dict[str, Hook | Masto], posts: int) -> dict[str, Any]:
    """A normal next run (in-process: quicker): every item is then out exactly
    once (an item whose outcome is unknown was sent once and is not sent again)."""
    for server in servers.values():
        server.clock.hold = 0.0
    arguments = ["--root", str(root), "publish", "--format", "json"]
    result = CliRunner().invoke(cli, arguments, env=environment(), catch_exceptions=False)
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["interrupted"] is False
    outcomes = {(i["post"], i["channel"]): i["outcome"] for i in report["items"]}
    assert set(outcomes.values()) <= {"published", "unknown"}, outcomes
    assert result.exit_code == (1 if "unknown" in outcomes.values() else 0), result.output
    counts = sent(servers)
    everything = {(f"p{n}", channel) for n in range(posts) for channel in servers}
    assert {key: counts[key] for key in everything} == dict.fromkeys(everything, 1)
    return report


@pytest.mark.parametrize("signum", [INT, TERM])
def test_a_signal_before_the_first_request_sends_nothing(
    make_project: MakeProject, hook: Hook, masto: Masto, signum: int
) -> None:
    servers: dict[str, Hook | Masto] = {"hook": hook, "masto": masto}
    root = project(make_project, 12, hook, masto)
    process = start(root)
    wait_until(lambda: handlers_installed(process.pid), process)
    ended = interrupt(process, signum)
    items = check_interrupted(ended, signum, root, servers)
    assert hook.clock.arrivals == []
    assert masto.clock.arrivals == []
    assert len(items) == 24
    assert {i["outcome"] for i in items.values()} == {"skipped"}
    assert {s.status for s in ledger(root).values()} <= {"retry"}
    finish(root, servers, 12)


@pytest.mark.parametrize(
    ("answer", "signum"),
    [
        pytest.param("answered", signal.SIGINT, id="answered-SIGINT"),
        pytest.param("timed out", signal.SIGTERM, id="timed-out-SIGTERM"),
    ],
)
def test_the_request_in_flight_is_recorded_and_no_other_starts(
    make_project: MakeProject, signum: int, answer: str
) -> None:
    timeout = "0.6" if answer == "timed out" else "10"
    with Hook(hold=1.2) as hook:
        servers: dict[str, Hook | Masto] = {"hook": hook}
        root = project(make_project, 4, hook)
        process = start(root, SMMGEN_HTTP_TIMEOUT=timeout)
        wait_until(lambda: len(hook.clock.arrivals) == 1, process)  # held at the server
        ended = interrupt(process, signum)
        items = check_interrupted(ended, signum, root, servers)
        assert len(hook.clock.arrivals) == 1
        expected = "published" if answer == "answered" else "unknown"
        assert items["p0", "hook"]["outcome"] == expected
        assert ledger(root)["p0", "hook"].status == expected
        assert [items[f"p{n}", "hook"]["outcome"] for n in (1, 2, 3)] == ["skipped"] * 3
        report = finish(root, servers, 4)
    if answer == "timed out":  # unknown: reported until settled, never sent again
        assert {i["post"]: i["outcome"] for i in report["items"]}["p0"] == "unknown"


@pytest.mark.parametrize("signum", [INT])
def test_a_signal_ends_a_retry_pause_and_nothing_is_retried(
    make_project: MakeProject, signum: int
) -> None:
    with Hook(faults=Faults()) as hook:
        servers: dict[str, Hook | Masto] = {"hook": hook}
        root = project(make_project, 3, hook)
        hook.faults.next("error_500")  # answered 500: retried after 10 to 20 s (scale 20)
        process = start(root, SMMGEN_RETRY_SCALE="20")
        wait_until(lambda: hook.faults.injected["error_500"] == 1, process)
        time.sleep(0.3)  # the run is in its pause now
        ended = interrupt(process, signum)
        items = check_interrupted(ended, signum, root, servers)
        assert ended.ended - ended.signalled < 8, "the pause went on after the signal"
        assert hook.clock.arrivals == []  # no retry
        assert items["p0", "hook"]["outcome"] == "skipped"
        assert ledger(root)["p0", "hook"].status == "retry"  # publishable by the next run
        finish(root, servers, 3)


@pytest.mark.parametrize("signum", [TERM])
def test_a_signal_between_items_starts_no_next_item(make_project: MakeProject, signum: int) -> None:
    with Hook(hold=0.25) as hook:
        servers: dict[str, Hook | Masto] = {"hook": hook}
        root = project(make_project, 6, hook)
        process = start(root)
        wait_until(lambda: bool(hook.clock.arrivals and hook.clock.arrivals[0].answered), process)
        ended = interrupt(process, signum)
        items = check_interrupted(ended, signum, root, servers)
        assert items["p0", "hook"]["outcome"] == "published"
        assert len(hook.clock.arrivals) <= 2
        assert sum(i["outcome"] == "skipped" for i in items.values()) >= 4
        finish(root, servers, 6)


@pytest.mark.parametrize("signum", [INT, TERM])
def test_every_channel_stops_and_claims_are_released(
    make_project: MakeProject, signum: int
) -> None:
    with Hook(hold=0.3) as hook, Masto(hold=0.3) as masto:
        servers: dict[str, Hook | Masto] = {"hook": hook, "masto": masto}
        root = project(make_project, 5, hook, masto)
        process = start(root)
        wait_until(lambda: bool(hook.clock.arrivals) and bool(masto.clock.arrivals), process)
        ended = interrupt(process, signum)
        items = check_interrupted(ended, signum, root, servers)
        states = ledger(root)
        # Mastodon claims its items together: those it did not send are released
        assert any(s.status == "retry" for (_, c), s in states.items() if c == "masto")
        assert sum(i["outcome"] == "skipped" for i in items.values()) >= 6
        finish(root, servers, 5)


def test_a_second_signal_does_not_cut_the_shutdown_short(make_project: MakeProject) -> None:
    with Hook(hold=1.0) as hook:
        servers: dict[str, Hook | Masto] = {"hook": hook}
        root = project(make_project, 3, hook)
        process = start(root, fmt="text")
        wait_until(lambda: len(hook.clock.arrivals) == 1, process)
        ended = interrupt(process, signal.SIGINT, signal.SIGTERM, signal.SIGINT)
        assert ended.code == 130  # the first signal's
        assert "still stopping" in ended.stderr
        assert "Traceback" not in ended.stderr
        lines = ended.stdout.splitlines()
        assert lines[-1] == "1 published, 2 skipped"  # the summary
        assert any(line.startswith("published") and "p0" in line for line in lines)
        assert ledger(root)["p0", "hook"].status == "published"
        assert len(hook.clock.arrivals) == 1
        finish(root, servers, 3)


def test_handlers_are_restored_after_an_in_process_run(
    make_project: MakeProject, hook: Hook, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(make_project, 1, hook)
    for name, value in environment().items():
        monkeypatch.setenv(name, value)
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    result = run("--root", root, "publish", "--format", "json")
    assert result.exit_code == 0, result.output
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_run_publish_takes_a_cancel_event(
    make_project: MakeProject, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python API: a set ``cancel`` event starts nothing and says so."""
    root = project(make_project, 3, hook)
    for name, value in environment().items():
        monkeypatch.setenv(name, value)
    cancel = threading.Event()
    cancel.set()
    report = run_publish(root, cancel=cancel)
    assert report.interrupted
    assert report.as_dict()["interrupted"] is True
    assert [r.outcome for r in report.results] == ["skipped"] * 3
    assert hook.clock.arrivals == []
    report = run_publish(root)
    assert not report.interrupted
    assert [r.outcome for r in report.results] == ["published"] * 3


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_waiting_for_another_publisher_stops_at_once(
    make_project: MakeProject, hook: Hook, signum: int
) -> None:
    """Another publish holds the local ledger: the run waits for it (up to ten
    minutes), and a signal ends that wait at once, with nothing sent."""
    root = project(make_project, 3, hook)
    holder = LocalStore(root / "ledger", root)  # another publisher, at work
    try:
        process = start(root)
        wait_until(lambda: handlers_installed(process.pid), process)
        time.sleep(0.5)  # waiting for the lock by now
        assert process.poll() is None
        ended = interrupt(process, signum)
    finally:
        holder.close()
    assert ended.ended - ended.signalled < 5, "the signal did not end the wait"
    assert ended.code == 128 + signum, (ended.code, ended.stderr)
    assert "Traceback" not in ended.stderr
    report = ended.report()
    assert report["interrupted"] is True
    assert report["items"] == []
    assert any("waiting for another smmgen publish" in p for p in report["ledger_problems"])
    assert hook.clock.arrivals == []
    assert ledger(root) == {}
    finish(root, {"hook": hook}, 3)


def publish_step_script() -> str:
    """The `run:` script of the Publish step of the workflow `smmgen init` writes."""
    workflow = yaml.safe_load(
        (REPO / "smmgen" / "scaffold" / "workflows" / "publish.yml").read_text("utf-8")
    )
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    (step,) = [s for s in steps if s.get("id") == "publish"]
    script: str = step["run"]
    return script


@pytest.mark.parametrize("signum", [INT, TERM])
def test_a_cancelled_job_reaches_smmgen_through_the_workflow_shell(
    make_project: MakeProject, tmp_path: Path, signum: int
) -> None:
    """GitHub cancels a job by signalling the step's shell alone (SIGINT, then
    SIGTERM), not its children: the Publish step passes the signal on, so smmgen
    stops sending and prints its summary, and the step ends with its code."""
    with Hook(hold=0.25) as hook:
        servers: dict[str, Hook | Masto] = {"hook": hook}
        root = project(make_project, 6, hook)
        summary = tmp_path / "summary.md"
        env = environment(
            DRY_RUN="false",
            AT="",
            CHANNEL="",
            RUNNER_TEMP=str(tmp_path),
            GITHUB_STEP_SUMMARY=str(summary),
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        shell = subprocess.Popen(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", publish_step_script()],
            cwd=root,
            env=env,
            # as the runner starts it: a test worker may ignore SIGINT, and a shell
            # cannot trap a signal ignored when it started
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until(lambda: bool(hook.clock.arrivals and hook.clock.arrivals[0].answered), shell)
        signalled = time.monotonic()
        shell.send_signal(signum)  # the shell only, as the runner does
        _stdout, stderr = shell.communicate(timeout=60)
        assert shell.returncode == 128 + signum, (shell.returncode, stderr)
        assert len(hook.clock.after(signalled)) <= 1  # only the request in flight
        assert len(hook.clock.arrivals) < 6
        assert "interrupted" in summary.read_text("utf-8")  # smmgen printed its summary
        assert "Traceback" not in stderr
        for state in ledger(root).values():
            assert state.status != "claimed"
        finish(root, servers, 6)
