"""The workflows `smmgen init` writes, run end to end on this machine.

A project from `smmgen init`, its Mastodon channel and a webhook pointed at
the strict test servers on loopback and its ledger on a git branch, is
pushed to a bare repository standing in for GitHub. Its own
`.github/workflows/check.yml` and `publish.yml` then run as GitHub would
run them (tests/workflows/harness.py: every `run:` step in bash with
GitHub's environment, `actions/checkout` emulated against the bare
repository, `gh` answered by tests/workflows/fake_gh.py):

1. a pull request adds a post with an error and a warning: annotations with
   file and line, the check fails, the preview becomes one comment;
2. a second push fixes it: the check passes, the same comment is updated;
3. merged: the push to main publishes the post to both servers once, the
   ledger branch is pushed, main is left as it was;
4. later scheduled runs (one sharded by channel, one the weekly keepalive)
   publish nothing more.

The comments are compared with golden files in tests/workflows/golden/
(SMMGEN_UPDATE_GOLDEN=1 rewrites them; the servers' ports are masked).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from smmgen import __version__
from tests.prerequisites import tool
from tests.publish.gitrepo import branch_files, git, origin_with
from tests.servers.mastodon import MastodonServer
from tests.servers.webhook import SECRET, WebhookServer
from tests.workflows.harness import Runner, RunResult

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parents[2]
TOKEN = "e2e-masto-token-7c1d0a9b"
PR = 7
BRANCH = "post/launch"
POST = "content/2026-12-01-launch.md"

CHANNELS = """\
defaults:
  channels: [mastodon, hook]
channels:
  mastodon:
    type: mastodon
    instance: {masto}
    token_env: SMMGEN_MASTODON_TOKEN
  hook:
    type: webhook
    url: {hook}
    secret_env: SMMGEN_WEBHOOK_SECRET
people:
  alice: {{mastodon: "@alice@mastodon.test"}}
policy:
  require_alt_text: true
  banned_phrases: ["guaranteed returns"]
