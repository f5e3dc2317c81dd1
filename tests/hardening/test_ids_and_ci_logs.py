"""Class 9: file names become ids unchecked; CI log output is not escaped.

A post file's name is content too: a name carrying a line break and
``::error ...`` must not become an id, nor a workflow command in a CI log. So:

- an id derived from the file's path is validated as an explicit ``id:`` is; a
  file whose derived id is not usable is reported (rename it or set ``id:``)
  and never published;
- no output a workflow prints to its log (every format of ``check``, ``plan``,
  ``publish --dry-run``, ``show``, and the publish report) has a line that starts
  with ``::`` (after blanks, as the runner reads it) or holds ``##[`` (the
  runner's older command syntax, anywhere in a line) because of what a post, a
  file name or the configuration holds; nor any line break of a user's string
  (``\\r``, U+2028, U+0085, ``\\v``...). The only ``::`` lines are smmgen's own
  annotations (``check --format github``), escaped by the workflow-command rules
  so that the runner reads back the file name and the message as they were.
"""

from __future__ import annotations

import json
import re
import string
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smmgen.calendar.plan import PlanItem
from smmgen.check import CheckReport
from smmgen.cli import cli
from smmgen.findings import Finding, Severity
from smmgen.loader.config import load_config
from smmgen.loader.posts import load_posts
from smmgen.publish.engine import Result as ItemResult
from smmgen.report import findings as check_formats
from smmgen.report import plan as plan_formats
from smmgen.report import publish as publish_formats
from smmgen.report.publish import PublishReport
from tests.conftest import CALENDAR_YAML, TODAY, write
from tests.hardening.ids import documented_id, project

# -- what the runner does with a log line (actions/runner ActionCommand.cs) ---------

# Every character Python's str.splitlines breaks at; the runner breaks at \r and \n.
BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def parse_command(line: str) -> tuple[str, dict[str, str], str] | None:
    """(command, properties, message) when the runner reads ``line`` as a workflow
    command of the ``::name props::message`` form, else None."""
    line = line.lstrip()
    if not line.startswith("::"):
        return None
    end = line.find("::", 2)
    if end < 0:
        return None
    info = line[2:end]
    name, _, props = info.partition(" ")
    properties = {}
    for pair in props.strip().split(","):
        key, sep, value = pair.partition("=")
        if sep and key and value:
            properties[key] = unescape_property(value)
    return name, properties, unescape_data(line[end + 2 :])


def shown(text: str) -> str:
    """How a message with odd characters reads back from an annotation: ``\\r`` and
    ``\\n`` as themselves (percent-encoded on the way), every other line break or
    control character (which the runner would keep raw) as a visible escape."""
    out = []
    for char in text:
        code = ord(char)
        if char in "\r\n\t" or not (code < 0x20 or 0x7F <= code <= 0x9F or char in BREAKS):
            out.append(char)
        else:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def assert_inert(output: str, what: str) -> None:
    """No line of ``output`` is a workflow command, and no user's line break is in it."""
    lines = output.split("\r\n") if what.endswith("ics") else [output]
    for part in lines:
        assert not set(part) & set(BREAKS) - {"\n"}, f"{what}: a raw line break in {part!r}"
    for line in output.splitlines():
        assert not line.lstrip().startswith("::"), f"{what}: a workflow command: {line!r}"
        assert "##[" not in line, f"{what}: a workflow command (##[): {line!r}"


# -- hostile strings ----------------------------------------------------------------

PIECES = [
    "\n",
    "\r",
    "\r\n",
    "\v",
    "\f",
    "\x1c",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
    "::",
    "::error::forged",
    "::stop-commands::token",
    "::add-mask::x",
    "##[error]forged",
    "  ",
    "\t",
    "%",
    "%0A",
    "%25",
    ":",
    ",",
    "=",
    "a",
    "Zz9",
    "é",
    "|",
    "`",
    "\x1b[31m",
]
hostile = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)
# a file name: no "/" nor NUL, and short enough for any file system
file_stem = (
    hostile.map(lambda s: s.replace("/", "|"))
    .filter(lambda s: len(s.encode()) < 200)
    .filter(lambda s: not s.startswith(("_", ".")))
)


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=True)


