"""The one registry of network types, shared by built-ins and extensions.

Built-in networks register themselves here exactly as a third-party package
does through the ``smmgen.channels`` entry point group (a callable that
receives :func:`register`). A type registered twice is refused.
"""

from __future__ import annotations

import threading
from importlib import import_module
from importlib.metadata import entry_points

from smmgen.channels.base import Network
from smmgen.errors import ConfigError

ENTRY_POINT_GROUP = "smmgen.channels"
BUILTIN = (
    "mastodon",
    "bluesky",
    "x",
    "linkedin",
    "threads",
    "facebook",
    "telegram",
    "discord",
    "slack",
    "webhook",
    "feed",
)

_NETWORKS: dict[str, Network] = {}
_loaded = False
_lock = threading.RLock()


def register(network: Network) -> Network:
    """Add a network type; a type that is already registered is refused."""
    if network.type in _NETWORKS:
        raise ConfigError(f"network type '{network.type}' is registered twice")
    _NETWORKS[network.type] = network
    return network


def _load() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:  # channel workers of a publish run ask at once
        if _loaded:
            return
        for name in BUILTIN:
            module = import_module(f"smmgen.networks.{name}")
            module.register_networks(register)
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            entry.load()(register)
        _loaded = True


def network(kind: str) -> Network:
    """The network of a channel type."""
    _load()
    try:
        return _NETWORKS[kind]
    except KeyError:
        raise ConfigError(f"no network type '{kind}' is registered") from None


def types() -> list[str]:
    """Every registered network type."""
    _load()
    return sorted(_NETWORKS)
