"""Variants for people: what ``smmgen show`` prints.

A CI log may print it: line breaks other than the text's own and control
characters are shown escaped, and no line can start a workflow command (see
`smmgen.cilog`).
"""

from __future__ import annotations

from datetime import UTC

from smmgen.adapt.variants import SCHEMA_VERSION, Variant
from smmgen.cilog import json_for_log, log_safe, one_line, visible_controls
from smmgen.loader.posts import Post
from smmgen.report.console import style


def _when(variant: Variant) -> str:
    when = variant.publish_at
    if when is None:
        return "unscheduled"
    local = when.strftime("%Y-%m-%d %H:%M %Z").strip()
    return f"{local} ({when.astimezone(UTC):%H:%M} UTC)"


def _size(count: int | None) -> str:
    if count is None:
        return "missing"
    return f"{count / 1024:.0f} KB" if count < 1024 * 1024 else f"{count / 1048576:.1f} MB"


def as_text(post: Post, variants: list[Variant], *, color: bool = False) -> str:
    lines = [one_line(f"{post.id} · {post.file}") + (" · draft" if post.is_draft else "")]
    for variant in variants:
        limit = f"/{variant.limit}" if variant.limit else ""
        head = one_line(f"── {variant.channel} ({variant.network}) · {_when(variant)}")
        if len(variant.parts) == 1:
            head += f" · {variant.parts[0].length}{limit}"
        else:
            head += f" · thread of {len(variant.parts)}"
        lines += ["", style(head, color=color, bold=True)]
        for index, part in enumerate(variant.parts, 1):
            if len(variant.parts) > 1:
                lines.append(
                    style(
                        f"[{index}/{len(variant.parts)}] {part.length}{limit}",
                        color=color,
                        dim=True,
                    )
                )
            lines.append(visible_controls(part.text))
            for item in part.media:
                alt = f"alt: {item.alt}" if item.alt else "no alt text"
                lines.append(one_line(f"[media] {item.path} ({_size(item.bytes)}) · {alt}"))
        for finding in variant.findings:
            tint = "red" if finding.is_error else "yellow"
            label = style(f"{finding.severity.value}:", color=color, fg=tint, bold=True)
            hint = f"; {finding.hint}" if finding.hint else ""
            lines.append(f"{label} {one_line(finding.message + hint)}")
    return log_safe("\n".join(lines))


def as_json(post: Post, variants: list[Variant]) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "post": post.id,
        "file": post.file,
        "variants": [v.as_dict() for v in variants],
    }
    return json_for_log(document)
