"""What a publish run did, what the ledger holds, and how channels verified:
as text tables or JSON."""

from __future__ import annotations

import json
from datetime import UTC
from typing import TYPE_CHECKING

from smmgen.report.console import style

if TYPE_CHECKING:
    from smmgen.commands.publish import LedgerView, PublishReport, Verified

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
    lines = [f"publish at {local} ({utc}); {mode}ledger: {report.ledger}"]
    lines += [f"warning: {p}" for p in report.problems]
    lines += [f"error: {e}" for e in report.ledger_errors]
    if report.not_loaded:
        lines.append(f"error: {_not_loaded(report)}; run `smmgen check`:")
        lines += [f"  {f.text()}" for f in report.not_loaded]
    if report.dry_run:
        for result in report.results:
            if result.preview is None:
                continue
            lines.append("")
            lines.append(f"== {result.post} -> {result.channel} ({result.network})")
            for number, request in enumerate(result.preview, 1):
                if len(result.preview) > 1:
                    lines.append(f"-- part {number} of {len(result.preview)}")
                lines.append(json.dumps(request, indent=2, ensure_ascii=False))
        lines.append("")
    rows = []
    for result in report.results:
        detail = result.url or ""
        if result.detail:
            detail = f"{detail} ({result.detail})" if detail else result.detail
        status = style(result.outcome.ljust(13), color=color, fg=_COLORS[result.outcome])
        rows.append([status, result.post, result.channel, detail])
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
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


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
        return "\n".join([*lines, "Nothing is due."]) + "\n"
    lines += [f"**{summary}**", "", "| status | post | channel | detail |", "|---|---|---|---|"]
    for result in report.results:
        links = (
            " ".join(f"[{n}]({u})" for n, u in enumerate(result.urls, 1))
            if len(result.urls) > 1
            else ""
        )
        detail = f"[{result.url}]({result.url})" if result.url else ""
        detail = " ".join(x for x in (detail, links, _cell(result.detail)) if x)
        lines.append(f"| {result.outcome} | `{result.post}` | {result.channel} | {detail} |")
    return "\n".join(lines) + "\n"


def publish_json(report: PublishReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)


def ledger_text(view: LedgerView) -> str:
    lines = [f"ledger: {view.ledger}"]
    lines += [f"warning: {p}" for p in view.problems]
    rows = []
    for state in view.states:
        when = state.claimed_at.strftime("%Y-%m-%d %H:%M UTC") if state.claimed_at else ""
        detail = state.url or ""
        if state.status in ("failed", "retry", "unknown") and state.error:
            detail = state.error
        rows.append([state.status, state.post, state.channel, when, detail])
    if rows:
        lines += _table(rows, ["STATUS", "POST", "CHANNEL", "CLAIMED", "DETAIL"])
    else:
        lines.append("no records")
    return "\n".join(lines)


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
    return json.dumps(data, indent=2, ensure_ascii=False)


def verify_text(results: list[Verified], *, color: bool = False) -> str:
    rows = [
        [
            style(
                ("ok" if v.ok else "FAILED").ljust(6), color=color, fg="green" if v.ok else "red"
            ),
            v.channel,
            v.network,
            v.detail,
        ]
        for v in results
    ]
    return (
        "\n".join(_table(rows, ["STATUS", "CHANNEL", "TYPE", "DETAIL"])) if rows else "no channels"
    )


def verify_json(results: list[Verified]) -> str:
    data = {
        "schema_version": 1,
        "ok": all(v.ok for v in results),
        "channels": [
            {"channel": v.channel, "network": v.network, "ok": v.ok, "detail": v.detail}
            for v in results
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
