"""Loading the configuration while check reads its cache, for a run where a few
post files changed.

A whole-project check with the cache first reads the cache and compares every
post file with it; only then does it know whether a file must be checked again,
which needs the configuration loaded and the modules that check a post imported
(pydantic, Markdown, templates: most of such a run). :class:`Ahead` starts a
process that does that meanwhile, on another core: forked before the cache is
read, it loads the configuration and judges the project as a whole
(:func:`smmgen.check.run.prepare`), then waits for the names of the files to
check. It checks them and sends back their entries, or is stopped when the
cache holds everything (or too many files changed: then check does it all
itself, on every core). Only where forking is the way to start a process
(Linux) and from a process without other threads; when the process fails in
any way, check does its work itself. Nothing but this process's own results is
unpickled.

This module stays light: the forked process imports what checks posts.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smmgen.check.cache import Entry, Summary
    from smmgen.check.rules import Clock

ENABLED = True  # tests turn it off to compare
UP_TO = 50  # changed files it checks; more are checked here, on every core, with progress


@dataclass(frozen=True)
class Checked:
    """What the process found: as :func:`smmgen.check.run.check_project` would."""

    summary: Summary
    when: Clock
    secret_values: set[str]  # the configuration's
    fresh: list[tuple[Entry, set[str]]]  # each file's entry, and the secrets found in it


def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as source:
        return source.read()


def _child(root: Path, at: str | None, names: int, results: int) -> None:
    from smmgen.check import run

    prepared = run.prepare(root, at)
    asked = _read_all(names)
    if not asked:
        return  # the cache held every file
    stale: list[str] = pickle.loads(asked)
    fresh = run.check_files(prepared, stale, None, True)
    found = Checked(prepared.summary, prepared.when, prepared.project.secret_values, fresh)
    with os.fdopen(results, "wb") as out:
        out.write(pickle.dumps(found, pickle.HIGHEST_PROTOCOL))


class Ahead:
    """The process that checks ahead (see the module's documentation)."""

    def __init__(self, pid: int, names: int, results: int) -> None:
        self.pid = pid
        self.names: int | None = names  # where the names of the files to check go
        self.results: int | None = results

    @classmethod
    def start(cls, root: Path, at: str | None) -> Ahead | None:
        if not ENABLED or sys.platform != "linux" or threading.active_count() > 1:
            return None
        names_in, names_out = os.pipe()
        results_in, results_out = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (names_in, names_out, results_in, results_out):
                os.close(fd)
            return None
        if pid == 0:  # the child: never returns, never flushes its parent's output
            status = 1
            try:
                os.close(names_out)
                os.close(results_in)
                _child(root, at, names_in, results_out)
                status = 0
            except BaseException:  # the parent does the work itself
                pass
            finally:
                os._exit(status)
        os.close(names_in)
        os.close(results_out)
        return cls(pid, names_out, results_in)

    def check(self, stale: list[str]) -> Checked | None:
        """The entries of the ``stale`` files, or None when the process failed."""
        names, results = self.names, self.results
        self.names = self.results = None
        if names is None or results is None:
            return None
        try:
            with os.fdopen(names, "wb") as out:
                out.write(pickle.dumps(stale, pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # it ended already: how it ended tells
        try:
            data = _read_all(results)
        except OSError:
            data = b""
        if not self._ended_well() or not data:
            return None
        try:
            found: Any = pickle.loads(data)  # this process's own child wrote it
        except Exception:
            return None
        return found if isinstance(found, Checked) else None

    def _ended_well(self) -> bool:
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return False
        self.pid = 0
        return os.waitstatus_to_exitcode(status) == 0

    def stop(self) -> None:
        """End the process (when it is still running) and close its pipes."""
        for fd in (self.names, self.results):
            if fd is not None:
                os.close(fd)
        self.names = self.results = None
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0
