"""`check` for Threads media: a public URL is needed (media_base_url), and the file
must be one a deploy of the repository serves (inside media_root, and in git)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import MakeProject

IMAGE = "media/cat.png"


def project(make_project: MakeProject, **settings: Any) -> Path:
    entry = {"type": "threads", "token_env": "SMMGEN_THREADS_TOKEN", **settings}
    channels = yaml.safe_dump(
        {"defaults": {"channels": ["threads"]}, "channels": {"threads": entry}}
    )
    body = (
        "---\nid: p1\npublish_at: 2027-06-01 09:00\nmedia:\n"
        f"  - {{path: {IMAGE}, alt: A cat}}\n---\nA cat.\n"
    )
    return make_project(channels=channels, posts={"p.md": body}, media=[IMAGE])


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def findings(run: Any, root: Path) -> list[str]:
    result = run("--root", root, "check", "--format", "json")
    data = __import__("json").loads(result.output)
    return [f["message"] for f in data["findings"] if f["code"] == "media-not-served"]


def test_media_without_media_base_url_is_an_error(make_project: MakeProject, run: Any) -> None:
    root = project(make_project)
    [message] = findings(run, root)
    assert "no media_base_url" in message
    assert IMAGE in message


def test_media_outside_the_served_directory_is_an_error(
    make_project: MakeProject, run: Any
) -> None:
    root = project(make_project, media_base_url="https://example.org", media_root="static")
    [message] = findings(run, root)
    assert "outside media_root 'static'" in message


def test_media_must_be_in_git_and_adding_it_is_seen(make_project: MakeProject, run: Any) -> None:
    root = project(make_project, media_base_url="https://example.org")
    git(root, "init", "-q")
    [message] = findings(run, root)
    assert "not in git" in message
    git(root, "add", IMAGE)  # staged is enough: the commit being made holds it
    assert findings(run, root) == []  # the cached result is not reused: the index changed


def test_an_ignored_file_is_not_served(make_project: MakeProject, run: Any) -> None:
    root = project(make_project, media_base_url="https://example.org")
    (root / ".gitignore").write_text("media/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    assert len(findings(run, root)) == 1


def test_outside_git_only_the_settings_are_checked(make_project: MakeProject, run: Any) -> None:
    root = project(make_project, media_base_url="https://example.org")
    assert findings(run, root) == []


def test_a_channel_override_without_media_needs_no_url(make_project: MakeProject, run: Any) -> None:
    root = project(make_project)
    post = root / "content" / "p.md"
    post.write_text(
        post.read_text().replace("---\nA cat.", "overrides:\n  threads: {media: []}\n---\nA cat.")
    )
    assert findings(run, root) == []
