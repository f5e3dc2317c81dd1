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

``uses:`` steps are emulated: ``actions/checkout`` fetches from the local
bare repository standing in for GitHub the way the action does (every
branch with ``fetch-depth: 0``, else the ref at that depth; a pull request's
``refs/pull/N/merge``) and checks out ``github.sha``; ``actions/setup-python``
does nothing (this interpreter's directory is on PATH). Any other action is
an error. Stand-ins on PATH: ``gh`` (:mod:`fake_gh`) and a ``python`` that
logs ``python -m pip ...`` instead of installing (smmgen is already
installed here) and runs everything else with this interpreter.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import stat
import subprocess
import sys
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
                parts.append(f"-- {step.name}: {step.outcome} ({step.returncode})")
                parts.append(step.stdout + step.stderr)
        return "\n".join(parts)


class Runner:
    """Runs one workflow file against a bare repository standing in for GitHub."""

    def __init__(self, workflow: Path, *, origin: Path, workdir: Path, env: dict[str, str]):
        self.path = workflow
        self.workflow = load(workflow)
        self.origin = origin
        self.workdir = workdir
        self.env = env  # the runner machine's environment (SMMGEN_AT, ...)
        self.tools = workdir / "tools"
        self.gh_state = workdir / "gh-state.json"
        self.pip_log = workdir / "pip.log"
        self.runs = 0
        self._tools()

    def _tools(self) -> None:
        self.tools.mkdir(parents=True, exist_ok=True)
        python = sys.executable
        scripts = {
            "gh": f'#!/bin/sh\nexec "{python}" "{HERE / "fake_gh.py"}" "$@"\n',
            "python": (
                "#!/bin/sh\n"
                'if [ "$1" = -m ] && [ "$2" = pip ]; then\n'
                f'  printf "%s\\n" "$*" >> "{self.pip_log}"\n'
                "  exit 0\n"
                "fi\n"
                f'exec "{python}" "$@"\n'
            ),
        }
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
        self.runs += 1
        sha = _git(self.origin, "rev-parse", ref)
        github = {
            "event_name": event_name,
            "event": event,
            "ref": ref,
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
        results = []
        for job_id, job in self.workflow["jobs"].items():
            if "needs" in job or "uses" in job:
                raise NotImplementedError("needs: and reusable workflows are not emulated")
            if not condition(job.get("if"), context, _status(False)):
                results.append(JobResult(job_id, job.get("name", job_id), {}, None,
                                         job.get("permissions"), "skipped"))  # fmt: skip
                continue
            for matrix in self._matrix(job, context):
                results.append(self._job(job_id, job, context | {"matrix": matrix}, base))
        return RunResult(results)

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
        result = JobResult(
            job_id=job_id,
            name=to_string(interpolate(job.get("name", job_id), context)),
            matrix=context["matrix"],
            concurrency=concurrency,
            permissions=job.get("permissions", self.workflow.get("permissions")),
            status="success",
            workspace=workspace,
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
                                     env | extra_env | step_env, extra_path)  # fmt: skip
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
    ) -> StepResult:
        workspace, temp, files = home / "workspace", home / "temp", home / "files"
        for kind in ("env", "output", "path", "summary"):
            (files / f"{kind}-{number}").write_text("", encoding="utf-8")
        github = context["github"]
        process_env = _machine_env(self.env, home / "home")
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
            returncode, stdout, stderr = self._action(step, context, workspace)
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
                env=process_env, capture_output=True, text=True, timeout=STEP_TIMEOUT,
                check=False,
            )  # fmt: skip
            returncode, stdout, stderr = done.returncode, done.stdout, done.stderr
        outcome = "success" if returncode == 0 else "failure"
        return StepResult(
            name, step.get("id"), outcome, outcome, returncode, stdout, stderr,
            (files / f"summary-{number}").read_text(encoding="utf-8"),
        )  # fmt: skip

    def _action(
        self, step: dict[str, Any], context: dict[str, Any], workspace: Path
    ) -> tuple[int, str, str]:
        uses = step["uses"]
        if not PINNED.match(uses):
            raise AssertionError(f"{uses} is not pinned to a full commit SHA")
        action = uses.split("@")[0]
        options = {k: interpolate(v, context) for k, v in (step.get("with") or {}).items()}
        if action == "actions/checkout":
            return self._checkout(options, context["github"], workspace)
        if action == "actions/setup-python":
            wanted = tuple(int(p) for p in str(options["python-version"]).split(".")[:2])
            if wanted < (3, 11):
                return 1, "", f"smmgen needs Python 3.11+, the workflow asks for {wanted}"
            return 0, f"(harness) using {sys.executable} for Python {wanted}\n", ""
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
