"""The release notes of a version: its section of CHANGELOG.md.

    python scripts/release_notes.py 0.1.0          # print the section's text
    python scripts/release_notes.py --tag v0.1.0   # check the tag first, then print it

A version's section starts at its heading, ``## 0.1.0 - 2026-12-07`` (the
Keep a Changelog form ``## [0.1.0] - 2026-12-07`` is read too), and ends at
the next ``## `` heading; what is printed is the text between, without the
heading and the blank lines around it. ``## Unreleased`` is never a version.

``--tag`` is what the release workflow (.github/workflows/release.yml) runs
before it builds anything: the tag must be ``v`` followed by
``smmgen.__version__``, read from smmgen/__init__.py without importing it;
that version must be a release (no ``.dev``, no ``+local`` part); and the
CHANGELOG must have a non-empty section for it.

Standard library only: it runs before anything is installed. On any problem
it prints one line, ``error: ...``, on stderr and exits 1.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

HEADING = re.compile(r"^## +\[?(?P<version>\d[^\]\s]*)\]?(?: +- +\S.*)?\s*$")
RELEASE = re.compile(r"^\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?$")


class ReleaseError(Exception):
    """A problem with the tag, the version or the CHANGELOG; its text is one line."""


def section(changelog: str, version: str, *, name: str = "CHANGELOG.md") -> str:
    """The body of ``version``'s section of the changelog text."""
    found: list[list[str]] = []
    current: list[str] | None = None
    fence = False
    for line in changelog.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and line.startswith("## "):
            match = HEADING.match(line)
            current = None
            if match and match["version"] == version:
                current = []
                found.append(current)
            continue
        if current is not None:
            current.append(line)
    if not found:
        raise ReleaseError(
            f"{name} has no section for {version}: add a heading '## {version} - YYYY-MM-DD'"
            f" (move the entries of '## Unreleased' under it)"
        )
    if len(found) > 1:
        raise ReleaseError(f"{name} has {len(found)} sections for {version}: keep one")
    body = "\n".join(found[0]).strip("\n")
    if not body.strip():
        raise ReleaseError(f"the section for {version} in {name} is empty")
    return body + "\n"


def package_version(init: Path) -> str:
    """``__version__`` as written in the package's ``__init__.py``."""
    tree = ast.parse(init.read_text(encoding="utf-8"), str(init))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = getattr(node, "value", None)
        if (
            isinstance(target, ast.Name)
            and target.id == "__version__"
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            return value.value
    raise ReleaseError(f'{init} does not set __version__ = "X.Y.Z"')


def check_tag(tag: str, init: Path) -> str:
    """The version the tag releases; raises ReleaseError unless it is ``v`` +
    ``__version__`` and a release version."""
    version = package_version(init)
    if tag != f"v{version}":
        raise ReleaseError(
            f'the tag {tag} is not v + smmgen.__version__ ("{version}" in {init}):'
            f" tag the commit v{version}, or set __version__ to the version to release"
            f" and tag that commit"
        )
    if not RELEASE.match(version):
        raise ReleaseError(
            f"{version} is not a release version (X.Y.Z, optionally aN, bN, rcN or .postN;"
            f" no .dev or +local part): set __version__ in {init}"
        )
    return version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Print a version's section of CHANGELOG.md (the GitHub release's notes)."
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("version", nargs="?", help="the version, e.g. 0.1.0")
    which.add_argument("--tag", help="the release tag, vX.Y.Z: checked against __version__")
    parser.add_argument("--changelog", type=Path, default=Path("CHANGELOG.md"))
    parser.add_argument(
        "--init", type=Path, default=Path("smmgen/__init__.py"), help="where __version__ is"
    )
    args = parser.parse_args(argv)
    try:
        version = check_tag(args.tag, args.init) if args.tag else args.version
        try:
            text = args.changelog.read_text(encoding="utf-8")
        except OSError as exc:
            raise ReleaseError(f"cannot read {args.changelog}: {exc.strerror}") from exc
        notes = section(text, version, name=str(args.changelog))
    except (ReleaseError, OSError, SyntaxError) as exc:
        message = " ".join(str(exc).split())
        print(f"error: {message}", file=sys.stderr)
        return 1
    sys.stdout.write(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
