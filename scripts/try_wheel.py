"""Install a built smmgen wheel into a fresh virtual environment and use it.

    python scripts/try_wheel.py dist/                       # the one smmgen-*.whl in dist/
    python scripts/try_wheel.py dist/smmgen-1.0-py3-none-any.whl
    python scripts/try_wheel.py dist/ --no-index --find-links wheels/   # offline

What a user gets from `pip install smmgen`, tried before a release: in a new
temporary directory outside the repository this makes a virtual environment
with the interpreter running the script (never editable, never the
checkout's own environment) and pip-installs the wheel, its dependencies
from pip's configured index, or from ``--find-links`` folders (only those,
with ``--no-index``). Then, from an empty working directory and with no
PYTHONPATH, no SMMGEN_* variable and nothing else pointing at the checkout,
it runs the environment's own ``smmgen``:

- ``smmgen --version`` prints the wheel's version (from its file name), and
  ``import smmgen`` loads the package from the environment;
- ``smmgen init new --timezone UTC``, then in the new project ``check``,
  ``plan``, ``preview``, ``publish --dry-run`` and ``build``;
- on a copy of the example content (``--example DIR``, default: the
  repository this script is in; only channels.yaml, calendar.yaml, content/,
  media/ and templates/), made a git repository whose last commit adds the
  posts: ``check``, ``plan``, ``ledger init``, ``preview --changed-since
  HEAD~1`` (the posts as a pull request adds them), ``publish --dry-run`` and
  ``build``, each judged as of a fixed time (``--at``), so that the run does
  not depend on today's date.

Each command is printed before it runs; a failing command's output is shown.
Exit code 0 when every command passes, 1 naming the first that failed, 2 for
a usage error (no wheel, no example content). The temporary directory is
removed at the end unless ``--keep`` is given. Standard library only: it
never imports smmgen from the checkout, which may not even have it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The example content's commands run as of this time (calendar time zone): the
# example's 2.0.1 release is due on four channels then, so `publish --dry-run`
# prints real requests, and earlier posts are missed.
EXAMPLE_AT = "2026-12-09 16:05"
EXAMPLE_FILES = ("channels.yaml", "calendar.yaml")
EXAMPLE_DIRS = ("content", "media", "templates")
# variables that would let the installed command see the checkout, another
# environment or the test run's time and credentials
DROPPED = {
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONUSERBASE",
    "PYTHONPLATLIBDIR",
    "PYTHONEXECUTABLE",
    "PYTHONSAFEPATH",
    "VIRTUAL_ENV",
    "VIRTUAL_ENV_PROMPT",
    "CONDA_PREFIX",
    "__PYVENV_LAUNCHER__",
}
VENV_TIMEOUT = 300
INSTALL_TIMEOUT = 900
COMMAND_TIMEOUT = 300


class UsageError(Exception):
    """Bad arguments: exit code 2."""


class Failed(Exception):
    """A command failed: exit code 1."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="try_wheel.py",
        description=(
            "Install a smmgen wheel (not editable) into a fresh virtual environment in a"
            " temporary directory outside the repository, then run its smmgen from there:"
            " --version, init, and check, plan, preview, publish --dry-run and build on the"
            " new project and on a copy of the example content. Exit code 0 when all pass,"
            " 1 when a command fails (named, with its output), 2 for a usage error."
        ),
        epilog=(
            f"The example content's commands run with --at '{EXAMPLE_AT}'. Dependencies come"
            " from pip's own configuration unless --no-index / --find-links say otherwise."
        ),
    )
    parser.add_argument(
        "dist",
        metavar="DIST",
        type=Path,
        help="a smmgen .whl file, or a directory holding exactly one smmgen-*.whl",
    )
    parser.add_argument(
        "--find-links",
        metavar="DIR",
        type=Path,
        action="append",
        default=[],
        help="also look for dependencies in this folder of wheels (repeatable; passed to pip)",
    )
    parser.add_argument(
        "--no-index",
        action="store_true",
        help="install dependencies from the --find-links folders only (passed to pip)",
    )
    parser.add_argument(
        "--example",
        metavar="DIR",
        type=Path,
        default=REPO,
        help="the example content repository to copy (default: the repository of this script)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary directory (the environment, projects and outputs) and say where",
    )
    return parser.parse_args(argv)


