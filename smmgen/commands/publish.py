"""``smmgen publish``, ``smmgen ledger`` and ``smmgen channels verify``."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from smmgen.check import cross_post_findings, project_findings
from smmgen.errors import PublishError, SmmgenError, UsageError
from smmgen.findings import Finding
from smmgen.loader.config import CALENDAR_FILE, CHANNELS_FILE
from smmgen.loading import load_project
from smmgen.project import Project, config_problem
from smmgen.publish.driver import Context, driver_class
from smmgen.publish.engine import Options, Run
from smmgen.publish.http import Http
from smmgen.publish.ledger import Interrupted, Kind, LedgerError, choose, init_store, open_store
from smmgen.publish.ledger import records as rec
from smmgen.publish.ledger.state import ItemState, fold
from smmgen.registry import network as network_of
from smmgen.report.publish import LedgerView, PublishReport, Verified
from smmgen.secrets import REDACTOR, Redactor
from smmgen.times import parse_duration, reference_time


def credentials(project: Project, env: Mapping[str, str]) -> list[str]:
    """Every credential value the channels name (``*_env``), and what each
    driver derives from them (a webhook URL's token, a bot token's secret half).

    Values are taken as they are (a refused one, with a stray newline, is
    redacted like any other); a driver that fails here costs only what it
    derives, never another channel's values."""
    values = []
    for channel in project.channels.values():
        for name, value in channel.model_dump().items():
            if name.endswith("_env") and isinstance(value, str) and env.get(value):
                values.append(env[value])
    http = Http()
    try:
        for name, channel in project.channels.items():
            try:
                cls = driver_class(network_of(channel.type))
                if cls is not None:
                    values += cls(Context(name, channel, project, http, env)).secrets()
            except Exception:  # reported by whatever uses the driver (verify, publish)
                continue
    finally:
        http.close()
    return values


def _load(root: Path | None, at: str | None, redactor: Redactor, *, strict: bool = True) -> Project:
    """The project, with its credentials known to ``redactor`` before anything
    that could echo them (such as ``--at``) is looked at; ``strict``: an error in
    the configuration stops here."""
    # judged at --at (else $SMMGEN_AT) only below, once the credentials are known
    project = load_project(root, strict=strict, at=datetime.now(UTC).isoformat())
    redactor.add(credentials(project, os.environ))
    project.now = reference_time(at, project.timing.tz)
    return project


def _check_names(project: Project, channels: tuple[str, ...], posts: tuple[str, ...]) -> None:
    from smmgen.suggest import did_you_mean

    for name in channels:
        if name not in project.channels:
            hint = did_you_mean(name, list(project.channels)) or ""
            raise UsageError(f"--channel {name}: no such channel in channels.yaml. {hint}".strip())
    ids = {p.id for p in project.posts}
    for post in posts:
        if post not in ids:
            hint = did_you_mean(post, sorted(ids)) or ""
            broken = sorted({str(f.file) for f in _not_loaded(project)})
            if broken:
                shown = ", ".join(broken[:3]) + (
                    f" and {len(broken) - 3} more" if len(broken) > 3 else ""
                )
                hint = (
                    f"{hint} {len(broken)} post file(s) do not load ({shown}): if the post is"
                    " one of them, fix it first (`smmgen check` says what is wrong)"
                ).strip()
            raise UsageError(f"--post {post}: no post has this id. {hint}".strip())


def _not_loaded(project: Project) -> list[Finding]:
    """Post files that do not load (any of them may have been due): the first
    error of each, as `check` reports it."""
    loaded = {post.file for post in project.posts} | {None, CHANNELS_FILE, CALENDAR_FILE}
    by_file: dict[str, list[Finding]] = {}
    for finding in project.findings:
        if finding.is_error and finding.file not in loaded:
            by_file.setdefault(str(finding.file), []).append(finding)
    out = []
    for errors in by_file.values():
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        out.append(replace(errors[0], message=errors[0].message + more))
    return out


