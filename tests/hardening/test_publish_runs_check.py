"""Issue 11, class 5: `publish` runs every rule `check` runs on what it would send.

For every kind of error `check` reports (per post, between posts, in the
configuration, in templates, a post file that does not load), `publish` and
`publish --dry-run` send nothing `check` rejects, report each such item or
file, and exit 1; what `check` accepts still goes out. The rejected items
are worked out from `check --format json` itself, so the test follows the
rules wherever they come from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smmgen
from tests.conftest import MakeProject, write

CHANNELS = """\
defaults:
  channels: [feed, masto]
channels:
  feed:
    type: feed
    title: News
    site_url: https://example.com/
  masto:
    type: mastodon
    instance: https://mastodon.example
    token_env: HARDENING_MASTO_TOKEN
people:
  alice: {masto: "@alice@example.social"}
policy:
  require_alt_text: true
  banned_phrases: ["guaranteed returns"]
  sponsored_disclosure: "#ad"
  max_hashtags: 2
ledger: {store: local}
"""
FEED_ONLY = CHANNELS.replace("  channels: [feed, masto]", "  channels: [feed]")
CALENDAR = """\
timezone: Europe/Berlin
max_lateness: 6h
min_gap: 10m
campaigns:
  launch: {from: 2026-12-01, to: 2026-12-15}
