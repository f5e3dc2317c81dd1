"""Loading post files (``content/**/*.md``): front matter, body, identity, times.

Files and directories whose names start with ``_`` or ``.`` are not posts.
A post that cannot be loaded is reported and left out; the rest still load.
Nothing outside the project is loaded: not a post file that links out of it,
nor the posts of a ``content/`` (or a folder in it) that does.

The text of a post is NFC once loaded, as X normalises what it counts: the
body, and the front matter's titles, texts, tags and alternative texts, in
the post and in its overrides. Text in NFD (as some macOS tools and copied
text give it) looks the same and now is the same for every later step:
counting, hashtags, policy, previews, what is published. Names that point at
something are kept as written: the id (the ledger knows a published post by
it, byte for byte, so normalising it could publish a post again), channel and
campaign names, media paths (file names), links and times.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from frontmatter.default_handlers import YAMLHandler

from smmgen import secrets
from smmgen.errors import TimeError
from smmgen.findings import Finding, KeyPath, Severity, format_key
from smmgen.loader.config import Config
from smmgen.loader.files import (
    CONTENT_DIR,
    Identity,
    Progress,
    discover,
    duplicate_finding,
)
from smmgen.loader.textfile import control_findings, read_text
from smmgen.loader.validate import validate
from smmgen.loader.workers import each_file
from smmgen.loader.yamlfile import YamlProblem, describe, parse
from smmgen.models.post import ID_RULE, FrontMatter, Override, is_post_id
from smmgen.suggest import did_you_mean, one_of
from smmgen.times import parse_when, zone

_BOUNDARY = YAMLHandler.FM_BOUNDARY
_EMPTY_FRONT = FrontMatter()

__all__ = ["CONTENT_DIR", "Identity", "Post", "Progress", "discover", "duplicate_finding"]


@dataclass(slots=True)
class Post:
    """A post as loaded: its front matter, body, and where each key is in the file."""

    id: str
    file: str
    front: FrontMatter
    body: str
    body_line: int
    lines: dict[KeyPath, int]
    channels: list[str]
    publish_at: datetime | None
    channel_publish_at: dict[str, datetime] = field(default_factory=dict)
    # the front matter's overrides by channel, asked for many times per variant
    overrides: dict[str, Override] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.overrides = self.front.overrides or {}

    def line_of(self, path: KeyPath) -> int:
        """File line of a front matter key (or of its nearest existing parent)."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1

    def override(self, channel: str) -> Override | None:
        return self.overrides.get(channel)

    def when(self, channel: str) -> datetime | None:
        """When this post goes out on ``channel`` (overrides win)."""
        return self.channel_publish_at.get(channel, self.publish_at)

    def text_for(self, channel: str) -> str:
        override = self.overrides.get(channel)
        return override.text if override and override.text is not None else self.body

    def field_for(self, channel: str, name: str) -> Any:
        """A front matter field as ``channel`` sees it: the override's value when set."""
        override = self.overrides.get(channel)
        if override is not None and name in override.model_fields_set:
            return getattr(override, name)
        return getattr(self.front, name)

    @property
    def is_draft(self) -> bool:
        return bool(self.front.draft)


def split_front_matter(text: str, shown: str) -> tuple[str | None, int, str, int] | Finding:
    """(front matter text, its first line, body, body's first line) or why not."""
    if not _BOUNDARY.match(text):
        return None, 0, text, 1
    bounds = []
    for match in _BOUNDARY.finditer(text):
        bounds.append(match)
        if len(bounds) == 2:
            break
    if len(bounds) < 2:
        return Finding(
            Severity.ERROR,
            "unclosed-front-matter",
            "front matter starts on line 1 but has no closing '---' line",
            file=shown,
            line=1,
            hint="add a line with only '---' after the last front matter key",
        )
    opening, closing = bounds
    front_start = opening.end() + 1
    front = text[front_start : closing.start()]
    front_line = text.count("\n", 0, front_start) + 1
    body_start = min(closing.end() + 1, len(text))
    body_line = text.count("\n", 0, body_start) + 1
    return front, front_line, text[body_start:], body_line


