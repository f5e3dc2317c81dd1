"""`smmgen build` keeps what the last build wrote (smmgen.site.buildcache): a
second build writes only what changed, and what it leaves in the folder is
always exactly what a build from nothing writes."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmgen.check import cache as check_cache
from smmgen.commands.build import BuildResult, build
from smmgen.site import buildcache
from tests.conftest import CHANNELS_YAML, MakeProject

AT = "2026-12-10 12:00"
POST = "---\nid: {id}\npublish_at: {when}\n{extra}---\n{body}\n"
MEDIA = "media:\n  - path: media/p.png\n    alt: A photo\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def post(name: str, when: str = "2026-12-14 09:00", body: str = "Hello.", extra: str = "") -> str:
    return POST.format(id=name, when=when, body=body, extra=extra)


@pytest.fixture(autouse=True)
def _setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """One time for every build (a page shows what is due); files written just now
    are trusted as if older, so that a second build really keeps them (a file
    changed within the clock's tick is covered by check's cache tests: the same
    signatures)."""
    monkeypatch.setenv("SMMGEN_AT", AT)
    monkeypatch.setattr(check_cache, "RACY_NS", 0)


WRITES = itertools.count()


def write(path: Path, data: str | bytes) -> None:
    """Write, with a modification time no other write has (a test writes faster
    than some file systems' clocks tick), in the past (a file from the future is
    never trusted)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    when = time.time_ns() - 10**11 + next(WRITES) * 1000
    os.utime(path, ns=(when, when))


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def fresh(root: Path, tmp: Path) -> dict[str, bytes]:
    """What a build from nothing writes: a copy of the project, its own folder."""
    copy = tmp / "copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".smmgen", "_site"))
    result = build(copy, copy / "_site", use_cache=False)
    return tree(result.out)


def same_as_fresh(root: Path, tmp: Path) -> BuildResult:
    result = build(root)
    assert tree(result.out) == fresh(root, tmp)
    return result


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project(
        posts={
            "a.md": post("a", extra=MEDIA),
            "b.md": post("b", "2026-12-16 09:00", "Second post with #launch"),
            "c.md": post("c", "2026-12-09 09:00", "שלום עולם"),
        },
        media=["media/p.png"],
    )


