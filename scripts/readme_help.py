"""Regenerate the command reference in README.md from the CLI's own --help.

    python scripts/readme_help.py          # rewrite README.md
    python scripts/readme_help.py --check  # exit 1 if README.md is out of date

The reference sits between the markers ``<!-- help:start -->`` and
``<!-- help:end -->``; tests run ``--check`` so the docs cannot drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from smmgen.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- help:start -->", "<!-- help:end -->"


def reference() -> str:
    runner = CliRunner()
    parts = []
    commands = [[]] + [[name] for name in sorted(cli.commands)]  # type: ignore[attr-defined]
    for args in commands:
        result = runner.invoke(cli, [*args, "--help"], prog_name="smmgen", terminal_width=100)
        title = "smmgen " + " ".join(args) if args else "smmgen"
        parts.append(f"#### `{title.strip()}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def updated(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{reference()}{END}{tail}"


def main() -> int:
    text = README.read_text("utf-8")
    new = updated(text)
    if "--check" in sys.argv:
        if new != text:
            print("README.md's command reference is out of date: run python scripts/readme_help.py")
            return 1
        return 0
    README.write_text(new, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
