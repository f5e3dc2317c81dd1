"""Run a GitHub Actions workflow's jobs on this machine, as a runner would.

Each job's steps run in order: ``run:`` steps with
GitHub's commands for the shell asked for (``shell: bash`` is
``bash --noprofile --norc -eo pipefail``; no shell at all is ``bash -e``)
in the job's workspace, with the environment GitHub gives them (the
workflow's, the job's and the step's ``env:`` with their expressions
evaluated, ``GITHUB_*``, ``RUNNER_TEMP``, the files ``GITHUB_ENV``,
``GITHUB_OUTPUT``, ``GITHUB_PATH`` and ``GITHUB_STEP_SUMMARY``); ``if:``,
``continue-on-error``, ``strategy.matrix`` (lists and expressions),
``concurrency`` and job names are evaluated with :mod:`expressions`.

Jobs run in the order their ``needs:`` allow (the file's order otherwise);
a job whose needed jobs did not all succeed is skipped unless its ``if:``
says otherwise, and ``needs.<job>.result``/``.outputs`` are set. A push
runs a workflow only if its ``branches:``/``tags:`` filter matches the ref.
``environment:`` is recorded (and named in the OIDC claims below).

``uses:`` steps are emulated: ``actions/checkout`` fetches from the local
bare repository standing in for GitHub the way the action does (every
branch with ``fetch-depth: 0``, else the ref at that depth; a pull request's
``refs/pull/N/merge``; a tag) and checks out ``github.sha``;
``actions/setup-python`` does nothing (this interpreter's directory is on
PATH); ``actions/upload-artifact`` and ``actions/download-artifact`` keep
artifacts in a folder of the run (a second upload of a name fails, as on
GitHub). Stand-ins on PATH: ``gh`` (:mod:`fake_gh`) and a ``python`` that
logs ``python -m pip ...`` instead of installing (smmgen is already
installed here) and runs everything else with this interpreter.

``real_python=True`` (the release workflow, which builds and installs for
real): ``actions/setup-python`` makes a fresh virtual environment of the
Python version asked for (:func:`find_python`) for each job and puts it
first on PATH, so that ``python -m pip`` really installs, into that
throwaway environment; no ``python`` stand-in, and this test run's own
environment is not on the steps' PATH. pip keeps its configuration (the
machine's index) and a download cache in the runner's folder.
``parallel_matrix=True`` runs a matrix's jobs side by side, as GitHub does
(otherwise one after the other).

Publishing, against a local package index folder (``package_index``: flat,
as pip's ``--find-links`` reads it): ``actions/attest-build-provenance``
needs ``id-token: write`` and ``attestations: write`` and records each
subject's SHA-256 (:attr:`RunResult.attestations`);
``pypa/gh-action-pypi-publish`` refuses a password or token input, needs
``id-token: write`` and a :class:`TrustedPublisher` matching the job's
claims (repository, workflow file, environment), runs ``twine check`` and
copies the files into the folder, refusing to overwrite a file of the same
name as PyPI does (:attr:`RunResult.uploads`). Any other action is an error.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import itertools
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.workflows.expressions import condition, interpolate, to_string

REPOSITORY = "acme/social"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
ANNOTATION = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")
STEP_TIMEOUT = 120  # seconds; the workflows' timeout-minutes are far longer
HERE = Path(__file__).resolve().parent


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def _unescape(text: str, *, property: bool = False) -> str:
    text = text.replace("%0D", "\r").replace("%0A", "\n")
    if property:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%25", "%")


def annotations(output: str) -> list[dict[str, str]]:
    """The ``::error``/``::warning``/``::notice`` workflow commands in output."""
    found = []
    for line in output.splitlines():
        match = ANNOTATION.match(line)
        if match:
            level, props, message = match.groups()
            entry = {"level": level, "message": _unescape(message)}
            for item in filter(None, (props or "").split(",")):
                key, _, value = item.partition("=")
                entry[key.strip()] = _unescape(value, property=True)
            found.append(entry)
    return found


@dataclass(frozen=True)
class TrustedPublisher:
    """What the package index lets upload without a password: a workflow
    file of a repository, run in an environment (None: any or none)."""

    repository: str
    workflow: str  # the file name, e.g. release.yml
    environment: str | None = None


@dataclass
class StepResult:
    name: str
    id: str | None
    outcome: str  # success | failure | skipped
    conclusion: str
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    summary: str = ""
    seconds: float = 0.0


@dataclass
class JobResult:
    job_id: str
    name: str
    matrix: dict[str, Any]
    concurrency: dict[str, Any] | None
    permissions: Any
    status: str  # success | failure | skipped
    steps: list[StepResult] = field(default_factory=list)
    workspace: Path | None = None
    environment: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)

    def step(self, key: str) -> StepResult:
        for step in self.steps:
            if key in (step.id, step.name):
                return step
        raise KeyError(f"no step {key!r} in job {self.job_id}: {[s.name for s in self.steps]}")

    @property
    def summary(self) -> str:
        return "".join(step.summary for step in self.steps)

    @property
    def stdout(self) -> str:
        return "".join(step.stdout for step in self.steps)

    @property
    def annotations(self) -> list[dict[str, str]]:
        return annotations(self.stdout)


@dataclass
class RunResult:
    jobs: list[JobResult]
    # each attestation: {"job", "subjects": [{"name", "digest": {"sha256"}}], ...}
    attestations: list[dict[str, Any]] = field(default_factory=list)
    # each file uploaded to the package index: {"job", "file", "sha256", ...}
    uploads: list[dict[str, Any]] = field(default_factory=list)
    artifacts: Path | None = None  # the run's artifacts, one folder per name

    def job(self, job_id: str, **matrix: Any) -> JobResult:
        found = [
            j for j in self.jobs
            if j.job_id == job_id and all(j.matrix.get(k) == v for k, v in matrix.items())
        ]  # fmt: skip
        if len(found) != 1:
            raise KeyError(f"{len(found)} jobs {job_id} {matrix}")
        return found[0]

    def explain(self) -> str:
        """Every step's output, for assertion messages."""
        parts = []
        for job in self.jobs:
            parts.append(f"== job {job.name} ({job.status})")
            for step in job.steps:
                parts.append(f"-- {step.name}: {step.outcome} ({step.returncode},"
                             f" {step.seconds:.1f} s)")  # fmt: skip
                parts.append(step.stdout + step.stderr)
        return "\n".join(parts)


