"""What the ledger says about each (post, channel): the records folded in order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from smmgen.publish.driver import Remote
from smmgen.publish.ledger.records import Record, parse_time

Status = Literal["new", "claimed", "published", "failed", "retry", "unknown", "skipped"]


@dataclass
class ItemState:
    post: str
    channel: str
    status: Status = "new"
    parts: dict[int, Remote] = field(default_factory=dict)  # published parts by index
    # what the waiting steps of each part left on the network (``prepared`` records)
    prepared: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    records: int = 0  # how many records there are (what a decision was based on)
    run: str | None = None  # the run of the latest intent
    claimed_at: datetime | None = None  # time of the latest intent
    first_intent: datetime | None = None
    url: str | None = None
    error: str | None = None
    last: Record | None = None

    @property
    def attempted(self) -> bool:
        """An earlier run got as far as an intent: a request may have gone out."""
        return self.first_intent is not None

    def thread(self) -> list[Remote]:
        """The parts published so far, in order, up to the first gap."""
        out = []
        for index in range(len(self.parts)):
            if index not in self.parts:
                break
            out.append(self.parts[index])
        return out

    def apply(self, record: Record) -> None:
        self.records += 1
        self.last = record
        event = record["event"]
        if event == "intent":
            self.status = "claimed"
            self.run = record.get("run")
            when = parse_time(record["at"])
            self.claimed_at = when
            if self.first_intent is None:
                self.first_intent = when
        elif event == "prepared":
            handles = record.get("handles")
            if isinstance(record.get("index"), int) and isinstance(handles, dict):
                saved = self.prepared.setdefault(record["index"], {})
                for name, entry in handles.items():
                    if isinstance(entry, dict) and "value" in entry:
                        saved[str(name)] = entry
                    else:
                        saved.pop(str(name), None)
        elif event == "part":
            remote = record.get("remote") or {}
            if "id" in remote and isinstance(record.get("index"), int):
                self.parts[record["index"]] = Remote.from_dict(remote)
        elif event == "published":
            self.status = "published"
            self.url = (record.get("remote") or {}).get("url") or self.url
        elif event == "failed":
            self.status = "retry" if record.get("retryable") else "failed"
            self.error = record.get("error")
        elif event == "unknown":
            self.status = "unknown"
            self.error = record.get("error")
        elif event == "resolved":
            outcome = record.get("outcome")
            if outcome == "published":
                self.status = "published"
                self.url = record.get("url") or self.url
            elif outcome == "retry":
                self.status = "retry"
                # a person looked: it is not on the network, so nothing earlier is asked
                # about (a network that cannot tell would leave it unknown for ever)
                self.first_intent = None
            elif outcome == "skip":
                self.status = "skipped"


def fold(records: Iterable[Record]) -> dict[tuple[str, str], ItemState]:
    """The state of every (post, channel) with records."""
    states: dict[tuple[str, str], ItemState] = {}
    for record in records:
        key = (record["post"], record["channel"])
        state = states.get(key)
        if state is None:
            state = states[key] = ItemState(*key)
        state.apply(record)
    return states
