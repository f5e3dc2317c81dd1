"""The pull-request comment: each changed post as every network will show it.

GitHub-flavoured Markdown: a summary table, then per post its findings,
schedule, ledger warnings and a collapsible block per channel with the exact
text (thread parts in order), media with alt text, the link card and the
length against the limit. A comment holds at most 65,536 characters: a
preview that would not fit drops the texts and keeps the table and findings.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from smmgen.adapt.variants import Variant
from smmgen.channels.registry import network as network_of
from smmgen.commands.preview import PostPreview, Preview
from smmgen.findings import Finding

MARKER = "<!-- smmgen-preview -->"
LIMIT = 65_536  # GitHub's limit on a comment's body, in characters
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!])")


def inline(text: str) -> str:
    """``text`` safe in running Markdown (and table cells): on one line, escaped."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def code(text: str) -> str:
    """``text`` as inline code, whatever backticks it holds."""
    text = " ".join(text.split())
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def block(text: str) -> list[str]:
    """``text`` exactly, as a fenced code block."""
    run = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (run + 1)
    return [f"{fence}text", text, fence]


def when(at: datetime | None) -> str:
    if at is None:
        return "unscheduled"
    return f"{at:%Y-%m-%d %H:%M} {at.tzname() or ''} ({at.astimezone(UTC):%H:%M} UTC)".replace(
        "  ", " "
    )


