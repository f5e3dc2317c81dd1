"""What the tests need besides Python packages, and what happens when it is missing.

The test command sets itself up. The npm projects the tests use are installed
with ``npm ci`` the first time a collected test needs them (``conftest.py``
does it before the first test runs, and says so), and again only when their
``package-lock.json`` or the Node version changes: a stamp in
``node_modules`` records what was installed. They are:

- ``tests/text/node``: the official ``@atproto/api`` and ``@atproto/lexicon``
  the Bluesky tests compare with;
- ``tests/pds``: a real Bluesky PDS (``@atproto/dev-env``), whose
  better-sqlite3 compiles against Node's headers.

A test module that needs one says so with ``pytestmark = pytest.mark.npm(DIR)``.

The README's prerequisites (Node 20+ with npm, git, bash, jq, a C++ compiler)
cannot be installed by the tests: a missing one fails each test that needs it,
saying what to install. A test skips only for what cannot exist on the machine
at all (:func:`impossible_here`, e.g. a POSIX terminal on Windows), with the
reason; ``SMMGEN_REQUIRE_INTEGRATION=1`` (CI) turns every skip into a failure.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

try:
    import fcntl
except ImportError:  # Windows: one test run at a time there
    fcntl = None  # type: ignore[assignment]

REPO = Path(__file__).resolve().parent.parent
REQUIRE = "SMMGEN_REQUIRE_INTEGRATION"
NPM_PROJECTS = ("tests/text/node", "tests/pds")
STAMP = ".smmgen-installed"
MIN_NODE = 20


class Missing(Exception):
    """A prerequisite is missing or could not be installed; the message says what to do."""


def impossible_here(reason: str) -> NoReturn:
    """Skip a test that cannot run on this kind of machine at all (fails under CI)."""
    pytest.skip(reason)


def _fail(exc: Missing) -> NoReturn:
    pytest.fail(str(exc), pytrace=False)


def find_tool(name: str) -> str | None:
    """name on PATH, or beside this Python (a venv's scripts when it is not activated)."""
    return shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))


def tool(name: str, install: str) -> str:
    """The path of a command-line tool; fails the test, saying how to install it, if absent."""
    found = find_tool(name)
    if found is None:
        pytest.fail(f"{name} is not installed: {install} (README: Prerequisites)", pytrace=False)
    return found


@functools.cache
def _node() -> tuple[str, str]:
    """The node executable and its ABI version; raises Missing."""
    node = find_tool("node")
    if node is None:
        raise Missing(f"Node.js {MIN_NODE}+ is not installed: install it (README: Prerequisites)")
    done = subprocess.run(
        [node, "-p", "process.versions.node + ' ' + process.versions.modules"],
        capture_output=True,
        text=True,
        check=False,
    )
    version, _, abi = done.stdout.strip().partition(" ")
    if done.returncode != 0 or int(version.split(".")[0] or 0) < MIN_NODE:
        raise Missing(f"Node.js {MIN_NODE}+ is needed, {node} is {version or 'not working'}")
    return node, abi


def node() -> str:
    """The node executable (Node 20+); fails the test if there is none."""
    try:
        return _node()[0]
    except Missing as exc:
        _fail(exc)


def stamp(project: Path, abi: str) -> str:
    """What an install of the project's lock file for this Node ABI writes into node_modules."""
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((project / name).read_bytes())
    return f"{digest.hexdigest()} node-abi-{abi}\n"


def npm_env(node_path: str) -> dict[str, str]:
    """npm's environment: node-gyp builds against the installed Node's headers.

    Without npm_config_nodedir node-gyp downloads the headers, which fails on
    a machine that reaches only the package registry.
    """
    env = dict(os.environ)
    prefix = Path(node_path).resolve().parent.parent
    if "npm_config_nodedir" not in env and (prefix / "include" / "node" / "node.h").is_file():
        env["npm_config_nodedir"] = str(prefix)
    return env


@contextlib.contextmanager
def _locked(project: Path) -> Iterator[None]:
    """One installer at a time per project (two test runs may start together)."""
    key = hashlib.sha256(str(project).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"smmgen-npm-{key}.lock"
    if fcntl is None:
        yield
        return
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def installed(project: Path) -> bool:
    """Whether the npm project is installed as its lock file says, for this Node."""
    try:
        abi = _node()[1]
    except Missing:
        return False
    written = project / "node_modules" / STAMP
    return written.is_file() and written.read_text() == stamp(project, abi)


def install_project(project: Path, say: Callable[[str], None]) -> None:
    """Install an npm project with `npm ci` unless it is current; raises Missing."""
    relative = project.relative_to(REPO) if project.is_relative_to(REPO) else project
    node_path, abi = _node()
    npm = find_tool("npm")
    if npm is None:
        raise Missing("npm is not installed: it comes with Node.js (README: Prerequisites)")
    with _locked(project):
        if installed(project):
            return
        say(f"installing the npm packages of {relative} (npm ci; only when they change)")
        started = time.monotonic()
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=project,
            env=npm_env(node_path),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
            raise Missing(
                f"`npm ci` in {relative} failed (exit {done.returncode}). It needs the npm"
                f" registry, and a C++ compiler, make and Node's headers for better-sqlite3"
                f" (README: Prerequisites):\n{tail}"
            )
        (project / "node_modules" / STAMP).write_text(stamp(project, abi))
        say(f"installed {relative} in {time.monotonic() - started:.0f} s")


_outcomes: dict[str, Missing | None] = {}
"""Each npm project's install this session: None when it is installed, else why not."""


def _quiet(_: str) -> None:
    pass


def install(relative: str, say: Callable[[str], None] = _quiet) -> Missing | None:
    """Install an npm project if needed, once per session; the error, if any."""
    if relative not in NPM_PROJECTS:
        raise ValueError(f"unknown npm project {relative!r}: add it to NPM_PROJECTS")
    if relative not in _outcomes:
        try:
            install_project(REPO / relative, say)
            _outcomes[relative] = None
        except Missing as exc:
            _outcomes[relative] = exc
    return _outcomes[relative]


def npm_project(relative: str) -> Path:
    """The directory of an installed npm project of the tests; installs it if needed."""
    error = install(relative)
    if error is not None:
        _fail(error)
    return REPO / relative
