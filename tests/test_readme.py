"""The README: its command reference is generated from the CLI and current, and CI
runs its Quickstart as written."""

from __future__ import annotations

import re
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


def quickstart_commands() -> list[str]:
    """The commands of the README's Quickstart, one per code block."""
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [block.strip() for block in blocks]


def test_the_quickstart_has_two_commands_and_ci_runs_them() -> None:
    """One installs and runs the main job, the other runs the tests; CI runs both as written."""
    commands = quickstart_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    install, test = commands
    assert install.endswith("&& smmgen check")
    assert "pytest" in test
    ci = (REPO / ".ci" / "run").read_text("utf-8").splitlines()
    assert install in ci
    assert test in ci


def test_readme_network_tables_come_from_the_registry() -> None:
    from smmgen.commands.networks import markdown

    readme = (REPO / "README.md").read_text("utf-8")
    tables = markdown().split("\n\n")
    assert len(tables) == 2
    for table in tables:
        assert table.strip() + "\n" in readme, "run: smmgen networks --format markdown"