def find_wheel(dist: Path) -> Path:
    """The wheel DIST names, or the one smmgen wheel in the directory DIST."""
    if dist.is_dir():
        wheels = sorted(dist.glob("smmgen-*.whl"))
        if not wheels:
            present = ", ".join(sorted(p.name for p in dist.iterdir())) or "nothing"
            raise UsageError(f"{dist} holds no smmgen-*.whl (it holds: {present})")
        if len(wheels) > 1:
            names = ", ".join(p.name for p in wheels)
            raise UsageError(f"{dist} holds {len(wheels)} smmgen wheels, give one: {names}")
        return wheels[0].resolve()
    if not dist.exists():
        raise UsageError(f"{dist} does not exist: give a smmgen .whl or a directory holding one")
    if dist.suffix != ".whl":
        raise UsageError(f"{dist} is not a wheel (.whl) nor a directory")
    return dist.resolve()


def wheel_version(wheel: Path) -> str:
    """The version in a wheel's file name: name-version(-build)-python-abi-platform.whl."""
    parts = wheel.name[: -len(".whl")].split("-")
    if len(parts) not in (5, 6) or parts[0].lower() != "smmgen":
        raise UsageError(
            f"{wheel.name} is not a smmgen wheel's file name"
            " (smmgen-VERSION-PYTHON-ABI-PLATFORM.whl)"
        )
    return parts[1]


