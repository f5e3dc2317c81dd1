"""`smmgen new`, `smmgen init`, `smmgen schema` and the global options (SPEC §2-§5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from click.testing import Result

from smmgen import __version__
from smmgen.loader.yamlfile import YamlDoc, parse
from smmgen.loading import load_project as load
from tests.conftest import REPO
from tests.prerequisites import impossible_here

Run = Callable[..., Result]
BERLIN = ZoneInfo("Europe/Berlin")
DRAFT_NOTE = "it is a draft: set 'draft: false' when it is ready to publish"
SCHEMA_NAMES = ("front-matter", "channels", "calendar")


def lines(result: Result) -> list[str]:
    return result.output.splitlines()


def tree(directory: Path) -> dict[str, bytes]:
    """Every file below ``directory`` with its bytes."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def yaml_data(text: str) -> Any:
    doc = parse(text)
    assert isinstance(doc, YamlDoc), doc
    return doc.data


def front_matter(text: str) -> Any:
    """The parsed front matter of a post file (dates stay text)."""
    head, *rest = text.split("\n")
    assert head == "---"
    end = rest.index("---")
    return yaml_data("\n".join(rest[:end]))


# -- smmgen new ---------------------------------------------------------------


def test_new_writes_a_post_with_an_explicit_id(make_project, run):
    root = make_project()
    result = run("--root", root, "new", "v2 launch", "--at", "2026-12-01 09:00")
    assert result.exit_code == 0, result.output
    assert lines(result) == ["created content/2026/12/2026-12-01-v2-launch.md", DRAFT_NOTE]
    written = root / "content" / "2026" / "12" / "2026-12-01-v2-launch.md"
    assert written.read_text(encoding="utf-8") == (
        "---\n"
        "id: 2026-12-01-v2-launch\n"
        "title: v2 launch\n"
        "publish_at: 2026-12-01 09:00\n"
        "tags: []\n"
        "draft: true\n"
        "---\n"
        "v2 launch\n"
    )


def test_new_without_at_is_unscheduled_and_dated_today_in_the_calendar_zone(
    make_project, run, monkeypatch
):
    monkeypatch.delenv("SMMGEN_AT")  # the real today
    root = make_project()
    before = datetime.now(UTC).astimezone(BERLIN).date()
    result = run("--root", root, "new", "Tip of the week")
    after = datetime.now(UTC).astimezone(BERLIN).date()
    assert result.exit_code == 0, result.output
    candidates = {
        f"content/{d:%Y}/{d:%m}/{d.isoformat()}-tip-of-the-week.md": d for d in {before, after}
    }
    created = lines(result)[0].removeprefix("created ")
    assert created in candidates
    day = candidates[created]
    text = (root / created).read_text(encoding="utf-8")
    assert f"id: {day.isoformat()}-tip-of-the-week\n" in text
    assert "publish_at" not in text


def test_new_is_dated_by_smmgen_at(make_project, run, monkeypatch):
    monkeypatch.setenv("SMMGEN_AT", "2027-02-03 23:30")
    result = run("--root", make_project(), "new", "Late idea")
    assert lines(result)[0] == "created content/2027/02/2027-02-03-late-idea.md"


@pytest.mark.parametrize(
    "title",
    [
        "v2 launch: what's new",
        "Release 2.0: faster, smaller",
        "#1 tip: use slots",
        "@alice says hi",
        'The "quoted" word',
        "yes",
        "2026",
        "null",
        "key: value # not a comment",
        "[draft] {later}",
        "Grüße: Ünïcode ✓",
    ],
)
def test_new_title_round_trips(make_project, run, title):
    root = make_project()
    result = run("--root", root, "new", title, "--at", "2026-12-03 10:00")
    assert result.exit_code == 0, result.output
    path = root / lines(result)[0].removeprefix("created ")
    front = front_matter(path.read_text(encoding="utf-8"))
    assert front["title"] == title
    post = next(p for p in load(root).posts if p.file == path.relative_to(root).as_posix())
    assert post.front.title == title
    assert post.id == path.stem


