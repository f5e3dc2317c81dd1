"""Benchmark ``smmgen publish``: due variants to loopback test servers, with the
git-branch ledger on a local bare repository.

Usage::

    python benchmarks/bench_publish.py [--posts N] [--max-seconds S] [--json]

Generates N posts, all due, on 4 channels (Mastodon, Telegram, Discord and the
generic webhook, each a strict test server from tests/servers on 127.0.0.1),
commits them to a repository whose origin is a local bare repository, and
times one ``python -m smmgen publish`` in a fresh process. Then it checks that
every variant arrived exactly once and that a second run publishes nothing.

Exit status: 0 when everything arrived once and the time is under
--max-seconds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.publish.gitrepo import origin_with  # noqa: E402
from tests.servers import discord, telegram, webhook  # noqa: E402
from tests.servers.mastodon import MastodonServer  # noqa: E402

CHANNELS = 4


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=250, help="posts (x 4 channels = variants)")
    parser.add_argument("--max-seconds", type=float, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as directory,
        MastodonServer(token="bench-masto-token", rate_limit=10**7) as masto,
        telegram.TelegramServer() as tg,
        discord.DiscordServer(budget=10**7) as chat,
        webhook.WebhookServer(tolerance=10**9) as hook,
    ):
        root = Path(directory) / "project"
        write_project(root, args.posts, {"masto": masto.url, "tg": tg.url, "hook": hook.endpoint})
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
        arrived = {
            "masto": Counter(s.text for s in masto.statuses),
            "tg": Counter(m.get("text") for m in tg.messages),
            "chat": Counter(m.get("content") for m in chat.messages),
            "hook": Counter(m["delivery"] for m in hook.messages),
        }
        hook_posts = len(hook.requests)
        pushes = int(
            subprocess.run(
                ["git", "rev-list", "--count", "smmgen-ledger"],
                cwd=Path(directory) / "origin.git", capture_output=True, text=True, check=False,
            ).stdout.strip() or 0
        )  # fmt: skip
    variants = args.posts * CHANNELS
    once = all(len(c) == args.posts and set(c.values()) == {1} for c in arrived.values())
    once = once and hook_posts == args.posts
    result = {
        "variants": variants,
        "channels": CHANNELS,
        "seconds": round(seconds, 2),
        "per_variant_ms": round(1000 * seconds / variants, 2),
        "exit_code": first.returncode,
        "counts": report.get("counts"),
        "exactly_once": once,
        "ledger_pushes": pushes,
        "second_run": again,
    }
    ok = first.returncode == 0 and once and not again.get("published")
    if args.max_seconds is not None:
        ok = ok and seconds < args.max_seconds
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"publish: {variants} variants x {CHANNELS} channels (git ledger): {seconds:.2f} s"
            f" ({result['per_variant_ms']} ms per variant); exactly once: {once};"
            f" second run published {again.get('published', 0)}; {pushes} ledger pushes"
        )
        if first.returncode != 0:
            print(first.stderr[-2000:], file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
