"""``smmgen new``: a post file with an explicit id, ready to edit."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from smmgen.errors import SmmgenError, TimeError, UsageError
from smmgen.loader.config import load_config
from smmgen.loader.posts import CONTENT_DIR
from smmgen.loader.yamlfile import YamlDoc, parse
from smmgen.project import require_config
from smmgen.suggest import did_you_mean, one_of
from smmgen.times import parse_when, reference_time, today, zone


def slugify(title: str, *, limit: int = 60) -> str:
    """``"v2 launch: what's new!"`` -> ``v2-launch-what-s-new``; a title with no
    Latin letters or digits (``"Привет мир"``) -> ``post-`` and a short hash of it."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if slug:
        return slug[:limit].rstrip("-")
    return "post-" + hashlib.sha256(title.strip().encode("utf-8")).hexdigest()[:8]


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


def new_post(
    root: Path,
    title: str,
    *,
    at: str | None = None,
    channels: list[str] | None = None,
    draft: bool = True,
    now: datetime | None = None,
) -> Path:
    """Write ``content/YYYY/MM/<id>.md`` and return its path."""
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
    post_id = f"{day.isoformat()}-{slugify(title)}"
    path = root / CONTENT_DIR / f"{day:%Y}" / f"{day:%m}" / f"{post_id}.md"
    if path.exists():
        raise SmmgenError(
            f"{path.relative_to(root).as_posix()} already exists; choose another title"
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
    return path
