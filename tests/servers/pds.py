"""A real Bluesky PDS for tests: ``@atproto/dev-env`` run by ``tests/pds/start.mjs``.

The npm project in tests/pds pins ``@atproto/dev-env``; the test run installs
it when a test needs it (tests/prerequisites.py; a module using the PDS marks
itself with ``pytest.mark.npm("tests/pds")``). :func:`running_pds` starts a PDS and its PLC
directory on free ports of 127.0.0.1, with the accounts alice.test (who
posts; :class:`Pds` has her password and DID) and bob.test, and stops it
when the ``with`` block ends. The process also ends by itself when its stdin
closes, so a test run that is killed does not leave it behind. Its data
lives in a temporary directory that is removed afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

from tests.prerequisites import REPO, node, npm_project

PDS_DIR = REPO / "tests" / "pds"
START = PDS_DIR / "start.mjs"
READY = "PDS_READY "
START_TIMEOUT = 60.0  # seconds; it takes about two


@dataclass(frozen=True)
class Pds:
    """A running PDS: where it is, and the account that posts."""

    url: str  # the PDS, e.g. http://localhost:PORT (XRPC under /xrpc/)
    handle: str  # alice.test
    password: str
    did: str
    plc_url: str
    accounts: dict[str, str] = field(default_factory=dict)  # handle -> DID (alice, bob)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Every line the process prints, until it closes its stdout."""
    for line in stream:
        lines.put(line)
    lines.put(None)


class _Process:
    """One start.mjs: started, waited for, stopped."""

    def __init__(self, node_path: str, data: Path):
        self.data = data
        self.log_path = data / "pds.log"
        self.log = self.log_path.open("w", encoding="utf-8")
        env = {**os.environ, "TMPDIR": str(data), "NODE_ENV": "test"}
        env.pop("LOG_ENABLED", None)
        self.proc = subprocess.Popen(
            [node_path, str(START), str(free_port()), str(free_port()), str(data)],
            cwd=PDS_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            encoding="utf-8",
        )
        assert self.proc.stdout is not None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(
            target=_pump, args=(self.proc.stdout, self.lines), daemon=True
        )
        self.reader.start()

    def wait_ready(self, timeout: float) -> Pds | None:
        """The PDS once it is up; None if the process ended first."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                return None
            if line is None:
                return None
            if line.startswith(READY):
                info = json.loads(line[len(READY) :])
                return Pds(
                    url=info["pdsUrl"],
                    handle=info["handle"],
                    password=info["password"],
                    did=info["did"],
                    plc_url=info["plcUrl"],
                    accounts=dict(info["accounts"]),
                )

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        """Close its stdin (it shuts down), then terminate or kill it if it lingers."""
        proc = self.proc
        with contextlib.suppress(OSError):
            if proc.stdin:
                proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.reader.join(timeout=5)
        if proc.stdout:
            proc.stdout.close()
        self.log.close()


@contextlib.contextmanager
def running_pds(*, attempts: int = 3) -> Iterator[Pds]:
    """A PDS for the ``with`` block (installs tests/pds first if needed)."""
    npm_project("tests/pds")
    with tempfile.TemporaryDirectory(prefix="smmgen-pds-", ignore_cleanup_errors=True) as tmp:
        failures = []
        for attempt in range(attempts):
            data = Path(tmp) / str(attempt)
            data.mkdir()
            process = _Process(node(), data)
            try:
                server = process.wait_ready(START_TIMEOUT)
                if server is not None:
                    yield server
                    return
                failures.append(process.output())
                if "EADDRINUSE" not in failures[-1]:
                    break  # not a port taken between choosing and binding it: give up
            finally:
                process.stop()
        pytest.fail("the test PDS did not start:\n" + failures[-1])
