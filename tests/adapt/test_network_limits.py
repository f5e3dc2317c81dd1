"""The limits smmgen.text documents and the limits check enforces are one set."""

from __future__ import annotations

from smmgen.channels.registry import BUILTIN, network
from smmgen.text import RULES


def test_each_network_has_one_length_limit() -> None:
    for name in BUILTIN:
        assert network(name).limits.max_chars == RULES[name].limit, name
