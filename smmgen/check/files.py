"""Rules about files: media that must exist inside the repository, and templates."""

from __future__ import annotations

from collections.abc import Iterator

from smmgen.check.policy import media_items
from smmgen.check.rules import post_rule, project_rule
from smmgen.findings import Finding, Severity, format_key
from smmgen.loader.media import listing, media_problem
from smmgen.loader.posts import Post
from smmgen.project import Project
from smmgen.suggest import closest

TEMPLATES_DIR = "templates"


@post_rule
def media_files(project: Project, post: Post) -> Iterator[Finding]:
    for path, item in media_items(post):
        problem = media_problem(project.root, item.path)
        if problem:
            message, hint = problem
            yield Finding(
                Severity.ERROR,
                "bad-media-path",
                message,
                file=post.file,
                line=post.line_of((*path, "path")),
                key=format_key((*path, "path")),
                hint=hint,
            )


@project_rule
def templates_exist(project: Project) -> Iterator[Finding]:
    doc = project.config.files["channels.yaml"].doc
    for name, channel in project.channels.items():
        if channel.template is None:
            continue
        templates = (project.root / TEMPLATES_DIR).resolve()
        target = (templates / channel.template).resolve()
        if target.is_relative_to(templates) and target.is_file():
            continue
        guess = closest(channel.template, listing(project.root / TEMPLATES_DIR))
        hint = f"did you mean '{guess}'?" if guess else f"names are relative to {TEMPLATES_DIR}/"
        key = ("channels", name, "template")
        yield Finding(
            Severity.ERROR,
            "missing-template",
            f"template '{channel.template}' not found in {TEMPLATES_DIR}/",
            file="channels.yaml",
            line=doc.line_of(key) if doc else None,
            key=format_key(key),
            hint=hint,
        )
