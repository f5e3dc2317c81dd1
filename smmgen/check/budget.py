"""The monthly budget of a channel whose network charges per post (X's ``budget``).

For every channel with a ``budget``, the items planned on it (every post
scheduled on it, drafts aside) are added up per calendar month in UTC, in
time order. The month's total over the budget is an error, reported on the
item that crosses it and naming the month, the total and the budget; a total
of :data:`~smmgen.adapt.budget.WARN_AT` of the budget or more is a
warning, on the item that crosses that. Months before the current one are
not judged: nothing can be changed there any more.

Light on purpose (see :mod:`smmgen.check.rules`): ``judge`` runs from check's
cache. ``gather`` prices each item (:func:`smmgen.adapt.budget.item_price`),
so only the channels with a budget cost a rendering.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from smmgen.adapt.budget import WARN_AT, money, month_name
from smmgen.check.rules import Clock, across_posts
from smmgen.findings import Finding, Severity

if TYPE_CHECKING:
    from smmgen.loader.posts import Post
    from smmgen.project import Project

CODE = "over-budget"
WARNING_CODE = "near-budget"


def _gather(project: Project, post: Post) -> list[list[Any]]:
    """[[channel, network, at, line, key, price, budget], ...]: the post's items on the
    channels with a budget (``network`` its title, ``at`` POSIX seconds, prices and
    budgets as decimal strings)."""
    from smmgen.adapt.budget import budget_of, item_price
    from smmgen.adapt.variants import build_variant
    from smmgen.check.schedule import slots
    from smmgen.registry import network

    out: list[list[Any]] = []
    if not any(budget_of(channel) is not None for channel in project.channels.values()):
        return out  # no channel has a budget: nothing to price (the common case)
    for slot in slots(project, post):
        channel = project.channels[slot.channel]
        budget = budget_of(channel)
        if budget is None:
            continue
        price = item_price(build_variant(project, post, slot.channel))
        if price is not None:
            title = network(channel.type).title
            out.append([slot.channel, title, slot.at, slot.line, slot.key, str(price), str(budget)])
    return out


def _month(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m")


@across_posts("budget", _gather)
def monthly_budget(clock: Clock, gathered: Mapping[str, Any]) -> Iterator[Finding]:
    current = clock.now.astimezone(UTC).strftime("%Y-%m")
    # (channel, month) -> [(at, file, line, key, price)], and each channel's network and budget
    months: dict[tuple[str, str], list[tuple[float, str, int, str, Decimal]]] = {}
    channels: dict[str, tuple[str, Decimal]] = {}
    for file, items in gathered.items():
        for channel, title, at, line, key, price, budget in items:
            month = _month(at)
            if month >= current:
                months.setdefault((channel, month), []).append(
                    (at, file, line, key, Decimal(price))
                )
                channels[channel] = (title, Decimal(budget))  # one channels.yaml: one budget
    for (channel, month), items in sorted(months.items()):
        title, budget = channels[channel]
        items.sort(key=lambda entry: entry[:3])
        total = sum((entry[4] for entry in items), Decimal(0))
        if total <= budget * WARN_AT:
            continue
        over = total > budget
        limit = budget if over else budget * WARN_AT
        running = Decimal(0)
        crossing = items[-1]
        for entry in items:  # the item that crosses the limit
            running += entry[4]
            if running > limit:
                crossing = entry
                break
        _at, file, line, key, price = crossing
        count = len(items)
        what = (
            f"{channel}: the {count} post{'s' if count != 1 else ''} planned in"
            f" {month_name(month)} (UTC) cost {money(total)} on {title}"
        )
        if over:
            yield Finding(
                Severity.ERROR,
                CODE,
                f"{what}, over the channel's budget of {money(budget)}; this post"
                f" ({money(price)}) takes the month to {money(running)}",
                file=file,
                line=line,
                key=key,
                channel=channel,
                hint="raise `budget` in channels.yaml, or move posts to another month"
                " (`smmgen plan` shows what each costs)",
            )
        else:
            yield Finding(
                Severity.WARNING,
                WARNING_CODE,
                f"{what}, {total / budget:.0%} of the channel's budget of {money(budget)}",
                file=file,
                line=line,
                key=key,
                channel=channel,
                hint="publish refuses what would go over the budget: raise `budget` in"
                " channels.yaml if more is planned",
            )
