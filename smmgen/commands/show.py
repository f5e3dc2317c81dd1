"""``smmgen show``: one post's variants exactly as they will be sent."""

from __future__ import annotations

from pathlib import Path

from smmgen.adapt.variants import Variant, build_variant
from smmgen.errors import UsageError
from smmgen.loader.posts import Post
from smmgen.loading import load_project
from smmgen.project import Project
from smmgen.suggest import did_you_mean, did_you_mean_any, one_of


def find_post(project: Project, wanted: str) -> Post:
    """A post by id, or by its file path (relative to here or to the project)."""
    post = project.post(wanted)
    if post is not None:
        return post
    candidates = {Path(wanted).resolve()}
    candidates.add((project.root / wanted).resolve())
    for post in project.posts:
        if (project.root / post.file).resolve() in candidates:
            return post
    broken = [f for f in project.findings if f.file and Path(wanted).name in f.file]
    if broken:
        raise UsageError(f"{wanted} cannot be loaded: run `smmgen check {wanted}` to see why")
    # the nearest ids: to the id, or to the file name's (an id is the file's name by default)
    word = Path(wanted).stem if wanted.endswith(".md") else wanted
    hint = did_you_mean_any(word, [p.id for p in project.posts]) or "give a post id or file path"
    raise UsageError(f"no post '{wanted}'; {hint}")


def show_post(
    root: Path | None, wanted: str, channel: str | None = None
) -> tuple[Post, list[Variant]]:
    project = load_project(root, strict=True)
    post = find_post(project, wanted)
    if channel is not None:
        if channel not in project.channels:
            hint = (
                did_you_mean(channel, project.channels)
                or f"channels are {one_of(project.channels)}"
            )
            raise UsageError(f"--channel: unknown channel '{channel}'; {hint}")
        if channel not in post.channels:
            raise UsageError(
                f"post '{post.id}' does not go to {channel}; its channels are"
                f" {one_of(post.channels)}"
            )
        names = [channel]
    else:
        names = [c for c in post.channels if project.channels[c].enabled]
    return post, [build_variant(project, post, name) for name in names]
