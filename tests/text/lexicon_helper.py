"""Run the official atproto libraries (tests/text/node) from tests.

`validate_records` checks records against the lexicons in
../shared/specs/atproto-lexicons with `@atproto/lexicon`; `run_node` runs any
script of the small npm project in tests/text/node (installed with
`npm ci --prefix tests/text/node`).

Missing prerequisites skip the calling test with the reason, unless the
environment asks for them: SMMGEN_REQUIRE_INTEGRATION=1 turns a missing Node
or node_modules into a failure, SMMGEN_REQUIRE_SHARED=1 a missing ../shared.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / "tests" / "text" / "node"
LEXICON_DIR = REPO.parent / "shared" / "specs" / "atproto-lexicons"


def _missing(reason: str, env: str) -> NoReturn:
    if os.environ.get(env) == "1":
        pytest.fail(f"{reason} (required because {env}=1)")
    pytest.skip(reason)


def require_node() -> str:
    """Return the `node` executable, or skip (or fail) if the project is not installed."""
    node = shutil.which("node")
    if node is None:
        _missing("node is not installed; install Node 20+", "SMMGEN_REQUIRE_INTEGRATION")
    if not (NODE_DIR / "node_modules" / "@atproto" / "api").is_dir():
        _missing(
            "tests/text/node/node_modules is missing: run npm ci in tests/text/node "
            "(npm ci --prefix tests/text/node)",
            "SMMGEN_REQUIRE_INTEGRATION",
        )
    return node


def run_node(script: str, payload: Any, *args: str) -> Any:
    """Run `tests/text/node/<script>` with `payload` as JSON on stdin; return its JSON output."""
    node = require_node()
    proc = subprocess.run(
        [node, str(NODE_DIR / script), *args],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"node {script} exited with {proc.returncode}:\n{proc.stderr}")
    return json.loads(proc.stdout)


def require_lexicons() -> Path:
    """Return the shared lexicon directory, or skip (or fail) if ../shared is absent."""
    if not (LEXICON_DIR / "app" / "bsky" / "feed" / "post.json").is_file():
        _missing(
            f"the atproto lexicons are not at {LEXICON_DIR} (../shared is absent)",
            "SMMGEN_REQUIRE_SHARED",
        )
    return LEXICON_DIR


def validate_records(records: list[tuple[str, dict[str, Any]]]) -> list[str | None]:
    """Validate `(nsid, record)` pairs with `@atproto/lexicon`'s `assertValidRecord`.

    Returns, in order, None for each valid record and the library's error
    message for each invalid one. Records need their `$type`, as in a repo.
    """
    lexicons = require_lexicons()
    payload = [{"nsid": nsid, "record": record} for nsid, record in records]
    results = run_node("validate.mjs", payload, str(lexicons))
    assert isinstance(results, list)
    assert len(results) == len(records)
    return [None if r is None else str(r) for r in results]
