"""The sdist and wheel (issue 12): metadata that passes `twine check --strict`,
every file of the package in both, nothing else in the wheel, and the wheel
installed into a fresh environment outside the repository and used there
(scripts/try_wheel.py, as the release workflow runs it)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path, PurePosixPath

import pytest

import smmgen
from tests.conftest import REPO
from tests.packaging.conftest import Built, run, tree_files

TRY_WHEEL = REPO / "scripts" / "try_wheel.py"
TRY_TIMEOUT = 1200
CACHES = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis"}
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]


def package_files() -> set[str]:
    """Every file of smmgen/ in the working tree that git tracks or would track."""
    return {
        name
        for name in tree_files()
        if name.startswith("smmgen/")
        and not CACHES & set(PurePosixPath(name).parts)
        and not name.endswith((".pyc", ".pyo"))
        and (REPO / name).is_file()
    }


def licence_files() -> set[str]:
    """The licence texts at the repository's root (setuptools' default patterns)."""
    patterns = ("LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*")
    return {p.name for pattern in patterns for p in REPO.glob(pattern) if p.is_file()}


def dist_info(wheel: zipfile.ZipFile) -> str:
    (name,) = {n.split("/")[0] for n in wheel.namelist() if n.split("/")[0].endswith(".dist-info")}
    return name


def metadata(text: str) -> Message:
    return Parser().parsestr(text)


def try_wheel(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, TRY_WHEEL, *args]
    return run("try_wheel.py", argv, cwd=cwd, timeout=TRY_TIMEOUT, check=False, env=env)


def shown(done: subprocess.CompletedProcess[str]) -> str:
    output = f"--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}"
    return f"exit code {done.returncode}\n{output}"


@pytest.mark.xdist_group("packaging")
def test_twine_check_strict_passes(built: Built, tmp_path: Path) -> None:
    done = run(
        "twine check --strict",
        [sys.executable, "-m", "twine", "check", "--strict", built.sdist, built.wheel],
        cwd=tmp_path,
        timeout=120,
    )
    assert done.stdout.count("PASSED") == 2, done.stdout


@pytest.mark.xdist_group("packaging")
def test_the_wheel_holds_the_package_and_nothing_else(built: Built) -> None:
    expected = package_files()
    assert {"smmgen/cli.py", "smmgen/py.typed"} <= expected  # the listing sees the package
    with zipfile.ZipFile(built.wheel) as wheel:
        names = [n for n in wheel.namelist() if not n.endswith("/")]
        info = dist_info(wheel)
        record = wheel.read(f"{info}/RECORD").decode("utf-8")
        recorded = {row[0] for row in csv.reader(io.StringIO(record)) if row}
        package = {n for n in names if n.startswith("smmgen/")}
        missing, extra = sorted(expected - package), sorted(package - expected)
        assert (missing, extra) == ([], []), (
            f"files of smmgen/ missing from the wheel: {missing}; in the wheel, not in git: {extra}"
        )
        stale = [n for n in sorted(package) if wheel.read(n) != (REPO / n).read_bytes()]
        assert stale == [], f"in the wheel, not as in the working tree: {stale}"
    outside = sorted(n for n in names if not n.startswith(("smmgen/", f"{info}/")))
    assert outside == [], f"the wheel holds files outside smmgen/ and {info}/: {outside}"
    assert recorded == set(names), f"RECORD and the zip differ: {sorted(recorded ^ set(names))}"
    assert len(names) == len(set(names)), "a file twice in the wheel"


@pytest.mark.xdist_group("packaging")
def test_the_wheel_metadata(built: Built) -> None:
    version = smmgen.__version__
    assert built.wheel.name == f"smmgen-{version}-py3-none-any.whl"
    with zipfile.ZipFile(built.wheel) as wheel:
        info = dist_info(wheel)
        assert info == f"smmgen-{version}.dist-info"
        tags = metadata(wheel.read(f"{info}/WHEEL").decode("utf-8"))
        meta = metadata(wheel.read(f"{info}/METADATA").decode("utf-8"))
        entry_points = wheel.read(f"{info}/entry_points.txt").decode("utf-8")
        licences = {n.rsplit("/", 1)[-1] for n in wheel.namelist() if n.startswith(f"{info}/licen")}
    assert tags.get_all("Tag") == ["py3-none-any"]
    assert tags["Root-Is-Purelib"] == "true"
    assert meta["Name"] == "smmgen"
    assert meta["Version"] == version
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["License-Expression"] == PROJECT["license"] == "Apache-2.0"
    assert meta["Summary"] == PROJECT["description"]
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().startswith("# smmgen")  # the README as the long description
    runtime = sorted(r for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r)
    assert runtime == sorted(d.split("#")[0].replace(" ", "") for d in PROJECT["dependencies"])
    assert "[console_scripts]\nsmmgen = smmgen.cli:main\n" in entry_points
    assert set(meta.get_all("License-File") or []) == licence_files() == licences


@pytest.mark.xdist_group("packaging")
def test_the_sdist_holds_the_sources(built: Built) -> None:
    version = smmgen.__version__
    assert built.sdist.name == f"smmgen-{version}.tar.gz"
    root = f"smmgen-{version}/"
    with tarfile.open(built.sdist) as sdist:
        members = {m.name: m for m in sdist.getmembers() if m.isfile()}
        assert all(name.startswith(root) for name in members), sorted(members)
        files = {name[len(root) :] for name in members}
        package = {n for n in files if n.startswith("smmgen/")}
        missing = sorted(package_files() - package)
        assert missing == [], f"files of smmgen/ missing from the sdist: {missing}"
        for name in ("pyproject.toml", "README.md", "CHANGELOG.md"):
            extracted = sdist.extractfile(members[root + name])
            assert extracted is not None
            assert extracted.read() == (REPO / name).read_bytes(), f"{name} differs"
    top = {n.split("/")[0] for n in files if not n.startswith(("smmgen/", "smmgen.egg-info/"))}
    expected = {"pyproject.toml", "README.md", "CHANGELOG.md", "MANIFEST.in", "PKG-INFO"}
    assert top - {"setup.cfg"} == expected | licence_files(), sorted(top)
    assert not any(n.startswith("tests/") for n in files)


@pytest.mark.xdist_group("packaging")
def test_the_wheel_installs_and_runs_outside_the_repository(
    built: Built, wheelhouse: Path, tmp_path: Path
) -> None:
    """The CI test of issue 12: a fresh environment, the wheel (not editable), and
    init, check, plan, preview, publish --dry-run (and build) on a new project and
    on the example content, from a directory outside the repository."""
    done = try_wheel(built.wheel, "--no-index", "--find-links", wheelhouse, cwd=tmp_path)
    assert done.returncode == 0, shown(done)
    assert f"try_wheel: ok: smmgen {smmgen.__version__} from {built.wheel.name}" in done.stdout
    ran = [line for line in done.stdout.splitlines() if line.startswith("== smmgen ")]
    for project in ("new project", "example content"):
        for command in ("check", "plan", "preview", "publish --dry-run", "build"):
            assert any(
                line.startswith(f"== smmgen {command}") and line.endswith(f"({project})")
                for line in ran
            ), f"no smmgen {command} on the {project}: {ran}"
    assert "== smmgen init (new project)" in ran, ran
    after_install = done.stdout.split("== smmgen --version", 1)[1]
    assert str(REPO) not in after_install, "the installed smmgen mentions the checkout"


@pytest.mark.xdist_group("packaging")
def test_try_wheel_fails_on_a_wheel_without_its_package_data(
    built: Built, wheelhouse: Path, tmp_path: Path
) -> None:
    """The end-to-end test can fail: a wheel without smmgen/scaffold/ fails at init."""
    broken = tmp_path / "dist"
    broken.mkdir()
    with (
        zipfile.ZipFile(built.wheel) as wheel,
        zipfile.ZipFile(broken / built.wheel.name, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in wheel.infolist():
            if not item.filename.startswith("smmgen/scaffold/"):
                out.writestr(item, wheel.read(item))
    done = try_wheel(broken, "--no-index", "--find-links", wheelhouse, cwd=tmp_path)
    assert done.returncode == 1, shown(done)
    assert "try_wheel: FAILED: smmgen init (new project)" in done.stderr, shown(done)
    assert "Traceback" not in done.stdout + done.stderr, shown(done)
    assert "--- output ---" in done.stdout, shown(done)  # init's own error is shown


@pytest.mark.parametrize(
    ("dist", "message"),
    [
        ("empty", "holds no smmgen-*.whl"),
        ("two", "holds 2 smmgen wheels"),
        ("absent", "does not exist"),
        ("empty/smmgen-1.0.tar.gz", "is not a wheel"),
    ],
)
def test_try_wheel_refuses_a_dist_without_one_wheel(
    tmp_path: Path, dist: str, message: str
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "smmgen-1.0.tar.gz").write_bytes(b"")  # an sdist is not a wheel
    (tmp_path / "two").mkdir()
    for version in ("1.0", "1.1"):
        (tmp_path / "two" / f"smmgen-{version}-py3-none-any.whl").write_bytes(b"")
    env = dict(os.environ, TMPDIR=str(tmp_path))  # where try_wheel would make its directory
    done = try_wheel(tmp_path / dist, cwd=tmp_path, env=env)
    assert done.returncode == 2, shown(done)
    assert done.stderr.startswith("try_wheel: error: "), shown(done)
    assert message in done.stderr, shown(done)
    assert "Traceback" not in done.stdout + done.stderr, shown(done)
    assert not list(tmp_path.glob("smmgen-try-wheel-*")), "nothing is made for a usage error"
