"""Loading post files on every core, with any start method of ``multiprocessing``.

:func:`each_file` runs the work for each post file in order, in worker
processes when there are enough files to pay for starting them. Nothing is
shared implicitly: each worker receives ``setup`` (picklable) once, through the
pool's initializer, and builds its own per-file function from it with ``start``
(a module-level function, so it pickles by reference). That works the same with
``fork`` (Linux's default), ``spawn`` (Windows and macOS) and ``forkserver``.
Only what the per-file function returns comes back to the parent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from smmgen.loader.files import Progress

S = TypeVar("S")
T = TypeVar("T")  # what names a file: its path, or its name below the setup's root
R = TypeVar("R")
Start = Callable[[S], Callable[[T], R]]

PARALLEL_FROM = 400  # files; below this one process is faster than starting workers
START_METHOD: str | None = None  # multiprocessing's start method; None: the platform's
PROGRESS_EVERY = 250  # files

_work: Callable[[Any], Any] | None = None  # in a worker: set by _begin


def _begin(start: Start[Any, Any, Any], setup: Any) -> None:
    global _work
    _work = start(setup)


def _run(files: list[Any]) -> list[Any]:
    assert _work is not None, "the pool's initializer sets the work"
    return [_work(file) for file in files]


def _pieces(items: Sequence[T], count: int) -> list[list[T]]:
    size = max(1, -(-len(items) // count))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def workers() -> int:
    """How many worker processes a large load uses (0: load in this process)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return min(cores, 8) if cores > 1 else 0


def each_file(
    start: Start[S, T, R],
    setup: S,
    paths: Sequence[T],
    progress: Progress | None = None,
) -> list[R]:
    """``start(setup)(path)`` for every path, in order, on every core when it pays.

    A path may be a name below a root the setup holds: a ``str`` is cheaper to
    send to a worker than a ``Path``."""
    count = workers()
    total = len(paths)
    results: list[R] = []
    if total < PARALLEL_FROM or count < 2:
        work = start(setup)
        for index, path in enumerate(paths, 1):
            results.append(work(path))
            if progress is not None and (index % PROGRESS_EVERY == 0 or index == total):
                progress(index, total)
        return results
    # imported only here: a run that loads a few files in this process does without them
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    pieces = _pieces(paths, count * 16)  # small pieces keep every core busy to the end
    context = get_context(START_METHOD)
    with ProcessPoolExecutor(
        count, mp_context=context, initializer=_begin, initargs=(start, setup)
    ) as pool:
        done = 0
        for piece, result in zip(pieces, pool.map(_run, pieces), strict=True):
            results.extend(result)
            done += len(piece)
            if progress is not None:
                progress(done, total)
    return results
