"""The sdist and wheel, built once per test session, and a folder of wheels to
install them from without an index.

Every test that uses ``built`` or ``wheelhouse`` is marked
``@pytest.mark.xdist_group("packaging")``: with ``--dist loadgroup`` they all run
on one worker, which builds once.

The build runs on a copy of the working tree (the files git tracks or would
track, nothing it ignores), as a fresh clone would have it: ``python -m build``
writes ``smmgen.egg-info/`` into the tree it builds, and the repository stays
untouched. As ``build`` does by default, the wheel is built from the sdist, so
a file missing from the sdist is missing from the wheel too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

BUILD_TIMEOUT = 600
DOWNLOAD_TIMEOUT = 600


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path


def run(
    what: str,
    argv: Sequence[str | Path],
    *,
    cwd: Path,
    timeout: float,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command; fail the test with its output when it hangs, or (``check``)
    when it fails."""
    command = [str(a) for a in argv]
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{what}: no result after {timeout} s: {' '.join(command)}\n{exc.output}")
    if check and done.returncode != 0:
        pytest.fail(
            f"{what} failed (exit code {done.returncode}): {' '.join(command)}\n"
            f"--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}"
        )
    return done


def tree_files() -> list[str]:
    """The working tree as git sees it: tracked and untracked files, none ignored."""
    listed = run(
        "git ls-files",
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        timeout=60,
    ).stdout
    return sorted({name for name in listed.split("\0") if name})


def copy_tree(target: Path) -> None:
    for name in tree_files():
        source = REPO / name
        if not source.is_file() and not source.is_symlink():
            continue  # deleted in the working tree, or a submodule
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name, follow_symlinks=False)


def only(folder: Path, pattern: str, log: str) -> Path:
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        pytest.fail(f"python -m build made {[p.name for p in found]} for {pattern}\n{log}")
    return found[0]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """``python -m build`` of a copy of the working tree: the sdist, then the wheel from it."""
    work = tmp_path_factory.mktemp("packaging-build")
    source, out = work / "source", work / "dist"
    copy_tree(source)
    done = run(
        "python -m build",
        [sys.executable, "-m", "build", "--outdir", out, source],
        cwd=work,
        timeout=BUILD_TIMEOUT,
    )
    log = f"--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}"
    return Built(sdist=only(out, "smmgen-*.tar.gz", log), wheel=only(out, "smmgen-*.whl", log))


@pytest.fixture(scope="session")
def wheelhouse(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the built wheel and a wheel of every runtime dependency, for
    ``pip install --no-index --find-links`` and ``uv pip compile --no-index --find-links``.

    The dependencies come from pip's own configuration (its index), as wheels for
    this interpreter and platform."""
    folder = tmp_path_factory.mktemp("packaging-wheelhouse")
    shutil.copy2(built.wheel, folder / built.wheel.name)
    download = [sys.executable, "-m", "pip", "download", "--dest", folder]
    download += ["--only-binary", ":all:", "--no-input", "--disable-pip-version-check"]
    run(
        "pip download (the wheels of smmgen's dependencies)",
        [*download, built.wheel],
        cwd=folder,
        timeout=DOWNLOAD_TIMEOUT,
    )
    return folder