def nfc(text: str) -> str:
    """``text`` in NFC (the check first: nearly all text already is)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


#: The front matter's fields that hold text (of the post and of each override).
_TEXT_FIELDS = ("title", "text")


def _nfc_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` (a post's or an override's) with their text in NFC; the
    same dict when nothing changes."""
    changed: dict[str, Any] = {}
    for key in _TEXT_FIELDS:
        value = fields.get(key)
        if isinstance(value, str) and nfc(value) is not value:
            changed[key] = nfc(value)
    tags = fields.get("tags")
    if isinstance(tags, list) and any(isinstance(t, str) and nfc(t) is not t for t in tags):
        changed["tags"] = [nfc(t) if isinstance(t, str) else t for t in tags]
    media = fields.get("media")
    if isinstance(media, list):
        items = [
            {**item, "alt": nfc(item["alt"])}
            if isinstance(item, dict)
            and isinstance(item.get("alt"), str)
            and nfc(item["alt"]) is not item["alt"]
            else item
            for item in media
        ]
        if any(a is not b for a, b in zip(items, media, strict=True)):
            changed["media"] = items
    overrides = fields.get("overrides")
    if isinstance(overrides, dict):
        each = {
            name: _nfc_fields(value) if isinstance(value, dict) else value
            for name, value in overrides.items()
        }
        if any(each[name] is not value for name, value in overrides.items()):
            changed["overrides"] = each
    return {**fields, **changed} if changed else fields


def _empty(text: str) -> bool:
    return not text.strip()


def _relative(path: Path | str, root: Path) -> str:
    """``path.relative_to(root).as_posix()``, without pathlib's cost for the usual case."""
    whole, base = str(path), os.path.join(root, "")
    if whole.startswith(base) and os.sep == "/":
        return whole[len(base) :]
    return Path(path).relative_to(root).as_posix()


def load_post(
    path: Path | str, root: Path, config: Config, sink: list[Finding], secret_values: set[str]
) -> Post | None:
    """One post file, or None with findings in ``sink`` when it cannot be used."""
    shown = _relative(path, root)
    if os.path.islink(path) and not Path(path).resolve().is_relative_to(root.resolve()):
        sink.append(
            Finding(
                Severity.ERROR,
                "outside-repository",
                "is a link to a file outside the repository; it is not loaded",
                file=shown,
                line=1,
                hint="copy the post into content/ instead of linking to it",
            )
        )
        return None
    text, problem = read_text(path, shown)
    if problem:
        sink.append(problem)
        return None
    assert text is not None
    sink.extend(control_findings(text, shown))
    for what, offset, value in secrets.in_text(text):
        secret_values.add(value)
        sink.append(
            Finding(
                Severity.ERROR,
                "secret-in-file",
                f"contains what looks like {what}; secrets never go in files",
                file=shown,
                line=text.count("\n", 0, offset) + 1,
                hint="remove it, revoke it (it is in git history now), and keep it in a CI secret",
            )
        )
    if _empty(text):
        sink.append(
            Finding(
                Severity.ERROR,
                "empty-file",
                "is empty",
                file=shown,
                line=1,
                hint="write the post's text, with front matter between '---' lines above it,"
                " or create one with `smmgen new TITLE`",
            )
        )
        return None
    split = split_front_matter(text, shown)
    if isinstance(split, Finding):
        sink.append(split)
        return None
    front_text, front_line, body, body_line = split
    data: dict[str, Any] = {}
    lines: dict[KeyPath, int] = {}
    front = _EMPTY_FRONT
    if front_text is not None and front_text.strip():
        parsed = parse(front_text, first_line=front_line)
        if isinstance(parsed, YamlProblem):
            sink.append(
                Finding(
                    Severity.ERROR,
                    "invalid-yaml",
                    f"front matter: {parsed.message}",
                    file=shown,
                    line=parsed.line,
                    hint=parsed.hint
                    or "check the indentation, and quote values that contain ': ' or '#'"
                    " or start with '@'",
                )
            )
            return None
        if not isinstance(parsed.data, dict):
            if parsed.data is not None:
                sink.append(
                    Finding(
                        Severity.ERROR,
                        "wrong-type",
                        f"front matter should be 'key: value' lines, got {describe(parsed.data)}",
                        file=shown,
                        line=front_line,
                    )
                )
                return None
        else:
            data = _nfc_fields(parsed.data)
            lines = parsed.lines
            validated = validate(FrontMatter, data, file=shown, doc=parsed, sink=sink)
            if validated is None:
                return None
            front = validated

    post_id = front.id or Path(path).relative_to(root / CONTENT_DIR).with_suffix("").as_posix()
    if front.id is None and not is_post_id(post_id):
        sink.append(
            Finding(
                Severity.ERROR,
                "bad-id",
                f"the file's path gives it the id '{post_id}' (its path below content/"
                " without .md), which is not a usable id; it is not loaded",
                file=shown,
                line=1,
                key="id",
                hint=f"rename the file or set `id:` in its front matter: {ID_RULE}",
            )
        )
        return None
    post = Post(
        id=post_id,
        file=shown,
        front=front,
        body=nfc(body),
        body_line=body_line,
        lines=lines,
        channels=[],
        publish_at=None,
    )
    ok = _resolve(post, config, sink)
    return post if ok else None


