"""Run the official atproto libraries (tests/text/node) from tests.

`validate_records` checks records against the lexicons vendored from
bluesky-social/atproto (tests/vendor/atproto/lexicons) with `@atproto/lexicon`;
`run_node` runs any script of the small npm project in tests/text/node, which
the test run installs when a test needs it (tests/prerequisites.py). A module
using them marks itself with ``pytest.mark.npm("tests/text/node")``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.prerequisites import REPO, node, npm_project
from tests.vendored import vendored

NODE_DIR = REPO / "tests" / "text" / "node"
LEXICON_DIR = vendored("atproto", "lexicons")


def run_node(script: str, payload: Any, *args: str) -> Any:
    """Run `tests/text/node/<script>` with `payload` as JSON on stdin; return its JSON output."""
    npm_project("tests/text/node")
    return run_json([node(), str(NODE_DIR / script), *args], payload)


def run_json(command: list[str], payload: Any) -> Any:
    """Run an oracle `command` with `payload` as JSON on stdin; return its JSON output."""
    proc = subprocess.run(
        command,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        name = " ".join(Path(part).name for part in command[:2])
        pytest.fail(f"{name} exited with {proc.returncode}:\n{proc.stderr}")
    return json.loads(proc.stdout)


def validate_records(records: list[tuple[str, dict[str, Any]]]) -> list[str | None]:
    """Validate `(nsid, record)` pairs with `@atproto/lexicon`'s `assertValidRecord`.

    Returns, in order, None for each valid record and the library's error
    message for each invalid one. Records need their `$type`, as in a repo.
    """
    payload = [{"nsid": nsid, "record": record} for nsid, record in records]
    results = run_node("validate.mjs", payload, str(LEXICON_DIR))
    assert isinstance(results, list)
    assert len(results) == len(records)
    return [None if r is None else str(r) for r in results]
