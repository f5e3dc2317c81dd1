"""Issue 11, class 4: a post that may be live is never reported "failed: not tried".

When the ledger cannot be written (a full disk: the local store's write or
fsync fails with ENOSPC, or a store raises the OSError itself; the git store's
push is refused), an item whose request may have gone out must be reported
``unknown``, saying the post may be live, so that nobody settles it with
``ledger resolve --as retry`` and posts it twice. Only items whose request was
certainly never sent may be "not tried". The run exits 1.

Hypothesis picks the channel (a webhook, which cannot tell what it received,
or Mastodon, which can), the posts and their parts, a fault of the network,
and which ledger write fails and how. Then the failing run is judged against
what the test server received, a healthy run follows, a person settles what
is unknown by looking at the server, and a last run must leave every part on
the server exactly once.
"""

from __future__ import annotations

import contextlib
import errno
import json
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from smmgen.cli import cli
from smmgen.errors import LedgerError
from smmgen.publish.ledger import open_store
from smmgen.publish.ledger.gitstore import GitStore
from smmgen.publish.ledger.store import Store
from tests.conftest import TODAY
from tests.publish.gitrepo import origin_with
from tests.servers.mastodon import MastodonServer
from tests.servers.webhook import SECRET, WebhookServer

TOKEN = "unknown-test-token-0d93b1"
ENV = {
    "SMMGEN_AT": TODAY,
    "UNKNOWN_HOOK": SECRET,
    "UNKNOWN_MASTO": TOKEN,
    "SMMGEN_RETRY_SCALE": "0",
    "SMMGEN_HTTP_TIMEOUT": "10",
    "NO_COLOR": "1",
}
#: The failing run's timeout: a held-back answer (``timeout_after``) becomes a timeout.
SHORT = {**ENV, "SMMGEN_HTTP_TIMEOUT": "0.5"}
FULL = OSError(errno.ENOSPC, "No space left on device")
PUSH_REFUSED = "git could not push the ledger branch smmgen-ledger to origin: injected refusal"


@dataclass(frozen=True)
class Scenario:
    channel: str  # hook (webhook) or masto
    parts: tuple[int, ...]  # per post
    fault: str | None  # what the network does to the first request
    nth: int  # the ledger write (or push) that fails, counted from 1
    how: str  # fsync (ENOSPC inside the store), raw (the store raises OSError), refused
    lasting: bool  # every later write fails too (the disk stays full)


def writes(channel: str, parts: tuple[int, ...]) -> int:
    """How many writes a run makes: a claim per item (one for all on Mastodon),
    a record per part and one when published."""
    results = sum(p + 1 for p in parts)
    return results + (1 if channel == "masto" else len(parts))


@st.composite
def scenarios(draw: st.DrawFn, *, hows: tuple[str, ...]) -> Scenario:
    channel = draw(st.sampled_from(["hook", "masto"]))
    posts = draw(st.integers(1, 3))
    # a webhook thread half-sent cannot be settled by looking: one part per post there
    parts = tuple(1 if channel == "hook" else draw(st.integers(1, 2)) for _ in range(posts))
    fault = draw(st.sampled_from([None, "reset_after", "error_500", "timeout_after"]))
    # the git store pushes a claim alone and the results with the next claim
    most = len(parts) + 1 if hows == ("push",) else writes(channel, parts)
    nth = draw(st.integers(1, most))
    return Scenario(channel, parts, fault, nth, draw(st.sampled_from(hows)), draw(st.booleans()))


class Failing:
    """Makes the ``nth`` call of the wrapped write fail (and every later one if ``lasting``)."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.calls = 0
        self.failed = 0
        self.lock = threading.Lock()

    def due(self) -> bool:
        with self.lock:
            self.calls += 1
            nth, lasting = self.scenario.nth, self.scenario.lasting
            fail = self.calls == nth or (lasting and self.calls > nth)
            self.failed += fail
            return fail

    def wrap(self, write: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def call(records: Any) -> Any:
            if not self.due():
                return write(records)
            if self.scenario.how == "raw":
                raise OSError(FULL.errno, FULL.strerror)
            if self.scenario.how == "refused":
                raise LedgerError(PUSH_REFUSED)
            with mock.patch("os.fsync", side_effect=OSError(FULL.errno, FULL.strerror)):
                return write(records)

        return call

    def store(self, *args: Any, **kwargs: Any) -> Store:
        """``open_store``, with the store's claim and append failing as planned."""
        store = open_store(*args, **kwargs)
        store.claim = self.wrap(store.claim)  # type: ignore[method-assign]
        store.append = self.wrap(store.append)  # type: ignore[method-assign]
        return store


