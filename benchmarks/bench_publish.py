"""Benchmark ``smmgen publish``: due variants to loopback test servers, with the
git-branch ledger on a local bare repository.

Usage::

    python benchmarks/bench_publish.py [--posts N] [--runs R] [--max-seconds S] [--json]

Generates N posts, all due, on 4 channels (Mastodon, Telegram, Discord and the
generic webhook, each a strict test server from tests/servers on 127.0.0.1),
commits them to a repository whose origin is a local bare repository, and
times one ``python -m smmgen publish`` in a fresh process. Then it checks that
every variant arrived exactly once and that a second run publishes nothing.
With --runs R it does all of this R times, each with a fresh project, fresh
servers and a fresh bare repository, and reports the median time.

There is no reference tool for publishing, so the limit is absolute:
--max-seconds is compared with the median of the runs.

Exit status: 0 when every run delivered everything exactly once, its second run
published nothing and the median is not over --max-seconds; 1 otherwise; 2 on
a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.publish.gitrepo import origin_with  # noqa: E402
from tests.servers import discord, telegram, webhook  # noqa: E402
from tests.servers.mastodon import MastodonServer  # noqa: E402

CHANNELS = 4
SCHEMA_VERSION = 2  # version 1 had no schema_version and one run


def write_project(root: Path, posts: int, urls: dict[str, str]) -> None:
    (root / "content").mkdir(parents=True)
    (root / "channels.yaml").write_text(
        "defaults:\n  channels: all\nchannels:\n"
        f"  masto: {{type: mastodon, instance: '{urls['masto']}', token_env: BENCH_MASTO}}\n"
        f"  tg: {{type: telegram, chat_id: '@smmgen_news', token_env: BENCH_TG,"
        f" api_base: '{urls['tg']}'}}\n"
        "  chat: {type: discord, webhook_url_env: BENCH_DISCORD}\n"
        f"  hook: {{type: webhook, url: '{urls['hook']}', secret_env: BENCH_HOOK}}\n"
        "ledger: {store: git}\n",
        encoding="utf-8",
    )
    (root / "calendar.yaml").write_text("timezone: UTC\nmax_lateness: 30d\nmin_gap: 0m\n")
    for number in range(posts):
        minute = number % (24 * 60)
        when = f"2026-11-{24 - number // (24 * 60):02d} {minute // 60:02d}:{minute % 60:02d}"
        (root / "content" / f"p{number:05d}.md").write_text(
            f"---\nid: p{number:05d}\npublish_at: {when}\nlink: https://example.com/{number}\n"
            f"tags: [bench]\n---\nPost number {number} with **some** text.\n",
            encoding="utf-8",
        )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def publish_once(number: int, posts: int) -> dict[str, Any]:
    """One run: a fresh project, servers and bare repository; publish, then again."""
    with (
        tempfile.TemporaryDirectory(prefix="smmgen-bench-publish-") as directory,
        MastodonServer(token="bench-masto-token", rate_limit=10**7) as masto,
        telegram.TelegramServer() as tg,
        discord.DiscordServer(budget=10**7) as chat,
        webhook.WebhookServer(tolerance=10**9) as hook,
    ):
        root = Path(directory) / "project"
        write_project(root, posts, {"masto": masto.url, "tg": tg.url, "hook": hook.endpoint})
        origin_with(root, Path(directory) / "origin.git")
        env = dict(os.environ, BENCH_MASTO="bench-masto-token", BENCH_TG=telegram.TOKEN,
                   BENCH_DISCORD=chat.webhook_url, BENCH_HOOK=webhook.SECRET, NO_COLOR="1",
                   SMMGEN_AT="2026-11-25 00:00")  # fmt: skip
        command = [
            sys.executable,
            "-m",
            "smmgen",
            "--root",
            str(root),
            "publish",
            "--format",
            "json",
        ]
        started = time.perf_counter()
        first = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        report = json.loads(first.stdout) if first.stdout.strip().startswith("{") else {}
        second = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        again = json.loads(second.stdout).get("counts", {}) if second.stdout.strip() else {}
        arrived: dict[str, Counter[Any]] = {
            "masto": Counter(s.text for s in masto.statuses),
            "tg": Counter(m.get("text") for m in tg.messages),
            "chat": Counter(m.get("content") for m in chat.messages),
            "hook": Counter(m["delivery"] for m in hook.messages),
        }
        hook_posts = len(hook.requests)
        # the branch's first commit is `smmgen ledger init`'s, not a push of the run
        pushes = int(
            subprocess.run(
                ["git", "rev-list", "--count", "smmgen-ledger"],
                cwd=Path(directory) / "origin.git", capture_output=True, text=True, check=False,
            ).stdout.strip() or 1
        ) - 1  # fmt: skip
    variants = posts * CHANNELS
    once = all(len(c) == posts and set(c.values()) == {1} for c in arrived.values())
    once = once and hook_posts == posts
    problems = []
    if first.returncode != 0:
        problems.append(f"run {number}: publish exited {first.returncode}")
        print(first.stderr[-2000:], file=sys.stderr)
    if not once:
        problems.append(f"run {number}: not every variant arrived exactly once")
    if again.get("published"):
        problems.append(f"run {number}: the second run published {again['published']}")
    return {
        "run": number,
        "seconds": round(seconds, 3),
        "per_variant_ms": round(1000 * seconds / variants, 2),
        "exit_code": first.returncode,
        "counts": report.get("counts"),
        "exactly_once": once,
        "ledger_pushes": pushes,
        "second_run": again,
        "problems": problems,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--posts", metavar="N", type=int, default=250, help="posts (250; x 4 channels = variants)"
    )
    parser.add_argument(
        "--runs",
        metavar="R",
        type=int,
        default=1,
        help="runs, each with a fresh project, servers and bare repository (1)",
    )
    parser.add_argument(
        "--max-seconds", metavar="S", type=float, help="fail if the median run takes longer"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if args.posts < 1 or args.runs < 1:
        parser.error("--posts and --runs must be at least 1")
    variants = args.posts * CHANNELS
    runs = []
    for number in range(1, args.runs + 1):
        run = publish_once(number, args.posts)
        runs.append(run)
        if not args.json:
            again = run["second_run"].get("published", 0)
            print(
                f"run {number}/{args.runs}: {run['seconds']:.2f} s"
                f" ({run['per_variant_ms']:.2f} ms per variant); exactly once:"
                f" {run['exactly_once']}; second run published {again};"
                f" {run['ledger_pushes']} ledger pushes",
                flush=True,
            )
    median = statistics.median(run["seconds"] for run in runs)
    problems = [problem for run in runs for problem in run.pop("problems")]
    if args.max_seconds is not None and median > args.max_seconds:
        problems.append(f"median {median:.2f} s is over --max-seconds {args.max_seconds:g}")
    for problem in problems:
        print(f"bench_publish.py: {problem}", file=sys.stderr, flush=True)
    if args.json:
        result = {
            "schema_version": SCHEMA_VERSION,
            "posts": args.posts,
            "variants": variants,
            "channels": CHANNELS,
            "runs": runs,
            "median_seconds": round(median, 3),
            "median_per_variant_ms": round(1000 * median / variants, 2),
            "max_seconds": args.max_seconds,
            "ok": not problems,
            "problems": problems,
        }
        print(json.dumps(result))
    else:
        notes = [f"{1000 * median / variants:.2f} ms per variant"]
        if args.max_seconds is not None:
            notes.append(f"limit {args.max_seconds:g} s")
        verdict = f"FAILED ({plural(len(problems), 'problem')})" if problems else "ok"
        print(
            f"publish: {variants} variants x {CHANNELS} channels (git ledger): {median:.2f} s,"
            f" median of {len(runs)} ({'; '.join(notes)}): {verdict}"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
