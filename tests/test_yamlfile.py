"""The YAML reader: config-file semantics and line numbers."""

from __future__ import annotations

from smmgen.loader.yamlfile import YamlDoc, YamlProblem, parse


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
