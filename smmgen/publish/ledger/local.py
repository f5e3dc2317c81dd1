"""The ledger in a local directory: one JSON Lines file per channel.

Every write is flushed and fsync'd before the call returns. One publish run
holds an exclusive lock on the directory, so the files have one writer;
reading (``smmgen ledger list``) needs no lock. Files kept with the ledger
(the feed) are written into the project, replaced atomically.

As with the git branch, only ``smmgen ledger init`` (:func:`create`) creates
the directory: a store refuses a missing one (deleted, or a fresh checkout
of a project that kept its ledger elsewhere), since taking it for an empty
ledger would publish everything due again.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

from smmgen.errors import Interrupted, LedgerError
from smmgen.publish.ledger.records import Record, dumps, file_name, parse_lines
from smmgen.publish.ledger.store import Claim, Store


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fsync_dir(path.parent)


def create(directory: Path, root: Path) -> str:
    """``smmgen ledger init``: create the ledger's directory, once."""
    shown = _shown(directory, root)
    if directory.exists():
        raise LedgerError(
            f"the ledger already exists: directory {shown}. Nothing was changed;"
            " `smmgen publish` uses it as it is"
        )
    try:
        directory.mkdir(parents=True)
    except OSError as exc:
        raise LedgerError(f"cannot create the ledger directory {shown}: {exc.strerror}") from None
    return f"created the ledger: directory {shown}"


def _shown(directory: Path, root: Path) -> Path:
    return directory.relative_to(root) if directory.is_relative_to(root) else directory


class LocalStore(Store):
    exclusive = True

    def __init__(
        self,
        directory: Path,
        root: Path,
        *,
        lock: bool = True,
        wait: float = 600.0,
        cancel: threading.Event | None = None,
    ):
        self.directory = directory
        self._cancel = cancel  # set (by a signal): stop waiting for another publisher's lock
        self.root = root
        shown = _shown(directory, root)
        self.description = f"directory {shown}"
        self.problems = []
        self._lock = threading.Lock()
        self._lock_file: int | None = None
        if lock:
            self._take_lock(wait)

    def _exists(self) -> None:
        if not self.directory.is_dir():
            raise LedgerError(
                f"there is no ledger: the {self.description} does not exist (channels.yaml:"
                " ledger.path). If nothing was ever published from here, create it once with"
                " `smmgen ledger init`; if it was deleted, restore it first (an empty ledger"
                " publishes every due post again). Publish never creates it"
            )

    def _take_lock(self, wait: float) -> None:
        self._exists()
        fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if self._cancel is not None and self._cancel.is_set():
                    os.close(fd)
                    raise Interrupted(
                        "interrupted while waiting for another smmgen publish to release"
                        f" the ledger in {self.directory}; nothing was sent"
                    ) from None
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise LedgerError(
                        f"another smmgen publish holds the ledger in {self.directory}; "
                        "wait for it to finish"
                    ) from None
                time.sleep(0.05)  # not Event.wait: the signal handler sets the event, and
                # would deadlock on the event's lock if it came while wait() held it
        self._lock_file = fd

    def load(self) -> list[Record]:
        records: list[Record] = []
        self.problems = []
        self._exists()
        for path in sorted(self.directory.glob("*.jsonl")):
            text = path.read_bytes().decode("utf-8", errors="replace")  # a torn write
            found, problems = parse_lines(text, str(path))
            records.extend(found)
            self.problems.extend(problems)
        return records

    def _write(self, records: list[Record]) -> None:
        by_file: dict[str, list[Record]] = {}
        for record in records:
            by_file.setdefault(file_name(record["channel"]), []).append(record)
        with self._lock:
            for name, batch in by_file.items():
                path = self.directory / name
                created = not path.exists()
                try:
                    with open(path, "a", encoding="utf-8") as handle:
                        if not created and path.stat().st_size and not _ends_with_newline(path):
                            handle.write("\n")  # after a torn line
                        handle.write("".join(dumps(r) + "\n" for r in batch))
                        handle.flush()
                        os.fsync(handle.fileno())
                except OSError as exc:
                    raise LedgerError(f"cannot write the ledger file {path}: {exc}") from None
                if created:
                    fsync_dir(self.directory)

    def claim(self, claims: list[Claim]) -> list[bool]:
        self._write([c.record for c in claims])
        return [True] * len(claims)

    def append(self, records: list[Record]) -> None:
        if records:
            self._write(records)

    def write_files(self, files: dict[str, bytes]) -> None:
        for relative, data in files.items():
            write_atomic(self.root / relative, data)

    def close(self) -> None:
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"