def _resolve(post: Post, config: Config, sink: list[Finding]) -> bool:
    """Channels, times and references of a validated post; False when unusable."""
    before = len(sink)
    known = set(config.channels) | config.broken_channels
    types = {name: channel.type for name, channel in config.channels.items()}

    def error(code: str, message: str, path: KeyPath, hint: str | None = None) -> None:
        sink.append(
            Finding(
                Severity.ERROR,
                code,
                message,
                file=post.file,
                line=post.line_of(path),
                key=format_key(path),
                hint=hint,
            )
        )

    def check_names(names: list[str] | str | None, path: KeyPath) -> list[str]:
        if names is None:
            return [n for n in config.default_channels() if n in config.channels]
        if names == "all":
            return config.channel_names()
        for index, name in enumerate(names):
            if name not in known:
                error(
                    "unknown-channel",
                    f"unknown channel '{name}'",
                    (*path, index),
                    did_you_mean(name, known, types=types) or f"channels are {one_of(known)}",
                )
        return [n for n in dict.fromkeys(names) if n in config.channels]

    post.channels = check_names(post.front.channels, ("channels",))
    tz = zone(config.calendar.timezone)

    def when(value: str | None, path: KeyPath) -> datetime | None:
        if value is None:
            return None
        try:
            return parse_when(value, tz)
        except TimeError as exc:
            error("bad-time", str(exc), path)
            return None

    post.publish_at = when(post.front.publish_at, ("publish_at",))
    for channel, override in (post.front.overrides or {}).items():
        path: KeyPath = ("overrides", channel)
        if channel not in known:
            error(
                "unknown-channel",
                f"unknown channel '{channel}'",
                path,
                did_you_mean(channel, known, types=types) or f"channels are {one_of(known)}",
            )
            continue
        if override.channels is not None:
            error("bad-override", "an override cannot change `channels`", (*path, "channels"))
        at = when(override.publish_at, (*path, "publish_at"))
        if at is not None:
            post.channel_publish_at[channel] = at

    campaign = post.front.campaign
    if campaign is not None and campaign not in config.calendar.campaigns:
        names = config.calendar.campaigns
        error(
            "unknown-campaign",
            f"unknown campaign '{campaign}'",
            ("campaign",),
            did_you_mean(campaign, names) or f"campaigns in calendar.yaml are {one_of(names)}",
        )
    return len(sink) == before or all(not f.is_error for f in sink[before:])


def identity(post: Post) -> Identity:
    return Identity(post.id, post.file, post.line_of(("id",)))


@dataclass(slots=True)
class Loaded:
    """One post file as loaded: the post (None when unusable), what loading found,
    and the secrets found in it (kept in memory for redaction, never written)."""

    file: str
    post: Post | None
    findings: list[Finding]
    secrets: set[str]


def loading(setup: tuple[Path, Config]) -> Callable[[Path], Loaded]:
    """The per-file work of :func:`load_posts` (see :func:`smmgen.loader.workers.each_file`)."""
    root, config = setup

    def load(path: Path) -> Loaded:
        sink: list[Finding] = []
        found: set[str] = set()
        post = load_post(path, root, config, sink, found)
        return Loaded(path.relative_to(root).as_posix(), post, sink, found)

    return load


def load_posts(
    root: Path,
    config: Config,
    sink: list[Finding],
    secret_values: set[str],
    progress: Progress | None = None,
    names: Sequence[str] | None = None,
) -> list[Post]:
    """Every post of the project (``names``: only these post files, below the
    root), with duplicate ids reported against the first file."""
    if names is None:
        files = list(discover(root / CONTENT_DIR, sink))
    else:
        files = [root / name for name in names]
    posts: list[Post] = []
    first_by_id: dict[str, Identity] = {}
    for loaded in each_file(loading, (root, config), files, progress):
        sink.extend(loaded.findings)
        secret_values |= loaded.secrets
        post = loaded.post
        if post is None:
            continue
        found = identity(post)
        first = first_by_id.setdefault(post.id, found)
        if first is not found:
            sink.append(duplicate_finding(found, first))
            continue
        posts.append(post)
    return posts
