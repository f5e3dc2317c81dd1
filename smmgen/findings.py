"""Findings: the problems ``check`` (and loading) report, each with its place.

A finding names the file (relative to the project root, with ``/``), the line
(1-based) and the key path it is about, says what is wrong and, where it can,
what to do. Loading and checking collect findings instead of stopping at the
first one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from smmgen.cilog import one_line


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


KeyPath = tuple[str | int, ...]


def format_key(path: KeyPath) -> str:
    """``("media", 0, "alt")`` -> ``media[0].alt``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    key: str | None = None
    hint: str | None = None
    channel: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def text(self) -> str:
        """The one-line form: ``file:line: error: key: message; hint``.

        One line whatever the file's name or the values quoted: line breaks and
        control characters are shown escaped (``\\n``).
        """
        where = self.file or "smmgen"
        if self.line:
            where += f":{self.line}"
        return one_line(f"{where}: {self.severity.value}: {self.body()}")

    def body(self) -> str:
        """``key: message; hint`` (as written, not escaped)."""
        body = f"{self.key}: {self.message}" if self.key else self.message
        if self.hint:
            body += f"; {self.hint}"
        return body

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "channel": self.channel,
            "message": self.message,
            "hint": self.hint,
        }
