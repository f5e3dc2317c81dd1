"""The git ledger's crash journal: result records, appended and fsync'd before
they are pushed. A journal a crashed run left behind is pushed by the next run
that writes, which then removes it.

It lives in the git directory every worktree of the clone shares (``git
rev-parse --git-common-dir``), as the ``refs/smmgen/*`` refs it goes with do:
a run that died in one worktree is recovered from any of them.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from smmgen.publish.ledger.local import fsync_dir
from smmgen.publish.ledger.records import Record, dumps, parse_lines


class Journal:
    """The journal of the ledger branch ``branch``, in the git directory ``common_dir``."""

    def __init__(self, common_dir: Path, branch: str):
        self.path = common_dir / "smmgen" / f"{branch}.journal.jsonl"
        self._lock = threading.Lock()

    def exists(self) -> bool:
        return self.path.exists()

    def write(self, records: list[Record]) -> None:
        """Append ``records``; durable when this returns."""
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write("".join(dumps(r) + "\n" for r in records))
                handle.flush()
                os.fsync(handle.fileno())

    def read(self) -> list[Record]:
        """Every record that can be read (a line a crash cut short cannot)."""
        text = self.path.read_bytes().decode("utf-8", errors="replace")
        found, _ = parse_lines(text, str(self.path))
        return found

    def remove(self, *, durably: bool = False) -> None:
        """Forget the journal (its records are pushed); ``durably``: the removal
        itself survives a crash."""
        self.path.unlink(missing_ok=True)
        if durably:
            fsync_dir(self.path.parent)
