"""The release workflow (.github/workflows/release.yml), run end to end on this machine.

The repository's files (this working tree: tracked and new files, without
ignored ones) become a release commit, as README "Releasing" says to make
one: __version__ is the version about to be released (the current one
without its .dev part) and CHANGELOG.md's "Unreleased" section becomes that
version's. The commit and its tag vX.Y.Z are pushed to a bare repository
standing in for GitHub, and the workflow runs for the tag's push
(tests/workflows/harness.py, with real Python: the build job really builds
with the hash-pinned tools, each test job really installs the wheel into a
fresh environment of its Python version, with pip's own configuration).
"PyPI" is a local folder of files; GitHub's release is tests/workflows/fake_gh.py.

Checked: every job succeeds, in order, the test job once per Python version;
the index then holds exactly the sdist and the wheel, and installing
smmgen==X.Y.Z from it (and a folder of its dependencies' wheels, no index)
gives a working smmgen of that version; the attestations are about those two
files, with their SHA-256; the GitHub release has the CHANGELOG section as
its notes and both files. A tag that is not v + __version__, or a version
without a CHANGELOG section, fails the build job with an error saying so,
and nothing is published. The harness's emulation of the actions the
workflow uses is tested on small workflows first.

Needs Python 3.11, 3.12 and 3.13 on this machine (on PATH, pyenv's or uv's).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

import smmgen
from tests.publish.gitrepo import git, origin_with
from tests.workflows.harness import Runner, RunResult, TrustedPublisher, find_python, load

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = Path(".github") / "workflows" / "release.yml"
REQUIREMENTS = REPO / ".github" / "release-requirements.txt"
PYTHONS = ("3.11", "3.12", "3.13")
VERSION = Version(smmgen.__version__).base_version  # the release being prepared
PUBLISHER = TrustedPublisher("acme/social", "release.yml", "pypi")
TOKEN = "ghs_fake-token-for-the-workflow-0123"
DATE = "2026-12-07"


def require_pythons() -> None:
    missing = [version for version in PYTHONS if find_python(version) is None]
    if missing:
        pytest.fail(
            f"Python {', '.join(missing)} not found: the release workflow tests the wheel on"
            f" {', '.join(PYTHONS)}; install them (pyenv install, uv python install X.Y or"
            " the system's pythonX.Y) (README: Releasing)",
            pytrace=False,
        )


def unreleased(changelog: str) -> str:
    """The body of the "## Unreleased" section, as the release notes print it."""
    body = changelog.split("\n## Unreleased\n", 1)[1]
    body = re.split(r"^## ", body, maxsplit=1, flags=re.MULTILINE)[0]
    return body.strip("\n") + "\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the world: a release commit of this repository, tagged, on "GitHub" ----------------


@dataclass
class World:
    root: Path  # the maintainer's clone
    bare: Path  # "GitHub"
    index: Path  # "PyPI": a flat folder of files
    runner: Runner

    def release(self, tag: str) -> RunResult:
        """Push the tag (annotated, on main's tip) and run the workflow for the push."""
        git(self.root, "tag", "-a", tag, "-m", f"smmgen {tag}")
        git(self.root, "push", "--quiet", "origin", tag)
        ref = f"refs/tags/{tag}"
        event = {"ref": ref, "after": git(self.bare, "rev-parse", f"{ref}^{{commit}}")}
        return self.runner.run("push", event, ref=ref)

    def releases(self) -> list[dict[str, Any]]:
        return list(self.runner.gh().get("releases", []))


def make_world(base: Path, *, version: str = VERSION, changelog: bool = True) -> World:
    """This working tree's files as a release commit of ``version``: __version__
    set, and (``changelog``) the Unreleased entries moved under ``## version``."""
    root = base / "smmgen"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # not a file deleted in the working tree
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(source.read_bytes())
    init = root / "smmgen" / "__init__.py"
    text, count = re.subn(r'^__version__ = "[^"]*"$', f'__version__ = "{version}"',
                          init.read_text(encoding="utf-8"), flags=re.MULTILINE)  # fmt: skip
    assert count == 1, "smmgen/__init__.py sets __version__ once"
    init.write_text(text, encoding="utf-8")
    if changelog:
        path = root / "CHANGELOG.md"
        text = path.read_text(encoding="utf-8")
        assert f"\n## {version} " not in text
        path.write_text(
            text.replace("\n## Unreleased\n", f"\n## Unreleased\n\n## {version} - {DATE}\n", 1),
            encoding="utf-8",
        )
    bare = base / "github" / "acme" / "social.git"
    origin_with(root, bare, f"Release {version}", ledger=False)
    index = base / "pypi"
    runner = Runner(
        root / WORKFLOW, origin=bare, workdir=base / "runner", env={}, real_python=True,
        package_index=index, publisher=PUBLISHER, step_timeout=600, parallel_matrix=True,
    )  # fmt: skip
    runner.set_gh({"token": TOKEN, "repository": "acme/social", "origin": str(bare)})
    return World(root, bare, index, runner)


def dist_names(version: str) -> list[str]:
    return [f"smmgen-{version}-py3-none-any.whl", f"smmgen-{version}.tar.gz"]


def nothing_published(world: World, result: RunResult) -> None:
    assert [(j.job_id, j.status) for j in result.jobs if j.job_id != "build"] == [
        ("test", "skipped"), ("publish", "skipped"), ("github-release", "skipped")
    ], result.explain()  # fmt: skip
    assert not world.index.exists() or list(world.index.iterdir()) == []
    assert (result.attestations, result.uploads, world.releases()) == ([], [], [])
    assert result.artifacts is not None
    assert not result.artifacts.exists()  # nothing built


# -- a release ------------------------------------------------------------------------------


@dataclass
class Released:
    world: World
    result: RunResult
    seconds: float


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Released:
    require_pythons()
    world = make_world(tmp_path_factory.mktemp("release"))
    started = time.monotonic()
    result = world.release(f"v{VERSION}")
    return Released(world, result, time.monotonic() - started)


in_one_run = pytest.mark.xdist_group("release-run")  # one run of the workflow, one worker


@in_one_run
def test_every_job_succeeds_in_order_the_tests_once_per_python(released: Released) -> None:
    result = released.result
    assert [(j.job_id, j.matrix.get("python-version"), j.status) for j in result.jobs] == [
        ("build", None, "success"),
        *[("test", version, "success") for version in PYTHONS],
        ("publish", None, "success"),
        ("github-release", None, "success"),
    ], result.explain()
    for version in PYTHONS:
        leg = result.job("test", **{"python-version": version})
        assert leg.name == f"test the wheel on Python {version}"
        assert re.search(rf"\(harness\) Python {re.escape(version)}\.\d+ in a fresh",
                         leg.step("Set up Python").stdout), result.explain()  # fmt: skip
        assert leg.workspace is not None
        assert not (leg.workspace / "smmgen").exists()  # only the wheel could be imported
        assert sorted(os.listdir(leg.workspace / "dist")) == dist_names(VERSION)
        tried = leg.step("Install the wheel in a fresh environment and run smmgen").stdout
        assert f"try_wheel: ok: smmgen {VERSION} from {dist_names(VERSION)[0]}:" in tried
    assert result.job("publish").environment == "pypi"
    print(f"\nthe release workflow ran in {released.seconds:.0f} s")


@in_one_run
def test_the_build_job_builds_once_with_the_pinned_tools(released: Released) -> None:
    build = released.result.job("build")
    assert build.workspace is not None
    dist = build.workspace / "dist"
    assert sorted(os.listdir(dist)) == dist_names(VERSION)
    install = build.step("Install the build tools (pinned by hash)")
    assert install.outcome == "success"
    for name in dist_names(VERSION):  # the job summary lists each file's SHA-256
        assert f"{sha256(dist / name)}  {name}" in build.summary
    # one build: every later job got these very files
    for job in released.result.jobs[1:]:
        assert job.workspace is not None
        for name in dist_names(VERSION):
            assert sha256(job.workspace / "dist" / name) == sha256(dist / name), job.name


@in_one_run
def test_the_index_holds_the_sdist_and_the_wheel_and_pip_installs_them(
    released: Released, tmp_path: Path
) -> None:
    index = released.world.index
    assert sorted(os.listdir(index)) == dist_names(VERSION)
    build = released.result.job("build")
    assert build.workspace is not None
    assert [(u["file"], u["sha256"], u["attested"]) for u in released.result.uploads] == [
        (name, sha256(build.workspace / "dist" / name), True) for name in dist_names(VERSION)
    ]
    assert {u["claims"]["environment"] for u in released.result.uploads} == {"pypi"}
    # smmgen's dependencies as wheels, from pip's configured index; then no index at all
    wheelhouse = tmp_path / "wheelhouse"
    requires = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--only-binary=:all:", "--dest", str(wheelhouse), *requires["dependencies"]],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "--no-index", "--find-links", str(index),
         "--find-links", str(wheelhouse), f"smmgen=={VERSION}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = subprocess.run([str(venv / "bin" / "smmgen"), "--version"], capture_output=True,
                          text=True, check=False, cwd=tmp_path)  # fmt: skip
    assert (done.returncode, done.stdout) == (0, f"smmgen, version {VERSION}\n"), done.stderr