ledger: {{store: git}}
"""

LATER = """\
---
id: 2027-01-10-later
publish_at: 2027-01-10 09:00
---
Something for January, already on main.
"""

LAUNCH = """\
---
id: 2026-12-01-launch
title: Launch
publish_at: 2026-12-01 09:00
tags: [release]
---
{text}
"""
BAD = "Version 2 is out, with guaranteed returns. Thanks @bob!"
GOOD = "Version 2 is out. Thanks @alice for the testing!"


def require_jq() -> None:
    tool("jq", "the workflows' steps use it, as on GitHub's runners: apt-get install jq")


@dataclass
class World:
    root: Path  # the team's clone
    bare: Path  # "GitHub"
    masto: MastodonServer
    hook: WebhookServer
    check: Runner
    publish: Runner

    def commit(self, message: str, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        git(self.root, "add", "-A")
        git(self.root, "commit", "--quiet", "-m", message)

    def open_pull_request(self, branch: str = BRANCH, number: int = PR) -> None:
        """What GitHub does on a push to a pull request: refs/pull/N/head and
        the merge of it into the base, refs/pull/N/merge."""
        head = f"{branch}:refs/pull/{number}/head"
        git(self.root, "push", "--quiet", "--force", "origin", branch, head)
        scratch = self.bare.parent / "github-merge"
        shutil.rmtree(scratch, ignore_errors=True)
        git(self.bare.parent, "clone", "--quiet", "--branch", "main", str(self.bare), str(scratch))
        git(scratch, "fetch", "--quiet", "origin", f"refs/pull/{number}/head")
        git(scratch, "merge", "--quiet", "--no-ff", "-m", f"Merge {branch}", "FETCH_HEAD")
        git(scratch, "push", "--quiet", "--force", "origin", f"HEAD:refs/pull/{number}/merge")

    def run_check(self, branch: str = BRANCH, number: int = PR, *, fork: bool = False) -> RunResult:
        head = git(self.bare, "rev-parse", f"refs/pull/{number}/head")
        event = {
            "action": "synchronize",
            "number": number,
            "pull_request": {
                "number": number,
                "head": {"ref": branch, "sha": head, "repo": {"fork": fork}},
                "base": {"ref": "main", "sha": git(self.bare, "rev-parse", "main")},
            },
        }
        return self.check.run("pull_request", event, ref=f"refs/pull/{number}/merge",
                              base_ref="main", head_ref=branch)  # fmt: skip

    def run_publish(self, event_name: str, **options: Any) -> RunResult:
        event: dict[str, Any] = {
            "schedule": {"schedule": options.pop("cron", "*/15 * * * *")},
            "push": {"ref": "refs/heads/main", "after": git(self.bare, "rev-parse", "main")},
            "workflow_dispatch": {"inputs": options.get("inputs", {})},
        }[event_name]
        secrets = {"SMMGEN_MASTODON_TOKEN": TOKEN, "SMMGEN_WEBHOOK_SECRET": SECRET}
        return self.publish.run(event_name, event, ref="refs/heads/main", secrets=secrets,
                                **options)  # fmt: skip

    def comments(self, number: int = PR) -> list[dict[str, Any]]:
        return self.check.gh()["comments"].get(str(number), [])


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    require_jq()
    with MastodonServer(token=TOKEN) as masto, WebhookServer() as hook:
        root = tmp_path / "social"
        done = subprocess.run(
            [sys.executable, "-m", "smmgen", "init", str(root), "--timezone", "UTC"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        for welcome in (root / "content").glob("*-welcome.md"):
            welcome.unlink()
        (root / "channels.yaml").write_text(
            CHANNELS.format(masto=masto.url, hook=hook.endpoint), encoding="utf-8"
        )
        (root / "content" / "2027-01-10-later.md").write_text(LATER, encoding="utf-8")
        bare = tmp_path / "github" / "acme" / "social.git"
        origin_with(root, bare, "smmgen init")
        machine = {"SMMGEN_RETRY_SCALE": "0.01", "SMMGEN_HTTP_TIMEOUT": "5"}
        workflows = root / ".github" / "workflows"
        check = Runner(workflows / "check.yml", origin=bare, workdir=tmp_path / "check",
                       env=machine)  # fmt: skip
        publish = Runner(workflows / "publish.yml", origin=bare, workdir=tmp_path / "publish",
                         env=machine)  # fmt: skip
        for runner, extra in ((check, {}), (publish, {"workflows": ["publish.yml"]})):
            runner.set_gh({
                "token": "ghs_fake-token-for-the-workflow-0123",
                "repository": "acme/social",
                "login": "github-actions[bot]",
                "next_id": 2000,
                "per_page": 30,
                "comments": {},
                **extra,
            })  # fmt: skip
        yield World(root, bare, masto, hook, check, publish)


def masked(text: str, world: World) -> str:
    text = text.replace(world.masto.url, "http://mastodon.test")
    text = text.replace(world.hook.url, "http://hooks.test")
    text = re.sub(r"/@smmgen/\d+", "/@smmgen/<status id>", text)  # Mastodon's ids are times
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SMMGEN_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with SMMGEN_UPDATE_GOLDEN=1 to write it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


def records(world: World) -> list[dict[str, Any]]:
    files = branch_files(world.bare)
    assert set(files) >= {"mastodon.jsonl", "hook.jsonl"}, sorted(files)
    return [json.loads(line) for name in ("mastodon.jsonl", "hook.jsonl")
            for line in files[name].splitlines()]  # fmt: skip


def test_review_then_publish(world: World) -> None:
    # reviewers already talked on the pull request: the preview comment
    # comes after a full page of theirs (so finding it needs --paginate)
    state = world.check.gh()
    state["comments"][str(PR)] = [
        {"id": 100 + n, "body": f"<!-- smmgen-preview --> quoted by a person ({n})",
         "user": {"login": "reviewer", "type": "User"}, "html_url": "..."}
        for n in range(31)
    ]  # fmt: skip
    world.check.set_gh(state)

    # 1. a pull request adds a post with an error and a warning
    git(world.root, "checkout", "--quiet", "-b", BRANCH)
    world.commit("Launch post", {POST: LAUNCH.format(text=BAD)})
    world.open_pull_request()
    world.check.env["SMMGEN_AT"] = "2026-11-30 12:00"
    first = world.run_check()
    job = first.job("check")
    assert (job.status, job.step("check").outcome) == ("failure", "failure"), first.explain()
    assert [(a["level"], a["file"], a["line"], a["title"]) for a in job.annotations] == [
        ("error", POST, "7", "smmgen banned-phrase"),
        ("warning", POST, "7", "smmgen unknown-person"),
    ], first.explain()
    assert "guaranteed returns" in job.annotations[0]["message"]
    assert "@bob" in job.annotations[1]["message"]
    assert job.step("preview").outcome == "success", first.explain()
    assert job.step("Post the preview as a sticky comment").outcome == "success", first.explain()
    (comment,) = [c for c in world.comments() if c["user"]["login"] == "github-actions[bot]"]
    golden("preview-with-findings.md", masked(comment["body"], world))
    assert job.summary == comment["body"]  # the job summary has it too
    assert [c["method"] for c in world.check.gh()["calls"]] == ["GET", "POST"]
    # the install step ran, with pip standing in: an init-ed project installs
    # exactly the smmgen that wrote it
    assert world.check.pip_log.read_text(encoding="utf-8").splitlines() == [
        f"-m pip install --disable-pip-version-check --quiet smmgen=={__version__}"
    ]

    # 2. a second push fixes the post: the same comment is updated
    world.commit("Fix the launch post", {POST: LAUNCH.format(text=GOOD)})
    world.open_pull_request()
    second = world.run_check()
    job = second.job("check")
    assert job.status == "success", second.explain()
    assert [a for a in job.annotations if a["level"] != "notice"] == []
    mine = [c for c in world.comments() if c["user"]["login"] == "github-actions[bot]"]
    assert [c["id"] for c in mine] == [comment["id"]]
    assert len(world.comments()) == 32
    golden("preview.md", masked(mine[0]["body"], world))
    calls = world.check.gh()["calls"]
    assert [c["method"] for c in calls] == ["GET", "POST", "GET", "PATCH"]
    assert calls[-1]["endpoint"] == f"repos/acme/social/issues/comments/{comment['id']}"

    # 3. merged; a dry run by hand, one job per channel, sends and records nothing
    git(world.root, "checkout", "--quiet", "main")
    git(world.root, "merge", "--quiet", "--no-ff", "-m", "Merge the launch post", BRANCH)
    git(world.root, "push", "--quiet", "origin", "main")
    main = git(world.bare, "rev-parse", "main")
    world.publish.env["SMMGEN_AT"] = "2026-11-20 08:00"  # `at` wins over the clock
    dry = world.run_publish(
        "workflow_dispatch", inputs={"dry_run": True, "at": "2026-12-01 09:05"},
        variables={"SMMGEN_PUBLISH_CHANNELS": '["mastodon", "hook"]'},
    )  # fmt: skip
    for channel in ("mastodon", "hook"):
        shard = dry.job("publish", channel=channel)
        assert shard.status == "success", dry.explain()
        assert "dry run" in shard.summary
        rows = [row.split("|")[1:4] for row in shard.summary.splitlines() if row.startswith("| ")]
        assert [[cell.strip() for cell in row] for row in rows[1:]] == [
            ["would publish", "`2026-12-01-launch`", channel]
        ], shard.summary
    world.publish.env["SMMGEN_AT"] = "2026-12-01 09:05"
    assert world.masto.statuses == []
    assert world.hook.messages == []
    # the ledger branch is as `smmgen ledger init` made it
    assert git(world.bare, "rev-list", "--count", "smmgen-ledger") == "1"

    # the push to main publishes the post, already due, at once
    pushed = world.run_publish("push")
    job = pushed.job("publish")
    assert job.status == "success", pushed.explain()
    assert job.concurrency == {"group": "smmgen-publish", "cancel-in-progress": False}
    assert pushed.job("keepalive").status == "skipped"
    assert [s.text.split("\n")[0] for s in world.masto.statuses] == [
        GOOD.replace("@alice", "@alice@mastodon.test")
    ]
    assert [(m["post"], m["channel"]) for m in world.hook.messages] == [
        ("2026-12-01-launch", "hook")
    ]
    published = [r for r in records(world) if r["event"] == "published"]
    assert sorted((r["post"], r["channel"]) for r in published) == [
        ("2026-12-01-launch", "hook"),
        ("2026-12-01-launch", "mastodon"),
    ]
    assert git(world.bare, "rev-parse", "main") == main  # publishing never writes main
    author = git(world.bare, "log", "-1", "--format=%an <%ae>", "smmgen-ledger")
    assert author == "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
    golden("publish-summary.md", masked(job.summary, world))
    assert world.masto.errors == []
    assert world.hook.errors == []

    # 4. later: the weekly scheduled run, sharded by channel, publishes
    # nothing more and keeps the schedule enabled
    world.publish.env["SMMGEN_AT"] = "2026-12-01 09:20"
    later = world.run_publish(
        "schedule", cron="41 4 * * 1",
        variables={"SMMGEN_PUBLISH_CHANNELS": '["mastodon", "hook"]'},
    )  # fmt: skip
    for channel in ("mastodon", "hook"):
        shard = later.job("publish", channel=channel)
        assert shard.status == "success", later.explain()
        assert shard.name == f"publish {channel}"
        assert shard.summary.startswith("## smmgen publish")
        assert "| published |" not in shard.summary
        assert shard.concurrency == {
            "group": f"smmgen-publish-{channel}", "cancel-in-progress": False
        }  # fmt: skip
    assert later.job("keepalive").status == "success", later.explain()
    assert world.publish.gh()["enabled"] == ["publish.yml"]
    assert len(world.masto.statuses) == 1
    assert len(world.hook.messages) == 1
    assert len([r for r in records(world) if r["event"] == "published"]) == 2
    assert git(world.bare, "rev-parse", "main") == main

    # 5. a pull request editing the published post: the preview, reading the
    # ledger branch, warns that the edit will not be posted again
    git(world.root, "checkout", "--quiet", "-b", "post/edit")
    world.commit("Edit the launch post", {POST: LAUNCH.format(text=GOOD + " Edited.")})
    world.open_pull_request("post/edit", 8)
    edit = world.run_check("post/edit", 8)
    assert edit.job("check").status == "success", edit.explain()
    (comment,) = world.comments(8)
    assert comment["body"].count("Already published on") == 2
    golden("preview-of-a-published-post.md", masked(comment["body"], world))


@pytest.mark.parametrize("how", ["fork", "read-only token"])
def test_the_preview_goes_to_the_job_summary_where_the_token_cannot_comment(
    world: World, how: str
) -> None:
    git(world.root, "checkout", "--quiet", "-b", BRANCH)
    world.commit("Launch post", {POST: LAUNCH.format(text=GOOD)})
    world.open_pull_request()
    if how == "read-only token":  # e.g. a Dependabot pull request
        world.check.set_gh(world.check.gh() | {"read_only": True})
    world.check.env["SMMGEN_AT"] = "2026-11-30 12:00"
    result = world.run_check(fork=how == "fork")
    job = result.job("check")
    assert job.status == "success", result.explain()
    assert world.comments() == []
    (notice,) = job.annotations
    assert notice["level"] == "notice"
    assert notice["message"].endswith("; the preview is in this run's job summary")
    methods = [c["method"] for c in world.check.gh().get("calls", [])]
    assert methods == ([] if how == "fork" else ["GET", "POST"])
    assert job.summary.startswith("<!-- smmgen-preview -->\n")
    golden("preview.md", masked(job.summary, world))


def test_a_failed_publication_fails_the_run_with_its_summary(world: World) -> None:
    world.commit("A post due now", {POST: LAUNCH.format(text=GOOD)})
    git(world.root, "push", "--quiet", "origin", "main")
    world.publish.env["SMMGEN_AT"] = "2026-12-01 09:05"
    secrets = {"SMMGEN_MASTODON_TOKEN": "revoked-token", "SMMGEN_WEBHOOK_SECRET": SECRET}
    event = {"schedule": "*/15 * * * *"}
    result = world.publish.run("schedule", event, ref="refs/heads/main", secrets=secrets)
    job = result.job("publish")
    assert job.status == "failure", result.explain()
    assert job.step("publish").returncode == 1
    rows = [line for line in job.summary.splitlines() if line.startswith("| ")]
    assert any("| failed |" in row and "mastodon" in row for row in rows), job.summary
    assert any("| published |" in row and "hook" in row for row in rows), job.summary
    assert job.summary in job.step("publish").stdout  # and in the log
    assert world.masto.statuses == []
    assert len(world.hook.messages) == 1


@pytest.mark.parametrize(
    ("name", "step_id"), [("check.yml", "preview"), ("publish.yml", "publish")]
)
def test_git_gets_the_token_from_the_step_environment_only(
    tmp_path: Path, name: str, step_id: str
) -> None:
    """With persist-credentials: false nothing is stored in .git; the steps that
    fetch or push the ledger branch give git a credential helper through
    GIT_CONFIG_* variables that reads the token from their environment."""
    from tests.workflows.harness import load

    jobs = load(REPO / ".github" / "workflows" / name)["jobs"]
    (step,) = [s for job in jobs.values() for s in job["steps"] if s.get("id") == step_id]
    assert step["env"]["SMMGEN_GIT_TOKEN"] == "${{ github.token }}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "SMMGEN_"))}
    env |= {k: str(v) for k, v in step["env"].items() if k.startswith("GIT_CONFIG_")}
    env |= {"SMMGEN_GIT_TOKEN": "ghs_the-job-token", "GIT_TERMINAL_PROMPT": "0",
            "HOME": str(tmp_path)}  # fmt: skip
    done = subprocess.run(
        ["git", "credential", "fill"], input="protocol=https\nhost=github.com\n\n",
        env=env, cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "protocol=https",
        "host=github.com",
        "username=x-access-token",
        "password=ghs_the-job-token",
    ]


def test_a_pull_request_that_changes_no_post_gets_no_comment(world: World) -> None:
    git(world.root, "checkout", "--quiet", "-b", "docs")
    world.commit("Docs", {"README.md": "# Our social media\n"})
    world.open_pull_request("docs", 9)
    world.check.env["SMMGEN_AT"] = "2026-11-30 12:00"
    result = world.run_check("docs", 9)
    job = result.job("check")
    assert job.status == "success", result.explain()
    assert world.comments(9) == []
    assert [c["method"] for c in world.check.gh()["calls"]] == ["GET"]
    assert job.summary.startswith("<!-- smmgen-preview -->\n")
    assert "no post changed: no comment" in job.step("Post the preview as a sticky comment").stdout
