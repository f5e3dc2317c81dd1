"""`smmgen build` on every core (issue 16): each post is built, written and paged
in a worker, and the output is exactly what one process writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from smmgen.adapt.variants import Variant
from smmgen.commands import build as build_module
from smmgen.commands.build import build
from smmgen.loader import workers
from smmgen.loader.posts import Post
from smmgen.site.pages import Pages
from tests.conftest import REPO


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.fixture(autouse=True)
def _one_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every build judges the posts at one time (the pages show what is due)."""
    monkeypatch.setenv("SMMGEN_AT", "2026-12-07 12:00")


def _in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers, "workers", lambda: 2)


def test_workers_write_what_one_process_writes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The example content (every network, thread parts, media, right-to-left
    posts), built in this process and in forked workers."""
    alone = build(REPO, tmp_path / "alone")
    _in_workers(monkeypatch)
    forked = build(REPO, tmp_path / "forked")
    assert (forked.posts, forked.variants, forked.with_errors, forked.unloaded) == (
        alone.posts,
        alone.variants,
        alone.with_errors,
        alone.unloaded,
    )
    expected = _files(tmp_path / "alone")
    assert len([name for name in expected if name.startswith("variants/")]) == alone.variants
    assert _files(tmp_path / "forked") == expected


def test_spawned_workers_write_what_one_process_writes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Where fork is not the default (macOS, Windows) the project is sent to each
    worker once."""
    alone = build(REPO, tmp_path / "alone")
    _in_workers(monkeypatch)
    monkeypatch.setattr(workers, "START_METHOD", "spawn")
    spawned = build(REPO, tmp_path / "spawned")
    assert (spawned.posts, spawned.variants) == (alone.posts, alone.variants)
    assert _files(tmp_path / "spawned") == _files(tmp_path / "alone")


def test_variant_files_hold_one_json_document_each(tmp_path: Path) -> None:
    result = build(REPO, tmp_path / "site")
    index = json.loads((result.out / "variants.json").read_text("utf-8"))
    for entry in index["variants"]:
        text = (result.out / entry["path"]).read_text("utf-8")
        assert text.endswith("}\n")
        assert text.count("\n") == 1  # compact: one line per file
        data = json.loads(text)
        assert (data["post"], data["channel"]) == (entry["post"], entry["channel"])
        assert data["publish_at_utc"] == entry["publish_at"]


def test_each_posts_page_is_written_in_the_worker_that_built_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The extension point for the static site's pages: called once per post, in a
    worker, after that post's variant files are written, with its variants."""
    original = build_module.write_post_page

    def page(target: Path, pages: Pages, post: Post, variants: list[Variant]) -> str:
        written = sorted(p.stem for p in (target / "variants" / post.id).glob("*.json"))
        assert written == sorted(v.channel for v in variants)
        marks = target / "marks"
        marks.mkdir(exist_ok=True)
        with open(marks / f"{post.id}.txt", "x", encoding="utf-8") as file:  # once per post
            file.write(f"{os.getpid()} {' '.join(v.channel for v in variants)}")
        return original(target, pages, post, variants)

    monkeypatch.setattr(build_module, "write_post_page", page)
    _in_workers(monkeypatch)
    result = build(REPO, tmp_path / "site")
    index = json.loads((result.out / "variants.json").read_text("utf-8"))["variants"]
    marks = {p.stem: p.read_text("utf-8").split() for p in (result.out / "marks").iterdir()}
    assert len(marks) == result.posts
    for post, (pid, *channels) in marks.items():
        assert int(pid) != os.getpid()
        assert channels == [e["channel"] for e in index if e["post"] == post]
    # each post's page shows every variant of it
    pages = list((result.out / "posts").glob("*/index.html"))
    assert len(pages) == result.posts
    cards = sum(p.read_text("utf-8").count('<article class="card') for p in pages)
    assert cards == result.variants
