"""Benchmark ``smmgen check`` (or ``plan``, or ``build``) against Hugo building the same posts.

Usage::

    python benchmarks/bench_check.py [--posts N] [--channels K] [--seed S] [--runs R]
                                     [--command check|plan|build] [--scenario NAME]...
                                     [--touch M] [--reference hugo|none]
                                     [--max-ratio SCENARIO=R]... [--max-mb MB]
                                     [--timeout S] [--keep DIR] [--json]
                                     [-- EXTRA SMMGEN ARGS...]

Generates a project (benchmarks/generate.py) and a Hugo site whose contentDir
is the project's content/, in a temporary directory or in DIR with --keep (the
site goes to DIR/hugo-site, which smmgen never reads). Absolute seconds on a
shared machine are noisy, so smmgen is timed against Hugo in the same run:

- scenarios (check): ``cold`` is ``check --no-cache``; ``unchanged`` is a
  second run that reuses the cache; ``touched`` changes M post files before
  each run. build has the same three: ``cold`` is ``build --no-cache`` (every
  post built, its variants and pages written over the previous run's),
  ``unchanged`` keeps what the previous run wrote, ``touched`` adds a line of
  text to M post files first (a change the pages show). plan has one
  scenario, ``cold`` (plan has no cache).
- Hugo renders into memory for check and plan, which write nothing; for build,
  which writes a file per variant, Hugo writes its site to DIR/hugo-site/public.
- per scenario: one warm-up pair that is not counted (smmgen, then Hugo), then
  R measured pairs in alternating order (pair 1 smmgen first, pair 2 Hugo
  first, ...). Each pair gives a ratio, smmgen seconds / Hugo seconds; the
  scenario's result is the median ratio.

Before timing, smmgen's modules are byte-compiled, as pip compiles an installed
package's (see :func:`byte_compile_smmgen`). Each run is a fresh process; its
peak resident memory comes from ``os.wait4``.
Targets (SPEC §9) are reported, never enforced. Limits are: --max-ratio per
scenario (median ratio) and --max-mb (smmgen's peak).

Exit status: 0 when every run exited 0 and the limits hold, 1 otherwise, 2 on a
usage error (including a missing ``hugo``). POSIX only (``os.wait4``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

import generate

SCHEMA_VERSION = 2
PROG = "bench_check.py"

# The scenarios of each command, in the order they run, with the arguments they
# add to the command and what they mean.
SCENARIOS: dict[str, dict[str, tuple[list[str], str]]] = {
    "check": {
        "cold": (["--no-cache"], "every file checked afresh"),
        "unchanged": ([], "the cache of the previous run, nothing changed"),
        "touched": ([], "the cache of the previous run, {touch} changed before each run"),
    },
    "plan": {"cold": ([], "plan has no cache")},
    "build": {
        "cold": (["--no-cache"], "every post built, its variants and pages written"),
        "unchanged": ([], "the files of the previous run kept, nothing changed"),
        "touched": (
            [],
            "the files of the previous run kept, text added to {touch} before each run",
        ),
    },
}
ALL_SCENARIOS = ("cold", "unchanged", "touched")

# Targets: the median ratio to Hugo that the project aims for (SPEC §9 and the
# next issue), and smmgen's peak memory relative to Hugo's. plan has none.
TARGET_RATIOS: dict[str, dict[str, float]] = {
    "check": {"cold": 1.0, "unchanged": 0.15, "touched": 0.2},
    "plan": {},
    # issue 16: build no slower than Hugo building the same posts
    "build": {"cold": 1.0, "unchanged": 1.0, "touched": 1.0},
}
TARGET_PEAK_RATIO: dict[str, float | None] = {"check": 1.0, "plan": None, "build": None}

# The reference: a minimal but complete Hugo site over the same posts.
SITE_DIR = "hugo-site"
HUGO_CONFIG = """\
baseURL = "https://bench.example.org/"
title = "smmgen benchmark reference"
languageCode = "en"
contentDir = {content}
"""
HUGO_LAYOUTS = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title></head>
<body>
<header><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>{{ end }}
""",
    "list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
