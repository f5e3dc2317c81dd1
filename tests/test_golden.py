"""The example content's variants, per channel, against golden files.

Regenerate with ``python scripts/update_golden.py`` and review the diff.
"""

from __future__ import annotations

import sys

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from update_golden import GOLDEN, golden_documents

DOCUMENTS = golden_documents()


def test_every_golden_file_is_still_produced() -> None:
    on_disk = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*.json"))
    assert on_disk == sorted(DOCUMENTS), "run python scripts/update_golden.py"


@pytest.mark.parametrize("relative", sorted(DOCUMENTS))
def test_variant_matches_golden(relative: str) -> None:
    expected = (GOLDEN / relative).read_text("utf-8")
    assert DOCUMENTS[relative] == expected, (
        f"{relative} changed: review, then run python scripts/update_golden.py"
    )
