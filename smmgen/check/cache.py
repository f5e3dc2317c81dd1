"""check's per-file results kept between runs, so a second run re-checks only
what changed (SPEC §9).

An entry is reused only when the post file, and every media file it uses, has
the same size and modification time as when it was checked, and the
fingerprint matches: smmgen's own code, channels.yaml, calendar.yaml and the
templates. Results that depend on the time (a time in the past) are never
cached; the checks across posts (duplicate ids, min_gap) run on every run.

The cache is JSON, never pickle: a cache file someone commits must not be able
to run code. It holds findings already redacted and never a secret's value.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import smmgen
from smmgen.check.timing import Slot
from smmgen.findings import Finding, Severity
from smmgen.loader.posts import Identity

CACHE_DIR = ".smmgen/cache"
CACHE_FILE = "check-1.json"
Signature = tuple[int, int] | None  # (size, mtime in ns), None: missing


def signature(path: Path) -> Signature:
    try:
        stat = path.stat()
    except (OSError, ValueError):  # missing, or not a possible path (a NUL in it)
        return None
    return (stat.st_size, stat.st_mtime_ns)


def fingerprint(root: Path) -> str:
    """What every cached result depends on besides its own files."""
    digest = hashlib.sha256(f"{CACHE_FILE}\0{smmgen.__version__}\0".encode())
    package = Path(smmgen.__file__).parent
    for source in sorted(package.rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            digest.update(f"{source.relative_to(package)}\0{signature(source)}\0".encode())
    for name in ("channels.yaml", "calendar.yaml"):
        try:
            digest.update((root / name).read_bytes())
        except OSError:
            digest.update(b"\0missing\0")
        digest.update(b"\0")
    templates = root / "templates"
    if templates.is_dir():
        for template in sorted(templates.rglob("*")):
            digest.update(f"{template.relative_to(templates)}\0{signature(template)}\0".encode())
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
