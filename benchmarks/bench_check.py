"""Benchmark ``smmgen check`` on a large generated project.

Usage::

    python benchmarks/bench_check.py [--posts N] [--channels K] [--runs R] [--keep DIR]
                                     [--touch M] [--max-seconds S] [--max-mb MB] [--json]
                                     [-- EXTRA CHECK ARGS...]

Generates a project (benchmarks/generate.py) in a temporary directory, or in
DIR with --keep, then runs ``python -m smmgen --root DIR check`` R times, each
in a fresh process. For every run it reports the wall time, the peak resident
memory of the child (from ``os.wait4``), the exit code and the last line of
output. Run 1 is cold; later runs see whatever cache the first one left, and
--touch M changes M post files before each of them, as a commit would.

Exit status: 0 when every run exited 0 and the thresholds hold (the best time
is compared with --max-seconds, the highest peak with --max-mb), 1 otherwise,
2 on a usage error. POSIX only (``os.wait4``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from random import Random

import generate

SCHEMA_VERSION = 1


@dataclass
class Run:
    run: int
    seconds: float
    peak_mb: float
    exit_code: int
    last_line: str
    touched: int


def maxrss_mb(ru_maxrss: int) -> float:
    """ru_maxrss in MB: kilobytes on Linux and the BSDs, bytes on macOS."""
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def last_line(*outputs: bytes) -> str:
    """The last non-empty line of the first output that has one."""
    for output in outputs:
        lines = output.decode("utf-8", "replace").strip().splitlines()
        if lines:
            return lines[-1].strip()
    return ""


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def run_once(command: Sequence[str], number: int, timeout: float, touched: int) -> Run:
    """Run command once; time it and read the child's own rusage with wait4."""
    env = {**os.environ, "NO_COLOR": "1"}
    # Output goes to files, not pipes: the child never blocks on a full pipe and
    # nothing in this process competes with it while it runs. It gets its own
    # process group, so a timeout or Ctrl-C also stops any workers it started.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, start_new_session=True)
        timer = threading.Timer(timeout, _kill_group, (process.pid,))
        timer.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            _kill_group(process.pid)
            raise
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        exit_code = os.waitstatus_to_exitcode(status)
        process.returncode = exit_code  # reaped by wait4: Popen must not wait again
        out.seek(0)
        err.seek(0)
        line = last_line(out.read(), err.read())
    if exit_code < 0:
        line = f"killed by signal {-exit_code}"
        if seconds >= timeout:
            line += f" (timeout {timeout:g} s)"
    return Run(number, seconds, maxrss_mb(usage.ru_maxrss), exit_code, line, touched)


def touch_posts(root: Path, count: int, seed: int) -> int:
    """Change count post files the way an edit would (one more blank line at the end)."""
    posts = sorted((root / "content").rglob("*.md"))
    chosen = Random(seed).sample(posts, min(count, len(posts)))
    for path in chosen:
        with path.open("a", encoding="utf-8") as file:
            file.write("\n")
    return len(chosen)