def run_publish(
    root: Path | None,
    *,
    at: str | None = None,
    dry_run: bool = False,
    channels: tuple[str, ...] = (),
    posts: tuple[str, ...] = (),
    ledger: Kind | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> PublishReport:
    """Publish what is due. Setting ``cancel`` (from a signal handler, or another
    thread) interrupts the run: no new request is started, the one in flight is
    recorded, and the report comes back with ``interrupted`` set."""
    project = _load(root, at, REDACTOR, strict=False)
    # check's rules beyond the per-post ones the run applies to each item it would send
    # (before --channel is looked up: a broken channel is not "no such channel")
    broken = [f for f in project_findings(project) if f.is_error]
    if broken:
        raise config_problem(broken, "nothing is published until `smmgen check` passes")
    _check_names(project, channels, posts)
    project.findings += cross_post_findings(project)  # the run refuses the items they are about
    not_loaded = _not_loaded(project)
    options = Options(
        now=project.now,
        dry_run=dry_run,
        channels=set(channels) or None,
        posts=set(posts) or None,
        lease=parse_duration(project.config.ledger.lease),
        cancel=cancel,
    )
    problems: list[str] = []
    now = project.now.astimezone(project.timing.tz)  # shown in the calendar's time zone
    try:
        store = open_store(project, ledger, writing=not dry_run, cancel=cancel)
    except Interrupted as exc:  # a signal while waiting for another publisher: nothing sent
        report = PublishReport(now, dry_run, "not read", [], [str(exc)], not_loaded=not_loaded)
        report.interrupted = True
        return report
    except LedgerError as exc:
        if not dry_run:
            raise
        store, problems = None, [f"ledger not read ({exc}): already published items may be listed"]
    failures: list[str] = []
    try:
        run = Run(project, store, options, REDACTOR, progress)
        try:
            results = run.execute()
        except LedgerError as exc:
            if not dry_run:
                raise
            problems.append(f"ledger not read ({exc}): already published items may be listed")
            if store is not None:
                store.close()
            store = None
            run = Run(project, None, options, REDACTOR, progress)
            results = run.execute()
        failures = run.ledger_errors
        if store is not None:
            problems += store.problems
    finally:
        if store is not None:
            try:
                store.close()
            except LedgerError as exc:
                failures.append(str(exc))
    where = store.description if store is not None else "not read"
    report = PublishReport(now, dry_run, where, results, problems, not_loaded=not_loaded)
    report.ledger_errors = list(dict.fromkeys(failures))
    report.interrupted = cancel is not None and cancel.is_set()
    return report


# -- smmgen ledger ---------------------------------------------------------------


def ledger_init(root: Path | None, *, kind: Kind | None = None, accept_loss: bool = False) -> str:
    """Create the ledger, once (publish never does); what was done, for people."""
    project = _load(root, None, REDACTOR)
    return init_store(project, kind, accept_loss=accept_loss)


def ledger_list(
    root: Path | None,
    *,
    kind: Kind | None = None,
    channels: tuple[str, ...] = (),
    posts: tuple[str, ...] = (),
    status: tuple[str, ...] = (),
) -> LedgerView:
    project = _load(root, None, REDACTOR)
    store = open_store(project, kind, writing=False)
    try:
        records = store.load()
        problems = list(store.problems)
    finally:
        store.close()
    states = [
        s
        for s in fold(records).values()
        if (not channels or s.channel in channels)
        and (not posts or s.post in posts)
        and (not status or s.status in status)
    ]
    states.sort(key=lambda s: (s.claimed_at.isoformat() if s.claimed_at else "", s.post, s.channel))
    return LedgerView(store.description, states, problems)


RESOLVABLE = {
    "published": {"unknown", "failed", "retry", "claimed"},
    "retry": {"unknown", "failed", "claimed", "skipped"},
    "skip": {"new", "unknown", "failed", "retry", "claimed"},
}


def ledger_resolve(
    root: Path | None,
    post: str,
    channel: str,
    outcome: str,
    *,
    url: str | None = None,
    note: str | None = None,
    kind: Kind | None = None,
) -> ItemState:
    project = _load(root, None, REDACTOR)
    if channel not in project.channels:
        raise UsageError(f"--channel {channel}: no such channel in channels.yaml")
    store = open_store(project, kind, writing=True)
    try:
        states = fold(store.load())
        state = states.get((post, channel)) or ItemState(post, channel)
        if state.status == "new" and post not in {p.id for p in project.posts}:
            raise UsageError(f"{post}: no post has this id and the ledger knows nothing of it")
        allowed = RESOLVABLE[outcome]
        if state.status not in allowed:
            raise UsageError(
                f"{post} on {channel} is {state.status}; --as {outcome} settles an item that is"
                f" {', '.join(sorted(allowed))}"
            )
        who = os.environ.get("GITHUB_ACTOR") or os.environ.get("USER") or None
        record = rec.make(
            "resolved",
            post,
            channel,
            "manual",
            outcome=outcome,
            url=url,
            note=REDACTOR.text(note) if note else None,
            by=who,
        )
        store.append([record])
        store.flush()
        state.apply(record)
        return state
    finally:
        store.close()


# -- smmgen channels verify ---------------------------------------------------------


def verify_channels(root: Path | None, channels: tuple[str, ...] = ()) -> list[Verified]:
    """Whether each channel can publish now, every one of them: one channel's
    failure, whatever it is, is that channel's result and never stops the others."""
    project = _load(root, None, REDACTOR)
    _check_names(project, channels, ())
    return [
        _verify(project, name)
        for name in sorted(project.channels)
        if not channels or name in channels
    ]


def _verify(project: Project, name: str) -> Verified:
    channel = project.channels[name]
    kind = str(getattr(channel, "type", "?"))

    def failed(detail: str) -> Verified:
        return Verified(name, kind, False, REDACTOR.text(detail))

    try:
        network = network_of(kind)
        if not channel.enabled:
            return Verified(name, kind, True, "disabled (enabled: false)", "disabled")
        cls = driver_class(network)
    except Exception as exc:
        return failed(f"its network type cannot be loaded: {_unexpected(exc)}")
    if cls is None:
        return Verified(
            name,
            kind,
            False,
            f"smmgen cannot publish to {network.title} yet: its posts are adapted and checked"
            " but never sent; set enabled: false on this channel until smmgen can",
            "unsupported",
        )
    http = Http(redact=REDACTOR.text)
    try:
        driver = cls(Context(name, channel, project, http, os.environ))
    except Exception as exc:
        http.close()
        return failed(f"its driver cannot be set up: {_unexpected(exc)}")
    try:
        REDACTOR.add(driver.secrets())
        missing = driver.missing()
        if missing:
            fields = ", ".join(missing)
            return failed(f"environment variable {fields} is not set (set it, e.g. as a CI secret)")
        refused = driver.refused()
        if refused:
            return failed("; ".join(refused))
        return Verified(name, kind, True, REDACTOR.text(driver.verify()))
    except (PublishError, SmmgenError) as exc:
        return failed(str(exc))
    except Exception as exc:  # a driver's bug: this channel's result, not the run's end
        return failed(f"unexpected {_unexpected(exc)} (a bug in smmgen or its driver)")
    finally:
        with suppress(Exception):  # closing is best effort; the result stands
            driver.close()


def _unexpected(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


__all__ = [
    "choose",
    "ledger_init",
    "ledger_list",
    "ledger_resolve",
    "run_publish",
    "verify_channels",
]