def test_new_quotes_a_title_with_colon_space(make_project, run):
    root = make_project()
    result = run("--root", root, "new", "v2 launch: what's new", "--at", "2026-12-01 09:00")
    assert result.exit_code == 0
    path = root / "content/2026/12/2026-12-01-v2-launch-what-s-new.md"
    assert 'title: "v2 launch: what\'s new"\n' in path.read_text(encoding="utf-8")


def test_new_at_with_an_offset_keeps_it_and_dates_the_file_in_the_calendar_zone(make_project, run):
    root = make_project()
    # 23:30 in New York is 05:30 the next morning in Berlin
    result = run("--root", root, "new", "Late news", "--at", "2026-12-01T23:30:00-05:00")
    assert result.exit_code == 0, result.output
    assert lines(result)[0] == "created content/2026/12/2026-12-02-late-news.md"
    path = root / "content/2026/12/2026-12-02-late-news.md"
    text = path.read_text(encoding="utf-8")
    assert "id: 2026-12-02-late-news\n" in text
    assert "publish_at: 2026-12-01T23:30:00-05:00\n" in text
    (post,) = [p for p in load(root).posts if p.id == "2026-12-02-late-news"]
    assert post.publish_at == datetime(2026, 12, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))


def test_new_at_in_local_format_is_calendar_time(make_project, run):
    root = make_project()
    result = run("--root", root, "new", "Morning", "--at", "2027-07-01 9:05")
    assert result.exit_code == 0, result.output
    path = root / "content/2027/07/2027-07-01-morning.md"
    assert "publish_at: 2027-07-01 09:05\n" in path.read_text(encoding="utf-8")
    (post,) = [p for p in load(root).posts if p.id == "2027-07-01-morning"]
    assert post.publish_at == datetime(2027, 7, 1, 9, 5, tzinfo=BERLIN)
    assert post.publish_at.utcoffset() == timedelta(hours=2)


def test_new_with_channels(make_project, run):
    root = make_project()
    result = run(
        "--root", root, "new", "Two", "--at", "2026-12-01 09:00", "--channels", "mastodon, feed"
    )
    assert result.exit_code == 0, result.output
    text = (root / "content/2026/12/2026-12-01-two.md").read_text(encoding="utf-8")
    assert "channels: [mastodon, feed]\n" in text

    result = run("--root", root, "new", "Every", "--at", "2026-12-01 09:00", "--channels", "all")
    assert result.exit_code == 0, result.output
    text = (root / "content/2026/12/2026-12-01-every.md").read_text(encoding="utf-8")
    assert "channels: all\n" in text
    assert run("--root", root, "check").exit_code == 0


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        ("mastodn", "error: --channels: unknown channel 'mastodn'; did you mean 'mastodon'?"),
        (
            "mastodon,zzzz",
            "error: --channels: unknown channel 'zzzz';"
            " channels are 'bluesky', 'feed', 'linkedin' or 'mastodon'",
        ),
    ],
)
def test_new_rejects_unknown_channels(make_project, run, channels, message):
    root = make_project()
    before = tree(root)
    result = run("--root", root, "new", "Hello", "--channels", channels)
    assert result.exit_code == 2
    assert lines(result) == [message]
    assert tree(root) == before


def test_new_at_in_a_dst_gap_is_refused(make_project, run):
    root = make_project()
    before = tree(root)
    result = run("--root", root, "new", "Spring", "--at", "2027-03-28 02:30")
    assert result.exit_code == 2
    assert lines(result) == [
        "error: --at: 2027-03-28 02:30 does not exist in Europe/Berlin: clocks go forward that"
        " night (UTC+01:00 to UTC+02:00); pick a time outside the skipped interval, or write"
        " the time with an explicit offset"
    ]
    assert tree(root) == before


