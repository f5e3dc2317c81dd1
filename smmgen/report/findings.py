"""``check`` results as text, JSON (``schema_version`` 1) or GitHub annotations.

Each of them may be printed to a CI log: nothing a post or a file name holds can
start a line there, nor make a workflow command (see `smmgen.cilog`).
"""

from __future__ import annotations

from typing import Any

from smmgen.check import CheckReport
from smmgen.cilog import json_for_log, log_safe, workflow_data, workflow_property
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
    return log_safe("\n".join(lines))


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
    return json_for_log(data)


def annotation(finding: Finding) -> str:
    """One GitHub Actions workflow command: ``::error file=..,line=..,title=..::message``.

    Escaped by the workflow-command rules, so that the runner reads back the
    file name and the message as they are, on one line.
    """
    command = "error" if finding.is_error else "warning"
    props = []
    if finding.file:
        props.append(f"file={workflow_property(finding.file)}")
    if finding.line:
        props.append(f"line={finding.line}")
    props.append(f"title={workflow_property('smmgen ' + finding.code)}")
    return f"::{command} {','.join(props)}::{workflow_data(finding.body())}"


def as_github(report: CheckReport) -> str:
    lines = [annotation(f) for f in report.findings]
    lines.append(log_safe(summary(report)))
    return "\n".join(lines)
