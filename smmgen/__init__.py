"""smmgen: social media as code.

Public API (stable):

- :func:`smmgen.load` — the loaded :class:`~smmgen.project.Project`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smmgen.project import Project

try:
    __version__ = version("smmgen")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__", "load"]


def load(root: Any = None) -> Project:
    """Load the project at ``root`` (default: the nearest parent with channels.yaml)."""
    from smmgen.project import load as _load

    return _load(root)
