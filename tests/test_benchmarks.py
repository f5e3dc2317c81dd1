"""The benchmark scripts work and compute what they report, on small projects.

CI runs them at full size (.ci/run). Here the reference is a stand-in for
`hugo` on PATH that takes a known time, so the pairs, their alternating order,
the median ratio and the limits can be checked exactly; the stand-in also
checks that it is given a real Hugo site over the project's posts.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

BENCH_CHECK = REPO / "benchmarks" / "bench_check.py"
BENCH_PUBLISH = REPO / "benchmarks" / "bench_publish.py"

STAND_IN = """\
#!{python}
import sys, time, tomllib
from pathlib import Path
if sys.argv[1:] == ["version"]:
    print("hugo v0.0.0-standin linux/amd64")
    sys.exit(0)
args = sys.argv[1:]
site = Path(args[args.index("--source") + 1])
if "--destination" in args:  # build's reference writes its pages
    Path(args[args.index("--destination") + 1]).mkdir(parents=True, exist_ok=True)
else:
    assert "--renderToMemory" in args, args
config = tomllib.loads((site / "hugo.toml").read_text())
posts = list(Path(config["contentDir"]).rglob("*.md"))
assert posts and (site / "layouts" / "_default" / "single.html").is_file()
with open({log!r}, "a") as log:
    log.write(f"{{len(posts)}}\\n")
time.sleep(0.2)
"""


@pytest.fixture
def hugo(tmp_path: Path) -> Path:
    """A directory with the stand-in `hugo`; its log gets a line per build."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "hugo.log"
    script = bin_dir / "hugo"
    script.write_text(STAND_IN.format(python=sys.executable, log=str(log)))
    script.chmod(0o755)
    return bin_dir


def bench(
    script: Path, *args: str, path: str | None = None
) -> tuple[int, dict[str, Any] | None, str]:
    env = {**os.environ, "PATH": path if path is not None else os.environ["PATH"]}
    done = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
        timeout=300,
    )
    data = json.loads(done.stdout) if done.stdout.startswith("{") else None
    return done.returncode, data, done.stderr


def test_check_against_the_reference_in_alternating_pairs(hugo: Path, tmp_path: Path) -> None:
    path = f"{hugo}{os.pathsep}{os.environ['PATH']}"
    limits = ["--max-ratio", "cold=1000", "--max-ratio", "unchanged=0.001"]
    code, report, stderr = bench(
        BENCH_CHECK, "--posts", "40", "--runs", "3", "--json", *limits, path=path
    )
    assert report is not None, stderr
    assert report["schema_version"] == 2
    assert report["reference"]["version"] == "hugo v0.0.0-standin linux/amd64"
    assert [s["name"] for s in report["scenarios"]] == ["cold", "unchanged", "touched"]
    for scenario in report["scenarios"]:
        pairs = scenario["pairs"]
        assert [p["first"] for p in pairs] == ["smmgen", "hugo", "smmgen"]
        for pair in pairs:
            assert pair["smmgen"]["exit_code"] == 0
            assert pair["hugo"]["seconds"] >= 0.2
            assert pair["ratio"] == pytest.approx(  # from seconds rounded to ms
                pair["smmgen"]["seconds"] / pair["hugo"]["seconds"], rel=0.01
            )
        ratios = [pair["ratio"] for pair in pairs]
        assert scenario["median_ratio"] == pytest.approx(statistics.median(ratios), abs=1e-3)
        assert scenario["touch"] == (1 if scenario["name"] == "touched" else 0)
        assert [p["touched"] for p in pairs] == [scenario["touch"]] * 3
    assert report["scenarios"][0]["target_ratio"] == 1.0
    assert report["scenarios"][1]["target_ratio"] == 0.15
    # every build saw every post: 3 scenarios x (warm-up + 3 pairs)
    builds = (tmp_path / "hugo.log").read_text().split()
    assert len(builds) == 12
    assert set(builds) == {"40"}
    # the limit that was exceeded fails the run, the one that held does not
    assert code == 1
    assert len(report["problems"]) == 1
    assert report["problems"][0].startswith("unchanged: median ratio")
    assert "is over --max-ratio 0.001" in stderr


def test_build_against_the_reference_writing_its_pages(hugo: Path, tmp_path: Path) -> None:
    path = f"{hugo}{os.pathsep}{os.environ['PATH']}"
    keep = tmp_path / "bench"
    code, report, stderr = bench(
        BENCH_CHECK,
        "--command",
        "build",
        "--posts",
        "40",
        "--runs",
        "1",
        "--json",
        "--keep",
        str(keep),
        path=path,
    )
    assert code == 0, stderr
    assert report is not None
    assert report["command"] == "build"
    cold, unchanged, touched = report["scenarios"]
    assert [s["name"] for s in report["scenarios"]] == ["cold", "unchanged", "touched"]
    assert {s["target_ratio"] for s in report["scenarios"]} == {1.0}
    assert cold["command"][-2:] == ["build", "--no-cache"]
    assert unchanged["command"][-1] == touched["command"][-1] == "build"
    # run again, build keeps what the previous run wrote
    assert "unchanged since the last build" in unchanged["pairs"][0]["smmgen"]["last_line"]
    assert touched["pairs"][0]["touched"] == 1
    assert report["reference"]["command"][1:] == [
        "--source",
        str(keep / "hugo-site"),
        "--destination",
        str(keep / "hugo-site" / "public"),
        "--quiet",
    ]
    assert (keep / "hugo-site" / "public").is_dir()
    assert [p["smmgen"]["exit_code"] for s in report["scenarios"] for p in s["pairs"]] == [0] * 3
    index = json.loads((keep / "_site" / "variants.json").read_text("utf-8"))
    assert {entry["post"] for entry in index["variants"]} == {
        p.name for p in (keep / "_site" / "variants").iterdir()
    }
    assert len({entry["post"] for entry in index["variants"]}) == 40
    assert (tmp_path / "hugo.log").read_text().split() == ["40"] * 6  # a warm-up and a pair each


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-ratio", "cold"], "expected SCENARIO=RATIO"),
        (["--scenario", "cold", "--max-ratio", "touched=1"], "scenario 'touched' is not being run"),
        (["--command", "plan", "--scenario", "touched"], "has no scenario touched"),
        (["--command", "plan", "--scenario", "unchanged"], "has no scenario unchanged"),
        (["--reference", "none", "--max-ratio", "cold=1"], "needs a reference"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    code, _, stderr = bench(BENCH_CHECK, "--posts", "5", *args)
    assert code == 2
    assert message in stderr


def test_without_hugo_it_says_what_to_install(tmp_path: Path) -> None:
    code, _, stderr = bench(BENCH_CHECK, "--posts", "5", path=str(tmp_path))
    assert code == 2
    assert "install the Debian package `hugo`" in stderr


def test_publish_benchmark_reports_the_median_of_its_runs() -> None:
    args = ["--posts", "6", "--runs", "2", "--json", "--max-seconds", "0.001"]
    code, report, stderr = bench(BENCH_PUBLISH, *args)
    assert report is not None, stderr
    assert [run["exactly_once"] for run in report["runs"]] == [True, True]
    assert [run["second_run"].get("published", 0) for run in report["runs"]] == [0, 0]
    seconds = [run["seconds"] for run in report["runs"]]
    assert report["median_seconds"] == pytest.approx(statistics.median(seconds), abs=1e-3)
    assert code == 1  # the only problem: the limit
    assert len(report["problems"]) == 1
    assert report["problems"][0].endswith("s is over --max-seconds 0.001")
