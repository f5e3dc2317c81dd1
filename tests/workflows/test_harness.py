"""The workflow harness's emulation of what the release workflow uses, on
small workflows: `needs:` and job outputs, artifacts, build provenance
attestations, publishing to a local package index by trusted publishing
only, push tag filters, `gh release create`, and real Python (a throwaway
virtual environment per job, never this test run's)."""

from __future__ import annotations

import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.publish.gitrepo import git, origin_with
from tests.workflows.harness import Runner, RunResult, TrustedPublisher, find_python

REPO = Path(__file__).resolve().parents[2]
RELEASE = REPO / ".github" / "workflows" / "release.yml"
TOKEN = "ghs_fake-token-for-the-workflow-0123"


def pins() -> dict[str, str]:
    """action -> action@sha, as release.yml pins them."""
    found = re.findall(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})", RELEASE.read_text("utf-8"))
    return {action: f"{action}@{sha}" for action, sha in found}


PIN = pins()


def pinned(text: str) -> str:
    """``<owner/action>`` replaced with ``owner/action@<the SHA release.yml uses>``."""
    return re.sub(r"<([\w.-]+/[\w.-]+)>", lambda m: PIN[m[1]], text)


def workflow(body: str, on: str = "push:\n  tags: ['v*']") -> str:
    text = pinned(textwrap.dedent(body))
    return f"name: t\non:\n{textwrap.indent(on, '  ')}\npermissions: {{}}\n{text}"


class Repo:
    """A bare repository with one commit tagged v1.0.0, and runners of workflows."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        project = tmp_path / "project"
        project.mkdir()
        (project / "README.md").write_text("# x\n", encoding="utf-8")
        self.bare = tmp_path / "github" / "acme" / "social.git"
        origin_with(project, self.bare, ledger=False)
        git(project, "tag", "v1.0.0")
        git(project, "push", "--quiet", "origin", "v1.0.0")
        self.index = tmp_path / "pypi"
        self.count = 0

    def runner(self, text: str, **options: Any) -> Runner:
        self.count += 1
        path = self.tmp / f"w{self.count}" / "release.yml"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        options.setdefault("publisher", TrustedPublisher("acme/social", "release.yml", "pypi"))
        runner = Runner(path, origin=self.bare, workdir=path.parent / "work", env={},
                        package_index=self.index, **options)  # fmt: skip
        runner.set_gh({"token": TOKEN, "repository": "acme/social", "origin": str(self.bare)})
        return runner

    def run(self, text: str, ref: str = "refs/tags/v1.0.0", **options: Any) -> RunResult:
        return self.runner(text, **options).run("push", {"ref": ref}, ref=ref)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def statuses(result: RunResult) -> list[tuple[str, str]]:
    return [(job.job_id, job.status) for job in result.jobs]


# -- jobs ---------------------------------------------------------------------------------


NEEDS = """\
jobs:
  last:
    needs: [first, middle]
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - env:
          GOT: ${{ needs.first.outputs.word }} ${{ needs.middle.result }}
        run: echo "last got $GOT"
  middle:
    needs: first
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - run: echo middle
  cleanup:
    needs: first
    if: failure()
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - run: echo cleaning up
  first:
    runs-on: ubuntu-latest
    permissions: {}
    outputs:
      word: ${{ steps.say.outputs.word }}
    steps:
      - id: say
        run: echo "word=hello" >> "$GITHUB_OUTPUT"; exit "$FAIL"
    env:
      FAIL: "<fail>"
