"""Optional per-channel Jinja2 templates, in a sandbox.

A channel with ``template: NAME`` renders its text with ``templates/NAME``.
The post's text is passed in as data (``text``), never compiled as template
code, and the sandbox keeps templates from reaching Python internals.
Variables: ``text`` (the body in the channel's dialect, mentions written),
``link`` (UTM-tagged, or None), ``hashtags`` (``["#tag", ...]``), ``post``
(id, title, tags, campaign, language, sponsored, publish_at), ``channel``,
``network``. With a template smmgen appends nothing itself.

A template, and everything it reaches through ``include``, ``import``,
``from ... import`` and ``extends``, reads only regular files inside the
project's ``templates/`` directory, symlinks resolved: no absolute names, no
``..``, no symlink leading out, no directory, FIFO, device or ``/proc`` file,
nothing over :data:`MAX_BYTES`. A symlink from one file in ``templates/`` to
another is fine. The names in those tags must be quoted (or a list of quoted
names): a computed name (``{% include post.title %}``) is a syntax error, so
that :func:`template_problems` (``check``) can follow and vet every template a
channel can reach before anything is published.
"""

from __future__ import annotations

import os
import re
import stat
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    Environment,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    nodes,
)
from jinja2.sandbox import SandboxedEnvironment

from smmgen.errors import TemplateProblem, TemplateRefused
from smmgen.loader.files import TEMPLATES_DIR

MAX_BYTES = 256 * 1024  # a template is text; anything bigger is refused unread

# The tags that name another template, and the attribute holding the name.
_REFERENCES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
_DRIVE = re.compile(r"^[A-Za-z]:")
_KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a FIFO (named pipe)"),
    (stat.S_ISCHR, "is a device"),
    (stat.S_ISBLK, "is a device"),
    (stat.S_ISSOCK, "is a socket"),
)


def templates_directory(root: Path) -> Path:
    """The project's ``templates/``, resolved; refused if a symlink takes it out
    of the project."""
    project = root.resolve()
    directory = (project / TEMPLATES_DIR).resolve()
    if not directory.is_relative_to(project):
        raise TemplateRefused(
            f"{TEMPLATES_DIR}/", "leads outside the project (a symlink): make it a directory"
        )
    return directory


def _kind(mode: int) -> str | None:
    """Why a file of this mode is not a template (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    for test, what in _KINDS:
        if test(mode):
            return what
    return "is not a regular file"


def locate(directory: Path, name: str) -> Path:
    """The regular file ``name`` stands for inside ``directory`` (resolved);
    :class:`~jinja2.TemplateNotFound` if there is none, :class:`TemplateRefused`
    saying why if it may not be read."""
    if not name or "\0" in name:
        raise TemplateRefused(name, "is not a file name")
    if "\\" in name:
        raise TemplateRefused(name, "holds '\\': separate folders with '/'")
    if name.startswith("/") or _DRIVE.match(name):
        raise TemplateRefused(name, f"is an absolute path: name it relative to {TEMPLATES_DIR}/")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise TemplateRefused(name, f"holds '..': a template reads only from {TEMPLATES_DIR}/")
    try:
        path = directory.joinpath(*parts).resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise TemplateNotFound(name, f"{name!r} not found in {TEMPLATES_DIR}/") from None
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        raise TemplateRefused(name, "cannot be resolved (a symlink loop?)") from None
    if not path.is_relative_to(directory):
        raise TemplateRefused(
            name,
            f"leads outside {TEMPLATES_DIR}/ (a symlink): copy what it needs into {TEMPLATES_DIR}/",
        )
    try:
        mode = path.stat().st_mode
    except OSError:
        raise TemplateRefused(name, "cannot be read") from None
    kind = _kind(mode)
    if kind:
        raise TemplateRefused(name, f"{kind}, not a template file")
    return path


Signature = tuple[str, int, int, int, int]


def _read(path: Path, name: str) -> tuple[str, Signature]:
    """The text of the regular file at ``path`` (as :func:`locate` found it).

    Opened without following a symlink and without blocking (a file swapped
    for a FIFO after it was located cannot hang the run), checked again once
    open, and read no further than :data:`MAX_BYTES`.
    """
    flags = os.O_RDONLY
    for flag in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, flag, 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        raise TemplateRefused(name, "cannot be opened (changed while being read?)") from None
    chunks: list[bytes] = []
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind:
            raise TemplateRefused(name, f"{kind}, not a template file")
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        raise TemplateRefused(name, "cannot be read") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_BYTES:
        raise TemplateRefused(name, f"is larger than {MAX_BYTES // 1024} KiB")
    if len(data) != info.st_size:  # /proc and /sys files say 0 bytes and hold more
        raise TemplateRefused(name, "is not an ordinary file (it holds other than its size says)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateRefused(name, "is not UTF-8 text") from None
    signature = (str(path), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    return text, signature


def _signature(directory: Path, name: str) -> Signature | None:
    try:
        path = locate(directory, name)
        info = path.stat()
    except (TemplateError, TemplateRefused, OSError):
        return None
    return (str(path), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class ConfinedLoader(BaseLoader):
    """Loads templates only as :func:`locate` allows, whatever a template names."""

    def __init__(self, directory: Path):
        self.directory = directory

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = locate(self.directory, template)
        text, signature = _read(path, template)
        directory = self.directory

        def uptodate() -> bool:  # a changed file or symlink is located and checked again
            return _signature(directory, template) == signature

        return text, str(path), uptodate


def _names(node: nodes.Expr) -> list[str] | None:
    """The template names a tag's name expression stands for, or None if it is computed."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, nodes.List | nodes.Tuple):
        names = [item.value for item in node.items if isinstance(item, nodes.Const)]
        if len(names) == len(node.items) and all(isinstance(n, str) for n in names):
            return names
    return None


