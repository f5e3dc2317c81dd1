"""Pushing the git ledger: ``git push`` as the compare-and-swap.

:class:`LeasedPush` pushes a commit as the branch's new tip with an explicit
lease on the tip the store read (``--force-with-lease``), and the watermark
with it in one atomic push: a push never recreates a deleted branch nor lands
on a rewound one, and one refused because another publisher pushed first
reports that race rather than failing.

:class:`Pusher` is the one background thread that does all pushing, so one
push carries whatever the channel workers wrote meanwhile. A claim (intent)
holds only if nobody wrote about its item since it was decided: when a push
loses the race, the branch is read again and every pending claim whose item
gained a record in the meantime is refused (the caller decides again); the
others are committed on the new tip and pushed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from smmgen.errors import LedgerError
from smmgen.publish.ledger.gitplumbing import Git
from smmgen.publish.ledger.records import Record

LINGER = 0.05  # seconds results wait to share a push with the next claim
CLAIM_LINGER = 0.005  # seconds a claim waits to share a push with other channels' claims
#: What a push refused because of another push says (not a refusal of the ref itself).
RACES = ("atomic", "lock", "failed to update", "stale", "fetch first", "non-fast-forward")


def wait_scale() -> float:
    """What every wait between two tries is multiplied by (``SMMGEN_RETRY_SCALE``)."""
    from smmgen.publish.http import retry_scale  # httpx only when a retry needs it

    return retry_scale()


@dataclass
class Entry:
    """One write waiting for the pusher: a record (a claim when ``expected`` is
    set), or files kept with the ledger; ``done`` once ``ok`` or ``error`` says
    how it went."""

    record: Record | None = None
    expected: int | None = None  # for claims
    files: dict[str, bytes] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)
    ok: bool = False
    error: LedgerError | None = None


class LeasedPush:
    """Pushes to the ledger branch ``branch`` of ``remote``, with its watermark
    ``mark`` while the remote accepts it; ``note`` is told when it does not."""

    def __init__(self, git: Git, remote: str, branch: str, mark: str, note: Callable[[str], None]):
        self.git = git
        self.remote = remote
        self.branch = branch
        self.mark = mark
        self.note = note
        self.marking = True  # False once the remote refused the watermark

    def push(self, commit: str, expect: str, *, new: bool = False) -> bool:
        """Push ``commit`` as the branch, with the watermark; False when the branch
        is no longer ``expect`` (another publisher pushed first, or the branch was
        deleted or rewound: the fetch that follows tells which). ``new``: the
        branch must not exist yet (``ledger init``), and the watermark moves
        wherever it was. Other failures are tried again twice."""
        attempt = 0
        while True:
            args = [f"--force-with-lease=refs/heads/{self.branch}:{'' if new else expect}"]
            refs = [f"{commit}:refs/heads/{self.branch}"]
            if self.marking:
                args.append("--atomic")  # the branch and its watermark, or neither
                refs.append(f"{commit}:{self.mark}")
                if new:
                    args.append(f"--force-with-lease={self.mark}:{self.git.ref(self.mark)}")
            done = self.git.run("push", "--porcelain", "--quiet", *args, self.remote, *refs)
            if done.returncode == 0:
                return True
            output = (done.stdout + done.stderr).decode(errors="replace")
            if self.marking and self._refuses_watermark(output):
                self._unmark()
                continue
            if self._lost_race(output):
                return False
            attempt += 1
            if "[remote rejected]" in output or attempt == 3:
                break
            time.sleep(attempt * wait_scale())
        reasons = [
            line.strip()
            for line in output.splitlines()
            if line.startswith(("!", "remote:", "fatal:", "error:")) and line.strip()
        ]
        raise LedgerError(
            f"git could not push the ledger branch {self.branch} to {self.remote}:"
            f" {'; '.join(reasons[:4]) or done.returncode}. The ledger branch must be"
            " writable by the publisher (in GitHub Actions: `contents: write`, and no rule"
            " that blocks pushes to this branch)"
        )

    def move_watermark(self, commit: str) -> None:
        """Move the watermark to ``commit``, wherever it was (``ledger init --accept-loss``)."""
        if not self.marking:
            return
        lease = f"--force-with-lease={self.mark}:{self.git.ref(self.mark)}"
        done = self.git.run(
            "push", "--porcelain", "--quiet", lease, self.remote, f"{commit}:{self.mark}"
        )
        output = (done.stdout + done.stderr).decode(errors="replace")
        if done.returncode != 0 and self._refuses_watermark(output):
            self._unmark()
        elif done.returncode != 0:
            raise LedgerError(
                f"git could not move {self.mark} on {self.remote} (another publisher at"
                " work? try again):"
                f" {output.strip().splitlines()[-1] if output.strip() else done.returncode}"
            )
        else:
            self.git.update_ref(self.mark, commit, what="record the watermark")

    def _reason(self, output: str, ref: str) -> str | None:
        """Why the push refused ``ref`` (its porcelain line, lower case), None if it did not."""
        for line in output.splitlines():
            if line.startswith("!") and f":{ref}\t" in line:
                return line.lower()
        return None

    def _lost_race(self, output: str) -> bool:
        """Another push moved the branch (or its watermark) first; not a refusal by
        the remote (a hook, a protection rule), which must be reported instead."""
        branch = self._reason(output, f"refs/heads/{self.branch}")
        if branch is None:  # no porcelain line for it: read the whole output
            branch = output.lower()
        if "atomic transaction failed" in branch:  # why did the transaction fail?
            rest = output.lower().replace("atomic transaction failed", "")
            return any(word in rest for word in RACES if word != "atomic")
        return "[rejected]" in branch or any(word in branch for word in RACES if word != "atomic")

    def _refuses_watermark(self, output: str) -> bool:
        """The remote refused the watermark ref itself (a hook, a host that takes
        only branches and tags), or atomic pushes; not a race with another push."""
        if "does not support --atomic" in output:
            return True
        for line in output.splitlines():
            if line.startswith("!") and f":{self.mark}\t" in line and "[remote rejected]" in line:
                reason = line.rsplit("(", 1)[-1].lower()
                return not any(word in reason for word in RACES)
        return False

    def _unmark(self) -> None:
        self.marking = False
        self.note(
            f"{self.remote} refused the ref {self.mark} that records the ledger's last tip,"
            " so a fresh clone (as in CI) cannot tell that the ledger branch was rewound:"
            f" protect the branch {self.branch} against force pushes and deletion (README)"
        )


class Branch(Protocol):
    """The ledger branch as the pusher sees it: the records' ids and the number of
    records of each (post, channel) at the tip last read or pushed."""

    branch: str
    rids: set[str]
    counts: dict[tuple[str, str], int]

    def read_once(self) -> None:
        """Read (and check) the branch unless it was read."""

    def read_again(self) -> None:
        """Fetch and read the branch again (another publisher pushed first)."""

    def write(self, entries: list[Entry]) -> bool:
        """Commit the entries on the tip and push it; False when the race was lost."""
        ...


class Pusher:
    """The background thread that pushes what the channel workers write."""

    def __init__(self, branch: Branch):
        self.branch = branch
        self._pending: list[Entry] = []
        self._cv = threading.Condition()
        self._busy = False
        self._closing = False
        self._flushing = 0
        self._failure: LedgerError | None = None
        self._thread: threading.Thread | None = None

    @contextmanager
    def idle(self) -> Iterator[None]:
        """Nothing pending and nothing being pushed for the duration of the block."""
        with self._cv:
            while self._busy or self._pending:
                self._cv.wait()
            yield

    def enqueue(self, entries: list[Entry]) -> None:
        with self._cv:
            if self._failure:
                raise self._failure
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ledger-pusher", daemon=True)
                self._thread.start()
            self._pending.extend(entries)
            self._cv.notify_all()

    def flush(self) -> None:
        """Return once everything enqueued is pushed; the pusher's failure, if any."""
        with self._cv:
            self._flushing += 1
            self._cv.notify_all()
            try:
                while (self._busy or self._pending) and not self._failure:
                    self._cv.wait()
            finally:
                self._flushing -= 1
            if self._failure:
                raise self._failure

    def stop(self) -> None:
        with self._cv:
            self._closing = True
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._pending and not self._closing:
                    self._cv.wait()
                if not self._pending and self._closing:
                    return
                # results wait a moment for the claim that usually follows them,
                # and a claim a few milliseconds for the other channels' claims,
                # so that one push carries them all
                start = time.monotonic()
                while not self._flushing and not self._closing:
                    claims = any(e.expected is not None for e in self._pending)
                    left = start + (CLAIM_LINGER if claims else LINGER) - time.monotonic()
                    if left <= 0:
                        break
                    self._cv.wait(left)
                batch, self._pending = self._pending, []
                self._busy = True
            try:
                self._push(batch)
            except Exception as exc:  # never leave a waiting worker hanging
                error = (
                    exc
                    if isinstance(exc, LedgerError)
                    else LedgerError(f"the ledger could not be pushed: {type(exc).__name__}: {exc}")
                )
                with self._cv:
                    self._failure = error
                for entry in batch:
                    entry.error = error
                    entry.done.set()
            finally:
                with self._cv:
                    self._busy = False
                    self._cv.notify_all()

    def _push(self, batch: list[Entry]) -> None:
        branch = self.branch
        branch.read_once()
        seen: set[str] = set()
        live = []
        for entry in batch:  # the same record twice (a journal replayed) is written once
            rid = entry.record.get("rid") if entry.record is not None else None
            if rid is None or rid not in seen:
                live.append(entry)
                seen.add(rid or "")
        for _attempt in range(100):
            live = [e for e in live if e.record is None or e.record.get("rid") not in branch.rids]
            # a claim holds only if nobody wrote about its item since it was
            # decided: checked on every attempt, so a push is a compare-and-swap
            kept = []
            for entry in live:
                if entry.expected is not None and entry.record is not None:
                    key = (entry.record["post"], entry.record["channel"])
                    if branch.counts.get(key, 0) != entry.expected:
                        entry.ok = False
                        entry.done.set()
                        continue
                kept.append(entry)
            live = kept
            if not live:
                break
            if branch.write(live):
                for entry in live:
                    entry.ok = True
                break
            # another publisher pushed first: read the branch again, and decide again above
            branch.read_again()
        else:
            raise LedgerError(
                f"gave up pushing the ledger branch {branch.branch} after 100 refusals"
            )
        for entry in batch:
            if (
                entry.record is not None
                and entry.record.get("rid") in branch.rids
                and entry.expected is None
            ):
                entry.ok = True
            entry.done.set()
