"""Optional per-channel Jinja2 templates, in a sandbox.

A channel with ``template: NAME`` renders its text with ``templates/NAME``.
The post's text is passed in as data (``text``), never compiled as template
code, and the sandbox keeps templates from reaching Python internals.
Variables: ``text`` (the body in the channel's dialect, mentions written),
``link`` (UTM-tagged, or None), ``hashtags`` (``["#tag", ...]``), ``post``
(id, title, tags, campaign, language, sponsored, publish_at), ``channel``,
``network``. With a template smmgen appends nothing itself.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

TEMPLATES_DIR = "templates"


class TemplateProblem(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


@lru_cache(maxsize=32)
def _environment(directory: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(directory),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(root: Path, name: str, context: dict[str, Any]) -> str:
    """The template's output, or TemplateProblem naming what went wrong."""
    env = _environment((root / TEMPLATES_DIR).resolve())
    try:
        return env.get_template(name).render(**context).strip()
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"template syntax error: {exc.message}", exc.lineno) from None
    except TemplateError as exc:
        raise TemplateProblem(f"template failed: {exc}", None) from None