def test_new_at_in_a_dst_overlap_is_refused(make_project, run):
    root = make_project()
    result = run("--root", root, "new", "Autumn", "--at", "2026-10-25 02:30")
    assert result.exit_code == 2
    assert lines(result) == [
        "error: --at: 2026-10-25 02:30 happens twice in Europe/Berlin: clocks go back that"
        " night; write it with an explicit offset: 2026-10-25T02:30:00+02:00 (the first)"
        " or 2026-10-25T02:30:00+01:00 (the second)"
    ]


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (
            "tomorrow",
            "error: --at: 'tomorrow' is not a date and time; expected 'YYYY-MM-DD HH:MM'"
            " (calendar time zone) or ISO 8601 with an offset",
        ),
        (
            "2026-12-01",
            "error: --at: '2026-12-01' has a date but no time; write it as '2026-12-01 09:00'",
        ),
    ],
)
def test_new_rejects_unusable_times(make_project, run, when, message):
    result = run("--root", make_project(), "new", "Hello", "--at", when)
    assert result.exit_code == 2
    assert lines(result) == [message]


def test_new_rejects_an_empty_title(make_project, run):
    result = run("--root", make_project(), "new", "   ")
    assert result.exit_code == 2
    assert lines(result) == ["error: the title is empty; give the post a title, like 'v2 launch'"]


def test_new_refuses_to_overwrite(make_project, run):
    root = make_project()
    args = ("--root", root, "new", "v2 launch", "--at", "2026-12-01 09:00")
    assert run(*args).exit_code == 0
    path = root / "content/2026/12/2026-12-01-v2-launch.md"
    path.write_text(path.read_text(encoding="utf-8") + "My edits.\n", encoding="utf-8")
    before = tree(root)
    result = run(*args)
    assert result.exit_code == 1
    assert lines(result) == [
        "error: content/2026/12/2026-12-01-v2-launch.md already exists; choose another title"
    ]
    assert tree(root) == before


@pytest.mark.parametrize("draft", [[], ["--no-draft"]], ids=["draft", "no-draft"])
def test_the_created_post_passes_check(make_project, run, draft):
    root = make_project()
    result = run("--root", root, "new", "Hello @alice", "--at", "2026-12-02 09:00", *draft)
    assert result.exit_code == 0, result.output
    checked = run("--root", root, "check", "--strict")
    assert checked.exit_code == 0, checked.output
    assert lines(checked) == ["checked 2 posts, 4 channels: no problems found"]


def test_new_no_draft(make_project, run):
    root = make_project()
    result = run("--root", root, "new", "Ready", "--at", "2026-12-02 09:00", "--no-draft")
    assert result.exit_code == 0
    assert lines(result) == ["created content/2026/12/2026-12-02-ready.md"]
    text = (root / "content/2026/12/2026-12-02-ready.md").read_text(encoding="utf-8")
    assert "draft" not in text
    (post,) = [p for p in load(root).posts if p.id == "2026-12-02-ready"]
    assert not post.is_draft


def test_the_explicit_id_survives_a_rename(make_project, run):
    root = make_project()
    assert run("--root", root, "new", "Launch", "--at", "2026-12-02 09:00").exit_code == 0
    old = root / "content/2026/12/2026-12-02-launch.md"
    new = root / "content/launches/the-big-one.md"
    new.parent.mkdir(parents=True)
    old.rename(new)
    ids = {p.file: p.id for p in load(root).posts}
    assert ids["content/launches/the-big-one.md"] == "2026-12-02-launch"


# -- smmgen init --------------------------------------------------------------


def init_files(today: date) -> set[str]:
    return {
        "channels.yaml",
        "calendar.yaml",
        f"content/{today.isoformat()}-welcome.md",
        "templates/README.md",
        "media/README.md",
        ".gitattributes",
        ".gitignore",
        ".github/workflows/check.yml",
        ".github/workflows/publish.yml",
        "schemas/channels.schema.json",
        "schemas/calendar.schema.json",
        "schemas/front-matter.schema.json",
    }


