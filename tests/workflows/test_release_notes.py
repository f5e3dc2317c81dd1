"""scripts/release_notes.py: a version's CHANGELOG section, the GitHub
release's notes; with --tag, the release workflow's first check (the tag is
v + smmgen.__version__, a release version with a CHANGELOG section)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "release_notes.py"

CHANGELOG = """\
# Changelog

## Unreleased

### Added
- Something new, not released yet.

## 0.2.0 - 2026-12-07

### Added
- The second version.
  ## not a heading: the continuation of a list item

```text
## 0.1.0 - also not a heading, inside a fence
```

### Fixed
- A fix.

## [0.1.0] - 2026-06-01

- The first version.
"""


def notes(
    tmp_path: Path, *args: str, changelog: str = CHANGELOG, version: str = "0.2.0"
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    (tmp_path / "smmgen").mkdir(exist_ok=True)
    (tmp_path / "smmgen" / "__init__.py").write_text(
        f'"""The package."""\n\nfrom __future__ import annotations\n\n'
        f'__version__ = "{version}"\n__all__ = ["__version__"]\n',
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], cwd=tmp_path, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def error(done: subprocess.CompletedProcess[str]) -> str:
    """The one-line error, after checking the exit status and that nothing was printed."""
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ")
    return line


def test_prints_the_section_body_without_its_heading(tmp_path: Path) -> None:
    done = notes(tmp_path, "0.2.0")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "### Added\n"
        "- The second version.\n"
        "  ## not a heading: the continuation of a list item\n"
        "\n"
        "```text\n"
        "## 0.1.0 - also not a heading, inside a fence\n"
        "```\n"
        "\n"
        "### Fixed\n"
        "- A fix.\n"
    )


def test_reads_the_keep_a_changelog_heading_too(tmp_path: Path) -> None:
    done = notes(tmp_path, "0.1.0")
    assert (done.returncode, done.stdout) == (0, "- The first version.\n")


@pytest.mark.parametrize("version", ["0.3.0", "0.2", "Unreleased", "2026-12-07"])
def test_a_version_without_a_section_fails_saying_what_to_add(tmp_path: Path, version: str) -> None:
    line = error(notes(tmp_path, version))
    assert f"CHANGELOG.md has no section for {version}" in line
    assert f"'## {version} - YYYY-MM-DD'" in line


def test_an_empty_or_doubled_section_fails(tmp_path: Path) -> None:
    empty = "# Changelog\n\n## 1.0.0 - 2026-12-07\n\n\n## 0.9.0\n\n- old\n"
    line = error(notes(tmp_path, "1.0.0", changelog=empty))
    assert "the section for 1.0.0 in CHANGELOG.md is empty" in line
    doubled = "## 1.0.0\n\n- a\n\n## 1.0.0 - 2026-12-07\n\n- b\n"
    assert "has 2 sections for 1.0.0" in error(notes(tmp_path, "1.0.0", changelog=doubled))


def test_a_missing_changelog_fails_clearly(tmp_path: Path) -> None:
    notes(tmp_path, "0.2.0")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "0.2.0", "--changelog", "NEWS.md"], cwd=tmp_path,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "cannot read NEWS.md" in error(done)


def test_tag_matching_the_version_prints_its_notes(tmp_path: Path) -> None:
    done = notes(tmp_path, "--tag", "v0.2.0", version="0.2.0")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("### Added\n- The second version.\n")


@pytest.mark.parametrize(
    ("tag", "version"),
    [("v0.2.0", "0.2.0.dev0"), ("v0.3.0", "0.2.0"), ("0.2.0", "0.2.0"), ("v0.2", "0.2.0")],
)
def test_a_tag_that_is_not_v_plus_the_version_fails(tmp_path: Path, tag: str, version: str) -> None:
    line = error(notes(tmp_path, "--tag", tag, version=version))
    assert f'the tag {tag} is not v + smmgen.__version__ ("{version}"' in line
    assert f"tag the commit v{version}" in line


@pytest.mark.parametrize("version", ["0.2.0.dev0", "0.2.0+local", "0.2.0-beta"])
def test_only_a_release_version_can_be_released(tmp_path: Path, version: str) -> None:
    changelog = f"## {version}\n\n- a\n"
    line = error(notes(tmp_path, "--tag", f"v{version}", version=version, changelog=changelog))
    assert f"{version} is not a release version" in line


@pytest.mark.parametrize("version", ["1.0.0rc1", "1.0.0b2", "1.0.0.post1", "2.0"])
def test_pre_and_post_releases_can_be_released(tmp_path: Path, version: str) -> None:
    changelog = f"## {version} - 2026-12-07\n\n- a\n"
    done = notes(tmp_path, "--tag", f"v{version}", version=version, changelog=changelog)
    assert (done.returncode, done.stdout, done.stderr) == (0, "- a\n", "")


def test_tag_of_a_version_without_a_section_fails(tmp_path: Path) -> None:
    line = error(notes(tmp_path, "--tag", "v0.4.0", version="0.4.0"))
    assert "CHANGELOG.md has no section for 0.4.0" in line


def test_a_package_without_a_version_fails(tmp_path: Path) -> None:
    notes(tmp_path, "0.2.0")
    (tmp_path / "smmgen" / "__init__.py").write_text("VERSION = '1'\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--tag", "v1"], cwd=tmp_path, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert 'does not set __version__ = "X.Y.Z"' in error(done)


def test_the_repository_version_is_read_as_python_reads_it() -> None:
    import smmgen

    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import release_notes  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(SCRIPT.parent))
    assert release_notes.package_version(REPO / "smmgen" / "__init__.py") == smmgen.__version__
