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
