"""The README's command reference is generated from the CLI and must be current."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_readme_command_reference_is_current() -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/readme_help.py", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_documents_every_command() -> None:
    from smmgen.cli import cli

    readme = (REPO / "README.md").read_text("utf-8")
    for name in cli.commands:  # type: ignore[attr-defined]
        assert f"#### `smmgen {name}`" in readme
