"""Deterministic TIDs: the record keys Bluesky posts are published under.

A TID (atproto "timestamp identifier") is a 64-bit integer, top bit 0, then
53 bits of microseconds since the UNIX epoch and 10 bits of clock identifier,
written as 13 characters of base32-sortable (``234567a-z``), most significant
first. ``app.bsky.feed.post`` records take one as their key.

:func:`record_key` derives the TID of one part of one post on one channel from
the post itself, so every attempt to publish that part uses the same key: the
PDS refuses a second record there, and the first one can be read back. Its
time is the post's ``publish_at`` (to the second) plus an offset of under a
second from a hash, so the key still sorts by when the post was scheduled, and
the parts of a thread in order.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
LENGTH = 13
_PATTERN = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")
_VALUE = {c: i for i, c in enumerate(ALPHABET)}

MAX_MICROS = 2**53 - 1
MAX_CLOCK_ID = 2**10 - 1
_PARTS_PER_POST = 100_000  # parts of one thread, within the second
_SPREAD = 1_000_000 - _PARTS_PER_POST
_UNSCHEDULED = 1_704_067_200  # 2024-01-01T00:00:00Z: the time of posts without publish_at


def encode(micros: int, clock_id: int) -> str:
    """The TID of a time (microseconds since the epoch) and a clock identifier."""
    if not 0 <= micros <= MAX_MICROS:
        raise ValueError(f"timestamp {micros} is outside 0..2**53-1 microseconds")
    if not 0 <= clock_id <= MAX_CLOCK_ID:
        raise ValueError(f"clock identifier {clock_id} is outside 0..1023")
    value = (micros << 10) | clock_id
    chars = []
    for _ in range(LENGTH):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def decode(tid: str) -> tuple[int, int]:
    """(microseconds, clock identifier) of a TID."""
    if not is_tid(tid):
        raise ValueError(f"'{tid}' is not a TID")
    value = 0
    for char in tid:
        value = (value << 5) | _VALUE[char]
    return value >> 10, value & MAX_CLOCK_ID


def is_tid(text: str) -> bool:
    """Whether ``text`` is a TID as the atproto syntax allows."""
    return _PATTERN.fullmatch(text) is not None


def _hash(*fields: object) -> int:
    data = "\x00".join(str(f) for f in fields).encode("utf-8")
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


def record_key(post: str, channel: str, index: int, publish_at: datetime | None) -> str:
    """The TID of part ``index`` of ``post`` on ``channel``: the same on every call.

    Parts of one post are a microsecond apart, in order, at an offset within
    the second of ``publish_at`` that depends on the post and the channel; the
    clock identifier depends on all three.
    """
    if not 0 <= index < _PARTS_PER_POST:
        raise ValueError(f"part {index} is outside 0..{_PARTS_PER_POST - 1}")
    stamp = publish_at.timestamp() if publish_at is not None else _UNSCHEDULED
    # before 1970 or after 2255 is not a TID time: such a post keys as an unscheduled one
    seconds = int(stamp) if 0 <= stamp < MAX_MICROS // 1_000_000 else _UNSCHEDULED
    micros = seconds * 1_000_000 + _hash(post, channel) % _SPREAD + index
    return encode(micros, _hash(post, channel, index) % (MAX_CLOCK_ID + 1))
