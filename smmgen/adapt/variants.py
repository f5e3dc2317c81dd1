"""A post as each channel will send it, and what each network would refuse.

:func:`build_variant` turns one post into the exact text (or thread parts),
link, hashtags and media for one channel, measured the way the network
measures, with findings for everything the network would reject at publish
time (too long, too many images, unsupported formats, ...).
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from smmgen import text as textlib
from smmgen.adapt import hashtags as hashtag_tools
from smmgen.adapt import markdown, threads
from smmgen.adapt.links import tagged
from smmgen.adapt.markdown import MENTION
from smmgen.adapt.mentions import Mentions
from smmgen.channels.base import DEFAULT_GRAMMAR, Network, NetworkLimits
from smmgen.errors import TemplateProblem
from smmgen.findings import Finding, KeyPath, Severity, format_key
from smmgen.loader.files import TEMPLATES_DIR
from smmgen.loader.media import media_probe, media_problem
from smmgen.loader.posts import Post
from smmgen.media import VIDEO, accepted, extension, extension_format
from smmgen.models.channels import Channel, Limits
from smmgen.models.hashtags import tag_key
from smmgen.project import Project
from smmgen.registry import network as network_of
from smmgen.text import utf8_length, utf16_length

SCHEMA_VERSION = 1
_INDENTED = re.compile(r"^(?: {4}| {0,3}\t)", re.MULTILINE)
_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.DOTALL)
# What is never published as text: code (not linked) and HTML comments.
_UNPUBLISHED = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`|<!--.*?-->", re.DOTALL)


@dataclass
class Media:
    path: str
    alt: str | None
    bytes: int | None
    format: str  # its format as its name writes it ("jpg"), when its bytes are that format
    probed: str = ""  # what its bytes are (smmgen.media), "" when no type smmgen knows

    def __post_init__(self) -> None:
        self.probed = self.probed or self.format

    @property
    def is_video(self) -> bool:
        return self.probed in VIDEO

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "alt": self.alt, "bytes": self.bytes, "format": self.format}


@dataclass
class Part:
    text: str
    length: int
    media: list[Media] = field(default_factory=list)
    facets: list[dict[str, Any]] | None = None

    def as_dict(self, limit: int | None) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "length": self.length, "limit": limit}
        if self.facets is not None:
            data["facets"] = self.facets
        data["media"] = [m.as_dict() for m in self.media]
        return data


@dataclass
class Variant:
    """One post on one channel, exactly as it will be sent."""

    post: str
    channel: str
    network: str
    dialect: str
    parts: list[Part]
    limit: int | None
    publish_at: datetime | None
    link: str | None
    hashtags: list[str]
    language: str | None
    draft: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.parts[0].text if self.parts else ""

    @property
    def length(self) -> int:
        return max((p.length for p in self.parts), default=0)

    def as_dict(self) -> dict[str, Any]:
        when = self.publish_at
        return {
            "schema_version": SCHEMA_VERSION,
            "post": self.post,
            "channel": self.channel,
            "network": self.network,
            "format": self.dialect,
            "publish_at": when.isoformat() if when else None,
            "publish_at_utc": when.astimezone(UTC).isoformat() if when else None,
            "draft": self.draft,
            "language": self.language,
            "text": self.text,
            "length": self.length,
            "limit": self.limit,
            "link": self.link,
            "hashtags": self.hashtags,
            "parts": [p.as_dict(self.limit) for p in self.parts],
            "warnings": [f.as_dict() for f in self.findings],
        }


@lru_cache(maxsize=256)
def _measure(text: str, network: Network) -> int:
    """The length the network counts for a rendered text, as it will be sent."""
    return network.measure(text)


@lru_cache(maxsize=64)
def _limits(network: Network, overrides: tuple[tuple[str, int | None], ...]) -> NetworkLimits:
    return network.limits.merged(Limits(**dict(overrides)))


# A channel's limits, found once per channel (by identity: the channel and its
# network are kept with them)
_CHANNEL_LIMITS: dict[int, tuple[Channel, Network, NetworkLimits]] = {}


def _channel_limits(channel: Channel, network: Network) -> NetworkLimits:
    known = _CHANNEL_LIMITS.get(id(channel))
    if known is not None and known[0] is channel and known[1] is network:
        return known[2]
    if len(_CHANNEL_LIMITS) > 256:
        _CHANNEL_LIMITS.clear()
    limits = _limits(network, tuple(channel.limits.model_dump().items()))
    _CHANNEL_LIMITS[id(channel)] = (channel, network, limits)
    return limits


class _Builder:
    def __init__(self, project: Project, post: Post, name: str):
        self.project = project
        self.post = post
        self.name = name
        self.channel = project.channels[name]
        self.network = network_of(self.channel.type)
        # a channel may publish no threads though its network can: its settings model
        # then has ``thread_policy()`` ("join" or "refuse"; LinkedIn's `threads` setting)
        # (looked up on the class: a pydantic model's missing attribute is slow to miss)
        policy_of = getattr(type(self.channel), "thread_policy", None)
        policy = policy_of(self.channel) if policy_of is not None else None
        self.refuse_threads = policy == "refuse"
        if self.network.threads and policy in ("join", "refuse"):
            self.network = replace(self.network, threads=False)
        self.limits = _channel_limits(self.channel, self.network)
        self.findings: list[Finding] = []
        override = post.override(name)
        self.overridden = override.model_fields_set if override is not None else set()
        self.override = override
        self._link: tuple[str | None] | None = None  # found once
        self._appendices: dict[tuple[str | None, tuple[str, ...]], str] = {}
        self._tags: list[str] | None = None  # found once
        self.text_key: KeyPath | None = (
            ("overrides", name, "text") if override and override.text is not None else None
        )

    # -- findings ---------------------------------------------------------------

    def finding(
        self,
        code: str,
        message: str,
        *,
        key: KeyPath | None = None,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        if key is None and self.text_key is None:
            line = self.post.body_line
            shown = None
        else:
            path = key or self.text_key
            assert path is not None
            line = self.post.line_of(path)
            shown = format_key(path)
        self.findings.append(
            Finding(
                severity,
                code,
                f"{self.name}: {message}",
                file=self.post.file,
                line=line,
                key=shown,
                hint=hint,
                channel=self.name,
            )
        )

    # -- pieces -----------------------------------------------------------------

    def field(self, name: str) -> Any:
        if name in self.overridden:
            return getattr(self.override, name)
        return getattr(self.post.front, name)

    def link(self) -> str | None:
        if self._link is None:
            self._link = (self._tagged_link(),)
        return self._link[0]

    def _tagged_link(self) -> str | None:
        url = self.field("link")
        if not url:
            return None
        utm = self.channel.utm
        if utm is False:
            return str(url)
        params = utm if utm is not None else self.project.config.defaults.utm
        values = {
            "channel": self.name,
            "campaign": self.field("campaign") or "",
            "post": self.post.id,
            "network": self.network.type,
        }
        return tagged(str(url), params, values)

    def tags(self) -> list[str]:
        """The post's tags on this channel, then its campaign's hashtags."""
        if self._tags is None:
            tags = list(self.field("tags") or [])
            campaign = self.project.calendar.campaigns.get(self.field("campaign") or "")
            self._tags = tags + (campaign.hashtags if campaign else [])
        return list(self._tags)

    def hashtags(self, source: str) -> list[str]:
        """Hashtags to append: the tags not already written in the (Markdown) text."""
        placement = self.channel.hashtags or self.network.hashtags
        return hashtag_tools.appended(placement, self.tags(), source)

    def media(self) -> list[Media]:
        items = self.field("media") or []
        out = []
        for item in items:
            if media_problem(self.project.root, item.path):
                continue  # reported by the media rule
            probe = media_probe(self.project.root, item.path)
            size = probe.bytes if probe else None
            probed = (probe and probe.format) or ""
            out.append(Media(item.path, item.alt, size, _format_name(item.path, probed), probed))
        return out

    # -- the variant --------------------------------------------------------------

    def build(self, *, findings_only: bool = False) -> Variant:
        mentions, parts_source, thread = self.plan()
        if findings_only and self.surely_fits(parts_source, thread, mentions):
            return self.unrendered(mentions)
        return self.rendered(mentions, parts_source, thread, findings_only=findings_only)

    def check_findings(self) -> list[Finding]:
        """The findings of :meth:`build` with ``findings_only``, without building the
        variant when its text surely fits (for `check`)."""
        mentions, parts_source, thread = self.plan()
        if not self.surely_fits(parts_source, thread, mentions):
            return self.rendered(mentions, parts_source, thread, findings_only=True).findings
        return self.fitting_findings(mentions)

    def plan(self) -> tuple[Mentions, list[str], object]:
        """Who is mentioned (as the network writes them), the text's parts, and the
        thread setting ("auto" when unset); parts the network cannot thread are joined."""
        network = self.network
        mentions = Mentions(self.project.people, self.name, network)
        source = self.post.text_for(self.name)
        parts_source = list(threads.explicit_parts(source)) or [""]
        thread = self.field("thread")
        if thread is None:
            thread = "auto"
        if len(parts_source) > 1 and (thread is False or not network.threads):
            if self.refuse_threads and thread is not False:
                self.finding(
                    "no-threads",
                    f"this channel publishes no threads (threads: refuse), but the post has"
                    f" {len(parts_source)} parts",
                    hint="give this channel one text in `overrides`, or set `threads: comments`"
                    " or `threads: join` on the channel",
                )
            elif not network.threads and not self.refuse_threads:
                self.finding(
                    "no-threads",
                    f"{network.title} has no threads: the {len(parts_source)} parts are"
                    " joined into one post",
                    severity=Severity.WARNING,
                )
            parts_source = ["\n\n".join(parts_source)]
        self.check_grammar("\n\n".join(parts_source), mentions)
        return mentions, parts_source, thread

    def check_grammar(self, source: str, mentions: Mentions) -> None:
        """Warn where the network would cut or not link a tag the post uses, or not
        link a mention written for it (its own extractor: ``Network.grammar``)."""
        if self.network.grammar is DEFAULT_GRAMMAR:
            return  # every tag the post may have (tags are checked at load) is kept whole
        kind = self.network.type
        if _grammar_quiet(kind, source, tuple(self.tags())):
            return
        text = _published(source)
        if "#" in text or "\uff03" in text:
            for tag, got in _unlinked_written(kind, text):
                self.tag_finding(tag, got, None, written=True)
        tags = self.tags()
        if not tags or _all_linked_whole(kind, tuple(tags)):
            tags = []
        own = {tag_key(tag) for tag in self.field("tags") or []} if tags else set()
        for written in self.hashtags(source) if tags else ():
            tag = written[1:]
            got = _linked_alone(kind, written)
            if got != tag:
                key: KeyPath | None = None
                if tag_key(tag) in own and "tags" in self.overridden:
                    key = ("overrides", self.name, "tags")
                elif tag_key(tag) in own:
                    key = ("tags",)
                self.tag_finding(tag, got, key, written=False)
        if "@" in text:
            self.check_mentions(text, mentions)

    def tag_finding(self, tag: str, got: str | None, key: KeyPath | None, *, written: bool) -> None:
        """A tag the network would cut (to ``got``) or not link (``got`` None);
        ``written`` in the text, or appended."""
        title = self.network.title
        if got is None:
            place = "put a space before '#', or " if written else ""
            self.finding(
                "hashtag-not-linked",
                f"{title} would not link #{tag} as a hashtag" + (" here" if written else ""),
                key=key,
                severity=Severity.WARNING,
                hint=f"{place}leave the tag out on {self.name} with an override",
            )
            return
        stop = tag[len(got)] if tag.startswith(got) and len(got) < len(tag) else None
        why = f" (its hashtags stop at {_character(stop)})" if stop else ""
        self.finding(
            "hashtag-cut",
            f"{title} would link #{tag} as #{got}{why}",
            key=key,
            severity=Severity.WARNING,
            hint=f"write the tag without that character for {self.name} (an override), or"
            f" accept #{got} there",
        )

    def check_mentions(self, text: str, mentions: Mentions) -> None:
        network = self.network
        if not network.mentions:
            return
        for name, before in _unlinked_mentions(network.type, text):
            if name not in self.project.people or mentions.handle(name) is None:
                continue
            written = mentions(name) or "@" + name
            self.finding(
                "mention-not-linked",
                f"{network.title} would not link @{name} (written {written}) after"
                f" {_character(before)}: {network.grammar.mention_rule}",
                severity=Severity.WARNING,
                hint=f"put a space before '@{name}'",
            )

    def surely_fits(self, parts_source: list[str], thread: object, mentions: Mentions) -> bool:
        """Whether the network can refuse none of the text, whatever it renders to.

        A line indented as code (four columns: spaces, or up to three and a tab)
        may be a code block, where no @name is a mention; only the parser knows,
        so such a text is rendered."""
        source = parts_source[0] if len(parts_source) == 1 else "\n\n".join(parts_source)
        if "@" in source and _indented(source):
            return False
        return self.splits_unrendered(parts_source, thread, mentions) or self.fits_unrendered(
            source, mentions
        )

    def rendered(
        self, mentions: Mentions, parts_source: list[str], thread: object, *, findings_only: bool
    ) -> Variant:
        """The variant, its text rendered (see :func:`build_variant` for ``findings_only``)."""
        post = self.post
        network = self.network
        rendered = [markdown.render(p, network.dialect, mentions) for p in parts_source]
        self.report_missing_handles(mentions)
        link = self.link()
        hashtags = self.hashtags("\n".join(parts_source))
        media = self.media()

        if self.template_exists():
            rendered[0] = self.templated(rendered[0], link, hashtags)
            appendix = ""
        else:
            appendix = self.appendix(link, hashtags)

        limit = self.limits.max_chars
        if media and self.limits.caption_chars is not None:
            limit = self.limits.caption_chars

        texts: list[str] = []
        for index, body in enumerate(rendered):
            extra = appendix if index == 0 else ""
            whole = (body + extra).strip()
            splittable = thread == "auto" and network.threads and limit is not None
            if splittable and limit is not None and not self.fits(whole, limit):
                if findings_only and self.fits(f"x{extra} 999/999", limit):
                    continue  # splitting surely succeeds: every part will fit
                texts += self.split(body, extra, limit)
            else:
                texts.append(whole)

        if network.prepare is not None:
            prepared = [network.prepare(t) for t in texts]
            parts = [
                Part(t, network.count(t), facets=copy.deepcopy(list(facets)))
                for t, facets in prepared
            ]
        else:
            parts = [Part(t, _measure(t, network)) for t in texts]
        if parts and self.limits.max_media:
            parts[0].media = media
        # With findings_only, parts that would split fine are left out (see build_variant).
        variant = Variant(
            post=post.id,
            channel=self.name,
            network=network.type,
            dialect=network.dialect.name,
            parts=parts,
            limit=limit,
            publish_at=post.when(self.name),
            link=link,
            hashtags=hashtags,
            language=self.field("language") or self.project.config.defaults.language,
            draft=post.is_draft,
            findings=self.findings,
        )
        self.check(variant, thread)
        self.check_media(media)
        return variant

    def report_missing_handles(self, mentions: Mentions) -> None:
        for name in mentions.missing:
            self.finding(
                "no-handle",
                f"@{name} has no handle for {self.name} in `people`; their name is written",
                severity=Severity.WARNING,
                hint=f"add '{self.name}: ...' to people.{name} in channels.yaml",
            )

    def fits_unrendered(self, source: str, mentions: Mentions) -> bool:
        """Whether the text surely fits without rendering it (for `check`).

        Rendering Markdown never makes a text longer than ``text_bound`` says; a
        text that fits then is neither split nor refused. Not for templates,
        networks that count links (a limit on links, or bare domains as URLs),
        or a network whose count may exceed UTF-16 units (``count_bounded``).
        """
        network = self.network
        limits = self.limits
        if not network.count_bounded or self.template_exists() or "]:" in source:
            return False
        if network.bare_urls or limits.max_links is not None:
            return False
        written = [mentions(name) or "@" + name for name in _mentioned(source)]
        limit = self.limits.max_chars
        if self.field("media") and self.limits.caption_chars is not None:
            limit = self.limits.caption_chars
        if limit is None:
            return True
        link = self.link()
        tags = ["#" + t for t in self.tags()]
        # the appended link as the network counts it (23 on Mastodon, shortened on Bluesky)
        counted = link
        if link and network.short_link is not None:
            counted = network.short_link(link)
        elif link and network.url_length is not None:
            counted = "x" * network.url_length
        appendix = self.appendix(counted, tags)
        inserted = [*written, appendix]
        bound = text_bound(source, inserted)
        if network.url_length is not None:
            bound += network.url_length * source.count("://")
        if bound > limit:
            return False
        if limits.max_bytes is not None:  # bytes are sent as written
            full = inserted if counted == link else [*written, self.appendix(link, tags)]
            return text_bound(source, full, units=utf8_length) <= limits.max_bytes
        return True

    def splits_unrendered(
        self, parts_source: list[str], thread: object, mentions: Mentions
    ) -> bool:
        """Whether the network can refuse none of the text, whatever it renders to
        (for `check`).

        With ``thread: auto`` on a network with threads, each part either fits
        or is split into parts that fit; splitting surely succeeds when part 1's
        link and hashtags leave room for a word and a part number (as in
        :meth:`build`). Nor is anything refused without a limit on characters
        or bytes. Not with a template (it can fail) or a limit on links.
        """
        network = self.network
        limits = self.limits
        if limits.max_links is not None or self.template_exists():
            return False
        if thread != "auto" or not network.threads:
            unlimited = limits.max_chars is None and limits.caption_chars is None
            if not unlimited or limits.max_bytes is not None:
                return False
        else:
            limit = limits.max_chars
            if limits.caption_chars is not None and self.field("media") and self.media():
                limit = limits.caption_chars
            if limit is None:
                if limits.max_bytes is not None:
                    return False
            else:
                extra = self.appendix(self.link(), self.hashtags("\n".join(parts_source)))
                if not self.fits(f"x{extra} 999/999", limit):
                    return False
                if len(parts_source) > 1 and not self.fits("x 999/999", limit):
                    return False
        for name in _mentioned("\n\n".join(parts_source)):
            mentions(name)  # as rendering would: who has no handle here
        return True

    def fitting_findings(self, mentions: Mentions) -> list[Finding]:
        """The findings of a text known to fit: who has no handle, and the media."""
        self.report_missing_handles(mentions)
        self.check_media(self.media())
        return self.findings

    def unrendered(self, mentions: Mentions) -> Variant:
        """A variant with its findings but no text: it is known to fit."""
        return Variant(
            post=self.post.id,
            channel=self.name,
            network=self.network.type,
            dialect=self.network.dialect.name,
            parts=[],
            limit=self.limits.max_chars,
            publish_at=self.post.when(self.name),
            link=self.link(),
            hashtags=[],
            language=self.field("language") or self.project.config.defaults.language,
            draft=self.post.is_draft,
            findings=self.fitting_findings(mentions),
        )

    def fits(self, text: str, limit: int, count: Callable[[str], int] | None = None) -> bool:
        """Whether ``text`` is within ``limit`` as the network counts, and its bytes."""
        max_bytes = self.limits.max_bytes
        if max_bytes is not None and utf8_length(text) > max_bytes:
            return False
        network = self.network
        if count is None and network.count_bounded:  # a bound that fits needs no count
            bound = utf16_length(text) + (network.url_length or 0) * text.count("://")
            if bound <= limit:
                return True
        measured = count(text) if count else _measure(text, network)
        return measured <= limit

    def split(self, body: str, extra: str, limit: int) -> list[str]:
        """``body`` (+ ``extra`` on part 1) as thread parts that each fit ``limit``,
        cut where sentences end in the post's language."""
        language = self.field("language") or self.project.config.defaults.language
        if self.network.quick_count is not None:  # cheap count first, exact check after
            quick = self.network.quick_count(body + extra)
            parts = threads.split(
                body, lambda t: self.fits(t, limit, quick), first_extra=extra, language=language
            )
            if all(self.fits(p, limit) for p in parts):
                return parts
        return threads.split(
            body, lambda t: self.fits(t, limit), first_extra=extra, language=language
        )

    def appendix(self, link: str | None, hashtags: list[str]) -> str:
        key = (link if self.channel.link == "end" else None, tuple(hashtags))
        found = self._appendices.get(key)
        if found is None:  # the same one is asked for several times per variant
            found = self._appendices[key] = self.network.dialect.appendix(key[0], hashtags)
        return found

    def template_exists(self) -> bool:
        """A channel's template is used when it exists (a missing one is reported
        once, by the project rule for channels.yaml, and the default rendering used)."""
        name = self.channel.template
        if not name:
            return False
        directory = (self.project.root / TEMPLATES_DIR).resolve()
        path = (directory / name).resolve()
        return path.is_relative_to(directory) and path.is_file()

    def templated(self, body: str, link: str | None, hashtags: list[str]) -> str:
        assert self.channel.template is not None
        post = self.post
        context = {
            "text": body,
            "link": link,
            "hashtags": hashtags,
            "channel": self.name,
            "network": self.network.type,
            "post": {
                "id": post.id,
                "title": post.front.title,
                "tags": list(self.field("tags") or []),
                "campaign": self.field("campaign"),
                "language": self.field("language"),
                "sponsored": bool(self.field("sponsored")),
                "publish_at": post.when(self.name),
            },
        }
        try:
            from smmgen.adapt.templates import render_template  # Jinja2: only with a template

            return render_template(self.project.root, self.channel.template, context)
        except TemplateProblem as exc:
            line = f", line {exc.line}" if exc.line else ""
            self.finding("template-error", f"{exc} (templates/{self.channel.template}{line})")
            return body

    # -- what the network would refuse -------------------------------------------

    def check(self, variant: Variant, thread: object) -> None:
        limits = self.limits
        network = self.network
        limit = variant.limit
        over = [p for p in variant.parts if limit is not None and p.length > limit]
        if over:
            worst = max(p.length for p in over)
            which = (
                "" if len(variant.parts) == 1 else f" ({len(over)} of {len(variant.parts)} parts)"
            )
            hint = "shorten it, or give this channel its own text in `overrides`"
            if network.threads and thread != "auto":
                hint += ", or set `thread: auto` to split it into a thread"
            kind = "caption with media" if limit == limits.caption_chars else "text"
            self.finding(
                "too-long",
                f"{kind} is {worst} characters{which}; {network.title} allows {limit}",
                hint=hint,
            )
        if limits.max_bytes is not None:
            for part in variant.parts:
                size = len(part.text.encode("utf-8"))
                if size > limits.max_bytes:
                    self.finding(
                        "too-long",
                        f"text is {size} bytes of UTF-8; {network.title} allows {limits.max_bytes}",
                    )
        if limits.max_links is not None:
            for part in variant.parts:
                links = len(textlib.urls(part.text))
                if links > limits.max_links:
                    self.finding(
                        "too-many-links",
                        f"{links} links in one post; {network.title} allows {limits.max_links}",
                    )

    def check_media(self, media: list[Media]) -> None:
        if not media:
            return
        limits = self.limits
        title = self.network.title
        media_key: KeyPath = (
            ("overrides", self.name, "media") if "media" in self.overridden else ("media",)
        )
        if limits.max_media == 0:
            self.finding(
                "media-unsupported",
                f"{title} cannot attach media; the {len(media)} file(s) are left out",
                key=media_key,
                severity=Severity.WARNING,
            )
            return
        if "media_url" in type(self.channel).model_fields and not self.channel.media_url:  # type: ignore[attr-defined]
            # a channel that links its files from where they are published (the feed)
            self.finding(
                "media-no-url",
                f"{title} entries show media from `media_url`, which is not set: the"
                f" {len(media)} file(s) are left out",
                key=media_key,
                severity=Severity.WARNING,
                hint=f"set `media_url` on {self.name} in channels.yaml to the URL the media"
                " paths are relative to (where media/ is published)",
            )
        if len(media) > limits.max_media:
            self.finding(
                "too-much-media",
                f"{len(media)} media files; {title} takes at most {limits.max_media}",
                key=media_key,
            )
        for index, item in enumerate(media):
            key = (*media_key, index)
            if not item.is_video and not accepted(item.probed, limits.image_formats):
                allowed = ", ".join(sorted(limits.image_formats))
                self.finding(
                    "media-format",
                    f"'{item.path}' is {item.format or 'of no known format'};"
                    f" {title} takes {allowed}",
                    key=(*key, "path"),
                )
            cap = limits.max_image_bytes
            if (
                item.bytes is not None
                and cap is not None
                and not item.is_video
                and item.bytes > cap
            ):
                self.finding(
                    "media-too-large",
                    f"'{item.path}' is {_size(item.bytes)}; {title} takes images up to"
                    f" {_size(cap)}",
                    key=(*key, "path"),
                )
            if item.alt and limits.max_alt_chars and len(item.alt) > limits.max_alt_chars:
                self.finding(
                    "alt-too-long",
                    f"alt text is {len(item.alt)} characters; {title} allows"
                    f" {limits.max_alt_chars}",
                    key=(*key, "alt"),
                )