def test_init_creates_a_project(tmp_path, run):
    target = tmp_path / "social"
    before = date.today()
    result = run("init", target, "--timezone", "Europe/Berlin")
    after = date.today()
    assert result.exit_code == 0, result.output
    files = set(tree(target))
    assert files in (init_files(before), init_files(after))
    assert lines(result)[0] == f"created a smmgen project in {target}:"
    listed = [line for line in lines(result) if line.startswith("  ")]
    assert sorted(listed) == sorted(f"  {name}" for name in files)
    assert f"the workflows install smmgen=={__version__}" in lines(result)
    assert lines(result)[-1] == (
        "next: edit channels.yaml, then run `smmgen check`; once the repository is pushed,"
        " create the ledger with `smmgen ledger init` (README: Setting it up)"
    )
    calendar = yaml_data((target / "calendar.yaml").read_text(encoding="utf-8"))
    assert calendar["timezone"] == "Europe/Berlin"


def test_an_initialised_project_passes_check_without_warnings(tmp_path, run):
    target = tmp_path / "social"
    assert run("init", target, "--timezone", "UTC").exit_code == 0
    result = run("--root", target, "check")
    assert result.exit_code == 0, result.output
    assert lines(result) == ["checked 1 post, 3 channels: no problems found"]
    report = json.loads(run("--root", target, "check", "--strict", "--format", "json").stdout)
    assert (report["ok"], report["errors"], report["warnings"]) == (True, 0, 0)


def test_init_uses_the_tz_environment_variable(tmp_path, run):
    target = tmp_path / "social"
    assert run("init", target, env={"TZ": "Asia/Tokyo"}).exit_code == 0
    calendar = yaml_data((target / "calendar.yaml").read_text(encoding="utf-8"))
    assert calendar["timezone"] == "Asia/Tokyo"


def test_init_refuses_when_a_file_exists_and_writes_nothing(tmp_path, run):
    target = tmp_path / "social"
    target.mkdir()
    (target / ".gitignore").write_text("mine\n", encoding="utf-8")
    before = tree(target)
    result = run("init", target, "--timezone", "UTC")
    assert result.exit_code == 1
    assert lines(result) == [
        f"error: {target} already has .gitignore; init only creates new files: run it in an"
        " empty directory, or move those files away first"
    ]
    assert tree(target) == before
    assert sorted(p.name for p in target.iterdir()) == [".gitignore"]


def test_init_refuses_a_second_time(tmp_path, run):
    target = tmp_path / "social"
    assert run("init", target, "--timezone", "UTC").exit_code == 0
    before = tree(target)
    result = run("init", target, "--timezone", "UTC")
    assert result.exit_code == 1
    assert "init only creates new files" in result.output
    assert tree(target) == before


def test_init_rejects_an_unknown_time_zone(tmp_path, run):
    target = tmp_path / "social"
    result = run("init", target, "--timezone", "Mars/Olympus")
    assert result.exit_code == 2
    (line,) = lines(result)
    assert line.startswith(
        "error: --timezone: unknown time zone 'Mars/Olympus':"
        " expected an IANA name like 'Europe/Berlin'"
    )
    assert not target.exists()


def test_init_suggests_the_time_zone_meant(tmp_path, run):
    result = run("init", tmp_path / "social", "--timezone", "Europe/Berln")
    assert result.exit_code == 2
    assert lines(result) == [
        "error: --timezone: unknown time zone 'Europe/Berln': expected an IANA name like"
        " 'Europe/Berlin'; did you mean 'Europe/Berlin'?"
    ]


