"""``smmgen init``: scaffold a content repository that ``smmgen check`` accepts."""

from __future__ import annotations

import os
from datetime import date
from importlib.resources import files
from pathlib import Path
from string import Template

from smmgen.errors import SmmgenError, UsageError
from smmgen.times import TimeError, zone

# scaffold file -> where it goes (dot files are stored without the dot)
LAYOUT = {
    "channels.yaml": "channels.yaml",
    "calendar.yaml": "calendar.yaml",
    "content/welcome.md": "content/{today}-welcome.md",
    "templates/README.md": "templates/README.md",
    "media/README.md": "media/README.md",
    "gitattributes": ".gitattributes",
    "gitignore": ".gitignore",
    "workflows/check.yml": ".github/workflows/check.yml",
    "workflows/publish.yml": ".github/workflows/publish.yml",
}
# files copied byte for byte: GitHub's `${{ }}` and the shell's `$VAR` are not
# placeholders of ours
VERBATIM = {"workflows/check.yml", "workflows/publish.yml"}


def local_timezone() -> str:
    """The machine's IANA zone name when it can be told, else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = os.readlink("/etc/localtime")
            name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
        except OSError:
            name = ""
    try:
        zone(name)
    except TimeError:
        return "UTC"
    return name


def init_project(
    directory: Path, *, timezone: str | None = None, on: date | None = None
) -> list[Path]:
    """Write the scaffold into ``directory``; refuse if any of its files exist."""
    if timezone is not None and not timezone.strip():
        raise UsageError("--timezone is empty; give an IANA name like 'Europe/Berlin'")
    tz_name = timezone or local_timezone()
    try:
        zone(tz_name)
    except TimeError as exc:
        raise UsageError(f"--timezone: {exc}") from None
    day = (on or date.today()).isoformat()
    values = {"timezone": tz_name, "today": day}
    targets = {src: directory / dst.format(today=day) for src, dst in LAYOUT.items()}
    blocking = {
        parent
        for target in targets.values()
        for parent in target.relative_to(directory).parents
        if parent != Path(".") and (directory / parent).exists()
        and not (directory / parent).is_dir()
    }  # fmt: skip
    if blocking:
        shown = ", ".join(sorted(p.as_posix() for p in blocking))
        raise SmmgenError(f"{directory} has a file where init needs a directory: {shown}")
    existing = [p for p in targets.values() if p.exists()]
    if existing:
        shown = ", ".join(p.relative_to(directory).as_posix() for p in existing)
        raise SmmgenError(
            f"{directory} already has {shown}; init only creates new files:"
            " run it in an empty directory, or move those files away first"
        )
    scaffold = files("smmgen").joinpath("scaffold")
    written = []
    try:
        for source, target in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            if source in VERBATIM:
                target.write_bytes(scaffold.joinpath(source).read_bytes())
            else:
                text = scaffold.joinpath(source).read_text("utf-8")
                target.write_text(Template(text).safe_substitute(values), encoding="utf-8")
            written.append(target)
    except OSError as exc:
        raise SmmgenError(f"cannot write {exc.filename or directory}: {exc.strerror}") from None
    return written