def _format_name(path: str, fmt: str) -> str:
    """The format of a media file's bytes ("" if none known), written as its
    extension writes it when the two agree (a JPEG named .jpg stays "jpg")."""
    suffix = extension(path)
    if fmt and suffix and extension_format(path) == fmt:
        return suffix
    return fmt


def _character(char: str) -> str:
    """A character named for people: ``'״' (U+05F4 HEBREW PUNCTUATION GERSHAYIM)``."""
    name = unicodedata.name(char, "")
    shown = f"'{char}' " if char.isprintable() and not char.isspace() else ""
    return f"{shown}(U+{ord(char):04X}{' ' + name if name else ''})"


def _size(count: int) -> str:
    return f"{count:,} bytes"


def text_bound(source: str, inserted: list[str], units: Callable[[str], int] = utf16_length) -> int:
    """At least the length any network without threads counts for ``source``
    rendered (plus the ``inserted`` mentions and appendix), in UTF-16 units.

    Rendering drops Markdown syntax and changes little else; what can grow is
    bounded here: escapes (Discord ``\\*``, Slack ``&amp;``), list numbers and
    quote markers per line, tabs, and what is inserted. A property test holds
    it against the exact count. ``units`` may be UTF-8 bytes instead (a
    bullet is 3 bytes where ``-`` was 1: within the per-line allowance).
    """
    return _source_bound(source, units) + sum(units(text) for text in inserted)