def _counts(findings: list[Finding]) -> str:
    errors = sum(1 for f in findings if f.is_error)
    warnings = len(findings) - errors
    parts = []
    if errors:
        parts.append(f"❌ {errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"⚠️ {warnings} warning{'s' if warnings != 1 else ''}")
    return " · ".join(parts) or "✅ no problems"


def _finding(finding: Finding) -> str:
    icon = "❌" if finding.is_error else "⚠️"
    where = f"line {finding.line}" if finding.line else ""
    if finding.key:
        where = f"{where} {code(finding.key)}".strip()
    if finding.channel:
        where = f"{where} ({inline(finding.channel)})".strip()
    hint = f" — {inline(finding.hint)}" if finding.hint else ""
    return f"- {icon} {where + ': ' if where else ''}{inline(finding.message)}{hint}"


def _schedule(item: PostPreview) -> str:
    if item.post is None:
        return "—"
    times = {when(item.post.when(c)) for c in item.post.channels}
    if not times:
        return "unscheduled"
    return " / ".join(sorted(times)) if len(times) > 1 else times.pop()


def _variant(variant: Variant, item: PostPreview, *, full: bool) -> list[str]:
    network = network_of(variant.network)
    limit = f"/{variant.limit}" if variant.limit else ""
    lengths = ", ".join(f"{p.length}{limit}" for p in variant.parts)
    parts = len(variant.parts)
    shape = f"thread of {parts}: {lengths}" if parts > 1 else f"{lengths} characters"
    errors = [f for f in variant.findings if f.is_error]
    status = " ❌" if errors else (" ⚠️" if variant.findings else "")
    summary = (
        f"<b>{html.escape(variant.channel)}</b> ({html.escape(network.title)}) · "
        f"{html.escape(shape)} · {html.escape(when(variant.publish_at))}{status}"
    )
    lines = [f"<details{' open' if full and errors else ''}><summary>{summary}</summary>", ""]
    state = item.published.get(variant.channel)
    if state is not None:
        lines += [*_ledger_note(variant.channel, state.status, state.url), ""]
    if full:
        for index, part in enumerate(variant.parts, 1):
            if parts > 1:
                lines.append(f"**Part {index} of {parts}** · {part.length}{limit}")
                lines.append("")
            lines += block(part.text)
            for media in part.media:
                alt = f"alt text: {inline(media.alt)}" if media.alt else "**no alt text**"
                lines.append(f"- 🖼️ {code(media.path)} — {alt}")
            lines.append("")
        has_media = bool(variant.parts and variant.parts[0].media)
        if variant.link and network.type == "bluesky" and not has_media:
            lines.append(
                f"🔗 Link card: <{variant.link}> (title, description and image from the page's"
                " OpenGraph tags at publish time)"
            )
            lines.append("")
    lines += [_finding(f) for f in variant.findings]
    if variant.findings:
        lines.append("")
    lines.append("</details>")
    return lines


def _ledger_note(channel: str, status: str, url: str | None) -> list[str]:
    where = f" ({url})" if url else ""
    if status == "published":
        text = (
            f"Already published on {inline(channel)}{where}: edits to this post will **not** be"
            " re-posted there."
        )
    elif status == "unknown":
        text = f"The outcome on {inline(channel)} is unknown (see `smmgen ledger list`)."
    else:
        text = f"Being published on {inline(channel)} right now: edits may not be re-posted."
    return ["> [!WARNING]", f"> {text}"]


def _post(item: PostPreview, *, full: bool) -> list[str]:
    title = item.post.front.title if item.post and item.post.front.title else None
    head = f"### {code(item.id)}" + (f" · {inline(title)}" if title else "")
    lines = [head, "", f"{code(item.file)} · {item.change} · {_schedule(item)}", ""]
    if item.post is not None and item.post.is_draft:
        lines += ["> [!NOTE]", "> A draft: checked, never published.", ""]
    if item.renamed_from:
        if item.again:
            channels = ", ".join(sorted(item.again))
            lines += [
                "> [!CAUTION]",
                f"> Renamed from {code(item.renamed_from)}, and its id changed from"
                f" {code(item.old_id or '')} to {code(item.id)}: it would be **published again**"
                f" on {inline(channels)}. To keep it published once, add"
                f" `id: {item.old_id}` to its front matter.",
                "",
            ]
        else:
            lines += [f"Renamed from {code(item.renamed_from)}.", ""]
    file_findings = [f for f in item.findings if not f.channel]
    if not full:  # the summary: what needs attention, no texts
        for channel, state in sorted(item.published.items()):
            lines += [*_ledger_note(channel, state.status, state.url), ""]
        found = file_findings + [f for v in item.variants for f in v.findings]
        lines += [_finding(f) for f in dict.fromkeys(found)]
        return [*lines, ""] if found else lines
    if file_findings:
        lines += [*(_finding(f) for f in file_findings), ""]
    for variant in item.variants:
        lines += _variant(variant, item, full=full)
        lines.append("")
    return lines


def _table(items: list[PostPreview]) -> list[str]:
    lines = ["| post | change | schedule | channels | check |", "|---|---|---|---|---|"]
    for item in items:
        channels = ", ".join(v.channel for v in item.variants) or "—"
        problems = item.findings + [f for v in item.variants for f in v.findings]
        lines.append(
            f"| {code(item.id)} | {item.change} | {_schedule(item)} | {inline(channels)}"
            f" | {_counts(list(dict.fromkeys(problems)))} |"
        )
    return lines


def as_markdown(preview: Preview, *, limit: int = LIMIT) -> str:
    full = _render(preview, full=True)
    if len(full) <= limit:
        return full
    short = _render(preview, full=False, note=len(full))
    if len(short) <= limit:
        return short
    # still too long: as many posts as fit (found by bisection), then a count of the rest
    low, high = 0, len(preview.posts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if len(_render(preview, full=False, note=len(full), keep=middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    return _render(preview, full=False, note=len(full), keep=low)


def _render(preview: Preview, *, full: bool, note: int = 0, keep: int | None = None) -> str:
    posts = preview.posts if keep is None else preview.posts[:keep]
    count = len(preview.posts)
    since = f" since {code(preview.ref)}" if preview.ref else ""
    noun = "post" if count == 1 else "posts"
    lines = [MARKER, "## smmgen preview", ""]
    lines.append(f"**{count} {noun} changed**{since} · ledger: {inline(preview.ledger)}")
    lines.append("")
    if not preview.ledger_read:
        lines += [
            "> [!NOTE]",
            "> The ledger could not be read, so posts that are already published are not marked.",
            "",
        ]
    if note:
        lines += [
            "> [!NOTE]",
            f"> The full preview is {note:,} characters, more than a comment holds"
            f" ({LIMIT:,}); the texts are left out. See every variant with"
            " `smmgen preview` or `smmgen show POST` locally.",
            "",
        ]
    if not preview.posts:
        lines.append("No post changed.")
    else:
        lines += _table(posts)
        if keep is not None and keep < count:
            lines.append("")
            lines.append(f"…and {count - keep} more {noun} not shown.")
        lines.append("")
        for item in posts:
            lines += _post(item, full=full)
    if preview.removed:
        lines += ["", "Removed:"]
        lines += [
            f"- {code(path)} (what was published stays published)" for path in preview.removed
        ]
    return "\n".join(lines).rstrip() + "\n"
