"""`smmgen init --upgrade` and the pin check (issue 12).

A content repository made by an older smmgen is simulated by what an older
`init` wrote: the workflows pinned to an older version, and, for the case
of an older smmgen whose templates differed, a body that differs too (stamped
with its own fingerprint, as that version would have). The lock's half of
the upgrade needs the built wheel: tests/packaging/test_lock.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from smmgen import __version__
from smmgen.commands.init import init_project, plan_upgrade
from smmgen.workflows import (
    LOCK_FILE,
    LOCK_INPUT,
    WORKFLOWS,
    Install,
    edited,
    fingerprint,
    is_release,
    render,
    stamp,
)

Run = Callable[..., Result]
OLD = "0.0.9"
FLOWS = Path(".github") / "workflows"
PIP = "          python -m pip install --disable-pip-version-check --quiet"


def older(name: str, *, body_change: bool = False, mode: Install = Install.PINNED) -> str:
    """What an older smmgen's `init` wrote for this workflow."""
    text = render(name, OLD, mode)
    if body_change:  # an older template: another comment, another step name
        text = stamp(text.replace("- name: Install smmgen", "- name: Install smmgen (old)"))
    return text


def made_by_older(root: Path, **kwargs: object) -> Path:
    init_project(root, timezone="UTC")
    for name in WORKFLOWS:
        (root / FLOWS / name).write_text(older(name, **kwargs), encoding="utf-8")  # type: ignore[arg-type]
    return root


def texts(root: Path) -> dict[str, str]:
    return {name: (root / FLOWS / name).read_text(encoding="utf-8") for name in WORKFLOWS}


@pytest.mark.parametrize("body_change", [False, True])
def test_upgrade_without_local_edits_shows_the_diff_then_writes(
    tmp_path: Path, run: Run, body_change: bool
) -> None:
    root = made_by_older(tmp_path / "social", body_change=body_change)
    before = texts(root)
    shown = run("init", "--upgrade", root)  # not a terminal, no --yes: the diff only
    assert shown.exit_code == 0, shown.output
    for name in WORKFLOWS:
        assert f"--- a/.github/workflows/{name}\n+++ b/.github/workflows/{name}\n" in shown.output
    assert f"-{PIP} smmgen=={OLD}" in shown.output
    assert f"+{PIP} smmgen=={__version__}" in shown.output
    assert "nothing written: run again with --yes" in shown.output
    assert texts(root) == before
    # the pin check sees the older pin, on its line
    checked = run("--root", root, "check")
    lines = [line for line in checked.output.splitlines() if "CI installs" in line]
    assert len(lines) == 2, checked.output
    assert all(
        re.match(r"^\.github/workflows/\w+\.yml:\d+: warning: CI installs smmgen 0\.0\.9", line)
        for line in lines
    )

    done = run("init", "--upgrade", "--yes", root)
    assert done.exit_code == 0, done.output
    assert texts(root) == {name: render(name, __version__, Install.PINNED) for name in WORKFLOWS}
    assert "CI installs" not in run("--root", root, "check").output
    again = run("init", "--upgrade", root)
    assert again.output == f"the workflows are up to date for smmgen {__version__}\n"


def test_a_bumped_pin_is_not_a_local_edit(tmp_path: Path, run: Run) -> None:
    """Renovate (or a person) moving `smmgen==X` on is what the pin is for."""
    root = made_by_older(tmp_path / "social")
    for name in WORKFLOWS:
        path = root / FLOWS / name
        path.write_text(path.read_text(encoding="utf-8").replace(OLD, "0.0.10"), "utf-8")
    assert not any(edited(text) for text in texts(root).values())
    assert run("init", "--upgrade", "--yes", root).exit_code == 0
    assert texts(root)["check.yml"] == render("check.yml", __version__, Install.PINNED)


def test_upgrade_refuses_to_overwrite_local_edits_unless_forced(tmp_path: Path, run: Run) -> None:
    root = made_by_older(tmp_path / "social")
    publish = root / FLOWS / "publish.yml"
    edit = "# our own comment\n"
    publish.write_text(publish.read_text(encoding="utf-8") + edit, encoding="utf-8")
    before = texts(root)
    refused = run("init", "--upgrade", "--yes", root)
    assert refused.exit_code == 1
    assert "-# our own comment" in refused.output  # the diff shows what would be lost
    assert "error: .github/workflows/publish.yml: edited since smmgen wrote it" in refused.output
    assert "check.yml: edited" not in refused.output
    assert texts(root) == before  # nothing written, not even the unedited check.yml

    forced = run("init", "--upgrade", "--yes", "--force", root)
    assert forced.exit_code == 0, forced.output
    assert texts(root) == {name: render(name, __version__, Install.PINNED) for name in WORKFLOWS}


def test_workflows_from_before_pinning(tmp_path: Path, run: Run) -> None:
    """Workflows that install `$SMMGEN_PIP_SPEC` (default: the newest `smmgen`)
    have no fingerprint: check warns, upgrade asks for --force."""
    root = tmp_path / "social"
    init_project(root, timezone="UTC")
    for name in WORKFLOWS:
        path = root / FLOWS / name
        text = path.read_text(encoding="utf-8").split("\n", 1)[1]  # no fingerprint
        text = text.replace(
            "env:\n  NO_COLOR",
            "env:\n  SMMGEN_PIP_SPEC: ${{ vars.SMMGEN_PIP_SPEC || 'smmgen' }}\n  NO_COLOR",
        )
        text = re.sub(r"--quiet smmgen==\S+", '--quiet "$SMMGEN_PIP_SPEC"', text)
        path.write_text(text, encoding="utf-8")
    checked = run("--root", root, "check")
    assert (
        checked.output.count(
            "warning: this workflow installs whatever the variable SMMGEN_PIP_SPEC names"
        )
        == 2
    )
    assert run("init", "--upgrade", "--yes", root).exit_code == 1
    assert run("init", "--upgrade", "--yes", "--force", root).exit_code == 0
    assert "SMMGEN_PIP_SPEC" not in run("--root", root, "check").output


