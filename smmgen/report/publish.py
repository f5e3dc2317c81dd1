"""What a publish run did, what the ledger holds, and how channels verified
(:class:`PublishReport`, :class:`LedgerView`, :class:`Verified`, which the
commands return): as text tables, Markdown or JSON.

The publish workflow prints these to its log: every string that comes from a
post, a file name, the configuration or a network's answer is shown on one line,
and no line can start a workflow command (see `smmgen.cilog`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from smmgen.adapt.budget import money
from smmgen.cilog import json_for_log, log_safe, one_line
from smmgen.findings import Finding
from smmgen.publish.engine import Result
from smmgen.publish.ledger.state import ItemState
from smmgen.report.console import style


@dataclass
class PublishReport:
    now: datetime
    dry_run: bool
    ledger: str
    results: list[Result]
    problems: list[str] = field(default_factory=list)
    ledger_errors: list[str] = field(default_factory=list)  # what could not be recorded
    interrupted: bool = False  # stopped by a signal: what was not tried is left for the next run
    not_loaded: list[Finding] = field(default_factory=list)  # post files: nothing sent of them

    @property
    def ok(self) -> bool:
        failed = any(r.outcome in ("failed", "unknown") for r in self.results)
        return not failed and not self.ledger_errors and not self.not_loaded

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for result in self.results:
            out[result.outcome] = out.get(result.outcome, 0) + 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "at": self.now.isoformat(),
            "dry_run": self.dry_run,
            "ledger": self.ledger,
            "ok": self.ok,
            "counts": self.counts(),
            "items": [r.as_dict() for r in self.results],
            "ledger_problems": self.problems,
            "ledger_errors": self.ledger_errors,
            "interrupted": self.interrupted,
            "not_loaded": [f.as_dict() for f in self.not_loaded],
        }


@dataclass
class LedgerView:
    ledger: str
    states: list[ItemState]
    problems: list[str]


@dataclass
class Verified:
    channel: str
    network: str
    ok: bool
    detail: str
    #: ``ok``, ``disabled`` (``enabled: false``), ``failed`` or ``unsupported``
    #: (smmgen cannot publish to the network yet); ok is False for the last two.
    status: str = ""

    def __post_init__(self) -> None:
        self.status = self.status or ("ok" if self.ok else "failed")


_COLORS = {
    "published": "green",
    "would publish": "cyan",
    "failed": "red",
    "unknown": "magenta",
    "missed": "yellow",
    "blocked": "yellow",
    "skipped": "white",
}
ORDER = ("published", "would publish", "failed", "unknown", "missed", "blocked", "skipped")


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines


def _not_loaded(report: PublishReport) -> str:
    if len(report.not_loaded) == 1:
        return "1 post file does not load: it is not published, and it may be due"
    count = len(report.not_loaded)
    return f"{count} post files do not load: they are not published, and they may be due"


def publish_text(report: PublishReport, *, color: bool = False) -> str:
    local = report.now.strftime("%Y-%m-%d %H:%M %Z")
    utc = report.now.astimezone(UTC).strftime("%H:%M UTC")
    mode = "dry run: nothing is sent, " if report.dry_run else ""
    lines = [f"publish at {local} ({utc}); {mode}ledger: {one_line(report.ledger)}"]
    lines += [f"warning: {one_line(p)}" for p in report.problems]
    lines += [f"error: {one_line(e)}" for e in report.ledger_errors]
    if report.not_loaded:
        lines.append(f"error: {_not_loaded(report)}; run `smmgen check`:")
        lines += [f"  {one_line(f.text())}" for f in report.not_loaded]
    if report.dry_run:
        for result in report.results:
            if result.preview is None:
                continue
            lines.append("")
            where = one_line(f"{result.post} -> {result.channel} ({result.network})")
            lines.append(f"== {where}")
            for number, request in enumerate(result.preview, 1):
                if len(result.preview) > 1:
                    lines.append(f"-- part {number} of {len(result.preview)}")
                lines.append(json_for_log(request))
        lines.append("")
    rows = []
    for result in report.results:
        detail = result.url or ""
        if result.detail:
            detail = f"{detail} ({result.detail})" if detail else result.detail
        if result.price is not None:  # what the network charges for it (X)
            detail = f"{money(result.price)} {detail}".rstrip()
        status = style(result.outcome.ljust(13), color=color, fg=_COLORS[result.outcome])
        rows.append([status, one_line(result.post), one_line(result.channel), one_line(detail)])
    if rows:
        lines += _table(rows, ["STATUS".ljust(13), "POST", "CHANNEL", "DETAIL"])
    else:
        lines.append("nothing is due")
    counts = report.counts()
    summary = ", ".join(f"{counts[k]} {k}" for k in ORDER if counts.get(k))
    if report.not_loaded:
        summary = ", ".join(x for x in (summary, f"{len(report.not_loaded)} not loaded") if x)
    lines.append("")
    lines.append(summary or "0 items")
    return log_safe("\n".join(lines))


def _cell(text: str) -> str:
    """``text`` as one table cell: whitespace runs (line breaks too) as one space."""
    return one_line(" ".join(text.split())).replace("|", "\\|")


def _code(text: str) -> str:
    """``text`` as a code span on one line, fenced with more backticks than it holds."""
    text = _cell(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _url(url: str) -> str:
    """A link target that stays one Markdown link (no space, bracket, parenthesis or pipe)."""
    return quote(url, safe=":/?#@!$&'*+;=%~-._,")


def publish_markdown(report: PublishReport) -> str:
    """A GitHub-flavoured table for a job summary, links clickable."""
    local = report.now.strftime("%Y-%m-%d %H:%M %Z")
    mode = " (dry run: nothing was sent)" if report.dry_run else ""
    lines = [f"## smmgen publish{mode}", "", f"At {local}; ledger: {_cell(report.ledger)}.", ""]
    lines += [f"> {_cell(p)}" for p in report.problems]
    lines += [f"> **error:** {_cell(e)}" for e in report.ledger_errors]
    if report.not_loaded:
        lines += [f"> **error:** {_not_loaded(report)}; run `smmgen check`:", ">"]
        lines += [f"> - {_cell(f.text())}" for f in report.not_loaded]
        lines.append("")
    counts = report.counts()
    summary = ", ".join(f"{counts[k]} {k}" for k in ORDER if counts.get(k))
    if not report.results:
        return log_safe("\n".join([*lines, "Nothing is due."]) + "\n")
    lines += [f"**{summary}**", "", "| status | post | channel | detail |", "|---|---|---|---|"]
    for result in report.results:
        links = (
            " ".join(f"[{n}]({_url(u)})" for n, u in enumerate(result.urls, 1))
            if len(result.urls) > 1
            else ""
        )
        detail = f"[{_url(result.url)}]({_url(result.url)})" if result.url else ""
        price = money(result.price).replace("$", "\\$") if result.price is not None else ""
        detail = " ".join(x for x in (price, detail, links, _cell(result.detail)) if x)
        post, channel = _code(result.post), _cell(result.channel)
        lines.append(f"| {result.outcome} | {post} | {channel} | {detail} |")
    return log_safe("\n".join(lines) + "\n")


def publish_json(report: PublishReport) -> str:
    return json_for_log(report.as_dict())


def ledger_text(view: LedgerView) -> str:
    lines = [f"ledger: {one_line(view.ledger)}"]
    lines += [f"warning: {one_line(p)}" for p in view.problems]
    rows = []
    for state in view.states:
        when = state.claimed_at.strftime("%Y-%m-%d %H:%M UTC") if state.claimed_at else ""
        detail = state.url or ""
        if state.status in ("failed", "retry", "unknown") and state.error:
            detail = state.error
        rows.append([state.status, *map(one_line, (state.post, state.channel, when, detail))])
    if rows:
        lines += _table(rows, ["STATUS", "POST", "CHANNEL", "CLAIMED", "DETAIL"])
    else:
        lines.append("no records")
    return log_safe("\n".join(lines))


def ledger_json(view: LedgerView) -> str:
    items = [
        {
            "post": s.post,
            "channel": s.channel,
            "status": s.status,
            "claimed_at": s.claimed_at.isoformat() if s.claimed_at else None,
            "url": s.url,
            "error": s.error,
            "parts": {str(i): r.as_dict() for i, r in sorted(s.parts.items())},
            "records": s.records,
        }
        for s in view.states
    ]
    data = {"schema_version": 1, "ledger": view.ledger, "items": items, "problems": view.problems}
    return json_for_log(data)


# ``channels verify`` statuses as the table shows them (ok is False in capitals).
_VERIFY_LABELS = {
    "ok": "ok",
    "disabled": "disabled",
    "failed": "FAILED",
    "unsupported": "UNSUPPORTED",
}


def verify_text(results: list[Verified], *, color: bool = False) -> str:
    rows = [
        [
            style(
                _VERIFY_LABELS.get(v.status, v.status).ljust(11),
                color=color,
                fg="green" if v.ok else "red",
            ),
            one_line(v.channel),
            v.network,
            one_line(v.detail),
        ]
        for v in results
    ]
    return log_safe(
        "\n".join(_table(rows, ["STATUS", "CHANNEL", "TYPE", "DETAIL"])) if rows else "no channels"
    )


def verify_json(results: list[Verified]) -> str:
    data = {
        "schema_version": 1,
        "ok": all(v.ok for v in results),
        "channels": [
            {
                "channel": v.channel,
                "network": v.network,
                "ok": v.ok,
                "status": v.status,
                "detail": v.detail,
            }
            for v in results
        ],
    }
    return json_for_log(data)