"""
CONFIG_FILES = ("channels.yaml", "calendar.yaml")
REFUSED = "nothing is published until `smmgen check` passes"
SENT = ("would publish", "published")


def post(ident: str, when: str, *, extra: str = "", body: str = "Hello, world.") -> str:
    return f"---\nid: {ident}\ntitle: Post {ident}\npublish_at: {when}\n{extra}---\n{body}\n"


GOOD = {
    "good-a.md": post("good-a", "2026-11-25 10:00"),
    "good-b.md": post("good-b", "2026-11-25 10:30"),
}

# A post that `check` rejects, one per kind of error: (id, time) -> file text.
Breakage = Callable[[str, str], "str | bytes"]
POST_BREAKAGES: dict[str, Breakage] = {
    "invalid-yaml": lambda i, w: post(i, w, extra="tags: [a\n"),
    "unclosed-front-matter": lambda i, w: f"---\nid: {i}\npublish_at: {w}\nHello.\n",
    "unknown-key": lambda i, w: post(i, w, extra="tittle: typo\n"),
    "wrong-type": lambda i, w: post(i, w, extra="tags: 5\n"),
    "bad-time": lambda i, w: post(i, w.replace(" ", " 2"), extra=""),
    "time-out-of-range": lambda i, w: post(i, "9999-12-31 23:30"),
    "time-in-a-dst-gap": lambda i, w: post(i, "2027-03-28 02:30"),
    "time-without-a-time": lambda i, w: post(i, w.split()[0]),
    "unknown-channel": lambda i, w: post(i, w, extra="channels: [feed, nope]\n"),
    "unknown-campaign": lambda i, w: post(i, w, extra="campaign: nope\n"),
    "bad-id": lambda i, w: post(f"{i} x", w),
    "override-changes-channels": lambda i, w: post(
        i, w, extra="overrides:\n  feed:\n    channels: [masto]\n"
    ),
    "empty-file": lambda i, w: "",
    "not-utf8": lambda i, w: post(i, w).encode() + b"\xff\xfe\n",
    "nul-byte": lambda i, w: post(i, w).encode() + b"a\x00b\n",
    "secret-in-text": lambda i, w: post(i, w, body="token ghp_" + "a1B2" * 10),
    "banned-phrase": lambda i, w: post(i, w, body="Guaranteed returns for all!"),
    "missing-alt-text": lambda i, w: post(i, w, extra="media:\n  - path: media/a.png\n"),
    "missing-media": lambda i, w: post(i, w, extra="media:\n  - path: media/x.png\n    alt: X\n"),
    "too-long-for-one-channel": lambda i, w: post(
        i, w, extra="thread: false\n", body="word " * 150
    ),
    "sponsored-without-disclosure": lambda i, w: post(i, w, extra="sponsored: true\n"),
    "too-many-hashtags": lambda i, w: post(i, w, extra="tags: [a, b, c]\n"),
    "outside-its-campaign": lambda i, w: post(i, w, extra="campaign: launch\n"),
    "no-text": lambda i, w: post(i, w, body=""),
    "duplicate-id": lambda i, w: post("good-a", w),
    "too-close-to-another-post": lambda i, w: post(i, "2026-11-25 10:05"),
}

# What stops every channel: the configuration and the templates it names.
PROJECT_BREAKAGES: dict[str, dict[str, str]] = {
    "missing-template": {"channels": CHANNELS.replace("    title: News\n", "    template: x.j2\n")},
    "time-zone-typo": {"calendar": CALENDAR.replace("Europe/Berlin", "Europe/Berln")},
    "unknown-key-in-a-channel": {
        "channels": CHANNELS.replace("    title: News\n", "    tittle: News\n")
    },
    "tab-in-channels.yaml": {"channels": CHANNELS.replace("  feed:\n    type", "  feed:\n\ttype")},
    "bad-duration": {"calendar": CALENDAR.replace("max_lateness: 6h", "max_lateness: 6 hours")},
    "blackout-ends-before-it-starts": {
        "calendar": CALENDAR + "blackout:\n  - {from: 2026-12-02, to: 2026-12-01}\n"
    },
}


def build(make_project: MakeProject, files: dict[str, str | bytes], **config: str) -> Path:
    root = make_project(
        channels=config.get("channels", CHANNELS),
        calendar=config.get("calendar", CALENDAR),
        posts={**GOOD, **files},
        media=["media/a.png"],
    )
    (root / "ledger").mkdir(exist_ok=True)
    return root


def finding_text(finding: dict[str, Any]) -> str:
    """A finding of `check --format json` as `check` prints it."""
    where = finding["file"] + (f":{finding['line']}" if finding["line"] else "")
    body = f"{finding['key']}: {finding['message']}" if finding["key"] else finding["message"]
    return f"{where}: error: {body}" + (f"; {finding['hint']}" if finding["hint"] else "")


def errors_of_check(run: Any, root: Path) -> list[dict[str, Any]]:
    result = run("--root", root, "check", "--format", "json", "--no-cache")
    findings = json.loads(result.stdout)["findings"]
    return [f for f in findings if f["severity"] == "error"]


def due_items(run: Any, root: Path) -> set[tuple[str, str, str]]:
    """(post, channel, file) of every item due now, as `plan` sees them."""
    plan = json.loads(run("--root", root, "plan", "--format", "json").stdout)
    return {(i["post"], i["channel"], i["file"]) for i in plan["items"] if i["status"] == "due"}


def assert_publish_refuses_what_check_rejects(run: Any, root: Path, *args: str) -> dict[str, Any]:
    """The property, for one project: returns publish's JSON report (empty when it stopped)."""
    errors = errors_of_check(run, root)
    assert errors, "the fixture must be an error for `check`"
    project_wide = [f for f in errors if not (f["file"] or "").startswith("content/")]
    due = set() if project_wide else due_items(run, root)  # plan stops on them too
    result = run("--root", root, "publish", "--format", "json", *args)
    assert "internal error" not in result.output
    assert result.exit_code == 1, result.output
    if project_wide:  # configuration or templates: nothing at all is sent
        assert REFUSED in result.output
        for finding in project_wide:
            assert finding_text(finding) in result.output
        assert not list((root / "ledger").iterdir())
        return {}
    report = json.loads(result.stdout)
    loaded = {p.file for p in smmgen.load(root).posts}

    def rejected(file: str, channel: str) -> bool:
        return any(f["file"] == file and f["channel"] in (None, channel) for f in errors)

    outcome = {(i["post"], i["channel"]): i["outcome"] for i in report["items"]}
    for post_id, channel, file in due:
        if rejected(file, channel):
            assert outcome[(post_id, channel)] not in SENT, (post_id, channel, outcome)
            assert outcome[(post_id, channel)] == "failed"
        else:  # what check accepts still goes out
            assert outcome[(post_id, channel)] in SENT, (post_id, channel, outcome)
    sent = {item for item, o in outcome.items() if o in SENT}
    assert sent == {(p, c) for p, c, f in due if not rejected(f, c)}
    assert "ghp_" not in result.output  # a secret found in a post is never echoed
    unloadable = {f["file"] for f in errors if f["file"].startswith("content/")} - loaded
    reported = [f["file"] for f in report["not_loaded"]]
    assert sorted(reported) == sorted(unloadable)  # one entry per file that does not load
    for entry in report["not_loaded"]:
        assert entry["line"]
        assert entry["message"]
    return report


