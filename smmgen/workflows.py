"""The GitHub workflows smmgen writes, and what they install.

`smmgen init` renders ``smmgen/scaffold/workflows/*.yml`` with two values
filled in: the Python the jobs run (``@SMMGEN_PYTHON@``) and the install
step (``@SMMGEN_INSTALL@``), which installs one of

- ``pinned``: exactly the running version, ``smmgen==X.Y.Z``;
- ``locked``: the requirements file that ``smmgen init --lock`` resolves, with
  hashes for smmgen and every dependency, installed with ``--require-hashes``;
- ``checkout``: the repository itself (``pip install .``), in smmgen's own
  repository only, whose workflows are rendered this way.

No mode installs an unpinned name. Each written file starts with a
fingerprint of its text, taken with the pinned version left out: `smmgen init
--upgrade` replaces a file only while the fingerprint still matches, that is,
while nobody but a version bump (by hand, Renovate or Dependabot) changed it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import Enum
from importlib.resources import files
from pathlib import Path

WORKFLOWS = ("check.yml", "publish.yml")
WORKFLOW_DIR = ".github/workflows"
LOCK_DIR = ".github/smmgen"
LOCK_INPUT = f"{LOCK_DIR}/requirements.in"
LOCK_FILE = f"{LOCK_DIR}/requirements.txt"
DEFAULT_PYTHON = "3.12"
SUPPORTED_PYTHON = re.compile(r"^3\.(1[1-9]|[2-9]\d)$")  # 3.11 and newer

_INSTALL = "          @SMMGEN_INSTALL@\n"
_PYTHON = "@SMMGEN_PYTHON@"
_PIP = "python -m pip install --disable-pip-version-check --quiet"
_INDENT = " " * 10
FINGERPRINT_LINE = re.compile(r"^# smmgen-fingerprint: ([0-9a-f]{16})\b.*\n")
# what a version bump changes: the pin, wherever it is written
PIN = re.compile(r"\bsmmgen==([0-9A-Za-z][0-9A-Za-z.+!_-]*)")
PYTHON_VERSION = re.compile(r'^\s*python-version:\s*"?([0-9.]+)"?\s*$', re.MULTILINE)


class Install(Enum):
    PINNED = "pinned"
    LOCKED = "locked"
    CHECKOUT = "checkout"


def _install_lines(mode: Install, version: str) -> list[str]:
    if mode is Install.PINNED:
        return [
            "# exactly the smmgen this file was written for; `smmgen init --upgrade`",
            "# moves it to the version you run (README: Which smmgen the workflows run)",
            f"{_PIP} smmgen=={version}",
        ]
    if mode is Install.LOCKED:
        return [
            "# smmgen and every package it needs, each pinned with its hash",
            "# (`smmgen init --lock`; `smmgen init --upgrade` renews them)",
            f"{_PIP} --require-hashes \\",
            f"  --requirement {LOCK_FILE}",
        ]
    return [
        "# smmgen's own repository runs the code under review (`smmgen init`",
        "# writes a pinned `pip install smmgen==X.Y.Z` here)",
        f"{_PIP} .",
    ]


def render(name: str, version: str, mode: Install, python: str = DEFAULT_PYTHON) -> str:
    """The workflow ``name`` as `smmgen init` writes it, fingerprint first."""
    template = files("smmgen").joinpath("scaffold", "workflows", name).read_text("utf-8")
    if template.count(_INSTALL) != 1 or template.count(_PYTHON) != 1:  # pragma: no cover
        raise AssertionError(f"scaffold/workflows/{name}: one {_INSTALL.strip()} and {_PYTHON}")
    install = "".join(f"{_INDENT}{line}\n" for line in _install_lines(mode, version))
    text = template.replace(_INSTALL, install).replace(_PYTHON, python)
    return stamp(text)


def _normalised(text: str) -> bytes:
    # a checkout with CRLF line ends (git's autocrlf on Windows) is not an edit
    body = FINGERPRINT_LINE.sub("", text.replace("\r\n", "\n"), count=1)
    return PIN.sub("smmgen==*", body).encode("utf-8")


def fingerprint(text: str) -> str:
    """16 hex digits of SHA-256 over the text without its fingerprint line and
    with every ``smmgen==X`` pin read as ``smmgen==*``."""
    return hashlib.sha256(_normalised(text)).hexdigest()[:16]


def stamp(text: str) -> str:
    body = FINGERPRINT_LINE.sub("", text, count=1)
    return (
        f"# smmgen-fingerprint: {fingerprint(body)} (`smmgen init --upgrade` replaces"
        " this file while it matches)\n" + body
    )


def edited(text: str) -> bool:
    """Whether the text differs from what `smmgen init` wrote (other than in the
    pinned version); a file with no fingerprint counts as edited."""
    match = FINGERPRINT_LINE.match(text)
    return match is None or match.group(1) != fingerprint(text)


def python_of(text: str) -> str | None:
    """The Python version a workflow's jobs set up, if it names one."""
    found = PYTHON_VERSION.search(text)
    return found.group(1) if found else None


def mode_of(text: str) -> Install | None:
    """How a workflow installs smmgen, as far as these three modes go."""
    if f"--requirement {LOCK_FILE}" in text and "--require-hashes" in text:
        return Install.LOCKED
    if re.search(rf"{re.escape(_PIP)} smmgen==", text):
        return Install.PINNED
    if re.search(rf"{re.escape(_PIP)} \.$", text, re.MULTILINE):
        return Install.CHECKOUT
    return None


def is_release(version: str) -> bool:
    """A version that is published to the package index: a final, pre- or
    post-release, not a development build (.devN) or a local one (+local)."""
    pattern = r"[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?"
    return re.fullmatch(pattern, version) is not None


@dataclass(frozen=True)
class Pin:
    """Where a file of the repository says which smmgen to install."""

    file: str  # relative to the project root, POSIX
    line: int
    version: str | None  # None: installs smmgen without pinning it


def pins(root: Path) -> list[Pin]:
    """Every ``smmgen==X`` in the workflows and the lock file, and each
    workflow that installs an unpinned smmgen (the `SMMGEN_PIP_SPEC` variable of
    workflows written before pinning)."""
    candidates = [root / LOCK_INPUT, root / LOCK_FILE]
    directory = root / WORKFLOW_DIR
    if directory.is_dir():
        candidates += sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".yaml"))
    found = []
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            for match in PIN.finditer(line):
                found.append(Pin(rel, number, match.group(1)))
            if "SMMGEN_PIP_SPEC:" in line:
                found.append(Pin(rel, number, None))
    return found