"""


def test_jobs_run_after_the_jobs_they_need_with_their_outputs(repo: Repo) -> None:
    result = repo.run(workflow(NEEDS.replace("<fail>", "0")))
    assert statuses(result) == [("first", "success"), ("middle", "success"),
                                ("last", "success"), ("cleanup", "skipped")]  # fmt: skip
    assert result.job("last").stdout == "last got hello success\n"


def test_a_failed_job_skips_the_jobs_that_need_it(repo: Repo) -> None:
    result = repo.run(workflow(NEEDS.replace("<fail>", "1")))
    assert statuses(result) == [("first", "failure"), ("middle", "skipped"),
                                ("last", "skipped"), ("cleanup", "success")]  # fmt: skip


def test_needs_that_cannot_be_met_are_an_error(repo: Repo) -> None:
    text = workflow("""\
        jobs:
          a:
            needs: b
            runs-on: ubuntu-latest
            steps: [{run: "true"}]
          b:
            needs: a
            runs-on: ubuntu-latest
            steps: [{run: "true"}]
        """)  # fmt: skip
    with pytest.raises(ValueError, match="a cycle or an unknown job"):
        repo.run(text)


ECHO_REF = """\
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {}
    steps: [{run: 'echo "$GITHUB_REF_NAME $GITHUB_REF_TYPE"'}]
"""


def test_a_push_runs_only_what_its_filter_matches(repo: Repo) -> None:
    text = workflow(ECHO_REF)
    assert repo.run(text).job("a").stdout == "v1.0.0 tag\n"
    with pytest.raises(ValueError, match="does not run on a push of refs/heads/main"):
        repo.run(text, ref="refs/heads/main")
    branches = workflow(ECHO_REF, on="push:\n  branches: [main, 'release/**']")
    assert repo.run(branches, ref="refs/heads/main").job("a").stdout == "main branch\n"
    with pytest.raises(ValueError, match=r"does not run on a push of refs/tags/v1\.0\.0"):
        repo.run(branches)


RENDEZVOUS = """\
jobs:
  leg:
    runs-on: ubuntu-latest
    permissions: {}
    strategy:
      matrix:
        n: [1, 2, 3]
    steps:
      - env:
          N: ${{ matrix.n }}
          MEET: <meet>
        run: |
          touch "$MEET/$N"
          for _ in $(seq 30); do  # the other legs, within 3 s
            [ "$(ls "$MEET" | wc -l)" = 3 ] && { echo "leg $N met the others"; exit 0; }
            sleep 0.1
          done
          exit 1
"""


@pytest.mark.parametrize("parallel", [True, False])
def test_a_matrix_runs_side_by_side_when_asked(repo: Repo, parallel: bool) -> None:
    meet = repo.tmp / "meet"
    meet.mkdir()
    text = workflow(RENDEZVOUS.replace("<meet>", str(meet)))
    result = repo.runner(text, parallel_matrix=parallel).run("push", {}, ref="refs/tags/v1.0.0")
    assert [job.matrix["n"] for job in result.jobs] == [1, 2, 3]
    if parallel:
        assert [job.stdout for job in result.jobs] == [f"leg {n} met the others\n"
                                                       for n in (1, 2, 3)]  # fmt: skip
    else:  # one after the other, as for the workflows smmgen init writes
        assert [job.status for job in result.jobs] == ["failure", "failure", "success"]


# -- artifacts ----------------------------------------------------------------------------------


ARTIFACTS = """\
jobs:
  up:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - run: |
          mkdir -p dist/sub
          echo a > dist/a.txt; echo b > dist/sub/b.txt; echo h > dist/.hidden
          echo notes > "$RUNNER_TEMP/notes.md"
      - uses: <actions/upload-artifact>
        with: {name: dist, path: dist/, if-no-files-found: error}
      - uses: <actions/upload-artifact>
        with:
          name: notes
          path: ${{ runner.temp }}/notes.md
  down:
    needs: up
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - uses: <actions/download-artifact>
        with: {name: dist, path: got/}
      - uses: <actions/download-artifact>
        with:
          name: notes
          path: ${{ runner.temp }}/notes
      - run: find got "$RUNNER_TEMP/notes" -type f -printf '%P\\n' | sort
