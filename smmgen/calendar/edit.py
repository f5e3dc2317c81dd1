"""Setting ``publish_at`` in a post file's front matter, changing nothing else.

``smmgen schedule`` writes the slot it picked into the post's file. People
review that change in a pull request, so the edit touches exactly one line:
comments, key order, quoting, blank lines, trailing whitespace, CRLF line
endings, a UTF-8 BOM and the body stay byte for byte as they were.

The front matter is found exactly as the loader finds it (see
:mod:`smmgen.loader.posts`): python-frontmatter's ``---`` boundary on the text
with its BOM removed and its newlines normalised. The file's own lines (with
their own line endings) map one to one onto the normalised lines, so the
edit is made on the file's text and every other line is copied unchanged.
PyYAML's node positions say where the top-level keys and their values are,
so a ``publish_at:`` inside ``overrides:``, or one in the body, is never
touched and a new line never lands inside a multi-line value.

Before anything is written the edited front matter is parsed again the way
the loader parses it: it must hold the same data as before plus the new
``publish_at``. When it would not (anchors, aliases, unusual layouts) the file
is left alone and the edit is refused with the file and line.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from smmgen.errors import EditRefused, FrontMatterEditError
from smmgen.loader.yamlfile import YamlProblem, parse

KEY = "publish_at"
_ANCHORS = ("title", "id")  # a new publish_at goes after the first of these that exists
_BOUNDARY = YAMLHandler.FM_BOUNDARY
_BOM = "\ufeff"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_STR = "tag:yaml.org,2002:str"
# the loader's YAML library (libyaml when present: its marks count characters too), so a
# front matter the loader reads is one this module can edit
_Composer: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def set_publish_at(path: Path, value: str) -> bool:
    """Set the top-level ``publish_at`` of the post file at ``path`` to ``value``.

    ``value`` is written as a plain YAML scalar (e.g. ``2026-12-01 09:00``).
    An existing top-level ``publish_at`` has its value replaced on its line
    (its trailing comment kept); otherwise a ``publish_at: VALUE`` line is
    inserted after the value of ``title``, else of ``id``, else as the first
    front matter line; a file without front matter gets one at its start.
    Returns False, and leaves the file alone, when ``publish_at`` already is
    ``value``. The file is replaced atomically and keeps its mode.

    Raises :class:`FrontMatterEditError` (a ``ValueError``) naming the file and
    line when the front matter is not closed, is not valid YAML, has
    ``publish_at`` twice at the top level, or cannot be edited without changing
    anything else; and ``ValueError`` when ``value`` is not a plain YAML text.
    """
    _check_value(value)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrontMatterEditError(path, line, "is not valid UTF-8 text") from None
    bom = _BOM if text.startswith(_BOM) else ""
    try:
        edited = _edit(text[len(bom) :], value)
    except EditRefused as exc:
        raise FrontMatterEditError(path, exc.line, exc.reason) from None
    if edited is None:
        return False
    _write_atomic(path, (bom + edited).encode("utf-8"))
    return True


def publish_at_line(text: str) -> int | None:
    """The 1-based file line of the top-level ``publish_at`` key in a post's text.

    ``text`` is the file's text (a BOM and CRLF line endings are fine). None
    when there is no top-level ``publish_at``, or no readable front matter.
    """
    text = text.removeprefix(_BOM)
    try:
        front = _Front.of(text)
        if front is None:
            return None
        root = front.compose()
    except EditRefused:
        return None
    for key, _ in front.keys(root, KEY):
        return front.line(key.start_mark.index) + 1
    return None


def _check_value(value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValueError(f"publish_at value {value!r} must be on one line")
    parsed = parse(f"{KEY}: {value}\n")
    if isinstance(parsed, YamlProblem) or parsed.data != {KEY: value}:
        raise ValueError(f"publish_at value {value!r} cannot be written as plain YAML text")


@dataclass
class _Front:
    """A file's lines (BOM removed, each with its line ending) around its front matter."""

    lines: list[str]
    close: int  # index of the closing '---' line; the front matter is lines[1:close]
    starts: list[int]  # offset of each front matter line in ``text``
    text: str  # the front matter as written in the file

    @classmethod
    def of(cls, text: str) -> _Front | None:
        """The front matter of ``text`` as the loader finds it; None when there is none."""
        norm = _normalise(text)
        bounds = _bounds(norm)
        if bounds is None:
            return None
        lines = _LINE.findall(text)
        close = norm.count("\n", 0, bounds[1].start())  # one file line per normalised line
        starts = []
        offset = 0
        for line in lines[1:close]:
            starts.append(offset)
            offset += len(line)
        return cls(lines, close, starts, "".join(lines[1:close]))

    def line(self, index: int) -> int:
        """0-based file line of a character offset in the front matter text."""
        if index >= len(self.text):
            return self.close
        return bisect.bisect_right(self.starts, max(index, 0))

    def offset(self, line: int) -> int:
        """Offset in the front matter text where file line ``line`` starts."""
        return self.starts[line - 1]

    def compose(self) -> yaml.Node | None:
        try:
            return yaml.compose(self.text, Loader=_Composer)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = self.line(mark.index) + 1 if mark is not None else 2
            detail = " ".join(p for p in (exc.context, exc.problem) if p) or "cannot be parsed"
            raise EditRefused(line, f"front matter is not valid YAML: {detail}") from None
        except yaml.YAMLError as exc:
            raise EditRefused(2, f"front matter is not valid YAML: {exc}") from None

    def keys(self, root: yaml.Node | None, name: str) -> list[tuple[yaml.Node, yaml.Node]]:
        """The top-level (key, value) pairs whose key is the text ``name``."""
        if not isinstance(root, yaml.MappingNode):
            return []
        return [
            (key, value)
            for key, value in root.value
            if isinstance(key, yaml.ScalarNode) and key.tag == _STR and key.value == name
        ]

    def indent(self, key: yaml.Node) -> str | None:
        """What precedes ``key`` on its line, when that is only indentation."""
        line = self.line(key.start_mark.index)
        prefix = self.text[self.offset(line) : key.start_mark.index]
        return prefix if not prefix.strip(" ") else None


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _bounds(norm: str) -> tuple[re.Match[str], re.Match[str]] | None:
    """The opening and closing boundaries, exactly as ``smmgen.loader.posts`` finds them."""
    if not _BOUNDARY.match(norm):
        return None
    found = _BOUNDARY.finditer(norm)
    opening = next(found)
    closing = next(found, None)
    if closing is None:
        raise EditRefused(1, "front matter starts on line 1 but has no closing '---' line")
    return opening, closing


