"""Fixtures of the publishing tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.pds import Pds, running_pds


@pytest.fixture(scope="session")
def pds() -> Iterator[Pds]:
    """A real Bluesky PDS on 127.0.0.1 for the whole session (tests/servers/pds.py).

    A module using it marks itself with ``pytest.mark.npm("tests/pds")``."""
    with running_pds() as server:
        yield server
