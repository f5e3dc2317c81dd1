"""YAML parsing that keeps line numbers and refuses surprises.

The loader is PyYAML's C loader when libyaml is present (pure Python
otherwise), adjusted so YAML reads the way people expect in a config file:

- only ``true``/``false`` are booleans (``no``, ``on``, ``yes`` stay text, so
  ``language: no`` means Norwegian), and numbers are plain decimals (``10:30``,
  ``0x1F`` and ``1_000`` stay text);
- dates and times stay text, so smmgen parses them itself, in the calendar's
  time zone, and reports a bad one with its line;
- a key given twice in one mapping is an error instead of a silent overwrite.

Every document is returned with a map from key paths to 1-based line numbers,
so any later finding about ``media[1].alt`` can point at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from smmgen.errors import AliasesTooBig, DuplicateKey, KeyNotText
from smmgen.findings import KeyPath

if TYPE_CHECKING:  # the C loader has the pure one's interface
    _BaseLoader = yaml.SafeLoader
else:  # libyaml's loader when PyYAML was built with it, else the pure one
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class _Loader(_BaseLoader):
    """Config-file YAML (see the module's docstring)."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        """A node's tag, as PyYAML's ``resolve`` finds it for a loader without
        path resolvers (none is ever added), without building lists per call."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], _ANY_FIRST):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    # Without path resolvers there is no path to follow: PyYAML's own methods
    # check that on every node before doing nothing.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


# YAML 1.2's core schema for booleans and numbers: "10:30", "0x1F" and "1_000" stay text.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP, _INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"
    ),
    list("-+.0123456789"),
)
# The implicit resolvers to try by a scalar's first character ("" for an empty
# one), those for any first character (None) after, as PyYAML tries them.
_Resolvers = tuple[tuple[str, re.Pattern[str]], ...]
_ANY_FIRST: _Resolvers = tuple(_Loader.yaml_implicit_resolvers.get(None, []))
_IMPLICIT: dict[str, _Resolvers] = {
    first: (*resolvers, *_ANY_FIRST)
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}