# -- smmgen schema ------------------------------------------------------------


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    from click.testing import CliRunner

    from smmgen.cli import cli

    result = CliRunner().invoke(cli, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert sorted(document) == sorted(SCHEMA_NAMES)
    return document


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def errors(schema: dict[str, Any], data: Any) -> list[str]:
    return [e.message for e in validator(schema).iter_errors(data)]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema(schemas, run, name):
    schema = schemas[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    single = run("schema", name)
    assert single.exit_code == 0
    assert json.loads(single.stdout) == schema


def test_schema_out_writes_three_files(tmp_path, run, schemas):
    out = tmp_path / "schemas"
    result = run("schema", "--out", out)
    assert result.exit_code == 0, result.output
    names = [f"{name}.schema.json" for name in SCHEMA_NAMES]
    assert lines(result) == [f"wrote {(out / n).as_posix()}" for n in names]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    for name in SCHEMA_NAMES:
        written = json.loads((out / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert written == schemas[name]


@pytest.mark.parametrize(
    ("name", "file"), [("channels", "channels.yaml"), ("calendar", "calendar.yaml")]
)
def test_the_repository_configuration_validates(schemas, name, file):
    data = yaml_data((REPO / file).read_text(encoding="utf-8"))
    assert errors(schemas[name], data) == []


def test_every_example_post_front_matter_validates(schemas):
    posts = sorted((REPO / "content").rglob("*.md"))
    assert posts
    for path in posts:
        front = front_matter(path.read_text(encoding="utf-8"))
        assert errors(schemas["front-matter"], front) == [], path


def test_the_files_init_writes_validate(tmp_path, run, schemas):
    target = tmp_path / "social"
    assert run("init", target, "--timezone", "Europe/Berlin").exit_code == 0
    for name, file in (("channels", "channels.yaml"), ("calendar", "calendar.yaml")):
        data = yaml_data((target / file).read_text(encoding="utf-8"))
        assert errors(schemas[name], data) == [], file
    (welcome,) = (target / "content").glob("*-welcome.md")
    assert errors(schemas["front-matter"], front_matter(welcome.read_text("utf-8"))) == []


def test_an_unknown_channel_type_fails_schema_validation(schemas):
    good = yaml_data(
        "channels:\n  m:\n    type: mastodon\n    instance: https://m.example\n    token_env: T\n"
    )
    assert errors(schemas["channels"], good) == []
    bad = yaml_data(
        "channels:\n  m:\n    type: mastodn\n    instance: https://m.example\n    token_env: T\n"
    )
    assert errors(schemas["channels"], bad) != []


def test_an_unknown_front_matter_key_fails_schema_validation(schemas):
    assert errors(schemas["front-matter"], {"id": "a", "title": "A"}) == []
    assert errors(schemas["front-matter"], {"id": "a", "titel": "A"}) != []


# -- global options -----------------------------------------------------------


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"smmgen, version {__version__}\n"
    assert __version__ == version("smmgen")  # the installed metadata says the same


@pytest.mark.parametrize("command", [["check"], ["new", "Hello"]])
def test_outside_any_project_is_a_usage_error(tmp_path, run, monkeypatch, command):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    if any((d / "channels.yaml").exists() for d in (outside, *outside.parents)):
        impossible_here(
            "a parent of the temporary directory has a channels.yaml, so no directory"
            " outside a project can be made here"
        )
    monkeypatch.chdir(outside)
    result = run(*command)
    assert result.exit_code == 2
    assert lines(result) == [
        f"error: no channels.yaml in {outside.resolve()} or any parent directory;"
        " run `smmgen init` to create a project, or pass --root DIR"
    ]
    assert list(outside.iterdir()) == []


def test_root_pointing_at_an_empty_directory_is_a_usage_error(tmp_path, run):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("--root", empty, "check")
    assert result.exit_code == 2
    assert lines(result) == [
        f"error: no channels.yaml in {empty}; run `smmgen init {empty}` or pass another --root"
    ]


def test_new_with_root_at_an_empty_directory_is_a_usage_error(tmp_path, run):
    """Regression: `new` does not check for channels.yaml, exits 0 and writes
    content/ into a directory that is not a project."""
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("--root", empty, "new", "Hello")
    assert result.exit_code == 2, result.output
    assert list(empty.iterdir()) == []
