"""Terminal niceties that stay out of the way: colour only on a TTY without
NO_COLOR, and a progress line on stderr for long work."""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

import click


def use_color(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def style(text: str, *, color: bool, **styles: Any) -> str:
    return click.style(text, **styles) if color else text


class ProgressLine:
    """``label 2500/10000`` rewritten in place on stderr, only on a terminal."""

    def __init__(self, label: str, *, stream: TextIO | None = None, delay: float = 0.3):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and not os.environ.get("CI")
        self.start = time.monotonic()
        self.delay = delay
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.start < self.delay:
            return
        self.shown = True
        self.stream.write(f"\r{self.label} {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
