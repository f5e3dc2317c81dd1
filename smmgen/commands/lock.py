"""``smmgen init --lock``: smmgen and every dependency, pinned with hashes.

uv resolves ``smmgen==X.Y.Z`` (``.github/smmgen/requirements.in``) into
``.github/smmgen/requirements.txt`` for the Python and the platform the
workflows run on (Linux x86-64, like GitHub's ``ubuntu-latest``), with a hash
for every file, so that ``pip install --require-hashes`` installs exactly
those files or nothing. The file's header is the uv command, relative to the
repository, which Renovate's pip-compile manager and Dependabot re-run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from smmgen.errors import SmmgenError
from smmgen.workflows import LOCK_FILE, LOCK_INPUT, is_release

PLATFORM = "x86_64-unknown-linux-gnu"  # GitHub's ubuntu-latest runners
TIMEOUT = 600  # seconds: a cold resolution from a remote index


@dataclass(frozen=True)
class Index:
    """Where uv looks for packages (default: its own configuration, else PyPI)."""

    index_url: str | None = None
    find_links: tuple[str, ...] = field(default=())
    no_index: bool = False

    def arguments(self) -> list[str]:
        args = ["--index-url", self.index_url] if self.index_url else []
        for place in self.find_links:
            # a folder is given as an absolute path: uv runs in a directory of its own
            path = Path(place).expanduser()
            args += ["--find-links", str(path.resolve()) if path.exists() else place]
        return args + (["--no-index"] if self.no_index else [])


def uv_command() -> str:
    """The uv executable: the one installed beside smmgen (smmgen[lock] puts it in
    this environment's scripts folder), else PATH's."""
    found = shutil.which("uv", path=sysconfig.get_path("scripts")) or shutil.which("uv")
    if not found:
        raise SmmgenError(
            "--lock needs uv to resolve the requirements: install it beside smmgen"
            " (pip install 'smmgen[lock]', or pipx inject smmgen uv)"
        )
    return found


def resolve(version: str, python: str, index: Index) -> dict[str, str]:
    """The lock's two files (repository path -> text) for ``smmgen==version``."""
    wanted = f"smmgen=={version}\n"
    with tempfile.TemporaryDirectory(prefix="smmgen-lock-") as tmp:
        (Path(tmp) / LOCK_INPUT).parent.mkdir(parents=True)
        (Path(tmp) / LOCK_INPUT).write_text(wanted, encoding="utf-8")
        command = [uv_command(), "pip", "compile", LOCK_INPUT, "--output-file", LOCK_FILE]
        command += ["--generate-hashes", "--python-version", python, "--python-platform", PLATFORM]
        command += ["--quiet", *index.arguments()]
        env = {k: v for k, v in os.environ.items() if k != "UV_CUSTOM_COMPILE_COMMAND"}
        try:
            done = subprocess.run(
                command,
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SmmgenError(f"uv had no answer in {TIMEOUT} s: is the index reachable?") from None
        except OSError as exc:
            raise SmmgenError(f"cannot run uv: {exc.strerror}") from None
        if done.returncode != 0:
            said = "\n  ".join(done.stderr.strip().splitlines()[-12:]) or f"exit {done.returncode}"
            hint = (
                f"; smmgen {version} is a development version, which no index has: lock it"
                " from a folder holding its wheel (--find-links DIR)"
                if not is_release(version)
                else "; name the index with --index-url URL or a folder with --find-links DIR"
            )
            raise SmmgenError(
                f"cannot resolve smmgen=={version} for Python {python}:\n  {said}\n"
                + hint.lstrip("; ")
            )
        return {
            LOCK_INPUT: wanted,
            LOCK_FILE: (Path(tmp) / LOCK_FILE).read_text(encoding="utf-8"),
        }