def run(root: Path, *args: str) -> Result:
    result = CliRunner().invoke(
        cli, ["--root", str(root), *args], env={"SMMGEN_AT": TODAY, "NO_COLOR": "1"}
    )
    assert result.exit_code in (0, 1), (args, result.output, result.exception)
    assert "internal error" not in result.output, (args, result.output)
    return result


# -- ids derived from file names ----------------------------------------------------

ID_CHARS = set(string.ascii_letters + string.digits + "-_./")


POST_WITHOUT_ID = "---\ntitle: t\npublish_at: 2026-11-25 11:00\n---\nHello.\n"

name_part = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"),
    min_size=1,
    max_size=12,
).filter(lambda s: s not in (".", "..") and not s.startswith(("_", ".")))


id_like = st.text(alphabet=string.ascii_letters + string.digits + "-_. ", min_size=1, max_size=8)


@settings(max_examples=80, deadline=None)
@given(
    parts=st.lists(
        (name_part | file_stem | id_like).filter(lambda s: not s.startswith(("_", "."))),
        min_size=1,
        max_size=3,
    )
)
@example(parts=["launch\n::error file=x::forged"])
@example(parts=["ok-name"])
@example(parts=["news", "2026 launch"])
@example(parts=["café"])
@example(parts=["חדשות", "השקה"])
@example(parts=["launch\u2028notes"])
def test_an_id_derived_from_the_path_is_validated_like_an_explicit_one(parts: list[str]) -> None:
    relative = "/".join(parts) + ".md"
    with tempfile.TemporaryDirectory() as tmp:
        root = project(Path(tmp), {relative: POST_WITHOUT_ID})
        sink: list[Finding] = []
        posts = load_posts(root, load_config(root), sink, set())
    derived = relative.removesuffix(".md")
    bad = [f for f in sink if f.code == "bad-id"]
    if documented_id(derived):
        assert [p.id for p in posts] == [derived]
        assert not bad
    else:
        assert posts == []
        (finding,) = bad
        assert finding.file == f"content/{relative}"
        assert finding.is_error
        assert finding.key == "id"
        assert "rename the file or set `id:`" in (finding.hint or "")
        assert "\n" not in finding.text()


def test_a_file_whose_name_is_no_id_is_reported_and_never_published(tmp_path: Path) -> None:
    name = "launch\n::error file=x::forged ##[warning]x.md"
    root = project(tmp_path, {name: POST_WITHOUT_ID, "fine.md": POST_WITHOUT_ID})
    check = run(root, "check")
    assert check.exit_code == 1
    assert "content/launch\\n::error file=x::forged ##\\[warning]x.md:1: error: id:" in check.stdout
    assert "rename the file or set `id:`" in check.stdout
    dry = json.loads(
        run(root, "publish", "--dry-run", "--ledger", "local", "--format", "json").stdout
    )
    assert {item["post"] for item in dry["items"]} == {"fine"}
    # with an explicit id the same file is a post, and is published under that id
    write(root / "content" / name, POST_WITHOUT_ID.replace("title: t", "id: launch-notes"))
    dry = json.loads(
        run(root, "publish", "--dry-run", "--ledger", "local", "--format", "json").stdout
    )
    assert {item["post"] for item in dry["items"]} == {"fine", "launch-notes"}


# -- every CI-facing output ---------------------------------------------------------

CHECK_FORMATS = ("text", "json", "github")
PLAN_FORMATS = ("table", "json", "markdown", "ics")
PUBLISH_FORMATS = ("text", "json", "markdown")
SHOW_FORMATS = ("text", "json")


