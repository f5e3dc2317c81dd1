"""Nothing in the project reaches outside the repository for its files.

A clone has nothing beside it, so no code, test, script or CI step may build a
path above the repository's root. Python files are read as syntax: every path
built from ``__file__`` (``Path(__file__).parents[2].parent / "x"``, names
assigned from such paths, also across ``from tests.x import REPO``,
``os.path.dirname``/``join``) and every relative literal such as
``Path("../x")`` (relative to the repository, where the tests run) is
followed, and one that lands outside the repository is reported with its file
and line. Absolute paths (``/usr/bin/hugo``) name system tools, not files of
the project, and are not followed. Shell and JavaScript files
are scanned for ``..`` segments relative to their own directory
(``$(dirname "$0")/..``, ``join(here, '..', '..')``).
"""

from __future__ import annotations

import ast
import functools
import posixpath
import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from tests.conftest import REPO

# The repository's root as seen by the scan: a few levels below a made-up
# root, so that a path climbing above it is still a path, just not inside.
ROOT = PurePosixPath("/outside-5/outside-4/outside-3/outside-2/outside-1/repository")
SCANNED = ("smmgen/", "tests/", "benchmarks/", "scripts/", ".ci/", ".github/")
DATA = ("tests/vendor/", "tests/golden/", "tests/fixtures/")  # inputs, not code
PATH_CALLS = {"Path", "PurePath", "PurePosixPath", "open"}
SCRIPT_SUFFIXES = {".sh", ".bash", ".js", ".mjs", ".cjs", ".ts", ".yml", ".yaml"}


def inside(path: PurePosixPath) -> bool:
    return path == ROOT or ROOT in path.parents


def join(base: PurePosixPath, *parts: str) -> PurePosixPath:
    return PurePosixPath(posixpath.normpath(posixpath.join(str(base), *parts)))


def text(node: ast.expr) -> str | None:
    """The string a literal stands for."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def texts(nodes: list[ast.expr]) -> list[str]:
    return [value for value in map(text, nodes) if value is not None]


class PathEvaluator:
    """Follows the paths a Python module builds from ``__file__`` and literals."""

    def __init__(self, relative: str, source: str, imported: dict[str, PurePosixPath]):
        self.file = ROOT / relative
        self.tree = ast.parse(source)
        self.names: dict[str, PurePosixPath] = dict(imported)

    def value(self, node: ast.expr) -> PurePosixPath | None:
        """The path an expression stands for, when it is built from known anchors."""
        if isinstance(node, ast.Name):
            return self.file if node.id == "__file__" else self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.value(node.value)
            return base.parent if base is not None and node.attr == "parent" else None
        if isinstance(node, ast.Subscript):
            base = self.attribute_base(node.value, "parents")
            index = node.slice
            if base is not None and isinstance(index, ast.Constant):
                parents = [*base.parents, *[PurePosixPath("/")] * 64]
                return parents[int(index.value)]
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            base = self.value(node.left)
            if base is None:
                return None
            right = text(node.right)
            return base if right is None else join(base, right)
        if isinstance(node, ast.Call):
            return self.call(node)
        return None

    def attribute_base(self, node: ast.expr, attr: str) -> PurePosixPath | None:
        if isinstance(node, ast.Attribute) and node.attr == attr:
            return self.value(node.value)
        return None

    def call(self, node: ast.Call) -> PurePosixPath | None:
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if isinstance(function, ast.Attribute) and name in ("resolve", "absolute"):
            return self.value(function.value)
        if isinstance(function, ast.Attribute) and name == "joinpath":
            base = self.value(function.value)
            return None if base is None else join(base, *texts(node.args))
        if name in ("dirname", "abspath", "realpath", "normpath", "join") or name in PATH_CALLS:
            return self.arguments(name, node.args)
        return None

    def arguments(self, name: str, args: list[ast.expr]) -> PurePosixPath | None:
        if not args:
            return None
        first, literal = self.value(args[0]), text(args[0])
        relative = literal is not None and not literal.startswith("/")
        if first is None and relative and name in PATH_CALLS | {"join"}:
            first, args = ROOT, [ast.Constant(""), *args]  # relative to the repository's root
        if first is None:
            return None
        if name == "dirname":
            return first.parent
        return join(first, *texts(args[1:]))

    def escapes(self) -> list[tuple[int, str]]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                value = self.value(node.value)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and value is not None:
                        self.names[target.id] = value
        found: dict[int, str] = {}  # by line, the outermost expression (walked first)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.expr) and node.lineno not in found:
                value = self.value(node)
                if value is not None and not inside(value):
                    found[node.lineno] = ast.unparse(node)
        return sorted(found.items())

    def exported(self) -> dict[str, PurePosixPath]:
        self.escapes()
        return self.names


_evaluating: set[str] = set()


@functools.cache
def module_paths(relative: str) -> dict[str, PurePosixPath]:
    """The anchored paths a module of the repository defines, by name."""
    path = REPO / relative
    if not path.is_file() or relative in _evaluating:  # not ours, or an import cycle
        return {}
    _evaluating.add(relative)
    try:
        source = path.read_text(encoding="utf-8")
        return PathEvaluator(relative, source, imported_paths(source)).exported()
    finally:
        _evaluating.discard(relative)


def imported_paths(source: str) -> dict[str, PurePosixPath]:
    """Paths imported with ``from tests.x import NAME`` (or smmgen, benchmarks...)."""
    names = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module = module_paths(node.module.replace(".", "/") + ".py")
            for alias in node.names:
                if alias.name in module:
                    names[alias.asname or alias.name] = module[alias.name]
    return names


def python_escapes(relative: str, source: str) -> list[tuple[int, str]]:
    return PathEvaluator(relative, source, imported_paths(source)).escapes()


UPS = re.compile(r"""\.\.(?:(?:/|\\|["']\s*,\s*["'])\.\.)*(?=[/\\"'\s)]|$)""")
ANCHOR = re.compile(
    r"""dirname\s+"?\$(?:0|\{BASH_SOURCE\[0\]\})"?\)?"?/\.\.|"""  # $(dirname "$0")/..
    r"""(?:join|resolve)\(\s*(?:here|__dirname|dirname\([^)]*\))\s*,\s*["']\.\.|"""
    r"""new URL\(\s*["']\.\.(?=/)""",
)


