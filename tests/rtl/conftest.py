"""Debian's chromium, driven through Playwright (never a browser Playwright downloads)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.prerequisites import tool


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = tool("chromium", "apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium)
        yield launched
        launched.close()