@lru_cache(maxsize=64)
def _source_bound(source: str, units: Callable[[str], int]) -> int:
    """``text_bound``'s part that depends on the source alone: once per post text."""
    escapes = sum(source.count(c) for c in "\\*~`|") + 4 * sum(source.count(c) for c in "&<>")
    lines = source.count("\n") + 1
    return units(source) + escapes + 6 * lines + 3 * source.count("\t")


@lru_cache(maxsize=64)
def _published(source: str) -> str:
    """``source`` without what is never published as text (code, HTML comments)."""
    return _UNPUBLISHED.sub(" ", source)


@lru_cache(maxsize=256)
def _unlinked_written(kind: str, text: str) -> list[tuple[str, str | None]]:
    """The tags written in ``text`` that network ``kind`` would cut or not link
    (the channels of a post mostly share one text)."""
    return hashtag_tools.unlinked(network_of(kind), text, hashtag_tools.written_hashtags(text))


@lru_cache(maxsize=1024)
def _linked_alone(kind: str, written: str) -> str | None:
    """What network ``kind`` links of an appended ``#tag`` standing alone."""
    return hashtag_tools.linked(network_of(kind), written).get(0)


@lru_cache(maxsize=64)
def _indented(source: str) -> bool:
    """Whether a line of ``source`` is indented as code (four columns)."""
    return _INDENTED.search(source) is not None


