"""Refresh the third-party test data in tests/vendor/ from its upstream repositories.

    python scripts/refresh_vendor.py                    # every source, to upstream's newest commit
    python scripts/refresh_vendor.py twitter-text       # one source
    python scripts/refresh_vendor.py atproto --commit d6296a1cfdb40a773319cb59061300e4e8e52f26
    python scripts/refresh_vendor.py --check            # are the files exactly upstream's?

tests/vendor/sources.json says, for each source, which repository it comes
from, the commit it was taken at (with that commit's date), its licence, and
every file: the upstream path it was copied from and its SHA-256. This script
fetches the commit (``--commit``, else the head of upstream's default branch)
with git, copies every listed file byte for byte, and writes the new commit,
date and hashes back into sources.json. Files listed under ``added`` were put
there by hand (a licence text an upstream file refers to) and are left alone.

``--check`` fetches the pinned commits instead and exits 1 if any vendored file
differs from upstream's, naming it. ``--from URL`` fetches one source from
another copy of its repository (a mirror, or a local clone); ``--vendor DIR``
works on another vendor directory (the tests use both).

Review the diff before committing: a new conformance file can change what the
tests expect. Needs git and access to the repositories; standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
VENDOR = REPO / "tests" / "vendor"
MANIFEST = "sources.json"


class RefreshError(Exception):
    """A problem to report in one line (exit 1)."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def git(*args: str, cwd: Path) -> bytes:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RefreshError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


@dataclass
class Fetched:
    """One commit of an upstream repository, fetched into a scratch repository."""

    scratch: Path
    commit: str
    date: str

    def read(self, path: str) -> bytes:
        try:
            return git("show", f"{self.commit}:{path}", cwd=self.scratch)
        except RefreshError:
            raise RefreshError(
                f"upstream has no {path} at {self.commit[:12]}: if it moved, update its"
                f" 'from' in tests/vendor/{MANIFEST}"
            ) from None


def fetch(url: str, rev: str, scratch: Path) -> Fetched:
    """Fetch rev (a commit, tag, branch or HEAD) of url, without its history."""
    scratch.mkdir(parents=True)
    git("init", "--quiet", "--bare", str(scratch), cwd=scratch)
    git("fetch", "--quiet", "--depth", "1", url, rev, cwd=scratch)
    commit, date = git("log", "-1", "--format=%H %cs", "FETCH_HEAD", cwd=scratch).decode().split()
    return Fetched(scratch, commit, date)


def load_manifest(vendor: Path) -> dict[str, Any]:
    path = vendor / MANIFEST
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RefreshError(f"cannot read {path}: {exc}") from None
    return manifest


def save_manifest(vendor: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (vendor / MANIFEST).write_text(text, encoding="utf-8")


def refresh(name: str, source: dict[str, Any], vendor: Path, fetched: Fetched) -> list[str]:
    """Copy every file of source at the fetched commit; return what changed."""
    changed = []
    for local, entry in source["files"].items():
        data = fetched.read(entry["from"])
        target = vendor / name / local
        if not target.is_file() or target.read_bytes() != data:
            changed.append(local)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        entry["sha256"] = sha256(data)
    source["commit"], source["date"] = fetched.commit, fetched.date
    return changed


def differences(name: str, source: dict[str, Any], vendor: Path, fetched: Fetched) -> list[str]:
    """The vendored files of source that are not byte for byte upstream's."""
    found = []
    for local, entry in source["files"].items():
        target = vendor / name / local
        if not target.is_file():
            found.append(f"tests/vendor/{name}/{local} is missing")
        elif target.read_bytes() != fetched.read(entry["from"]):
            found.append(f"tests/vendor/{name}/{local} differs from {entry['from']}")
    return found


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="refresh_vendor.py",
        description="Refresh tests/vendor/ from upstream (see tests/vendor/sources.json).",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="sources (default: all)")
    parser.add_argument("--commit", metavar="REV", help="take this commit, tag or branch")
    parser.add_argument("--from", dest="url", metavar="URL", help="fetch from this copy instead")
    parser.add_argument("--check", action="store_true", help="compare with the pinned commits")
    parser.add_argument("--vendor", type=Path, default=VENDOR, help="the vendor directory")
    args = parser.parse_args(argv)
    if (args.commit or args.url) and len(args.names) != 1:
        parser.error("--commit and --from need exactly one NAME")
    if args.check and args.commit:
        parser.error("--check compares with the pinned commit; leave out --commit")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    vendor: Path = args.vendor.resolve()
    try:
        manifest = load_manifest(vendor)
        sources: dict[str, Any] = manifest["sources"]
        unknown = [name for name in args.names if name not in sources]
        if unknown:
            raise RefreshError(f"unknown source {unknown[0]!r}; known: {', '.join(sources)}")
        problems: list[str] = []
        with tempfile.TemporaryDirectory(prefix="smmgen-vendor-") as tmp:
            for name in args.names or list(sources):
                source = sources[name]
                url = args.url or source["repository"]
                rev = source["commit"] if args.check else (args.commit or "HEAD")
                print(f"{name}: fetching {rev} of {url}", flush=True)
                fetched = fetch(url, rev, Path(tmp) / name)
                if args.check:
                    found = differences(name, source, vendor, fetched)
                    problems += found
                    print(f"{name}: {'differs' if found else 'identical'} at {fetched.commit}")
                    continue
                changed = refresh(name, source, vendor, fetched)
                print(
                    f"{name}: {fetched.commit} of {fetched.date}: "
                    + (f"{len(changed)} files changed: {', '.join(changed)}" if changed else "")
                    + ("" if changed else "no file changed")
                )
        if not args.check:
            save_manifest(vendor, manifest)
    except RefreshError as exc:
        print(f"refresh_vendor.py: error: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"refresh_vendor.py: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
