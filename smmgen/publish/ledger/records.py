"""Ledger records: one JSON object per line, one file per channel.

Every record has ``v`` (format version), ``rid`` (unique id), ``event``,
``post``, ``channel``, ``at`` (UTC time written) and ``run`` (the publish run
that wrote it). The events, in the order a publication goes through them:

- ``intent``: this run is about to publish the post on the channel (written,
  and for the git store pushed, before the first request). ``parts``: how many.
- ``prepared``: the waiting steps of part ``index`` left something on the
  network that the one call making it public needs (an uploaded media id, a
  Threads container): ``handles``, a mapping of name to ``{"value": ...,
  "expires": time or absent}`` (a name mapped to null is forgotten). Written
  before that call, so a resumed run reuses them instead of uploading again.
- ``part``: one part was published: ``index`` and ``remote`` (``id``, ``url``,
  ``data`` the network needs for replies).
- ``published``: every part is out; ``remote`` of the first part (its
  ``url`` is the link to show), ``entry`` for the feed.
- ``failed``: the network refused (``error``, ``status``); ``retryable`` when
  a later run may try again (the network was down or rate limited).
- ``unknown``: a request was sent and its outcome cannot be known (webhooks):
  settle it with ``smmgen ledger resolve``.
- ``resolved``: settled by hand: ``outcome`` is ``published`` (``url``),
  ``retry`` (publish again next run) or ``skip`` (never publish); ``note``.

A record is one line whatever its strings hold: JSON escapes the ASCII
controls, and :func:`dumps` also escapes the other characters some readers
take for a line break (U+0085, U+2028, U+2029) and lone surrogates (which
UTF-8 cannot encode). Files are split on ``\\n`` only, so a ledger written
before those were escaped still reads back as written.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

VERSION = 1
EVENTS = ("intent", "prepared", "part", "published", "failed", "unknown", "resolved")
OUTCOMES = ("published", "retry", "skip")

Record = dict[str, Any]

# Characters json.dumps(ensure_ascii=False) leaves raw that str.splitlines() and
# other line readers break on, and lone surrogates: only ever inside a JSON
# string there, where the \uXXXX escape means the same character.
_UNSAFE = re.compile("[\u0085\u2028\u2029\ud800-\udfff]")


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make(event: str, post: str, channel: str, run: str, **fields: Any) -> Record:
    """A new record (``fields`` with value None are left out)."""
    if event not in EVENTS:
        raise ValueError(f"unknown ledger event {event!r}")
    record: Record = {
        "v": VERSION,
        "rid": uuid.uuid4().hex[:16],
        "event": event,
        "post": post,
        "channel": channel,
        "at": now_text(),
        "run": run,
    }
    record.update({k: v for k, v in fields.items() if v is not None})
    return record


def dumps(record: Record) -> str:
    """One line of JSON (no newline), keys in a stable order: no character in
    it breaks a line for any reader, and it always encodes as UTF-8."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def parse_lines(text: str, source: str) -> tuple[list[Record], list[str]]:
    """The records in a ledger file, and a message per line that is not one.

    A torn last line (a write cut short by a crash) is reported, not fatal.
    Lines end at ``\\n`` only (a ``\\r`` before it is JSON whitespace): never
    at the other characters ``str.splitlines()`` breaks on, which a record of
    an older version may hold raw.
    """
    records: list[Record] = []
    problems: list[str] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            problems.append(f"{source}:{number}: not a JSON record (ignored)")
            continue
        if not isinstance(record, dict) or record.get("event") not in EVENTS:
            problems.append(f"{source}:{number}: not a ledger record (ignored)")
            continue
        if not isinstance(record.get("post"), str) or not isinstance(record.get("channel"), str):
            problems.append(f"{source}:{number}: record without post or channel (ignored)")
            continue
        try:
            parse_time(record["at"])
        except (KeyError, TypeError, ValueError, AttributeError):
            problems.append(f"{source}:{number}: record without a valid 'at' time (ignored)")
            continue
        records.append(record)
    return records, problems


def file_name(channel: str) -> str:
    """The ledger file of a channel (channel names are safe file names: see models.base.Name)."""
    return f"{channel}.jsonl"


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
