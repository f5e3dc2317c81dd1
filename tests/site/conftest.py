"""The preview site in Debian's chromium: a copy of the example project, `smmgen
serve` on 127.0.0.1 in a thread, and pages that may request nothing but 127.0.0.1.

Every page a test opens goes through :class:`Guard`: a request for any other host
is refused and recorded, and the test's teardown fails if there was one.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Response, Route

from smmgen.commands.serve import Serving, start
from tests.conftest import REPO, TODAY

LOCAL = "127.0.0.1"
EXAMPLE = ("channels.yaml", "calendar.yaml", "content", "media")
TIMEOUT = 10_000  # ms: the longest a page or an update may take before a test fails
Scheme = Literal["light", "dark"]


def copy_example(target: Path) -> Path:
    """The repository's example project, copied to ``target`` (tests edit it)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copyfile(source, target / name)
    return target


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "project")


@contextlib.contextmanager
def serving(root: Path, at: str = TODAY) -> Iterator[Serving]:
    """`smmgen serve` on 127.0.0.1 (any free port) in a thread, stopped on exit."""
    served = start(root, LOCAL, 0, at=at)
    thread = threading.Thread(
        target=served.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield served
    finally:
        served.server.site.hub.close()
        served.server.shutdown()
        served.watcher.stop()
        served.server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def served(example: Path) -> Iterator[Serving]:
    with serving(example) as running:
        yield running


@dataclass
class Guard:
    """What a page asked for: requests to other hosts (refused), answers, failures."""

    outside: list[str] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == LOCAL or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def answered(self, response: Response) -> None:
        self.answers.append((response.status, response.url))

    def failure(self, request: Request) -> None:
        self.failed.append(f"{request.url}: {request.failure}")


OpenPage = Callable[..., tuple[Page, Guard]]


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """``open_page(url, color_scheme="light")``: a fresh page at ``url`` whose
    requests are guarded; after the test, none may have left 127.0.0.1."""
    opened: list[tuple[Page, Guard]] = []

    def open_(url: str, color_scheme: Scheme = "light", width: int = 1100) -> tuple[Page, Guard]:
        context = browser.new_context(
            color_scheme=color_scheme, viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(TIMEOUT)
        guard = Guard()
        context.route("**/*", guard.route)
        page = context.new_page()
        page.on("response", guard.answered)
        page.on("requestfailed", guard.failure)
        opened.append((page, guard))
        page.goto(url, wait_until="load")
        return page, guard

    yield open_
    for page, _ in opened:
        page.context.close()
    outside = [url for _, guard in opened for url in guard.outside]
    assert not outside, f"the pages requested other hosts than {LOCAL}: {outside}"
