"""@name mentions of people from channels.yaml, written per network.

``people.alice`` maps channel names or network types to a handle, which the
network's dialect writes (a LinkedIn entry may carry the member's URN,
``"Alice Example (urn:li:person:abc)"``, which becomes LinkedIn's mention
syntax). Where a person has no handle on a network their ``name`` (or the
key itself) is written instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smmgen import registry
from smmgen.channels.base import Network


@dataclass
class Mentions:
    """Writes mentions for one channel and remembers people without a handle there."""

    people: dict[str, dict[str, str]]
    channel: str
    network: Network
    missing: list[str] = field(default_factory=list)

    def display_name(self, name: str) -> str:
        """How to write a person where there is no handle: their name."""
        person = self.people[name]
        if "name" in person:
            return person["name"]
        known = registry.types()
        for kind, handle in person.items():
            written = registry.network(kind).dialect.person_name(handle) if kind in known else None
            if written:
                return written
        return name

    def handle(self, name: str) -> str | None:
        person = self.people[name]
        return person.get(self.channel) or person.get(self.network.type)

    def __call__(self, name: str) -> str | None:
        if name not in self.people:
            return None
        handle = self.handle(name)
        network = self.network
        if handle is None or not network.mentions:
            if handle is None and network.mentions and name not in self.missing:
                self.missing.append(name)
            return network.dialect.escape(self.display_name(name))
        prefix = network.handle_prefix
        if prefix and not handle.startswith(prefix):
            handle = prefix + handle
        return network.dialect.mention(handle)


def writer(people: dict[str, dict[str, str]], channel: str, network: Network) -> Mentions:
    return Mentions(people, channel, network)