@lru_cache(maxsize=256)
def _grammar_quiet(kind: str, source: str, tags: tuple[str, ...]) -> bool:
    """Whether network ``kind`` links every tag of ``source`` and ``tags`` whole and
    the text has no mention to judge: nothing for `check_grammar` to say."""
    text = _published(source)
    if "@" in text:
        return False
    if ("#" in text or "\uff03" in text) and _unlinked_written(kind, text):
        return False
    return _all_linked_whole(kind, tags)


@lru_cache(maxsize=1024)
def _all_linked_whole(kind: str, tags: tuple[str, ...]) -> bool:
    """Whether network ``kind`` links each of ``tags``, appended alone, whole."""
    return all(_linked_alone(kind, "#" + tag) == tag for tag in tags)


@lru_cache(maxsize=256)
def _unlinked_mentions(kind: str, text: str) -> tuple[tuple[str, str], ...]:
    """Each @name in ``text`` that network ``kind`` would not link after the
    character before its '@' ('' at the start), with that character."""
    may_follow = network_of(kind).grammar.mention_may_follow
    found = []
    for match in MENTION.finditer(text):
        before = text[match.start() - 1] if match.start() else ""
        if not may_follow(before):
            found.append((match.group(1), before))
    return tuple(found)


@lru_cache(maxsize=64)
def _mentioned(source: str) -> tuple[str, ...]:
    """Every @name outside code in a text, in order (repeats included)."""
    return tuple(MENTION.findall(_CODE.sub("", source)))


def build_variant(
    project: Project, post: Post, channel: str, *, findings_only: bool = False
) -> Variant:
    """``post`` on ``channel``.

    With ``findings_only`` (for `check`) the findings are the same but the text
    may be incomplete: a text that surely fits is not rendered, and a text
    that ``thread: auto`` would split is not split when every part surely fits.
    """
    return _Builder(project, post, channel).build(findings_only=findings_only)


def build_variants(project: Project, post: Post, *, findings_only: bool = False) -> list[Variant]:
    """The post on each of its enabled channels."""
    return [
        build_variant(project, post, name, findings_only=findings_only)
        for name in _enabled(project, post)
    ]


def _enabled(project: Project, post: Post) -> list[str]:
    """The post's channels that the project has, enabled."""
    channels = project.channels
    return [name for name in post.channels if name in channels and channels[name].enabled]


def variant_findings(project: Project, post: Post) -> list[Finding]:
    """What building the post on each of its enabled channels finds (for `check`):
    the findings of :func:`build_variants` with ``findings_only``, in order."""
    found: list[Finding] = []
    for name in _enabled(project, post):
        found.extend(_Builder(project, post, name).check_findings())
    return found