def make(root: Path, scenario: Scenario, hook: WebhookServer, masto: MastodonServer) -> None:
    kind = "git" if scenario.how == "push" else "local"
    (root / "content").mkdir(parents=True)
    (root / "ledger").mkdir()
    (root / "channels.yaml").write_text(
        f"defaults:\n  channels: [{scenario.channel}]\nchannels:\n"
        f"  hook: {{type: webhook, url: '{hook.endpoint}', secret_env: UNKNOWN_HOOK}}\n"
        f"  masto: {{type: mastodon, instance: '{masto.url}', token_env: UNKNOWN_MASTO}}\n"
        f"ledger: {{store: {kind}, lease: 0s}}\n",
        encoding="utf-8",
    )
    (root / "calendar.yaml").write_text("timezone: UTC\nmax_lateness: 1d\nmin_gap: 0m\n")
    for number, parts in enumerate(scenario.parts):
        body = "\n\n---\n\n".join(part_text(number, i) for i in range(parts))
        (root / "content" / f"p{number}.md").write_text(
            f"---\nid: p{number}\npublish_at: 2026-11-25 09:0{number}\nthread: true\n---\n{body}\n"
        )


def part_text(number: int, index: int) -> str:
    return f"Post p{number} part {index} of the ledger failure test."


def publish(
    root: Path, env: dict[str, str] = ENV
) -> tuple[int, dict[tuple[str, str], dict[str, Any]], dict[str, Any]]:
    result = CliRunner().invoke(
        cli, ["--root", str(root), "publish", "--format", "json"], env=env, catch_exceptions=False
    )
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    report = json.loads(result.stdout)
    return result.exit_code, {(i["post"], i["channel"]): i for i in report["items"]}, report


def received(scenario: Scenario, hook: WebhookServer, masto: MastodonServer) -> Counter[str]:
    """How many times the server got each part (``p0/0``), whatever it answered."""
    counts: Counter[str] = Counter()
    if scenario.channel == "hook":
        for request in hook.requests:
            if request.method == "POST":
                body = request.json()
                counts[f"{body['post']}/{body['index']}"] += 1
    else:
        for status in masto.statuses:
            for number, parts in enumerate(scenario.parts):
                for index in range(parts):
                    if status.text.startswith(part_text(number, index)):
                        counts[f"p{number}/{index}"] += 1
    return counts


def judge_failing_run(
    scenario: Scenario,
    failing: Failing,
    code: int,
    items: dict[tuple[str, str], dict[str, Any]],
    report: dict[str, Any],
    counts: Counter[str],
) -> None:
    for number in range(len(scenario.parts)):
        item = items[f"p{number}", scenario.channel]
        reached = any(key.startswith(f"p{number}/") for key in counts)
        if reached:  # the network has it, or may have it
            assert item["outcome"] in ("published", "unknown"), (scenario, item)
            assert "not tried" not in item["detail"], (scenario, item)
        if item["outcome"] == "unknown":
            assert "look on the network" in item["detail"], item
        if item["outcome"] == "failed":
            assert not reached, item
            assert "not tried" in item["detail"], item
    if failing.failed:
        assert code == 1, report
        assert report["ok"] is False
        assert report["ledger_errors"], report
        unrecorded = [i for i in items.values() if "could not record" in i["detail"]]
        assert all(i["outcome"] == "unknown" for i in unrecorded), unrecorded


def settle_and_finish(
    root: Path, scenario: Scenario, hook: WebhookServer, masto: MastodonServer
) -> None:
    """A healthy run; a person settles what is unknown by looking at the server
    (the webhook receiver's log); a last run. Every part is then out exactly once."""
    hook.faults.queue.clear()  # a fault meant for a request the failing run never sent
    masto.faults.queue.clear()
    _, items, _ = publish(root)
    counts = received(scenario, hook, masto)
    for (post, channel), item in items.items():
        if item["outcome"] == "unknown":
            outcome = "published" if counts[f"{post}/0"] else "retry"
            result = CliRunner().invoke(
                cli,
                ["--root", str(root), "ledger", "resolve", post, "--channel", channel,
                 "--as", outcome],
                env=ENV,
            )  # fmt: skip
            assert result.exit_code == 0, result.output
    code, items, report = publish(root)
    assert code == 0, report
    expected = {f"p{n}/{i}": 1 for n, parts in enumerate(scenario.parts) for i in range(parts)}
    assert dict(received(scenario, hook, masto)) == expected, (scenario, items)


