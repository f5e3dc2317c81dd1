"""One error hierarchy: every exception class smmgen defines is in
``smmgen/errors.py`` and derives from :class:`smmgen.errors.SmmgenError`.

Checked twice: by importing every module (what each one holds at run time),
and by reading every source file (a class defined in a function, where an
import cannot see it)."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import smmgen
from smmgen import errors
from smmgen.errors import SmmgenError

PACKAGE = Path(smmgen.__file__).parent
ERRORS = PACKAGE / "errors.py"
#: Names that, as a base class, make a class an exception.
EXCEPTIONS = {
    name
    for name, value in [*vars(builtins).items(), *vars(errors).items()]
    if inspect.isclass(value) and issubclass(value, BaseException)
}


def _base_name(node: ast.expr) -> str:
    """``Error`` of ``Error``, ``yaml.Error`` or ``Error[int]``."""
    while isinstance(node, ast.Subscript | ast.Call):
        node = node.value if isinstance(node, ast.Subscript) else node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def exception_classes_in(source: str) -> list[str]:
    """The classes ``source`` defines, anywhere in it, with an exception for a base
    (a builtin one, one of smmgen.errors, or any class named ``...Error`` or
    ``...Exception``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            for name in map(_base_name, node.bases):
                if name in EXCEPTIONS or name.endswith(("Error", "Exception")):
                    found.append(f"{node.name}({name}), line {node.lineno}")
                    break
    return found


def _modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(smmgen.__path__, "smmgen.")]
    return [n for n in names if not n.endswith("__main__")]  # __main__ runs the CLI


def test_the_source_check_finds_an_exception_class() -> None:
    source = (
        "import yaml\n"
        "class Fine:\n    pass\n"
        "def f():\n    class Local(ValueError):\n        pass\n"
        "class Marked(yaml.MarkedYAMLError):\n    pass\n"
        "class Ours(LedgerError):\n    pass\n"
    )
    assert sorted(exception_classes_in(source)) == [
        "Local(ValueError), line 5",
        "Marked(MarkedYAMLError), line 7",
        "Ours(LedgerError), line 9",
    ]


def test_no_module_but_errors_defines_an_exception_class() -> None:
    found = {
        str(path.relative_to(PACKAGE.parent)): classes
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != ERRORS and (classes := exception_classes_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "move these to smmgen/errors.py"


@pytest.mark.parametrize("module", _modules())
def test_every_exception_class_of_a_module_is_smmgen_errors(module: str) -> None:
    wrong = [
        f"{value.__module__}.{value.__qualname__}"
        for value in vars(importlib.import_module(module)).values()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__.startswith("smmgen")
        and (value.__module__ != "smmgen.errors" or not issubclass(value, SmmgenError))
    ]
    assert wrong == []


def test_every_class_of_errors_is_an_smmgen_error() -> None:
    classes = [
        v for v in vars(errors).values() if inspect.isclass(v) and v.__module__ == errors.__name__
    ]
    assert len(classes) > 20
    assert [c.__name__ for c in classes if not issubclass(c, SmmgenError)] == []
    assert all(c.__name__ in (errors.__doc__ or "") for c in classes), "draw it in the docstring"
