"""``smmgen init``: scaffold a content repository that ``smmgen check`` accepts,
and ``smmgen init --upgrade``: move its workflows to the running version."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from string import Template

from smmgen import __version__
from smmgen.commands.lock import Index, resolve
from smmgen.commands.schema import SCHEMA_DIR, all_schemas, file_name, modeline, schema_text
from smmgen.errors import SmmgenError, TimeError, UsageError
from smmgen.times import zone
from smmgen.workflows import (
    DEFAULT_PYTHON,
    LOCK_FILE,
    LOCK_INPUT,
    SUPPORTED_PYTHON,
    WORKFLOW_DIR,
    WORKFLOWS,
    Install,
    edited,
    mode_of,
    python_of,
    render,
)

# scaffold file -> where it goes (dot files are stored without the dot)
LAYOUT = {
    "channels.yaml": "channels.yaml",
    "calendar.yaml": "calendar.yaml",
    "content/welcome.md": "content/{today}-welcome.md",
    "templates/README.md": "templates/README.md",
    "media/README.md": "media/README.md",
    "gitattributes": ".gitattributes",
    "gitignore": ".gitignore",
}
# the workflows are rendered by smmgen.workflows (pinned to this version)


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


def check_python(python: str) -> str:
    if not SUPPORTED_PYTHON.match(python):
        raise UsageError(f"--python {python!r}: give a version like 3.12 (3.11 or newer)")
    return python


def init_project(
    directory: Path,
    *,
    timezone: str | None = None,
    on: date | None = None,
    lock: Index | None = None,
    python: str = DEFAULT_PYTHON,
) -> list[Path]:
    """Write the scaffold into ``directory``; refuse if any of its files exist.

    The workflows install exactly this version of smmgen; with ``lock`` they
    install ``.github/smmgen/requirements.txt`` with ``--require-hashes``, which
    is resolved here (before anything is written) from that index.
    """
    check_python(python)
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
    mode = Install.LOCKED if lock is not None else Install.PINNED
    rendered = {
        f"{WORKFLOW_DIR}/{name}": render(name, __version__, mode, python) for name in WORKFLOWS
    }
    # the schemas, committed (SCHEMA_DIR), and the line that points editors at them
    rendered |= {
        f"{SCHEMA_DIR}/{file_name(kind)}": schema_text(document)
        for kind, document in all_schemas().items()
    }
    targets |= {rel: directory / rel for rel in rendered}
    if lock is not None:
        targets |= {rel: directory / rel for rel in (LOCK_INPUT, LOCK_FILE)}
    blocking = {
        parent
        for target in targets.values()
        for parent in target.relative_to(directory).parents
        if parent != Path(".")
        and (directory / parent).exists()
        and not (directory / parent).is_dir()
    }
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
    if lock is not None:
        rendered |= resolve(__version__, python, lock)
    scaffold = files("smmgen").joinpath("scaffold")
    written = []
    try:
        for source, target in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            if source in rendered:
                text = rendered[source]
            else:
                text = Template(scaffold.joinpath(source).read_text("utf-8")).safe_substitute(
                    values
                )
                if source in ("channels.yaml", "calendar.yaml"):
                    text = modeline(source.removesuffix(".yaml")) + text
            with target.open("w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            written.append(target)
    except OSError as exc:
        raise SmmgenError(f"cannot write {exc.filename or directory}: {exc.strerror}") from None
    return written


# -- smmgen init --upgrade ------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One file `--upgrade` writes (``new``) or removes (``new is None``)."""

    path: str  # relative to the project, POSIX
    old: str | None  # None: the file is new
    new: str | None
    edited: bool = False  # it differs from what smmgen wrote: the change would lose edits

    def diff(self) -> str:
        lines = difflib.unified_diff(
            (self.old or "").splitlines(keepends=True),
            (self.new or "").splitlines(keepends=True),
            fromfile=f"a/{self.path}" if self.old is not None else "/dev/null",
            tofile=f"b/{self.path}" if self.new is not None else "/dev/null",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass(frozen=True)
class Upgrade:
    changes: list[Change]
    mode: Install
    python: str
    kept_absent: list[str]  # workflows someone removed: not brought back

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.edited]


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SmmgenError(f"cannot read {path}: {exc}") from None


def plan_upgrade(
    root: Path,
    *,
    lock: bool | None = None,
    python: str | None = None,
    index: Index | None = None,
) -> Upgrade:
    """What `smmgen init --upgrade` would change in ``root``, without writing.

    Each workflow present is rendered again for this version, keeping how it
    installs (pinned, locked or the checkout) and its Python unless ``lock`` or
    ``python`` say otherwise; with a lock, the requirements are resolved again.
    A workflow that someone removed stays removed.
    """
    if python is not None:
        check_python(python)
    current = {name: _read(root / WORKFLOW_DIR / name) for name in WORKFLOWS}
    present = {name: text for name, text in current.items() if text is not None}
    if not present:
        raise SmmgenError(
            f"{root / WORKFLOW_DIR} has neither {' nor '.join(WORKFLOWS)}: nothing to upgrade"
            " (`smmgen init` writes them in a new project)"
        )
    modes = {mode_of(text) for text in present.values()}
    if lock is True:
        mode = Install.LOCKED
    elif lock is False:
        mode = Install.PINNED
    elif Install.CHECKOUT in modes:
        mode = Install.CHECKOUT
    elif Install.LOCKED in modes:
        mode = Install.LOCKED
    else:
        mode = Install.PINNED  # also for workflows from before pinning
    pythons = [found for text in present.values() if (found := python_of(text))]
    chosen = python or (pythons[0] if pythons else DEFAULT_PYTHON)
    check_python(chosen)
    changes = []
    for name, text in present.items():
        new = render(name, __version__, mode, chosen)
        if new != text:
            rel = f"{WORKFLOW_DIR}/{name}"
            changes.append(Change(rel, text, new, edited=edited(text)))
    locked = {rel: _read(root / rel) for rel in (LOCK_INPUT, LOCK_FILE)}
    if mode is Install.LOCKED:
        for rel, text in resolve(__version__, chosen, index or Index()).items():
            if text != locked[rel]:
                changes.append(Change(rel, locked[rel], text))
    elif lock is False:
        changes += [Change(rel, text, None) for rel, text in locked.items() if text is not None]
    absent = [f"{WORKFLOW_DIR}/{name}" for name, text in current.items() if text is None]
    return Upgrade(changes, mode, chosen, absent)


def apply_upgrade(root: Path, upgrade: Upgrade) -> None:
    """Write the upgrade's files (each replaced whole, never half-written)."""
    try:
        for change in upgrade.changes:
            target = root / change.path
            if change.new is None:
                target.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.smmgen-upgrade")
            with partial.open("w", encoding="utf-8", newline="\n") as out:
                out.write(change.new)
            partial.replace(target)
    except OSError as exc:
        raise SmmgenError(f"cannot write {exc.filename or root}: {exc.strerror}") from None