class Runner:
    """Runs one workflow file against a bare repository standing in for GitHub."""

    def __init__(
        self,
        workflow: Path,
        *,
        origin: Path,
        workdir: Path,
        env: dict[str, str],
        real_python: bool = False,
        package_index: Path | None = None,
        publisher: TrustedPublisher | None = None,
        step_timeout: float = STEP_TIMEOUT,
        parallel_matrix: bool = False,
    ):
        self.path = workflow
        self.workflow = load(workflow)
        self.origin = origin
        self.workdir = workdir
        self.env = env  # the runner machine's environment (SMMGEN_AT, ...)
        self.real_python = real_python
        self.package_index = package_index
        self.publisher = publisher
        self.step_timeout = step_timeout
        self.parallel_matrix = parallel_matrix  # a matrix's jobs side by side, as on GitHub
        self.tools = workdir / "tools"
        self.gh_state = workdir / "gh-state.json"
        self.pip_log = workdir / "pip.log"
        self.runs = 0
        self._run: RunResult | None = None
        self._tools()

    def _tools(self) -> None:
        self.tools.mkdir(parents=True, exist_ok=True)
        python = sys.executable
        scripts = {"gh": f'#!/bin/sh\nexec "{python}" "{HERE / "fake_gh.py"}" "$@"\n'}
        if not self.real_python:
            scripts["python"] = (
                "#!/bin/sh\n"
                'if [ "$1" = -m ] && [ "$2" = pip ]; then\n'
                f'  printf "%s\\n" "$*" >> "{self.pip_log}"\n'
                "  exit 0\n"
                "fi\n"
                f'exec "{python}" "$@"\n'
            )
        for name, text in scripts.items():
            path = self.tools / name
            path.write_text(text, encoding="utf-8")
            path.chmod(path.stat().st_mode | stat.S_IXUSR)

    # -- state of the GitHub stand-in ----------------------------------------
    def gh(self) -> dict[str, Any]:
        return json.loads(self.gh_state.read_text(encoding="utf-8"))

    def set_gh(self, state: dict[str, Any]) -> None:
        self.gh_state.write_text(json.dumps(state, indent=2), encoding="utf-8")

    # -- a run -----------------------------------------------------------------
    def run(
        self,
        event_name: str,
        event: dict[str, Any],
        *,
        ref: str,
        base_ref: str = "",
        head_ref: str = "",
        inputs: dict[str, Any] | None = None,
        secrets: dict[str, str] | None = None,
        variables: dict[str, str] | None = None,
        token: str = "ghs_fake-token-for-the-workflow-0123",
    ) -> RunResult:
        triggers = self.workflow["on"]
        if event_name not in (triggers if isinstance(triggers, dict) else [triggers]):
            raise ValueError(f"{self.path.name} does not run on {event_name}")
        if event_name == "push" and isinstance(triggers, dict):
            _check_push_filter(triggers.get("push"), ref, self.path.name)
        self.runs += 1
        sha = _git(self.origin, "rev-parse", f"{ref}^{{commit}}")
        github = {
            "event_name": event_name,
            "event": event,
            "ref": ref,
            "ref_name": re.sub(r"^refs/(heads|tags|pull)/", "", ref),
            "ref_type": "tag" if ref.startswith("refs/tags/") else "branch",
            "sha": sha,
            "base_ref": base_ref,
            "head_ref": head_ref,
            "repository": REPOSITORY,
            "repository_owner": REPOSITORY.split("/")[0],
            "token": token,
            "workflow": self.workflow.get("name", self.path.name),
            "workflow_ref": f"{REPOSITORY}/.github/workflows/{self.path.name}@{ref}",
            "server_url": "https://github.com",
            "api_url": "https://api.github.com",
            "run_id": str(1000 + self.runs),
            "run_number": str(self.runs),
            "actor": "octocat",
            "job": "",
        }
        context: dict[str, Any] = {
            "github": github,
            "inputs": dict(inputs or {}),
            "secrets": {"GITHUB_TOKEN": token, **(secrets or {})},
            "vars": dict(variables or {}),
            "needs": {},
            "matrix": {},
            "strategy": {},
            "env": {},
            "steps": {},
            "job": {},
            "runner": {"os": "Linux", "arch": "X64", "temp": "", "name": "harness"},
        }
        base = self.workdir / f"run-{self.runs}"
        base.mkdir()
        (base / "event.json").write_text(json.dumps(event), encoding="utf-8")
        self._run = run = RunResult([], artifacts=base / "artifacts")
        jobs = self.workflow["jobs"]
        finished: dict[str, dict[str, Any]] = {}  # the `needs` context of each job run
        for job_id in self._order():
            job = jobs[job_id]
            if "uses" in job:
                raise NotImplementedError("reusable workflows are not emulated")
            needs = _needs(job)
            results = [finished[need]["result"] for need in needs]
            status = {
                "success": all(r == "success" for r in results),
                "failure": "failure" in results,
                "cancelled": False,
                "always": True,
            }
            job_context = context | {"needs": {need: finished[need] for need in needs}}
            if not condition(job.get("if"), job_context, status):
                run.jobs.append(JobResult(job_id, job.get("name", job_id), {}, None,
                                          job.get("permissions"), "skipped"))  # fmt: skip
                finished[job_id] = {"result": "skipped", "outputs": {}}
                continue
            matrices = self._matrix(job, job_context)
            with ThreadPoolExecutor(len(matrices) if self.parallel_matrix else 1) as pool:
                futures = [pool.submit(self._job, job_id, job, job_context | {"matrix": m}, base)
                           for m in matrices]  # fmt: skip
                legs = [future.result() for future in futures]
            run.jobs.extend(legs)
            outputs: dict[str, str] = {}
            for leg in legs:
                outputs |= {k: v for k, v in leg.outputs.items() if v}
            failed = any(leg.status == "failure" for leg in legs)
            finished[job_id] = {"result": "failure" if failed else "success", "outputs": outputs}
        self._run = None
        return run

    def _order(self) -> list[str]:
        """The jobs in an order their ``needs:`` allow, else in the file's order."""
        jobs = self.workflow["jobs"]
        order: list[str] = []
        while len(order) < len(jobs):
            ready = [job_id for job_id, job in jobs.items()
                     if job_id not in order and set(_needs(job)) <= set(order)]  # fmt: skip
            if not ready:
                waiting = {j: _needs(job) for j, job in jobs.items() if j not in order}
                raise ValueError(
                    f"needs: that cannot be met (a cycle or an unknown job): {waiting}"
                )
            order.append(ready[0])
        return order

    def _matrix(self, job: dict[str, Any], context: dict[str, Any]) -> list[dict[str, Any]]:
        spec = (job.get("strategy") or {}).get("matrix")
        if spec is None:
            return [{}]
        spec = interpolate(spec, context)
        if not isinstance(spec, dict) or {"include", "exclude"} & set(spec):
            raise NotImplementedError(f"matrix {spec!r}")
        axes = {}
        for key, values in spec.items():
            values = interpolate(values, context)
            if not isinstance(values, list) or not values:
                raise ValueError(f"matrix axis {key} is {values!r}, not a non-empty list")
            axes[key] = values
        return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]

    def _job(
        self, job_id: str, job: dict[str, Any], context: dict[str, Any], base: Path
    ) -> JobResult:
        label = job_id + "".join(f"-{v}" for v in context["matrix"].values() if v)
        home = base / label
        workspace, temp = home / "workspace", home / "temp"
        for directory in (workspace, temp, home / "home", home / "files"):
            directory.mkdir(parents=True)
        context = context | {"steps": {}, "runner": context["runner"] | {"temp": str(temp)}}
        context["github"] = context["github"] | {"job": job_id, "workspace": str(workspace)}
        env = {k: to_string(interpolate(v, context)) for k, v in
               (self.workflow.get("env") or {}).items()}  # fmt: skip
        context["env"] = dict(env)
        env |= {k: to_string(interpolate(v, context)) for k, v in (job.get("env") or {}).items()}
        context["env"] = dict(env)
        concurrency = job.get("concurrency")
        if isinstance(concurrency, dict):
            concurrency = {k: interpolate(v, context) for k, v in concurrency.items()}
        environment = interpolate(job.get("environment"), context)
        if isinstance(environment, dict):
            environment = interpolate(environment.get("name"), context)
        result = JobResult(
            job_id=job_id,
            name=to_string(interpolate(job.get("name", job_id), context)),
            matrix=context["matrix"],
            concurrency=concurrency,
            permissions=job.get("permissions", self.workflow.get("permissions")),
            status="success",
            workspace=workspace,
            environment=to_string(environment) if environment else None,
        )
        extra_env: dict[str, str] = {}
        extra_path: list[str] = []
        failed = False
        for number, step in enumerate(job["steps"]):
            name = step.get("name") or step.get("uses") or str(step.get("run", ""))[:40]
            context["env"] = env | extra_env
            if not condition(step.get("if"), context, _status(failed)):
                outcome = StepResult(name, step.get("id"), "skipped", "skipped")
                if step.get("id"):
                    context["steps"][step["id"]] = {
                        "outcome": "skipped", "conclusion": "skipped", "outputs": {}
                    }  # fmt: skip
            else:
                step_env = {k: to_string(interpolate(v, context)) for k, v in
                            (step.get("env") or {}).items()}  # fmt: skip
                shell = step.get("shell") or _shell(job) or _shell(self.workflow)
                outcome = self._step(step | {"shell": shell}, name, number, context, home,
                                     env | extra_env | step_env, extra_path,
                                     result)  # fmt: skip
                files = home / "files"
                extra_env |= _key_values(files / f"env-{number}")
                extra_path = (files / f"path-{number}").read_text(
                    encoding="utf-8").split() + extra_path  # fmt: skip
                outputs = _key_values(files / f"output-{number}")
                if outcome.outcome == "failure" and not step.get("continue-on-error"):
                    failed = True
                else:
                    outcome.conclusion = "success"
                if step.get("id"):
                    context["steps"][step["id"]] = {
                        "outcome": outcome.outcome,
                        "conclusion": outcome.conclusion,
                        "outputs": outputs,
                    }
            result.steps.append(outcome)
        result.status = "failure" if failed else "success"
        result.outputs = {k: to_string(interpolate(v, context)) for k, v in
                          (job.get("outputs") or {}).items()}  # fmt: skip
        return result

    def _step(
        self,
        step: dict[str, Any],
        name: str,
        number: int,
        context: dict[str, Any],
        home: Path,
        env: dict[str, str],
        extra_path: list[str],
        job: JobResult,
    ) -> StepResult:
        started = time.monotonic()
        workspace, temp, files = home / "workspace", home / "temp", home / "files"
        for kind in ("env", "output", "path", "summary"):
            (files / f"{kind}-{number}").write_text("", encoding="utf-8")
        github = context["github"]
        process_env = _machine_env(self.env, home / "home")
        if self.real_python:
            # the steps' python is the one setup-python put on PATH, never this test run's
            mine = {str(Path(sys.executable).parent), str(Path(sys.prefix) / "bin")}
            inherited = [p for p in process_env["PATH"].split(os.pathsep) if p not in mine]
            process_env["PATH"] = os.pathsep.join([*extra_path, str(self.tools), *inherited])
            process_env.setdefault("PIP_CACHE_DIR", str(self.workdir / "pip-cache"))
        else:
            process_env["PATH"] = os.pathsep.join(
                [*extra_path, str(self.tools), str(Path(sys.executable).parent),
                 process_env["PATH"]]
            )  # fmt: skip
        process_env |= {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_REPOSITORY": github["repository"],
            "GITHUB_REPOSITORY_OWNER": github["repository_owner"],
            "GITHUB_EVENT_NAME": github["event_name"],
            "GITHUB_EVENT_PATH": str(home.parent / "event.json"),
            "GITHUB_REF": github["ref"],
            "GITHUB_REF_NAME": github["ref_name"],
            "GITHUB_REF_TYPE": github["ref_type"],
            "GITHUB_SHA": github["sha"],
            "GITHUB_BASE_REF": github["base_ref"],
            "GITHUB_HEAD_REF": github["head_ref"],
            "GITHUB_SERVER_URL": github["server_url"],
            "GITHUB_API_URL": github["api_url"],
            "GITHUB_RUN_ID": github["run_id"],
            "GITHUB_WORKFLOW": github["workflow"],
            "GITHUB_WORKFLOW_REF": github["workflow_ref"],
            "GITHUB_JOB": github["job"],
            "GITHUB_ACTOR": github["actor"],
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(temp),
            "GITHUB_ENV": str(files / f"env-{number}"),
            "GITHUB_OUTPUT": str(files / f"output-{number}"),
            "GITHUB_PATH": str(files / f"path-{number}"),
            "GITHUB_STEP_SUMMARY": str(files / f"summary-{number}"),
            "FAKE_GH_STATE": str(self.gh_state),
        }
        process_env |= env
        if "uses" in step:
            returncode, stdout, stderr = self._action(step, context, home, job, number)
        else:
            shells = {None: ["bash", "-e"], "bash": ["bash", "--noprofile", "--norc", "-eo",
                                                   "pipefail"]}  # fmt: skip
            if step["shell"] not in shells:
                raise NotImplementedError(f"shell {step['shell']}")
            script = temp / f"step-{number}.sh"
            script.write_text(step["run"], encoding="utf-8")
            done = subprocess.run(
                [*shells[step["shell"]], str(script)],
                cwd=workspace / step.get("working-directory", "."),
                env=process_env, capture_output=True, text=True, timeout=self.step_timeout,
                check=False,
            )  # fmt: skip
            returncode, stdout, stderr = done.returncode, done.stdout, done.stderr
        outcome = "success" if returncode == 0 else "failure"
        return StepResult(
            name, step.get("id"), outcome, outcome, returncode, stdout, stderr,
            (files / f"summary-{number}").read_text(encoding="utf-8"),
            time.monotonic() - started,
        )  # fmt: skip

    def _action(
        self, step: dict[str, Any], context: dict[str, Any], home: Path, job: JobResult,
        number: int,
    ) -> tuple[int, str, str]:  # fmt: skip
        uses = step["uses"]
        if not PINNED.match(uses):
            raise AssertionError(f"{uses} is not pinned to a full commit SHA")
        action = uses.split("@")[0]
        options = {k: interpolate(v, context) for k, v in (step.get("with") or {}).items()}
        workspace = home / "workspace"
        files = home / "files"
        output, github_path = files / f"output-{number}", files / f"path-{number}"
        if action == "actions/checkout":
            return self._checkout(options, context["github"], workspace)
        if action == "actions/setup-python":
            version = str(options["python-version"])
            wanted = tuple(int(p) for p in version.split(".")[:2])
            if wanted < (3, 11):
                return 1, "", f"smmgen needs Python 3.11+, the workflow asks for {wanted}"
            if not self.real_python:
                return 0, f"(harness) using {sys.executable} for Python {wanted}\n", ""
            return _setup_python(version, home / "python", output, github_path)
        if action == "actions/upload-artifact":
            return self._upload_artifact(options, workspace, output)
        if action == "actions/download-artifact":
            return self._download_artifact(options, workspace, output)
        if action == "actions/attest-build-provenance":
            return self._attest(options, context["github"], workspace, job, output)
        if action == "pypa/gh-action-pypi-publish":
            return self._publish(options, context["github"], workspace, job)
        raise NotImplementedError(f"the harness does not emulate {action}")

    def _checkout(
        self, options: dict[str, Any], github: dict[str, Any], workspace: Path
    ) -> tuple[int, str, str]:
        """What actions/checkout does, against the bare repository."""
        ref = options.get("ref") or github["ref"]
        depth = int(options.get("fetch-depth", 1))
        url = self.origin.resolve().as_uri()
        _git(workspace, "init", "--quiet")
        _git(workspace, "remote", "add", "origin", url)
        if ref.startswith("refs/heads/"):
            local = "refs/remotes/origin/" + ref.removeprefix("refs/heads/")
        elif ref.startswith("refs/pull/"):
            local = "refs/remotes/pull/" + ref.removeprefix("refs/pull/")
        elif ref.startswith("refs/tags/"):
            local = ref
        else:
            raise NotImplementedError(f"checkout of {ref}")
        if depth == 0:
            _git(workspace, "fetch", "--quiet", "--prune", "origin",
                 "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")  # fmt: skip
            _git(workspace, "fetch", "--quiet", "origin", f"+{ref}:{local}")
        else:
            _git(workspace, "fetch", "--quiet", "--no-tags", f"--depth={depth}", "origin",
                 f"+{ref}:{local}")  # fmt: skip
        if ref.startswith("refs/heads/"):
            _git(workspace, "checkout", "--quiet", "--force", "-B",
                 ref.removeprefix("refs/heads/"), local)  # fmt: skip
        else:
            _git(workspace, "checkout", "--quiet", "--force", "--detach", local)
        head = _git(workspace, "rev-parse", "HEAD")
        if head != github["sha"]:
            return 1, "", f"checked out {head}, expected {github['sha']}"
        return 0, f"(harness) checked out {ref} at {head[:12]} (fetch-depth {depth})\n", ""

    # -- artifacts: one folder per name in the run's folder ---------------------
    def _artifacts(self) -> Path:
        assert self._run is not None
        assert self._run.artifacts is not None
        return self._run.artifacts

    def _upload_artifact(
        self, options: dict[str, Any], workspace: Path, output: Path
    ) -> tuple[int, str, str]:
        """actions/upload-artifact: the files the paths match, relative to the
        folder the paths share (a folder's contents; a file alone)."""
        name = to_string(options.get("name") or "artifact")
        if not _flag(options.get("archive"), True):
            raise NotImplementedError("upload-artifact with archive: false")
        entries = [e.strip() for e in to_string(options.get("path")).splitlines() if e.strip()]
        if not entries:
            return 1, "", "Input required and not supplied: path\n"
        hidden = _flag(options.get("include-hidden-files"), False)
        found: set[Path] = set()
        searched: list[Path] = []
        for entry in entries:
            if entry.startswith("!"):
                raise NotImplementedError("upload-artifact exclude patterns")
            pattern = workspace / os.path.expanduser(entry)
            fixed = list(itertools.takewhile(lambda part: not set(part) & set("*?["),
                                             pattern.parts))  # fmt: skip
            searched.append(Path(*fixed))
            if len(fixed) < len(pattern.parts):
                matches = [Path(m) for m in glob.glob(str(pattern), recursive=True)]
            else:
                matches = [pattern] if pattern.exists() else []
            for match in matches:
                found |= {f for f in match.rglob("*") if f.is_file()} if match.is_dir() else {match}
        if len(searched) == 1:
            root = searched[0] if searched[0].is_dir() else searched[0].parent
        else:
            root = Path(os.path.commonpath(searched))
        if not hidden:
            found = {f for f in found if not any(
                p.startswith(".") for p in f.relative_to(root).parts)}  # fmt: skip
        if not found:
            message = (f"No files were found with the provided path: {chr(10).join(entries)}."
                       " No artifacts will be uploaded.")  # fmt: skip
            level = to_string(options.get("if-no-files-found") or "warn")
            if level == "error":
                return 1, f"::error::{message}\n", ""
            return 0, (f"::warning::{message}\n" if level == "warn" else ""), ""
        target = self._artifacts() / name
        if target.exists():
            if not _flag(options.get("overwrite"), False):
                return _refused(
                    "Failed to CreateArtifact: Received non-retryable error: Failed request:"
                    " (409) Conflict: an artifact with this name already exists on the"
                    " workflow run"
                )
            shutil.rmtree(target)
        digest = hashlib.sha256()
        for path in sorted(found):
            relative = path.relative_to(root)
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)
            digest.update(f"{relative}\0".encode() + path.read_bytes())
        ident = len(list(self._artifacts().iterdir()))
        with output.open("a", encoding="utf-8") as out:
            out.write(f"artifact-id={ident}\nartifact-digest={digest.hexdigest()}\n")
        listing = "".join(f"  {p.relative_to(root)}\n" for p in sorted(found))
        return 0, f"(harness) artifact {name}: {len(found)} files\n{listing}", ""

    def _download_artifact(
        self, options: dict[str, Any], workspace: Path, output: Path
    ) -> tuple[int, str, str]:
        """actions/download-artifact, from this run: one by name, or all of them."""
        if {"artifact-ids", "pattern", "github-token", "run-id"} & {
            k for k, v in options.items() if v not in (None, "")
        }:
            raise NotImplementedError(f"download-artifact with {sorted(options)}")
        path = to_string(options.get("path"))
        target = workspace / os.path.expanduser(path) if path else workspace
        name = to_string(options.get("name"))
        artifacts = self._artifacts()
        if name:
            if not (artifacts / name).is_dir():
                return _refused(
                    f"Unable to download artifact(s): Artifact not found for name: {name}"
                )
            shutil.copytree(artifacts / name, target, dirs_exist_ok=True)
        else:
            merge = _flag(options.get("merge-multiple"), False)
            for each in sorted(artifacts.iterdir()) if artifacts.is_dir() else []:
                shutil.copytree(each, target if merge else target / each.name, dirs_exist_ok=True)
        with output.open("a", encoding="utf-8") as out:
            out.write(f"download-path={target}\n")
        return 0, f"(harness) downloaded {name or 'every artifact'} to {target}\n", ""

    # -- publishing ---------------------------------------------------------------
    def _attest(
        self, options: dict[str, Any], github: dict[str, Any], workspace: Path, job: JobResult,
        output: Path,
    ) -> tuple[int, str, str]:  # fmt: skip
        """actions/attest-build-provenance with subject-path: a SLSA provenance
        statement about each file, signed with the job's OIDC identity."""
        if {"subject-digest", "subject-checksums", "predicate", "predicate-path"} & set(options):
            raise NotImplementedError("attest-build-provenance without subject-path")
        if not _granted(job.permissions, "id-token"):
            return _refused(
                "Error: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable"
                " (the job needs `permissions: id-token: write`)"
            )
        if not _granted(job.permissions, "attestations"):
            return _refused(
                "Error: Failed to persist attestation: Resource not accessible by integration"
                " (the job needs `permissions: attestations: write`)"
            )
        patterns = [p.strip() for p in re.split(r"[\n,]", to_string(options.get("subject-path")))
                    if p.strip()]  # fmt: skip
        if not patterns:
            return 1, "", "Error: One of subject-path, subject-digest or subject-checksums ...\n"
        subjects = []
        for pattern in patterns:
            matches = sorted(Path(m) for m in glob.glob(str(workspace / pattern), recursive=True))
            matches = [m for m in matches if m.is_file()]
            if not matches:
                return 1, "", f"Error: Could not find subject at path {pattern}\n"
            subjects += [{"name": m.name, "digest": {"sha256": _sha256(m)}} for m in matches]
        statement = {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": subjects,
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {
                "workflow": github["workflow_ref"],
                "sha": github["sha"],
                "ref": github["ref"],
                "job": job.job_id,
            },
        }
        assert self._run is not None
        self._run.attestations.append({"job": job.job_id, "subjects": subjects,
                                       "statement": statement})  # fmt: skip
        ident = len(self._run.attestations)
        bundle = workspace.parent / "temp" / f"attestation-{ident}.json"
        bundle.write_text(json.dumps(statement, indent=2), encoding="utf-8")
        with output.open("a", encoding="utf-8") as out:
            out.write(f"bundle-path={bundle}\nattestation-id={ident}\n"
                      f"attestation-url={github['server_url']}/{github['repository']}"
                      f"/attestations/{ident}\n")  # fmt: skip
        names = "".join(f"  {s['name']} sha256:{s['digest']['sha256']}\n" for s in subjects)
        return 0, f"(harness) attested the build provenance of\n{names}", ""

    def _publish(
        self, options: dict[str, Any], github: dict[str, Any], workspace: Path, job: JobResult
    ) -> tuple[int, str, str]:
        """pypa/gh-action-pypi-publish by trusted publishing, into the local
        package index folder."""
        given = {k for k, v in options.items() if v not in (None, "")}
        if {"user", "password"} & given:
            return _refused(
                "(harness) the package index takes trusted publishing only: remove the"
                " user and password inputs (no token is stored; the job's OIDC token is"
                " exchanged for a short-lived upload token)"
            )
        if {"repository-url", "repository_url"} & given:
            return 1, "", "(harness) repository-url: only the local package index is emulated\n"
        if not _granted(job.permissions, "id-token"):
            return _refused(
                "Trusted publishing exchange failure: OpenID Connect token retrieval failed:"
                " the job has no `id-token: write` permission"
            )
        if self.package_index is None:
            raise AssertionError("the Runner was given no package_index to publish to")
        claims = {"repository": github["repository"], "workflow": self.path.name,
                  "environment": job.environment}  # fmt: skip
        publisher = self.publisher
        if publisher is None or (publisher.repository, publisher.workflow) != (
            claims["repository"], claims["workflow"]
        ) or publisher.environment not in (None, job.environment):  # fmt: skip
            return _refused(
                "Trusted publishing exchange failure: `invalid-publisher`: valid token, but no"
                f" corresponding publisher (claims: {json.dumps(claims)})"
            )
        folder = workspace / to_string(options.get("packages-dir") or
                                       options.get("packages_dir") or "dist")  # fmt: skip
        dists = sorted(folder.iterdir()) if folder.is_dir() else []
        if not dists:
            return 1, "", f"(harness) {folder} does not exist or is empty\n"
        for dist in dists:
            if not (dist.is_file() and re.search(r"\.(whl|tar\.gz)$", dist.name)):
                return 1, "", f"InvalidDistribution: Unknown distribution format: '{dist.name}'\n"
        log = []
        if _flag(options.get("verify-metadata"), True):
            done = subprocess.run(
                [sys.executable, "-m", "twine", "check", *map(str, dists)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            log.append(done.stdout + done.stderr)
            if done.returncode != 0:
                return 1, "".join(log), "metadata check failed\n"
        skip = _flag(options.get("skip-existing"), False)
        attested = _flag(options.get("attestations"), True)
        assert self._run is not None
        self.package_index.mkdir(parents=True, exist_ok=True)
        for dist in dists:
            target = self.package_index / dist.name
            if target.exists():
                if skip:
                    log.append(f"Skipping {dist.name} because it appears to already exist\n")
                    continue
                return _refused(
                    f"ERROR HTTPError: 400 Bad Request: File already exists ('{dist.name}')."
                    " A file name can be used only once.",
                    "".join(log),
                )
            shutil.copy2(dist, target)
            digest = _sha256(dist)
            self._run.uploads.append({"job": job.job_id, "file": dist.name, "sha256": digest,
                                      "attested": attested, "claims": claims})  # fmt: skip
            if _flag(options.get("print-hash"), False):
                log.append(f"{dist.name} SHA256: {digest}\n")
            log.append(f"(harness) uploaded {dist.name}\n")
        return 0, "".join(log), ""


def find_python(version: str) -> str | None:
    """An interpreter of Python ``version`` (X.Y) on this machine: ``pythonX.Y``
    on PATH, pyenv's or uv's (``uv python install X.Y`` adds one)."""
    return _find_python(version, os.environ.get("PATH", ""))


@functools.cache
def _find_python(version: str, path: str) -> str | None:
    mine = {str(Path(sys.executable).parent), str(Path(sys.prefix) / "bin")}
    candidates = [str(Path(d) / f"python{version}") for d in path.split(os.pathsep)
                  if d and d not in mine]  # fmt: skip
    pyenv = shutil.which("pyenv", path=path)
    if pyenv:
        latest = _output([pyenv, "latest", version])
        prefix = _output([pyenv, "prefix", latest]) if latest else ""
        if prefix:
            candidates.append(str(Path(prefix) / "bin" / f"python{version}"))
    uv = shutil.which("uv", path=path) or shutil.which("uv", path=str(Path(sys.executable).parent))
    if uv:
        found = _output([uv, "python", "find", "--system", "--no-project", version])
        if found:
            candidates.append(found)
    for candidate in candidates:
        if os.access(candidate, os.X_OK) and _output(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
        ) == version:  # fmt: skip
            return candidate
    return None


def _output(command: list[str]) -> str:
    """What a command prints, or "" if it fails."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _setup_python(
    version: str, venv: Path, output: Path, github_path: Path
) -> tuple[int, str, str]:
    """actions/setup-python, for real: a fresh virtual environment of that
    version, first on PATH for the job's later steps."""
    interpreter = find_python(version)
    if interpreter is None:
        return _refused(
            f"(harness) no Python {version} on this machine: install it (pyenv install"
            f" {version}, uv python install {version} or the system's python{version})"
        )
    done = subprocess.run([interpreter, "-m", "venv", str(venv)], capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        return done.returncode, done.stdout, done.stderr
    python = venv / "bin" / "python"
    full = _output([str(python), "-c", "import platform; print(platform.python_version())"])
    github_path.write_text(f"{venv / 'bin'}\n", encoding="utf-8")
    with output.open("a", encoding="utf-8") as out:
        out.write(f"python-version={full}\npython-path={python}\n")
    return 0, f"(harness) Python {full} in a fresh environment {venv} (from {interpreter})\n", ""


def _refused(message: str, stdout: str = "") -> tuple[int, str, str]:
    """A failed action: exit status 1, ``message`` on stderr."""
    return 1, stdout, message + "\n"


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def _check_push_filter(spec: Any, ref: str, workflow: str) -> None:
    """Raise ValueError unless a push of ``ref`` runs the workflow
    (``branches:``/``tags:`` with ``*`` and ``**``)."""
    if not isinstance(spec, dict):
        return
    if {"branches-ignore", "tags-ignore", "paths", "paths-ignore"} & set(spec):
        raise NotImplementedError(f"push filters {sorted(spec)}")
    kind = "tags" if ref.startswith("refs/tags/") else "branches"
    name = re.sub(r"^refs/(heads|tags)/", "", ref)
    if kind not in spec:
        if ({"tags", "branches"} - {kind}) & set(spec):
            raise ValueError(f"{workflow} does not run on a push of {ref}")
        return
    for pattern in spec[kind]:
        if set(pattern) & set("?+[]!"):
            raise NotImplementedError(f"filter pattern {pattern!r}")
        regex = "".join(
            ".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part)
            for part in re.split(r"(\*\*|\*)", pattern)
        )
        if re.fullmatch(regex, name):
            return
    raise ValueError(f"{workflow} does not run on a push of {ref}")


def _granted(permissions: Any, scope: str) -> bool:
    """Whether a job's ``permissions:`` give the token ``scope: write``."""
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and permissions.get(scope) == "write"


def _flag(value: Any, default: bool) -> bool:
    """An action's boolean input (true/false, any case; unset is the default)."""
    if value is None or value == "":
        return default
    return to_string(value).strip().lower() == "true"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shell(where: dict[str, Any]) -> str | None:
    """``defaults.run.shell`` of a workflow or job."""
    shell = ((where.get("defaults") or {}).get("run") or {}).get("shell")
    return str(shell) if shell else None


def _status(failed: bool) -> dict[str, bool]:
    return {"success": not failed, "failure": failed, "cancelled": False, "always": True}


def _machine_env(given: dict[str, str], home: Path) -> dict[str, str]:
    """This machine's environment without anything GitHub, git or smmgen
    would read from it, plus the runner's own settings (``given``)."""
    dropped = ("GITHUB_", "GH_", "RUNNER_", "SMMGEN_", "GIT_", "ACTIONS_", "CI")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.pop("VIRTUAL_ENV", None)
    env["HOME"] = str(home)
    env |= given
    return env


def _key_values(path: Path) -> dict[str, str]:
    """``GITHUB_ENV``/``GITHUB_OUTPUT`` lines: ``KEY=value`` or ``KEY<<DELIM``."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body = []
            while lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            index += 1
            values[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull},
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {cwd}: {done.stderr.strip()}")
    return done.stdout.strip()