""",
}


class UsageError(Exception):
    """A problem with the arguments or the machine: exit status 2."""


# ---------------------------------------------------------------------------
# Running one command


@dataclass
class Run:
    seconds: float
    peak_mb: float
    exit_code: int
    last_line: str

    def to_json(self) -> dict[str, object]:
        return {
            "seconds": round(self.seconds, 3),
            "peak_mb": round(self.peak_mb, 1),
            "exit_code": self.exit_code,
            "last_line": self.last_line,
        }


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


def run_once(command: Sequence[str], timeout: float) -> Run:
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
    return Run(seconds, maxrss_mb(usage.ru_maxrss), exit_code, line)


# ---------------------------------------------------------------------------
# The project, the Hugo site and changes to posts


def write_hugo_site(site: Path, content: Path) -> None:
    """A Hugo site whose contentDir is content (absolute), with minimal layouts."""
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    config = HUGO_CONFIG.format(content=json.dumps(str(content.resolve())))
    (site / "hugo.toml").write_text(config, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (layouts / name).write_text(text, encoding="utf-8")


def hugo_version(hugo: str) -> str:
    """`hugo version`, or a UsageError when it does not run."""
    try:
        result = subprocess.run(
            [hugo, "version"], capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"`{hugo} version` failed: {exc}") from exc
    if result.returncode != 0 or not result.stdout.strip():
        raise UsageError(f"`{hugo} version` exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout.strip()


class Toucher:
    """Changes post files the way an edit would: one more newline at the end.

    Files come from a seeded shuffle, so each run changes files no earlier run
    changed (until every file has been changed once).
    """

    def __init__(self, root: Path, seed: int) -> None:
        self.posts = sorted((root / "content").rglob("*.md"))
        Random(seed).shuffle(self.posts)
        self.next = 0

    def touch(self, count: int, visible: bool = False) -> int:
        """Change ``count`` post files: a line break at the end, or with ``visible``
        a word a page shows (build keeps a page whose content is the same)."""
        count = min(count, len(self.posts))
        for _ in range(count):
            path = self.posts[self.next % len(self.posts)]
            self.next += 1
            with path.open("a", encoding="utf-8") as file:
                file.write(f"\nEdited {self.next}.\n" if visible else "\n")
        return count


# ---------------------------------------------------------------------------
# Results


@dataclass
class Pair:
    """smmgen and Hugo run back to back; number 0 is the warm-up."""

    number: int
    smmgen_first: bool
    touched: int
    smmgen: Run
    hugo: Run | None

    @property
    def first(self) -> str:
        return "smmgen" if self.smmgen_first else "hugo"

    @property
    def ratio(self) -> float | None:
        return None if self.hugo is None else self.smmgen.seconds / self.hugo.seconds

    def runs(self) -> list[tuple[str, Run]]:
        runs = [("smmgen", self.smmgen)]
        return runs if self.hugo is None else [*runs, ("hugo", self.hugo)]

    def line(self, label: str, total: int, command: str) -> str:
        """One line of human output."""
        if self.number == 0:
            head = f"{label} warm-up (not counted)"
        else:
            first = "" if self.hugo is None else f", {self.first} first"
            changed = f", {plural(self.touched, 'file')} changed" if self.touched else ""
            head = f"{label} {self.number}/{total}{first}{changed}"
        text = f"{head}: {command} {self.smmgen.seconds:.2f} s {self.smmgen.peak_mb:.0f} MB"
        if self.hugo is not None:
            text += f", hugo {self.hugo.seconds:.2f} s {self.hugo.peak_mb:.0f} MB"
            text += f": ratio {self.ratio:.2f}"
        notes = [
            f"{tool} exited {run.exit_code}: {run.last_line}"
            for tool, run in self.runs()
            if run.exit_code != 0
        ]
        if not notes and self.number == 0:
            notes = [f"exit 0: {self.smmgen.last_line}"]
        return text + (f" [{'; '.join(notes)}]" if notes else "")

    def to_json(self) -> dict[str, object]:
        ratio = self.ratio
        return {
            "pair": self.number,
            "first": self.first,
            "touched": self.touched,
            "smmgen": self.smmgen.to_json(),
            "hugo": None if self.hugo is None else self.hugo.to_json(),
            "ratio": None if ratio is None else round(ratio, 4),
        }


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass
class Scenario:
    name: str
    command: list[str]
    touch: int
    target_ratio: float | None
    target_peak_ratio: float | None
    max_ratio: float | None
    max_mb: float | None
    warmup: Pair | None = None
    pairs: list[Pair] = field(default_factory=list)

    @property
    def smmgen_median(self) -> float:
        return statistics.median(pair.smmgen.seconds for pair in self.pairs)

    @property
    def hugo_median(self) -> float | None:
        hugo = [pair.hugo.seconds for pair in self.pairs if pair.hugo is not None]
        return statistics.median(hugo) if hugo else None

    @property
    def median_ratio(self) -> float | None:
        ratios = [ratio for pair in self.pairs if (ratio := pair.ratio) is not None]
        return statistics.median(ratios) if ratios else None

    @property
    def smmgen_peak(self) -> float:
        return max(pair.smmgen.peak_mb for pair in self.pairs)

    @property
    def hugo_peak(self) -> float | None:
        hugo = [pair.hugo.peak_mb for pair in self.pairs if pair.hugo is not None]
        return max(hugo) if hugo else None

    @property
    def peak_ratio(self) -> float | None:
        hugo = self.hugo_peak
        return None if hugo is None else self.smmgen_peak / hugo

    def problems(self) -> list[str]:
        found = []
        for pair in [self.warmup, *self.pairs]:
            if pair is None:
                continue
            label = "warm-up" if pair.number == 0 else f"pair {pair.number}"
            found += [
                f"{self.name} {label}: {tool} exited {run.exit_code}: {run.last_line}"
                for tool, run in pair.runs()
                if run.exit_code != 0
            ]
        ratio = self.median_ratio
        if self.max_ratio is not None and ratio is not None and ratio > self.max_ratio:
            found.append(
                f"{self.name}: median ratio {ratio:.2f} is over --max-ratio {self.max_ratio:g}"
            )
        if self.max_mb is not None and self.smmgen_peak > self.max_mb:
            found.append(
                f"{self.name}: smmgen peak {self.smmgen_peak:.0f} MB is over --max-mb "
                f"{self.max_mb:g}"
            )
        return found

    def summary(self, command: str) -> str:
        """The scenario in one line."""
        text = f"{self.name}: {command} {self.smmgen_median:.2f} s"
        ratio, hugo = self.median_ratio, self.hugo_median
        if ratio is None or hugo is None:
            text += f" (median of {len(self.pairs)}; no reference)"
        else:
            notes = [f"median of {len(self.pairs)}", target_note(ratio, self.target_ratio, "")]
            if self.max_ratio is not None:
                verdict = "ok" if ratio <= self.max_ratio else "over"
                notes.append(f"limit {self.max_ratio:.2f}: {verdict}")
            text += f", hugo {hugo:.2f} s: ratio {ratio:.2f} ({'; '.join(notes)})"
        text += f"; peak {self.smmgen_peak:.0f} MB"
        notes = []
        peak_ratio, hugo_peak = self.peak_ratio, self.hugo_peak
        if peak_ratio is not None and hugo_peak is not None:
            text += f" vs hugo {hugo_peak:.0f} MB"
            notes += [f"{peak_ratio:.2f}x", target_note(peak_ratio, self.target_peak_ratio, "x")]
        if self.max_mb is not None:
            verdict = "ok" if self.smmgen_peak <= self.max_mb else "over"
            notes.append(f"limit {self.max_mb:g} MB: {verdict}")
        return text + (f" ({'; '.join(notes)})" if notes else "")

    def to_json(self) -> dict[str, object]:
        ratio, peak_ratio = self.median_ratio, self.peak_ratio
        hugo, hugo_peak = self.hugo_median, self.hugo_peak
        return {
            "name": self.name,
            "command": self.command,
            "touch": self.touch,
            "warmup": None if self.warmup is None else self.warmup.to_json(),
            "pairs": [pair.to_json() for pair in self.pairs],
            "smmgen_median_seconds": round(self.smmgen_median, 3),
            "hugo_median_seconds": None if hugo is None else round(hugo, 3),
            "median_ratio": None if ratio is None else round(ratio, 4),
            "smmgen_peak_mb": round(self.smmgen_peak, 1),
            "hugo_peak_mb": None if hugo_peak is None else round(hugo_peak, 1),
            "peak_ratio": None if peak_ratio is None else round(peak_ratio, 4),
            "target_ratio": self.target_ratio,
            "target_met": met(ratio, self.target_ratio),
            "target_peak_ratio": self.target_peak_ratio,
            "peak_target_met": met(peak_ratio, self.target_peak_ratio),
            "max_ratio": self.max_ratio,
        }


def met(value: float | None, target: float | None) -> bool | None:
    return None if value is None or target is None else value <= target


def target_note(value: float, target: float | None, unit: str) -> str:
    if target is None:
        return "no target"
    return f"target <= {target:.2f}{unit}: {'met' if value <= target else 'not met'}"


@dataclass
class Report:
    command: str
    posts: int
    channels: int
    seed: int
    runs: int
    generate_seconds: float
    hugo_version: str | None
    hugo_command: list[str] | None
    max_mb: float | None
    scenarios: list[Scenario] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [problem for scenario in self.scenarios for problem in scenario.problems()]

    def summary(self) -> str:
        """All scenarios in one line."""
        head = f"{self.command}, {self.posts} posts x {self.channels} channels"
        if self.hugo_version is None:
            parts = [f"{s.name} {s.smmgen_median:.2f} s" for s in self.scenarios]
            text = f"{head}, median times (no reference): {', '.join(parts)}"
        else:
            version = " ".join(self.hugo_version.split()[:2])
            parts = [f"{s.name} {s.median_ratio:.2f}" for s in self.scenarios]
            text = f"{head}, median ratios to {version}: {', '.join(parts)}"
        text += f"; smmgen peak {max(s.smmgen_peak for s in self.scenarios):.0f} MB"
        hugo_peaks = [peak for s in self.scenarios if (peak := s.hugo_peak) is not None]
        if hugo_peaks:
            text += f", hugo {max(hugo_peaks):.0f} MB"
        problems = self.problems()
        return text + (f": FAILED ({plural(len(problems), 'problem')})" if problems else ": ok")

    def to_json(self) -> dict[str, object]:
        problems = self.problems()
        reference = None
        if self.hugo_version is not None:
            reference = {"tool": "hugo", "version": self.hugo_version, "command": self.hugo_command}
        return {
            "schema_version": SCHEMA_VERSION,
            "command": self.command,
            "posts": self.posts,
            "channels": self.channels,
            "seed": self.seed,
            "runs": self.runs,
            "generate_seconds": round(self.generate_seconds, 3),
            "reference": reference,
            "max_mb": self.max_mb,
            "scenarios": [scenario.to_json() for scenario in self.scenarios],
            "ok": not problems,
            "problems": problems,
        }


# ---------------------------------------------------------------------------
# Command line


def split_extra(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Arguments before '--' are ours; after it, they go to the smmgen command."""
    args = list(argv)
    if "--" in args:
        index = args.index("--")
        return args[:index], args[index + 1 :]
    return args, []


