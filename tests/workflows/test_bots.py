"""The README's Renovate and Dependabot configurations (issue 12) fit the files
`smmgen init` writes: they parse, their file patterns select the workflows
and the lock, and Renovate's pattern finds exactly the pins, with the version
as `currentValue`. (The bots themselves cannot run here.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from smmgen import __version__
from smmgen.workflows import LOCK_DIR, LOCK_FILE, WORKFLOWS, Install, render

REPO = Path(__file__).resolve().parents[2]
SECTION = "### Which smmgen the workflows run"


def readme_block(language: str, marker: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n### ", 1)[0]
    (block,) = [
        b for b in re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL) if marker in b
    ]
    return str(block)


def js_regex(pattern: str) -> re.Pattern[str]:
    """A Renovate pattern ("/.../" or a plain regex) as Python's re."""
    if pattern.startswith("/") and pattern.endswith("/"):
        pattern = pattern[1:-1]
    return re.compile(pattern.replace("(?<", "(?P<"))


@pytest.fixture(scope="module")
def renovate() -> dict[str, object]:
    config = json.loads(readme_block("json", "customManagers"))
    assert isinstance(config, dict)
    return config


def test_renovate_finds_every_pin_in_the_workflows(renovate: dict[str, object]) -> None:
    (manager,) = renovate["customManagers"]  # type: ignore[misc]
    assert (manager["customType"], manager["datasourceTemplate"]) == ("regex", "pypi")
    assert manager["depNameTemplate"] == "smmgen"
    files = [js_regex(p) for p in manager["managerFilePatterns"]]
    (pattern,) = [js_regex(p) for p in manager["matchStrings"]]
    for name in WORKFLOWS:
        path = f".github/workflows/{name}"
        assert any(f.search(path) for f in files), path
        for version in ("1.2.3", "10.0.0rc1", __version__):
            text = render(name, version, Install.PINNED)
            found = [m.group("currentValue") for m in pattern.finditer(text)]
            assert found == [version], name
    assert not any(f.search("content/2026-12-01-post.md") for f in files)


def test_renovate_regenerates_the_lock(renovate: dict[str, object]) -> None:
    patterns = renovate["pip-compile"]["managerFilePatterns"]  # type: ignore[index]
    assert [bool(js_regex(p).search(LOCK_FILE)) for p in patterns] == [True]
    assert not js_regex(patterns[0]).search("requirements.txt")


def test_dependabot_watches_the_lock_folder() -> None:
    config = yaml.safe_load(readme_block("yaml", "package-ecosystem"))
    assert config["version"] == 2
    (update,) = config["updates"]
    assert update["package-ecosystem"] == "pip"
    assert update["directory"] == f"/{LOCK_DIR}"
    assert update["schedule"]["interval"] in ("daily", "weekly", "monthly")
