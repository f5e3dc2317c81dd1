"""Prices and monthly budgets of the networks that charge per post (X).

A network with a ``price`` hook (:class:`smmgen.channels.base.Network`) says
what publishing a variant costs, in US dollars, as a :class:`~decimal.Decimal`
(never a float: the sums are exact). A channel of such a network may set
``budget``: the most it may cost in a calendar month, in UTC.

- `check` adds up the items planned on the channel in each month (every post
  scheduled in that month for it) and errs when they cost more than the
  budget, on the item that crosses it; it warns from :data:`WARN_AT` of it.
- `publish` writes each item's price into its ``published`` ledger record
  (``price``: a decimal string, ``"0.215"``). Before it claims an item, it adds
  the prices of the channel's ``published`` records written in the current
  month (UTC, when X bills) to the item's: over the budget, the item is
  reported ``blocked`` and nothing is recorded, so a raised budget or the next
  month lets it go. An item whose thread is half sent is finished whatever
  it costs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smmgen.registry import network

if TYPE_CHECKING:
    from smmgen.adapt.variants import Variant
    from smmgen.loader.config import Config
    from smmgen.models.channels import Channel
    from smmgen.project import Project

#: `check` warns when a month's planned items cost this share of the budget or more.
WARN_AT = Decimal("0.8")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def money(amount: Decimal) -> str:
    """``$0.215``: US dollars to the thousandth (X's prices are whole thousandths)."""
    return f"${amount:,.3f}"


def decimal_text(amount: Decimal) -> str:
    """The amount for JSON and the ledger: ``"0.215"`` (a string, so it stays exact)."""
    return f"{amount:.3f}"


def month_of(when: datetime) -> str:
    """``2027-05``: the calendar month, in UTC, of an aware time."""
    return when.astimezone(UTC).strftime("%Y-%m")


def month_name(month: str) -> str:
    """``May 2027`` for ``2027-05``."""
    year, number = month.split("-")
    return f"{_MONTHS[int(number) - 1]} {year}"


def budget_of(channel: Channel) -> Decimal | None:
    """The channel's monthly budget in US dollars, if it sets one."""
    if "budget" not in type(channel).model_fields:  # a pydantic model is slow to miss
        return None
    budget = getattr(channel, "budget", None)
    return budget if isinstance(budget, Decimal) else None


def item_price(variant: Variant) -> Decimal | None:
    """What publishing ``variant`` costs, or None when its network charges nothing."""
    price = network(variant.network).price
    if price is None:
        return None
    return price([(part.text, sum(1 for m in part.media if m.alt)) for part in variant.parts])


@dataclass(frozen=True)
class _Pricing:
    """What a worker needs to price post files (picklable: see smmgen.loader.workers)."""

    root: Path
    config: Config
    now: datetime
    channels: dict[str, tuple[str, ...]]  # a post file below the root -> channels to price


def _pricing(setup: _Pricing) -> Callable[[str], list[tuple[str, str, Decimal | None]]]:
    """The per-file work of :func:`item_prices` in a worker: load the post, build
    its variant for each channel, price it."""
    # imported here: `check` replays a cached result with this module loaded, and
    # without the renderer
    from smmgen.adapt.variants import build_variant
    from smmgen.loader.posts import load_post
    from smmgen.project import Project

    project = Project(root=setup.root, config=setup.config, posts=[], now=setup.now)
    base = os.path.join(setup.root, "")

    def work(name: str) -> list[tuple[str, str, Decimal | None]]:
        post = load_post(base + name, setup.root, setup.config, [], set())
        if post is None:
            return []
        return [
            (post.id, channel, item_price(build_variant(project, post, channel)))
            for channel in setup.channels[name]
        ]

    return work


def item_prices(
    project: Project, wanted: Mapping[str, Sequence[str]]
) -> dict[tuple[str, str], Decimal | None]:
    """The price of each (post id, channel) in ``wanted`` (post id -> channels), each
    variant built as it will be sent; on every core when there are many posts
    (building an X variant costs about a millisecond)."""
    from smmgen.adapt.variants import build_variant
    from smmgen.loader import workers
    from smmgen.text import warm_up

    posts = {post.id: post for post in project.posts if post.id in wanted}
    if len(posts) < workers.PARALLEL_FROM or workers.workers() < 2:
        return {
            (post.id, channel): item_price(build_variant(project, post, channel))
            for post in posts.values()
            for channel in wanted[post.id]
        }
    warm_up()  # compile the big patterns once, before workers fork
    channels = {post.file: tuple(wanted[post.id]) for post in posts.values()}
    setup = _Pricing(project.root, project.config, project.now, channels)
    found = workers.each_file(_pricing, setup, list(channels))
    return {(post, channel): price for each in found for post, channel, price in each}


def record_price(record: Mapping[str, Any]) -> Decimal:
    """The price a ``published`` record holds (0 without one, or with a bad one)."""
    try:
        return Decimal(str(record.get("price") or 0))
    except InvalidOperation:
        return Decimal(0)


def spent(records: Iterable[Mapping[str, Any]], month: str) -> Decimal:
    """What the ``published`` records written in ``month`` (``2027-05``, UTC) cost."""
    total = Decimal(0)
    for record in records:
        if record.get("event") != "published" or not str(record.get("at", "")).startswith(month):
            continue
        total += record_price(record)
    return total


def over_budget(
    channel: str, network: str, month: str, spent_before: Decimal, price: Decimal, budget: Decimal
) -> str | None:
    """Why an item of ``price`` may not go out on ``network`` (its title), when
    ``spent_before`` is already spent in ``month`` on ``channel`` with ``budget``;
    None when it fits (a total equal to the budget fits)."""
    if spent_before + price <= budget:
        return None
    return (
        f"over budget: this post costs {money(price)} on {network}, and {channel} has spent"
        f" {money(spent_before)} of its {money(budget)} budget in {month_name(month)} (UTC);"
        f" raise `budget` in channels.yaml, or it goes out next month"
    )
