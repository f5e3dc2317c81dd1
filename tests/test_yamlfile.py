"""The YAML reader: config-file semantics and line numbers."""

# ruff: noqa: RUF001  (Persian and Hebrew letters are the point here)

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from smmgen.loader.yamlfile import (
    YamlDoc,
    YamlProblem,
    flat_document,
    parse,
    parse_with_pyyaml,
)


def test_only_true_and_false_are_booleans() -> None:
    doc = parse("a: no\nb: yes\nc: on\nd: true\ne: False\n")
    assert isinstance(doc, YamlDoc)
    assert doc.data == {"a": "no", "b": "yes", "c": "on", "d": True, "e": False}


def test_dates_stay_text() -> None:
    doc = parse("a: 2026-12-01\nb: 2026-12-01T09:00:00+01:00\n")
    assert isinstance(doc, YamlDoc)
    assert doc.data == {"a": "2026-12-01", "b": "2026-12-01T09:00:00+01:00"}


def test_duplicate_keys_are_errors_with_both_lines() -> None:
    problem = parse("x: 1\ny: 2\nx: 3\n", first_line=2)
    assert problem == YamlProblem("duplicate key 'x': already given on line 2", 4)


def test_lines_of_nested_keys_and_items() -> None:
    doc = parse("a: 1\nmedia:\n  - path: x.png\n    alt: X\n  - path: y.png\n", first_line=2)
    assert isinstance(doc, YamlDoc)
    assert doc.lines[("a",)] == 2
    assert doc.lines[("media", 1)] == 6
    assert doc.line_of(("media", 0, "alt")) == 5
    assert doc.line_of(("media", 0, "missing")) == 4


def test_syntax_error_line_is_the_file_line() -> None:
    problem = parse("a: 1\nb: [x\n", first_line=10)
    assert isinstance(problem, YamlProblem)
    assert problem.line == 12
    assert problem.message.startswith("invalid YAML:")


# The values are built in the walk that notes the lines; what that walk leaves to
# PyYAML's constructor must come out exactly as PyYAML builds it.
_PYYAML_CASES = [
    "a: 1\nb: -2.5e3\nc: ~\nd: 'x'\ne: [1, two, {f: true}]\n",
    "a: &l [1, 2]\nb: *l\n",  # an alias: PyYAML shares the list
    "a: !!int 010\nb: !!float 1_0.5\n",  # explicit tags: PyYAML's own rules
    "a: !!set {x, y}\nb: !!binary aGk=\n",
    "a: !!str 12\nb: !!bool TRUE\n",
]


def test_values_are_what_pyyaml_builds() -> None:
    from smmgen.loader import yamlfile

    for text in _PYYAML_CASES:
        doc = parse(text)
        assert isinstance(doc, YamlDoc), text
        loader = yamlfile._Loader(text)
        try:
            expected = loader.get_single_data()
        finally:
            loader.dispose()
        assert doc.data == expected, text
        assert type(doc.data) is type(expected)
    shared = parse(_PYYAML_CASES[1])
    assert isinstance(shared, YamlDoc)
    assert shared.data["a"] is shared.data["b"]


def test_an_unknown_tag_is_a_problem_on_its_line() -> None:
    problem = parse("a: 1\nb: !custom x\n", first_line=3)
    assert isinstance(problem, YamlProblem)
    assert problem.line == 4
    assert "!custom" in problem.message


# Flat front matter is read without PyYAML (flat_document): it must read every
# document exactly as PyYAML does, or leave it to PyYAML. Documents are built
# from the pieces that make YAML tricky: indicators, quotes, colons and hashes,
# brackets, numbers, booleans, nulls, spaces and tabs, Hebrew with niqqud,
# Persian with ZWNJ, Bulgarian, Polish with a decomposed accent, a BOM.
KEYS = ["id", "title", "tags", "a", "Key_2", "true", "null", "x1", "é"]
WORDS = ["a", "b-c", "v1.2", "1", "true", "no", "~", "null", "x_y", "שָׁלוֹם", "жълт"]
PIECES = [
    *"abc \t:#-?,[]{}&*!|>'\"%@`~\\.",
    "\u200c",
    "\ufeff",
    "\x85",
    "\x07",
    "https://example.com/a#b",
    "10:30",
    "2027-01-01 17:18",
    "zaz\u0301",
    "می\u200cخواهم",
    "שָׁלוֹם",
    "true",
    "False",
    "12",
    "1.5",
    "0x1F",
    ": ",
    " #",
]

FRIENDLY = ["a", "Zb", "2027", "x:y", "a#b", " ", "-", "é", "/", "."]
FRIENDLY += ["שָׁלוֹם", "می\u200cخواهم", "жълт"]


@st.composite
def values(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["plain", "double", "single", "list"]))
    if kind == "list":
        words = draw(st.lists(st.sampled_from(WORDS), max_size=4))
        separator = draw(st.sampled_from([", ", ",", " , "]))
        return "[" + separator.join(words) + "]" + draw(st.sampled_from(["", " ", "  "]))
    # mostly pieces a flat document may hold, now and then one that makes it tricky
    friendly = st.sampled_from(FRIENDLY)
    pieces = st.one_of(friendly, friendly, friendly, st.sampled_from(PIECES))
    text = "".join(draw(st.lists(pieces, max_size=6)))
    if kind == "double":
        return f'"{text}"'
    if kind == "single":
        return f"'{text}'"
    return text


@st.composite
def documents(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=5, unique=True))
    if draw(st.integers(0, 9)) == 0:
        keys.append(keys[0])  # a key twice
    lines = []
    for key in keys:
        if draw(st.integers(0, 19)) == 0:
            lines.append(draw(st.sampled_from(["", "  ", "# note", "- x", "  a: b"])))
        separator = draw(st.sampled_from([": ", ": ", ": ", ":", ":  ", " : "]))
        lines.append(key + separator + draw(values()))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=600, deadline=None)
@given(documents(), st.integers(1, 5))
def test_flat_documents_read_as_pyyaml_reads_them(text: str, first_line: int) -> None:
    slow = parse_with_pyyaml(text, first_line=first_line)
    assert parse(text, first_line=first_line) == slow
    flat = flat_document(text, first_line=first_line)
    if flat is not None:
        assert flat == slow


def test_usual_front_matter_is_read_flat() -> None:
    text = (
        'id: a-1\ntitle: "Rückblick: Call"\npublish_at: 2027-01-01 17:18\n'
        "channels: [bluesky, x]\nlink: https://example.com/b?x=1#top\ndraft: true\n"
        "language: fa\nsummary: می\u200cخواهم\n"
    )
    flat = flat_document(text, first_line=2)
    assert flat is not None
    assert flat == parse_with_pyyaml(text, first_line=2)
    assert flat.data["draft"] is True
    assert flat.lines[("channels", 1)] == 5