"""


def test_artifacts_carry_files_from_job_to_job(repo: Repo) -> None:
    result = repo.run(workflow(ARTIFACTS))
    assert statuses(result) == [("up", "success"), ("down", "success")], result.explain()
    assert result.job("down").steps[-1].stdout == "a.txt\nnotes.md\nsub/b.txt\n"
    assert result.artifacts is not None
    assert sorted(p.name for p in result.artifacts.iterdir()) == ["dist", "notes"]


@pytest.mark.parametrize(
    ("change", "failing", "message"),
    [
        ("name: notes\n", "up", "an artifact with this name already exists"),
        ("name: dist, path: got/", "down", "Artifact not found for name: nothing"),
        ("path: dist/, if-no-files-found", "up", "No files were found with the provided path"),
    ],
)
def test_artifact_errors(repo: Repo, change: str, failing: str, message: str) -> None:
    text = workflow(ARTIFACTS)
    if change == "name: notes\n":
        text = text.replace("name: notes\n", "name: dist\n")
    elif failing == "down":
        text = text.replace(change, "name: nothing, path: got/")
    else:
        text = text.replace(change, "path: nowhere/, if-no-files-found")
    result = repo.run(text)
    job = result.job(failing)
    assert job.status == "failure", result.explain()
    (failed,) = [s for s in job.steps if s.outcome == "failure"]
    assert message in failed.stdout + failed.stderr


# -- attestations and publishing --------------------------------------------------------------


PUBLISH = """\
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: {name: pypi}
    permissions: {id-token: write, attestations: write}
    steps:
      - run: |
          mkdir dist
          printf wheel > dist/x-1.0.0-py3-none-any.whl
          printf sdist > dist/x-1.0.0.tar.gz
      - uses: <actions/attest-build-provenance>
        with: {subject-path: "dist/*"}
      - uses: <pypa/gh-action-pypi-publish>
        with: {packages-dir: dist/, verify-metadata: false}
"""
FILES = ["x-1.0.0-py3-none-any.whl", "x-1.0.0.tar.gz"]


def test_attest_and_publish_to_the_index(repo: Repo) -> None:
    import hashlib

    result = repo.run(workflow(PUBLISH))
    assert statuses(result) == [("publish", "success")], result.explain()
    assert sorted(os.listdir(repo.index)) == FILES
    digests = {"x-1.0.0-py3-none-any.whl": hashlib.sha256(b"wheel").hexdigest(),
               "x-1.0.0.tar.gz": hashlib.sha256(b"sdist").hexdigest()}  # fmt: skip
    (attestation,) = result.attestations
    assert attestation["subjects"] == [
        {"name": name, "digest": {"sha256": digests[name]}} for name in FILES
    ]
    assert [(u["file"], u["sha256"], u["attested"]) for u in result.uploads] == [
        (name, digests[name], True) for name in FILES
    ]
    assert result.uploads[0]["claims"] == {
        "repository": "acme/social", "workflow": "release.yml", "environment": "pypi"
    }  # fmt: skip

    # the same files again: the index never takes a file name twice
    (repo.index / FILES[0]).write_bytes(b"as first uploaded")
    again = repo.run(workflow(PUBLISH))
    step = again.job("publish").steps[-1]
    assert step.outcome == "failure"
    assert f"400 Bad Request: File already exists ('{FILES[0]}')" in step.stderr
    assert (repo.index / FILES[0]).read_bytes() == b"as first uploaded"
    assert again.uploads == []
    skip = PUBLISH.replace("verify-metadata: false", "verify-metadata: false, skip-existing: true")
    skipping = repo.run(workflow(skip))
    assert skipping.job("publish").status == "success"


ATTEST_STEP = """\
      - uses: <actions/attest-build-provenance>
        with: {subject-path: "dist/*"}
