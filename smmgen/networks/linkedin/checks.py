"""`check`'s rules for LinkedIn channels: the token's expiry, and comments' length.

A self-serve app's access token lasts 60 days and cannot be refreshed, so a
person must sign in again before it ends; ``token_expires`` says when it does,
and this rule warns :data:`~smmgen.networks.linkedin.TOKEN_WARN_DAYS` days
ahead and fails once the day has passed (at the time ``check`` judges at).
A thread's later parts become comments, which LinkedIn takes up to
:data:`~smmgen.networks.linkedin.driver.COMMENT_CHARS` characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from smmgen.adapt.threads import explicit_parts
from smmgen.adapt.variants import build_variant
from smmgen.check.rules import post_rule, project_rule
from smmgen.findings import Finding, Severity
from smmgen.loader.files import CHANNELS_FILE
from smmgen.loader.posts import Post
from smmgen.networks.linkedin import (
    DEFAULT_VERSION,
    TOKEN_DAYS,
    TOKEN_WARN_DAYS,
    VERSION_WARN_MONTHS,
    LinkedInChannel,
    linkedin_visible_text,
)
from smmgen.networks.linkedin.driver import COMMENT_CHARS, token_days_left
from smmgen.project import Project


@project_rule
def linkedin_token_expiry(project: Project) -> Iterator[Finding]:
    doc = project.config.files[CHANNELS_FILE].doc if CHANNELS_FILE in project.config.files else None
    today = (project.now or datetime.now(UTC)).astimezone(UTC).date()
    for name, channel in project.channels.items():
        if not isinstance(channel, LinkedInChannel) or not channel.enabled:
            continue
        expires = channel.token_expires
        if expires is None:
            continue
        left = token_days_left(expires, today)
        if left > TOKEN_WARN_DAYS:
            continue
        path = ("channels", name, "token_expires")
        line = doc.line_of(path) if doc else None
        renew = (
            f"a person signs in again (re-consent), puts the new token in {channel.token_env}"
            f" and sets token_expires to {TOKEN_DAYS} days after that day"
        )
        if left < 0:
            yield Finding(
                Severity.ERROR,
                "token-expired",
                f"the LinkedIn token expired on {expires.isoformat()}: publishing fails",
                key=f"channels.{name}.token_expires",
                hint=renew,
                channel=name,
                file=CHANNELS_FILE,
                line=line,
            )
        else:
            yield Finding(
                Severity.WARNING,
                "token-expires",
                f"the LinkedIn token expires on {expires.isoformat()}, in {left} days",
                key=f"channels.{name}.token_expires",
                hint=f"before then, {renew}",
                channel=name,
                file=CHANNELS_FILE,
                line=line,
            )


@project_rule
def linkedin_version_age(project: Project) -> Iterator[Finding]:
    """A ``LinkedIn-Version`` near the end of its year is named before LinkedIn retires it."""
    doc = project.config.files[CHANNELS_FILE].doc if CHANNELS_FILE in project.config.files else None
    today = (project.now or datetime.now(UTC)).astimezone(UTC).date()
    for name, channel in project.channels.items():
        if not isinstance(channel, LinkedInChannel) or not channel.enabled:
            continue
        version = channel.version
        age = (today.year - int(version[:4])) * 12 + today.month - int(version[4:6])
        if age < VERSION_WARN_MONTHS:
            continue
        chosen = "version" in channel.model_fields_set
        path = ("channels", name, "version") if chosen else ("channels", name)
        if chosen and version < DEFAULT_VERSION:
            fix = f"set version to a recent one, e.g. {DEFAULT_VERSION} (smmgen's default)"
        elif chosen:
            fix = "set version to a recent one (LinkedIn's versioning page lists them)"
        else:
            fix = "update smmgen (its default moves forward), or set version to a recent one"
        yield Finding(
            Severity.WARNING,
            "linkedin-version",
            f"LinkedIn-Version {version} is {age} months old; LinkedIn serves a version for"
            " about a year and then answers 426 NONEXISTENT_VERSION",
            key=f"channels.{name}.version" if chosen else f"channels.{name}",
            hint=fix,
            channel=name,
            file=CHANNELS_FILE,
            line=doc.line_of(path) if doc else None,
        )


@post_rule
def linkedin_comments_fit(project: Project, post: Post) -> Iterator[Finding]:
    """Each later part of a thread published as comments fits a comment."""
    for name in post.channels:
        channel = project.channels.get(name)
        if not isinstance(channel, LinkedInChannel) or channel.threads != "comments":
            continue
        if not channel.enabled:
            continue
        source = post.text_for(name)
        if len(list(explicit_parts(source))) < 2 and len(source) <= 2500:
            continue  # one part (a split needs over 3000 characters with the link and tags)
        variant = build_variant(project, post, name)
        for number, part in enumerate(variant.parts[1:], start=2):
            length = len(linkedin_visible_text(part.text))
            if length > COMMENT_CHARS:
                yield Finding(
                    Severity.ERROR,
                    "too-long",
                    f"{name}: part {number} is {length} characters; it becomes a LinkedIn"
                    f" comment, which takes {COMMENT_CHARS}",
                    file=post.file,
                    line=post.body_line,
                    hint="shorten it or split it with `---`, or set `threads: join` on the channel",
                    channel=name,
                )
