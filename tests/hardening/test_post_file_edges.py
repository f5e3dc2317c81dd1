"""Class 12 (parts): odd post files are reported, never loaded half-way.

- A NUL anywhere in a post is an error on its line (not only in the first
  8 KiB, which marks a binary file); any other invisible control character is
  reported on its line wherever it is.
- An explicit ``id:`` is accepted exactly when it has the documented syntax:
  no line break (``id: "x\\n"`` was accepted: ``$`` matches before a final
  newline), control character, blank or surrounding whitespace. The other
  names checked with a pattern (tags, language, channel and variable names,
  slots) take no trailing newline either.
- A ``content/`` folder, or a folder in it at any depth, that resolves outside
  the repository is refused with a finding; its posts are not loaded. Links
  that stay inside keep working as before.
"""

from __future__ import annotations

import json
import string
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from smmgen.findings import Finding
from smmgen.loader.config import load_config
from smmgen.loader.posts import load_posts
from smmgen.models.calendar import CalendarFile
from smmgen.models.post import FrontMatter
from tests.conftest import CALENDAR_YAML, CHANNELS_YAML, MakeProject, write
from tests.hardening.ids import documented_id, project

Run = Callable[..., Result]
BINARY_PROBE = 8192
# invisible control characters: C0 but tab and the line breaks a file normalises, DEL, C1
CONTROLS = [
    chr(c) for c in [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
]


def load(root: Path) -> tuple[list[str], list[Finding]]:
    sink: list[Finding] = []
    posts = load_posts(root, load_config(root), sink, set())
    return [p.id for p in posts], sink


HEAD = "---\nid: a\n---\n"

# -- a NUL or a control character, wherever it is ------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    before=st.integers(0, 3 * BINARY_PROBE),
    width=st.integers(1, 120),
    after=st.integers(0, 200),
)
@example(before=BINARY_PROBE + 10, width=80, after=5)  # the one the issue found
def test_a_nul_anywhere_is_an_error_on_its_line(before: int, width: int, after: int) -> None:
    line = "x" * (width - 1) + "\n"
    filler = (line * (before // width + 1))[:before]
    text = HEAD + filler + "\x00" + "y" * after + "\n"
    nul_line = text[: text.index("\x00")].count("\n") + 1
    with tempfile.TemporaryDirectory() as tmp:
        ids, found = load(project(Path(tmp), {"a.md": text}))
    assert ids == []
    (finding,) = [f for f in found if f.is_error]
    assert finding.file == "content/a.md"
    if text.encode().index(b"\x00") < BINARY_PROBE:
        assert (finding.code, finding.line) == ("binary-file", 1)
    else:
        assert (finding.code, finding.line) == ("nul-character", nul_line)
        column = len(text[: text.index("\x00")].rsplit("\n", 1)[-1]) + 1
        assert f"at column {column}" in finding.message


@settings(max_examples=60, deadline=None)
@given(
    offset=st.integers(0, 2 * BINARY_PROBE),
    control=st.sampled_from(CONTROLS),
    others=st.lists(st.sampled_from(CONTROLS), max_size=3),
)
def test_a_control_character_anywhere_is_reported_on_its_line(
    offset: int, control: str, others: list[str]
) -> None:
    body = ("text line\n" * (offset // 10 + 1))[:offset]
    text = HEAD + body + control + "".join(others) + " end\n"
    first = text.index(control)
    with tempfile.TemporaryDirectory() as tmp:
        ids, found = load(project(Path(tmp), {"a.md": text}))
    assert ids == ["a"]  # a warning: the post still loads
    (finding,) = [f for f in found if f.code == "control-character"]
    assert not finding.is_error
    assert finding.line == text[:first].count("\n") + 1
    assert f"U+{ord(control):04X}" in finding.message
    if others:
        assert f"and {len(others)} more" in finding.message


def test_nul_after_8_kib_through_check(make_project: MakeProject, run: Run) -> None:
    text = HEAD + ("a" * 99 + "\n") * 90 + "b\x00c\n"
    root = make_project(posts={"late.md": text, "hello.md": HEAD.replace("id: a", "id: h") + "Hi"})
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert "content/late.md:94: error: holds a NUL character (U+0000) at column 2" in result.output
    dry = run("--root", root, "publish", "--dry-run", "--ledger", "local", "--format", "json")
    assert "late" not in {item["post"] for item in json.loads(dry.stdout)["items"]}


# -- explicit ids ---------------------------------------------------------------------

ID_START = string.ascii_letters + string.digits
ID_CHARS = set(ID_START + "-_./")


def accepted(value: str) -> bool:
    try:
        FrontMatter.model_validate({"id": value})
    except ValidationError:
        return False
    return True


near_ids = st.tuples(
    st.sampled_from(["", " ", "\t", "\n", "\r\n", "\u2028", "\x00", "\x85", "\u00a0"]),
    st.text(alphabet=sorted(ID_CHARS), min_size=0, max_size=12),
    st.sampled_from(["", " ", "\t", "\n", "\n\n", "\r", "\v", "\f", "\u2029", "\x1b"]),
).map("".join)


@settings(max_examples=400, deadline=None)
@given(value=st.text(max_size=16) | near_ids)
@example(value="x\n")
@example(value="   ")
@example(value=" x")
@example(value="x ")
@example(value="2026-12-01-launch")
@example(value="news/2026/launch.v2")
@example(value="השקה-2027")
@example(value="שָׁלוֹם")
@example(value="\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645")  # Persian, with a ZWNJ
@example(value="cafe\u0301")
@example(value="a\u202eb")
def test_the_id_validator_accepts_exactly_the_documented_syntax(value: str) -> None:
    assert accepted(value) == documented_id(value)


@pytest.mark.parametrize(
    "written",
    [r'"x\n"', r'"x\r"', '"x\\t"', r'"\tx"', '" x"', '"x "', '"   "', r'"x\u2028"', r'"a\x1bb"'],
)
def test_a_post_with_such_an_id_is_refused_with_a_finding(
    make_project: MakeProject, run: Run, written: str
) -> None:
    root = make_project(posts={"a.md": f"---\ntitle: t\nid: {written}\n---\nHello\n"})
    result = run("--root", root, "check", "--format", "json")
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["file"], finding["line"], finding["key"]) == ("content/a.md", 3, "id")
    assert "is not a usable id" in finding["message"]


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (FrontMatter, {"tags": ["release\n"]}),
        (FrontMatter, {"language": "en\n"}),
        (CalendarFile, {"timezone": "UTC", "slots": {"default": ["Mon 09:00\n"]}}),
    ],
)
def test_no_checked_name_takes_a_trailing_newline(model: type, data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(data)
    trimmed = json.loads(json.dumps(data).replace("\\n", ""))
    model.model_validate(trimmed)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("  mastodon:\n", '  "mastodon\\n":\n', "is not a usable channel name"),
        ("SMMGEN_MASTODON_TOKEN", '"SMMGEN_MASTODON_TOKEN\\n"', "the NAME of an environment"),
    ],
)
def test_a_channel_or_variable_name_takes_no_trailing_newline(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    write(tmp_path / "channels.yaml", CHANNELS_YAML.replace(old, new, 1))
    write(tmp_path / "calendar.yaml", CALENDAR_YAML)
    messages = [f.message for f in load_config(tmp_path).findings if f.is_error]
    assert any(says in message for message in messages), messages


# -- content/ linked outside the repository ------------------------------------------


def outside_posts(tmp_path: Path) -> Path:
    outside = tmp_path / "elsewhere"
    write(outside / "leak.md", "---\nid: leak\npublish_at: 2026-11-25 11:00\n---\nLeaked\n")
    return outside


def test_a_content_folder_linked_outside_is_refused(
    make_project: MakeProject, run: Run, tmp_path: Path
) -> None:
    root = make_project(posts={})
    assert not (root / "content").exists()
    (root / "content").symlink_to(outside_posts(tmp_path), target_is_directory=True)
    ids, found = load(root)
    assert ids == []
    (finding,) = found
    assert (finding.code, finding.file, finding.is_error) == ("outside-repository", "content", True)
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert "content: error: is a link to a folder outside the repository" in result.output
    dry = run("--root", root, "publish", "--dry-run", "--ledger", "local", "--format", "json")
    assert json.loads(dry.stdout)["items"] == []


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_a_folder_linked_outside_at_any_depth_is_refused(
    make_project: MakeProject, run: Run, tmp_path: Path, depth: int
) -> None:
    root = make_project()
    folder = root / "content" / Path(*[f"level{n}" for n in range(depth)])
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.symlink_to(outside_posts(tmp_path), target_is_directory=True)
    ids, found = load(root)
    assert ids == ["2026-12-01-hello"]
    (finding,) = found
    assert finding.code == "outside-repository"
    assert finding.file == folder.relative_to(root).as_posix()
    assert run("--root", root, "check").exit_code == 1
    dry = run("--root", root, "publish", "--dry-run", "--ledger", "local", "--format", "json")
    assert "leak" not in {item["post"] for item in json.loads(dry.stdout)["items"]}


def test_links_that_stay_inside_keep_working(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project(posts={})
    assert not (root / "content").exists()
    write(root / "posts" / "a.md", "---\nid: a\n---\nHello\n")
    (root / "posts" / "_drafts").mkdir()
    (root / "content").symlink_to(root / "posts", target_is_directory=True)
    (root / "posts" / "inside").symlink_to(root / "posts" / "_drafts", target_is_directory=True)
    ids, found = load(root)
    assert (ids, found) == (["a"], [])
