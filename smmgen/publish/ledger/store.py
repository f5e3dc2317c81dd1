"""The interface both ledger stores share."""

from __future__ import annotations

from dataclasses import dataclass

from smmgen.publish.ledger.records import Record


@dataclass
class Claim:
    """An ``intent`` record and how many records its (post, channel) had when it
    was decided: if another publisher wrote one since, the claim is refused."""

    record: Record
    expected: int


class Store:
    """Where the ledger lives. Thread-safe: channel workers share one store."""

    description = ""
    #: Only this process writes (the local store's lock): an unfinished claim
    #: of another run is certainly abandoned.
    exclusive = False
    #: Lines that could not be read, as "file:line: why".
    problems: list[str]

    def load(self) -> list[Record]:
        """Every record (for the git store: fetched afresh), in write order per channel."""
        raise NotImplementedError

    def claim(self, claims: list[Claim]) -> list[bool]:
        """Write the intents durably before their requests; False for each one
        refused because another publisher wrote about its item first."""
        raise NotImplementedError

    def append(self, records: list[Record]) -> None:
        """Write result records durably (the git store pushes them right after)."""
        raise NotImplementedError

    def write_files(self, files: dict[str, bytes]) -> None:
        """Keep files with the ledger (the feed)."""
        raise NotImplementedError

    def flush(self) -> None:
        """Return once everything written is durable (and pushed)."""

    def close(self) -> None:
        """Flush and release the store."""
        self.flush()
