"""The team's policy from channels.yaml: alt text, banned phrases, sponsored
disclosure, hashtag limits, and mentions of people the project knows.

Banned phrases and the disclosure are looked for in folded text
(:mod:`smmgen.text.fold`): NFC or NFD, any case, with or without niqqud,
tatweel or Arabic letter variants, a ZWNJ or a space, all read the same."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from smmgen.adapt.hashtags import appended, inline_hashtags
from smmgen.adapt.markdown import MENTION
from smmgen.adapt.threads import explicit_parts
from smmgen.check.rules import post_rule
from smmgen.findings import Finding, KeyPath, Severity, format_key
from smmgen.loader.posts import Post
from smmgen.models.post import MediaItem
from smmgen.project import Project
from smmgen.registry import network as network_of
from smmgen.suggest import closest
from smmgen.text.fold import fold, folded_line

_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Text:
    """One text of a post as published somewhere: the body, or a channel's override."""

    text: str
    channels: tuple[str, ...]
    key: KeyPath | None  # None: the body
    line: int  # the first line of the text in the file


def texts(post: Post) -> Iterator[Text]:
    """The body (for the channels that use it) and each override text, with their lines."""
    overridden = {
        name: o.text for name, o in (post.front.overrides or {}).items() if o.text is not None
    }
    body_channels = tuple(c for c in post.channels if c not in overridden)
    yield Text(post.body, body_channels, None, post.body_line)
    for name, text in overridden.items():
        if name in post.channels:
            key: KeyPath = ("overrides", name, "text")
            yield Text(text, (name,), key, post.line_of(key))


def _line_in(post: Post, text: Text, offset: int) -> int:
    if text.key is None:
        return text.line + text.text.count("\n", 0, offset)
    return text.line


def _finding(
    post: Post,
    code: str,
    message: str,
    line: int,
    key: KeyPath | None,
    *,
    hint: str | None = None,
    severity: Severity = Severity.ERROR,
) -> Finding:
    return Finding(
        severity,
        code,
        message,
        file=post.file,
        line=line,
        key=format_key(key) if key else None,
        hint=hint,
    )


def media_items(post: Post) -> Iterator[tuple[KeyPath, MediaItem]]:
    for index, item in enumerate(post.front.media or []):
        yield ("media", index), item
    for name, override in (post.front.overrides or {}).items():
        for index, item in enumerate(override.media or []):
            yield ("overrides", name, "media", index), item


@post_rule
def alt_text(project: Project, post: Post) -> Iterator[Finding]:
    if not project.config.policy.require_alt_text:
        return
    for path, item in media_items(post):
        if not (item.alt or "").strip():
            yield _finding(
                post,
                "missing-alt-text",
                f"'{item.path}' has no alternative text",
                post.line_of(path),
                (*path, "alt"),
                hint="describe the image for people who cannot see it: add 'alt: ...'",
            )


@post_rule
def banned_phrases(project: Project, post: Post) -> Iterator[Finding]:
    phrases = [p for p in project.config.policy.banned_phrases if p.strip()]
    if not phrases:
        return
    for text in texts(post):
        folded = fold(text.text)
        for phrase in phrases:
            at = folded.find(fold(phrase))
            if at >= 0:
                line = text.line + folded_line(text.text, at) if text.key is None else text.line
                yield _finding(
                    post,
                    "banned-phrase",
                    f"contains the banned phrase '{phrase}'",
                    line,
                    text.key,
                    hint="reword it (policy.banned_phrases in channels.yaml)",
                )


@post_rule
def sponsored_disclosure(project: Project, post: Post) -> Iterator[Finding]:
    policy = project.config.policy
    if not policy.sponsored_disclosure:
        return
    default_language = project.config.defaults.language
    for text in texts(post):
        needed: dict[str, None] = {}
        for channel in text.channels:
            if post.field_for(channel, "sponsored"):
                language = post.field_for(channel, "language") or default_language
                disclosure = policy.disclosure_for(language)
                if disclosure:
                    needed[disclosure] = None
        for disclosure in needed:
            if contains_word(text.text, disclosure):
                continue
            where = "the text" if text.key is None else f"the {text.channels[0]} text"
            yield _finding(
                post,
                "missing-disclosure",
                f"post '{post.id}' is sponsored but {where} lacks the disclosure '{disclosure}'",
                text.line,
                text.key,
                hint=f"add '{disclosure}' to the text (policy.sponsored_disclosure)",
            )


def contains_word(text: str, phrase: str) -> bool:
    """``phrase`` in ``text`` as `fold` compares them (any case, NFC or NFD,
    with or without niqqud...), not as the start or end of a longer word."""
    pattern = rf"(?<!\w){re.escape(fold(phrase))}(?!\w)"
    return re.search(pattern, fold(text)) is not None


@lru_cache(maxsize=64)
def _has_parts(text: str) -> bool:
    """Whether ``text`` has something to post once its HTML comments are gone (the
    channels of a post mostly share one text)."""
    return bool(explicit_parts(_COMMENTS.sub("", text)))


