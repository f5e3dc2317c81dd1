"""Regressions for defects found in review: each test reproduces the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smmgen.adapt.threads import explicit_parts, split
from smmgen.loader.yamlfile import YamlProblem, parse
from tests.conftest import CALENDAR_YAML, CHANNELS_YAML, MakeProject
from tests.dialects import render

ALL = CHANNELS_YAML.replace(
    "  feed:\n    type: feed\n",
    "  feed:\n    type: feed\n"
    "  telegram: {type: telegram, chat_id: '@c', token_env: T}\n"
    "  discord: {type: discord, webhook_url_env: T}\n"
    "  slack: {type: slack, webhook_url_env: T}\n",
)


def none(name: str) -> str | None:
    return None


def lines(result, prefix: str = "content/") -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith(prefix)]


# -- security and crashes ------------------------------------------------------------


@pytest.mark.parametrize("post_id", ["a/../../escaped", "a/./b", "/abs", "a//b"])
def test_ids_with_dot_segments_are_refused(make_project: MakeProject, run, post_id) -> None:
    root = make_project(posts={"a.md": f"---\nid: {post_id}\n---\nHello\n"})
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert f"content/a.md:2: error: id: '{post_id}' is not a usable id" in result.output


def test_a_secret_is_not_quoted_even_in_part(make_project: MakeProject, run) -> None:
    token = "sk-proj-" + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop1234"
    root = make_project(posts={"a.md": f"---\nid: a\nthread: {token}\n---\nHello\n"})
    output = run("--root", root, "check", "--format", "json").output
    assert token[:20] not in output
    assert "text that looks like a secret (not shown)" in output


def test_recursive_alias_and_alias_bomb_are_findings() -> None:
    assert parse("id: a\ntags: &t [a, *t]\n", first_line=2) == YamlProblem(
        "invalid YAML: an alias refers to the value that contains it", 3
    )
    bomb = "t: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"k{i}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
    )
    problem = parse(bomb)
    assert isinstance(problem, YamlProblem)
    assert "aliases expand it to more than 20,000 values" in problem.message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9999-12-31T23:59:00-12:00", "is out of the range of dates smmgen can use"),
        ("2026-12-01T09:00:00+25:00", "offsets between -23:59 and +23:59"),
    ],
)
def test_extreme_dates_are_findings(make_project: MakeProject, run, value, message) -> None:
    root = make_project(posts={"a.md": f"---\nid: a\npublish_at: {value}\n---\nHi\n"})
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert message in result.output


def test_huge_duration_is_a_finding(make_project: MakeProject, run) -> None:
    root = make_project(calendar=CALENDAR_YAML.replace("min_gap: 10m", "min_gap: 99999999999d"))
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert "min_gap: '99999999999d' is longer than a year" in result.output


def test_nul_in_a_media_path_is_a_finding(make_project: MakeProject, run) -> None:
    post = '---\nid: a\nmedia:\n  - path: "media/a\\0b.png"\n    alt: x\n---\nHi\n'
    result = run("--root", make_project(posts={"a.md": post}), "check")
    assert result.exit_code == 1
    assert "is not a file path" in result.output


def test_init_where_content_is_a_file(tmp_path: Path, run) -> None:
    (tmp_path / "content").write_text("x")
    result = run("init", tmp_path)
    assert result.exit_code == 1
    assert "has a file where init needs a directory: content" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]  # nothing written


def test_schema_name_with_out_writes_only_that_one(tmp_path: Path, run) -> None:
    result = run("schema", "channels", "--out", tmp_path)
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["channels.schema.json"]


# -- wrong results ---------------------------------------------------------------------


def test_yaml_numbers_are_plain_decimals() -> None:
    doc = parse("id: 2026:12\ntitle: 10:30\ntags: [0x1F, 1_000]\n")
    assert not isinstance(doc, YamlProblem)
    assert doc.data == {"id": "2026:12", "title": "10:30", "tags": ["0x1F", "1_000"]}


def test_only_true_and_false_are_booleans(make_project: MakeProject, run) -> None:
    root = make_project(posts={"a.md": "---\nid: a\ndraft: 'yes'\n---\nHi\n"})
    assert (
        "draft: expected true or false, got the text 'yes'" in run("--root", root, "check").output
    )


@pytest.mark.parametrize(
    "post",
    [
        "---\nid: a\n---\n---\n",
        "---\nid: a\noverrides:\n  mastodon:\n    text: '   '\n---\nHello\n",
        "---\nid: a\n---\n<!-- only a note -->\n",
    ],
)
def test_empty_posts_are_errors(make_project: MakeProject, run, post) -> None:
    result = run("--root", make_project(posts={"a.md": post}), "check")
    assert result.exit_code == 1
    assert "the post has no text for" in result.output


def test_a_post_that_goes_nowhere_is_a_warning(make_project: MakeProject, run) -> None:
    root = make_project(posts={"a.md": "---\nid: a\nchannels: []\n---\nHi\n"})
    assert lines(run("--root", root, "check")) == [
        "content/a.md:3: warning: channels: the post goes to no channel; list channels in"
        " `channels`, or set defaults.channels in channels.yaml"
    ]


def test_new_refuses_all_with_other_channels(make_project: MakeProject, run) -> None:
    result = run("--root", make_project(), "new", "x", "--channels", "all,feed")
    assert result.exit_code == 2
    assert "'all' cannot be combined with other channels" in result.output


def test_new_with_non_latin_titles_gets_distinct_files(make_project: MakeProject, run) -> None:
    root = make_project()
    first = run("--root", root, "new", "Привет мир").output
    second = run("--root", root, "new", "你好世界").output
    assert first != second
    # transliterated since issue 14 (item 6); a title with no letters to
    # transliterate still gets post-<hash>
    assert first.startswith("created content/2026/11/2026-11-25-privet-mir.md")


def test_negative_max_hashtags_is_a_config_error(make_project: MakeProject, run) -> None:
    channels = CHANNELS_YAML.replace(
        "max_hashtags: {default: 3, linkedin: 5}", "max_hashtags: {default: -3}"
    )
    result = run("--root", make_project(channels=channels), "check")
    assert "channels.yaml:" in result.output
    assert "policy.max_hashtags.default" in result.output


def test_check_path_outside_the_project(make_project: MakeProject, run, tmp_path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text("x")
    result = run("--root", make_project(), "check", outside)
    assert result.exit_code == 2
    assert "is outside the project" in result.output


def test_a_symlinked_post_outside_the_repository_is_not_loaded(
    make_project: MakeProject, run, tmp_path
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\nid: x\n---\nSecret plans\n")
    root = make_project()
    (root / "content" / "link.md").symlink_to(outside)
    assert lines(run("--root", root, "check")) == [
        "content/link.md:1: error: is a link to a file outside the repository; it is not"
        " loaded; copy the post into content/ instead of linking to it"
    ]


# -- rendering ---------------------------------------------------------------------------


def test_nested_lists_indent_two_spaces_per_level() -> None:
    assert render("- a\n  - b\n    - c\n      - d\n", "plain", none) == (
        "• a\n  • b\n    • c\n      • d"
    )


def test_mentions_inside_urls_are_left_alone() -> None:
    out = render("See https://example.com/?u=@alice and @alice", "plain", {"alice": "@al@x.y"}.get)
    assert out == "See https://example.com/?u=@alice and @al@x.y"


def test_linkedin_escapes_parentheses_and_quote_markers_it_writes() -> None:
    out = render("Read [the docs](https://example.com/docs) now.\n\n> Quoted", "linkedin", none)
    assert out == "Read the docs \\(https://example.com/docs\\) now.\n\n\\> Quoted"


def test_telegram_never_nests_quotes_or_puts_entities_in_links() -> None:
    out = render("> outer\n> > inner\n\n[`code` and **b**](https://e.com)", "telegram", none)
    assert out.count("<blockquote>") == 1
    assert '<a href="https://e.com">code and b</a>' in out


def test_discord_escapes_outside_links_and_keeps_the_authors_escapes() -> None:
    out = render("Visit https://example.com/~user/a_b \\# not a heading, \\_x\\_", "discord", none)
    assert "https://example.com/~user/a_b" in out
    assert "\\_x\\_" in out


def test_html_comments_are_not_published() -> None:
    assert render("Hello <!-- a note --> world", "plain", none) == "Hello  world"


def test_a_longer_fence_is_closed_only_by_a_fence_as_long() -> None:
    text = "````markdown\n```yaml\n---\ntitle: x\n---\n```\n````\n---\nnext"
    assert explicit_parts(text) == (text.rsplit("\n---\n", 1)[0], "next")


def test_hard_cuts_never_split_an_emoji() -> None:
    family = "👨‍👩‍👧‍👦"
    parts = split(family * 30, lambda t: len(t.encode("utf-16-le")) // 2 <= 40)
    for part in parts:
        body = part.rsplit(" ", 1)[0]
        assert body.replace(family, "") == "", part


def test_slack_link_escaping_counts_in_check(make_project: MakeProject, run) -> None:
    body = "x" * 39915
    post = f"---\nid: s\nchannels: [slack]\nlink: https://example.com/p?a=1&b=2&c=3\n---\n{body}\n"
    root = make_project(channels=ALL, posts={"s.md": post})
    checked = lines(run("--root", root, "check"))
    shown = json.loads(run("--root", root, "show", "s", "--format", "json").output)
    assert shown["variants"][0]["length"] > 40000
    assert any("slack: text is" in line for line in checked)


# -- calendar ----------------------------------------------------------------------------


def test_status_compares_instants_across_dst(make_project: MakeProject, run) -> None:
    calendar = CALENDAR_YAML.replace("max_lateness: 6h", "max_lateness: 150m")
    post = "---\nid: a\npublish_at: 2026-10-25 01:30\n---\nHi\n"
    root = make_project(calendar=calendar, posts={"a.md": post})
    for at in ("2026-10-25 03:30", "2026-10-25T02:30:00Z"):  # the same instant
        result = run("--root", root, "plan", "--format", "json", "--at", at, "--from", "2026-10-01")
        assert {i["status"] for i in json.loads(result.output)["items"]} == {"missed"}, at


def test_plan_orders_by_instant_across_dst(make_project: MakeProject, run) -> None:
    posts = {
        "a.md": "---\nid: a\npublish_at: 2026-10-25T02:50:00+02:00\nchannels: [feed]\n---\nA\n",
        "b.md": "---\nid: b\npublish_at: 2026-10-25T02:10:00+01:00\nchannels: [feed]\n---\nB\n",
    }
    root = make_project(posts=posts)
    result = run("--root", root, "plan", "--format", "json", "--at", "2026-10-01 00:00")
    assert [i["post"] for i in json.loads(result.output)["items"]] == ["a", "b"]


def test_whole_days_in_a_zone_that_skips_midnight(make_project: MakeProject, run) -> None:
    calendar = "timezone: America/Santiago\n"
    root = make_project(calendar=calendar)
    result = run("--root", root, "plan", "--from", "2026-09-06", "--to", "2026-09-05")
    assert result.exit_code == 2
    assert "--to is before --from" in result.output  # both days parsed, no DST error


def test_schedule_respects_min_gap_across_spring_forward(make_project: MakeProject, run) -> None:
    calendar = CALENDAR_YAML.replace(
        'default: ["Mon 09:00", "Wed 12:30"]', 'default: ["Sun 01:58"]'
    )
    posts = {
        "fixed.md": "---\nid: fixed\npublish_at: 2027-03-28 03:05\nchannels: [mastodon]\n---\nF\n",
        "new.md": "---\nid: new\nchannels: [mastodon]\n---\nN\n",
    }
    root = make_project(calendar=calendar, posts=posts)
    result = run("--root", root, "schedule", "--at", "2027-03-27 12:00")
    assert "2027-03-28" not in result.output
    assert run("--root", root, "check", "--at", "2027-03-27 12:00").exit_code == 0


def test_a_post_timed_per_channel_is_not_rescheduled(make_project: MakeProject, run) -> None:
    post = (
        "---\nid: o\nchannels: [mastodon]\noverrides:\n  mastodon:\n"
        "    publish_at: 2026-12-01 10:00\n---\nO\n"
    )
    root = make_project(posts={"o.md": post})
    result = run("--root", root, "schedule", "--at", "2026-11-25 12:00")
    assert result.output == "nothing to schedule: every post has a publish_at (or is a draft)\n"


def test_build_fails_when_posts_cannot_be_loaded(make_project: MakeProject, run, tmp_path) -> None:
    root = make_project(posts={"h.md": "---\nid: h\ntitle: a\ntitle: b\n---\nHi\n"})
    result = run("--root", root, "build", "--out", tmp_path / "site")
    assert result.exit_code == 1
    assert "1 post file could not be loaded and has no variants (content/h.md)" in result.output


def test_a_channel_type_that_is_not_text(make_project: MakeProject, run) -> None:
    channels = "channels:\n  feed:\n    type: [feed]\n"
    result = run("--root", make_project(channels=channels, posts={}), "check")
    assert "channels.yaml:3: error: channels.feed.type: expected one channel type as text," in (
        result.output
    )


def test_a_limit_below_one_says_what_it_got(make_project: MakeProject, run) -> None:
    channels = "channels:\n  feed: {type: feed, limits: {max_chars: -1}}\n"
    result = run("--root", make_project(channels=channels, posts={}), "check")
    assert (
        "channels.feed.limits.max_chars: expected a number greater than 0, got the number -1"
        in result.output
    )


def test_init_with_an_empty_timezone(tmp_path: Path, run) -> None:
    result = run("init", tmp_path / "x", "--timezone", "")
    assert result.exit_code == 2
    assert "--timezone is empty" in result.output


def test_posts_refused_as_duplicates_are_not_counted(make_project: MakeProject, run) -> None:
    same = "---\nid: same\n---\nHi\n"
    result = run("--root", make_project(posts={"a.md": same, "b.md": same}), "check")
    assert "checked 1 post," in result.output.splitlines()[-1]
