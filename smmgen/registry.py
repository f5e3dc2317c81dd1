"""The one registry of network types, shared by built-ins and extensions.

Every network, built-in or from a third-party package, registers itself the
same way: an entry point in the ``smmgen.channels`` group names its
:class:`~smmgen.channels.base.Network`, or a callable that receives
:func:`register` and calls it with one or more (smmgen's own are declared in
its pyproject.toml, the way llm and datasette load their built-in plugins). So
no list of networks exists anywhere else: the settings models, the JSON
Schemas, the counting table and the README's table all come from here. A
type registered twice is refused.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from smmgen.errors import ConfigError

if TYPE_CHECKING:
    from smmgen.channels.base import Network

ENTRY_POINT_GROUP = "smmgen.channels"

_NETWORKS: dict[str, Network] = {}
_loaded = False
_lock = threading.RLock()


def register(network: Network) -> Network:
    """Add a network type; another network of a type already registered is refused
    (the same one again, as when a package is on the path twice, is not)."""
    if _NETWORKS.get(network.type) is network:
        return network
    if network.type in _NETWORKS:
        raise ConfigError(
            f"network type '{network.type}' is registered twice (two installed packages"
            " declare it in the smmgen.channels entry points); uninstall one of them"
        )
    _NETWORKS[network.type] = network
    return network


@cache
def installed() -> tuple[EntryPoint, ...]:
    """The entry points that register networks (smmgen's own and other packages'), read once."""
    return tuple(sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)))


def _load() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:  # channel workers of a publish run ask at once
        if _loaded:
            return
        for entry in installed():
            loaded = entry.load()
            if callable(loaded):  # registers its networks itself
                loaded(register)
            else:  # a Network
                register(loaded)
        if not _NETWORKS:
            raise ConfigError(
                "no network is registered: smmgen is not installed as a package"
                " (its networks are entry points); install it, e.g. 'pip install -e .'"
            )
        _loaded = True


def network(kind: str) -> Network:
    """The network of a channel type."""
    if _loaded and kind in _NETWORKS:  # asked for every variant: the usual case first
        return _NETWORKS[kind]
    _load()
    try:
        return _NETWORKS[kind]
    except KeyError:
        raise ConfigError(f"no network type '{kind}' is registered") from None


def types() -> list[str]:
    """Every registered network type, sorted."""
    _load()
    return sorted(_NETWORKS)


def networks() -> list[Network]:
    """Every registered network, sorted by type."""
    _load()
    return [_NETWORKS[kind] for kind in sorted(_NETWORKS)]
