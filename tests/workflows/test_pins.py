"""What the workflows install (issue 12): never an unpinned name.

Every `pip install` in every workflow `smmgen init` writes, with or without
`--lock`, is read back from the YAML (not from smmgen's own templates) and
judged here: each requirement is `smmgen==<the version that wrote it>`, or a
requirements file installed with `--require-hashes`. The install step then
runs as GitHub runs it, with a `python` on PATH that logs what pip was asked.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from smmgen import __version__
from smmgen.commands.init import init_project
from smmgen.workflows import LOCK_FILE, Install, render
from tests.workflows.harness import load

REPO = Path(__file__).resolve().parents[2]
NAMES = ("check.yml", "publish.yml")
EXACT = re.compile(r"^smmgen==\d+(\.\d+)*(\.dev\d+|a\d+|b\d+|rc\d+)?(\.post\d+)?$")


def pip_installs(workflow: Path) -> list[list[str]]:
    """The arguments of each `pip install` in the workflow's run steps."""
    found = []
    for job in load(workflow)["jobs"].values():
        for step in job["steps"]:
            script = step.get("run", "").replace("\\\n", " ")
            for line in script.splitlines():
                if re.search(r"\bpip\b.*\binstall\b", line.split("#")[0]):
                    words = shlex.split(line, comments=True)
                    found.append(words[words.index("install") + 1 :])
    return found


def unpinned(arguments: list[str], root: Path) -> list[str]:
    """What these pip arguments would install without an exact pin or a hash."""
    problems = []
    hashes = "--require-hashes" in arguments
    words = iter(arguments)
    for word in words:
        if word in ("-r", "--requirement"):
            name = next(words)
            if not hashes:
                problems.append(f"{name} without --require-hashes")
            lines = (root / name).read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
            for line in (entry.split("#")[0].strip() for entry in lines):
                if line and ("==" not in line or "--hash=sha256:" not in line):
                    problems.append(f"{name}: {line}")
        elif word.startswith("-"):
            continue
        elif not EXACT.match(word):
            problems.append(word)
    return problems


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init") / "social"
    init_project(root, timezone="UTC")
    return root


@pytest.mark.parametrize("name", NAMES)
def test_every_workflow_init_writes_installs_exactly_this_version(
    initialised: Path, name: str
) -> None:
    installs = pip_installs(initialised / ".github" / "workflows" / name)
    assert installs, name
    for arguments in installs:
        assert unpinned(arguments, initialised) == [], arguments
        assert f"smmgen=={__version__}" in arguments


def test_the_judge_finds_unpinned_installs(tmp_path: Path) -> None:
    """The checks above can fail: names, ranges and hashless files are caught."""
    (tmp_path / "req.txt").write_text("smmgen==1.0 --hash=sha256:ab\nclick>=8\n", "utf-8")
    assert unpinned(["--quiet", "smmgen"], tmp_path) == ["smmgen"]
    assert unpinned(["smmgen>=1.0"], tmp_path) == ["smmgen>=1.0"]
    assert unpinned(["smmgen @ git+https://example.invalid/x"], tmp_path)
    assert unpinned(["-r", "req.txt"], tmp_path) == [
        "req.txt without --require-hashes", "req.txt: click>=8"
    ]  # fmt: skip
    assert unpinned(["smmgen==1.2.0"], tmp_path) == []


def _run_install(
    tmp_path: Path, workflow_text: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """The install step of one workflow, as GitHub runs it, with pip logged."""
    path = tmp_path / "workflow.yml"
    path.write_text(workflow_text, encoding="utf-8")
    (step,) = [
        s for job in load(path)["jobs"].values() for s in job["steps"] if s.get("id") == "install"
    ]
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    log = tmp_path / "pip.log"
    shim = tools / "python"
    shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {
        "PATH": os.pathsep.join([str(tools), str(Path(sys.executable).parent), os.environ["PATH"]]),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    return done, log.read_text(encoding="utf-8").splitlines() if log.exists() else []


PIP = "-m pip install --disable-pip-version-check --quiet"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("mode", "installed"),
    [
        (Install.PINNED, f"smmgen=={__version__}"),
        (Install.LOCKED, f"--require-hashes --requirement {LOCK_FILE}"),
        (Install.CHECKOUT, "."),
    ],
)
def test_the_install_step_installs_what_its_mode_says(
    tmp_path: Path, name: str, mode: Install, installed: str
) -> None:
    done, log = _run_install(tmp_path, render(name, __version__, mode))
    assert done.returncode == 0, done.stderr
    assert log == [f"{PIP} {installed}"]
    assert done.stdout.startswith("smmgen, version ")


@pytest.mark.parametrize("name", NAMES)
def test_this_repository_installs_its_own_checkout(name: str) -> None:
    assert pip_installs(REPO / ".github" / "workflows" / name) == [
        ["--disable-pip-version-check", "--quiet", "."]
    ]
