"""For the tests of ids: the id syntax the README documents, written
independently of smmgen's code (with the regex module's Unicode properties),
and a project whose post files may have any name."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import regex

from tests.conftest import CALENDAR_YAML, CHANNELS_YAML, write

DOCUMENTED_ID = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}\u200c\u200d._/-]*")


def documented_id(value: str) -> bool:
    """Letters of any script with their marks, digits, ZWNJ/ZWJ, '-', '_', '.'
    and '/', starting with a letter or digit, no empty, '.' or '..' part; only
    characters this Python's Unicode database knows."""
    known = all(unicodedata.category(c) != "Cn" for c in value)
    return (
        known
        and bool(DOCUMENTED_ID.fullmatch(value))
        and all(part not in ("", ".", "..") for part in value.split("/"))
    )


def project(root: Path, posts: dict[str, str | bytes], calendar: str = CALENDAR_YAML) -> Path:
    """The tests' channels and calendar, and ``posts`` (name below content/ -> text)."""
    write(root / "channels.yaml", CHANNELS_YAML)
    write(root / "calendar.yaml", calendar)
    for name, text in posts.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root