@contextlib.contextmanager
def servers(scenario: Scenario) -> Iterator[tuple[WebhookServer, MastodonServer]]:
    with (
        WebhookServer(tolerance=10**9) as hook,
        MastodonServer(token=TOKEN, idempotency=False) as masto,
    ):
        hook.faults.delay = masto.faults.delay = 1.0  # past the failing run's timeout
        if scenario.fault:
            (hook if scenario.channel == "hook" else masto).faults.next(scenario.fault)
        yield hook, masto


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenarios(hows=("fsync", "raw", "refused")))
def test_a_write_that_fails_after_a_request_makes_the_item_unknown(scenario: Scenario) -> None:
    failing = Failing(scenario)
    with servers(scenario) as (hook, masto), tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "project"
        make(root, scenario, hook, masto)
        with mock.patch("smmgen.commands.publish.open_store", failing.store):
            code, items, report = publish(root, SHORT)
        event(f"a ledger write failed: {bool(failing.failed)}")
        event(f"unknown: {sum(i['outcome'] == 'unknown' for i in items.values())}")
        judge_failing_run(scenario, failing, code, items, report, received(scenario, hook, masto))
        settle_and_finish(root, scenario, hook, masto)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenarios(hows=("push",)))
def test_a_refused_push_of_the_git_ledger_never_calls_a_sent_post_not_tried(
    scenario: Scenario,
) -> None:
    """The git store pushes results in the background: a refused push surfaces
    at the next write or at the end of the run, for whichever item comes next."""
    failing = Failing(scenario)
    real_push = GitStore.push

    def push(store: GitStore, commit: str) -> bool:
        if failing.due():
            raise LedgerError(PUSH_REFUSED)
        return real_push(store, commit)

    with servers(scenario) as (hook, masto), tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "project"
        make(root, scenario, hook, masto)
        origin_with(root, Path(directory) / "origin.git")
        with mock.patch.object(GitStore, "push", push):
            code, items, report = publish(root, SHORT)
        event(f"a ledger write failed: {bool(failing.failed)}")
        event(f"unknown: {sum(i['outcome'] == 'unknown' for i in items.values())}")
        judge_failing_run(scenario, failing, code, items, report, received(scenario, hook, masto))
        settle_and_finish(root, scenario, hook, masto)


def test_a_claim_that_cannot_be_written_is_not_tried(tmp_path: Path) -> None:
    """The other side: nothing was sent, so "not tried" is the truth."""
    scenario = Scenario("hook", (1, 1), None, 1, "raw", True)
    failing = Failing(scenario)
    with servers(scenario) as (hook, masto):
        root = tmp_path / "project"
        make(root, scenario, hook, masto)
        with mock.patch("smmgen.commands.publish.open_store", failing.store):
            code, items, _ = publish(root)
        assert code == 1
        assert hook.requests == []
        for item in items.values():
            assert item["outcome"] == "failed"
            assert item["detail"].startswith("not tried: cannot write the ledger")
            assert "No space left on device" in item["detail"]


def test_a_post_sent_but_not_recorded_is_unknown(tmp_path: Path) -> None:
    """The example of the issue: the disk fills up after the request went out."""
    scenario = Scenario("hook", (1,), None, 3, "fsync", True)  # claim, part: ok; published fails
    failing = Failing(scenario)
    with servers(scenario) as (hook, masto):
        root = tmp_path / "project"
        make(root, scenario, hook, masto)
        with mock.patch("smmgen.commands.publish.open_store", failing.store):
            code, items, _ = publish(root)
        assert code == 1
        assert len(hook.requests) == 1
        item = items["p0", "hook"]
        assert item["outcome"] == "unknown", item
        assert "may be live" in item["detail"]
        assert "No space left on device" in item["detail"]
        assert "smmgen ledger resolve p0 --channel hook" in item["detail"]
