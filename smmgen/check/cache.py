"""check's per-file results kept between runs, so a second run re-checks only
what changed (SPEC §9).

An entry is reused only when the post file, and every media file it uses, has
the same :func:`signature` as when it was checked (size, modification and
change times in nanoseconds, inode and device: an edit that puts the old
modification time back still moves the change time, a file replaced by
another has a new inode), and the fingerprint matches: smmgen's own code, and
the content of channels.yaml, calendar.yaml and the templates. A file that
changed less than :data:`RACY_NS` before it was looked at could change again
within the same tick of the file system's clock without its times showing it:
its entry is never reused. Results that depend on the time (a time in the
past) are never cached; the checks across posts (duplicate ids, min_gap) run
on every run.

The cache is JSON, never pickle: a cache file someone commits must not be able
to run code. It holds findings already redacted and never a secret's value.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import smmgen
from smmgen.check.timing import Slot
from smmgen.findings import Finding, Severity
from smmgen.loader.posts import Identity

CACHE_DIR = ".smmgen/cache"
CACHE_FILE = "check-1.json"
Signature = tuple[int, ...] | None  # see signature(); None: missing
RACY_NS = 2 * 10**9  # a file changed this recently (ns) may change unseen: see stable()
UNSTABLE: Signature = (-1,)  # matches no file: what it belongs to is checked again


def signature(path: Path) -> Signature:
    """What changes whenever the file may have: (size, mtime, ctime (ns), inode, device)."""
    try:
        stat = path.stat()
    except (OSError, ValueError):  # missing, or not a possible path (a NUL in it)
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


def stable(path: Path) -> Signature:
    """The signature to keep with a result: :data:`UNSTABLE` when the file changed
    (or claims to have) less than :data:`RACY_NS` ago, as a further change within
    the same clock tick would leave its times as they are."""
    found = signature(path)
    if found is not None and max(found[1], found[2]) > time.time_ns() - RACY_NS:
        return UNSTABLE
    return found


def _digest(path: Path) -> str:
    """A regular file's content, by digest (a template is small); else its signature."""
    try:
        if path.is_file():
            return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        pass
    return str(signature(path))


def fingerprint(root: Path) -> str:
    """What every cached result depends on besides its own files."""
    digest = hashlib.sha256(f"{CACHE_FILE}\0{smmgen.__version__}\0".encode())

    def add(name: Path, value: object) -> None:  # a file name may hold any byte
        digest.update(f"{name}\0{value}\0".encode("utf-8", errors="surrogateescape"))

    package = Path(smmgen.__file__).parent
    for source in sorted(package.rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            add(source.relative_to(package), signature(source))
    for name in ("channels.yaml", "calendar.yaml"):
        try:
            digest.update((root / name).read_bytes())
        except OSError:
            digest.update(b"\0missing\0")
        digest.update(b"\0")
    templates = root / "templates"
    if templates.is_dir():
        for template in sorted(templates.rglob("*")):
            add(template.relative_to(templates), _digest(template))
    return digest.hexdigest()


@dataclass(slots=True)
class Entry:
    """What checking one post file found, and what it depended on."""

    signature: Signature
    media: dict[str, Signature]
    findings: list[Finding]
    identity: Identity | None
    slots: list[Slot]
    checked: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "signature": self.signature,
            "media": self.media,
            "findings": [asdict(f) for f in self.findings],
            "identity": asdict(self.identity) if self.identity else None,
            "slots": [list(s) for s in self.slots],
            "checked": self.checked,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        findings = []
        for item in data["findings"]:
            findings.append(Finding(**{**item, "severity": Severity(item["severity"])}))
        slots = [Slot(*s) for s in data["slots"]]
        identity = Identity(**data["identity"]) if data["identity"] else None
        signature = tuple(data["signature"]) if data["signature"] else None
        media = {k: tuple(v) if v else None for k, v in data["media"].items()}
        return cls(signature, media, findings, identity, slots, data["checked"])


@dataclass
class Cache:
    root: Path
    key: str
    entries: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def open(cls, root: Path) -> Cache:
        key = fingerprint(root)
        cache = cls(root, key)
        try:
            data = json.loads((root / CACHE_DIR / CACHE_FILE).read_text("utf-8"))
            if data.get("fingerprint") == key:
                cache.entries = {k: Entry.from_json(v) for k, v in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no cache, or one from another version: start afresh
        return cache

    def get(self, relative: str) -> Entry | None:
        entry = self.entries.get(relative)
        if entry is None or entry.signature != signature(self.root / relative):
            return None
        for media, known in entry.media.items():
            if signature(self.root / media) != known:
                return None
        return entry

    def save(self, entries: dict[str, Entry]) -> None:
        """Write ``entries`` (every file of this run) atomically; errors are ignored."""
        directory = self.root / CACHE_DIR
        document = {
            "fingerprint": self.key,
            "files": {k: v.to_json() for k, v in entries.items()},
        }
        try:
            directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".check-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out, separators=(",", ":"))
            os.replace(temporary, directory / CACHE_FILE)
        except OSError:
            pass  # a cache that cannot be written only costs time
