"""Setting publish_at in a post file: one line changes, every other byte stays."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmgen.calendar.edit import publish_at_line, set_publish_at
from smmgen.errors import FrontMatterEditError
from smmgen.loader.yamlfile import YamlDoc, parse

WHEN = "2026-12-01 09:00"
BOM = "\ufeff"


def _write(directory: Path, text: str, name: str = "post.md") -> Path:
    path = directory / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _one_line_changed(old: bytes, new: bytes) -> tuple[str, int, bytes]:
    """(kind, 0-based line in the new file, new line) of the single changed line.

    Everything before and after it is byte-identical: the common first and last
    lines of the two files leave one new line, and at most one old line, between them.
    """
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    same = 0
    while same < min(len(a), len(b)) and a[same] == b[same]:
        same += 1
    tail = 0
    while tail < min(len(a), len(b)) - same and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    removed, added = a[same : len(a) - tail], b[same : len(b) - tail]
    assert len(added) == 1, (removed, added)
    assert len(removed) <= 1, (removed, added)
    return ("replace" if removed else "insert"), same, added[0]


def _edit(directory: Path, text: str, value: str = WHEN) -> tuple[bool, str]:
    path = _write(directory, text)
    changed = set_publish_at(path, value)
    new = path.read_bytes()
    if changed:
        _one_line_changed(text.encode("utf-8"), new)
    else:
        assert new == text.encode("utf-8")
    assert sorted(p.name for p in directory.iterdir()) == ["post.md"]  # no temporary file left
    return changed, new.decode("utf-8")


def _front_data(text: str) -> Any:
    """The front matter data the way the loader reads it (no '---' inside the front matter)."""
    lines = text.removeprefix(BOM).replace("\r\n", "\n").split("\n")
    assert lines[0] == "---"
    close = lines.index("---", 1)
    doc = parse("\n".join(lines[1:close]) + "\n", first_line=2)
    assert isinstance(doc, YamlDoc), doc
    return doc.data or {}


# -- replacing an existing top-level publish_at ---------------------------------------------


def test_replaces_the_value_keeping_the_comment_and_spacing(tmp_path: Path) -> None:
    text = (
        "---\n"
        "id: 2026-12-01-v2   # stable\n"
        "title: 'v2 launch'\n"
        "publish_at: 2026-11-30 10:00       # calendar time zone\n"
        "channels: [mastodon, bluesky]  \n"
        "\n"
        "# trailing comment\n"
        "---\n"
        "Body.\n"
    )
    changed, new = _edit(tmp_path, text)
    assert changed
    assert new == text.replace("2026-11-30 10:00 ", f"{WHEN} ")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("publish_at: null", f"publish_at: {WHEN}"),
        ("publish_at: ~", f"publish_at: {WHEN}"),
        ("publish_at: ~  # not yet", f"publish_at: {WHEN}  # not yet"),
        ("publish_at:", f"publish_at: {WHEN}"),
        ("publish_at:    # schedule fills this", f"publish_at: {WHEN}    # schedule fills this"),
        ('publish_at: "2026-01-01 10:00"', f"publish_at: {WHEN}"),
        ("publish_at: '2026-01-01 10:00' # quoted", f"publish_at: {WHEN} # quoted"),
        ("publish_at:   2026-01-01 10:00", f"publish_at:   {WHEN}"),
        ("publish_at: 2026-01-01T10:00:00+01:00", f"publish_at: {WHEN}"),
        ('"publish_at": x', f'"publish_at": {WHEN}'),
    ],
)
def test_replaces_every_way_of_writing_the_value(tmp_path: Path, line: str, expected: str) -> None:
    text = f"---\nid: a\n{line}\ntitle: t\n---\nbody\n"
    changed, new = _edit(tmp_path, text)
    assert changed
    assert new == f"---\nid: a\n{expected}\ntitle: t\n---\nbody\n"
    assert _front_data(new)["publish_at"] == WHEN


@pytest.mark.parametrize(
    "value",
    ["\n  2026-01-01 10:00", " |\n  2026-01-01 10:00\n", "  # c\n  2026-01-01\n  10:00"],
)
def test_a_value_over_several_lines_becomes_one_line(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path, f"---\nid: a\npublish_at:{value}\ntitle: t\n---\n")
    assert set_publish_at(path, WHEN)
    assert path.read_text() == f"---\nid: a\npublish_at: {WHEN}\ntitle: t\n---\n"


def test_a_flow_mapping_front_matter_has_its_value_replaced(tmp_path: Path) -> None:
    changed, new = _edit(tmp_path, "---\n{id: a, publish_at: null}  # c\n---\n")
    assert changed
    assert new == f"---\n{{id: a, publish_at: {WHEN}}}  # c\n---\n"


# -- inserting a missing publish_at ---------------------------------------------------------


def test_inserted_after_title(tmp_path: Path) -> None:
    text = "---\nid: a\ntitle: v2 launch   # internal\nchannels: [x]\n---\nbody\n"
    changed, new = _edit(tmp_path, text)
    assert changed
    assert new == (
        f"---\nid: a\ntitle: v2 launch   # internal\npublish_at: {WHEN}\nchannels: [x]\n---\nbody\n"
    )


def test_title_wins_over_id_wherever_they_are(tmp_path: Path) -> None:
    text = "---\ntitle: t\nchannels: [x]\nid: a\n---\n"
    assert (
        _edit(tmp_path, text)[1]
        == f"---\ntitle: t\npublish_at: {WHEN}\nchannels: [x]\nid: a\n---\n"
    )


def test_inserted_after_id_without_title(tmp_path: Path) -> None:
    text = "---\n# the id never changes\nid: a\nchannels: [x]\n---\nbody\n"
    changed, new = _edit(tmp_path, text)
    assert changed
    assert (
        new == f"---\n# the id never changes\nid: a\npublish_at: {WHEN}\nchannels: [x]\n---\nbody\n"
    )


def test_inserted_as_the_first_line_without_title_or_id(tmp_path: Path) -> None:
    text = "---\n# comment\nchannels: [x]\ntags: [a]\n---\nbody\n"
    changed, new = _edit(tmp_path, text)
    assert changed
    assert new == f"---\npublish_at: {WHEN}\n# comment\nchannels: [x]\ntags: [a]\n---\nbody\n"


def test_inserted_into_empty_front_matter(tmp_path: Path) -> None:
    assert _edit(tmp_path, "---\n---\nbody")[1] == f"---\npublish_at: {WHEN}\n---\nbody"
    assert _edit(tmp_path, "---\n# nothing yet\n---\n")[1] == (
        f"---\npublish_at: {WHEN}\n# nothing yet\n---\n"
    )


def test_inserted_with_the_indentation_of_the_keys(tmp_path: Path) -> None:
    text = "---\n  id: a\n  title: t\n---\n"
    assert _edit(tmp_path, text)[1] == f"---\n  id: a\n  title: t\n  publish_at: {WHEN}\n---\n"


@pytest.mark.parametrize(
    ("title", "after"),
    [
        ("title: |\n  first line\n  second line\n", ""),
        ("title: >-  # folded\n  first\n\n  second\n", ""),
        # kept trailing blank lines belong to the title: the new line goes after them
        ("title: |+\n  text\n\n\n", ""),
        ("title: |\n  text\n\n", "# a comment\n"),
        ("title: [a,\n  b]  # a list over lines\n", ""),
        ("title: {a: 1,\n  b: 2}\n", ""),
        ('title: "a long\n  title"\n', ""),
        ("title: a plain\n  continued title\n", ""),
        ("title:\n  nested: text\n  more: text\n", "\n# after\n"),
        ("title:\n- a\n- b\n", ""),
    ],
)
def test_never_inserted_inside_a_multi_line_title(tmp_path: Path, title: str, after: str) -> None:
    text = f"---\nid: a\n{title}{after}channels: [x]\n---\nbody\n"
    before = _front_data(text)
    changed, new = _edit(tmp_path, text)
    assert changed
    assert new == f"---\nid: a\n{title}publish_at: {WHEN}\n{after}channels: [x]\n---\nbody\n"
    assert _front_data(new) == {**before, "publish_at": WHEN}


def test_publish_at_inside_overrides_is_left_alone(tmp_path: Path) -> None:
    text = (
        "---\n"
        "id: a\n"
        "overrides:\n"
        "  linkedin:\n"
        "    publish_at: 2026-12-01 11:00  # later on LinkedIn\n"
        "  x: {publish_at: 2026-12-02 08:00}\n"
        "title: t\n"
        "---\n"
    )
    changed, new = _edit(tmp_path, text)
    assert changed
    assert new == text.replace("title: t\n", f"title: t\npublish_at: {WHEN}\n")
    data = _front_data(new)
    assert data["publish_at"] == WHEN
    assert data["overrides"]["linkedin"]["publish_at"] == "2026-12-01 11:00"
    assert publish_at_line(new) == 8


def test_the_body_is_never_touched(tmp_path: Path) -> None:
    body = (
        "First part.\n\n---\n\npublish_at: 2020-01-01 10:00\ntitle: not front matter\n"
        "---\nid: b\n---\n"
    )
    text = "---\nid: a\n---\n" + body
    changed, new = _edit(tmp_path, text)
    assert changed
    assert new == f"---\nid: a\npublish_at: {WHEN}\n---\n" + body
    text = f"---\npublish_at: 2020-01-01 10:00\n---\n{body}"
    assert _edit(tmp_path, text)[1] == f"---\npublish_at: {WHEN}\n---\n{body}"


# -- line endings, BOM, no front matter -----------------------------------------------------


def test_crlf_files_keep_crlf(tmp_path: Path) -> None:
    text = "---\r\nid: a\r\ntitle: t  \r\n---\r\nbody\r\n---\r\nmore\r\n"
    changed, new = _edit(tmp_path, text)
    assert changed
    assert (
        new == f"---\r\nid: a\r\ntitle: t  \r\npublish_at: {WHEN}\r\n---\r\nbody\r\n---\r\nmore\r\n"
    )
    assert _edit(tmp_path, new.replace(WHEN, "2027-01-01 10:00"))[1] == new
    replaced = _edit(tmp_path, "---\r\npublish_at: ~ # c\r\n---\r\n")[1]
    assert replaced == f"---\r\npublish_at: {WHEN} # c\r\n---\r\n"


def test_a_bom_is_kept(tmp_path: Path) -> None:
    text = f"{BOM}---\nid: a\n---\nbody\n"
    changed, new = _edit(tmp_path, text)
    assert changed
    assert new == f"{BOM}---\nid: a\npublish_at: {WHEN}\n---\nbody\n"
    text = f"{BOM}---\r\npublish_at: null\r\n---\r\n"
    assert _edit(tmp_path, text)[1] == f"{BOM}---\r\npublish_at: {WHEN}\r\n---\r\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Just a body.\n", f"---\npublish_at: {WHEN}\n---\nJust a body.\n"),
        ("Body\r\n---\r\npart two", f"---\r\npublish_at: {WHEN}\r\n---\r\nBody\r\n---\r\npart two"),
        (f"{BOM}Body", f"{BOM}---\npublish_at: {WHEN}\n---\nBody"),
        (f"{BOM}Body\r\n", f"{BOM}---\r\npublish_at: {WHEN}\r\n---\r\nBody\r\n"),
        ("", f"---\npublish_at: {WHEN}\n---\n"),
        ("--- not a boundary\n", f"---\npublish_at: {WHEN}\n---\n--- not a boundary\n"),
    ],
)
def test_front_matter_added_when_there_is_none(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    assert set_publish_at(path, WHEN)
    assert path.read_bytes() == expected.encode("utf-8")
    assert not set_publish_at(path, WHEN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # old Mac line endings
        ("---\rid: a\r---\rbody\r", f"---\rid: a\rpublish_at: {WHEN}\r---\rbody\r"),
        # boundaries as the loader takes them: more dashes, trailing spaces
        ("----  \nid: a\n---   \nbody\n", f"----  \nid: a\npublish_at: {WHEN}\n---   \nbody\n"),
        ("---\n\n\ntags: [a]\n---\n", f"---\npublish_at: {WHEN}\n\n\ntags: [a]\n---\n"),
        ("---\nid: a\n...\n---\n", f"---\nid: a\npublish_at: {WHEN}\n...\n---\n"),
        (
            "---\ntitle: ünïcødé 😀 # ç\t\ntags: [a]\n---\n",
            f"---\ntitle: ünïcødé 😀 # ç\t\npublish_at: {WHEN}\ntags: [a]\n---\n",
        ),
        (
            '---\ntitle: "€\u2028😀"\npublish_at: ~\n---\n',
            f'---\ntitle: "€\u2028😀"\npublish_at: {WHEN}\n---\n',
        ),
    ],
)
def test_unusual_but_valid_files(tmp_path: Path, text: str, expected: str) -> None:
    changed, new = _edit(tmp_path, text)
    assert changed
    assert new == expected


# -- idempotency, file handling -------------------------------------------------------------


def test_a_second_call_changes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, "---\nid: a\ntitle: t\n---\nbody\n")
    assert set_publish_at(path, WHEN)
    after = path.read_bytes()
    inode = path.stat().st_ino
    assert not set_publish_at(path, WHEN)
    assert path.read_bytes() == after
    assert path.stat().st_ino == inode  # not even rewritten


def test_the_same_value_written_differently_is_not_rewritten(tmp_path: Path) -> None:
    text = f'---\npublish_at: "{WHEN}"   # quoted\n---\n'
    assert _edit(tmp_path, text) == (False, text)


def test_the_file_mode_is_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, "---\nid: a\n---\n")
    path.chmod(0o640)
    assert set_publish_at(path, WHEN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_symlink_stays_a_symlink(tmp_path: Path) -> None:
    target = _write(tmp_path, "---\nid: a\n---\n", "real.md")
    link = tmp_path / "post.md"
    link.symlink_to(target.name)
    assert set_publish_at(link, WHEN)
    assert link.is_symlink()
    assert target.read_text() == f"---\nid: a\npublish_at: {WHEN}\n---\n"


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\nid: a\ntitle: t\n", 1, "no closing '---'"),
        ("---\n", 1, "no closing '---'"),
        ("---\npublish_at: 1\nid: a\npublish_at: 2\n---\n", 4, "twice"),
        ("---\nid: [a\n---\n", 3, "YAML"),
        ("---\nid: a\n  b: c\n---\n", 3, "YAML"),
        ("---\n- a\n- b\n---\n", 2, "'key: value'"),
        ("---\n{id: a}\n---\n", 2, "by hand"),
        ("---\nwhen: &w 2026-01-01 10:00\npublish_at: *w\n---\n", 3, "alias"),
    ],
)
def test_refused_with_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(FrontMatterEditError, match=words) as caught:
        set_publish_at(path, WHEN)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}, line {line}: ")
    assert isinstance(caught.value, ValueError)
    assert path.read_bytes() == text.encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["post.md"]


def test_an_anchored_value_is_not_replaced_under_its_aliases(tmp_path: Path) -> None:
    text = "---\npublish_at: &w 2026-01-01 10:00\noverrides:\n  x: {publish_at: *w}\n---\n"
    path = _write(tmp_path, text)
    with pytest.raises(FrontMatterEditError, match=r"line 2: .*by hand"):
        set_publish_at(path, WHEN)
    assert path.read_text() == text


@pytest.mark.parametrize("value", ["a: b", "x # y", "two\nlines", "null", "", " padded", "[a]"])
def test_values_that_are_not_plain_text_are_refused(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path, "---\nid: a\n---\n")
    with pytest.raises(ValueError, match="publish_at value"):
        set_publish_at(path, value)
    assert path.read_text() == "---\nid: a\n---\n"


# -- publish_at_line ------------------------------------------------------------------------


def test_publish_at_line() -> None:
    assert publish_at_line("---\nid: a\npublish_at: x\n---\n") == 3
    assert publish_at_line(f"{BOM}---\r\n\r\nid: a\r\npublish_at: x\r\n---\r\n") == 4
    assert publish_at_line("---\ntitle: |\n  publish_at: no\n---\npublish_at: no\n") is None
    assert publish_at_line("---\noverrides:\n  x:\n    publish_at: y\n---\n") is None
    assert publish_at_line("publish_at: body text\n") is None
    assert publish_at_line("---\npublish_at: x\n") is None  # not closed
    assert publish_at_line("") is None


# -- property: any front matter, one line changes, data gains publish_at --------------------

_WORD = st.from_regex(r"[A-Za-z][A-Za-z0-9._/-]{0,10}", fullmatch=True)
_TEXT = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ,:#'\"._-]{0,15}", fullmatch=True)
_COMMENT = st.one_of(
    st.just(""),
    st.builds(lambda gap, text: f"{gap}# {text}", st.sampled_from([" ", "   "]), _TEXT),
)
_TRAILING = st.sampled_from(["", "", " ", "\t"])


@dataclass
class _Entry:
    key: str
    lines: list[str]  # without line endings
    block: bool = False  # a block scalar: trailing blank lines belong to it


def _scalar_entry(key: str) -> st.SearchStrategy[_Entry]:
    plain = st.builds(
        lambda w, c, t: _Entry(key, [f"{key}: {w}{c}{t}"]), _WORD, _COMMENT, _TRAILING
    )
    double = st.builds(
        lambda v, c: _Entry(key, [f'{key}: "{v}"{c}']),
        st.from_regex(r"[A-Za-z0-9 ,:#'._-]{0,12}", fullmatch=True),
        _COMMENT,
    )
    single = st.builds(
        lambda v, c: _Entry(key, [f"{key}: '{v}'{c}"]),
        st.from_regex(r'[A-Za-z0-9 ,:#"._-]{0,12}', fullmatch=True),
        _COMMENT,
    )
    empty = st.builds(lambda c: _Entry(key, [f"{key}:{c}"]), _COMMENT)
    block = st.builds(
        lambda style, c, body: _Entry(key, [f"{key}: {style}{c}", *(f"  {b}" for b in body)], True),
        st.sampled_from(["|", ">", "|-", ">+", "|+"]),
        _COMMENT,
        st.lists(_TEXT, min_size=1, max_size=3),
    )
    flow = st.builds(
        lambda items, c: _Entry(
            key, [f"{key}: [{items[0]},", *(f"  {i}," for i in items[1:]), f"  ]{c}"]
        ),
        st.lists(_WORD, min_size=1, max_size=3),
        _COMMENT,
    )
    return st.one_of(plain, double, single, empty, block, flow)


def _mapping_entry(key: str) -> st.SearchStrategy[_Entry]:
    """Like ``overrides:``: nested keys, among them an indented publish_at."""
    return st.builds(
        lambda subs, c: _Entry(
            key, [f"{key}:{c}", *(f"  {s}: 2026-01-0{i + 1} 10:00" for i, s in enumerate(subs))]
        ),
        st.lists(st.sampled_from(["publish_at", "text", "x"]), min_size=1, max_size=3, unique=True),
        _COMMENT,
    )


_PUBLISH_VALUES = ["2026-01-01 10:00", "null", "~", "", '"2026-01-01 10:00"', "'x'", WHEN]


@st.composite
def _post(draw: st.DrawFn) -> tuple[str, str, str]:
    """(file text, expected text after setting publish_at to the value, the value)."""
    value = draw(st.sampled_from([WHEN, "2027-03-01T08:30:00+01:00"]))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", BOM]))
    names = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
                lambda k: k not in ("publish_at", "title", "id")
            ),
            max_size=5,
            unique=True,
        )
    )
    entries = [draw(st.one_of(_scalar_entry(n), _mapping_entry(n))) for n in names]
    for name in ("title", "id"):
        if draw(st.booleans()):
            entries.append(draw(_scalar_entry(name)))
    current = draw(st.none() | st.sampled_from(_PUBLISH_VALUES))
    rest = draw(_COMMENT) + draw(_TRAILING)
    if current is not None:
        written = f" {current}" if current else ""
        entries.append(_Entry("publish_at", [f"publish_at:{written}{rest}"]))
    entries = draw(st.permutations(entries))

    separators = st.lists(st.sampled_from(["", "   ", "# a comment", "#"]), max_size=2)
    lines: list[str] = draw(separators)
    spans: dict[str, tuple[int, int]] = {}
    for entry in entries:
        spans[entry.key] = (len(lines), len(lines) + len(entry.lines))
        lines += entry.lines
        after = draw(separators)
        if entry.block:  # blank lines after a block scalar are part of it
            while after and not after[0].strip():
                lines.append(after.pop(0))
                spans[entry.key] = (spans[entry.key][0], len(lines))
        lines += after

    expected = list(lines)
    if current is not None:
        line = spans["publish_at"][0]
        expected[line] = f"publish_at: {value}{rest}"
    else:
        anchor = next((spans[k][1] for k in ("title", "id") if k in spans), 0)
        expected.insert(anchor, f"publish_at: {value}")

    body_lines = draw(
        st.lists(
            st.sampled_from(["---", "publish_at: 2020-01-01 10:00", "title: x", "", "Text.", "  "]),
            max_size=6,
        )
    )
    body = eol.join(body_lines) + draw(st.sampled_from(["", eol]))

    def file(front: list[str]) -> str:
        return bom + "".join(f"{line}{eol}" for line in ["---", *front, "---"]) + body

    return file(lines), file(expected), value


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(post=_post())
def test_any_front_matter_changes_only_the_publish_at_line(
    tmp_path: Path, post: tuple[str, str, str]
) -> None:
    text, expected, value = post
    before = _front_data(text)
    path = _write(tmp_path, text)
    changed = set_publish_at(path, value)
    new = path.read_bytes()
    assert new == expected.encode("utf-8")
    assert changed == (text != expected)
    if changed:
        _one_line_changed(text.encode("utf-8"), new)
    assert _front_data(expected) == {**before, "publish_at": value}
    assert not set_publish_at(path, value)
    assert path.read_bytes() == new
    line = publish_at_line(expected)
    assert line is not None
    assert (
        expected.removeprefix(BOM)
        .replace("\r\n", "\n")
        .split("\n")[line - 1]
        .startswith("publish_at: ")
    )
    assert sorted(os.listdir(tmp_path)) == ["post.md"]