def inside(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def scripts_dir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def path_outside() -> list[str]:
    """The entries of PATH, less those inside the checkout (its .venv/bin)."""
    entries = os.environ.get("PATH", "").split(os.pathsep)
    return [e for e in entries if e and not inside(Path(e).resolve(), REPO)]


def clean_environment(venv: Path) -> dict[str, str]:
    """os.environ without anything that points at the checkout or another environment.

    No PYTHONPATH (and the like), no SMMGEN_* variable (SMMGEN_AT, credentials),
    no GIT_* variable (GIT_DIR of a hook), no value naming the checkout (PWD),
    no PATH entry inside it; the environment's scripts first on PATH."""
    checkout = str(REPO)
    env = {}
    for name, value in os.environ.items():
        if name in DROPPED or name.startswith(("SMMGEN_", "GIT_")) or name == "PATH":
            continue
        if checkout in value:
            continue
        env[name] = value
    env["PATH"] = os.pathsep.join([str(scripts_dir(venv)), *path_outside()])
    env["NO_COLOR"] = "1"
    return env


def install_environment() -> dict[str, str]:
    """For venv and pip: pip's own configuration (PIP_*) stays, the checkout goes."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in DROPPED and not name.startswith("SMMGEN_")
    }
    env["PATH"] = os.pathsep.join(path_outside())
    return env


class Runner:
    def __init__(self) -> None:
        self.count = 0

    def run(
        self,
        label: str,
        argv: Sequence[str | Path],
        *,
        cwd: Path,
        env: dict[str, str],
        timeout: float = COMMAND_TIMEOUT,
    ) -> str:
        """Run one command; its output, or Failed with the output shown."""
        print(f"== {label}", flush=True)
        self.count += 1
        command = [str(a) for a in argv]
        try:
            done = subprocess.run(
                command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            output = exc.stdout or ""
            show(output.decode("utf-8", "replace") if isinstance(output, bytes) else output)
            raise Failed(f"{label}: no result after {timeout:.0f} s") from None
        except OSError as exc:
            raise Failed(f"{label}: cannot run {command[0]}: {exc.strerror}") from None
        if done.returncode != 0:
            show(done.stdout)
            raise Failed(f"{label}: exit code {done.returncode} ({' '.join(command)})")
        last = next((line for line in reversed(done.stdout.splitlines()) if line.strip()), "")
        if last:
            print(f"   {last.strip()[:160]}", flush=True)
        return done.stdout


def show(output: str) -> None:
    print("--- output ---", flush=True)
    print(output.rstrip("\n") if output.strip() else "(no output)", flush=True)
    print("--- end of output ---", flush=True)


def copy_example(source: Path, target: Path) -> None:
    """The example's content files only: never smmgen/, tests/ or caches."""
    target.mkdir()
    for name in EXAMPLE_FILES:
        if (source / name).is_file():
            shutil.copyfile(source / name, target / name)
    for name in EXAMPLE_DIRS:
        if (source / name).is_dir():
            shutil.copytree(
                source / name,
                target / name,
                ignore=shutil.ignore_patterns("__pycache__", ".smmgen", ".DS_Store"),
            )


def try_wheel(args: argparse.Namespace, work: Path) -> int:
    wheel = find_wheel(args.dist)
    version = wheel_version(wheel)
    runner = Runner()
    started = time.monotonic()
    empty = work / "empty"
    empty.mkdir()
    venv = work / "venv"
    python = scripts_dir(venv) / ("python.exe" if os.name == "nt" else "python")
    smmgen = scripts_dir(venv) / ("smmgen.exe" if os.name == "nt" else "smmgen")
    print(f"try_wheel: {wheel.name} in {work}", flush=True)

    setup = install_environment()
    runner.run(
        "python -m venv (a fresh environment)",
        [sys.executable, "-m", "venv", venv],
        cwd=empty,
        env=setup,
        timeout=VENV_TIMEOUT,
    )
    pip = [python, "-m", "pip", "install", "--no-input", "--disable-pip-version-check"]
    if args.no_index:
        pip.append("--no-index")
    for folder in args.find_links:
        pip += ["--find-links", folder.resolve()]
    runner.run(
        f"pip install {wheel.name}",
        [*pip, wheel],
        cwd=empty,  # never the checkout: its smmgen.egg-info would look installed
        env=setup,
        timeout=INSTALL_TIMEOUT,
    )

    env = clean_environment(venv)
    printed = runner.run("smmgen --version", [smmgen, "--version"], cwd=empty, env=env)
    shown = printed.split()[-1] if printed.split() else ""
    if shown != version:
        raise Failed(f"smmgen --version printed {printed.strip()!r}, the wheel is {version}")
    printed = runner.run(
        "python -c 'import smmgen' (where it comes from)",
        [python, "-c", "import smmgen; print(smmgen.__file__)"],
        cwd=empty,
        env=env,
    )
    module = Path(printed.strip().splitlines()[-1] if printed.strip() else "").resolve()
    if not inside(module, venv.resolve()) or inside(module, REPO):
        raise Failed(f"import smmgen loads {module}, not the package installed in {venv}")

    new = work / "new"
    runner.run(
        "smmgen init (new project)",
        [smmgen, "init", new, "--timezone", "UTC"],
        cwd=empty,
        env=env,
    )
    for command in (["check"], ["plan"], ["preview"], ["publish", "--dry-run"], ["build"]):
        label = f"smmgen {' '.join(command)} (new project)"
        runner.run(label, [smmgen, *command], cwd=new, env=env)

    example = work / "example"
    copy_example(args.example, example)
    git = [
        "git",
        "-c", "user.name=try_wheel",
        "-c", "user.email=try_wheel@example.invalid",
        "-c", "commit.gpgsign=false",
        "-c", "core.autocrlf=false",
    ]  # fmt: skip
    runner.run("git init (example content)", [*git, "init", "-q"], cwd=example, env=env)
    configuration = [name for name in EXAMPLE_FILES if (example / name).exists()]
    runner.run(
        "git add: the configuration (example content)",
        [*git, "add", "--", *configuration],
        cwd=example,
        env=env,
    )
    runner.run(
        "git commit: the configuration (example content)",
        [*git, "commit", "-q", "--allow-empty", "-m", "configuration"],
        cwd=example,
        env=env,
    )
    runner.run("git add: the posts (example content)", [*git, "add", "-A"], cwd=example, env=env)
    runner.run(
        "git commit: the posts (example content)",
        [*git, "commit", "-q", "--allow-empty", "-m", "posts"],
        cwd=example,
        env=env,
    )
    at = ["--at", EXAMPLE_AT]
    for command in (
        ["check", *at],
        ["plan", *at],
        ["ledger", "init"],
        ["preview", "--changed-since", "HEAD~1", *at],
        ["publish", "--dry-run", *at],
        ["build"],
    ):
        label = f"smmgen {' '.join(command)} (example content)"
        runner.run(label, [smmgen, *command], cwd=example, env=env)

    seconds = time.monotonic() - started
    print(
        f"try_wheel: ok: smmgen {version} from {wheel.name}: {runner.count} commands passed"
        f" in {seconds:.0f} s",
        flush=True,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        find_wheel(args.dist)  # usage errors before anything is made
        for folder in args.find_links:
            if not folder.is_dir():
                raise UsageError(f"--find-links {folder}: not a directory")
        if not (args.example / "channels.yaml").is_file():
            raise UsageError(f"--example {args.example}: no channels.yaml there")
        if shutil.which("git") is None:
            raise UsageError("git is not on PATH: the example content is a git repository")
        work = Path(tempfile.mkdtemp(prefix="smmgen-try-wheel-")).resolve()
    except (UsageError, OSError) as exc:
        print(f"try_wheel: error: {exc}", file=sys.stderr)
        return 2
    try:
        if inside(work, REPO):
            raise UsageError(
                f"the temporary directory {work} is inside the repository: set TMPDIR elsewhere"
            )
        return try_wheel(args, work)
    except UsageError as exc:
        print(f"try_wheel: error: {exc}", file=sys.stderr)
        return 2
    except (Failed, OSError) as exc:
        print(f"try_wheel: FAILED: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("try_wheel: interrupted", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"try_wheel: kept {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