def written_times(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.json")}


def test_a_second_build_keeps_every_post_and_writes_no_post_file(
    project: Path, tmp_path: Path
) -> None:
    first = same_as_fresh(project, tmp_path)
    assert first.reused == 0
    before = {n: t for n, t in written_times(first.out).items() if n != "variants.json"}
    pages = {p: p.stat().st_mtime_ns for p in (first.out / "posts").rglob("*.html")}
    second = same_as_fresh(project, tmp_path)
    assert (second.reused, second.posts, second.variants) == (3, 3, first.variants)
    after = {n: t for n, t in written_times(second.out).items() if n != "variants.json"}
    assert after == before
    assert {p: p.stat().st_mtime_ns for p in pages} == pages


def test_an_edited_post_alone_is_built_again(project: Path, tmp_path: Path) -> None:
    out = same_as_fresh(project, tmp_path).out
    pages = {p: p.stat().st_mtime_ns for p in (out / "posts").rglob("*.html")}
    write(project / "content/b.md", post("b", "2026-12-16 09:00", "Changed text"))
    result = same_as_fresh(project, tmp_path)
    assert result.reused == 2
    changed = {p.parent.name for p, t in pages.items() if p.stat().st_mtime_ns != t}
    assert changed == {"b"}
    assert "Changed text" in (out / "posts/b/index.html").read_text("utf-8")
    assert "Changed text" in (out / "index.html").read_text("utf-8")  # the list too


def test_files_changed_just_now_are_known_by_their_content(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As after a checkout, every file changed within the clock's tick: their
    signatures cannot be trusted, their content can."""
    monkeypatch.setattr(check_cache, "RACY_NS", 10**15)
    same_as_fresh(project, tmp_path)
    assert same_as_fresh(project, tmp_path).reused == 3
    post_file = project / "content/b.md"
    stat = post_file.stat()
    text = post_file.read_text("utf-8").replace("Second", "Sekond")  # same size
    post_file.write_text(text, "utf-8")
    os.utime(post_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the same time
    write(project / "media/p.png", PNG + b"\1")
    assert same_as_fresh(project, tmp_path).reused == 1
    monkeypatch.setattr(check_cache, "RACY_NS", 0)  # trusted by signature from now on
    assert same_as_fresh(project, tmp_path).reused == 3


def test_a_changed_media_file_builds_its_post_again(project: Path, tmp_path: Path) -> None:
    same_as_fresh(project, tmp_path)
    write(project / "media/p.png", PNG + b"\0" * 10)
    result = same_as_fresh(project, tmp_path)
    assert result.reused == 2
    (project / "media/p.png").unlink()
    assert same_as_fresh(project, tmp_path).reused == 2


def test_a_page_changed_by_hand_is_written_again(project: Path, tmp_path: Path) -> None:
    out = same_as_fresh(project, tmp_path).out
    write(out / "posts/a/index.html", "defaced")
    (out / "variants/b/mastodon.json").unlink()
    write(out / "calendar/2026-12/index.html", "defaced")
    (out / "index.html").unlink()
    result = same_as_fresh(project, tmp_path)
    assert result.reused == 1


def test_a_removed_post_and_channel_leave_no_file_behind(project: Path, tmp_path: Path) -> None:
    out = same_as_fresh(project, tmp_path).out
    assert (out / "posts/b/index.html").is_file()
    (project / "content/b.md").unlink()
    write(project / "content/a.md", post("a", extra=MEDIA + "channels: [bluesky]\n"))
    result = same_as_fresh(project, tmp_path)
    assert not (out / "posts/b").exists()
    assert not (out / "variants/b").exists()
    assert not (out / "variants/a/mastodon.json").exists()
    assert result.removed == 4  # b's page and two variants, a's mastodon variant


def test_time_passing_changes_the_pages_of_posts_whose_time_came(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    same_as_fresh(project, tmp_path)
    monkeypatch.setenv("SMMGEN_AT", "2026-12-10 18:00")
    # a and b are still scheduled; c was missed, and its page says how late it is
    assert same_as_fresh(project, tmp_path).reused == 2
    monkeypatch.setenv("SMMGEN_AT", "2026-12-14 10:00")  # a is due now, c missed
    result = same_as_fresh(project, tmp_path)
    assert result.reused == 1  # b is still scheduled
    assert "due" in (result.out / "posts/a/index.html").read_text("utf-8")


def test_a_configuration_change_builds_everything(project: Path, tmp_path: Path) -> None:
    same_as_fresh(project, tmp_path)
    write(project / "channels.yaml", CHANNELS_YAML.replace("mastodon.example", "social.example"))
    assert same_as_fresh(project, tmp_path).reused == 0


def test_a_broken_file_is_listed_on_every_page_and_recovers(project: Path, tmp_path: Path) -> None:
    same_as_fresh(project, tmp_path)
    write(project / "content/d.md", "---\nid: d\npublish_at: [\n---\nBroken\n")
    broken = same_as_fresh(project, tmp_path)
    assert broken.unloaded == ["content/d.md"]
    assert broken.reused == 0
    assert "content/d.md" in (broken.out / "posts/a/index.html").read_text("utf-8")
    write(project / "content/d.md", post("d"))
    assert same_as_fresh(project, tmp_path).unloaded == []


def test_each_output_folder_keeps_its_own_record(project: Path, tmp_path: Path) -> None:
    build(project)
    build(project, tmp_path / "elsewhere")
    assert build(project).reused == 3
    assert build(project, tmp_path / "elsewhere").reused == 3


def test_a_cache_that_is_not_ours_is_ignored(project: Path, tmp_path: Path) -> None:
    out = build(project).out
    record = project / ".smmgen/cache" / buildcache.cache_file(out)
    ours = json.dumps({"target": str(out), "posts": {"x": [1]}})
    for junk in ("", "{", "[]", '{"target": 1}', ours):
        record.write_text(junk)
        assert same_as_fresh(project, tmp_path).reused == 0


# -- any sequence of changes: the folder is always what a build from nothing writes

BODIES = [
    "Hello.",
    "Second #launch post",
    "שלום עולם",
    "\u0633\u0644\u0627\u0645\u200c\u062f\u0646\u06cc\u0627",
    "Zażółć",
    "e\u0301",
]
TIMES = ["2026-12-09 09:00", "2026-12-10 11:59", "2026-12-14 09:00", "2027-01-05 09:00"]
CHANNELS = ["", "channels: [bluesky]\n", "channels: [mastodon]\n"]

change = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 3), st.sampled_from(BODIES)),
    st.tuples(st.just("time"), st.integers(0, 3), st.sampled_from(TIMES)),
    st.tuples(st.just("channels"), st.integers(0, 3), st.sampled_from(CHANNELS)),
    st.tuples(st.just("remove"), st.integers(0, 3), st.none()),
    st.tuples(st.just("break"), st.integers(0, 3), st.none()),
    st.tuples(st.just("same id"), st.integers(0, 3), st.none()),
    st.tuples(st.just("media"), st.integers(0, 3), st.binary(max_size=8)),
    st.tuples(st.just("clock"), st.integers(0, 3), st.sampled_from(["09:30", "12:00", "23:00"])),
    st.tuples(st.just("deface"), st.integers(0, 3), st.none()),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(change, min_size=1, max_size=5))
def test_any_changes_leave_what_a_build_from_nothing_writes(
    make_project: MakeProject,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    changes: list[tuple[str, int, object]],
) -> None:
    monkeypatch.setenv("SMMGEN_AT", AT)
    tmp = tmp_path_factory.mktemp("case")
    root = tmp / "project"  # each example from nothing
    shutil.copytree(make_project(posts={}, media=["media/p.png"]), root)
    files = [root / "content" / f"p{i}.md" for i in range(4)]
    state = {
        i: {"id": f"p{i}", "when": TIMES[i % 3], "body": BODIES[i], "extra": ""} for i in range(4)
    }
    state[0]["extra"] = MEDIA

    def save(i: int) -> None:
        write(files[i], post(state[i]["id"], state[i]["when"], state[i]["body"], state[i]["extra"]))

    for i in range(4):
        save(i)
    same_as_fresh(root, tmp)
    for kind, i, value in changes:
        if kind == "edit":
            state[i]["body"] = str(value)
            save(i)
        elif kind == "time":
            state[i]["when"] = str(value)
            save(i)
        elif kind == "channels":
            state[i]["extra"] = (MEDIA if i == 0 else "") + str(value)
            save(i)
        elif kind == "remove":
            files[i].unlink(missing_ok=True)
        elif kind == "break":
            write(files[i], "---\nid: broken\npublish_at: [\n---\n")
        elif kind == "same id":
            state[i]["id"] = state[(i + 1) % 4]["id"]
            save(i)
        elif kind == "media":
            write(root / "media/p.png", PNG + bytes(value))  # type: ignore[arg-type]
        elif kind == "clock":
            monkeypatch.setenv("SMMGEN_AT", f"2026-12-1{i} {value}")
        elif kind == "deface":
            pages = sorted((root / "_site").rglob("*.html"))
            if pages:
                write(pages[i % len(pages)], "defaced")
        same_as_fresh(root, tmp)
    again = same_as_fresh(root, tmp)  # nothing changed: every post kept
    assert again.reused == again.posts
