"""smmgen: social media as code.

Public API (stable):

- :func:`smmgen.load` — the loaded :class:`~smmgen.project.Project`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smmgen.project import Project

# The one place the version is written: pyproject.toml reads it from here
# (`[tool.setuptools.dynamic]`), `smmgen --version` prints it, and `smmgen init`
# pins the workflows it writes to it. README: Releasing.
__version__ = "0.1.0.dev0"

__all__ = ["__version__", "load"]


def load(root: Any = None) -> Project:
    """Load the project at ``root`` (default: the nearest parent with channels.yaml)."""
    from smmgen.loading import load_project

    return load_project(root)