def test_the_fixture_publishes_everything_when_nothing_is_broken(run, make_project) -> None:  # type: ignore[no-untyped-def]
    root = build(make_project, {})
    assert errors_of_check(run, root) == []
    result = run("--root", root, "publish", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    outcome = {(i["post"], i["channel"]): i["outcome"] for i in json.loads(result.stdout)["items"]}
    assert outcome == {
        (p, c): "would publish" for p in ("good-a", "good-b") for c in ("feed", "masto")
    }


@pytest.mark.parametrize("kind", sorted(POST_BREAKAGES))
def test_a_post_check_rejects_is_not_sent(run, make_project, kind: str) -> None:  # type: ignore[no-untyped-def]
    text = POST_BREAKAGES[kind]("broken", "2026-11-25 11:00")
    root = build(make_project, {"broken.md": text})
    report = assert_publish_refuses_what_check_rejects(run, root, "--dry-run")
    text_out = run("--root", root, "publish", "--dry-run").output
    for entry in report["not_loaded"]:  # one line per file, with its line and message
        assert f"{entry['file']}:{entry['line']}: error:" in text_out


@pytest.mark.parametrize("kind", sorted(PROJECT_BREAKAGES))
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_configuration_check_rejects_sends_nothing(  # type: ignore[no-untyped-def]
    run, make_project, kind: str, dry_run: bool
) -> None:
    root = build(make_project, {}, **PROJECT_BREAKAGES[kind])
    assert_publish_refuses_what_check_rejects(run, root, *(["--dry-run"] if dry_run else []))
    assert not (root / "public").exists()  # no feed written


@pytest.mark.parametrize("kind", ["invalid-yaml", "bad-time", "too-close-to-another-post"])
def test_publishing_for_real_sends_nothing_check_rejects(run, make_project, kind: str) -> None:  # type: ignore[no-untyped-def]
    text = POST_BREAKAGES[kind]("broken", "2026-11-25 11:00")
    root = build(make_project, {"broken.md": text}, channels=FEED_ONLY)
    assert_publish_refuses_what_check_rejects(run, root)
    records = [
        json.loads(line)
        for line in (root / "ledger" / "feed.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert {r["post"] for r in records if r["event"] == "published"} == {"good-a", "good-b"}
    again = run("--root", root, "publish", "--format", "json")  # and on every later run
    assert again.exit_code == 1
    assert all(i["outcome"] not in SENT for i in json.loads(again.stdout)["items"])


def test_the_text_report_names_each_file_that_does_not_load(run, make_project) -> None:  # type: ignore[no-untyped-def]
    files = {
        "b1.md": POST_BREAKAGES["invalid-yaml"]("b1", "2026-11-25 11:00"),
        "b2.md": POST_BREAKAGES["unknown-key"]("b2", "2026-11-25 11:00"),
    }
    root = build(make_project, files)
    first = {}  # the first error of each file, as `check` prints it
    for finding in errors_of_check(run, root):
        first.setdefault(finding["file"], finding_text(finding))
    assert sorted(first) == ["content/b1.md", "content/b2.md"]
    result = run("--root", root, "publish", "--dry-run")
    assert result.exit_code == 1
    assert "2 post files do not load" in result.output
    for text in first.values():
        assert text in result.output
    assert result.output.rstrip().endswith("4 would publish, 2 not loaded")
    markdown = run("--root", root, "publish", "--dry-run", "--format", "markdown").output
    for text in first.values():
        assert text.split("; ")[0] in markdown


# -- any mix of them ------------------------------------------------------------------------

TIMES = [f"2026-11-25 {h:02d}:{m:02d}" for h in (9, 10, 11) for m in range(0, 60, 5)]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(POST_BREAKAGES)), st.sampled_from(TIMES)),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.sampled_from(TIMES), min_size=0, max_size=3),
)
def test_any_mix_of_broken_posts(run, tmp_path_factory, breakages, fine) -> None:  # type: ignore[no-untyped-def]
    """Broken posts among good ones at nearby times (min_gap, duplicate ids and
    unloadable files interact): `publish` sends exactly what `check` accepts."""
    root = tmp_path_factory.mktemp("mix")
    for name, text in (("channels.yaml", CHANNELS), ("calendar.yaml", CALENDAR)):
        write(root / name, text)
    write(root / "media" / "a.png", b"\x89PNG\r\n\x1a\n")
    (root / "ledger").mkdir()
    files: dict[str, str | bytes] = dict(GOOD)
    for number, when in enumerate(fine):
        files[f"fine-{number}.md"] = post(f"fine-{number}", when)
    for number, (kind, when) in enumerate(breakages):
        files[f"broken-{number}.md"] = POST_BREAKAGES[kind](f"broken-{number}", when)
    for name, text in files.items():
        write(root / "content" / name, text)
    assert_publish_refuses_what_check_rejects(run, root, "--dry-run")


def test_publish_of_a_post_whose_file_does_not_load_says_so(
    make_project: MakeProject, run: Callable[..., Result]
) -> None:
    """`--post ID` where ID's file does not load: the error names the broken file."""
    root = make_project(
        posts={"broken.md": "---\nid: launch\npublish_at: [not, a, time\n---\nHello\n"}
    )
    result = run("--root", root, "publish", "--dry-run", "--post", "launch")
    assert result.exit_code == 2
    assert "no post has this id" in result.output
    assert "content/broken.md" in result.output
    assert "smmgen check" in result.output


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_broken_channel_is_a_configuration_error_also_with_channel(
    make_project: MakeProject, run: Callable[..., Result], dry_run: bool
) -> None:
    """`publish --channel X` (as the sharded workflow runs it) on a channels.yaml
    whose channel X is broken reports the configuration, not "no such channel"."""
    channels = "channels:\n  masto:\n    type: mastodonn\n    instance: https://m.example\n"
    root = make_project(channels=channels)
    args = ["--root", root, "publish", "--channel", "masto"] + (["--dry-run"] if dry_run else [])
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "channels.yaml" in result.output
    assert "no such channel" not in result.output
