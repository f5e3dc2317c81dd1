"""What `smmgen build` wrote, kept between runs, so a second build writes only
what changed (as `check`'s cache does for checking: :mod:`smmgen.check.cache`).

A post's files (its variants' JSON and its page) are kept when all of these
are as they were when they were written:

- the post file and every media file it uses, by :func:`~smmgen.check.cache.stable`
  signature, or by the digest of its content when it changed within the file
  system's clock tick (its signature cannot be trusted then, and a checkout
  leaves every file so);
- everything the cache's key covers: smmgen itself, channels.yaml,
  calendar.yaml, the templates and the workflows (check's fingerprint), the
  output folder and the avatars; and the post files that cannot be loaded,
  which every page lists;
- where the post stands on each channel at this build's time (scheduled, due,
  missed, blocked and why), which the page shows and the clock changes: judged
  again once one of its times has come;
- the files written, by signature: a page edited or deleted by hand is written
  again, never trusted.

A post file that has not changed is not even loaded: the list and the calendar
are made from what the cache kept of it (:class:`~smmgen.site.listed.Listed`),
and they are written again only when a post, its status, the day or the slots
still free today changed. Files a previous build wrote for a post that is gone
(or for a channel it no longer has) are removed.

JSON, never pickle (:mod:`smmgen.check.cache` says why); written atomically;
a cache that cannot be read or written only costs time. It holds no post text
beyond what the list shows (title and the start of the text).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from smmgen.calendar.slots import parse_slot
from smmgen.check import served
from smmgen.check.cache import (
    CACHE_DIR,
    UNSTABLE,
    Signature,
    fingerprint,
    signature,
    stable,
    write_cache,
)
from smmgen.findings import Finding
from smmgen.loader.config import Config
from smmgen.loader.posts import Post
from smmgen.models.timing import Calendar
from smmgen.project import Project
from smmgen.site import paths
from smmgen.site.listed import Listed
from smmgen.site.state import Counts
from smmgen.site.status import channel_statuses

CACHE_FILE = "build-1"  # and the output folder's digest: one file per folder built into
ALWAYS = 0.0  # an expiry that has always passed: judged again on every build


# What a file was when it was read: its stable() signature, or for a file changed
# within the file system's clock tick (its signature cannot be trusted, as a
# checkout leaves every file), ("sha256", its content's digest).
Mark = tuple[Any, ...] | None


def mark(path: Path | str) -> Mark:
    """What the file ``path`` is now (see :data:`Mark`); None: missing."""
    found = stable(path)
    if found != UNSTABLE:
        return found
    try:
        with open(path, "rb") as file:
            return ("sha256", hashlib.sha256(file.read()).hexdigest())
    except OSError:
        return None


def same(path: Path | str, known: Mark, now: Mark = UNSTABLE) -> bool:
    """Whether the file ``path`` is still as ``known`` (``now``: its mark, when the
    caller has it)."""
    if known is None or known == UNSTABLE:
        return False
    if now == UNSTABLE:
        now = mark(path)
    if now is None:
        return False
    if isinstance(known[0], str):  # a digest: compare the content
        if not isinstance(now[0], str):
            try:
                with open(path, "rb") as file:
                    now = ("sha256", hashlib.sha256(file.read()).hexdigest())
            except OSError:
                return False
        return now == known
    return now == known


def dependencies(project: Project, post: Post, listed: Listed) -> dict[str, Mark]:
    """The files besides the post file that its variants and page read, by mark."""
    found = {name: mark(project.root / name) for name in listed.media}
    found.update({p: mark(p) for p in served.dependencies(project, post)})
    return found


def statuses_key(
    project: Project, post: Listed, now: datetime, counts: Counts, calendar: Calendar
) -> str:
    """What the pages show of where ``post`` stands at ``now``, by digest."""
    shown = [
        (s.channel, s.status, s.reason, s.at and s.at.isoformat())
        for s in channel_statuses(project, post, now, None, counts, calendar)
    ]
    return hashlib.blake2b(repr(shown).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def expiry(post: Listed, now: datetime) -> float | None:
    """Until when (a POSIX time) the statuses of ``post`` cannot change: None for
    ever (a draft, or no time), :data:`ALWAYS` once one of its times has come
    (due turns missed, and a missed post says how late it is)."""
    times = [t for t in post.times.values() if t is not None]
    if post.draft or not times:
        return None
    if any(t <= now for t in times):
        return ALWAYS
    return min(times).timestamp()


def counts_json(counts: Counts) -> list[list[Any]]:
    return [[channel, errors, warnings] for channel, (errors, warnings) in counts.items()]


def counts_from(data: list[list[Any]]) -> Counts:
    return {channel: (errors, warnings) for channel, errors, warnings in data}


def variant_file(post: str, channel: str) -> str:
    return f"variants/{post}/{channel}.json"


# what a variant's entry in variants.json holds besides its post and path
_ENTRY = ("channel", "publish_at", "length", "limit", "parts", "errors")


def outputs_key(target: Path, names: list[str]) -> str:
    """The files ``names`` below ``target`` as they are now, by digest."""
    base = os.path.join(target, "")
    found = repr([signature(base + name) for name in names])
    return hashlib.blake2b(found.encode(), digest_size=12).hexdigest()


@dataclass(slots=True)
class Written:
    """What building one post wrote, and what it depended on."""

    listed: Listed  # what the list and the calendar show of it
    signature: Mark  # of the post file, before it was read
    media: dict[str, Mark]
    statuses: str  # statuses_key() at the build's time
    expires: float | None  # expiry() at the build's time
    entries: list[dict[str, Any]]  # its variants' entries in variants.json
    counts: list[list[Any]]  # counts_json()
    outputs: str  # outputs_key() of names() right after they were written
    content: str = ""  # content_key(): what the list, calendar and variants.json show of it
    raw: list[Any] | None = field(default=None, repr=False)  # as read, when unchanged since

    def __post_init__(self) -> None:
        if not self.content:
            shown = repr((self.listed, self.entries, self.counts))
            digest = hashlib.blake2b(shown.encode("utf-8", "surrogatepass"), digest_size=16)
            self.content = digest.hexdigest()

    @property
    def post(self) -> str:
        return self.listed.id

    def names(self) -> list[str]:
        """The files it wrote, below the output folder."""
        post = self.listed.id
        return [*(e["path"] for e in self.entries), paths.post_page(post)]

    def to_json(self) -> list[Any]:
        if self.raw is not None:
            return self.raw
        return [
            self.listed.id,
            self.listed.to_json(),
            self.signature,
            self.media,
            self.statuses,
            self.expires,
            [[e[k] for k in _ENTRY] for e in self.entries],
            self.counts,
            self.outputs,
            self.content,
        ]

    @classmethod
    def from_json(cls, file: str, data: list[Any]) -> Written:
        post, listed, sig, media, statuses, expires, rows, counts, outputs, content = data
        entries = []
        for row in rows:
            entry = {"post": post, **dict(zip(_ENTRY, row, strict=True))}
            entry["path"] = variant_file(post, entry["channel"])
            entries.append(entry)
        return cls(
            Listed.from_json(post, file, listed),
            tuple(sig) if sig else None,
            {k: tuple(v) if v else None for k, v in media.items()},
            statuses,
            expires,
            entries,
            counts,
            outputs,
            content,
            data,
        )


def cache_file(target: Path) -> str:
    """The cache's file for builds into ``target`` (each folder keeps its own)."""
    folder = hashlib.blake2b(os.fsencode(target), digest_size=8).hexdigest()
    return f"{CACHE_FILE}-{folder}.json"


