"""@name mentions of people from channels.yaml, written per network.

``people.alice`` maps channel names or network types to a handle; a LinkedIn
entry may carry the member's URN, ``"Alice Example (urn:li:person:abc)"``,
which becomes LinkedIn's mention syntax. Where a person has no handle on a
network their ``name`` (or the key itself) is written instead.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from smmgen.channels.base import Network
from smmgen.text.escape import linkedin_little_text

_LINKEDIN = re.compile(r"^(?P<name>.+?)\s*\((?P<urn>urn:li:(?:person|organization):[\w-]+)\)$")


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
        linkedin = person.get("linkedin")
        if linkedin:
            match = _LINKEDIN.match(linkedin)
            return match["name"] if match else linkedin
        return name

    def handle(self, name: str) -> str | None:
        person = self.people[name]
        return person.get(self.channel) or person.get(self.network.type)

    def __call__(self, name: str) -> str | None:
        if name not in self.people:
            return None
        handle = self.handle(name)
        dialect = self.network.dialect
        if handle is None or not self.network.mentions:
            if handle is None and self.network.mentions and name not in self.missing:
                self.missing.append(name)
            return self._escape(self.display_name(name))
        if dialect == "linkedin":
            match = _LINKEDIN.match(handle)
            if match:
                return f"@[{linkedin_little_text(match['name'])}]({match['urn']})"
            return linkedin_little_text(handle)
        at_handles = self.network.type in ("mastodon", "bluesky", "x", "threads")
        if at_handles and not handle.startswith("@"):
            handle = "@" + handle
        return self._escape(handle)

    def _escape(self, text: str) -> str:
        dialect = self.network.dialect
        if dialect == "telegram":
            return html.escape(text, quote=False)
        if dialect == "slack":
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if dialect == "linkedin":
            return linkedin_little_text(text)
        return text


def writer(people: dict[str, dict[str, str]], channel: str, network: Network) -> Mentions:
    return Mentions(people, channel, network)
