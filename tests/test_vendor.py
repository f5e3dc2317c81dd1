"""The vendored third-party test data: complete, licensed, unchanged, refreshable.

tests/vendor/sources.json lists every file with its upstream repository,
commit and SHA-256; scripts/refresh_vendor.py brings them from upstream. Its
tests run against local git repositories laid out like the upstream ones.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.publish.gitrepo import git
from tests.vendored import VENDOR, manifest, vendored

SCRIPT = REPO / "scripts" / "refresh_vendor.py"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listed(source: dict[str, Any]) -> dict[str, str]:
    """Every file of a source (copied and added by hand) -> its recorded SHA-256."""
    entries = {**source["files"], **source.get("added", {})}
    return {name: entry["sha256"] for name, entry in entries.items()}


def test_every_vendored_file_is_listed_with_its_hash() -> None:
    on_disk = {
        path.relative_to(VENDOR).as_posix()
        for path in VENDOR.rglob("*")
        if path.is_file() and path.parent != VENDOR
    }
    expected = set()
    for name, source in manifest()["sources"].items():
        for local, digest in listed(source).items():
            expected.add(f"{name}/{local}")
            assert sha256(VENDOR / name / local) == digest, f"{name}/{local} was changed"
    assert on_disk == expected
    assert {p.name for p in VENDOR.iterdir() if p.is_file()} == {"sources.json", "README.md"}


@pytest.mark.parametrize("name", sorted(manifest()["sources"]))
def test_every_source_says_where_it_is_from_and_its_licence(name: str) -> None:
    source = manifest()["sources"][name]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", source["repository"])
    assert re.fullmatch(r"[0-9a-f]{40}", source["commit"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", source["date"])
    assert source["licence"]
    assert source["used_by"].split(":")[0] in {
        p.relative_to(REPO).as_posix() for p in (REPO / "tests").rglob("*.py")
    }
    licences = [local for local in listed(source) if Path(local).name.startswith("LICENSE")]
    assert licences, f"{name} has no licence file"
    assert f"`{name}`" in (VENDOR / "README.md").read_text(encoding="utf-8")


def test_vendored_refuses_unlisted_files() -> None:
    assert vendored("twitter-text", "validate.yml").is_file()
    assert vendored("atproto", "lexicons").is_dir()
    with pytest.raises(KeyError, match="lists no"):
        vendored("twitter-text", "tlds.yml")


# -- scripts/refresh_vendor.py ----------------------------------------------------


def upstream_of(name: str, root: Path, change: dict[str, bytes] | None = None) -> Path:
    """A git repository laid out like the source's upstream, holding the vendored files."""
    repo = root / f"{name}-upstream"
    for local, entry in manifest()["sources"][name]["files"].items():
        target = repo / entry["from"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(VENDOR / name / local, target)
    for path, data in (change or {}).items():
        (repo / path).write_bytes(data)
    git(repo.parent, "init", "--quiet", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "upstream")
    return repo


def refresh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def vendor(tmp_path: Path) -> Path:
    """A copy of tests/vendor to refresh."""
    copy_ = tmp_path / "vendor"
    shutil.copytree(VENDOR, copy_)
    return copy_


def test_refresh_takes_upstreams_files_and_records_the_commit(tmp_path: Path, vendor: Path) -> None:
    new = b"tests: {}\n"
    upstream = upstream_of("twitter-text", tmp_path, {"conformance/validate.yml": new})
    head = git(upstream, "rev-parse", "HEAD").strip()
    before = json.loads((vendor / "sources.json").read_text())

    done = refresh("twitter-text", "--from", upstream.as_uri(), "--vendor", str(vendor))
    assert done.returncode == 0, done.stderr
    assert "1 files changed: validate.yml" in done.stdout

    assert (vendor / "twitter-text" / "validate.yml").read_bytes() == new
    after = json.loads((vendor / "sources.json").read_text())
    source = after["sources"]["twitter-text"]
    assert source["commit"] == head
    assert source["files"]["validate.yml"]["sha256"] == hashlib.sha256(new).hexdigest()
    expected = copy.deepcopy(before)
    expected["sources"]["twitter-text"]["commit"] = head
    expected["sources"]["twitter-text"]["date"] = source["date"]
    expected["sources"]["twitter-text"]["files"]["validate.yml"]["sha256"] = source["files"][
        "validate.yml"
    ]["sha256"]
    assert after == expected  # nothing else changed


def test_check_finds_a_vendored_file_that_is_not_upstreams(tmp_path: Path, vendor: Path) -> None:
    upstream = upstream_of("atproto-interop-tests", tmp_path)
    head = git(upstream, "rev-parse", "HEAD").strip()
    manifest_path = vendor / "sources.json"
    data = json.loads(manifest_path.read_text())
    data["sources"]["atproto-interop-tests"]["commit"] = head
    manifest_path.write_text(json.dumps(data))
    args = ("atproto-interop-tests", "--from", upstream.as_uri(), "--vendor", str(vendor))

    assert refresh(*args, "--check").returncode == 0
    tampered = vendor / "atproto-interop-tests" / "syntax" / "tid_syntax_valid.txt"
    tampered.write_text(tampered.read_text() + "notatid\n")
    done = refresh(*args, "--check")
    assert done.returncode == 1
    assert "syntax/tid_syntax_valid.txt differs from syntax/tid_syntax_valid.txt" in done.stderr


def test_refresh_says_what_to_do_when_upstream_moved_a_file(tmp_path: Path, vendor: Path) -> None:
    upstream = upstream_of("mastodon-openapi", tmp_path)
    git(upstream, "mv", "dist/schema.json", "dist/openapi.json")
    git(upstream, "commit", "-qm", "mv")
    done = refresh("mastodon-openapi", "--from", upstream.as_uri(), "--vendor", str(vendor))
    assert done.returncode == 1
    assert "upstream has no dist/schema.json" in done.stderr
    assert "update its 'from' in tests/vendor/sources.json" in done.stderr
    assert (vendor / "sources.json").read_bytes() == (VENDOR / "sources.json").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "unknown source 'nosuch'"),
        (["--commit", "abc"], "--commit and --from need exactly one NAME"),
        (["atproto", "--check", "--commit", "abc"], "leave out --commit"),
    ],
)
def test_refresh_usage_errors(args: list[str], message: str, vendor: Path) -> None:
    done = refresh(*args, "--vendor", str(vendor))
    assert done.returncode in (1, 2)
    assert message in done.stderr
