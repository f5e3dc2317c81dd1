"""The networks come from the registry alone: smmgen's own are entry points in
its package metadata, exactly like a third-party network's, and no list of
network names exists in smmgen's code outside the networks' own modules."""

from __future__ import annotations

import ast
from dataclasses import replace
from importlib.metadata import distribution
from pathlib import Path

import pytest

import smmgen
from smmgen import registry
from smmgen.channels.base import Network
from smmgen.errors import ConfigError
from smmgen.models.channels import Channel

PACKAGE = Path(smmgen.__file__).parent


def test_the_built_in_networks_are_the_entry_points_of_smmgen() -> None:
    declared = {
        entry.name: entry.value
        for entry in distribution("smmgen").entry_points
        if entry.group == registry.ENTRY_POINT_GROUP
    }
    assert declared, "smmgen declares its networks as entry points"
    for kind, target in declared.items():
        assert target == f"smmgen.networks.{kind}:NETWORK", target
        network = registry.network(kind)
        assert isinstance(network, Network)
        # everything about the network is in its module
        assert network.settings.__module__.startswith(f"smmgen.networks.{kind}"), kind
        assert network.count.__module__.startswith(f"smmgen.networks.{kind}"), kind
        assert issubclass(network.settings, Channel)
        assert network.settings.model_fields["type"].annotation.__args__ == (kind,)  # type: ignore[union-attr]
        if network.driver:
            assert network.driver.startswith(f"smmgen.networks.{kind}.driver:"), network.driver
        assert network.limits.max_chars is None or network.limits.max_chars > 0
    assert set(declared) <= set(registry.types())


def _network_names() -> set[str]:
    return set(registry.types())


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def names_used_as_networks(source: str) -> list[tuple[int, str]]:
    """Network names in ``source`` used as data: compared with, listed, used as
    a key, or passed to a call. (A name in a docstring, a message or a
    placeholder such as ``"x" * 23`` is none of these.)"""
    names = _network_names()
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found: list[tuple[int, str]] = []

    def note(node: ast.AST | None) -> None:
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in names
            and id(node) not in docstrings
        ):
            found.append((node.lineno, node.value))

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                note(operand)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            for element in node.elts:
                note(element)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                note(key)
        elif isinstance(node, ast.Call):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                note(arg)
        elif isinstance(node, ast.MatchValue):
            note(node.value)
        elif isinstance(node, ast.Subscript):
            note(node.slice)
    return found


def test_no_list_of_networks_outside_their_modules() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "networks":
            continue  # a network's own module names itself
        for line, name in names_used_as_networks(path.read_text("utf-8")):
            offenders.append(f"smmgen/{relative}:{line}: {name!r}")
    assert offenders == []


def test_the_scan_finds_what_it_looks_for() -> None:
    # the check above can fail: each shape of special-casing is found
    source = (
        "if network.type == 'bluesky': pass\n"
        "KINDS = ('mastodon', 'x')\n"
        "LIMITS = {'telegram': 4096}\n"
        "length(text, 'linkedin')\n"
        "RULES['slack']\n"
        "placeholder = 'x' * 23\n"
    )
    assert [name for _, name in names_used_as_networks(source)] == [
        "bluesky",
        "mastodon",
        "x",
        "telegram",
        "linkedin",
        "slack",
    ]


def test_a_type_registered_twice_is_refused_unless_it_is_the_same_network() -> None:
    mastodon = registry.network("mastodon")
    assert registry.register(mastodon) is mastodon  # a package seen twice on the path
    with pytest.raises(ConfigError, match=r"registered twice .*uninstall one of them"):
        registry.register(replace(mastodon, title="Another Mastodon"))
    assert registry.network("mastodon") is mastodon
