"""``check`` results as text, JSON (``schema_version`` 1) or GitHub annotations."""

from __future__ import annotations

import json
from typing import Any

from smmgen.check import CheckReport
from smmgen.findings import Finding
from smmgen.report.console import style

SCHEMA_VERSION = 1


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: CheckReport) -> str:
    looked = f"{plural(report.posts, 'post')}, {plural(report.channels, 'channel')}"
    if not report.findings:
        return f"checked {looked}: no problems found"
    found = f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}"
    strict = " (--strict: warnings count as errors)" if report.strict and report.warnings else ""
    return f"checked {looked}: {found}{strict}"


def as_text(report: CheckReport, *, color: bool = False) -> str:
    lines = []
    for finding in report.findings:
        line = finding.text()
        if color:
            label = f"{finding.severity.value}:"
            tint = "red" if finding.is_error else "yellow"
            line = line.replace(label, style(label, color=True, fg=tint, bold=True), 1)
        lines.append(line)
    tail = summary(report)
    if color:
        tail = style(tail, color=True, fg="green" if report.ok else "red")
    lines.append(tail)
    return "\n".join(lines)


def as_json(report: CheckReport) -> str:
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "ok": report.ok,
        "errors": report.errors,
        "warnings": report.warnings,
        "posts": report.posts,
        "channels": report.channels,
        "findings": [f.as_dict() for f in report.findings],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """One GitHub Actions workflow command: ``::error file=..,line=..,title=..::message``."""
    command = "error" if finding.is_error else "warning"
    props = []
    if finding.file:
        props.append(f"file={_escape_property(finding.file)}")
    if finding.line:
        props.append(f"line={finding.line}")
    props.append(f"title={_escape_property('smmgen ' + finding.code)}")
    body = f"{finding.key}: {finding.message}" if finding.key else finding.message
    if finding.hint:
        body += f"; {finding.hint}"
    return f"::{command} {','.join(props)}::{_escape_data(body)}"


def as_github(report: CheckReport) -> str:
    lines = [annotation(f) for f in report.findings]
    lines.append(summary(report))
    return "\n".join(lines)
