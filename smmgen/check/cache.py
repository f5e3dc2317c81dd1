"""check's per-file results kept between runs, so a second run re-checks only
what changed (SPEC §9).

An entry is reused only when the post file, and every media file it uses, has
the same :func:`signature` as when it was checked (size, modification and
change times in nanoseconds, inode and device: an edit that puts the old
modification time back still moves the change time, a file replaced by
another has a new inode), and the fingerprint matches: smmgen's own code, and
the content of channels.yaml, calendar.yaml, the templates and the workflows
(with their lock files). A file that
changed less than :data:`RACY_NS` before it was looked at could change again
within the same tick of the file system's clock without its times showing it:
its entry is never reused. Results that depend on the time (a time in the
past) are never cached; the rules across posts (min_gap, times in the past)
and duplicate ids are judged on every run, from what each post's entry
gathered for them. The project's own findings (configuration, project rules)
are kept as a :class:`Summary`, so a run where no post file changed loads
nothing but this file.

The cache is JSON, never pickle: a cache file someone commits must not be able
to run code. It holds findings already redacted and never a secret's value.
Each file's entry is written on a line of its own, so that a run which checked
only some files writes the others' lines back as they were read (a file
changed by hand some other way is only read whole, and written anew).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import smmgen
from smmgen.findings import Finding, Severity
from smmgen.loader.files import CALENDAR_FILE, CHANNELS_FILE, Identity
from smmgen.workflows import LOCK_FILE, LOCK_INPUT, WORKFLOW_DIR

CACHE_DIR = ".smmgen/cache"
CACHE_FILE = "check-3.json"
Signature = tuple[int, ...] | None  # see signature(); None: missing
RACY_NS = 2 * 10**9  # a file changed this recently (ns) may change unseen: see stable()
UNSTABLE: Signature = (-1,)  # matches no file: what it belongs to is checked again


def signature(path: Path | str) -> Signature:
    """What changes whenever the file may have: (size, mtime, ctime (ns), inode, device).
    A path may be a string (a run looks at thousands: no Path made for each)."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):  # missing, or not a possible path (a NUL in it)
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


def stable(path: Path | str) -> Signature:
    """The signature to keep with a result: :data:`UNSTABLE` when the file changed
    (or claims to have) less than :data:`RACY_NS` ago, as a further change within
    the same clock tick would leave its times as they are."""
    found = signature(path)
    if found is not None and max(found[1], found[2]) > time.time_ns() - RACY_NS:
        return UNSTABLE
    return found


def changed_since_saved(root: Path, signatures: list[Signature]) -> bool:
    """Whether a file of ``signatures`` changed after the cache was written (or too
    close to it to tell): a hint only, that the cache's entries decide on."""
    try:
        saved = os.stat(root / CACHE_DIR / CACHE_FILE).st_mtime_ns
    except OSError:
        return False  # no cache: every file is checked, on every core
    newest = max((max(found[1], found[2]) for found in signatures if found), default=0)
    return newest > saved - RACY_NS


def _digest(path: Path) -> str:
    """A regular file's content, by digest (a template is small); else its signature."""
    try:
        if path.is_file():
            return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        pass
    return str(signature(path))


_METADATA = (".dist-info", ".egg-info", ".egg-link", ".pth")


