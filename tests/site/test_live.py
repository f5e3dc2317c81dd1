"""Live reload without a browser (issue 16): what the watcher tells the open
pages after a save, a burst of saves, a broken file and a configuration change."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smmgen.site import paths
from smmgen.site.live import Hub, Watcher
from smmgen.site.state import EVERYTHING, SiteState
from tests.site.conftest import copy_example

POST = "2026-12-10-how-v2-queries-got-faster"
FILE = "content/2026/12/2026-12-10-how-v2-queries-got-faster.md"
AT = "2026-12-07 12:00"


class Recorder(Hub):
    """A hub that keeps every change it is told of."""

    def __init__(self) -> None:
        super().__init__()
        self.changes: list[tuple[int, list[str]]] = []

    def publish(self, version: int, pages: list[str]) -> None:
        self.changes.append((version, pages))
        super().publish(version, pages)


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[SiteState, Recorder, Path]]:
    root = copy_example(tmp_path / "project")
    state = SiteState(root, at=AT, ledger=False)
    hub = Recorder()
    watcher = Watcher(state, hub)
    watcher.check = lambda delay=0.0: None  # type: ignore[method-assign]  # no whole check here
    watcher.start()
    try:
        yield state, hub, root
    finally:
        watcher.stop()


def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.01)
    raise AssertionError("not within the time")


def test_a_saved_post_updates_its_pages_only(watched: tuple[SiteState, Recorder, Path]) -> None:
    state, hub, root = watched
    file = root / FILE
    file.write_text(file.read_text("utf-8").replace("Three changes", "Four changes"), "utf-8")
    wait_for(lambda: hub.changes)
    version, pages = hub.changes[-1]
    assert pages == [paths.LIST, "calendar/", paths.post_page(POST)]
    assert version == state.version
    post = state.project.post(POST)
    assert post is not None
    assert "Four changes" in state.variants(post)[0].parts[0].text


def test_a_burst_of_saves_is_one_update_with_the_last(
    watched: tuple[SiteState, Recorder, Path],
) -> None:
    state, hub, root = watched
    file = root / FILE
    original = file.read_text("utf-8")
    for n in range(30):  # as fast as a script or a formatter saves
        file.write_text(original.replace("Three changes", f"Change {n}"), "utf-8")
    wait_for(lambda: hub.changes)
    time.sleep(0.5)  # whatever else the burst brings
    assert 1 <= len(hub.changes) <= 3, hub.changes
    post = state.project.post(POST)
    assert post is not None
    assert "Change 29" in state.variants(post)[0].parts[0].text


def test_a_broken_file_shows_why_and_recovers(watched: tuple[SiteState, Recorder, Path]) -> None:
    state, _, root = watched
    file = root / FILE
    original = file.read_text("utf-8")
    file.write_text(original.replace("\nid:", "\nid: [unclosed\nx:", 1), "utf-8")
    wait_for(lambda: FILE in state.broken())
    found = state.broken()[FILE]
    assert found
    assert all(f.file == FILE and f.line for f in found)
    assert state.post_of_file(FILE) == POST  # its page stays, showing why
    file.write_text(original, "utf-8")
    wait_for(lambda: FILE not in state.broken() and state.project.post(POST) is not None)


def test_a_configuration_change_reloads_everything(
    watched: tuple[SiteState, Recorder, Path],
) -> None:
    state, hub, root = watched
    calendar = root / "calendar.yaml"
    calendar.write_text(calendar.read_text("utf-8").replace("min_gap: 10m", "min_gap: 5m"), "utf-8")
    wait_for(lambda: hub.changes)
    assert hub.changes[-1][1] == [EVERYTHING]
    assert state.project.calendar.min_gap == "5m"


def test_a_copied_post_is_a_duplicate_id_as_check_says(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "project")
    state = SiteState(root, at=AT, ledger=False)
    (root / "content" / "copy.md").write_text((root / FILE).read_text("utf-8"), "utf-8")
    assert state.changed(["content/copy.md"]) == set()  # the first file keeps its page
    (found,) = state.broken()["content/copy.md"]
    assert (found.code, found.key) == ("duplicate-id", "id")
    assert f"also the id of {FILE}" in found.message