@in_one_run
def test_the_attestations_are_about_the_two_files(released: Released) -> None:
    index = released.world.index
    (attestation,) = released.result.attestations
    assert attestation["job"] == "publish"
    assert attestation["subjects"] == [
        {"name": name, "digest": {"sha256": sha256(index / name)}} for name in dist_names(VERSION)
    ]
    predicate = attestation["statement"]["predicate"]
    assert (
        predicate["workflow"] == f"acme/social/.github/workflows/release.yml@refs/tags/v{VERSION}"
    )


@in_one_run
def test_the_github_release_has_the_changelog_section_and_both_files(released: Released) -> None:
    index = released.world.index
    (release,) = released.world.releases()
    notes = unreleased((REPO / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert notes.startswith("### Added\n")
    assert release == {
        "tag": f"v{VERSION}",
        "title": f"smmgen {VERSION}",
        "notes": notes,
        "assets": [
            {"name": name, "size": (index / name).stat().st_size, "sha256": sha256(index / name)}
            for name in dist_names(VERSION)
        ],
        "verify_tag": True,
        "prerelease": False,
        "draft": False,
        "url": f"https://github.com/acme/social/releases/tag/v{VERSION}",
    }


# -- what stops a release before anything is published ------------------------------------


def test_a_tag_that_is_not_the_version_fails_the_build_and_publishes_nothing(
    tmp_path: Path,
) -> None:
    require_pythons()
    world = make_world(tmp_path)
    wrong = f"v{VERSION}.post7"
    result = world.release(wrong)
    build = result.job("build")
    assert build.status == "failure", result.explain()
    step = build.step("Check the tag, the version and the CHANGELOG")
    assert step.outcome == "failure"
    (error,) = build.annotations
    assert (error["level"], error["title"]) == ("error", f"release {wrong}")
    assert error["message"].startswith(
        f'error: the tag {wrong} is not v + smmgen.__version__ ("{VERSION}" in smmgen/__init__.py)'
    ), error
    assert [s.outcome for s in build.steps[build.steps.index(step) + 1 :]] == ["skipped"] * 4
    nothing_published(world, result)


def test_a_version_without_a_changelog_section_fails_the_build_and_publishes_nothing(
    tmp_path: Path,
) -> None:
    require_pythons()
    world = make_world(tmp_path, changelog=False)
    result = world.release(f"v{VERSION}")
    build = result.job("build")
    assert build.status == "failure", result.explain()
    (error,) = build.annotations
    assert error["level"] == "error"
    assert error["message"].startswith(
        f"error: CHANGELOG.md has no section for {VERSION}:"
        f" add a heading '## {VERSION} - YYYY-MM-DD'"
    ), error
    nothing_published(world, result)


# -- the hash-pinned build tools ---------------------------------------------------------------


def test_the_build_tools_are_pinned_by_hash_and_can_build_smmgen() -> None:
    """Every requirement is `name==version` with hashes (pip --require-hashes),
    and the pinned setuptools meets pyproject.toml's [build-system] (the
    release builds with it, without an isolated environment)."""
    text = REQUIREMENTS.read_text(encoding="utf-8")
    command = "uv pip compile --generate-hashes --universal --python-version 3.11"
    assert f"#    {command} .github/release-requirements.in" in text
    pins: dict[str, Version] = {}
    for entry in re.split(r"\n(?=\S)", text):
        if entry.startswith("#") or not entry.strip():
            continue
        requirement = Requirement(entry.split(" \\")[0].split(";")[0].strip())
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", entry
        assert "--hash=sha256:" in entry, entry
        pins[requirement.name] = Version(specifier.version)
    assert {"build", "twine", "setuptools"} <= set(pins)
    system = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["build-system"]
    for requirement in map(Requirement, system["requires"]):
        assert requirement.name in pins, requirement
        assert requirement.specifier.contains(pins[requirement.name]), requirement
    wanted = [line for line in (REPO / ".github" / "release-requirements.in").read_text(
        encoding="utf-8").splitlines() if line and not line.startswith("#")]  # fmt: skip
    assert set(wanted) <= set(pins)


def test_the_workflow_runs_the_checks_on_the_checkout_and_installs_the_pinned_file() -> None:
    jobs = load(REPO / WORKFLOW)["jobs"]
    script = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    assert "python scripts/release_notes.py --tag" in script
    assert "--require-hashes" in script
    assert "-r .github/release-requirements.txt" in script
    assert "python -m build --no-isolation" in script
    assert "twine check --strict dist/*" in script
    assert script.count("python -m build") == 1
    test = "\n".join(step.get("run", "") for step in jobs["test"]["steps"])
    assert "rm -rf smmgen/" in test
    assert "python scripts/try_wheel.py dist/" in test
    assert jobs["test"]["strategy"]["matrix"]["python-version"] == list(PYTHONS)