def hashtag_limit(project: Project, channel: str) -> int | None:
    limits = project.config.policy.max_hashtags
    if limits is None or isinstance(limits, int):
        return limits
    kind = getattr(project.channels.get(channel), "type", None)
    for key in (channel, kind, "default"):
        if key in limits:
            return limits[key]
    return None


# The limit of each channel under the last policy's limits by channel, kept with
# those limits and channels: a configuration loaded anew has others, and finds
# them again.
_limits: tuple[dict[str, int], dict[str, Any], dict[str, int | None]] | None = None


def _limit(project: Project, limits: dict[str, int], channel: str) -> int | None:
    """``hashtag_limit``, found once per channel while the configuration is the same."""
    global _limits
    channels = project.channels
    if _limits is None or _limits[0] is not limits or _limits[1] is not channels:
        _limits = (limits, channels, {})
    known = _limits[2]
    if channel not in known:
        known[channel] = hashtag_limit(project, channel)
    return known[channel]


def hashtags_for(project: Project, post: Post, channel: str) -> list[str]:
    """The distinct hashtags a channel's text will carry: written and appended."""
    return list(_hashtags(*_hashtag_sources(project, post, channel)))


def _hashtag_sources(
    project: Project, post: Post, channel: str
) -> tuple[str, tuple[str, ...], str]:
    """What a channel's hashtags come from: its placement, its tags and its text."""
    settings = project.channels[channel]
    placement = settings.hashtags or network_of(settings.type).hashtags
    tags = list(post.field_for(channel, "tags") or [])
    campaign = project.calendar.campaigns.get(post.field_for(channel, "campaign") or "")
    tags += campaign.hashtags if campaign else []
    return placement, tuple(tags), post.text_for(channel)


@lru_cache(maxsize=64)
def _hashtags(placement: str, tags: tuple[str, ...], text: str) -> tuple[str, ...]:
    """The hashtags of ``hashtags_for``: the channels of one post mostly share them."""
    written = ["#" + tag for tag in inline_hashtags(text)]
    return tuple({t.lower(): t for t in written + appended(placement, list(tags), text)}.values())


@post_rule
def max_hashtags(project: Project, post: Post) -> Iterator[Finding]:
    limits = project.config.policy.max_hashtags
    if limits is None:
        return
    over: dict[tuple[int, int], list[str]] = {}
    for channel in post.channels:
        limit = limits if isinstance(limits, int) else _limit(project, limits, channel)
        if limit is None:
            continue
        count = len(hashtags_for(project, post, channel))
        if count > limit:
            over.setdefault((count, limit), []).append(channel)
    for (count, limit), channels in over.items():
        key: KeyPath = ("tags",) if post.front.tags else ("channels",)
        yield _finding(
            post,
            "too-many-hashtags",
            f"{count} hashtags on {', '.join(channels)}; the policy allows at most {limit}",
            post.line_of(key) if key in post.lines else post.body_line,
            key if key in post.lines else None,
            hint="remove tags, or change policy.max_hashtags in channels.yaml",
        )


def _person_hint(name: str, people: dict[str, dict[str, str]]) -> str:
    match = closest(name, people)
    if match:
        return f"did you mean '@{match}'?"
    return "add them to `people` with their handles"


@post_rule
def unknown_people(project: Project, post: Post) -> Iterator[Finding]:
    people = project.people
    for text in texts(post):
        for match in MENTION.finditer(text.text):
            name = match.group(1)
            if name in people:
                continue
            yield _finding(
                post,
                "unknown-person",
                f"@{name} is not in `people` (channels.yaml), so it is published as typed",
                _line_in(post, text, match.start()),
                text.key,
                severity=Severity.WARNING,
                hint=_person_hint(name, people),
            )


@post_rule
def has_text(project: Project, post: Post) -> Iterator[Finding]:
    """Every channel gets some text (or media): networks refuse empty posts."""
    if not post.channels:
        yield _finding(
            post,
            "no-channel",
            "the post goes to no channel",
            post.line_of(("channels",)) if ("channels",) in post.lines else 1,
            ("channels",) if ("channels",) in post.lines else None,
            hint="list channels in `channels`, or set defaults.channels in channels.yaml",
            severity=Severity.WARNING,
        )
    empty: dict[KeyPath | None, list[str]] = {}
    for channel in post.channels:
        if post.field_for(channel, "media"):
            continue
        if not _has_parts(post.text_for(channel)):
            override = post.override(channel)
            key: KeyPath | None = (
                ("overrides", channel, "text") if override and override.text is not None else None
            )
            empty.setdefault(key, []).append(channel)
    for key, channels in empty.items():
        yield _finding(
            post,
            "no-text",
            f"the post has no text for {', '.join(channels)}",
            post.line_of(key) if key else post.body_line,
            key,
            hint="write the text below the front matter's closing '---'"
            if key is None
            else "write the text, or remove the override's `text`",
        )
