"""GitHub Actions expressions (``${{ ... }}``), as far as the workflows use them.

Written from GitHub's reference ("Evaluate expressions in workflows and
actions"): literals (``null``, booleans, numbers, ``'strings'`` with ``''``
for a quote), property access (``a.b``, ``a['b']``; a missing property is
``null``), ``!``, ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``&&`` and
``||`` (which return an operand, not a boolean), parentheses, and the
functions ``contains``, ``startsWith``, ``endsWith``, ``format``, ``join``,
``toJSON``, ``fromJSON`` and the status checks ``success()``, ``failure()``,
``cancelled()``, ``always()``. Comparisons coerce as GitHub does: strings
compare case-insensitively, mixed types as numbers. Anything else (``*``
filters, ``hashFiles``) is an error, so a workflow using it is noticed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

TOKEN = re.compile(
    r"\s*(?:(?P<number>-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[!<>().,\[\]]))"
)


class ExpressionError(ValueError):
    pass


def tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = TOKEN.match(text, position)
        if not match:
            raise ExpressionError(f"cannot read {text[position:]!r} in {text!r}")
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind or "")
        if kind == "number":
            out.append(("literal", float(int(value, 16)) if "x" in value else float(value)))
        elif kind == "string":
            out.append(("literal", value[1:-1].replace("''", "'")))
        elif kind == "name" and value in ("true", "false", "null"):
            out.append(("literal", {"true": True, "false": False, "null": None}[value]))
        else:
            out.append((kind or "", value))
    return out


def truthy(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return math.nan
    return math.nan


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        a: Any = left.casefold()
        b: Any = right.casefold()
    elif isinstance(left, dict | list) or isinstance(right, dict | list):
        if op in ("==", "!="):
            return (left is right) == (op == "==")
        return False
    elif type(left) is type(right) and not isinstance(left, str):
        a, b = left, right
        if isinstance(a, bool):
            a, b = float(a), float(b)
    else:
        a, b = _number(left), _number(right)
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if isinstance(a, float) and (math.isnan(a) or math.isnan(b)):
        return False
    return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])


def to_string(value: Any) -> str:
    """How a value is written into a string (``${{ }}`` in YAML)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2)
    return str(value)


def _format(template: Any, *args: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "{{":
            return "{"
        if match.group(0) == "}}":
            return "}"
        return to_string(args[int(match.group(1))])

    return re.sub(r"\{\{|\}\}|\{(\d+)\}", replace, to_string(template))


def _contains(haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, list):
        return any(_compare("==", item, needle) for item in haystack)
    return to_string(needle).casefold() in to_string(haystack).casefold()


def _from_json(text: Any) -> Any:
    value = json.loads(to_string(text))
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": _contains,
    "startswith": lambda a, b: to_string(a).casefold().startswith(to_string(b).casefold()),
    "endswith": lambda a, b: to_string(a).casefold().endswith(to_string(b).casefold()),
    "format": _format,
    "join": lambda items, sep=",": (
        to_string(sep).join(map(to_string, items)) if isinstance(items, list) else to_string(items)
    ),
    "tojson": lambda value: json.dumps(value, indent=2),
    "fromjson": _from_json,
}
STATUS = ("success", "failure", "cancelled", "always")


class _Parser:
    def __init__(self, text: str, context: Mapping[str, Any], status: Mapping[str, bool]):
        self.text = text
        self.items = tokens(text)
        self.position = 0
        self.context = context
        self.status = status

    def peek(self) -> tuple[str, Any] | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def take(self, value: str | None = None) -> tuple[str, Any]:
        item = self.peek()
        if item is None or (value is not None and item[1] != value):
            raise ExpressionError(f"expected {value or 'more'} in {self.text!r}")
        self.position += 1
        return item

    def parse(self) -> Any:
        value = self.either()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()} in {self.text!r}")
        return value

    def either(self) -> Any:
        value = self.both()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.both()
            value = value if truthy(value) else right
        return value

    def both(self) -> Any:
        value = self.comparison()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.comparison()
            value = right if truthy(value) else value
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while (item := self.peek()) and item[0] == "op" and item[1] in ("==", "!=", "<", "<=",
                                                                         ">", ">="):  # fmt: skip
            self.take()
            value = _compare(item[1], value, self.unary())
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        value = self.primary()
        while True:
            item = self.peek()
            if item == ("op", "."):
                self.take()
                kind, name = self.take()
                if kind != "name":
                    raise ExpressionError(f"expected a property name in {self.text!r}")
                value = _member(value, name)
            elif item == ("op", "["):
                self.take()
                key = self.either()
                self.take("]")
                value = _member(value, key)
            else:
                return value

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "literal":
            return value
        if (kind, value) == ("op", "("):
            inner = self.either()
            self.take(")")
            return inner
        if kind != "name":
            raise ExpressionError(f"unexpected {value!r} in {self.text!r}")
        if self.peek() == ("op", "("):
            self.take()
            args = []
            if self.peek() != ("op", ")"):
                args.append(self.either())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.either())
            self.take(")")
            name = value.lower()
            if name in STATUS:
                return self.status[name]
            if name not in FUNCTIONS:
                raise ExpressionError(f"function {value}() is not supported by the harness")
            return FUNCTIONS[name](*args)
        if value not in self.context:
            raise ExpressionError(f"unknown context {value!r} in {self.text!r}")
        return self.context[value]


def _member(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        if isinstance(key, str):
            for name, item in value.items():
                if name.casefold() == key.casefold():
                    return item
        return None
    if isinstance(value, list) and isinstance(key, float) and key.is_integer():
        index = int(key)
        return value[index] if 0 <= index < len(value) else None
    return None


def evaluate(
    text: str, context: Mapping[str, Any], status: Mapping[str, bool] | None = None
) -> Any:
    """The value of one expression (without ``${{ }}``)."""
    flags = status or {"success": True, "failure": False, "cancelled": False, "always": True}
    return _Parser(text, context, flags).parse()


EMBEDDED = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def interpolate(
    value: Any, context: Mapping[str, Any], status: Mapping[str, bool] | None = None
) -> Any:
    """A YAML value with its ``${{ }}`` replaced. A string that is one
    expression and nothing else keeps the expression's type (a matrix list)."""
    if not isinstance(value, str):
        return value
    whole = EMBEDDED.fullmatch(value.strip())
    if whole and value.count("${{") == 1:  # not `${{ a }} ${{ b }}`, which is a string
        return evaluate(whole.group(1), context, status)
    return EMBEDDED.sub(lambda m: to_string(evaluate(m.group(1), context, status)), value)


def condition(text: Any, context: Mapping[str, Any], status: Mapping[str, bool]) -> bool:
    """An ``if:``: with or without ``${{ }}``; without a status function it
    means ``success() && (...)``."""
    if text is None:
        return status["success"]
    if isinstance(text, bool):
        return text and status["success"]
    source = str(text).strip()
    whole = EMBEDDED.fullmatch(source)
    if whole:
        source = whole.group(1).strip()
    if not re.search(r"\b(success|failure|cancelled|always)\s*\(", source):
        source = f"success() && ({source})"
    return truthy(evaluate(source, context, status))