def parse_max_ratios(
    parser: argparse.ArgumentParser, values: Sequence[str], scenarios: Sequence[str]
) -> dict[str, float]:
    limits: dict[str, float] = {}
    for value in values:
        name, sep, number = value.partition("=")
        try:
            ratio = float(number) if sep else math.nan
        except ValueError:
            ratio = math.nan
        if not (math.isfinite(ratio) and ratio > 0):
            parser.error(f"--max-ratio {value!r}: expected SCENARIO=RATIO, e.g. cold=1.7")
        if name not in scenarios:
            parser.error(
                f"--max-ratio {value!r}: scenario {name!r} is not being run "
                f"(running: {', '.join(scenarios)})"
            )
        if name in limits:
            parser.error(f"--max-ratio: scenario {name!r} given twice")
        limits[name] = ratio
    return limits


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Time `smmgen check` (or `plan`, or `build`) on a generated project of N posts x K "
            "channels against Hugo building the same posts, in alternating pairs."
        ),
        epilog="Arguments after '--' are passed on to the smmgen command.",
    )
    parser.add_argument(
        "--posts", metavar="N", type=int, default=10_000, help="posts to generate (10000)"
    )
    parser.add_argument(
        "--channels", metavar="K", type=int, default=6, help="channels to generate (6)"
    )
    parser.add_argument("--seed", metavar="S", type=int, default=1, help="generator seed (1)")
    parser.add_argument(
        "--runs",
        metavar="R",
        type=int,
        default=5,
        help="measured pairs per scenario, after a warm-up (5)",
    )
    parser.add_argument(
        "--command", choices=tuple(SCENARIOS), default="check", help="smmgen command (check)"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=ALL_SCENARIOS,
        help="scenario to run; repeatable (default: all of the command's: "
        "check and build have cold, unchanged and touched; plan has cold)",
    )
    parser.add_argument(
        "--touch",
        metavar="M",
        type=int,
        default=1,
        help="post files changed before each run of the touched scenario (1)",
    )
    parser.add_argument(
        "--reference",
        choices=("hugo", "none"),
        default="hugo",
        help="hugo (default), or none to time smmgen alone (no ratios)",
    )
    parser.add_argument(
        "--max-ratio",
        metavar="SCENARIO=R",
        action="append",
        default=[],
        help="fail if the scenario's median ratio is above R; repeatable",
    )
    parser.add_argument(
        "--max-mb", metavar="MB", type=float, help="fail if smmgen's peak RSS exceeds this"
    )
    parser.add_argument(
        "--timeout",
        metavar="S",
        type=float,
        default=600,
        help="kill a run after this many seconds (600)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="generate into DIR (missing, empty or generated before) and keep it; "
        f"the Hugo site goes to DIR/{SITE_DIR}",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    ours, extra = split_extra(argv)
    args = parser.parse_args(ours)
    if min(args.runs, args.posts, args.channels, args.touch) < 1:
        parser.error("--runs, --posts, --channels and --touch must be at least 1")
    if args.max_mb is not None and not args.max_mb > 0:
        parser.error("--max-mb must be above 0")
    if not args.timeout > 0:
        parser.error("--timeout must be above 0")
    available = SCENARIOS[args.command]
    chosen = set(args.scenario or available)
    if unknown := sorted(chosen - set(available)):
        parser.error(
            f"--command {args.command} has no scenario {', '.join(unknown)} "
            f"(it has: {', '.join(available)})"
        )
    args.scenario = [name for name in available if name in chosen]
    if args.reference == "none" and args.max_ratio:
        parser.error("--max-ratio needs a reference: not with --reference none")
    args.max_ratio = parse_max_ratios(parser, args.max_ratio, args.scenario)
    return args, extra


# ---------------------------------------------------------------------------
# The benchmark


def run_pair(
    number: int, smmgen: Sequence[str], hugo: Sequence[str] | None, timeout: float, touched: int
) -> Pair:
    """Pair number (0: the warm-up); odd numbers and the warm-up run smmgen first."""
    smmgen_first = number % 2 == 1 or number == 0
    if hugo is None:
        return Pair(number, True, touched, run_once(smmgen, timeout), None)
    if smmgen_first:
        smmgen_run = run_once(smmgen, timeout)
        hugo_run = run_once(hugo, timeout)
    else:
        hugo_run = run_once(hugo, timeout)
        smmgen_run = run_once(smmgen, timeout)
    return Pair(number, smmgen_first, touched, smmgen_run, hugo_run)


def benchmark(
    args: argparse.Namespace,
    extra: Sequence[str],
    root: Path,
    site: Path,
    hugo: str | None,
    version: str | None,
) -> Report:
    """Generate the project and the site, then run every chosen scenario."""

    def say(text: str) -> None:
        if not args.json:
            print(text, flush=True)

    generated = generate.generate_project(
        root, posts=args.posts, channels=args.channels, seed=args.seed
    )
    say(
        f"generated {args.posts} posts x {args.channels} channels in "
        f"{generated.seconds:.2f} s: {root}"
    )
    hugo_command = None
    if hugo is not None:
        write_hugo_site(site, root / "content")
        # Every page is rendered, into memory (Hugo's option for benchmarks): check
        # writes nothing either, and disk writes made Hugo's time vary by a second.
        # build writes every variant, so Hugo writes its pages too.
        output = ["--renderToMemory"]
        if args.command == "build":
            output = ["--destination", str(site / "public")]
        hugo_command = [hugo, "--source", str(site), *output, "--quiet"]
        say(f"reference: {version}, site {site}")
    report = Report(
        args.command,
        args.posts,
        args.channels,
        args.seed,
        args.runs,
        generated.seconds,
        version,
        hugo_command,
        args.max_mb,
    )
    compiled = byte_compile_smmgen()
    say(f"byte-compiled smmgen ({compiled}), as pip does when it installs a package")
    toucher = Toucher(root, args.seed) if "touched" in args.scenario else None
    for name in args.scenario:
        scenario_args, meaning = SCENARIOS[args.command][name]
        # --root is a global option (SPEC §5), so it comes before the command.
        command = [sys.executable, "-m", "smmgen", "--root", str(root), args.command]
        command += [*scenario_args, *extra]
        touch = args.touch if name == "touched" else 0
        scenario = Scenario(
            name,
            command,
            touch,
            TARGET_RATIOS[args.command].get(name),
            TARGET_PEAK_RATIO[args.command],
            args.max_ratio.get(name),
            args.max_mb,
        )
        report.scenarios.append(scenario)
        shown = " ".join(["smmgen", args.command, *scenario_args, *extra])
        say(f"== {name}: {shown} ({meaning.format(touch=plural(touch, 'file'))})")
        scenario.warmup = run_pair(0, command, hugo_command, args.timeout, 0)
        say(scenario.warmup.line(name, args.runs, args.command))
        for number in range(1, args.runs + 1):
            visible = args.command == "build"  # what the pages show changes
            touched = toucher.touch(touch, visible) if toucher and touch else 0
            pair = run_pair(number, command, hugo_command, args.timeout, touched)
            scenario.pairs.append(pair)
            say(pair.line(name, args.runs, args.command))
    if not args.json:
        for scenario in report.scenarios:
            print(scenario.summary(args.command))
    return report


def byte_compile_smmgen() -> str:
    """Byte-compile the smmgen that is timed (the one ``sys.executable`` imports).

    pip compiles a package's modules when it installs it, so an installed smmgen
    never compiles its own source. An editable install (a clone's) is compiled
    on its first run instead, unless Python may not write bytecode
    (PYTHONDONTWRITEBYTECODE, a read-only tree): then every run would compile
    some 80 modules again, a cost users do not pay and Hugo has no counterpart of.
    """
    found = subprocess.run(
        [sys.executable, "-c", "import smmgen, os; print(os.path.dirname(smmgen.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    )
    package = found.stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)
    return package


def find_hugo(reference: str) -> tuple[str | None, str | None]:
    """(path, `hugo version`) of the reference, or (None, None) for --reference none."""
    if reference == "none":
        return None, None
    hugo = shutil.which("hugo")
    if hugo is None:
        raise UsageError(
            "hugo not found on PATH: install the Debian package `hugo` "
            "(apt-get install hugo), or pass --reference none to time smmgen alone"
        )
    return hugo, hugo_version(hugo)


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        hugo, version = find_hugo(args.reference)
        if args.keep:
            root = args.keep.resolve()
            report = benchmark(args, extra, root, root / SITE_DIR, hugo, version)
        else:
            with tempfile.TemporaryDirectory(prefix="smmgen-bench-") as tmp:
                base = Path(tmp)
                report = benchmark(args, extra, base / "project", base / SITE_DIR, hugo, version)
    except (UsageError, ValueError, FileExistsError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2

    problems = report.problems()
    for problem in problems:
        print(f"{PROG}: {problem}", file=sys.stderr, flush=True)
    print(
        json.dumps(report.to_json(), indent=2, ensure_ascii=False)
        if args.json
        else report.summary()
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
