"""The test run's own set-up (tests/prerequisites.py): npm projects installed once
and again only when they change, missing tools named with what to install, and
no skip allowed under SMMGEN_REQUIRE_INTEGRATION=1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import prerequisites
from tests.conftest import REPO
from tests.prerequisites import Missing, impossible_here, install_project, installed, tool

PROBE = "SMMGEN_TEST_SKIP_PROBE"

FAKE_NPM = """\
#!{python}
import sys
from pathlib import Path
with open({log!r}, "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
if Path("fail").exists():
    print("npm error gyp ERR! build error", file=sys.stderr)
    sys.exit(1)
Path("node_modules").mkdir(exist_ok=True)
"""


def test_skip_probe() -> None:
    """Skips only when the test below asks it to, to see what CI makes of a skip."""
    if os.environ.get(PROBE) == "1":
        impossible_here("the probe cannot run here")


@pytest.mark.parametrize(("require", "outcome"), [("0", "skipped"), ("1", "failed")])
def test_a_skip_is_a_failure_when_ci_requires_every_test(require: str, outcome: str) -> None:
    env = {**os.environ, PROBE: "1", prerequisites.REQUIRE: require}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "-rA",
         f"{Path(__file__).relative_to(REPO)}::test_skip_probe"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert f"1 {outcome}" in done.stdout, done.stdout
    assert "the probe cannot run here" in done.stdout
    if outcome == "failed":
        assert "SMMGEN_REQUIRE_INTEGRATION=1 allows no skip" in done.stdout


def test_a_missing_tool_fails_saying_what_to_install() -> None:
    with pytest.raises(pytest.fail.Exception, match="no-such-tool is not installed: apt-get"):
        tool("no-such-tool", "apt-get install no-such-tool")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An npm project and a stand-in `npm` first on PATH that logs its calls."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "p", "private": True}))
    (project / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3}))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(FAKE_NPM.format(python=sys.executable, log=str(tmp_path / "npm.log")))
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("npm_config_nodedir", raising=False)
    return project


def calls(project: Path) -> list[str]:
    log = project.parent / "npm.log"
    return log.read_text().splitlines() if log.exists() else []


def test_an_npm_project_is_installed_once_and_again_when_its_lock_changes(
    project: Path,
) -> None:
    said: list[str] = []
    assert not installed(project)
    install_project(project, said.append)
    assert installed(project)
    assert len(calls(project)) == 1
    assert calls(project)[0].startswith("ci --no-audit --no-fund")
    assert said[0] == f"installing the npm packages of {project} (npm ci; only when they change)"

    install_project(project, said.append)  # current: nothing to do
    assert len(calls(project)) == 1

    (project / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "x": 1}))
    assert not installed(project)
    install_project(project, said.append)
    assert len(calls(project)) == 2


def test_npm_builds_against_the_installed_nodes_headers(project: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "node-prefix"
    (prefix / "include" / "node").mkdir(parents=True)
    (prefix / "include" / "node" / "node.h").write_text("")
    (prefix / "bin").mkdir()
    (prefix / "bin" / "node").write_text("")
    assert prerequisites.npm_env(str(prefix / "bin" / "node"))["npm_config_nodedir"] == str(
        prefix.resolve()
    )
    assert "npm_config_nodedir" not in prerequisites.npm_env(str(tmp_path / "bin" / "npm"))


def test_a_failed_npm_install_says_why_and_leaves_no_stamp(project: Path) -> None:
    (project / "fail").write_text("")
    with pytest.raises(Missing) as failed:
        install_project(project, lambda _: None)
    assert "`npm ci` in" in str(failed.value)
    assert "gyp ERR! build error" in str(failed.value)
    assert "README: Prerequisites" in str(failed.value)
    assert not installed(project)
