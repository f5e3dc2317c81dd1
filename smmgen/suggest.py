"""'Did you mean ...?' suggestions for misspelt names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

#: Other names people use for a network: its former name (Twitter is X) or the
#: abbreviation its users write (bsky is Bluesky's own domain). Only networks smmgen has.
ALIASES: dict[str, str] = {
    "twitter": "x",
    "tweet": "x",
    "bsky": "bluesky",
    "fb": "facebook",
    "tg": "telegram",
    "atom": "feed",
    "rss": "feed",
}


def closest(
    word: str,
    candidates: Iterable[str],
    *,
    cutoff: float = 0.6,
    types: Mapping[str, str] | None = None,
) -> str | None:
    """The candidate most similar to ``word``, compared case-insensitively, or None.

    A network's other name (:data:`ALIASES`: ``twitter``) finds its name (``x``)
    when that is a candidate, though the two look nothing alike; with ``types``
    (a channel name -> its network type), also the one channel of that network
    (``twitter`` finds the channel ``company-x`` of type ``x``)."""
    pool = {c.lower(): c for c in candidates}
    alias = ALIASES.get(word.strip().lower())
    if alias is not None and word.lower() not in pool:
        if alias in pool:
            return pool[alias]
        of_type = sorted(c for c in pool.values() if types and types.get(c) == alias)
        if len(of_type) == 1:
            return of_type[0]
    match = difflib.get_close_matches(word.lower(), pool, n=1, cutoff=cutoff)
    return pool[match[0]] if match else None


def did_you_mean(
    word: str,
    candidates: Iterable[str],
    *,
    cutoff: float = 0.6,
    types: Mapping[str, str] | None = None,
) -> str | None:
    """``"did you mean 'x'?"`` for the closest candidate, or None when nothing is close."""
    match = closest(word, candidates, cutoff=cutoff, types=types)
    return f"did you mean '{match}'?" if match else None


def nearest(word: str, candidates: Iterable[str], *, count: int = 3) -> list[str]:
    """Up to ``count`` candidates near ``word``: those that contain it (``launch``
    in ``2026-12-01-lumen-v2-launch``), then the most similar ones."""
    pool = {c.lower(): c for c in candidates}
    key = word.strip().lower()
    found = [pool[c] for c in sorted(pool) if key and key in c][:count]
    if len(found) < count:
        for match in difflib.get_close_matches(key, pool, n=count, cutoff=0.5):
            if pool[match] not in found and len(found) < count:
                found.append(pool[match])
    return found


def did_you_mean_any(word: str, candidates: Iterable[str], *, count: int = 3) -> str | None:
    """``"did you mean 'a', 'b' or 'c'?"`` for the candidates :func:`nearest` finds."""
    found = nearest(word, candidates, count=count)
    if not found:
        return None
    shown = [f"'{c}'" for c in found]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f"did you mean {listed}?"


def one_of(candidates: Iterable[str]) -> str:
    """A readable list of allowed values: ``'a', 'b' or 'c'``."""
    items = [f"'{c}'" for c in sorted(candidates)]
    if not items:
        return "(none defined)"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]
