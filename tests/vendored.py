"""Third-party test data, vendored in tests/vendor/ with its licences.

tests/vendor/sources.json lists every file with its upstream repository,
commit, licence and SHA-256; scripts/refresh_vendor.py refreshes them.
:func:`vendored` is how tests reach them: it refuses a path the manifest does
not list, so nothing unlisted (or unlicensed) can creep in.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).resolve().parent / "vendor"


@functools.cache
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VENDOR / "sources.json").read_text(encoding="utf-8"))
    return data


def vendored(source: str, path: str) -> Path:
    """tests/vendor/<source>/<path>: a listed file, or a directory holding listed files."""
    files = manifest()["sources"][source]["files"]
    if path not in files and not any(name.startswith(f"{path}/") for name in files):
        raise KeyError(f"tests/vendor/sources.json lists no {path} in {source}")
    return VENDOR / source / path