def outputs(root: Path) -> dict[str, str]:
    out = {}
    for fmt in CHECK_FORMATS:
        out[f"check {fmt}"] = run(root, "check", "--no-cache", "--format", fmt).stdout
    for fmt in PLAN_FORMATS:
        result = run(root, "plan", "--format", fmt)
        out[f"plan {fmt}"] = result.stdout_bytes.decode("utf-8")
    for fmt in PUBLISH_FORMATS:
        result = run(root, "publish", "--dry-run", "--ledger", "local", "--format", fmt)
        out[f"publish --dry-run {fmt}"] = result.stdout
    for fmt in SHOW_FORMATS:
        out[f"show {fmt}"] = run(root, "show", "good-post", "--format", fmt).stdout
    return out


def hostile_project(root: Path, name: str, title: str, body: str, words: list[str]) -> Path:
    bad_id, channel, reason, alt = words
    good = (
        f"---\nid: good-post\ntitle: {yaml_string(title)}\npublish_at: 2026-11-25 11:00\n"
        f"media:\n  - path: media/x.png\n    alt: {yaml_string(alt)}\n---\n{body}\n"
    )
    blocked = "---\nid: blocked-post\npublish_at: 2026-12-24 10:00\n---\nHo.\n"
    wrong = f"---\nid: {yaml_string(bad_id)}\ntags: [{yaml_string(alt)}]\n---\nx\n"
    channels = f"---\nid: channels-post\nchannels: [{yaml_string(channel)}]\n---\nx\n"
    calendar = CALENDAR_YAML.replace("reason: Holidays", f"reason: {yaml_string(reason)}")
    posts = {
        f"{name}.md": good,  # an explicit id: it loads, and its file name is shown
        f"{name}2.md": "x\n",  # no id: its file name is quoted in a finding
        "blocked.md": blocked,
        "wrong.md": wrong,
        "channels.md": channels,
    }
    root = project(root, posts, calendar)
    write(root / "media" / "x.png", b"\x89PNG\r\n\x1a\n")
    return root


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    name=file_stem,
    title=hostile,
    body=hostile.map(lambda s: s.replace("\x00", "")),
    words=st.lists(hostile, min_size=4, max_size=4),
)
@example(
    name="launch\n::error file=x::forged",
    title="t\n::error::title",
    body="Hello\n::error::body\n  ::warning::indented\u2028::notice::sep ##[error]old",
    words=["x\n::error::id", "y\r::error::channel", "Holidays\n::error::reason", "a\x85::e::alt"],
)
def test_no_output_a_workflow_prints_can_forge_a_workflow_command(
    name: str, title: str, body: str, words: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = hostile_project(Path(tmp), name, title, body, words)
        printed = outputs(root)
    for what, output in printed.items():
        if what != "check github":
            assert_inert(output, what)
    # the JSON formats hold the strings as they are
    document = json.loads(printed["show json"])
    assert document["file"] == f"content/{name}.md"
    # github: one annotation per finding, on one line, read back as written
    findings = json.loads(printed["check json"])["findings"]
    lines = printed["check github"].splitlines()
    assert len(lines) == len(findings) + 1
    assert_inert(lines[-1], "check github summary")
    for line, finding in zip(lines, findings, strict=False):
        parsed = parse_command(line)
        assert parsed is not None, line
        command, properties, message = parsed
        assert command == finding["severity"]
        if finding["file"]:
            assert properties["file"] == shown(finding["file"])
        body_text = (
            f"{finding['key']}: {finding['message']}" if finding["key"] else finding["message"]
        )
        if finding["hint"]:
            body_text += f"; {finding['hint']}"
        assert message == shown(body_text)


FINDINGS = st.builds(
    Finding,
    severity=st.sampled_from(list(Severity)),
    code=st.sampled_from(["bad-id", "unknown-key"]),
    message=hostile | st.text(max_size=30),
    file=st.none() | hostile | st.text(max_size=30),
    line=st.none() | st.integers(1, 10_000),
    key=st.none() | hostile,
    hint=st.none() | hostile | st.text(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(findings=st.lists(FINDINGS, max_size=5))
def test_annotations_read_back_as_written_and_other_formats_stay_inert(
    findings: list[Finding],
) -> None:
    report = CheckReport(findings=findings, posts=1, channels=1)
    assert_inert(check_formats.as_text(report), "check text")
    assert_inert(check_formats.as_json(report), "check json")
    assert json.loads(check_formats.as_json(report))["findings"] == [f.as_dict() for f in findings]
    lines = check_formats.as_github(report).split("\n")
    assert len(lines) == len(findings) + 1
    for line, finding in zip(lines, findings, strict=False):
        assert not set(line) & set(BREAKS)
        parsed = parse_command(line)
        assert parsed is not None
        command, properties, message = parsed
        assert command == finding.severity.value
        assert properties.get("file") == (shown(finding.file) if finding.file else None)
        assert properties.get("line") == (str(finding.line) if finding.line else None)
        assert properties["title"] == f"smmgen {finding.code}"
        assert message == shown(finding.body())


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(hostile | st.text(max_size=20), min_size=7, max_size=7),
    outcome=st.sampled_from(["published", "failed", "unknown", "would publish"]),
)
def test_the_publish_report_quotes_network_answers_inertly(words: list[str], outcome: str) -> None:
    post, ledger, problem, error, url, detail, channel = words
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    item = ItemResult(
        post=post,
        channel=channel,
        network="mastodon",
        at=now,
        outcome=outcome,  # type: ignore[arg-type]
        detail=detail,
        url=url or None,
        urls=[url, url + "2"],
    )
    report = PublishReport(now, False, ledger, [item], [problem], [error])
    markdown = publish_formats.publish_markdown(report)
    assert_inert(markdown, "publish markdown")
    assert_inert(publish_formats.publish_text(report), "publish text")
    text = publish_formats.publish_json(report)
    assert_inert(text, "publish json")
    assert json.loads(text)["items"][0]["detail"] == detail
    # one table row per item, whatever the strings hold
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(rows) == 2  # the header and the item
    assert re.fullmatch(r"\| [a-z ]+ \| .* \|", rows[1])


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(hostile | st.text(max_size=20), min_size=5, max_size=5),
    pad=st.integers(0, 160),
    colons=st.integers(0, 120),
)
@example(words=["p", "t", "x", "f", "r"], pad=70, colons=0)
def test_every_plan_format_keeps_a_post_inside_its_line(
    words: list[str], pad: int, colons: int
) -> None:
    """The feed's long lines are folded (RFC 5545): a fold never leaves a line that
    starts with ``::``, even in a run of colons."""
    post, title, text, file, reason = words
    at = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    long = "x" * pad + ":" * colons + "::error::folded " + text
    item = PlanItem(post, "mastodon", "mastodon", title + long, file, at, "blocked", reason, long)
    for fmt, output in [
        ("table", plan_formats.as_table([item], "UTC")),
        ("json", plan_formats.as_json([item], "UTC", at)),
        ("markdown", plan_formats.as_markdown([item], "UTC")),
        ("ics", plan_formats.as_ics([item], "UTC", at).decode("utf-8")),
    ]:
        assert_inert(output, f"plan {fmt}")
    feed = plan_formats.as_ics([item], "UTC", at).decode("utf-8")
    unfolded = feed.replace("\r\n ", "")
    assert "::error::folded" in unfolded  # the text is all there, only folded
    for line in feed.split("\r\n"):
        # 75 octets, but where only a longer line avoids a "::" at the start of the next
        assert len(line.encode()) <= 75 or ":" * 30 in line


def test_the_publish_workflow_prints_the_report_with_workflow_commands_off() -> None:
    workflow = Path(__file__).parents[2] / "smmgen" / "scaffold" / "workflows" / "publish.yml"
    script = workflow.read_text(encoding="utf-8")
    stop = script.index('echo "::stop-commands::$resume"')
    printed = script.index('cat "$RUNNER_TEMP/smmgen-publish.md"\n')
    resume = script.index('echo "::$resume::"')
    assert stop < printed < resume
