"""Media a network downloads from the project's public site (Threads): the file
must be served there at publish time.

A channel whose settings have ``media_base_url`` (Threads) gives Meta the URL
of each file instead of uploading it. ``check`` cannot fetch that URL (it runs
before the deploy, and without a network), so it verifies what makes a deploy
of the repository serve the file:

- the channel has ``media_base_url`` (an error without it: nothing with media
  can be published there);
- the file lies inside the channel's ``media_root``, the directory served at
  ``media_base_url`` (else it would never be served);
- the file is in git (committed, or staged for the commit being made): a site
  built from the repository serves only what the repository holds. An
  untracked or ignored file is an error. Outside a git repository this is not
  checked.

The git index is therefore one of what a post's cached result depends on
(:func:`dependencies`), so ``git add`` re-checks it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from smmgen.check.cache import Signature, signature
from smmgen.check.rules import post_rule
from smmgen.findings import Finding, Severity, format_key
from smmgen.loader.media import media_problem
from smmgen.loader.posts import Post
from smmgen.project import Project


def _served_channels(project: Project, post: Post) -> list[str]:
    channels = project.channels
    return [
        name
        for name in post.channels
        if name in channels
        and channels[name].enabled
        and "media_base_url" in type(channels[name]).model_fields
    ]


def _media(post: Post, name: str) -> Iterator[tuple[tuple[str | int, ...], str]]:
    override = (post.front.overrides or {}).get(name)
    if override is not None and "media" in override.model_fields_set:
        for index, item in enumerate(override.media or []):
            yield ("overrides", name, "media", index, "path"), item.path
    else:
        for index, item in enumerate(post.front.media or []):
            yield ("media", index, "path"), item.path


def _git(root: Path) -> tuple[Path, frozenset[str]] | None:
    """The repository's top and the files git tracks (its index), or None outside git;
    read again whenever the index changes."""
    index = _index(root)
    return _tracked(root, signature(index) if index else None)


@lru_cache(maxsize=8)
def _tracked(root: Path, index: Signature) -> tuple[Path, frozenset[str]] | None:
    try:
        top = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=True, timeout=20,
        ).stdout.strip()  # fmt: skip
        listed = subprocess.run(
            ["git", "-C", top, "ls-files", "-z"],
            capture_output=True, check=True, timeout=60,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    names = listed.decode("utf-8", errors="surrogateescape").split("\0")
    return Path(top).resolve(), frozenset(n for n in names if n)


@lru_cache(maxsize=8)
def _index(root: Path) -> str | None:
    try:
        found = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--path-format=absolute", "--git-path", "index"],
            capture_output=True, text=True, check=True, timeout=20,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return found or None


def dependencies(project: Project, post: Post) -> list[str]:
    """Files besides its media whose change changes this rule's findings for ``post``:
    the git index, when a channel of the post gets its media by URL."""
    if not any(any(True for _ in _media(post, n)) for n in _served_channels(project, post)):
        return []
    index = _index(project.root)
    return [index] if index else []


@post_rule
def media_served(project: Project, post: Post) -> Iterator[Finding]:
    for name in _served_channels(project, post):
        channel = project.channels[name]
        base = getattr(channel, "media_base_url", None)
        for key, path in _media(post, name):
            if media_problem(project.root, path):
                continue  # reported by the media rule
            shown = format_key(key)
            line = post.line_of(key)
            if not base:
                yield Finding(
                    Severity.ERROR,
                    "media-not-served",
                    f"{name}: '{path}' needs a public URL, and the channel has no media_base_url",
                    file=post.file,
                    line=line,
                    key=shown,
                    hint=(
                        f"the network downloads media itself: set channels.{name}.media_base_url"
                        " to the URL where this repository's files are served (and media_root"
                        " to the directory served there), or leave the media out for this"
                        " channel"
                    ),
                    channel=name,
                )
                continue
            root = getattr(channel, "media_root", ".")
            if channel.served_path(path) is None:  # type: ignore[attr-defined]
                yield Finding(
                    Severity.ERROR,
                    "media-not-served",
                    f"{name}: '{path}' is outside media_root '{root}', so {base} does not serve it",
                    file=post.file,
                    line=line,
                    key=shown,
                    hint=f"move it below {root}/, or change channels.{name}.media_root",
                    channel=name,
                )
                continue
            git = _git(project.root)
            if git is None:
                continue  # not a git repository: what is deployed cannot be told
            top, tracked = git
            try:
                relative = (project.root / path).resolve().relative_to(top).as_posix()
            except ValueError:
                continue
            if relative not in tracked:
                yield Finding(
                    Severity.ERROR,
                    "media-not-served",
                    f"{name}: '{path}' is not in git, so a deploy of the repository would not"
                    f" serve it at {base}",
                    file=post.file,
                    line=line,
                    key=shown,
                    hint="git add it (and check that .gitignore does not leave it out)",
                    channel=name,
                )
