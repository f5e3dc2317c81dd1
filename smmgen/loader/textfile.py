"""Reading a project file as text, with a clear finding when it is not text."""

from __future__ import annotations

import re
from pathlib import Path

from smmgen.findings import Finding, Severity

BINARY_PROBE = 8192  # a NUL in the first bytes: a binary file, not text with a stray NUL
# Invisible control characters a post should not hold: C0 but tab and newline
# (carriage returns are gone by then), DEL and C1. Networks drop or refuse them,
# and XML (the Atom feed) cannot hold most of them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TEXT_HINT = (
    "posts and configuration are UTF-8 text; move images to media/ and list them under `media`"
)


def _place(text: str, offset: int) -> tuple[int, int]:
    """(line, column) of ``offset`` in ``text``, both 1-based."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def read_text(path: Path | str, shown: str) -> tuple[str | None, Finding | None]:
    """The file's text (UTF-8, BOM removed, newlines normalised), or why it can't be read.

    A NUL anywhere is an error: in the first 8 KiB the file is taken as binary,
    after them the NUL is reported on its line.
    """
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return None, Finding(
            Severity.ERROR, "unreadable", f"cannot be read: {reason}", file=shown, line=1
        )
    nul = raw.find(b"\x00")
    if 0 <= nul < BINARY_PROBE:
        return None, Finding(
            Severity.ERROR,
            "binary-file",
            "is a binary file, not text",
            file=shown,
            line=1,  # the whole file
            hint=_TEXT_HINT,
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
    if nul >= 0:
        line, column = _place(text, text.index("\x00"))
        return None, Finding(
            Severity.ERROR,
            "nul-character",
            f"holds a NUL character (U+0000) at column {column}; it is not loaded",
            file=shown,
            line=line,
            hint="delete the character (an editor may show it as ^@ or <0x00>)",
        )
    return text, None


def control_findings(text: str, shown: str) -> list[Finding]:
    """A warning for the invisible control characters of a text read by `read_text`
    (at the first of them, with how many there are)."""
    found = _CONTROL.search(text)
    if found is None:
        return []
    count = len(_CONTROL.findall(text))
    line, column = _place(text, found.start())
    more = f" (and {count - 1} more)" if count > 1 else ""
    return [
        Finding(
            Severity.WARNING,
            "control-character",
            f"holds an invisible control character U+{ord(found.group()):04X} at column"
            f" {column}{more}; networks drop or refuse such characters",
            file=shown,
            line=line,
            hint="delete it (or write what it stands for as plain text)",
        )
    ]
