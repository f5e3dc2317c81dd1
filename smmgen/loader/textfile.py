"""Reading a project file as text, with a clear finding when it is not text."""

from __future__ import annotations

from pathlib import Path

from smmgen.findings import Finding, Severity


def read_text(path: Path, shown: str) -> tuple[str | None, Finding | None]:
    """The file's text (UTF-8, BOM removed, newlines normalised), or why it can't be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return None, Finding(
            Severity.ERROR, "unreadable", f"cannot be read: {reason}", file=shown, line=1
        )
    if b"\x00" in raw[:8192]:
        return None, Finding(
            Severity.ERROR,
            "binary-file",
            "is a binary file, not text",
            file=shown,
            line=1,
            hint="posts and configuration are UTF-8 text; move images to media/ and list"
            " them under `media`",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Finding(
            Severity.ERROR,
            "not-utf8",
            f"is not valid UTF-8: byte 0x{raw[exc.start]:02x} at column {column}",
            file=shown,
            line=line,
            hint="save the file as UTF-8 in your editor",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None
