"""check's cache: reused only while nothing it depends on changed, never stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from smmgen.check import cache as check_cache
from smmgen.check import run_check
from smmgen.check.cache import CACHE_DIR, CACHE_FILE
from tests.conftest import CALENDAR_YAML, MakeProject

POST = "---\nid: {id}\npublish_at: 2026-12-0{day} 09:00\n{extra}---\n{body}\n"


def post(name: str, day: int = 1, body: str = "Hello.", extra: str = "") -> str:
    return POST.format(id=name, day=day, body=body, extra=extra)


@pytest.fixture(autouse=True)
def _trust_files_written_just_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests check files right after writing them: trust them as if older, so
    that a second run really reuses the cache (tests/hardening/test_check_cache_key.py
    covers files changed just now)."""
    monkeypatch.setattr(check_cache, "RACY_NS", 0)


def codes(root: Path, **kw) -> list[tuple[str | None, str]]:
    report = run_check(root, **kw)
    return sorted((f.file, f.code) for f in report.findings)


def touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a visibly newer mtime


def test_a_second_run_reuses_and_finds_the_same(make_project: MakeProject) -> None:
    root = make_project(posts={"a.md": post("a"), "b.md": post("b", 3, "guaranteed returns")})
    first = codes(root)
    cache = root / CACHE_DIR / CACHE_FILE
    assert cache.is_file()
    assert codes(root) == first == [("content/b.md", "banned-phrase")]


def test_a_changed_file_is_checked_again(make_project: MakeProject) -> None:
    root = make_project(posts={"a.md": post("a")})
    assert codes(root) == []
    touch(root / "content/a.md", post("a", body="guaranteed returns"))
    assert codes(root) == [("content/a.md", "banned-phrase")]


def test_a_changed_media_file_is_checked_again(make_project: MakeProject) -> None:
    media = "media:\n  - path: media/p.png\n    alt: A photo\n"
    root = make_project(posts={"a.md": post("a", extra=media)}, media=["media/p.png"])
    assert codes(root) == []
    (root / "media/p.png").write_bytes(b"\x89PNG" + b"\0" * 1_100_000)
    assert ("content/a.md", "media-too-large") in codes(root)
    (root / "media/p.png").unlink()
    assert ("content/a.md", "bad-media-path") in codes(root)


def test_a_configuration_change_invalidates_everything(make_project: MakeProject) -> None:
    root = make_project(posts={"a.md": post("a", body="Something bold.")})
    assert codes(root) == []
    channels = (
        (root / "channels.yaml").read_text().replace('["guaranteed returns"]', '["something bold"]')
    )
    (root / "channels.yaml").write_text(channels)
    assert codes(root) == [("content/a.md", "banned-phrase")]


def test_findings_about_time_are_judged_at_every_run(make_project: MakeProject) -> None:
    root = make_project(posts={"a.md": post("a")})
    assert codes(root, at="2026-11-25 12:00") == []
    assert codes(root, at="2026-12-01 10:00") == [("content/a.md", "in-the-past")]


def test_checks_across_files_run_every_time(make_project: MakeProject) -> None:
    root = make_project(posts={"a.md": post("a")})
    assert codes(root) == []
    (root / "content/b.md").write_text(post("a", 1))  # same id, same time
    found = codes(root)
    assert ("content/b.md", "duplicate-id") in found


def test_a_deleted_file_leaves_the_cache(make_project: MakeProject) -> None:
    root = make_project(posts={"a.md": post("a"), "b.md": post("b", 3)})
    codes(root)
    (root / "content/b.md").unlink()
    codes(root)
    files = json.loads((root / CACHE_DIR / CACHE_FILE).read_text())["files"]
    assert sorted(files) == ["content/a.md"]


def test_a_broken_or_foreign_cache_is_ignored(make_project: MakeProject) -> None:
    root = make_project(posts={"a.md": post("a", body="guaranteed returns")})
    (root / CACHE_DIR).mkdir(parents=True)
    (root / CACHE_DIR / CACHE_FILE).write_text("{not json")
    assert codes(root) == [("content/a.md", "banned-phrase")]
    forged = {"fingerprint": "x", "files": {"content/a.md": {}}}
    (root / CACHE_DIR / CACHE_FILE).write_text(json.dumps(forged))
    assert codes(root) == [("content/a.md", "banned-phrase")]


def test_the_cache_never_holds_a_secret(make_project: MakeProject) -> None:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2
    root = make_project(posts={"a.md": post("a", body=f"oops {token}")})
    assert ("content/a.md", "secret-in-file") in codes(root)
    assert token not in (root / CACHE_DIR / CACHE_FILE).read_text()
    assert ("content/a.md", "secret-in-file") in codes(root)  # and from the cache too


def test_no_cache_and_paths_neither_read_nor_write_it(make_project: MakeProject) -> None:
    root = make_project(posts={"a.md": post("a")})
    run_check(root, use_cache=False)
    run_check(root, [root / "content/a.md"])
    assert not (root / CACHE_DIR).exists()


