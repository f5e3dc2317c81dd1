"""Local git repositories for ledger tests: a bare 'origin' and clones of it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from smmgen.publish.ledger.gitstore import GitStore

IDENTITY = ["-c", "user.name=smmgen tests", "-c", "user.email=tests@smmgen.invalid"]


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def origin_with(
    project: Path, bare: Path, message: str = "content", *, ledger: bool = True
) -> None:
    """Make ``project`` a repository whose main is pushed to a new bare ``bare``,
    and (``ledger``) create the ledger branch there, as `smmgen ledger init` does."""
    bare.mkdir(parents=True)
    git(bare, "init", "--quiet", "--bare", "--initial-branch=main")
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", message)
    git(project, "remote", "add", "origin", str(bare))
    git(project, "push", "--quiet", "origin", "main")
    if ledger:
        init_ledger(project)


def init_ledger(project: Path, branch: str = "smmgen-ledger") -> str:
    """Create the ledger branch on origin (`smmgen ledger init`); its first commit."""
    store = GitStore(project, branch=branch)
    try:
        store.create()
    finally:
        store.close()
    assert store.tip is not None
    return store.tip


def clone(bare: Path, target: Path) -> Path:
    git(bare.parent, "clone", "--quiet", str(bare), str(target))
    return target


def branch_files(bare: Path, branch: str = "smmgen-ledger") -> dict[str, str]:
    """The files on a branch of the bare repository."""
    names = git(bare, "ls-tree", "-r", "--name-only", branch).splitlines()
    return {name: git(bare, "show", f"{branch}:{name}") for name in names}
