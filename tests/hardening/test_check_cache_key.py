"""check's cache sees every change to what a result depends on, even one that
keeps the file's size and modification time (``touch -r``, a copy with ``-p``,
a file replaced by another of the same size and time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmgen.check import cache as check_cache
from smmgen.check import run_check
from smmgen.check.cache import UNSTABLE, signature, stable
from tests.conftest import CALENDAR_YAML, CHANNELS_YAML, MakeProject

POST = "---\nid: a\npublish_at: 2026-12-01 09:00\n{extra}---\n{body}\n"
CLEAN = "x" * len("guaranteed returns")  # the same size as the banned phrase
BANNED = "guaranteed returns"
TICK = 0.05  # seconds: longer than a tick of any file system's coarse clock


def codes(root: Path, **kw: object) -> list[tuple[str | None, str]]:
    report = run_check(root, **kw)  # type: ignore[arg-type]
    return sorted((f.file, f.code) for f in report.findings)


def rewrite_keeping_size_and_mtime(path: Path, data: bytes) -> None:
    """Replace the content, then put the old modification time back (``touch -r``)."""
    before = path.stat()
    assert len(data) == before.st_size
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


@pytest.fixture(params=["as-is", "trusting"])
def trust(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """``as-is``: the cache as shipped. ``trusting``: files changed just now are
    trusted too, so only the signature can tell that a file changed (a pause of a
    clock tick lets the change time move)."""
    if request.param == "trusting":
        monkeypatch.setattr(check_cache, "RACY_NS", 0)
    return str(request.param)


def pause(trust: str) -> None:
    if trust == "trusting":
        time.sleep(TICK)


def test_a_post_edited_back_to_its_size_and_mtime_is_checked_again(
    make_project: MakeProject, trust: str
) -> None:
    root = make_project(posts={"a.md": POST.format(extra="", body=CLEAN)})
    assert codes(root) == []
    pause(trust)
    path = root / "content" / "a.md"
    rewrite_keeping_size_and_mtime(path, POST.format(extra="", body=BANNED).encode())
    assert codes(root) == [("content/a.md", "banned-phrase")]


def test_a_media_file_replaced_by_one_of_the_same_size_and_mtime_is_checked_again(
    make_project: MakeProject, trust: str, tmp_path: Path
) -> None:
    """The replacement is a link to a file outside the repository."""
    media = "media:\n  - path: media/p.png\n    alt: A photo\n"
    root = make_project(posts={"a.md": POST.format(extra=media, body="Hi.")}, media=["media/p.png"])
    assert codes(root) == []
    pause(trust)
    inside = root / "media" / "p.png"
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(inside.read_bytes())
    before = inside.stat()
    os.utime(outside, ns=(before.st_atime_ns, before.st_mtime_ns))
    inside.unlink()
    inside.symlink_to(outside)
    assert (inside.stat().st_size, inside.stat().st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )
    assert ("content/a.md", "bad-media-path") in codes(root)


def smmgen_check(root: Path, env: dict[str, str]) -> list[str]:
    """`smmgen check` in a process of its own, as a user runs it: its codes."""
    done = subprocess.run(
        [sys.executable, "-m", "smmgen", "--root", str(root), "check", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return sorted(f["code"] for f in json.loads(done.stdout)["findings"])


def test_a_template_edited_back_to_its_size_and_mtime_is_checked_again(
    make_project: MakeProject,
) -> None:
    """In processes of their own: Jinja keeps a template it compiled while its
    modification time holds, so only a new run can see this edit."""
    channels = CHANNELS_YAML.replace(
        "    token_env: SMMGEN_MASTODON_TOKEN\n",
        "    token_env: SMMGEN_MASTODON_TOKEN\n    template: post.j2\n",
    )
    root = make_project(channels=channels, posts={"a.md": POST.format(extra="", body="Hi.")})
    template = root / "templates" / "post.j2"
    template.parent.mkdir()
    template.write_text("{{ text }}\n")
    env = dict(os.environ, SMMGEN_AT="2026-11-25 12:00")
    assert smmgen_check(root, env) == []
    rewrite_keeping_size_and_mtime(template, b"{% text %}\n")
    assert "template-error" in smmgen_check(root, env)


def test_a_file_changed_just_now_is_never_trusted(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("Hello.")
    assert stable(path) == UNSTABLE != signature(path)  # another change may follow, unseen
    assert stable(tmp_path / "missing.md") is None


def test_the_signature_moves_with_every_change_that_keeps_size_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    first = signature(path)
    time.sleep(TICK)
    rewrite_keeping_size_and_mtime(path, b"two")
    second = signature(path)
    assert second != first  # the change time moved
    other = tmp_path / "b.md"
    other.write_bytes(b"two")
    stat = path.stat()
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(other, path)
    assert signature(path) != second  # another file (inode) in its place


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.text(st.characters(codec="utf-8", exclude_characters="\0\r"), min_size=1, max_size=40),
    st.data(),
)
def test_after_any_edit_that_keeps_size_and_mtime_the_cache_finds_what_a_fresh_check_finds(
    monkeypatch: pytest.MonkeyPatch, before: str, data: st.DataObject
) -> None:
    """Any text replaced by any other of the same size in bytes (the banned phrase
    among them), the old modification time put back; files are trusted at once,
    so the signature alone must tell."""
    monkeypatch.setattr(check_cache, "RACY_NS", 0)
    size = len(before.encode())
    after = data.draw(
        st.sampled_from([BANNED[:size].ljust(size, "x"), "x" * size, before[::-1]])
        | st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=size, max_size=size)
    )
    with tempfile.TemporaryDirectory(prefix="smmgen-key-") as directory:
        root = Path(directory)
        (root / "channels.yaml").write_text(CHANNELS_YAML, encoding="utf-8")
        (root / "calendar.yaml").write_text(CALENDAR_YAML, encoding="utf-8")
        path = root / "content" / "a.md"
        path.parent.mkdir()
        path.write_bytes(POST.format(extra="", body=before).encode())
        codes(root)
        time.sleep(TICK)
        rewrite_keeping_size_and_mtime(path, POST.format(extra="", body=after).encode())
        assert codes(root) == codes(root, use_cache=False)