def test_calendar_change_invalidates(make_project: MakeProject) -> None:
    root = make_project(posts={"a.md": post("a", 1)})
    assert codes(root) == []
    (root / "calendar.yaml").write_text(
        CALENDAR_YAML.replace(
            "from: 2026-12-24, to: 2026-12-26", "from: 2026-12-01, to: 2026-12-01"
        )
    )
    assert ("content/a.md", "in-blackout") in codes(root)


def report_json(root: Path, **kw) -> list[dict[str, object]]:
    return [f.as_dict() for f in run_check(root, at="2026-11-25 12:00", **kw).findings]


def test_a_run_after_one_change_reports_what_a_fresh_run_reports(
    make_project: MakeProject,
) -> None:
    media = "media:\n  - path: media/p.png\n    alt: A photo\n"
    posts = {
        f"p{n}.md": post(f"p{n}", n % 9 + 1, "guaranteed returns" if n % 3 else "Hi.", media)
        for n in range(12)
    }
    posts["same.md"] = post("p1", 2)  # an id another post has
    root = make_project(posts=posts, media=["media/p.png"])
    report_json(root)
    touch(root / "content/p4.md", post("p4", 2, "guaranteed returns, twice", media))
    assert report_json(root) == report_json(root, use_cache=False)
    assert report_json(root) == report_json(root, use_cache=False)  # and again from the cache


def test_unchanged_entries_are_written_back_as_they_were_read(
    make_project: MakeProject,
) -> None:
    root = make_project(posts={"a.md": post("a"), "b.md": post("b", 3), "c.md": post("c", 5)})
    codes(root)
    path = root / CACHE_DIR / CACHE_FILE
    before = path.read_text().split("\n")
    assert len(before) == 3 + 2  # a line of its own for each file's entry
    touch(root / "content/b.md", post("b", 3, "guaranteed returns"))
    assert codes(root) == [("content/b.md", "banned-phrase")]
    after = path.read_text().split("\n")
    assert [after[1], after[3]] == [before[1], before[3]]
    assert after[2] != before[2]
    assert "banned-phrase" in after[2]


def test_a_cache_laid_out_otherwise_is_read_whole_and_written_anew(
    make_project: MakeProject,
) -> None:
    root = make_project(posts={"a.md": post("a"), "b.md": post("b", 3)})
    codes(root)
    path = root / CACHE_DIR / CACHE_FILE
    path.write_text(json.dumps(json.loads(path.read_text()), indent=1))  # still valid
    touch(root / "content/a.md", post("a", body="guaranteed returns"))
    assert codes(root) == [("content/a.md", "banned-phrase")]
    rewritten = path.read_text().split("\n")
    assert len(rewritten) == 2 + 2
    files = json.loads(path.read_text())["files"]
    assert sorted(files) == ["content/a.md", "content/b.md"]
    assert codes(root) == codes(root, use_cache=False)


def test_a_cache_of_another_fingerprint_is_not_even_parsed(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(posts={"a.md": post("a", body="guaranteed returns")})
    codes(root)
    path = root / CACHE_DIR / CACHE_FILE
    key = json.loads(path.read_text())["fingerprint"]
    path.write_text(path.read_text().replace(key, "0" * len(key)))

    class Unparsed:
        def loads(self, text: str) -> object:
            raise AssertionError("a cache of another fingerprint was parsed")

        dumps = staticmethod(json.dumps)

    monkeypatch.setattr(check_cache, "json", Unparsed())
    assert codes(root) == [("content/a.md", "banned-phrase")]
    assert json.loads(path.read_text())["fingerprint"] == key  # written anew


AHEAD_SCRIPT = """
import json, os, sys, threading
from pathlib import Path
from smmgen.check import ahead, cache, run, run_check
cache.RACY_NS = 0
root = Path(sys.argv[1])
def codes():
    return sorted((f.file, f.code) for f in run_check(root, at="2026-11-25 12:00").findings)
first = codes()
post = root / "content" / "a.md"
post.write_text(post.read_text().replace("Hello.", "guaranteed returns"))
stat = post.stat()
os.utime(post, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
if sys.argv[2] == "in-process-fails":
    def refuse(*args, **kwargs):
        raise AssertionError("checked in this process")
    run.check_project = refuse  # only the process started ahead can check now
elif sys.argv[2] == "ahead-fails":
    def fail(*args, **kwargs):
        raise RuntimeError("the process started ahead fails")
    ahead._child = fail  # what the forked process runs
assert threading.active_count() == 1
print(json.dumps([first, codes()]))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the process ahead is forked (Linux only)")
@pytest.mark.parametrize("case", ["in-process-fails", "ahead-fails"])
def test_a_changed_file_is_checked_by_the_process_started_ahead_or_else_here(
    make_project: MakeProject, case: str
) -> None:
    """In a process of its own (without the test runner's threads): the process
    forked while the cache is read checks the changed file; when it fails, the
    check does it itself and finds the same."""
    root = make_project(posts={"a.md": post("a"), "b.md": post("b", 3)})
    done = subprocess.run(
        [sys.executable, "-c", AHEAD_SCRIPT, str(root), case],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    first, second = json.loads(done.stdout)
    assert first == []
    assert second == [["content/a.md", "banned-phrase"]]
