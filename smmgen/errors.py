"""smmgen's exceptions.

The core raises these; only ``smmgen.cli`` turns them into messages and exit
codes. Problems found while *checking* content are not exceptions: they are
collected as :class:`smmgen.findings.Finding` objects so one run reports all of
them. Exceptions are for what stops a command.

    SmmgenError                 base class: ``str(err)`` is the user-facing message
    ├── ProjectNotFound         no ``channels.yaml`` in the directory or any parent
    ├── ConfigError             channels.yaml / calendar.yaml cannot be used
    └── UsageError              a command was given a value it cannot use (exit 2)
"""

from __future__ import annotations


class SmmgenError(Exception):
    """Base class of every error smmgen raises on purpose."""

    exit_code = 1


class ProjectNotFound(SmmgenError):
    """No project root: no ``channels.yaml`` here or in any parent directory."""

    exit_code = 2


class ConfigError(SmmgenError):
    """The project's configuration cannot be used."""


class UsageError(SmmgenError):
    """A command-line value cannot be used (bad date, unknown channel, ...)."""

    exit_code = 2
