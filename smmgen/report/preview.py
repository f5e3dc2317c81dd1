"""The pull-request comment: each changed post as every network will show it.

GitHub-flavoured Markdown: a summary table, then per post its findings,
schedule, ledger warnings and a collapsible block per channel with the exact
text (thread parts in order), media with alt text, the link card and the
length against the limit.

Everything that comes from posts, configuration, the ledger or git is inert:
in code spans and blocks behind a fence longer than any backtick run it holds;
elsewhere on one line, HTML-escaped, with the Markdown that could open a link,
an image or a table cell escaped, and with a zero-width space after what
GitHub would turn into a notification or a link (``@name``, ``#123``,
``https://``, ``www.``).

A variant in a right-to-left language (its ``language:``, see
:mod:`smmgen.text.direction`) has its code block in ``<div dir="rtl" lang=…>``,
which GitHub's sanitiser keeps; a title that holds right-to-left letters stands
between Unicode isolates (plain text: ``<bdi>`` is not on the allow-list).

A comment holds at most 65,536 characters. A preview that would not fit
shortens the largest posts' sections first, each only as far as needed: their
long texts left out (each replaced by its length), then only their findings
and warnings, then only the first few findings. Every post keeps its row in
the table with its findings summary; only when the table alone is too long
are rows left out, and the comment names the posts that are missing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Literal

from smmgen.adapt.budget import item_price, money
from smmgen.adapt.variants import Variant
from smmgen.findings import Finding
from smmgen.loader.posts import Post
from smmgen.project import Project
from smmgen.publish.ledger.state import ItemState
from smmgen.registry import network as network_of
from smmgen.text.direction import direction, isolated

MARKER = "<!-- smmgen-preview -->"
LIMIT = 65_536  # GitHub's limit on a comment's body, in characters
KEEP = 300  # texts at most this long are never left out (not worth a note)
CLIP = 300  # in a shortened section, longer titles, messages and names are cut to this
CELL = 200  # in the table, longer ids and lists of channels are cut to this
ZWSP = "\u200b"  # zero-width space: breaks a mention or a link without showing
_MARKDOWN = re.compile(r"([\\`*_\[\]|#~!$])")
# what GitHub acts on in rendered text outside code: @mentions (and e-mail
# addresses), #123 and GH-123 references, URLs and www. links
_ACTIVE = re.compile(r"@|#(?=\d)|(?i:gh-)(?=\d)|:(?=//)|(?i:www)(?=\.)")


Change = Literal["added", "changed", "renamed", "all"]


@dataclass
class PostPreview:
    file: str
    post: Post | None  # None: the file does not load (see findings)
    change: Change
    variants: list[Variant]
    findings: list[Finding]
    published: dict[str, ItemState] = field(default_factory=dict)  # channel -> its state
    renamed_from: str | None = None  # the file before a rename
    old_id: str | None = None  # the id before a rename, when it differs
    again: dict[str, ItemState] = field(default_factory=dict)  # old id published there
    via: list[str] = field(default_factory=list)  # changed files it is made from (not its own)

    @property
    def id(self) -> str:
        return self.post.id if self.post else PurePosixPath(self.file).stem


@dataclass
class Preview:
    project: Project
    ref: str | None
    posts: list[PostPreview]
    removed: list[str]  # post files deleted since ref
    ledger: str  # where the ledger was read, or why not
    ledger_read: bool
    _costs: list[str] | None = field(default=None, init=False, repr=False)

    def costs(self) -> list[str]:
        """``Cost on X: $0.430 for 2 posts on xm``: what publishing the changed posts
        that are not drafts costs, per channel whose network charges per post."""
        if self._costs is None:
            totals: dict[tuple[str, str], tuple[Decimal, int]] = {}
            for item in self.posts:
                if item.post is None or item.post.is_draft:
                    continue
                for variant in item.variants:
                    price = item_price(variant)
                    if price is not None:
                        key = (network_of(variant.network).title, variant.channel)
                        total, count = totals.get(key, (Decimal(0), 0))
                        totals[key] = (total + price, count + 1)
            self._costs = [
                f"Cost on {in_html(title)}: **{_dollars(money(total))}** for {count}"
                f" post{'' if count == 1 else 's'} on {inline(clip(channel, CELL))}"
                for (title, channel), (total, count) in sorted(totals.items())
            ]
        return self._costs


def _dollars(text: str) -> str:
    """``text`` with its dollar signs escaped: GitHub reads ``$...$`` as math."""
    return text.replace("$", "\\$")


def _line(text: str) -> str:
    """``text`` on one line (any line or paragraph separator is a space), encodable."""
    return " ".join(text.encode("utf-8", "replace").decode("utf-8").split())


def _quiet(text: str) -> str:
    return _ACTIVE.sub(lambda match: match.group() + ZWSP, text)


def inline(text: str) -> str:
    """``text`` inert in running Markdown (and table cells): one line, escaped."""
    return html.escape(_MARKDOWN.sub(r"\\\1", _quiet(_line(text))))


def in_html(text: str) -> str:
    """``text`` inert inside an HTML element, where Markdown is not parsed."""
    return html.escape(_quiet(_line(text)))


def code(text: str, *, cell: bool = False) -> str:
    """``text`` as inline code, whatever backticks it holds (``cell``: in a table)."""
    text = _line(text)
    if cell:  # a table splits its cells before code spans are found
        text = text.replace("|", "\\|")
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if not text or text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def block(text: str) -> list[str]:
    """``text`` exactly, as a fenced code block (any line ending shown as one)."""
    text = re.sub(r"\r\n?", "\n", text.encode("utf-8", "replace").decode("utf-8"))
    run = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (run + 1)
    return [f"{fence}text", text, fence]


def directed(lines: list[str], language: str | None) -> list[str]:
    """``lines`` (a block) in a ``<div>`` that gives its direction and language when
    ``language`` is written right to left; as they are otherwise. GitHub's sanitiser
    keeps ``dir`` and ``lang`` on ``div`` (html-pipeline's allow-list), and a code
    block inside takes the direction from it (CSS ``direction`` is inherited)."""
    if language is None or direction(language) != "rtl":
        return lines
    attributes = f'dir="rtl" lang="{html.escape(language)}"'
    return [f"<div {attributes}>", "", *lines, "", "</div>"]


def clip(text: str, size: int | None) -> str:
    text = _line(text)
    return text if size is None or len(text) <= size else text[: size - 1] + "…"


def when(at: datetime | None) -> str:
    if at is None:
        return "unscheduled"
    return f"{at:%Y-%m-%d %H:%M} {at.tzname() or ''} ({at.astimezone(UTC):%H:%M} UTC)".replace(
        "  ", " "
    )


@dataclass(frozen=True)
class Fit:
    """How much of one post's section a rendering keeps."""

    texts: int | None = None  # texts longer than this are left out (None: none is)
    summary: bool = False  # its findings and warnings only, no variants
    findings: int | None = None  # at most this many findings (None: all)

    @property
    def clip(self) -> int | None:
        """Names, titles and messages longer than this are cut (None: none is)."""
        return None if self.texts is None and not self.summary else CLIP


# a post's section, ever shorter: the largest posts are shortened first
LEVELS = (
    Fit(),
    Fit(texts=KEEP),
    Fit(summary=True),
    Fit(summary=True, findings=10),
    Fit(summary=True, findings=0),
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


def _finding(finding: Finding, size: int | None = None) -> str:
    icon = "❌" if finding.is_error else "⚠️"
    where = f"line {finding.line}" if finding.line else ""
    if finding.key:
        where = f"{where} {code(clip(finding.key, size))}".strip()
    if finding.channel:
        where = f"{where} ({inline(clip(finding.channel, size))})".strip()
    hint = f" — {inline(clip(finding.hint, size))}" if finding.hint else ""
    return f"- {icon} {where + ': ' if where else ''}{inline(clip(finding.message, size))}{hint}"


def _schedule(item: PostPreview) -> str:
    if item.post is None:
        return "—"
    times = {when(item.post.when(c)) for c in item.post.channels}
    if not times:
        return "unscheduled"
    return inline(" / ".join(sorted(times)) if len(times) > 1 else times.pop())


def _problems(item: PostPreview) -> list[Finding]:
    return list(dict.fromkeys(item.findings + [f for v in item.variants for f in v.findings]))


def _variant(variant: Variant, item: PostPreview, fit: Fit) -> list[str]:
    network = network_of(variant.network)
    limit = f"/{variant.limit}" if variant.limit else ""
    lengths = ", ".join(f"{p.length}{limit}" for p in variant.parts)
    parts = len(variant.parts)
    shape = f"thread of {parts}: {lengths}" if parts > 1 else f"{lengths} characters"
    errors = [f for f in variant.findings if f.is_error]
    status = " ❌" if errors else (" ⚠️" if variant.findings else "")
    price = item_price(variant)
    # in HTML: "&#36;", which neither shows a backslash nor starts TeX math on GitHub
    cost = f" · {money(price).replace('$', '&#36;')}" if price is not None else ""
    summary = (
        f"<b>{in_html(variant.channel)}</b> ({in_html(network.title)}) · "
        f"{in_html(shape)} · {in_html(when(variant.publish_at))}{cost}{status}"
    )
    lines = [f"<details{' open' if errors else ''}><summary>{summary}</summary>", ""]
    size = fit.clip
    state = item.published.get(variant.channel)
    if state is not None:
        lines += [*_ledger_note(variant.channel, state.status, state.url, size), ""]
    for index, part in enumerate(variant.parts, 1):
        if parts > 1:
            lines.append(f"**Part {index} of {parts}** · {part.length}{limit}")
            lines.append("")
        if fit.texts is None or len(part.text) <= fit.texts:
            lines += directed(block(part.text), variant.language)
        else:
            lines.append(f"*The text is left out here: {len(part.text):,} characters.*")
        for media in part.media:
            alt = (
                f"alt text: {isolated(inline(clip(media.alt, size)))}"
                if media.alt
                else "**no alt text**"
            )
            lines.append(f"- 🖼️ {code(clip(media.path, size))} — {alt}")
        lines.append("")
    has_media = bool(variant.parts and variant.parts[0].media)
    if variant.link and network.link_card and not has_media:
        lines.append(
            f"🔗 Link card: {code(clip(variant.link, size))} (title, description and image from the"
            " page's OpenGraph tags at publish time)"
        )
        lines.append("")
    lines += [_finding(f, size) for f in variant.findings]
    if variant.findings:
        lines.append("")
    lines.append("</details>")
    return lines


def _ledger_note(channel: str, status: str, url: str | None, size: int | None = None) -> list[str]:
    where = f" ({code(clip(url, size))})" if url else ""
    channel = inline(clip(channel, size))
    if status == "published":
        text = (
            f"Already published on {channel}{where}: edits to this post will **not** be"
            " re-posted there."
        )
    elif status == "unknown":
        text = f"The outcome on {channel} is unknown (see `smmgen ledger list`)."
    else:
        text = f"Being published on {channel} right now: edits may not be re-posted."
    return ["> [!WARNING]", f"> {text}"]


def _post(item: PostPreview, fit: Fit) -> list[str]:
    size = fit.clip
    title = item.post.front.title if item.post and item.post.front.title else None
    titled = f" · {isolated(inline(clip(title, size)))}" if title else ""
    head = f"### {code(clip(item.id, size))}{titled}"
    change: str = item.change
    if item.via:
        shown = ", ".join(code(clip(path, size)) for path in item.via[:5])
        more = f" and {len(item.via) - 5} more" if len(item.via) > 5 else ""
        change = f"changed with {shown}{more}"
    lines = [head, "", f"{code(clip(item.file, size))} · {change} · {_schedule(item)}", ""]
    if item.post is not None and item.post.is_draft:
        lines += ["> [!NOTE]", "> A draft: checked, never published.", ""]
    if item.renamed_from:
        renamed = code(clip(item.renamed_from, size))
        if item.again:
            channels = inline(clip(", ".join(sorted(item.again)), size))
            lines += [
                "> [!CAUTION]",
                f"> Renamed from {renamed}, and its id changed from"
                f" {code(clip(item.old_id or '', size))} to {code(clip(item.id, size))}: it"
                f" would be **published again** on {channels}. To keep it published once,"
                f" add {code(clip(f'id: {item.old_id}', size))} to its front matter.",
                "",
            ]
        else:
            lines += [f"Renamed from {renamed}.", ""]
    if fit.summary:  # what needs attention, no texts
        for channel, state in sorted(item.published.items()):
            lines += [*_ledger_note(channel, state.status, state.url, size), ""]
        found = _problems(item)
        shown_findings = found if fit.findings is None else found[: fit.findings]
        lines += [_finding(f, size) for f in shown_findings]
        if len(shown_findings) < len(found):
            rest = len(found) - len(shown_findings)
            more = f"…and {rest:,} more" if shown_findings else f"{rest:,} findings"
            lines.append(f"- {more}: {code(f'smmgen check {clip(item.file, size)}')}")
        return [*lines, ""] if found else lines
    shown_channels = {v.channel for v in item.variants}
    for channel, state in sorted(item.published.items()):  # no longer one of its channels
        if channel not in shown_channels:
            lines += [*_ledger_note(channel, state.status, state.url, size), ""]
    file_findings = [f for f in item.findings if not f.channel]
    if file_findings:
        lines += [*(_finding(f, size) for f in file_findings), ""]
    for variant in item.variants:
        lines += _variant(variant, item, fit)
        lines.append("")
    return lines


TABLE = ["| post | change | schedule | channels | check |", "|---|---|---|---|---|"]


def _row(item: PostPreview) -> str:
    channels = clip(", ".join(v.channel for v in item.variants), CELL) or "—"
    return (
        f"| {code(clip(item.id, CELL), cell=True)} | {item.change} | {_schedule(item)}"
        f" | {inline(channels)} | {_counts(_problems(item))} |"
    )


def _some(names: list[str], budget: int) -> str:
    """As many of ``names`` (as code) as fit in ``budget`` characters, and a count of
    the rest."""
    shown: list[str] = []
    used = 0
    for name in names:
        entry = code(clip(name, 100))
        if used + len(entry) + 2 > budget:
            break
        shown.append(entry)
        used += len(entry) + 2
    rest = len(names) - len(shown)
    if not shown:
        return f"{rest:,}"
    return ", ".join(shown) + (f" and {rest:,} more" if rest else "")


def _render(
    preview: Preview,
    rows: list[str],
    sections: list[list[str]] | None,
    *,
    note: str = "",
    limit: int = LIMIT,
) -> str:
    """The comment: the table with ``rows`` (the first posts' rows, or all), then
    ``sections`` if any."""
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
        lines += ["> [!NOTE]", f"> {note}", ""]
    budget = limit // 16  # for the lists of names left out or removed
    if not preview.posts:
        lines.append("No post changed.")
    else:
        lines += [*TABLE, *rows]
        if len(rows) < count:
            missing = [item.id for item in preview.posts[len(rows) :]]
            more = "post" if len(missing) == 1 else "posts"
            lines += ["", f"…and {len(missing)} more {more} not shown: {_some(missing, budget)}."]
        lines.append("")
        if preview.costs():
            lines += [*preview.costs(), ""]
        for section in sections or []:
            lines += section
    if preview.removed:
        lines += ["", "Removed:"]
        used = 0
        for index, path in enumerate(preview.removed):
            entry = f"- {code(clip(path, 200))} (what was published stays published)"
            used += len(entry) + 1
            if used > budget:
                lines.append(f"- …and {len(preview.removed) - index:,} more")
                break
            lines.append(entry)
    return "\n".join(lines).rstrip() + "\n"


def _largest(values: list[int], render: Callable[[int], str], limit: int) -> str | None:
    """The rendering for the largest of ``values`` (ascending) that fits in ``limit``,
    if one does: a rendering grows with the value."""
    best = None
    low, high = 0, len(values) - 1
    while low <= high:
        middle = (low + high) // 2
        text = render(values[middle])
        if len(text) > limit:
            high = middle - 1
        else:
            best, low = text, middle + 1
    return best


def as_markdown(preview: Preview, *, limit: int = LIMIT) -> str:
    rows = [_row(item) for item in preview.posts]
    full = [_post(item, LEVELS[0]) for item in preview.posts]
    text = _render(preview, rows, full, limit=limit)
    if len(text) <= limit:
        return text
    size = len(text)

    def note(what: str) -> str:
        return (
            f"The full preview is {size:,} characters, more than a comment holds ({limit:,}):"
            f" {what}. See every variant with `smmgen preview` or `smmgen show POST` locally."
        )

    shortest = [_post(item, LEVELS[-1]) for item in preview.posts]
    least = _render(preview, rows, shortest, note=note(_shortened(len(rows))), limit=limit)
    if len(least) <= limit:
        # each post's section at every level that makes it shorter
        options = []
        for item, lines, last in zip(preview.posts, full, shortest, strict=True):
            kept = [(_length(lines), lines)]
            for shorter in [*(_post(item, fit) for fit in LEVELS[1:-1]), last]:
                if _length(shorter) < kept[-1][0]:
                    kept.append((_length(shorter), shorter))
            options.append(kept)

        def shortened(cap: int) -> str:
            """Each post as it is when its section is at most ``cap`` long, else shorter."""
            sections = [next((s for n, s in kept if n <= cap), kept[-1][1]) for kept in options]
            count = sum(1 for kept in options if kept[0][0] > cap)
            return _render(preview, rows, sections, note=note(_shortened(count)), limit=limit)

        caps = sorted({n for kept in options for n, _ in kept})
        found = _largest(caps, shortened, limit)
        if found is not None:
            return found
    found = _render(preview, rows, None, note=note("only the table is shown"), limit=limit)
    if len(found) <= limit:
        return found
    fewer = note("only the table is shown, and not all of its rows")
    found = _largest(
        list(range(len(rows))),
        lambda keep: _render(preview, rows[:keep], None, note=fewer, limit=limit),
        limit,
    )
    if found is not None:
        return found
    # not even the header fits: as many whole lines as do
    text = _render(preview, [], None, note=fewer, limit=limit)
    return text[: text.rfind("\n", 0, limit - 1) + 1]


def _shortened(count: int) -> str:
    return (
        f"the {count:,} largest of the posts are shortened (their long texts left out,"
        " or only their findings shown)"
    )


def _length(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)
