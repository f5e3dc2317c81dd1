"""The ledger: what was published where, kept so nothing goes out twice.

:func:`open_store` picks the store ``channels.yaml`` asks for (``ledger:``):
the git branch (:mod:`.gitstore`) or a local directory (:mod:`.local`).
Records are described in :mod:`.records`; :mod:`.state` folds them.
:func:`init_store` creates the ledger (``smmgen ledger init``): nothing else
does, and a store refuses a ledger that is missing or lost records.
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Literal

from smmgen.errors import Interrupted, LedgerError
from smmgen.project import Project
from smmgen.publish.ledger.gitstore import GitStore
from smmgen.publish.ledger.local import LocalStore, create
from smmgen.publish.ledger.store import Store

Kind = Literal["auto", "git", "local"]


def _has_remote(root: Path, remote: str) -> bool:
    try:
        done = subprocess.run(
            ["git", "remote"], cwd=root, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:  # no git: no git store
        return False
    return done.returncode == 0 and remote in done.stdout.split()


def choose(project: Project, kind: Kind | None = None) -> Literal["git", "local"]:
    settings = project.config.ledger
    chosen = kind or settings.store
    if chosen == "auto":
        return "git" if _has_remote(project.root, settings.remote) else "local"
    return chosen


def _directory(project: Project) -> Path:
    settings = project.config.ledger
    directory = (project.root / settings.path).resolve()
    if not directory.is_relative_to(project.root.resolve()):
        raise LedgerError(
            f"channels.yaml: ledger.path '{settings.path}' is outside the project; "
            "give a directory inside it, e.g. 'ledger'"
        )
    return directory


def open_store(
    project: Project,
    kind: Kind | None = None,
    *,
    writing: bool = True,
    cancel: threading.Event | None = None,
) -> Store:
    """The project's ledger store; ``writing`` takes the local store's lock
    (waiting for another publisher until ``cancel`` is set)."""
    settings = project.config.ledger
    if choose(project, kind) == "git":
        return GitStore(
            project.root, remote=settings.remote, branch=settings.branch, writing=writing
        )
    return LocalStore(_directory(project), project.root, lock=writing, cancel=cancel)


def init_store(project: Project, kind: Kind | None = None, *, accept_loss: bool = False) -> str:
    """Create the project's ledger (once); what was done, for people.

    ``accept_loss``: the git branch lost records (deleted or rewound) and that
    is intended: take it as it is, or create it anew."""
    settings = project.config.ledger
    if choose(project, kind) == "local":
        return create(_directory(project), project.root.resolve())
    store = GitStore(project.root, remote=settings.remote, branch=settings.branch)
    try:
        return store.create(accept_loss=accept_loss)
    finally:
        store.close()


__all__ = ["Interrupted", "LedgerError", "Store", "choose", "init_store", "open_store"]