def split_extra(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Arguments before '--' are ours; after it, they go to `smmgen check`."""
    args = list(argv)
    if "--" in args:
        index = args.index("--")
        return args[:index], args[index + 1 :]
    return args, []


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="bench_check.py",
        description="Time `smmgen check` on a generated project of N posts x K channels.",
        epilog="Arguments after '--' are passed on to `smmgen check`.",
    )
    parser.add_argument("--posts", type=int, default=10_000, help="posts to generate (10000)")
    parser.add_argument("--channels", type=int, default=6, help="channels to generate (6)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--runs", type=int, default=3, help="times to run the command (3)")
    parser.add_argument(
        "--command",
        choices=("check", "plan"),
        default="check",
        help="the smmgen command to time (check)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="generate into DIR (missing, empty or generated before) and keep it",
    )
    parser.add_argument(
        "--touch",
        metavar="M",
        type=int,
        default=0,
        help="change M post files before each run after the first (incremental check)",
    )
    parser.add_argument(
        "--max-seconds", type=float, help="fail if the best run takes longer than this"
    )
    parser.add_argument("--max-mb", type=float, help="fail if any run's peak RSS exceeds this")
    parser.add_argument(
        "--timeout", type=float, default=600, help="kill a run after this many seconds (600)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    ours, extra = split_extra(argv)
    args = parser.parse_args(ours)
    if args.runs < 1 or args.posts < 1 or args.channels < 1 or args.touch < 0:
        parser.error("--runs, --posts and --channels must be at least 1, --touch at least 0")
    return args, extra


@dataclass
class Report:
    command: list[str]
    posts: int
    channels: int
    seed: int
    generate_seconds: float
    runs: list[Run]
    max_seconds: float | None
    max_mb: float | None

    @property
    def best_seconds(self) -> float:
        return min(run.seconds for run in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(run.peak_mb for run in self.runs)

    def problems(self) -> list[str]:
        found = [
            f"run {run.run} exited {run.exit_code}: {run.last_line}"
            for run in self.runs
            if run.exit_code != 0
        ]
        if self.max_seconds is not None and self.best_seconds > self.max_seconds:
            found.append(
                f"best time {self.best_seconds:.2f} s is over --max-seconds {self.max_seconds:g}"
            )
        if self.max_mb is not None and self.peak_mb > self.max_mb:
            found.append(f"peak {self.peak_mb:.0f} MB is over --max-mb {self.max_mb:g}")
        return found

    def summary(self) -> str:
        return (
            f"{self.command[5]}: {self.posts} posts x {self.channels} channels: "
            f"best {self.best_seconds:.2f} s, peak {self.peak_mb:.0f} MB"
        )

    def to_json(self) -> dict[str, object]:
        problems = self.problems()
        return {
            "schema_version": SCHEMA_VERSION,
            "command": self.command,
            "posts": self.posts,
            "channels": self.channels,
            "seed": self.seed,
            "generate_seconds": round(self.generate_seconds, 3),
            "runs": [
                {**asdict(run), "seconds": round(run.seconds, 3), "peak_mb": round(run.peak_mb, 1)}
                for run in self.runs
            ],
            "first_seconds": round(self.runs[0].seconds, 3),
            "best_seconds": round(self.best_seconds, 3),
            "peak_mb": round(self.peak_mb, 1),
            "max_seconds": self.max_seconds,
            "max_mb": self.max_mb,
            "ok": not problems,
            "problems": problems,
        }


def benchmark(args: argparse.Namespace, extra: Sequence[str], root: Path) -> Report:
    """Generate the project into root and run check on it args.runs times."""
    generated = generate.generate_project(
        root, posts=args.posts, channels=args.channels, seed=args.seed
    )
    if not args.json:
        print(
            f"generated {args.posts} posts x {args.channels} channels in "
            f"{generated.seconds:.2f} s: {root}",
            flush=True,
        )
    # --root is a global option (SPEC §5), so it comes before the command.
    command = [sys.executable, "-m", "smmgen", "--root", str(root), args.command, *extra]
    report = Report(
        command,
        args.posts,
        args.channels,
        args.seed,
        generated.seconds,
        [],
        args.max_seconds,
        args.max_mb,
    )
    for number in range(1, args.runs + 1):
        touched = 0
        if number > 1 and args.touch:
            touched = touch_posts(root, args.touch, seed=args.seed * 1000 + number)
        run = run_once(command, number, args.timeout, touched)
        report.runs.append(run)
        if not args.json:
            note = f", {touched} files changed" if touched else ""
            print(
                f"run {number}: {run.seconds:.2f} s, {run.peak_mb:.0f} MB, "
                f"exit {run.exit_code}{note}: {run.last_line}",
                flush=True,
            )
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.keep:
            report = benchmark(args, extra, args.keep.resolve())
        else:
            with tempfile.TemporaryDirectory(prefix="smmgen-bench-") as tmp:
                report = benchmark(args, extra, Path(tmp) / "project")
    except (ValueError, FileExistsError) as exc:
        print(f"bench_check.py: error: {exc}", file=sys.stderr)
        return 2

    print(
        json.dumps(report.to_json(), indent=2, ensure_ascii=False)
        if args.json
        else report.summary()
    )
    problems = report.problems()
    for problem in problems:
        print(f"bench_check.py: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
