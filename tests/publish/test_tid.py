"""Record keys: valid TIDs, derived from the post, the same on every call.

Checked against the atproto interop syntax vectors (tid_syntax_*.txt, vendored
in tests/vendor/atproto-interop-tests), with many generated keys, and against
the official implementation (@atproto/common-web, installed with the test PDS
in tests/pds).
"""

from __future__ import annotations

import json
import random
import subprocess
from datetime import UTC, datetime, timedelta, timezone

import pytest

from smmgen.networks.bluesky import tid
from smmgen.networks.bluesky.tid import decode, encode, is_tid, record_key
from tests.prerequisites import node
from tests.servers.pds import PDS_DIR
from tests.vendored import vendored

SYNTAX = vendored("atproto-interop-tests", "syntax")
WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _examples(name: str) -> list[str]:
    lines = (SYNTAX / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_conformance_valid() -> None:
    examples = _examples("tid_syntax_valid.txt")
    assert len(examples) >= 4
    for example in examples:
        assert is_tid(example), example
        micros, clock = decode(example)
        if example[0] in "234567ab":  # the top bit is clear: encoding gives it back
            assert encode(micros, clock) == example


def test_conformance_invalid() -> None:
    examples = _examples("tid_syntax_invalid.txt")
    assert len(examples) >= 8
    for example in examples:
        assert not is_tid(example), example
        with pytest.raises(ValueError, match="not a TID"):
            decode(example)


def test_known_encoding() -> None:
    """Zero and the largest values, digit by digit."""
    assert encode(0, 0) == "2222222222222"
    assert encode(0, 1) == "2222222222223"
    assert encode(0, 31) == "222222222222z"
    assert encode(1, 0) == "2222222222322"  # 1 << 10 = 32 * 32
    assert encode(tid.MAX_MICROS, tid.MAX_CLOCK_ID) == "bzzzzzzzzzzzz"
    with pytest.raises(ValueError, match="outside"):
        encode(tid.MAX_MICROS + 1, 0)
    with pytest.raises(ValueError, match="outside"):
        encode(0, 1024)
    with pytest.raises(ValueError, match="outside"):
        encode(-1, 0)


def test_generated_keys_are_valid_and_round_trip() -> None:
    rng = random.Random(11)
    for _ in range(5000):
        micros = rng.randrange(tid.MAX_MICROS + 1)
        clock = rng.randrange(1024)
        key = encode(micros, clock)
        assert len(key) == 13
        assert is_tid(key), key
        assert key[0] in "234567ab"  # the top bit of the 64 stays clear
        assert decode(key) == (micros, clock)


def test_keys_sort_as_their_times() -> None:
    rng = random.Random(5)
    pairs = [(rng.randrange(tid.MAX_MICROS + 1), rng.randrange(1024)) for _ in range(2000)]
    keys = [encode(*pair) for pair in pairs]
    assert sorted(keys) == [encode(*pair) for pair in sorted(pairs)]


def test_record_key_is_deterministic_and_distinct() -> None:
    rng = random.Random(3)
    seen: dict[str, tuple[str, str, int]] = {}
    for n in range(3000):
        post = f"2026-12-{rng.randrange(1, 29):02d}-post-{n}"
        channel = rng.choice(["bluesky", "bsky-team", "bluesky_2"])
        when = WHEN + timedelta(minutes=rng.randrange(-(10**6), 10**6))
        for index in range(rng.randrange(1, 4)):
            key = record_key(post, channel, index, when)
            assert is_tid(key), key
            assert key == record_key(post, channel, index, when)
            assert seen.setdefault(key, (post, channel, index)) == (post, channel, index)
            micros, _ = decode(key)
            assert (
                int(when.timestamp()) * 1_000_000
                <= micros
                < (int(when.timestamp()) + 1) * 1_000_000
            )


def test_record_key_time_is_the_publish_time() -> None:
    key = record_key("hello", "bluesky", 0, WHEN)
    micros, _ = decode(key)
    assert datetime.fromtimestamp(micros // 1_000_000, UTC) == WHEN
    # the same instant in another zone is the same key
    berlin = WHEN.astimezone(timezone(timedelta(hours=1)))
    assert record_key("hello", "bluesky", 0, berlin) == key


def test_record_key_parts_sort_in_order() -> None:
    keys = [record_key("a-thread", "bluesky", i, WHEN) for i in range(25)]
    assert keys == sorted(keys)
    assert len(set(keys)) == 25


def test_record_key_depends_on_post_channel_and_time() -> None:
    key = record_key("hello", "bluesky", 0, WHEN)
    assert record_key("hello2", "bluesky", 0, WHEN) != key
    assert record_key("hello", "bluesky2", 0, WHEN) != key
    assert record_key("hello", "bluesky", 1, WHEN) != key
    assert record_key("hello", "bluesky", 0, WHEN + timedelta(seconds=1)) != key


def test_record_key_without_publish_time() -> None:
    key = record_key("unscheduled", "bluesky", 0, None)
    assert is_tid(key)
    assert key == record_key("unscheduled", "bluesky", 0, None)
    early = record_key("old", "bluesky", 0, datetime(1969, 7, 20, tzinfo=UTC))
    assert is_tid(early)


def test_record_key_part_range() -> None:
    with pytest.raises(ValueError, match="outside"):
        record_key("hello", "bluesky", -1, WHEN)
    with pytest.raises(ValueError, match="outside"):
        record_key("hello", "bluesky", 100_000, WHEN)


@pytest.mark.npm("tests/pds")
def test_official_implementation_agrees() -> None:
    """@atproto/common-web's TID (in tests/pds/node_modules) reads our keys as we do."""
    rng = random.Random(9)
    keys = [record_key(f"post-{n}", "bluesky", n % 3, WHEN + timedelta(days=n)) for n in range(200)]
    pairs = [(rng.randrange(2**50, tid.MAX_MICROS + 1), rng.randrange(1024)) for _ in range(200)]
    keys += [encode(*pair) for pair in pairs]
    script = (
        "const { TID } = require('@atproto/common-web');"
        "const keys = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(keys.map((k) => {"
        "  const t = TID.fromStr(k);"
        "  const again = TID.fromTime(t.timestamp(), t.clockid()).toString();"
        "  return [t.timestamp(), t.clockid(), again];"
        "})));"
    )
    proc = subprocess.run(
        [node(), "-e", script],
        cwd=PDS_DIR,
        input=json.dumps(keys),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for key, (micros, clock, again) in zip(keys, json.loads(proc.stdout), strict=True):
        assert (micros, clock) == decode(key)
        assert again == key