def script_escapes(relative: str, source: str) -> list[tuple[int, str]]:
    """``..`` runs anchored at the script's own directory that climb above the root."""
    depth = len(PurePosixPath(relative).parent.parts)
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        for anchor in ANCHOR.finditer(line):
            ups = UPS.match(line, anchor.end() - 2)
            if ups and ups.group().count("..") > depth:
                found.append((number, line.strip()))
    return found


def is_script(path: Path) -> bool:
    if path.suffix in SCRIPT_SUFFIXES:
        return True
    if path.suffix:
        return False
    with path.open("rb") as file:
        return file.read(2) == b"#!"


def project_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [
        name
        for name in listed
        if name.startswith(SCANNED) and not name.startswith(DATA) and (REPO / name).is_file()
    ]


def test_no_code_or_test_builds_a_path_outside_the_repository() -> None:
    files = project_files()
    assert len(files) > 100  # the scan sees the project
    found = []
    for name in files:
        path = REPO / name
        if path.suffix == ".py":
            escapes = python_escapes(name, path.read_text(encoding="utf-8"))
        elif is_script(path):
            escapes = script_escapes(name, path.read_text(encoding="utf-8"))
        else:
            continue
        found += [f"{name}:{line}: {text}" for line, text in escapes]
    assert found == [], "paths outside the repository:\n" + "\n".join(found)


# -- the scan finds what it should --------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        (  # how the tests once read the conformance files beside the clone
            "tests/text/test_twitter_conformance.py",
            'X = Path(__file__).parents[2].parent / "beside" / "conformance"',
        ),
        ("tests/publish/test_tid.py", 'S = Path(__file__).resolve().parents[3] / "beside"'),
        (
            "tests/text/lexicon_helper.py",
            'REPO = Path(__file__).resolve().parents[2]\nL = REPO.parent / "beside" / "specs"',
        ),
        ("tests/x.py", "from tests.conftest import REPO\nL = REPO / '..' / 'beside'"),
        ("tests/x.py", "import os\nL = os.path.join(os.path.dirname(__file__), '..', '..')"),
        ("tests/x.py", 'data = open("../beside/specs/mastodon/openapi.json").read()'),
        ("scripts/x.py", 'p = Path(__file__).parent.parent.parent / "x"'),
        ("scripts/x.py", "p = Path(__file__).resolve().parent.joinpath('..', '..')"),
    ],
)
def test_the_scan_finds_python_paths_outside(relative: str, source: str) -> None:
    assert python_escapes(relative, source)


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("tests/x.py", 'REPO = Path(__file__).resolve().parents[1]\nV = REPO / "tests" / "vendor"'),
        ("tests/x.py", "from tests.conftest import REPO\nP = REPO / 'tests' / 'pds'"),
        ("tests/a/b.py", "p = Path(__file__).parent / '..' / 'c.py'"),
        ("tests/x.py", 'run("check", "..")  # an argument to smmgen, not a path read here'),
        ("tests/x.py", 'media_post("../outside.png")  # hostile input smmgen must refuse'),
    ],
)
def test_the_scan_accepts_paths_inside(relative: str, source: str) -> None:
    assert python_escapes(relative, source) == []


@pytest.mark.parametrize(
    ("relative", "source", "escapes"),
    [
        (".ci/run", 'cd "$(dirname "$0")/.."', False),
        (".ci/run", 'cd "$(dirname "$0")/../.."', True),
        ("tests/text/node/gen.mjs", "const t = join(here, '..', '..', '..', 'smmgen')", False),
        ("tests/text/node/gen.mjs", "const t = join(here, '..', '..', '..', '..', 'beside')", True),
        ("tests/pds/start.mjs", "const u = new URL('../../../beside/x', import.meta.url)", True),
    ],
)
def test_the_scan_follows_scripts(relative: str, source: str, escapes: bool) -> None:
    assert bool(script_escapes(relative, source)) is escapes