def key(root: Path, config: Config, target: Path) -> str:
    """What every written file depends on besides its own post: check's
    fingerprint (smmgen, the configuration, the templates), the output folder
    and the avatars."""
    digest = hashlib.sha256(f"{CACHE_FILE}\0{fingerprint(root)}\0".encode())
    digest.update(os.fsencode(target) + b"\0")
    for name, channel in sorted(config.channels.items()):
        avatar = getattr(channel, "avatar", None)
        if avatar:
            digest.update(f"{name}\0{avatar}\0{mark(root / avatar)}\0".encode())
    return digest.hexdigest()


def shown_key(broken: dict[str, list[Finding]]) -> str:
    """The post files that cannot be loaded, which every page lists, by digest."""
    items = sorted((file, [f.as_dict() for f in found]) for file, found in broken.items())
    return hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()


NOTHING_BROKEN = shown_key({})


def overview_key(
    posts: dict[str, Written],
    shown: str,
    now: datetime,
    calendar: Calendar,
    slots: dict[str, list[str]],
) -> str:
    """What the list, the calendar and variants.json show: every post (what they
    show of it and its statuses, by digest), the files that cannot be loaded
    (``shown``: shown_key()), the day in the calendar's zone (today is marked) and
    how many of today's slots have passed (the calendar shows the free ones to
    come)."""
    local = now.astimezone(calendar.tz)
    passed = 0
    for slot in {s for listed in slots.values() for s in listed or []}:
        weekday, clock = parse_slot(slot)
        passed += weekday == local.weekday() and clock <= local.time()
    digest = hashlib.sha256(f"{shown}\0{local.date().isoformat()}\0{passed}\0".encode())
    for file, written in posts.items():
        line = repr((file, written.content, written.statuses))
        digest.update(line.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass
class BuildCache:
    root: Path
    target: Path
    key: str
    # by post file: what the last build into this folder wrote (to remove what no
    # post has any more), to be reused only when ``valid`` (the same key)
    posts: dict[str, Written] = field(default_factory=dict)
    valid: bool = False
    shown: str | None = None  # shown_key() of the last build
    overview: str | None = None  # the overview's key when it was written
    # the list, the calendar and variants.json as written: signature and content key
    overview_outputs: dict[str, tuple[Signature, str | None]] = field(default_factory=dict)
    media: list[str] = field(default_factory=list)  # the media files copied into the folder

    @classmethod
    def open(cls, root: Path, target: Path, key: str) -> BuildCache:
        cache = cls(root, target, key)
        try:
            data = json.loads((root / CACHE_DIR / cache_file(target)).read_bytes())
            if data["target"] != os.fsdecode(target):
                return cache  # another folder's: nothing of it is in this one
            cache.posts = {k: Written.from_json(k, v) for k, v in data["posts"].items()}
            cache.overview_outputs = {
                k: (tuple(sig) if sig else None, key)
                for k, (sig, key) in data["overview_outputs"].items()
            }
            cache.shown = data["shown"]
            cache.media = [name for name in data["media"] if isinstance(name, str)]
            if data["key"] == key:
                cache.valid, cache.overview = True, data["overview"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            cache.posts, cache.overview_outputs, cache.valid = {}, {}, False
        return cache

    def holds(self, file: str, before: Mark) -> Written | None:
        """What was written for the post file ``file`` when its file, media and
        output files are as they were; ``before``: the file's :func:`mark` before
        anything was read. Its statuses are the caller's to judge
        (:func:`expiry`)."""
        found = self.posts.get(file) if self.valid else None
        if found is None or not same(self.root / file, found.signature, before):
            return None
        for name, known in found.media.items():
            if not same(self.root / name, known):
                return None
        if outputs_key(self.target, found.names()) != found.outputs:
            return None
        return found

    def overview_holds(self, overview: str) -> bool:
        """Whether the overview's pages are as written for ``overview`` (overview_key())."""
        return (
            self.valid
            and self.overview == overview
            and len(self.pages()) == len(self.overview_outputs)
        )

    def pages(self) -> dict[str, str | None]:
        """The overview's pages that are as the last build wrote them, with their
        content keys (see smmgen.site.static.write_overview)."""
        if not self.valid:
            return {}
        base = os.path.join(self.target, "")
        return {
            name: key
            for name, (sig, key) in self.overview_outputs.items()
            if sig is not None and signature(base + name) == sig
        }

    def remove_stale(self, written: dict[str, Written], media: list[str]) -> int:
        """Remove the files earlier builds wrote that no post of this one has (a
        post that is gone, a channel a post no longer has, a media file no page
        shows); how many."""
        outputs = {name for each in written.values() for name in each.names()}
        outputs.update(media)
        gone = [name for name in self.media if name not in outputs]
        for file, old in self.posts.items():
            if written.get(file) is not old:
                gone.extend(name for name in old.names() if name not in outputs)
        removed = 0
        base = os.path.join(self.target, "")
        for name in dict.fromkeys(gone):
            try:
                os.remove(base + name)
                removed += 1
            except OSError:
                continue
            _remove_empty(self.target, Path(base + name).parent)
        return removed

    def save(
        self,
        posts: dict[str, Written],
        shown: str,
        overview: str,
        overview_outputs: dict[str, tuple[Signature, str | None]],
        media: list[str],
    ) -> None:
        data = {
            "media": media,
            "key": self.key,
            "target": os.fsdecode(self.target),
            "shown": shown,
            "overview": overview,
            "overview_outputs": overview_outputs,
            "posts": {file: written.to_json() for file, written in posts.items()},
        }
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        write_cache(self.root, cache_file(self.target), text.encode("utf-8", "surrogatepass"))


def _remove_empty(top: Path, folder: Path) -> None:
    """Remove ``folder`` and its parents below ``top`` while they are empty."""
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
