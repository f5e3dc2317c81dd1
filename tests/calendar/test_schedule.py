"""smmgen schedule: next free slots, deterministic, idempotent, one line per file."""

from __future__ import annotations

import difflib

from tests.conftest import CALENDAR_YAML, MakeProject

AT = "2026-11-30 08:00"  # Monday, before the 09:00 slot

UNSCHEDULED = {
    "2026/a.md": "---\nid: a\ntitle: First  # keep this comment\ntags: [x]\n---\nA text.\n",
    "2026/b.md": "---\n# a comment first\nid: b\ntitle: Second\n---\nB text.\n\n---\n\nPart 2.\n",
    "2026/c.md": "---\nid: c\ntitle: LinkedIn only\nchannels: [linkedin]\n---\nC.\n",
    "2026/d.md": "---\nid: d\ntitle: A draft\ndraft: true\n---\nD.\n",
    "2026/e.md": "---\r\nid: e\r\ntitle: Windows\r\n---\r\nE.\r\n",
}
CALENDAR = CALENDAR_YAML.replace(
    'default: ["Mon 09:00", "Wed 12:30"]',
    'default: ["Mon 09:00", "Wed 12:30"]\n  linkedin: ["Tue 08:30"]',
)


def project(make_project: MakeProject, **extra: str):
    posts = {**UNSCHEDULED, "2026/z.md": "---\nid: z\npublish_at: 2026-12-02 12:30\n---\nZ.\n"}
    posts.update(extra)
    return make_project(calendar=CALENDAR, posts=posts)


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.ndiff(before.decode().splitlines(True), after.decode().splitlines(True))
    return [line for line in diff if line[:2] in ("- ", "+ ")]


def test_schedule_assigns_the_next_free_slots(make_project: MakeProject, run) -> None:
    root = project(make_project)
    result = run("--root", root, "schedule", "--at", AT)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "content/2026/a.md: gets publish_at 2026-11-30 09:00 CET (08:00 UTC) on mastodon, bluesky",
        # Wed 12:30 is taken on both channels by z: the next Monday
        "content/2026/b.md: gets publish_at 2026-12-07 09:00 CET (08:00 UTC) on mastodon, bluesky",
        "content/2026/c.md: gets publish_at 2026-12-01 08:30 CET (07:30 UTC) on linkedin",
        "content/2026/e.md: gets publish_at 2026-12-09 12:30 CET (11:30 UTC) on mastodon, bluesky",
    ]


def test_only_the_publish_at_line_changes(make_project: MakeProject, run) -> None:
    root = project(make_project)
    before = {p: (root / "content" / p).read_bytes() for p in UNSCHEDULED}
    run("--root", root, "schedule", "--at", AT)
    for name, old in before.items():
        new = (root / "content" / name).read_bytes()
        if name == "2026/d.md":
            assert new == old  # drafts are not scheduled
            continue
        diff = changed_lines(old, new)
        assert len(diff) == 1, (name, diff)
        assert diff[0].startswith("+ publish_at: 2026-")
    assert b"publish_at: 2026-12-09 12:30\r\n" in (root / "content/2026/e.md").read_bytes()


def test_a_second_run_changes_nothing(make_project: MakeProject, run) -> None:
    root = project(make_project)
    run("--root", root, "schedule", "--at", AT)
    snapshot = {p: p.read_bytes() for p in (root / "content").rglob("*.md")}
    result = run("--root", root, "schedule", "--at", AT)
    assert result.exit_code == 0
    assert result.output == "nothing to schedule: every post has a publish_at (or is a draft)\n"
    assert {p: p.read_bytes() for p in (root / "content").rglob("*.md")} == snapshot
    assert run("--root", root, "check", "--at", AT).exit_code == 0


def test_deterministic(make_project: MakeProject, run, tmp_path) -> None:
    first = run("--root", project(make_project), "schedule", "--at", AT, "--dry-run").output
    assert "would get" in first
    second = run("--root", project(make_project), "schedule", "--at", AT, "--dry-run").output
    assert first == second


def test_dry_run_writes_nothing(make_project: MakeProject, run) -> None:
    root = project(make_project)
    snapshot = {p: p.read_bytes() for p in (root / "content").rglob("*.md")}
    run("--root", root, "schedule", "--at", AT, "--dry-run")
    assert {p: p.read_bytes() for p in (root / "content").rglob("*.md")} == snapshot


def test_blackout_and_named_posts(make_project: MakeProject, run) -> None:
    root = project(make_project)
    result = run("--root", root, "schedule", "--at", "2026-12-22 13:00", "d", "content/2026/a.md")
    # Wed 23rd 12:30 free; Mon 28th is after the blackout (24-26); named drafts are scheduled
    assert result.output.splitlines() == [
        "content/2026/a.md: gets publish_at 2026-12-23 12:30 CET (11:30 UTC) on mastodon, bluesky",
        "content/2026/d.md: gets publish_at 2026-12-28 09:00 CET (08:00 UTC) on mastodon, bluesky",
    ]


def test_named_post_already_scheduled(make_project: MakeProject, run) -> None:
    root = project(make_project)
    result = run("--root", root, "schedule", "--at", AT, "z")
    assert result.output == "content/2026/z.md: already scheduled; unchanged\n"


def test_no_slots(make_project: MakeProject, run) -> None:
    root = make_project(calendar="timezone: UTC\n", posts={"a.md": "---\nid: a\n---\nA.\n"})
    result = run("--root", root, "schedule")
    assert result.exit_code == 1
    assert (
        "error: content/a.md: cannot be scheduled: calendar.yaml has no slots for its channels"
        in result.output
    )


def test_a_file_that_cannot_be_edited_is_reported(
    make_project: MakeProject, run, monkeypatch
) -> None:
    def refuse(path, value):
        raise ValueError(f"{path.name}, line 3: the title's flow mapping continues there")

    monkeypatch.setattr("smmgen.commands.schedule.set_publish_at", refuse)
    root = project(make_project)
    result = run("--root", root, "schedule", "--at", AT, "a")
    assert result.exit_code == 1
    assert result.output == (
        "error: content/2026/a.md: cannot be scheduled: the file was not changed: a.md,"
        " line 3: the title's flow mapping continues there\n"
    )
