"""``smmgen new``: a post file with an explicit id, ready to edit."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from slugify import slugify as transliterated

from smmgen.errors import SmmgenError, TimeError, UsageError
from smmgen.findings import Finding
from smmgen.loader.config import load_config
from smmgen.loader.posts import CONTENT_DIR, split_front_matter
from smmgen.loader.yamlfile import YamlDoc, parse
from smmgen.project import require_config
from smmgen.suggest import did_you_mean, one_of
from smmgen.times import parse_when, reference_time, today, zone

#: Hebrew punctuation inside words, before transliteration: maqaf joins words
#: as a hyphen does; geresh and gershayim mark abbreviations and sounds inside
#: a word (``מנכ״ל``, ``צ׳אט``) and would split it.
_WITHIN_WORDS = [("\u05be", "-"), ("\u05f3", ""), ("\u05f4", "")]


def slugify(title: str, *, limit: int = 60) -> str:
    """``"v2 launch: what's new!"`` -> ``v2-launch-what-s-new``.

    Letters of other scripts are transliterated to ASCII (python-slugify with
    text-unidecode): ``"השקת Lumen 2.0"`` -> ``hshqt-lumen-2-0``, ``"Spotkanie w
    Łodzi"`` -> ``spotkanie-w-lodzi``, Persian digits -> ASCII digits. A title
    with nothing to transliterate (only emoji) -> ``post-`` and a short hash.
    The backend is named, so an installed Unidecode (GPL) is never used.
    """
    slug = transliterated(_nfc(title), replacements=_WITHIN_WORDS, backend="text-unidecode")
    if slug:
        return slug[:limit].rstrip("-")
    return "post-" + hashlib.sha256(title.strip().encode("utf-8")).hexdigest()[:8]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _explicit_id(path: Path) -> tuple[str | None, object]:
    """The ``id`` and ``title`` in a post file's front matter (None when it has none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, None
    split = split_front_matter(text, path.name)
    if isinstance(split, Finding) or not split[0]:
        return None, None
    parsed = parse(split[0])
    if not isinstance(parsed, YamlDoc) or not isinstance(parsed.data, dict):
        return None, None
    ident = parsed.data.get("id")
    return (str(ident) if ident is not None else None), parsed.data.get("title")


def _ids(root: Path) -> dict[str, tuple[Path, object]]:
    """Each post id in the project (explicit, else from the file's path), with
    its file and title."""
    content = root / CONTENT_DIR
    found: dict[str, tuple[Path, object]] = {}
    for path in sorted(content.rglob("*.md")) if content.is_dir() else []:
        ident, title = _explicit_id(path)
        ident = ident or path.relative_to(content).with_suffix("").as_posix()
        found.setdefault(ident, (path, title))
    return found


def free_id(
    root: Path, wanted: str, title: str, path_of: Callable[[str], Path]
) -> tuple[str, Path | None]:
    """``wanted``, or the first of ``wanted-2``, ``wanted-3``... that no post has
    and no file is at, with the file that has ``wanted``. The same title again
    is refused: it is the same post, created twice."""
    ids = _ids(root)
    taken = ids.get(wanted)
    if taken is None and not path_of(wanted).exists():
        return wanted, None
    where, existing = taken or (path_of(wanted), None)
    same = isinstance(existing, str) and _nfc(existing.strip()) == _nfc(title)
    if same or taken is None:
        raise SmmgenError(
            f"{where.relative_to(root).as_posix()} already exists; choose another title"
        )
    number = 2
    while f"{wanted}-{number}" in ids or path_of(f"{wanted}-{number}").exists():
        number += 1
    return f"{wanted}-{number}", where


def yaml_scalar(value: str) -> str:
    """``value`` as YAML: plain when it reads back unchanged, else double-quoted."""
    parsed = parse(f"k: {value}") if value and "\n" not in value else None
    if isinstance(parsed, YamlDoc) and parsed.data == {"k": value}:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _format_when(raw: str, when: datetime) -> str:
    # Keep what the user wrote when it has an offset; otherwise the house style.
    if re.search(r"(Z|[+-]\d{2}:?\d{2})$", raw.strip()):
        return when.isoformat()
    return when.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class NewPost:
    path: Path
    note: str | None


def new_post(
    root: Path,
    title: str,
    *,
    at: str | None = None,
    channels: list[str] | None = None,
    draft: bool = True,
    now: datetime | None = None,
) -> NewPost:
    """Write ``content/YYYY/MM/<id>.md``: its path, and a note when the id had to
    differ from the title's because another post has it."""
    if not title.strip():
        raise UsageError("the title is empty; give the post a title, like 'v2 launch'")
    config = load_config(root)
    require_config(config)
    tz = zone(config.calendar.timezone)
    when = None
    if at is not None:
        try:
            when = parse_when(at, tz)
        except TimeError as exc:
            raise UsageError(f"--at: {exc}") from None
    if channels and "all" in channels and len(channels) > 1:
        raise UsageError("--channels: 'all' cannot be combined with other channels")
    if channels:
        known = set(config.channels) | config.broken_channels
        for name in channels:
            if name != "all" and name not in known:
                hint = did_you_mean(name, known) or f"channels are {one_of(known)}"
                raise UsageError(f"--channels: unknown channel '{name}'; {hint}")
    day = when.astimezone(tz).date() if when else today(tz, now or reference_time(None, tz))
    folder = root / CONTENT_DIR / f"{day:%Y}" / f"{day:%m}"
    wanted = f"{day.isoformat()}-{slugify(title)}"
    post_id, taken = free_id(root, wanted, title.strip(), lambda ident: folder / f"{ident}.md")
    path = folder / f"{post_id}.md"
    note = None
    if taken is not None:
        note = (
            f"the id '{wanted}' is taken by {taken.relative_to(root).as_posix()};"
            f" this post's id is '{post_id}' (change `id:` in the file to choose another)"
        )
    lines = ["---", f"id: {post_id}", f"title: {yaml_scalar(title.strip())}"]
    if when is not None and at is not None:
        lines.append(f"publish_at: {_format_when(at, when)}")
    if channels:
        lines.append(
            "channels: all" if channels == ["all"] else f"channels: [{', '.join(channels)}]"
        )
    lines.append("tags: []")
    if draft:
        lines.append("draft: true")
    lines += ["---", title.strip(), ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return NewPost(path, note)
