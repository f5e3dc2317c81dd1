"""'Did you mean ...?' suggestions for misspelt names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The candidate most similar to ``word``, compared case-insensitively, or None."""
    pool = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(word.lower(), pool, n=1, cutoff=cutoff)
    return pool[match[0]] if match else None


def did_you_mean(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """``"did you mean 'x'?"`` for the closest candidate, or None when nothing is close."""
    match = closest(word, candidates, cutoff=cutoff)
    return f"did you mean '{match}'?" if match else None


def one_of(candidates: Iterable[str]) -> str:
    """A readable list of allowed values: ``'a', 'b' or 'c'``."""
    items = [f"'{c}'" for c in sorted(candidates)]
    if not items:
        return "(none defined)"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]