def _loader_data(norm: str) -> dict[Any, Any] | None:
    """The front matter data as the loader reads it; None when there is no front matter."""
    bounds = _bounds(norm)
    if bounds is None:
        return None
    opening, closing = bounds
    front_start = opening.end() + 1
    front_line = norm.count("\n", 0, front_start) + 1
    front = norm[front_start : closing.start()]
    if not front.strip():
        return {}
    parsed = parse(front, first_line=front_line)
    if isinstance(parsed, YamlProblem):
        raise EditRefused(parsed.line, f"front matter: {parsed.message}")
    if parsed.data is None:
        return {}
    if not isinstance(parsed.data, dict):
        raise EditRefused(front_line, "front matter should be 'key: value' lines")
    return parsed.data


def _edit(text: str, value: str) -> str | None:
    """``text`` (no BOM) with ``publish_at`` set to ``value``; None when it already is."""
    front = _Front.of(text)
    if front is None:
        lines = _LINE.findall(text)
        eol = next((line[len(line.rstrip("\r\n")) :] for line in lines if line[-1] in "\r\n"), "\n")
        edited = f"---{eol}{KEY}: {value}{eol}---{eol}{text}"
        _verify(edited, {}, value, 2)
        return edited
    root = front.compose()
    found = front.keys(root, KEY)
    if len(found) > 1:
        first, again = (front.line(key.start_mark.index) + 1 for key, _ in found[:2])
        raise EditRefused(
            again,
            f"'{KEY}' is given twice at the top level of the front matter"
            f" (lines {first} and {again}); keep one",
        )
    data = _loader_data(_normalise(text))
    assert data is not None
    current = data.get(KEY)
    if isinstance(current, str) and current == value:
        return None
    lines = list(front.lines)
    if found:
        line = _replace(front, lines, root, *found[0], value)
    else:
        line = _insert(front, lines, root, value)
    edited = "".join(lines)
    _verify(edited, data, value, line + 1)
    return edited


