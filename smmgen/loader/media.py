"""Media paths: relative to the repository root, inside it, and existing; what each file is."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path, PurePosixPath

from smmgen.media import Probe, probe_file
from smmgen.suggest import closest


def listing(directory: Path) -> tuple[str, ...]:
    try:
        return tuple(os.listdir(directory))
    except OSError:
        return ()


# Cached for one run: ``forget()`` at the start of every load and check.
@lru_cache(maxsize=8192)
def media_problem(root: Path, relative: str) -> tuple[str, str | None] | None:
    """(message, hint) when a media path is unusable, None when it is a file in the repo."""
    if not relative.strip() or "\x00" in relative:
        return f"'{relative}' is not a file path", "give the path of an image, like media/photo.png"
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or (pure.parts and pure.parts[0].endswith(":")):
        return (
            f"'{relative}' is an absolute path",
            "write it relative to the repository root, like media/photo.png",
        )
    target = root / pure
    resolved = target.resolve()
    if not resolved.is_relative_to(root):
        return (
            f"'{relative}' is outside the repository",
            "media must live inside the repository: copy the file into media/",
        )
    if resolved.is_file():
        return None
    if resolved.is_dir():
        return f"'{relative}' is a directory, not a file", None
    guess = closest(target.name, listing(target.parent))
    folder = PurePosixPath(*pure.parts[:-1]).as_posix() if len(pure.parts) > 1 else "."
    hint = (
        f"did you mean '{(PurePosixPath(folder) / guess).as_posix()}'?"
        if guess
        else "paths are relative to the repository root"
    )
    return f"'{relative}' does not exist", hint


@lru_cache(maxsize=8192)
def media_probe(root: Path, relative: str) -> Probe | None:
    """What the media file is, judged by its bytes (smmgen.media); None if unreadable."""
    try:
        return probe_file(root / relative)
    except OSError:
        return None


def forget() -> None:
    """Drop what earlier runs in this process learnt about media files."""
    media_problem.cache_clear()
    media_probe.cache_clear()