class _Sandbox(SandboxedEnvironment):
    """The sandbox, refusing template names that are computed rather than written."""

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for node in tree.find_all(_REFERENCES):
            assert isinstance(node, _REFERENCES)
            if _names(node.template) is None:
                raise TemplateSyntaxError(
                    "the template name of include, import and extends must be quoted"
                    " (a computed name cannot be checked)",
                    node.lineno,
                    name,
                    filename,
                )
        return tree


@lru_cache(maxsize=32)
def _environment(directory: Path) -> SandboxedEnvironment:
    return _Sandbox(
        loader=ConfinedLoader(directory),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(root: Path, name: str, context: dict[str, Any]) -> str:
    """The template's output, or TemplateProblem naming what went wrong."""
    try:
        env = _environment(templates_directory(root))
        return env.get_template(name).render(**context).strip()
    except TemplateSyntaxError as exc:
        if exc.name and exc.name != name:  # in a template it reaches: name that one
            where = f" in {TEMPLATES_DIR}/{exc.name}, line {exc.lineno}"
            raise TemplateProblem(f"template syntax error{where}: {exc.message}", None) from None
        raise TemplateProblem(f"template syntax error: {exc.message}", exc.lineno) from None
    except (TemplateError, TemplateRefused) as exc:
        raise TemplateProblem(f"template failed: {exc}", None) from None


@dataclass(frozen=True)
class TemplateIssue:
    """A problem of a template a channel can reach.

    ``file`` is the template it is in (relative to ``templates/``; the
    channel's own template's name when that cannot be read), ``kind`` one of
    ``missing`` (the channel's own template is not there), ``refused`` (a name
    that may not be read) or ``error`` (a syntax error, a template not there).
    """

    kind: str
    file: str
    line: int | None
    message: str

    def where(self) -> str:
        line = f", line {self.line}" if self.line else ""
        return f"{TEMPLATES_DIR}/{self.file}{line}"


def template_problems(root: Path, name: str) -> list[TemplateIssue]:
    """Every problem of the template ``name`` and of each template it reaches
    through include, import, from-import and extends, followed to the end."""
    try:
        env = _environment(templates_directory(root))
    except TemplateRefused as exc:
        return [TemplateIssue("refused", name, None, str(exc))]
    loader = env.loader
    assert isinstance(loader, ConfinedLoader)
    issues: list[TemplateIssue] = []
    seen: set[str] = set()
    # (template name, the template naming it and the line, whether it may be missing)
    pending: deque[tuple[str, str | None, int | None, bool]] = deque([(name, None, None, False)])
    while pending:
        current, referrer, line, optional = pending.popleft()
        if current in seen:
            continue
        seen.add(current)
        try:
            source, _, _ = loader.get_source(env, current)
        except TemplateNotFound as exc:
            if referrer is None:
                issues.append(TemplateIssue("missing", current, None, str(exc)))
            elif not optional:
                issues.append(TemplateIssue("error", referrer, line, str(exc)))
            continue
        except TemplateRefused as exc:
            issues.append(TemplateIssue("refused", referrer or current, line, str(exc)))
            continue
        try:
            tree = env.parse(source, current)
        except TemplateSyntaxError as exc:
            issues.append(TemplateIssue("error", current, exc.lineno, exc.message or "syntax"))
            continue
        for node in tree.find_all(_REFERENCES):
            assert isinstance(node, _REFERENCES)
            names = _names(node.template) or []
            # ``ignore missing``, or a list of names (the first there is used)
            optional = getattr(node, "ignore_missing", False) or len(names) > 1
            for target in names:
                pending.append((target, current, node.lineno, optional))
    return issues