def test_a_removed_workflow_stays_removed(tmp_path: Path, run: Run) -> None:
    root = made_by_older(tmp_path / "social")
    (root / FLOWS / "publish.yml").unlink()
    done = run("init", "--upgrade", "--yes", root)
    assert done.exit_code == 0, done.output
    assert ".github/workflows/publish.yml: not there, left out" in done.output
    assert not (root / FLOWS / "publish.yml").exists()
    assert (root / FLOWS / "check.yml").read_text("utf-8") == render(
        "check.yml", __version__, Install.PINNED
    )


def test_upgrade_keeps_the_python_and_the_mode(tmp_path: Path, run: Run) -> None:
    root = tmp_path / "social"
    init_project(root, timezone="UTC", python="3.13")
    for name in WORKFLOWS:
        (root / FLOWS / name).write_text(render(name, OLD, Install.PINNED, "3.13"), "utf-8")
    upgrade = plan_upgrade(root)
    assert (upgrade.mode, upgrade.python) == (Install.PINNED, "3.13")
    assert all('python-version: "3.13"' in (c.new or "") for c in upgrade.changes)
    assert plan_upgrade(root, python="3.11").python == "3.11"


def test_no_lock_removes_the_lock(tmp_path: Path, run: Run) -> None:
    root = tmp_path / "social"
    init_project(root, timezone="UTC")
    for name in WORKFLOWS:
        (root / FLOWS / name).write_text(render(name, __version__, Install.LOCKED), "utf-8")
    for rel in (LOCK_INPUT, LOCK_FILE):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"smmgen=={__version__}\n", encoding="utf-8")
    done = run("init", "--upgrade", "--no-lock", "--yes", root)
    assert done.exit_code == 0, done.output
    assert f"removed {LOCK_FILE}" in done.output
    assert not (root / LOCK_FILE).exists()
    assert not (root / LOCK_INPUT).exists()
    assert texts(root) == {name: render(name, __version__, Install.PINNED) for name in WORKFLOWS}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--force"], "--force and --yes go with --upgrade"),
        (["--no-lock"], "--no-lock goes with --upgrade"),
        (["--find-links", "wheels"], "go with --lock"),
        (["--python", "3.9"], "--python '3.9': give a version like 3.12 (3.11 or newer)"),
        (["--upgrade", "--timezone", "UTC"], "--timezone goes with a new project"),
    ],
)
def test_init_option_errors(tmp_path: Path, run: Run, args: list[str], message: str) -> None:
    done = run("init", tmp_path / "social", *args)
    assert done.exit_code == 2, done.output
    assert message in done.output
    assert "Traceback" not in done.output


def test_upgrade_where_there_are_no_workflows(tmp_path: Path, run: Run) -> None:
    done = run("init", "--upgrade", tmp_path)
    assert done.exit_code == 1
    assert "has neither check.yml nor publish.yml: nothing to upgrade" in done.output


def test_check_says_nothing_when_the_pins_match(tmp_path: Path, run: Run) -> None:
    root = tmp_path / "social"
    init_project(root, timezone="UTC")
    assert run("--root", root, "check").output.endswith("no problems found\n")


# -- the fingerprint, over generated edits ----------------------------------------

TEMPLATE = render("publish.yml", "1.2.3", Install.PINNED)
PIN_SPANS = [m.span() for m in re.finditer(r"smmgen==\S+", TEMPLATE)]


@settings(max_examples=200, deadline=None)
@given(
    position=st.integers(min_value=TEMPLATE.index("\n") + 1, max_value=len(TEMPLATE)),
    insert=st.text(min_size=1, max_size=5),
)
def test_any_edit_outside_the_pin_is_seen(position: int, insert: str) -> None:
    assume(not any(start <= position <= end for start, end in PIN_SPANS))
    changed = TEMPLATE[:position] + insert + TEMPLATE[position:]
    assert edited(changed)


@settings(max_examples=200, deadline=None)
@given(version=st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{1,3}){1,3}(\.dev[0-9]|rc[0-9]|\.post[0-9])?\Z"))
def test_any_version_bump_is_not_an_edit(version: str) -> None:
    bumped = re.sub(r"smmgen==\S+", f"smmgen=={version}", TEMPLATE)
    assert not edited(bumped)
    assert fingerprint(bumped) == fingerprint(TEMPLATE)


def test_crlf_line_ends_are_not_an_edit() -> None:
    """A Windows checkout (git's autocrlf) has every line ended by CRLF."""
    assert not edited(TEMPLATE.replace("\n", "\r\n"))
    assert edited(TEMPLATE.replace("\n", "\r\n").replace("publish", "publsh"))


@pytest.mark.parametrize(
    ("version", "published"),
    [
        ("1.2.0", True),
        ("0.1.0rc1", True),
        ("2.0b3", True),
        ("1.0.post1", True),
        ("0.1.0.dev0", False),
        ("1.0+local", False),
        ("\u0661.0", False),  # ARABIC-INDIC DIGIT ONE: not a version digit
    ],
)
def test_which_versions_the_index_can_have(version: str, published: bool) -> None:
    assert is_release(version) is published
