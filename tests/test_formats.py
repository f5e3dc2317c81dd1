"""What `smmgen check` prints: text, JSON and GitHub annotations, colour, paths
and exit codes (SPEC §5)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from smmgen.findings import Finding, Severity
from smmgen.report.console import use_color
from smmgen.report.findings import annotation
from tests.conftest import CHANNELS_YAML
from tests.prerequisites import impossible_here

Run = Callable[..., Result]

# One error (banned phrase, line 6) and one warning (unknown person, line 7).
MIXED_POST = """\
---
id: x
publish_at: 2026-12-01 09:00
tags: [release]
---
Now with guaranteed returns.
Thanks @bobby.
"""
BANNED = "contains the banned phrase 'guaranteed returns'"
BANNED_HINT = "reword it (policy.banned_phrases in channels.yaml)"
PERSON = "@bobby is not in `people` (channels.yaml), so it is published as typed"
PERSON_HINT = "add them to `people` with their handles"
BAD_URL_CHANNELS = CHANNELS_YAML.replace(
    "instance: https://mastodon.example", "instance: mastodon.example"
)
BAD_URL = (
    "channels.yaml:7: error: channels.mastodon.instance:"
    " expected a URL starting with https://, got 'mastodon.example'"
)


def lines(result: Result) -> list[str]:
    return result.output.splitlines()


# -- json ---------------------------------------------------------------------


def test_json_report(make_project, run):
    root = make_project(posts={"x.md": MIXED_POST})
    result = run("--root", root, "check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "schema_version": 1,
        "ok": False,
        "errors": 1,
        "warnings": 1,
        "posts": 1,
        "channels": 4,
        "findings": [
            {
                "severity": "error",
                "code": "banned-phrase",
                "file": "content/x.md",
                "line": 6,
                "key": None,
                "channel": None,
                "message": BANNED,
                "hint": BANNED_HINT,
            },
            {
                "severity": "warning",
                "code": "unknown-person",
                "file": "content/x.md",
                "line": 7,
                "key": None,
                "channel": None,
                "message": PERSON,
                "hint": PERSON_HINT,
            },
        ],
    }


def test_json_report_of_a_clean_project(make_project, run):
    result = run("--root", make_project(), "check", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "schema_version": 1,
        "ok": True,
        "errors": 0,
        "warnings": 0,
        "posts": 1,
        "channels": 4,
        "findings": [],
    }


def test_json_ok_is_false_for_warnings_with_strict(make_project, run):
    root = make_project(posts={"x.md": "---\nid: x\n---\nThanks @bobby.\n"})
    relaxed = json.loads(run("--root", root, "check", "--format", "json").stdout)
    assert (relaxed["ok"], relaxed["errors"], relaxed["warnings"]) == (True, 0, 1)
    result = run("--root", root, "check", "--format", "json", "--strict")
    assert result.exit_code == 1
    strict = json.loads(result.stdout)
    assert (strict["ok"], strict["errors"], strict["warnings"]) == (False, 0, 1)


def test_json_finding_with_a_key(make_project, run):
    root = make_project(channels=BAD_URL_CHANNELS)
    (finding,) = json.loads(run("--root", root, "check", "--format", "json").stdout)["findings"]
    assert finding == {
        "severity": "error",
        "code": "bad-value",
        "file": "channels.yaml",
        "line": 7,
        "key": "channels.mastodon.instance",
        "channel": None,
        "message": "expected a URL starting with https://, got 'mastodon.example'",
        "hint": None,
    }


# -- github annotations -------------------------------------------------------


def test_github_annotations(make_project, run):
    root = make_project(posts={"x.md": MIXED_POST})
    result = run("--root", root, "check", "--format", "github")
    assert result.exit_code == 1
    assert lines(result) == [
        f"::error file=content/x.md,line=6,title=smmgen banned-phrase::{BANNED}; {BANNED_HINT}",
        f"::warning file=content/x.md,line=7,title=smmgen unknown-person::{PERSON}; {PERSON_HINT}",
        "checked 1 post, 4 channels: 1 error, 1 warning",
    ]


def test_github_annotation_with_a_key_and_a_file_name_to_escape(make_project, run):
    post = "---\nid: x\nlanguage: English\n---\nHello.\n"
    root = make_project(posts={"a,b: c.md": post})
    result = run("--root", root, "check", "--format", "github")
    assert result.exit_code == 1
    assert lines(result)[0] == (
        "::error file=content/a%2Cb%3A c.md,line=3,title=smmgen bad-value::"
        "language: 'English' is not a language code: use BCP 47, like 'en' or 'pt-BR'"
    )


def test_annotation_escapes_per_github_workflow_command_rules():
    finding = Finding(
        Severity.ERROR,
        "bad-value",
        "50% off, now:\r\nsecond line",
        file="content/50%,a:b.md",
        line=12,
        key="overrides.x.text",
        hint="keep it under 100%\nor split it",
    )
    assert annotation(finding) == (
        "::error file=content/50%25%2Ca%3Ab.md,line=12,title=smmgen bad-value::"
        "overrides.x.text: 50%25 off, now:%0D%0Asecond line; keep it under 100%25%0Aor split it"
    )


def test_annotation_escapes_the_title_property():
    finding = Finding(Severity.WARNING, "odd,code:x%", "message")
    assert annotation(finding) == "::warning title=smmgen odd%2Ccode%3Ax%25::message"


def test_annotation_without_file_or_line():
    finding = Finding(Severity.ERROR, "missing-file", "not found", hint="run `smmgen init`")
    assert annotation(finding) == (
        "::error title=smmgen missing-file::not found; run `smmgen init`"
    )


def test_annotation_of_a_file_without_a_line():
    finding = Finding(Severity.ERROR, "binary-file", "is a binary file", file="content/a.md")
    assert annotation(finding) == (
        "::error file=content/a.md,title=smmgen binary-file::is a binary file"
    )


# -- text ---------------------------------------------------------------------


def test_text_lines(make_project, run):
    root = make_project(channels=BAD_URL_CHANNELS, posts={"x.md": MIXED_POST})
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert lines(result) == [
        BAD_URL,
        f"content/x.md:6: error: {BANNED}; {BANNED_HINT}",
        f"content/x.md:7: warning: {PERSON}; {PERSON_HINT}",
        "checked 1 post, 3 channels: 2 errors, 1 warning",
    ]


@pytest.mark.parametrize(
    ("finding", "text"),
    [
        (
            Finding(
                Severity.ERROR, "c", "message", file="content/x.md", line=4, key="k", hint="hint"
            ),
            "content/x.md:4: error: k: message; hint",
        ),
        (
            Finding(Severity.WARNING, "c", "message", file="content/x.md", line=4),
            "content/x.md:4: warning: message",
        ),
        (Finding(Severity.ERROR, "c", "message", file="a.yaml"), "a.yaml: error: message"),
        (Finding(Severity.ERROR, "c", "message", hint="hint"), "smmgen: error: message; hint"),
    ],
)
def test_finding_text_shape(finding, text):
    assert finding.text() == text


def test_summary_wording(make_project, run):
    two = {"a.md": "---\nid: a\n---\nA.\n", "b.md": "---\nid: b\n---\nB.\n"}
    assert lines(run("--root", make_project(posts=two), "check")) == [
        "checked 2 posts, 4 channels: no problems found"
    ]


# -- check PATH ---------------------------------------------------------------


def bad_post(post_id: str) -> str:
    return f"---\nid: {post_id}\n---\nGuaranteed returns from {post_id}.\n"


@pytest.fixture
def three_bad_posts(make_project) -> Path:
    posts = {"a.md": bad_post("a"), "sub/b.md": bad_post("b"), "sub/c.md": bad_post("c")}
    return make_project(channels=BAD_URL_CHANNELS, posts=posts)


def banned_at(path: str) -> str:
    return f"{path}:4: error: {BANNED}; {BANNED_HINT}"


def test_check_a_path_limits_post_findings_but_keeps_config_errors(three_bad_posts, run):
    root = three_bad_posts
    result = run("--root", root, "check", root / "content" / "a.md")
    assert result.exit_code == 1
    assert lines(result)[:-1] == [BAD_URL, banned_at("content/a.md")]


def test_check_a_directory(three_bad_posts, run):
    root = three_bad_posts
    result = run("--root", root, "check", root / "content" / "sub")
    assert lines(result)[:-1] == [
        BAD_URL,
        banned_at("content/sub/b.md"),
        banned_at("content/sub/c.md"),
    ]


def test_check_relative_paths_from_the_project_directory(three_bad_posts, run, monkeypatch):
    monkeypatch.chdir(three_bad_posts / "content")
    result = run("check", "sub/b.md", "a.md")
    assert lines(result)[:-1] == [
        BAD_URL,
        banned_at("content/a.md"),
        banned_at("content/sub/b.md"),
    ]
    everything = run("check", "..")
    assert len(lines(everything)) == 5


def test_check_a_clean_path_in_a_project_with_other_problems(make_project, run):
    posts = {"good.md": "---\nid: good\n---\nFine.\n", "bad.md": bad_post("bad")}
    root = make_project(posts=posts)
    result = run("--root", root, "check", root / "content" / "good.md")
    assert result.exit_code == 0, result.output
    assert lines(result)[-1].endswith("no problems found")


def test_check_a_path_that_does_not_exist_is_a_usage_error(make_project, run):
    root = make_project()
    result = run("--root", root, "check", root / "content" / "nope.md")
    assert result.exit_code == 2
    assert "does not exist" in result.output


# -- colour -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_no_ansi_escapes_when_not_a_terminal(make_project, run, fmt):
    root = make_project(posts={"x.md": MIXED_POST})
    for env in ({}, {"NO_COLOR": "1"}):
        result = run("--root", root, "check", "--format", fmt, env=env)
        assert "\x1b" not in result.output


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_use_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert use_color(_Stream(tty=True)) is True
    assert use_color(_Stream(tty=False)) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(_Stream(tty=True)) is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert use_color(_Stream(tty=True)) is False


def _check_on_a_terminal(root: Path, **env: str) -> tuple[int, bytes]:
    """Run `smmgen check` in a subprocess with its stdout on a pseudo-terminal."""
    if sys.platform == "win32":
        impossible_here("a pseudo-terminal needs POSIX (the pty module)")
    import pty

    master, slave = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    environ.update({"TERM": "xterm", **env})
    proc = subprocess.Popen(
        [sys.executable, "-m", "smmgen", "--root", str(root), "check"],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env=environ,
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=60), out


def test_colour_on_a_terminal_and_never_with_no_color(make_project):
    root = make_project(posts={"x.md": MIXED_POST})
    code, coloured = _check_on_a_terminal(root)
    assert code == 1
    assert b"\x1b[" in coloured
    code, plain = _check_on_a_terminal(root, NO_COLOR="1")
    assert code == 1
    assert b"\x1b" not in plain
    assert plain.replace(b"\r\n", b"\n").decode().splitlines()[-1] == (
        "checked 1 post, 4 channels: 1 error, 1 warning"
    )


# -- exit codes ---------------------------------------------------------------


def test_exit_0_when_clean_or_only_warnings(make_project, run):
    assert run("--root", make_project(), "check").exit_code == 0
    warned = make_project(posts={"x.md": "---\nid: x\n---\nThanks @bobby.\n"})
    assert run("--root", warned, "check").exit_code == 0


def test_exit_1_for_errors_and_for_warnings_with_strict(make_project, run):
    assert run("--root", make_project(posts={"x.md": MIXED_POST}), "check").exit_code == 1
    warned = make_project(posts={"x.md": "---\nid: x\n---\nThanks @bobby.\n"})
    assert run("--root", warned, "check", "--strict").exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--format", "xml"], "Invalid value for '--format'"),
        (["check", "--bogus"], "No such option '--bogus'"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_exit_2_for_usage_errors(make_project, run, args, message):
    result = run("--root", make_project(), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
