"""``smmgen build``: every variant as JSON, and a static preview page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from smmgen.adapt.variants import SCHEMA_VERSION, Variant, build_variants
from smmgen.errors import UsageError
from smmgen.loader.posts import Post, Progress
from smmgen.loading import load_project
from smmgen.project import Project
from smmgen.site import static
from smmgen.site.pages import Pages
from smmgen.site.state import SiteState

DEFAULT_OUT = "_site"


@dataclass
class BuildResult:
    out: Path
    posts: int
    variants: int
    with_errors: int
    unloaded: list[str]  # post files that could not be loaded, so have no variants


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def build(
    root: Path | None, out: Path | None = None, progress: Progress | None = None
) -> BuildResult:
    project = load_project(root, strict=True)
    target = (out or project.root / DEFAULT_OUT).resolve()
    if target == project.root or project.root.is_relative_to(target):
        raise UsageError(f"--out {target} would overwrite the project; choose an empty directory")
    built: list[tuple[Post, list[Variant]]] = []
    index = []
    total = len(project.posts)
    for count, post in enumerate(project.posts, 1):
        variants = build_variants(project, post)
        built.append((post, variants))
        for variant in variants:
            relative = f"variants/{post.id}/{variant.channel}.json"
            _write_json(target / relative, variant.as_dict())
            index.append(
                {
                    "post": post.id,
                    "channel": variant.channel,
                    "publish_at": variant.as_dict()["publish_at_utc"],
                    "length": variant.length,
                    "limit": variant.limit,
                    "parts": len(variant.parts),
                    "errors": sum(1 for f in variant.findings if f.is_error),
                    "path": relative,
                }
            )
        if progress is not None:
            progress(count, total)
    _write_json(target / "variants.json", {"schema_version": SCHEMA_VERSION, "variants": index})
    _write_site(target, project, built)
    return BuildResult(
        out=target,
        posts=len(built),
        variants=len(index),
        with_errors=sum(1 for entry in index if entry["errors"]),
        unloaded=sorted(
            {f.file for f in project.findings if f.is_error and f.file and f.file.endswith(".md")}
        ),
    )


def _write_site(target: Path, project: Project, built: list[tuple[Post, list[Variant]]]) -> None:
    """The preview pages `serve` shows, as a static site (:mod:`smmgen.site.static`)."""
    state = SiteState(project.root, project=project, ledger=False)
    pages = Pages(state)
    for post, variants in built:
        static.write_post(target, pages, post, variants)
    static.write_overview(target, pages)
    static.write_assets(target)
    static.copy_media(target, state)
