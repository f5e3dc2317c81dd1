"""The import contract: layers in one direction, no cycles, nothing private shared.

The layers and their order are in pyproject.toml (``[tool.importlinter]``,
checked by import-linter's ``lint-imports``; README: Layout). A module's private
names (``_name``) are its own: no other module imports them or reaches them
through an attribute, and an object's private attributes are used only by its
own methods (``self._x``, ``cls._x``, ``super()._x``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "smmgen"
# namedtuple's public methods, which start with an underscore so as not to clash with fields,
# and os._exit (a forked process ends without running its parent's exit handlers)
PUBLIC_UNDERSCORED = {"_replace", "_asdict", "_fields", "_make", "_field_defaults", "_exit"}


def test_the_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_from(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute name of the module ``node`` imports from."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


MODULES = {_module_name(path) for path in PACKAGE.rglob("*.py")}


def _outside_private_module(origin: str, module: str) -> bool:
    """Whether ``module`` is outside the package of a private module in ``origin``'s name."""
    parts = origin.split(".")
    for index, part in enumerate(parts):
        package = ".".join(parts[:index])
        if _private(part) and module != package and not module.startswith(package + "."):
            return True
    return False


def private_uses(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Where ``source`` (the module ``module``) uses another module's or object's
    private name, as "line: what"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {alias.name}"
                for alias in node.names
                if _outside_private_module(alias.name, module)
            ]
        elif isinstance(node, ast.ImportFrom):
            origin = _imported_from(node, module, is_package)
            for alias in node.names:
                name = f"{origin}.{alias.name}"
                # a private submodule is its package's: the package's modules may import it
                shared = _outside_private_module(name if name in MODULES else origin, module)
                if shared or (_private(alias.name) and name not in MODULES):
                    found.append(f"{node.lineno}: from {origin} import {alias.name}")
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and ast.unparse(owner.func) == "super":
                continue
            if node.attr in PUBLIC_UNDERSCORED:
                continue
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    broken = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        uses = private_uses(
            path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"
        )
        broken += [f"{path.relative_to(ROOT)}:{use}" for use in uses]
    assert not broken, "private names used outside their module:\n" + "\n".join(broken)


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from smmgen.loader.posts import _split", "smmgen.commands.preview"),
        ("from .posts import _split", "smmgen.loader.media"),
        ("from smmgen.text._unicode import graphemes", "smmgen.adapt.variants"),
        ("from smmgen.text import _emoji", "smmgen.adapt.variants"),
        ("import smmgen.text._emoji", "smmgen.adapt.variants"),
        ("from smmgen.text.twitter import _alternation", "smmgen.text.mastodon"),
        ("import smmgen.publish.http as http\nhttp._scale()", "smmgen.publish.ledger.gitstore"),
        ("def work(run):\n    run._report()", "smmgen.publish.engine"),
    ],
)
def test_the_private_name_rule_finds_each_kind_of_use(source: str, module: str) -> None:
    assert private_uses(source, module)


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from smmgen import __version__", "smmgen.check.pins"),
        ("from smmgen.text import _emoji", "smmgen.text.twitter"),  # its own package's module
        ("from smmgen.text._unicode import graphemes", "smmgen.text.networks"),
        ("from smmgen.text._unicode import graphemes", "smmgen.text"),
        ("class A:\n    def f(self):\n        return self._x, super()._y", "smmgen.a"),
        ("parts._replace(query='')", "smmgen.adapt.links"),
    ],
)
def test_the_private_name_rule_allows_a_modules_own_names(source: str, module: str) -> None:
    assert not private_uses(source, module)
