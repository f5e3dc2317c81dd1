"""The publish run: every due variant, once, in order, channels side by side.

One worker per channel takes that channel's due items in time order. For each
item the ledger decides: published before (nothing to do), failed or of
unknown outcome (reported until settled), in progress by another live run
(left alone), interrupted (resumed after its last recorded part, the next
part reconciled first), or new. The worker claims items (an ``intent``
record, durable, and for the git store pushed) before any request, then
sends part by part and records each result right after it. A driver that can
find out whether a request took effect (Mastodon, Bluesky) is asked before
anything is sent again; for the others an unanswered request is recorded as
``unknown`` and never repeated.

An interrupted run (``Options.cancel`` set, by SIGINT or SIGTERM) starts no
new request, claim or retry: the request in flight ends and is recorded as
usual; an item claimed but not sent gets a retryable ``failed`` record (the
next run publishes it, after asking the network first if it may exist), and
items not claimed are left as they are. When the ledger cannot be written, an
item whose request may have gone out is reported ``unknown`` (the post may be
live), never ``failed`` as not tried.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from smmgen.adapt import budget as budgets
from smmgen.adapt.variants import Variant, build_variant
from smmgen.calendar.plan import PlanItem, build_plan
from smmgen.check import check_post
from smmgen.errors import (
    Cancelled,
    CannotTell,
    ChannelStopped,
    InterruptedBeforeRequest,
    LedgerError,
    MissingCredentials,
    NotSent,
    PublishError,
    Rejected,
    Transient,
    Unknown,
)
from smmgen.findings import Finding, Severity
from smmgen.loader.posts import Post
from smmgen.project import Project
from smmgen.publish.driver import Context, Driver, Handles, Remote, driver_class, part_key
from smmgen.publish.http import Http, Retrier, RetryPolicy
from smmgen.publish.ledger import records as rec
from smmgen.publish.ledger.state import ItemState, fold
from smmgen.publish.ledger.store import Claim, Store
from smmgen.registry import network as network_of
from smmgen.secrets import Redactor

Outcome = Literal["published", "would publish", "skipped", "failed", "unknown", "missed", "blocked"]
#: Items late by more than max_lateness are reported as missed for this long after.
MISSED_WINDOW = timedelta(days=7)
#: Items claimed together when the driver can reconcile (else one at a time).
BATCH = 25


@dataclass
class Result:
    """What the run did with one item."""

    post: str
    channel: str
    network: str
    at: datetime
    outcome: Outcome
    detail: str = ""
    url: str | None = None
    urls: list[str] = field(default_factory=list)
    preview: list[dict[str, Any]] | None = None  # --dry-run: what would be sent, per part
    price: Decimal | None = None  # US dollars, on a network that charges per post (X)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "post": self.post,
            "channel": self.channel,
            "network": self.network,
            "publish_at": self.at.isoformat(),
            "outcome": self.outcome,
            "detail": self.detail,
            "url": self.url,
            "urls": self.urls,
        }
        if self.price is not None:
            data["price"] = budgets.decimal_text(self.price)
        if self.preview is not None:
            data["requests"] = self.preview
        return data


@dataclass
class Options:
    now: datetime
    dry_run: bool = False
    channels: set[str] | None = None  # only these
    posts: set[str] | None = None  # only these ids
    lease: timedelta = timedelta(minutes=10)
    env: Mapping[str, str] | None = None
    policy: RetryPolicy | None = None
    cancel: threading.Event | None = None  # set: the run was interrupted; start nothing new


@contextmanager
def _ledger_io() -> Iterator[None]:
    """A store's OSError (a full disk, say) is a LedgerError like any other."""
    try:
        yield
    except OSError as exc:
        raise LedgerError(f"cannot write the ledger: {exc}") from None


