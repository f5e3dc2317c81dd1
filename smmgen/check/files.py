"""Rules about files: media that must exist inside the repository and be what their
names say (judged by their bytes, smmgen.media), and templates."""

from __future__ import annotations

from collections.abc import Iterator

from smmgen.check.policy import media_items
from smmgen.check.rules import post_rule, project_rule
from smmgen.findings import Finding, Severity, format_key
from smmgen.loader.files import TEMPLATES_DIR
from smmgen.loader.media import listing, media_probe, media_problem
from smmgen.loader.posts import Post
from smmgen.media import EXTENSIONS
from smmgen.project import Project
from smmgen.suggest import closest


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
            continue
        probe = media_probe(project.root, item.path)
        said = probe.named_as(item.path) if probe else None
        if probe and probe.format and said:
            right = EXTENSIONS.get(probe.format, (None,))[0]
            yield Finding(
                Severity.ERROR,
                "media-mismatch",
                f"'{item.path}' is a {probe.format.upper()} file, not the {said.upper()}"
                " its name says",
                file=post.file,
                line=post.line_of((*path, "path")),
                key=format_key((*path, "path")),
                hint=(
                    f"rename it to .{right}, or convert it: networks go by its bytes"
                    if right
                    else "convert it: networks go by its bytes"
                ),
            )


DIR = f"{TEMPLATES_DIR}/"


@project_rule
def templates_exist(project: Project) -> Iterator[Finding]:
    """Each channel's template, and every template it reaches, is there, parses and
    reads only regular files inside templates/ (see smmgen.adapt.templates)."""
    templated = [(n, c) for n, c in project.channels.items() if c.template is not None]
    if not templated:
        return
    from smmgen.adapt.templates import template_problems  # Jinja2: only with a template

    doc = project.config.files["channels.yaml"].doc
    for name, channel in templated:
        assert channel.template is not None
        key = ("channels", name, "template")
        line = doc.line_of(key) if doc else None
        for issue in template_problems(project.root, channel.template):
            if issue.kind == "missing":
                code = "missing-template"
                message = f"template '{channel.template}' not found in {TEMPLATES_DIR}/"
                guess = closest(channel.template, listing(project.root / TEMPLATES_DIR))
                hint = f"did you mean '{guess}'?" if guess else f"names are relative to {DIR}"
            elif issue.kind == "refused":
                code, message = "template-refused", f"{issue.where()}: {issue.message}"
                hint = (
                    f"a template reads only regular files inside {DIR}, by quoted relative"
                    " names; nothing of this channel is published until it does"
                )
            else:
                code, message = "template-error", f"{issue.where()}: {issue.message}"
                hint = "fix the template; nothing of this channel is published until it parses"
            yield Finding(
                Severity.ERROR,
                code,
                message,
                file="channels.yaml",
                line=line,
                key=format_key(key),
                hint=hint,
                channel=name,
            )
