"""Live reload: the watcher that turns saved files into page updates.

watchdog reports each file event; :class:`Watcher` gathers them until the
files have been quiet for a moment (an editor's save is often several events,
and a burst of saves is one update), hands the changed paths to the site's
state, and tells every open page which pages changed (:class:`Hub`, read by the
server's event stream). A whole `check` then runs in a process of its own, at
most one at a time, and its findings update the pages once more.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from smmgen.site import paths
from smmgen.site.state import EVERYTHING, SiteState, run_check

QUIET = 0.03  # seconds without events that end a burst
LONGEST = 0.25  # seconds: a burst that goes on is taken at least this often
CHECK_AFTER = 0.8  # seconds of quiet after an update before the whole check runs
_IGNORED_DIRS = {".git", ".smmgen", "node_modules", "__pycache__", ".venv"}


class Hub:
    """The changes the open pages are told of: each a version and the pages it
    affects (page paths; a path ending in "/" stands for every page below it)."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.version = 0
        self.pages: list[str] = []
        self.closed = False

    def publish(self, version: int, pages: list[str]) -> None:
        with self.condition:
            self.version, self.pages = version, pages
            self.condition.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, list[str]] | None:
        """The next change after version ``seen``, or None after ``timeout``."""
        with self.condition:
            self.condition.wait_for(lambda: self.version > seen or self.closed, timeout)
            if self.version > seen:
                return self.version, list(self.pages)
            return None

    def close(self) -> None:
        with self.condition:
            self.closed = True
            self.condition.notify_all()


def pages_of(affected: set[str]) -> list[str]:
    """The pages a change of these posts shows on."""
    if EVERYTHING in affected:
        return [EVERYTHING]
    return [paths.LIST, "calendar/", *sorted(paths.post_page(i) for i in affected)]


class _Events(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file in it changed: that file's own event says which
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                self.watcher.seen(raw if isinstance(raw, str) else raw.decode())


class Watcher:
    """Watches the project's files and keeps ``state`` and ``hub`` current."""

    def __init__(
        self,
        state: SiteState,
        hub: Hub,
        *,
        ignore: tuple[Path, ...] = (),
        log: Callable[[str], None] = lambda _: None,
    ):
        self.state = state
        self.hub = hub
        self.log = log
        self.root = state.root.resolve()
        self.ignore = tuple(p.resolve() for p in ignore)
        self._pending: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._checking = threading.Lock()
        self._check_again = threading.Event()
        self._check_at = 0.0
        self.observer = Observer()

    def start(self) -> None:
        self.observer.schedule(_Events(self), str(self.root), recursive=True)
        self.observer.start()
        threading.Thread(target=self._run, name="smmgen-watch", daemon=True).start()
        self.check(delay=CHECK_AFTER)  # after the first page, which it would slow down

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.observer.stop()

    def seen(self, raw: str) -> None:
        path = Path(raw)
        try:
            name = path.relative_to(self.root).as_posix()
        except ValueError:
            return
        parts = name.split("/")
        if any(p in _IGNORED_DIRS or p.startswith(".") for p in parts[:-1]):
            return
        last = parts[-1]
        if last.startswith((".#", "#")) or last.endswith(("~", ".swp", ".swx", ".tmp")):
            return
        if any(path.is_relative_to(i) for i in self.ignore):
            return
        now = time.monotonic()
        if not self._pending:
            self._first = now
        self._pending.add(name)
        self._last = now
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            while self._pending and not self._stop.is_set():
                now = time.monotonic()
                quiet = now - self._last >= QUIET
                if quiet or now - self._first >= LONGEST:
                    break
                time.sleep(QUIET / 3)
            if self._stop.is_set() or not self._pending:
                continue
            batch, self._pending = self._pending, set()
            self.update(batch)

    def update(self, batch: set[str]) -> None:
        started = time.monotonic()
        try:
            affected = self.state.changed(batch)
        except Exception as exc:  # the server keeps running, whatever the problem
            self.log(f"could not take the change of {', '.join(sorted(batch))}: {exc}")
            return
        if affected:
            self.hub.publish(self.state.version, pages_of(affected))
            took = (time.monotonic() - started) * 1000
            changed = ", ".join(sorted(batch))
            self.log(f"updated {len(affected)} post(s) for {changed} in {took:.0f} ms")
        self.check(delay=CHECK_AFTER)

    def check(self, delay: float = 0.0) -> None:
        """Run a whole check in the background, ``delay`` seconds after the last
        change (so it does not slow down the pages a save updates): one at a
        time, and one more if asked for meanwhile."""
        self._check_at = time.monotonic() + delay
        if not self._checking.acquire(blocking=False):
            self._check_again.set()
            return
        threading.Thread(target=self._check, name="smmgen-check", daemon=True).start()

    def _check(self) -> None:
        try:
            while True:
                while (wait := self._check_at - time.monotonic()) > 0 and not self._stop.is_set():
                    time.sleep(wait)
                self._check_again.clear()
                checked = run_check(self.state.root, self.state.at)
                if self.state.take_check(checked):
                    self.hub.publish(self.state.version, [EVERYTHING])
                if checked.error:
                    self.log(f"check could not run: {checked.error}")
                if not self._check_again.is_set():
                    break
        finally:
            self._checking.release()
