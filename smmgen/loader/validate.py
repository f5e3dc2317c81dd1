"""Validate parsed YAML against a model and say what is wrong in people's words.

Pydantic's errors are turned into findings that name the file, the line and
the key path, say what was expected and what was found, and suggest the
closest known key or value for a misspelling.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any, TypeVar, Union

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from smmgen.findings import Finding, KeyPath, Severity, format_key
from smmgen.loader.yamlfile import YamlDoc, describe
from smmgen.suggest import did_you_mean

M = TypeVar("M", bound=BaseModel)

_SECRET_WORDS = ("token", "password", "secret", "api_key", "apikey", "webhook_url", "access_key")

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "date_type": "a date as YYYY-MM-DD",
    "date_parsing": "a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "a date as YYYY-MM-DD",
    "date_from_datetime_inexact": "a date as YYYY-MM-DD",
}
_HINTS = {
    "list_type": "write [a, b] or one '- item' per line",
    "dict_type": "write one 'key: value' per line, indented below the key",
    "model_type": "write one 'key: value' per line, indented below the key",
}


def _members(tp: Any) -> list[Any]:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_members(arg))
        return out
    return [tp]


def _field(model: type[BaseModel], key: str) -> FieldInfo | None:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def _walk_type(root: Any, path: KeyPath) -> tuple[Any, FieldInfo | None]:
    """The type found at ``path`` inside ``root`` and, when a model field, its FieldInfo."""
    tp: Any = root
    info: FieldInfo | None = None
    for part in path:
        step: Any = None
        for member in _members(tp):
            origin = typing.get_origin(member)
            if isinstance(member, type) and issubclass(member, BaseModel) and isinstance(part, str):
                info = _field(member, part)
                if info is not None:
                    step = info.annotation
                    break
            elif origin is dict and isinstance(part, str):
                step, info = typing.get_args(member)[1], None
                break
            elif origin is list and isinstance(part, int):
                step, info = typing.get_args(member)[0], None
                break
        if step is None:
            return None, None
        tp = step
    return tp, info


def allowed_keys(root: Any, path: KeyPath) -> list[str]:
    """Keys a mapping at ``path`` may have (empty when it takes any key)."""
    tp, _ = _walk_type(root, path)
    for member in _members(tp):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return [info.alias or name for name, info in member.model_fields.items()]
    return []


def _clean_loc(err: ErrorDetails, data: Any) -> KeyPath:
    """The error's location as keys that exist in the data (drops union member names)."""
    out: list[str | int] = []
    current = data
    loc = err["loc"]
    for index, part in enumerate(loc):
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            out.append(part)
            current = current[part]
        elif err["type"] == "missing" and index == len(loc) - 1:
            out.append(part)
    return tuple(out)


def looks_like_secret_key(key: str) -> bool:
    lowered = key.lower()
    return not lowered.endswith("_env") and any(word in lowered for word in _SECRET_WORDS)


def _literal_values(err: ErrorDetails) -> list[str]:
    expected = str(err.get("ctx", {}).get("expected", ""))
    return [v.strip().strip("'") for v in expected.replace(" or ", ",").split(",") if v.strip()]


def _message(
    err: ErrorDetails, path: KeyPath, root: Any, alternatives: list[ErrorDetails]
) -> tuple[str, str | None, str]:
    """(message, hint, code) for one error (or several errors at one place, for unions)."""
    kind = err["type"]
    value = err.get("input")
    last = path[-1] if path else ""
    if kind == "extra_forbidden":
        key = str(last)
        if looks_like_secret_key(key):
            return (
                "holds a secret in a file; secrets never go in files",
                f"store it as a CI secret and write '{key}_env: NAME_OF_THE_VARIABLE' instead",
                "secret-in-file",
            )
        keys = allowed_keys(root, path[:-1])
        hint = did_you_mean(key, keys) or (f"known keys: {', '.join(keys)}" if keys else None)
        return "unknown key", hint, "unknown-key"
    if kind == "missing":
        _, info = _walk_type(root, path)
        about = f" ({info.description.rstrip('.')})" if info and info.description else ""
        return f"required key is missing{about}", None, "missing-key"
    if kind in ("value_error", "assertion_error"):
        msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return msg, None, "bad-value"
    expected: list[str] = []
    literals: list[str] = []
    for alt in alternatives:
        if alt["type"] == "literal_error":
            literals += _literal_values(alt)
        elif alt["type"] in _EXPECTED:
            expected.append(_EXPECTED[alt["type"]])
    expected += [f"'{v}'" for v in literals]
    if expected:
        unique = list(dict.fromkeys(expected))
        text = unique[0] if len(unique) == 1 else ", ".join(unique[:-1]) + " or " + unique[-1]
        hint = did_you_mean(value, literals) if isinstance(value, str) and literals else None
        hint = hint or _HINTS.get(alternatives[0]["type"])
        return f"expected {text}, got {describe(value)}", hint, "wrong-type"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        ctx = err.get("ctx", {})
        words = {
            "greater_than": "greater than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }
        bound = next(iter(ctx.values()), "")
        return f"expected a number {words[kind]} {bound}, got {describe(value)}", None, "bad-value"
    if kind == "string_pattern_mismatch":
        _, info = _walk_type(root, path)
        hint = info.description if info and info.description else None
        return f"'{value}' does not have the expected form", hint, "bad-value"
    return err["msg"], None, "bad-value"


def findings_for(
    exc: ValidationError,
    data: Any,
    root: Any,
    *,
    file: str,
    doc: YamlDoc | None,
    prefix: KeyPath = (),
    line_offset: int = 0,
) -> Iterator[Finding]:
    """Findings for every error of a failed validation, one per place."""
    grouped: dict[KeyPath, list[ErrorDetails]] = {}
    for err in exc.errors(include_url=False):
        grouped.setdefault(_clean_loc(err, data), []).append(err)
    # Errors deeper inside a value explain it better than "wrong type" at its top
    # (a union of true/false and a mapping, given a mapping with a bad key).
    paths = list(grouped)
    for path in paths:
        if any(other[: len(path)] == path and len(other) > len(path) for other in paths):
            kinds = {e["type"] for e in grouped[path]}
            if kinds <= set(_EXPECTED):
                del grouped[path]
    for path, errors in grouped.items():
        errors.sort(key=lambda e: e["type"] not in ("extra_forbidden", "missing", "value_error"))
        message, hint, code = _message(errors[0], path, root, errors)
        full = (*prefix, *path)
        line = doc.line_of(full) + line_offset if doc else None
        yield Finding(
            Severity.ERROR, code, message, file=file, line=line, key=format_key(full), hint=hint
        )


def validate(
    model: type[M],
    data: Any,
    *,
    file: str,
    doc: YamlDoc | None,
    prefix: KeyPath = (),
    line_offset: int = 0,
    sink: list[Finding],
) -> M | None:
    """``model`` validated from ``data``; None (and findings added to ``sink``) on errors."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        sink.extend(
            findings_for(
                exc, data, model, file=file, doc=doc, prefix=prefix, line_offset=line_offset
            )
        )
        return None