class Run:
    def __init__(
        self,
        project: Project,
        store: Store | None,
        options: Options,
        redactor: Redactor,
        progress: Callable[[int, int], None] | None = None,
    ):
        self.project = project
        self.store = store
        self.options = options
        self.redactor = redactor
        self.progress = progress
        self.id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        self.states: dict[tuple[str, str], ItemState] = {}
        self.posts: dict[str, Post] = {p.id: p for p in project.posts}
        self.results: list[Result] = []
        self.lock = threading.RLock()
        self.reported: set[tuple[str, str]] = set()
        self.ledger_errors: list[str] = []
        self.done = 0
        self.total = 0
        self.published_records: dict[str, list[rec.Record]] = {}
        self.dry_spend: dict[str, Decimal] = {}  # --dry-run: what the items shown so far cost
        self.post_errors: dict[str, list[Finding]] = {}
        self.own: list[rec.Record] = []  # the records this run wrote
        # items whose request may have gone out (in this run, or in one that stopped
        # mid-way): if their result cannot be recorded they are unknown, not "not tried"
        self.maybe_sent: set[tuple[str, str]] = set()

    def cancelled(self) -> bool:
        return self.options.cancel is not None and self.options.cancel.is_set()

    # -- ledger ---------------------------------------------------------------
    def reload(self) -> None:
        """Read the ledger afresh; this run's records not in it yet are kept."""
        assert self.store is not None
        with _ledger_io():
            records = self.store.load()
        with self.lock:
            known = {r.get("rid") for r in records}
            records += [r for r in self.own if r["rid"] not in known]
            self.states = fold(records)
            self.published_records = {}
            for record in records:
                if record["event"] == "published":
                    self.published_records.setdefault(record["channel"], []).append(record)

    def state(self, post: str, channel: str) -> ItemState:
        with self.lock:
            key = (post, channel)
            if key not in self.states:
                self.states[key] = ItemState(post, channel)
            return self.states[key]

    def write(self, event: str, post: str, channel: str, **fields: Any) -> rec.Record:
        """Append a result record (redacted) and fold it into the state."""
        assert self.store is not None
        record = self._record(event, post, channel, **fields)
        with _ledger_io():
            self.store.append([record])
        return record

    def _record(self, event: str, post: str, channel: str, **fields: Any) -> rec.Record:
        fields = self.redactor.data(fields)  # a network's answers may echo a secret too
        record = rec.make(event, post, channel, self.id, **fields)
        with self.lock:  # one step, so that a reload in between cannot lose it
            self.state(post, channel).apply(record)
            self.own.append(record)
            if event == "published":
                self.published_records.setdefault(channel, []).append(record)
        return record

    # -- the run --------------------------------------------------------------
    def items(self) -> list[PlanItem]:
        project, options = self.project, self.options
        start = options.now - project.timing.max_lateness - MISSED_WINDOW
        chosen = []
        for item in build_plan(project, options.now, start, options.now):
            if options.channels is not None and item.channel not in options.channels:
                continue
            if options.posts is not None and item.post not in options.posts:
                continue
            chosen.append(item)
        return chosen

    def execute(self) -> list[Result]:
        if self.store is not None:
            self.reload()
        items = self.items()
        by_channel: dict[str, list[PlanItem]] = {}
        for item in items:
            if item.status in ("due", "missed", "blocked"):
                by_channel.setdefault(item.channel, []).append(item)
        self.total = sum(len(v) for v in by_channel.values())
        workers = max(1, min(8, len(by_channel)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="channel") as pool:
            futures = [
                pool.submit(self._channel, name, batch) for name, batch in by_channel.items()
            ]
            for future in futures:
                future.result()
        if self.store is not None and not self.options.dry_run:
            try:
                with _ledger_io():
                    finish_artifacts(self)
                    self.store.flush()
            except LedgerError as exc:
                self.ledger_errors.append(str(exc))
        order = {(i.post, i.channel): n for n, i in enumerate(items)}
        self.results.sort(key=lambda r: order.get((r.post, r.channel), 0))
        return self.results

    def report(self, item: PlanItem, outcome: Outcome, detail: str = "", **extra: Any) -> None:
        """What the run did with ``item`` (redacted), counted for the progress line."""
        result = Result(
            item.post,
            item.channel,
            item.network,
            item.at,
            outcome,
            self.redactor.text(detail),
            **self.redactor.data(extra),
        )
        with self.lock:
            self.results.append(result)
            self.reported.add((item.post, item.channel))
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total)

    def interrupted(self, items: list[PlanItem]) -> None:
        """Report items this interrupted run did not claim (no record: the next run has them)."""
        for item in items:
            self.report(item, "skipped", "interrupted before it was tried; the next run tries it")

    def _channel(self, name: str, items: list[PlanItem]) -> None:
        channel = self.project.channels[name]
        network = network_of(channel.type)
        cls = driver_class(network)
        todo: list[PlanItem] = []
        for item in items:
            state = (
                self.state(item.post, item.channel) if self.store else ItemState(item.post, name)
            )
            blocked = self.ledger_block(state)
            if state.status in ("published", "skipped") or (cls is None and item.status != "due"):
                with self.lock:
                    self.total -= 1
            elif cls is None:
                self.report(item, "skipped", f"smmgen cannot publish to {network.title} yet")
            elif blocked:  # failed or unknown: reported until settled, late or not
                self.report(item, *blocked)
            elif state.status == "claimed" and item.status == "missed" and not self.options.dry_run:
                todo.append(item)  # an interrupted thread is finished, however late
            elif item.status == "missed":
                self.report(item, "missed", item.reason or "")
            elif item.status == "blocked":
                self.report(item, "blocked", item.reason or "")
            else:
                todo.append(item)
        if not todo or cls is None:
            return
        env = self.options.env if self.options.env is not None else os.environ
        http = Http(
            redact=self.redactor.text, policy=self.options.policy, cancel=self.options.cancel
        )
        driver = cls(Context(name, channel, self.project, http, env))
        try:
            self.redactor.add(driver.secrets())
            if self.options.dry_run:
                for number, item in enumerate(todo):
                    if self.cancelled():
                        self.interrupted(todo[number:])
                        break
                    self._dry_run(driver, item)
                return
            missing = driver.missing()
            if missing:
                detail = (
                    f"environment variable {', '.join(missing)} not set for channel '{name}'"
                    " (set it, e.g. as a CI secret)"
                )
                for item in todo:
                    self.report(item, "failed", detail)
                return
            refused = driver.refused()
            if refused:  # nothing is tried with a credential pasted with its newline
                detail = f"channel '{name}': {'; '.join(refused)}"
                for item in todo:
                    self.report(item, "failed", detail)
                return
            try:
                _Worker(self, name, driver).work(todo)
            except LedgerError as exc:  # nothing more can be recorded: nothing more is sent
                with self.lock:
                    self.ledger_errors.append(str(exc))
                    left = [i for i in todo if (i.post, i.channel) not in self.reported]
                for item in left:
                    if (item.post, item.channel) in self.maybe_sent:
                        self.report(item, "unknown", _unrecorded_detail(item, str(exc)))
                    else:  # certainly never sent
                        self.report(item, "failed", f"not tried: {exc}")
        finally:
            driver.close()

    def _dry_run(self, driver: Driver[Any], item: PlanItem) -> None:
        variant, problem = self.variant(item)
        if variant is None:
            self.report(item, "failed", problem)
            return
        state = (
            self.state(item.post, item.channel)
            if self.store
            else ItemState(item.post, item.channel)
        )
        blocked = self.ledger_block(state)
        if blocked:
            self.report(item, *blocked)
            return
        start = len(state.thread())
        price = budgets.item_price(variant)
        spend = ""
        if price is not None and state.status != "claimed" and not start:
            pending = self.dry_spend.get(item.channel, Decimal(0))
            refusal = self.over_budget(item, price, pending)
            if refusal is not None:
                self.report(item, "blocked", refusal, price=price)
                return
            self.dry_spend[item.channel] = pending + price
            spend = self.month_spend(item.channel, pending + price)
        requests = [driver.preview(variant, i) for i in range(start, len(variant.parts))]
        detail = f"{len(variant.parts)} parts" if len(variant.parts) > 1 else ""
        if start:
            detail = f"resumes at part {start + 1} of {len(variant.parts)}"
        detail = "; ".join(x for x in (detail, spend) if x)
        self.report(item, "would publish", detail, preview=requests, price=price)

    def spent(self, channel: str) -> tuple[str, Decimal]:
        """This month (UTC: the network bills when a post is sent) and what the
        ``published`` records of ``channel`` written in it cost."""
        month = budgets.month_of(datetime.now(UTC))
        with self.lock:
            records = list(self.published_records.get(channel, []))
        return month, budgets.spent(records, month)

    def over_budget(self, item: PlanItem, price: Decimal, pending: Decimal) -> str | None:
        """Why ``item`` (costing ``price``) may not go out this month on its channel, when
        ``pending`` is what this run's items not recorded yet cost; None when it fits."""
        budget = budgets.budget_of(self.project.channels[item.channel])
        if budget is None:
            return None
        month, spent = self.spent(item.channel)
        title = network_of(item.network).title
        return budgets.over_budget(item.channel, title, month, spent + pending, price, budget)

    def month_spend(self, channel: str, pending: Decimal) -> str:
        """``December 2026 (UTC): $12.215 of the $25.000 budget``, with ``pending`` (what
        this run's items cost) added to what the ledger holds; "" without a budget."""
        budget = budgets.budget_of(self.project.channels[channel])
        if budget is None:
            return ""
        month, spent = self.spent(channel)
        total = spent + pending
        return (
            f"{budgets.month_name(month)} (UTC): {budgets.money(total)} of the"
            f" {budgets.money(budget)} budget"
        )

    def variant(self, item: PlanItem) -> tuple[Variant | None, str]:
        """The item's variant, unless `check` finds errors in the post for this channel."""
        post = self.posts[item.post]
        with self.lock:
            known = self.post_errors.get(post.id)
        if known is None:  # checked once per post, whichever channel asks first
            found = [f for f in self.project.findings if f.file == post.file]
            found += check_post(self.project, post)
            known = [f for f in found if f.severity is Severity.ERROR]
            with self.lock:
                self.post_errors[post.id] = known
        errors = [f for f in known if f.channel in (None, item.channel)]
        variant = build_variant(self.project, post, item.channel)
        errors += [f for f in variant.findings if f.severity is Severity.ERROR and f not in errors]
        if errors:
            first = errors[0]
            where = (
                f"{first.file}:{first.line}" if first.file and first.line else (first.file or "")
            )
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return None, f"not published: {first.message}{more} [{where}]; run smmgen check"
        return variant, ""

    def ledger_block(self, state: ItemState) -> tuple[Outcome, str] | None:
        """Why the ledger stops the item (failed or unknown until settled), or None."""
        if state.status == "failed":
            return "failed", (
                f"failed earlier: {state.error}; to try again: smmgen ledger resolve"
                f" {state.post} --channel {state.channel} --as retry"
            )
        if state.status == "unknown":
            return "unknown", (
                f"outcome unknown: {state.error}; look on the network, then: smmgen ledger resolve"
                f" {state.post} --channel {state.channel} --as published|retry|skip"
            )
        return None


