"""Class 2: a deleted or rewound ledger never re-publishes.

Publishing never creates a ledger (`smmgen ledger init` does, once). A run
that finds the ledger branch missing, or at a tip that no longer contains a
commit known to have been its tip (the clone's last view, the run's own
pushes, the watermark every push moves on the remote), stops before sending
anything and prints how to restore the branch. These tests delete and rewind
the branch in every way a person or a script can (by hand between runs, while
a run publishes; seen from the clone that published, from a fresh CI clone)
and check that nothing is sent until the printed command restored it, after
which every item exists exactly once.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smmgen.errors import LedgerError
from smmgen.publish.ledger import records as rec
from smmgen.publish.ledger.gitstore import WATERMARKS, GitStore
from smmgen.publish.ledger.store import Claim
from tests.publish.gitrepo import clone, git, origin_with
from tests.servers.webhook import SECRET, WebhookServer

BRANCH = "smmgen-ledger"
HEAD = f"refs/heads/{BRANCH}"
MARK = f"{WATERMARKS}/{BRANCH}"
RESTORE = re.compile(r"`(git push \S+ [0-9a-f]{40}:refs/heads/\S+)`")


def remote_ref(bare: Path, ref: str) -> str | None:
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", ref], cwd=bare, capture_output=True, text=True
    )
    return done.stdout.strip() or None


def restore(message: str, repo: Path) -> None:
    """Run the command the error says restores the branch, as a person would."""
    (command,) = RESTORE.findall(message)
    subprocess.run(shlex.split(command), cwd=repo, check=True, capture_output=True)


def force(repo: Path, mishap: str, target: str | None) -> None:
    """Delete the remote ledger branch, or force-push ``target`` to it (and the
    watermark too, for the mishaps "... both")."""
    refs = [HEAD, MARK] if mishap.endswith("both") else [HEAD]
    for ref in refs:
        if mishap.startswith("delete"):
            git(repo, "push", "--quiet", "origin", f":{ref}")
        else:
            git(repo, "push", "--quiet", "--force", "origin", f"{target}:{ref}")


# -- the stores, under every deletion and rewind -----------------------------------


def intent(post: str) -> rec.Record:
    return rec.make("intent", post, "feed", "run-a", parts=1)


def repository(base: Path) -> tuple[Path, Path]:
    project = base / "project"
    project.mkdir()
    (project / "channels.yaml").write_text("channels: {feed: {type: feed}}\n")
    bare = base / "origin.git"
    origin_with(project, bare)
    return project, bare


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    batches=st.integers(1, 2),
    mishap=st.sampled_from(["delete", "rewind", "delete both", "rewind both"]),
    observer=st.sampled_from(["this clone", "a fresh clone", "the run at work"]),
)
def test_a_lost_ledger_commit_stops_every_store_that_knew_it(
    data: st.DataObject, batches: int, mishap: str, observer: str
) -> None:
    # moving the watermark back too escapes a fresh clone: the README says to
    # protect the branch, which is what protects a fresh clone then
    assume(not (observer == "a fresh clone" and mishap.endswith("both")))
    with tempfile.TemporaryDirectory() as directory:
        project, bare = repository(Path(directory))
        first = remote_ref(bare, HEAD)
        assert first is not None
        assert remote_ref(bare, MARK) == first
        tips = [first]
        store = GitStore(project)
        store.load()
        for number in range(batches):
            post = f"p{number}"
            assert store.claim([Claim(intent(post), 0)]) == [True]
            store.append([rec.make("published", post, "feed", "run-a", remote={"id": post})])
            store.flush()
            assert store.tip is not None
            tips.append(store.tip)
        store.close()
        assert remote_ref(bare, MARK) == tips[-1]  # the watermark moves with every push
        at_work = GitStore(project)
        at_work.load()

        target = data.draw(st.sampled_from(tips[:-1]), label="rewound to")
        force(project, mishap, target)
        after = remote_ref(bare, HEAD)

        where = project
        if observer == "a fresh clone":
            where = clone(bare, Path(directory) / "fresh")

        def go_on() -> None:
            if observer == "the run at work":  # its next push is refused, and it fetches
                at_work.claim([Claim(intent("late"), 0)])
            else:
                GitStore(where).load()

        with pytest.raises(LedgerError) as refused:
            go_on()
        message = str(refused.value)
        assert ("was deleted" if mishap.startswith("delete") else "was rewound") in message
        assert tips[-1] in message  # the newest tip known, to push back
        assert "smmgen ledger init --accept-loss" in message
        # the refusal wrote nothing: no branch recreated, nothing pushed on the old tip
        assert remote_ref(bare, HEAD) == after
        with pytest.raises(LedgerError):
            GitStore(where).load()  # and it holds for the next run too

        restore(message, where)
        again = GitStore(where)
        records = again.load()
        again.close()
        assert Counter(r["post"] for r in records) == {f"p{n}": 2 for n in range(batches)}
        with contextlib.suppress(LedgerError):
            at_work.close()


def test_a_claim_never_recreates_a_deleted_branch(tmp_path: Path) -> None:
    """The lease on every push: a store that read the branch before it was deleted
    cannot bring it back by pushing (publish never creates a ledger)."""
    project, bare = repository(tmp_path)
    store = GitStore(project)
    store.load()
    git(project, "push", "--quiet", "origin", f":{HEAD}")
    with pytest.raises(LedgerError, match="was deleted"):
        store.claim([Claim(intent("a"), 0)])
    assert remote_ref(bare, HEAD) is None


def test_a_store_that_never_read_the_branch_does_not_create_it(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "channels.yaml").write_text("channels: {feed: {type: feed}}\n")
    bare = tmp_path / "origin.git"
    origin_with(project, bare, ledger=False)
    store = GitStore(project)
    with pytest.raises(LedgerError, match="smmgen ledger init"):
        store.claim([Claim(intent("a"), 0)])
    assert remote_ref(bare, HEAD) is None


def test_ledger_list_keeps_the_journal_of_a_crashed_run(tmp_path: Path) -> None:
    """A reader (ledger list, preview) must not drop results a crashed run
    journaled but never pushed: only a writer that pushed them removes them."""
    project, _bare = repository(tmp_path)
    store = GitStore(project)
    store.load()
    store.claim([Claim(intent("a"), 0)])
    store.flush()
    record = rec.make("published", "a", "feed", "run-a", remote={"id": "1"})
    store.journal.write([record])  # the run died here
    reader = GitStore(project, writing=False)
    assert [r["event"] for r in reader.load()] == ["intent"]
    reader.close()
    assert store.journal.exists()
    writer = GitStore(project)
    assert [r["event"] for r in writer.load()] == ["intent", "published"]
    writer.close()
    assert not store.journal.exists()


def test_a_remote_that_refuses_the_watermark_still_gets_the_ledger(tmp_path: Path) -> None:
    """Some servers refuse refs outside branches and tags: the ledger goes on with
    the branch alone, says what protection is lost, and the clone's own memory
    still catches a rewind."""
    project, bare = repository(tmp_path)
    first = remote_ref(bare, HEAD)
    git(bare, "update-ref", "-d", MARK)
    hook = bare / "hooks" / "update"
    hook.write_text('#!/bin/sh\ncase "$1" in refs/smmgen/*) exit 1;; esac\n')
    hook.chmod(0o755)
    store = GitStore(project)
    store.load()
    assert store.claim([Claim(intent("a"), 0)]) == [True]
    store.flush()
    assert any("refused the ref" in p and "protect the branch" in p for p in store.problems)
    store.close()
    assert remote_ref(bare, HEAD) == store.tip
    assert remote_ref(bare, MARK) is None
    git(project, "push", "--quiet", "--force", "origin", f"{first}:{HEAD}")
    with pytest.raises(LedgerError, match="was rewound"):
        GitStore(project).load()


@pytest.mark.parametrize("refused", ["refs/heads/*", "refs/*"])
def test_a_remote_that_refuses_the_branch_is_an_error_not_a_race(
    tmp_path: Path, refused: str
) -> None:
    """A protection rule (a hook here) refuses the ledger branch: with an atomic
    push the watermark fails along with it, which is no race with another
    publisher: the store says the branch must be writable, at once."""
    project, bare = repository(tmp_path)
    hook = bare / "hooks" / "update"
    hook.write_text(
        f'#!/bin/sh\ncase "$1" in {refused}) echo "protected branch" >&2; exit 1;; esac\n'
    )
    hook.chmod(0o755)
    store = GitStore(project)
    store.load()
    started = time.monotonic()
    with pytest.raises(LedgerError, match="must be writable by the publisher"):
        store.claim([Claim(intent("a"), 0)])
    assert time.monotonic() - started < 30  # not a hundred fetch-and-retry rounds
    with contextlib.suppress(LedgerError):
        store.close()


# -- ledger init ---------------------------------------------------------------------


def test_ledger_init_creates_the_branch_once(tmp_path: Path, run: Callable[..., Result]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "channels.yaml").write_text("channels: {feed: {type: feed}}\n")
    (project / "calendar.yaml").write_text("timezone: UTC\n")
    bare = tmp_path / "origin.git"
    origin_with(project, bare, ledger=False)
    created = run("--root", project, "ledger", "init")
    assert created.exit_code == 0, created.output
    tip = remote_ref(bare, HEAD)
    assert tip is not None
    assert f"created the ledger: branch {BRANCH} of origin, at {tip}" in (created.output)
    assert git(bare, "ls-tree", "--name-only", BRANCH) == ".gitattributes"
    assert remote_ref(bare, MARK) == tip
    assert git(bare, "log", "--format=%s", "main").splitlines() == ["content"]
    again = run("--root", project, "ledger", "init")
    assert again.exit_code == 1
    assert "the ledger already exists" in again.output
    assert "Traceback" not in again.output
    assert remote_ref(bare, HEAD) == tip
    # a branch deleted after use is not silently made anew: --accept-loss is asked for
    git(project, "push", "--quiet", "origin", f":{HEAD}")
    refused = run("--root", project, "ledger", "init")
    assert refused.exit_code == 1
    assert "was deleted" in refused.output
    assert tip in refused.output
    assert remote_ref(bare, HEAD) is None
    anew = run("--root", project, "ledger", "init", "--accept-loss")
    assert anew.exit_code == 0, anew.output
    fresh = remote_ref(bare, HEAD)
    assert fresh is not None
    assert fresh != tip
    assert remote_ref(bare, MARK) == fresh
    assert GitStore(project).load() == []


def test_accept_loss_takes_a_rewound_branch_as_it_is(tmp_path: Path) -> None:
    project, bare = repository(tmp_path)
    first = remote_ref(bare, HEAD)
    store = GitStore(project)
    store.load()
    store.claim([Claim(intent("a"), 0)])
    store.close()
    git(project, "push", "--quiet", "--force", "origin", f"{first}:{HEAD}")
    with pytest.raises(LedgerError, match="was rewound"):
        GitStore(project).create()
    other = clone(bare, tmp_path / "other")
    accepted = GitStore(other).create(accept_loss=True)
    assert f"accepted the ledger branch {BRANCH} of origin as it is now, at {first}" in accepted
    assert remote_ref(bare, MARK) == first
    assert GitStore(clone(bare, tmp_path / "fresh")).load() == []
    # the clone that saw the lost commit still refuses, until it accepts the loss too
    with pytest.raises(LedgerError, match="was rewound"):
        GitStore(project).load()
    GitStore(project).create(accept_loss=True)
    assert GitStore(project).load() == []


def test_init_tells_to_create_the_ledger(tmp_path: Path, run: Callable[..., Result]) -> None:
    result = run("init", tmp_path / "social", "--timezone", "UTC")
    assert result.exit_code == 0
    assert "`smmgen ledger init`" in result.output.splitlines()[-1]


# -- smmgen publish, ledger list and resolve, from the command line --------------------


def channels_yaml(hook: WebhookServer, store: str) -> str:
    return (
        "defaults:\n  channels: [hook]\n"
        f"channels:\n  hook: {{type: webhook, url: '{hook.endpoint}', secret_env: REWIND_HOOK}}\n"
        f"ledger: {{store: {store}}}\n"
    )


POSTS = {
    f"p{n}.md": f"---\nid: p{n}\npublish_at: 2026-11-25 10:{10 * n:02d}\n---\nPost {n}.\n"
    for n in range(4)
}


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookServer]:
    monkeypatch.setenv("REWIND_HOOK", SECRET)
    monkeypatch.setenv("SMMGEN_RETRY_SCALE", "0.001")
    with WebhookServer(tolerance=10**9) as server:
        yield server


def sent(hook: WebhookServer) -> Counter[str]:
    return Counter(r.json()["post"] for r in hook.requests if r.method == "POST")


@pytest.mark.parametrize("store", ["git", "local"])
def test_no_command_creates_a_ledger_or_publishes_without_one(
    tmp_path: Path, make_project: Any, run: Callable[..., Result], hook: WebhookServer, store: str
) -> None:
    root = make_project(channels=channels_yaml(hook, store), calendar="timezone: UTC\n",
                        posts=POSTS)  # fmt: skip
    bare = tmp_path / "origin.git"
    if store == "git":
        origin_with(root, bare, ledger=False)
    commands = [
        ("publish",),
        ("publish", "--format", "json"),
        ("ledger", "list"),
        ("ledger", "resolve", "p0", "--channel", "hook", "--as", "skip"),
    ]
    for command in commands:
        result = run("--root", root, *command)
        assert result.exit_code == 1, (command, result.output)
        assert "there is no ledger" in result.output
        assert "`smmgen ledger init`" in result.output
        assert "Traceback" not in result.output
        assert "internal error" not in result.output
    assert sent(hook) == {}
    assert remote_ref(bare, HEAD) is None if store == "git" else not (root / "ledger").exists()
    # a dry run still works: it says the ledger was not read
    dry = run("--root", root, "publish", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "there is no ledger" in dry.output
    assert run("--root", root, "ledger", "init").exit_code == 0
    assert run("--root", root, "publish").exit_code == 0
    assert sent(hook) == {f"p{n}": 1 for n in range(4)}


def test_a_deleted_local_ledger_is_refused(
    make_project: Any, run: Callable[..., Result], hook: WebhookServer
) -> None:
    root = make_project(channels=channels_yaml(hook, "local"), calendar="timezone: UTC\n",
                        posts=POSTS)  # fmt: skip
    assert run("--root", root, "ledger", "init").exit_code == 0
    assert run("--root", root, "publish", "--at", "2026-11-25 10:15").exit_code == 0
    for path in (root / "ledger").iterdir():
        path.unlink()
    (root / "ledger").rmdir()
    result = run("--root", root, "publish")
    assert result.exit_code == 1
    assert "there is no ledger" in result.output
    assert "restore it first" in result.output
    assert sent(hook) == {"p0": 1, "p1": 1}


@pytest.mark.parametrize(
    ("mishap", "where"), [("rewind", "a fresh clone"), ("delete", "this clone")]
)
def test_publish_refuses_a_lost_ledger_and_sends_nothing(
    tmp_path: Path,
    make_project: Any,
    run: Callable[..., Result],
    hook: WebhookServer,
    mishap: str,
    where: str,
) -> None:
    root = make_project(channels=channels_yaml(hook, "git"), calendar="timezone: UTC\n",
                        posts=POSTS)  # fmt: skip
    bare = tmp_path / "origin.git"
    origin_with(root, bare)
    created = remote_ref(bare, HEAD)
    assert run("--root", root, "publish", "--at", "2026-11-25 10:05").exit_code == 0
    assert run("--root", root, "publish", "--at", "2026-11-25 10:15").exit_code == 0
    assert sent(hook) == {"p0": 1, "p1": 1}
    tip = remote_ref(bare, HEAD)
    assert tip is not None
    force(root, mishap, created)
    repo = root if where == "this clone" else clone(bare, tmp_path / "fresh")

    for command in (("publish",), ("ledger", "list")):
        refused = run("--root", repo, *command)
        assert refused.exit_code == 1, refused.output
        assert ("was deleted" if mishap == "delete" else "was rewound") in refused.output
        assert "Nothing was sent" in refused.output
        assert f"git push origin {tip}:{HEAD}" in refused.output
        assert "Traceback" not in refused.output
    assert sent(hook) == {"p0": 1, "p1": 1}
    assert remote_ref(bare, HEAD) == (None if mishap == "delete" else created)

    restore(run("--root", repo, "publish").output, repo)
    assert remote_ref(bare, HEAD) == tip
    result = run("--root", repo, "publish")
    assert result.exit_code == 0, result.output
    assert sent(hook) == {f"p{n}": 1 for n in range(4)}