"""
BOTH = "{id-token: write, attestations: write}"


@pytest.mark.parametrize(
    ("replace", "failing", "message"),
    [
        ([(BOTH, "{contents: read, attestations: write}")], "actions/attest", "id-token: write"),
        ([(BOTH, "{id-token: write, attestations: read}")], "actions/attest",
         "attestations: write"),
        ([(BOTH, "{attestations: write}"), (ATTEST_STEP, "")], "pypa/", "id-token: write"),
        ([("{name: pypi}", "{name: testpypi}")], "pypa/", "`invalid-publisher`"),
        ([("    environment: {name: pypi}\n", "")], "pypa/", "`invalid-publisher`"),
        ([("packages-dir: dist/", "packages-dir: dist/, password: pypi-not-a-real-token")],
         "pypa/", "takes trusted publishing only"),
        ([("packages-dir: dist/", "packages-dir: dist/, repository-url: http://127.0.0.1:9/")],
         "pypa/", "repository-url"),
    ],
)  # fmt: skip
def test_what_the_index_and_the_attestations_refuse(
    repo: Repo, replace: list[tuple[str, str]], failing: str, message: str
) -> None:
    text = workflow(PUBLISH)
    for old, new in replace:
        old = pinned(old)
        assert old in text
        text = text.replace(old, new)
    result = repo.run(text)
    job = result.job("publish")
    assert job.status == "failure", result.explain()
    (failed,) = [s for s in job.steps if s.outcome == "failure"]
    assert failed.name.startswith(failing)
    assert message in failed.stderr
    assert not repo.index.exists()
    assert result.uploads == []


# -- gh release create ----------------------------------------------------------------------------


RELEASE_JOB = """\
jobs:
  release:
    runs-on: ubuntu-latest
    permissions: {contents: write}
    steps:
      - env:
          GH_TOKEN: ${{ github.token }}
          TAG: "<tag>"
        run: |
          printf 'notes\\n' > notes.md; printf x > a.whl
          gh release create "$TAG" a.whl --repo "$GITHUB_REPOSITORY" --verify-tag \\
            --title "x $TAG" --notes-file notes.md
"""


def test_gh_release_create_records_the_release(repo: Repo) -> None:
    runner = repo.runner(workflow(RELEASE_JOB.replace("<tag>", "v1.0.0")))
    result = runner.run("push", {}, ref="refs/tags/v1.0.0")
    assert result.job("release").stdout == (
        "https://github.com/acme/social/releases/tag/v1.0.0\n"
    ), result.explain()
    (release,) = runner.gh()["releases"]
    assert (release["tag"], release["title"], release["notes"], release["verify_tag"]) == (
        "v1.0.0", "x v1.0.0", "notes\n", True
    )  # fmt: skip
    assert [a["name"] for a in release["assets"]] == ["a.whl"]
    again = runner.run("push", {}, ref="refs/tags/v1.0.0")
    assert "HTTP 422: Validation Failed: Release.tag_name already exists" in again.job(
        "release").steps[0].stderr  # fmt: skip
    missing = repo.runner(workflow(RELEASE_JOB.replace("<tag>", "v2.0.0")))
    result = missing.run("push", {}, ref="refs/tags/v1.0.0")
    assert "tag v2.0.0 doesn't exist in the repo acme/social" in result.job(
        "release").steps[0].stderr  # fmt: skip
    assert missing.gh().get("releases", []) == []


# -- real Python -------------------------------------------------------------------------


def test_real_python_is_a_fresh_environment_of_the_version_asked(repo: Repo) -> None:
    if find_python("3.12") is None:
        pytest.fail("Python 3.12 not found (README: Releasing)", pytrace=False)
    text = workflow("""\
        jobs:
          a:
            runs-on: ubuntu-latest
            permissions: {}
            steps:
              - uses: <actions/setup-python>
                with: {python-version: "3.12"}
              - run: |
                  python -c 'import sys; print(sys.version_info[:2], sys.prefix)'
                  python -m pip --version > /dev/null
                  if command -v smmgen; then exit 1; fi
                  python -c 'import smmgen' 2> /dev/null && exit 1
                  echo "PIP_CACHE_DIR=$PIP_CACHE_DIR"
        """)  # fmt: skip
    runner = repo.runner(text, real_python=True)
    # as when this test run's virtual environment is activated: still not the steps'
    runner.env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    result = runner.run("push", {}, ref="refs/tags/v1.0.0")
    job = result.job("a")
    assert job.status == "success", result.explain()
    assert job.steps[1].stdout.splitlines() == [
        f"(3, 12) {job.workspace.parent / 'python' if job.workspace else ''}",
        f"PIP_CACHE_DIR={runner.workdir / 'pip-cache'}",
    ]
