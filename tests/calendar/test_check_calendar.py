"""check's calendar findings: blackout, min_gap, campaign dates, past times."""

from __future__ import annotations

from tests.conftest import MakeProject


def post(name: str, when: str, extra: str = "") -> str:
    return f"---\nid: {name}\ntitle: {name}\npublish_at: {when}\n{extra}---\nText of {name}.\n"


def lines(result, prefix: str = "content/") -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith(prefix)]


AT = "2026-11-25 12:00"


def test_scheduled_inside_a_blackout(make_project: MakeProject, run) -> None:
    root = make_project(posts={"a.md": post("a", "2026-12-25 10:00")})
    result = run("--root", root, "check", "--at", AT)
    assert result.exit_code == 1
    assert lines(result) == [
        "content/a.md:4: error: publish_at: 2026-12-25 10:00 is in the blackout 2026-12-24 to"
        " 2026-12-26: Holidays; nothing publishes then; move it out of the blackout, or remove"
        " publish_at and run `smmgen schedule`"
    ]


def test_two_posts_closer_than_min_gap_on_one_channel(make_project: MakeProject, run) -> None:
    root = make_project(
        posts={
            "a.md": post("a", "2026-12-01 09:00"),
            "b.md": post("b", "2026-12-01 09:05"),
            "c.md": post("c", "2026-12-01 09:05", "channels: [linkedin]\n"),
        }
    )
    result = run("--root", root, "check", "--at", AT)
    assert result.exit_code == 1
    assert lines(result) == [
        "content/b.md:4: error: bluesky: 2026-12-01 09:05 is 5m after content/a.md"
        " (2026-12-01 09:00); min_gap is 10m; move one of them, or lower min_gap in calendar.yaml",
        "content/b.md:4: error: mastodon: 2026-12-01 09:05 is 5m after content/a.md"
        " (2026-12-01 09:00); min_gap is 10m; move one of them, or lower min_gap in calendar.yaml",
    ]


def test_min_gap_uses_per_channel_overrides(make_project: MakeProject, run) -> None:
    extra = "overrides:\n  mastodon:\n    publish_at: 2026-12-01 11:00\n"
    root = make_project(
        posts={"a.md": post("a", "2026-12-01 09:00"), "b.md": post("b", "2026-12-01 09:05", extra)}
    )
    found = lines(run("--root", root, "check", "--at", AT))
    assert [f.split(": ")[2] for f in found] == ["bluesky"]


def test_campaign_post_outside_the_campaign(make_project: MakeProject, run) -> None:
    root = make_project(posts={"a.md": post("a", "2026-12-20 09:00", "campaign: launch\n")})
    assert lines(run("--root", root, "check", "--at", AT)) == [
        "content/a.md:4: error: publish_at: 2026-12-20 09:00 is outside the campaign 'launch'"
        " (2026-12-01 to 2026-12-15); move the post into the campaign's dates, or change the"
        " campaign"
    ]


def test_past_times_are_warnings_late_or_missed(make_project: MakeProject, run) -> None:
    root = make_project(
        posts={"a.md": post("a", "2026-12-01 09:00"), "b.md": post("b", "2026-12-03 09:00")}
    )
    result = run("--root", root, "check", "--at", "2026-12-03 10:00")
    assert result.exit_code == 0
    assert lines(result) == [
        "content/a.md:4: warning: publish_at: 2026-12-01 09:00 is 2d1h in the past; more than"
        " max_lateness 6h: unless it was published, it will be reported as missed, not"
        " published; give it a future time, or remove publish_at and run `smmgen schedule`",
        "content/b.md:4: warning: publish_at: 2026-12-03 09:00 is 1h in the past; unless it was"
        " published, it goes out late, at the next publish run; give it a future time, or"
        " remove publish_at and run `smmgen schedule`",
    ]
    assert run("--root", root, "check", "--at", "2026-11-30 10:00").output.endswith(
        "no problems found\n"
    )


def test_drafts_and_disabled_channels_are_not_held_to_the_calendar(
    make_project: MakeProject, run
) -> None:
    root = make_project(
        posts={
            "a.md": post("a", "2026-12-25 10:00", "draft: true\n"),
            "b.md": post("b", "2026-12-01 09:00"),
            "c.md": post("c", "2026-12-01 09:01", "draft: true\n"),
        }
    )
    assert lines(run("--root", root, "check", "--at", AT)) == []


def test_bad_at_is_a_usage_error(make_project: MakeProject, run) -> None:
    result = run("--root", make_project(), "check", "--at", "2027-03-28 02:30")
    assert result.exit_code == 2
    assert "--at: 2027-03-28 02:30 does not exist in Europe/Berlin" in result.output
