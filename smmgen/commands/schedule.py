"""``smmgen schedule``: give unscheduled posts the next free slots, in their files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from smmgen.calendar.edit import set_publish_at
from smmgen.calendar.schedule import Assignment, Unschedulable, schedule, unscheduled
from smmgen.commands.show import find_post
from smmgen.loading import load_project


@dataclass
class ScheduleResult:
    assigned: list[Assignment]
    failed: list[Unschedulable]
    already: list[str]  # posts named that already had a time


def run_schedule(
    root: Path | None, wanted: list[str], *, at: str | None = None, dry_run: bool = False
) -> ScheduleResult:
    project = load_project(root, at=at, strict=True)
    posts = [find_post(project, name) for name in wanted] if wanted else None
    already = [p.file for p in posts or [] if not unscheduled(p)]
    assigned, failed = schedule(project, project.now, posts)
    if dry_run:
        return ScheduleResult(assigned, failed, already)
    written = []
    for item in assigned:
        try:
            set_publish_at(project.root / item.post.file, item.at.strftime("%Y-%m-%d %H:%M"))
        except ValueError as exc:  # the file's front matter cannot be edited safely
            failed.append(Unschedulable(item.post, f"the file was not changed: {exc}"))
        else:
            written.append(item)
    return ScheduleResult(written, failed, already)