def fingerprint(root: Path) -> str:
    """What every cached result depends on besides its own files."""
    digest = hashlib.sha256(f"{CACHE_FILE}\0{smmgen.__version__}\0".encode())

    def add(name: Path, value: object) -> None:  # a file name may hold any byte
        digest.update(f"{name}\0{value}\0".encode("utf-8", errors="surrogateescape"))

    package = Path(smmgen.__file__).parent
    for source in sorted(package.rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            add(source.relative_to(package), signature(source))
    # the networks installed packages add: an uninstalled one makes its channels
    # unknown (the metadata directories on sys.path name each distribution and its
    # version; listing them is cheap, where reading every entry point is not)
    for folder in sys.path:
        try:
            with os.scandir(folder or ".") as entries:
                found = sorted(e.name for e in entries if e.name.endswith(_METADATA))
        except OSError:
            continue
        if found:  # (the folder a command is run from holds none: it changes nothing)
            add(Path(folder), "\0".join(found))
    for name in (CHANNELS_FILE, CALENDAR_FILE):
        try:
            digest.update((root / name).read_bytes())
        except OSError:
            digest.update(b"\0missing\0")
        digest.update(b"\0")
    # what the project rules read besides: the workflows and their lock files
    pinned = [root / LOCK_INPUT, root / LOCK_FILE]
    workflows = root / WORKFLOW_DIR
    if workflows.is_dir():
        pinned += sorted(workflows.iterdir())
    for path in pinned:
        add(path.relative_to(root), _digest(path))
    templates = root / "templates"
    if templates.is_dir():
        for template in sorted(templates.rglob("*")):
            add(template.relative_to(templates), _digest(template))
    return digest.hexdigest()


_SEVERITIES = {str(severity): severity for severity in Severity}


def _finding(item: list[Any]) -> Finding:
    severity, code, message, file, line, key, hint, channel = item
    return Finding(_SEVERITIES[severity], code, message, file, line, key, hint, channel)


def _item(finding: Finding) -> list[Any]:
    f = finding
    return [str(f.severity), f.code, f.message, f.file, f.line, f.key, f.hint, f.channel]


def _signature(data: Any) -> Signature:
    return tuple(data) if data else None


@dataclass(slots=True)
class Entry:
    """What checking one post file found, and what it depended on."""

    signature: Signature
    media: dict[str, Signature]
    findings: list[Finding]
    identity: Identity | None
    gathered: dict[str, Any]  # by rule across posts (smmgen.check.rules): what it gathered
    checked: bool = False
    secrets: bool = False  # the file holds a secret (never its value): read it to redact

    def to_json(self, name: str) -> list[Any]:
        """The entry of the file ``name`` (its identity's file, mostly ``name``, left out)."""
        ident = self.identity
        where: list[Any] | None = None
        if ident is not None:
            where = [ident.id, ident.line]
            if ident.file != name:
                where.insert(1, ident.file)
        return [
            self.signature,
            self.media,
            [_item(f) for f in self.findings],
            where,
            self.gathered,
            self.checked,
            self.secrets,
        ]

    @classmethod
    def from_json(cls, name: str, data: list[Any]) -> Entry:
        signature, media, findings, ident, gathered, checked, secrets = data
        identity = None
        if ident:
            identity = Identity(ident[0], name, ident[1]) if len(ident) == 2 else Identity(*ident)
        return cls(
            tuple(signature) if signature else None,
            {k: _signature(v) for k, v in media.items()} if media else {},
            [_finding(item) for item in findings] if findings else [],
            identity,
            gathered,
            checked,
            secrets,
        )


@dataclass(slots=True)
class Summary:
    """What a run found about the project as a whole (it depends only on what the
    fingerprint covers): enough to report a run where no post file changed."""

    findings: list[Finding]  # the configuration's and the project rules', redacted
    channels: int
    timezone: str
    min_gap: float  # seconds
    max_lateness: float  # seconds
    secrets: bool  # the configuration holds a secret: load it to redact

    def to_json(self) -> dict[str, Any]:
        return {
            "findings": [_item(f) for f in self.findings],
            "channels": self.channels,
            "timezone": self.timezone,
            "min_gap": self.min_gap,
            "max_lateness": self.max_lateness,
            "secrets": self.secrets,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        return cls(
            [_finding(item) for item in data["findings"]],
            data["channels"],
            data["timezone"],
            data["min_gap"],
            data["max_lateness"],
            data["secrets"],
        )


def _line(name: str, entry: Entry) -> str:
    """A file's entry as a line of the cache (JSON without a line break in it)."""
    return _dumps(name) + ":" + _dumps(entry.to_json(name))


def _dumps(value: Any) -> str:
    # json's C encoder; a lone surrogate (a file name may hold one) is kept as it
    # is, as open() reads it; a line break in a string is always escaped
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _lines(text: str, names: list[str]) -> dict[str, str]:
    """The line of each file's entry, by name, when the text is laid out as
    :meth:`Cache.save` writes it (else none: every entry is written anew)."""
    lines = text.split("\n")
    if len(lines) != len(names) + 2:
        return {}
    found = {}
    for name, line in zip(names, lines[1:-1], strict=True):
        # the line of this name, in quotes (a name json writes as it is: most of them)
        quoted = line.startswith('"') and line.startswith(name, 1)
        if quoted and line.startswith('":', len(name) + 1):
            found[name] = line[:-1] if line.endswith(",") else line
    return found


@dataclass
class Cache:
    root: Path
    key: str
    entries: dict[str, Entry] = field(default_factory=dict)
    summary: Summary | None = None
    source: str = field(default="", repr=False)  # the text as read: its lines are written back
    _media: dict[str, Signature] = field(default_factory=dict, repr=False)  # this run's

    @classmethod
    def open(cls, root: Path) -> Cache:
        key = fingerprint(root)
        cache = cls(root, key)
        try:
            raw = (root / CACHE_DIR / CACHE_FILE).read_bytes()
            text = raw.decode("utf-8", "surrogatepass")
            ours = _dumps({"fingerprint": key})[:-1]
            if text.startswith(ours[: ours.index(":") + 2]) and not text.startswith(ours):
                return cache  # as save() writes it, for another fingerprint: not worth parsing
            data = json.loads(text)
            if data.get("fingerprint") == key:
                files = data["files"]
                cache.entries = {k: Entry.from_json(k, v) for k, v in files.items()}
                project = data.get("project")
                cache.summary = Summary.from_json(project) if project else None
                cache.source = text
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            cache.entries, cache.summary = {}, None  # none, or another version's: start afresh
            cache.source = ""
        return cache

    def get(self, relative: str) -> Entry | None:
        """The entry of the post file ``relative`` when it still holds, else None."""
        return self.holds(relative, signature(self._base + relative))

    def holds(self, relative: str, found: Signature) -> Entry | None:
        """:meth:`get`, with the post file's signature already looked at."""
        entry = self.entries.get(relative)
        if entry is None or entry.signature != found:
            return None
        for media, known in entry.media.items():
            if self._media_signature(media) != known:
                return None
        return entry

    def _media_signature(self, media: str) -> Signature:
        """A media file's signature, looked at once per run (many posts share one)."""
        try:
            return self._media[media]
        except KeyError:
            found = self._media[media] = signature(self.root / media)
            return found

    @cached_property
    def _base(self) -> str:
        return os.path.join(self.root, "")

    def save(self, entries: dict[str, Entry], summary: Summary | None = None) -> None:
        """Write ``entries`` (every file of this run) atomically; errors are ignored.
        An entry read from the cache and reused is written back as it was read."""
        head = {"fingerprint": self.key, "project": summary.to_json() if summary else None}
        read = _lines(self.source, list(self.entries)) if self.source else {}
        lines = []
        for name, entry in entries.items():
            line = read.get(name) if self.entries.get(name) is entry else None
            lines.append(line if line is not None else _line(name, entry))
        text = _dumps(head)[:-1] + ',"files":{\n' + ",\n".join(lines) + "\n}}"
        write_cache(self.root, CACHE_FILE, text.encode("utf-8", "surrogatepass"))


def write_cache(root: Path, name: str, data: bytes) -> None:
    """Replace the cache file ``name`` of the project at ``root`` atomically;
    errors are ignored (a cache that cannot be written only costs time)."""
    directory = root / CACHE_DIR
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, directory / name)
    except OSError:
        pass