def _replace(
    front: _Front,
    lines: list[str],
    root: yaml.Node | None,
    key: yaml.Node,
    node: yaml.Node,
    value: str,
) -> int:
    """Give the existing ``publish_at`` its new value in ``lines``; the file line it is on."""
    line = front.line(key.start_mark.index)
    start, end = node.start_mark.index, _end(node)
    last = front.line(max(end - 1, start))
    if start < key.end_mark.index:  # the node written earlier, under an anchor
        raise EditRefused(line + 1, f"'{KEY}' is an alias ('*name'); set it by hand")
    written = front.text[start:end]
    if front.line(start) == line and last == line and "\n" not in written and "\r" not in written:
        # the value is on the key's line: replace just the value
        offset = front.offset(line)
        new = value if end > start else f" {value}"
        lines[line] = lines[line][: start - offset] + new + lines[line][end - offset :]
        return line
    # a value over several lines becomes one line
    indent = front.indent(key)
    if indent is None or _is_flow(root):
        raise EditRefused(line + 1, f"cannot rewrite '{KEY}' written like this; set it by hand")
    ending = lines[last][len(lines[last].rstrip("\r\n")) :]
    lines[line : last + 1] = [f"{indent}{KEY}: {value}{ending}"]
    return line


def _insert(front: _Front, lines: list[str], root: yaml.Node | None, value: str) -> int:
    """Add a ``publish_at`` line to ``lines``; the file line it is on."""
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise EditRefused(2, "front matter should be 'key: value' lines")
    if _is_flow(root):
        assert root is not None
        line = front.line(root.start_mark.index) + 1
        raise EditRefused(line, f"front matter is a {{...}} mapping; add '{KEY}' to it by hand")
    indent = ""
    if root is not None and root.value:
        first_key = root.value[0][0]
        indent = front.indent(first_key) or ""
    at = 1
    for name in _ANCHORS:
        found = front.keys(root, name)
        if found:
            key, node = found[0]
            at = front.line(max(_end(node) - 1, key.end_mark.index)) + 1
            break
    before = lines[at - 1]
    ending = before[len(before.rstrip("\r\n")) :] or "\n"
    lines.insert(at, f"{indent}{KEY}: {value}{ending}")
    return at


def _is_flow(node: yaml.Node | None) -> bool:
    return isinstance(node, yaml.CollectionNode) and bool(node.flow_style)


def _end(node: yaml.Node, seen: frozenset[int] = frozenset()) -> int:
    """Where a value really ends in the text.

    A block collection's end mark is where the next token starts, after any
    comment lines; its last item's end is where the value ends.
    """
    if id(node) in seen:  # a recursive alias
        return int(node.start_mark.index)
    if isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        inner = seen | {id(node)}
        last = node.value[-1]
        if isinstance(node, yaml.MappingNode):
            return max(_end(last[0], inner), _end(last[1], inner))
        return _end(last, inner)
    return int(node.end_mark.index)


def _verify(edited: str, before: dict[Any, Any], value: str, line: int) -> None:
    """Refuse an edit after which the loader would read anything but ``before`` + the value."""
    reason = f"setting '{KEY}' here would change other front matter values; set it by hand"
    try:
        after = _loader_data(_normalise(edited))
        same = _same(after, {**before, KEY: value})
    except (EditRefused, RecursionError):
        same = False
    if not same:
        raise EditRefused(line, reason)


def _same(a: Any, b: Any) -> bool:
    """Equal data, with NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace the file's content atomically, keeping its mode (and a symlink to it)."""
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(target.stat().st_mode)
    # a dot name: `smmgen` never takes the temporary file for a post
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
