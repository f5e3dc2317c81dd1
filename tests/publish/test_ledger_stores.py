"""The ledger stores: durable appends, the local lock, and git push as compare-and-swap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smmgen.errors import LedgerError
from smmgen.publish.ledger import records as rec
from smmgen.publish.ledger.gitstore import GitStore
from smmgen.publish.ledger.local import LocalStore, create
from smmgen.publish.ledger.state import fold
from smmgen.publish.ledger.store import Claim
from tests.publish.gitrepo import branch_files, clone, git, origin_with


def intent(post: str, channel: str = "feed", run: str = "run-a") -> rec.Record:
    return rec.make("intent", post, channel, run, parts=1)


def test_local_store_appends_and_reads_back(tmp_path: Path) -> None:
    create(tmp_path / "ledger", tmp_path)
    store = LocalStore(tmp_path / "ledger", tmp_path)
    assert store.claim([Claim(intent("a"), 0), Claim(intent("b", "mastodon"), 0)]) == [True, True]
    store.append([rec.make("published", "a", "feed", "run-a", remote={"id": "1", "url": None})])
    store.close()
    assert sorted(p.name for p in (tmp_path / "ledger").glob("*.jsonl")) == [
        "feed.jsonl",
        "mastodon.jsonl",
    ]
    states = fold(LocalStore(tmp_path / "ledger", tmp_path, lock=False).load())
    assert states["a", "feed"].status == "published"
    assert states["b", "mastodon"].status == "claimed"


def test_a_torn_last_line_is_reported_and_skipped(tmp_path: Path) -> None:
    directory = tmp_path / "ledger"
    create(directory, tmp_path)
    store = LocalStore(directory, tmp_path)
    store.claim([Claim(intent("a"), 0)])
    with open(directory / "feed.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"v":1,"event":"publ')  # a crash in the middle of a write
    store.append([rec.make("failed", "a", "feed", "run-a", error="boom", retryable=True)])
    store.close()
    reader = LocalStore(directory, tmp_path, lock=False)
    records = reader.load()
    assert [r["event"] for r in records] == ["intent", "failed"]
    assert len(reader.problems) == 1
    assert "feed.jsonl:2: not a JSON record" in reader.problems[0]


def test_one_publisher_at_a_time_holds_the_local_ledger(tmp_path: Path) -> None:
    create(tmp_path / "ledger", tmp_path)
    first = LocalStore(tmp_path / "ledger", tmp_path)
    with pytest.raises(LedgerError, match="another smmgen publish holds the ledger"):
        LocalStore(tmp_path / "ledger", tmp_path, wait=0.2)
    first.close()
    LocalStore(tmp_path / "ledger", tmp_path, wait=0.2).close()


@pytest.fixture
def two_clones(tmp_path: Path) -> tuple[Path, Path, Path]:
    project = tmp_path / "project"
    project.mkdir()
    (project / "channels.yaml").write_text("channels: {feed: {type: feed}}\n")
    bare = tmp_path / "origin.git"
    origin_with(project, bare)
    return bare, project, clone(bare, tmp_path / "other")


def test_git_store_pushes_claims_and_results_to_the_branch(
    two_clones: tuple[Path, Path, Path],
) -> None:
    bare, project, _ = two_clones
    store = GitStore(project)
    assert store.load() == []
    assert store.claim([Claim(intent("a"), 0)]) == [True]
    store.append([rec.make("published", "a", "feed", "run-a", remote={"id": "1"})])
    store.write_files({"public/feed.xml": b"<feed/>\n"})
    store.close()
    files = branch_files(bare)
    assert set(files) == {".gitattributes", "feed.jsonl", "public/feed.xml"}
    assert files[".gitattributes"] == "*.jsonl merge=union"
    assert [json.loads(line)["event"] for line in files["feed.jsonl"].splitlines()] == [
        "intent",
        "published",
    ]
    # main is never written
    assert git(bare, "log", "--format=%s", "main").splitlines() == ["content"]


def test_a_refused_push_refuses_the_claims_another_publisher_made_first(
    two_clones: tuple[Path, Path, Path],
) -> None:
    _, project, other = two_clones
    a, b = GitStore(project), GitStore(other)
    a.load()
    b.load()  # both decided on an empty ledger
    assert a.claim([Claim(intent("x", run="A"), 0)]) == [True]
    # b's push is refused; it fetches, sees A's intent for x and refuses its own claim on x
    # but its claim on y (nobody wrote about y) goes through on top of A's commit
    assert b.claim([Claim(intent("x", run="B"), 0), Claim(intent("y", run="B"), 0)]) == [
        False,
        True,
    ]
    a.close()
    b.close()
    states = fold(GitStore(project).load())
    assert states["x", "feed"].run == "A"
    assert states["x", "feed"].records == 1
    assert states["y", "feed"].run == "B"


def test_results_survive_a_crash_before_their_push(two_clones: tuple[Path, Path, Path]) -> None:
    bare, project, _ = two_clones
    store = GitStore(project)
    store.load()
    store.claim([Claim(intent("a"), 0)])
    store.flush()
    # a run that died after journaling a result, before pushing it
    record = rec.make("published", "a", "feed", "run-a", remote={"id": "1"})
    store.journal.write([record])
    assert [json.loads(x)["event"] for x in branch_files(bare)["feed.jsonl"].splitlines()] == [
        "intent"
    ]
    again = GitStore(project)
    events = [r["event"] for r in again.load()]
    again.close()
    assert events == ["intent", "published"]
    assert [json.loads(x)["rid"] for x in branch_files(bare)["feed.jsonl"].splitlines()][
        -1
    ] == record["rid"]


def test_git_store_needs_the_remote(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    git(project, "init", "--quiet")
    with pytest.raises(LedgerError, match="has no remote 'origin'"):
        GitStore(project)


def test_a_claim_decided_on_an_old_view_is_refused_even_on_a_current_tip(
    two_clones: tuple[Path, Path, Path],
) -> None:
    _, project, other = two_clones
    a, b = GitStore(project), GitStore(other)
    a.load()
    b.load()
    assert b.claim([Claim(intent("x", run="B"), 0)]) == [True]
    # a's next push is refused, so its store fetches b's claim on x ...
    assert a.claim([Claim(intent("y", run="A"), 0)]) == [True]
    # ... and a claim on x still decided on the old view (0 records) must not hold,
    # although a's tip is now current and the push itself would go through
    assert a.claim([Claim(intent("x", run="A"), 0)]) == [False]
    a.close()
    b.close()
    states = fold(GitStore(project).load())
    assert states["x", "feed"].records == 1
    assert states["x", "feed"].run == "B"


def test_git_store_works_in_a_worktree(two_clones: tuple[Path, Path, Path]) -> None:
    """In a `git worktree`, .git is a file: the store finds the git directory with
    git, and a run that died in the worktree is recovered from the main checkout
    (the journal sits beside the refs they share)."""
    bare, project, _ = two_clones
    worktree = project.parent / "worktree"
    git(project, "worktree", "add", "--quiet", "--detach", str(worktree))
    assert (worktree / ".git").is_file()
    store = GitStore(worktree)
    assert store.load() == []
    assert store.claim([Claim(intent("a"), 0)]) == [True]
    store.flush()
    record = rec.make("published", "a", "feed", "run-a", remote={"id": "1"})
    store.journal.write([record])  # the run dies here, before pushing its result
    assert [json.loads(x)["event"] for x in branch_files(bare)["feed.jsonl"].splitlines()] == [
        "intent"
    ]
    again = GitStore(project)
    assert [r["event"] for r in again.load()] == ["intent", "published"]
    again.close()
    assert [json.loads(x)["event"] for x in branch_files(bare)["feed.jsonl"].splitlines()] == [
        "intent",
        "published",
    ]
