"""check loads through the one loader, with any start method, and runs every rule
from the registry; rules across posts see every post (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from smmgen.check import rules, run_check
from smmgen.check.rules import Clock
from smmgen.findings import Finding, Severity
from smmgen.loader import workers
from smmgen.loading import load_project
from tests.conftest import MakeProject

POST = "---\nid: {id}\npublish_at: 2026-12-{day:02d} {hour:02d}:00\n---\n{body}\n"
BODIES = ["Hello.", "guaranteed returns", "Hi @nobody, see https://example.com", "Plain."]


def many_posts(count: int) -> dict[str, str]:
    """Posts with findings of several kinds: banned phrases, unknown people,
    times in the past, and posts closer than min_gap (two at each time)."""
    return {
        f"p{i:03d}.md": POST.format(
            id=f"p{i:03d}", day=1 + i // 2 % 28, hour=8 + i // 56 % 12, body=BODIES[i % 4]
        )
        for i in range(count)
    }


def found(root: Path, **kw: Any) -> list[Finding]:
    return run_check(root, use_cache=False, at="2026-12-10 12:00", **kw).findings


def test_spawn_finds_what_the_default_start_method_finds(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(posts=many_posts(60))
    alone = found(root)  # few files: in this process
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers, "workers", lambda: 2)
    default = found(root)
    monkeypatch.setattr(workers, "START_METHOD", "spawn")
    spawned = found(root)
    assert {f.code for f in alone} >= {"banned-phrase", "in-the-past", "min-gap"}
    assert spawned == default == alone
    monkeypatch.setattr(workers, "START_METHOD", None)
    assert [p.id for p in load_project(root).posts] == sorted(f"p{i:03d}" for i in range(60))


def test_a_rule_across_posts_sees_every_post(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(posts=many_posts(12))
    seen: list[dict[str, Any]] = []

    def judge(clock: Clock, gathered: Mapping[str, Any]) -> Iterator[Finding]:
        seen.append(dict(gathered))
        yield Finding(Severity.WARNING, "counted", f"{len(gathered)} posts", file="channels.yaml")

    monkeypatch.setattr(rules, "ACROSS_RULES", list(rules.load_across_rules()))
    rules.across_posts("count", lambda project, post: post.id)(judge)
    first = run_check(root)  # loads every post, and fills the cache
    again = run_check(root)  # from the cache: nothing changed
    expected = {f"content/p{i:03d}.md": f"p{i:03d}" for i in range(12)}
    assert seen == [expected, expected]
    assert "12 posts" in [f.message for f in first.findings]
    assert first.findings == again.findings


def test_every_rule_is_run_from_the_registry(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the registry emptied, check reports only what loading reports: no rule
    runs outside it."""
    root = make_project(posts={**many_posts(8), "broken.md": "---\nid: [\n---\nx\n"})
    everything = {f.code for f in found(root)}
    assert {"banned-phrase", "in-the-past", "min-gap", "invalid-yaml"} <= everything
    rules.load_rules()
    for registry in ("POST_RULES", "PROJECT_RULES", "ACROSS_RULES"):
        monkeypatch.setattr(rules, registry, [])
    assert {f.code for f in found(root)} == {"invalid-yaml"}