class _Worker:
    """Publishes one channel's items, in order."""

    def settle(self, item: PlanItem, event: str, detail: str, **fields: Any) -> None:
        """Record how the item ended (``failed`` or ``unknown``) and report it."""
        self.owner.write(event, item.post, item.channel, **fields)
        outcome: Outcome = "unknown" if event == "unknown" else "failed"
        self.owner.report(item, outcome, detail)

    def __init__(self, run: Run, name: str, driver: Driver[Any]):
        self.owner = run
        self.driver = driver
        self.retrier = Retrier(driver.http.policy, run.options.cancel)
        self.reconcilable = type(driver).reconcilable

    def work(self, items: list[PlanItem]) -> None:
        run = self.owner
        assert run.store is not None
        queue = list(items)
        size = BATCH if self.reconcilable else 1
        refusals = 0
        while queue:
            if run.cancelled():  # no new claim
                run.interrupted(queue)
                return
            batch, queue = queue[:size], queue[size:]
            pending = Decimal(0)  # what the items claimed in this batch cost
            claims: list[tuple[PlanItem, Variant, ItemState, Claim]] = []
            for item in batch:
                state = run.state(item.post, item.channel)
                if state.status in ("published", "skipped"):
                    with run.lock:
                        run.total -= 1
                    continue
                blocked = run.ledger_block(state)
                if blocked:
                    run.report(item, *blocked)
                    continue
                if state.status == "claimed" and state.run != run.id:
                    assert state.claimed_at is not None
                    age = datetime.now(UTC) - state.claimed_at
                    if not run.store.exclusive and age < run.options.lease:
                        run.report(item, "skipped", f"being published by another run ({state.run})")
                        continue
                variant, problem = run.variant(item)
                if variant is None:
                    run.report(item, "failed", problem)
                    continue
                price = budgets.item_price(variant)
                # what an earlier run claimed (maybe sent) or half sent (a thread) is finished
                if price is not None and state.status != "claimed" and not state.thread():
                    refusal = run.over_budget(item, price, pending)
                    if refusal is not None:  # no record: a raised budget or next month lets it go
                        run.report(item, "blocked", refusal, price=price)
                        continue
                    pending += price
                if state.status == "claimed":  # a run stopped mid-way: it may have sent it
                    with run.lock:
                        run.maybe_sent.add((item.post, item.channel))
                record = rec.make(
                    "intent",
                    item.post,
                    item.channel,
                    run.id,
                    parts=len(variant.parts),
                    publish_at=item.at.isoformat(),
                )
                claims.append((item, variant, state, Claim(record, state.records)))
            if not claims:
                continue
            with _ledger_io():
                accepted = run.store.claim([c[3] for c in claims])
            refused = [c[0] for c, ok in zip(claims, accepted, strict=True) if not ok]
            if refused:
                refusals += 1
                run.reload()  # another publisher wrote first: decide again on what it wrote
                queue = refused + queue
            mine = [c for c, ok in zip(claims, accepted, strict=True) if ok]
            with run.lock:
                run.own.extend(c[3].record for c in mine)
            for number, (item, variant, state, claim) in enumerate(mine):
                interrupted = state.status == "claimed"  # an earlier run stopped mid-way
                was_attempted = state.attempted
                state.apply(claim.record)
                try:
                    self.publish(item, variant, state, interrupted, was_attempted)
                except ChannelStopped as stop:
                    for other, *_ in mine[number + 1 :]:
                        detail = f"not tried: {stop}; the next run tries again"
                        self.settle(
                            other, "failed", detail, error=f"not tried: {stop}", retryable=True
                        )
                    for other in queue:
                        run.report(other, "skipped", f"not tried: {stop}; the next run tries again")
                    return
                except InterruptedBeforeRequest:
                    # claimed with this one (only drivers that reconcile claim several)
                    for other, other_variant, other_state, _ in mine[number + 1 :]:
                        start, parts = len(other_state.thread()), len(other_variant.parts)
                        self.release(other, start, unsure=False, parts=parts)
                    run.interrupted(queue)
                    return
            if refusals > 50:
                for other in queue:
                    run.report(other, "skipped", "other publishers kept writing first; next run")
                return

    def publish(
        self, item: PlanItem, variant: Variant, state: ItemState, interrupted: bool, attempted: bool
    ) -> None:
        run = self.owner
        self.driver.take_notes()  # none is left over from another item
        thread = state.thread()
        since = (state.first_intent or datetime.now(UTC)) - timedelta(minutes=10)
        for index in range(len(thread), len(variant.parts)):
            key = part_key(item.post, item.channel, index)
            if not self.reconcilable and interrupted and index == len(state.thread()):
                # the request for this part may have gone out before the last run stopped
                error = (
                    "an earlier publish run stopped after claiming this part; it may have been sent"
                )
                self.settle(item, "unknown", _unknown_detail(item, error), index=index, error=error)
                return
            try:
                remote = self.send(item, variant, index, key, thread, since, check_first=attempted)
            except InterruptedBeforeRequest as stop:
                self.release(item, index, unsure=stop.unsure, parts=len(variant.parts))
                raise
            if remote is None:
                return
            thread.append(remote)
            run.write("part", item.post, item.channel, index=index, remote=remote.as_dict())
        first = thread[0] if thread else None
        price = budgets.item_price(variant)
        run.write(
            "published",
            item.post,
            item.channel,
            remote=first.as_dict() if first else None,
            urls=[r.url for r in thread if r.url],
            price=budgets.decimal_text(price) if price is not None else None,
        )
        parts = [f"{len(thread)} parts"] if len(thread) > 1 else []
        run.report(
            item,
            "published",
            "; ".join(parts + self.driver.take_notes()),  # e.g. a link card left out
            url=first.url if first else None,
            urls=[r.url for r in thread if r.url],
            price=price,
        )

    def release(self, item: PlanItem, index: int, *, unsure: bool, parts: int = 1) -> None:
        """Leave a claimed item to the next run (interrupted before its part ``index``
        was sent): a retryable record, so that the claim blocks nothing. The
        intent stays, so the next run asks a network that can tell first."""
        if unsure:
            error = f"interrupted before the outcome of part {index + 1} was known"
            detail = f"{error}; the next run asks the network, then goes on"
        elif index:
            error = f"interrupted after part {index} of {parts}"
            detail = f"{error}; the next run goes on from part {index + 1}"
        else:
            error = "interrupted before it was sent"
            detail = f"{error}; the next run tries again"
        self.owner.write(
            "failed", item.post, item.channel, index=index, error=error, retryable=True
        )
        self.owner.report(item, "skipped", detail)

    def attempt(
        self, item: PlanItem, variant: Variant, index: int, key: str, thread: list[Remote]
    ) -> Remote:
        """``driver.publish``, noting whether a request for the item may have gone out."""
        http = self.driver.http
        before, sent = http.started, True
        try:
            return self.driver.publish(variant, index, key=key, thread=list(thread))
        except NotSent as exc:
            if isinstance(exc, Cancelled) and http.started > before and not self.reconcilable:
                # some of the part's requests went out before the run was interrupted (a
                # driver that can tell is asked by the next run: its claim says attempted)
                raise Unknown(f"interrupted while sending part {index + 1}: {exc}") from None
            sent = False  # by contract, nothing reached the network
            raise
        except MissingCredentials:
            sent = False
            raise
        finally:
            self.learn_secrets()
            if sent:
                with self.owner.lock:
                    self.owner.maybe_sent.add((item.post, item.channel))

    def learn_secrets(self) -> None:
        """Redact what the driver derived from its credentials while sending (an
        OAuth 1.0a signature, a Page token read with a System User's), before any
        outcome is recorded or reported."""
        self.owner.redactor.add(self.driver.secrets())

    def send(
        self,
        item: PlanItem,
        variant: Variant,
        index: int,
        key: str,
        thread: list[Remote],
        since: datetime,
        *,
        check_first: bool,
    ) -> Remote | None:
        """One part, retried and reconciled; None when the item stops (recorded)."""
        driver = self.driver
        run = self.owner

        def keep(handles: dict[str, dict[str, Any] | None]) -> None:
            run.write("prepared", item.post, item.channel, index=index, handles=handles)

        # what an earlier attempt at this part left on the network (uploaded media, ...)
        driver.handles = Handles(run.state(item.post, item.channel).prepared.get(index), keep)
        attempt = 0
        ask = check_first and self.reconcilable
        last: PublishError | None = None
        tried = False  # this run sent the part (and, with ask, does not know the outcome)
        while True:
            if self.owner.cancelled():  # no new request
                raise InterruptedBeforeRequest(ask and tried)
            try:
                if ask:
                    try:
                        found = driver.reconcile(
                            variant, index, key=key, thread=list(thread), since=since
                        )
                    finally:
                        self.learn_secrets()
                    if found is not None:
                        return found
                    ask = False
                tried = True
                return self.attempt(item, variant, index, key, thread)
            except Rejected as exc:
                self.settle(
                    item,
                    "failed",
                    str(exc),
                    index=index,
                    error=str(exc),
                    status=exc.status,
                    retryable=False,
                )
                return None
            except MissingCredentials as exc:
                self.settle(item, "failed", str(exc), index=index, error=str(exc), retryable=True)
                raise ChannelStopped(str(exc)) from None
            except CannotTell as exc:  # the network cannot say: never sent again blindly
                self.settle(
                    item, "unknown", _unknown_detail(item, str(exc)), index=index, error=str(exc)
                )
                return None
            except Unknown as exc:
                if not self.reconcilable:
                    detail = _unknown_detail(item, str(exc))
                    self.settle(item, "unknown", detail, index=index, error=str(exc))
                    return None
                last, ask = exc, True
            except (NotSent, Transient) as exc:
                last = exc
                ask = ask or (self.reconcilable and isinstance(exc, Transient))
            except LedgerError:
                raise
            except Exception as exc:  # a driver's bug: the request may have gone out
                error = f"{driver.context.name}: unexpected {type(exc).__name__}: {exc}"
                if not self.reconcilable:
                    detail = _unknown_detail(item, error)
                    self.settle(item, "unknown", detail, index=index, error=error)
                    return None
                last, ask = Unknown(error), True
            if self.owner.cancelled():  # neither a retry nor a reconciliation
                raise InterruptedBeforeRequest(ask and tried)
            wait = self.retrier.wait_for(last, attempt)
            attempt += 1
            if wait is None or attempt >= self.retrier.policy.attempts:
                detail = f"{last} (gave up for this run; the next run tries again)"
                self.settle(
                    item,
                    "failed",
                    detail,
                    index=index,
                    error=str(last),
                    status=last.status,
                    retryable=True,
                )
                raise ChannelStopped(f"{driver.context.name} is not answering: {last}")
            self.retrier.pause(wait)  # ends at once if the run is interrupted (the loop's top)


def _unrecorded_detail(item: PlanItem, error: str) -> str:
    return (
        f"its request may have gone out, but the ledger could not record the result ({error});"
        f" the post may be live: look on the network, then: smmgen ledger resolve {item.post}"
        f" --channel {item.channel} --as published|retry|skip"
    )


def _unknown_detail(item: PlanItem, error: str) -> str:
    return (
        f"{error}; look on the network, then: smmgen ledger resolve {item.post}"
        f" --channel {item.channel} --as published|retry|skip"
    )


def finish_artifacts(run: Run) -> None:
    """Rewrite the files kept with the ledger (the feed) for channels that published."""
    assert run.store is not None
    changed = {r.channel for r in run.results if r.outcome == "published"}
    for name in sorted(changed):
        channel = run.project.channels[name]
        cls = driver_class(network_of(channel.type))
        if cls is None:
            continue
        http = Http(redact=run.redactor.text)
        driver = cls(Context(name, channel, run.project, http, {}))
        try:
            files = driver.artifacts(run.published_records.get(name, []))
        finally:
            driver.close()
        if files:
            run.store.write_files(files)
