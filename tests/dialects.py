"""The registered dialects by name, for tests that render Markdown in one."""

from __future__ import annotations

from smmgen import registry
from smmgen.adapt import markdown
from smmgen.channels.dialect import Dialect, MentionFn

DIALECTS: dict[str, Dialect] = {net.dialect.name: net.dialect for net in registry.networks()}


def render(text: str, dialect: str, mention: MentionFn) -> str:
    """``smmgen.adapt.markdown.render`` in the dialect called ``dialect``."""
    return markdown.render(text, DIALECTS[dialect], mention)