@dataclass
class YamlDoc:
    """A parsed YAML document and the line of every key and item in it."""

    data: Any
    lines: dict[KeyPath, int]
    first_line: int

    def line_of(self, path: KeyPath) -> int:
        """The line of the deepest part of ``path`` that exists in the document."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return self.first_line


@dataclass
class YamlProblem:
    """Why a YAML text could not be parsed, with the line (1-based, in the file)."""

    message: str
    line: int
    hint: str | None = None  # what to do, where the problem says more than the default


MAX_VALUES = 20_000  # what one document may expand to through aliases


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SCALARS = frozenset({_STR, "tag:yaml.org,2002:null", _BOOL, _INT, _FLOAT})
_UNUSUAL = object()  # a value left to PyYAML's constructor: see _walk


def _text(node: yaml.Node, lines: dict[KeyPath, int]) -> bool:
    """Whether ``node`` is plain text that :func:`_walk` would take as it is (it
    raises when the document has grown too big, and checks the rest)."""
    return node.tag == _STR and type(node) is yaml.ScalarNode and len(lines) <= MAX_VALUES


def _walk(
    node: yaml.Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    offset: int,
    loader: _Loader,
    containers: set[int],
    active: frozenset[int] = frozenset(),
) -> Any:
    """Check ``node`` (no key twice, keys are text, no alias loops or bombs), note
    the line of every key and item under ``path``, and build its value as
    PyYAML's constructor would: in the same walk, for the usual tags. Anything
    else (another tag, or a list or mapping reached twice through an alias,
    which PyYAML shares) is ``_UNUSUAL``: then PyYAML builds the whole document."""
    if id(node) in active:
        raise AliasesTooBig(
            problem="an alias refers to the value that contains it", problem_mark=node.start_mark
        )
    if len(lines) > MAX_VALUES:
        raise AliasesTooBig(
            problem=f"aliases expand it to more than {MAX_VALUES:,} values",
            problem_mark=node.start_mark,
        )
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR:
            return node.value
        if tag in _SCALARS:
            try:
                return loader.yaml_constructors[tag](loader, node)
            except Exception:  # e.g. "!!int ten": refused where PyYAML refuses it
                return _UNUSUAL
        return _UNUSUAL
    usual = id(node) not in containers
    containers.add(id(node))
    active = active | {id(node)}
    if isinstance(node, yaml.MappingNode):
        usual = usual and tag == _MAP
        mapping: dict[str, Any] = {}
        seen: dict[tuple[str, str], yaml.Node] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.tag != _STR:
                    raise KeyNotText(
                        problem=f"the key {key_node.value} is not text; quote it or rename it",
                        problem_mark=key_node.start_mark,
                    )
                # the resolved tag and the text identify the key PyYAML would build
                first = seen.setdefault((key_node.tag, key_node.value), key_node)
                if first is not key_node:
                    raise DuplicateKey(key_node.value, first.start_mark, key_node.start_mark)
                sub = (*path, key_node.value)
                lines[sub] = key_node.start_mark.line + offset
                if _text(value_node, lines):  # the usual value: as _walk would build it
                    mapping[key_node.value] = value_node.value
                    continue
                value = _walk(value_node, sub, lines, offset, loader, containers, active)
                usual = usual and value is not _UNUSUAL
                mapping[key_node.value] = value
            else:
                usual = False  # a list or mapping as a key: PyYAML refuses it
        return mapping if usual else _UNUSUAL
    if isinstance(node, yaml.SequenceNode):
        usual = usual and tag == _SEQ
        items: list[Any] = []
        for index, item in enumerate(node.value):
            sub = (*path, index)
            lines[sub] = item.start_mark.line + offset
            if _text(item, lines):  # the usual item: as _walk would build it
                items.append(item.value)
                continue
            value = _walk(item, sub, lines, offset, loader, containers, active)
            usual = usual and value is not _UNUSUAL
            items.append(value)
        return items if usual else _UNUSUAL
    return _UNUSUAL  # pragma: no cover - PyYAML composes only these three kinds


# The flat documents most front matter is: one "key: value" per line, where a
# value is text (plain, or quoted without escapes) or a one-line list of plain
# words. Characters YAML takes as printable and not as a line break (U+0085,
# U+2028, U+2029), nor a BOM; a key starts with a letter.
_PRINTABLE = "\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_FLAT_LINE = re.compile(rf"([A-Za-z][A-Za-z0-9_]*): (?! )([{_PRINTABLE}]*)")
_FLAT_QUOTED = re.compile(r'"([^"\\]*)" *|\'([^\']*)\' *')
_FLAT_LIST = re.compile(r"\[([A-Za-z0-9][A-Za-z0-9_.\-]*(?:, [A-Za-z0-9][A-Za-z0-9_.\-]*)*)\] *")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")  # no plain text starts with one


def _plain(value: str) -> str | bool | None:
    """What YAML reads the plain scalar ``value`` as, when it is text or a boolean
    (None for anything else: a number, null, ...)."""
    for tag, regexp in _IMPLICIT.get(value[:1], _ANY_FIRST):
        if regexp.match(value):
            return value.lower() == "true" if tag == _BOOL else None
    return value


def flat_document(text: str, *, first_line: int = 1) -> YamlDoc | None:
    """``text`` read without PyYAML when it is a flat document of text and lists of
    words (most front matter), exactly as :func:`parse` reads it; None for
    anything else (nesting, comments, other types, escapes, a key twice)."""
    data: dict[str, Any] = {}
    lines: dict[KeyPath, int] = {}
    for index, line in enumerate(text.split("\n")):
        if not line:
            continue
        found = _FLAT_LINE.fullmatch(line)
        if found is None:
            return None
        key, value = found.groups()
        if key in data or _plain(key) != key:
            return None
        number = first_line + index
        first = value[:1]
        if first == '"' or first == "'":
            quoted = _FLAT_QUOTED.fullmatch(value)
            if quoted is None:
                return None
            data[key] = quoted.group(1) if first == '"' else quoted.group(2)
        elif first == "[":
            listed = _FLAT_LIST.fullmatch(value)
            if listed is None:
                return None
            words = listed.group(1).split(", ")
            if not all(_plain(word) == word for word in words):
                return None
            data[key] = words
            for position in range(len(words)):
                lines[(key, position)] = number
        else:
            # plain text: no indicator first, no ": " or " #" inside (a mapping, a
            # comment), nothing but text last (trailing spaces are not the value's)
            value = value.rstrip(" ")
            if not value or first in _INDICATORS or ": " in value or " #" in value:
                return None
            read = None if value[-1] == ":" else _plain(value)
            if read is None:
                return None
            data[key] = read
        lines[(key,)] = number
    if not data:
        return None
    return YamlDoc(data, lines, first_line)


def parse(text: str, *, first_line: int = 1) -> YamlDoc | YamlProblem:
    """Parse one YAML document; ``first_line`` is the file line the text starts on."""
    flat = flat_document(text, first_line=first_line)
    return flat if flat is not None else parse_with_pyyaml(text, first_line=first_line)


def parse_with_pyyaml(text: str, *, first_line: int = 1) -> YamlDoc | YamlProblem:
    """:func:`parse` without the shortcut for flat documents."""
    offset = first_line  # PyYAML lines are 0-based
    loader = _Loader(text)
    lines: dict[KeyPath, int] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(None, lines, first_line)
        data = _walk(node, (), lines, offset, loader, set())
        if data is _UNUSUAL:
            data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        return _tab_problem(exc, text, offset) or _problem(exc, offset)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + offset
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return YamlProblem(
            f"invalid YAML: character #x{exc.character:04x} (column {column}) is not allowed",
            line,
        )
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return YamlProblem(f"invalid YAML: {exc}", first_line)
    except RecursionError:
        return YamlProblem("invalid YAML: aliases nest too deeply", first_line)
    finally:
        loader.dispose()
    return YamlDoc(data, lines, first_line)


TAB_HINT = "replace the tab with spaces"


def _tab_problem(exc: yaml.MarkedYAMLError, text: str, offset: int) -> YamlProblem | None:
    """A tab where YAML wants spaces, said so with its line and column: PyYAML
    says only "found character '\\t' that cannot start any token" (or, for a tab
    in an indentation, something about mappings)."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None or isinstance(exc, AliasesTooBig | KeyNotText | DuplicateKey):
        return None
    lines = text.split("\n")
    if not 0 <= mark.line < len(lines):
        return None
    line = lines[mark.line]
    column: int | None = None
    if 0 <= mark.column < len(line) and line[mark.column] == "\t":
        column = mark.column
    else:  # a tab in the indentation of the line the parser stopped on
        indent = len(line) - len(line.lstrip(" \t"))
        column = line.find("\t", 0, indent) if "\t" in line[:indent] else None
    if column is None:
        return None
    return YamlProblem(
        f"invalid YAML: a tab at column {column + 1}; YAML indents with spaces, never tabs",
        mark.line + offset,
        TAB_HINT,
    )


def _problem(exc: yaml.MarkedYAMLError, offset: int) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + offset if mark else offset
    if isinstance(exc, AliasesTooBig | KeyNotText):
        return YamlProblem(f"invalid YAML: {exc.problem}", line)
    if isinstance(exc, DuplicateKey):
        return YamlProblem(
            f"duplicate key '{exc.key}': already given on line {exc.first.line + offset}", line
        )
    parts = [p for p in (exc.context, exc.problem) if p]
    detail = " ".join(parts) if parts else "cannot be parsed"
    if mark is not None:
        detail += f" (column {mark.column + 1})"
    return YamlProblem(f"invalid YAML: {detail}", line)


def describe(value: Any) -> str:
    """How a YAML value reads to a person, for 'expected X, got Y' messages.

    A value that looks like a credential is never shown, not even in part."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        from smmgen.secrets import in_value

        if in_value(value):
            return "text that looks like a secret (not shown)"
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
