"""The rules ``smmgen check`` runs, kept in one registry.

There are three kinds, and ``check`` runs every rule only from here:

- a post rule looks at one post and yields findings;
- a project rule looks at the project as a whole (its configuration, templates
  and workflows);
- a rule across posts sees every post of the project. It runs in two steps, so
  that the posts can be loaded on every core and a second run can reuse what
  did not change: ``gather`` takes what the rule needs from one post (plain JSON
  values, kept in check's cache with the post's other results), and ``judge``
  sees what was gathered from every post file, by file, with the
  :class:`Clock` (``now`` and the calendar's times) to judge it at.

Registering a rule is importing its module: :func:`load_rules` imports all of
them. The modules of rules across posts stay light (no pydantic, Markdown or
templates), as a second ``check`` that finds nothing changed judges them
without loading any post.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smmgen.findings import Finding
    from smmgen.loader.posts import Post
    from smmgen.project import Project

PostRule = Callable[["Project", "Post"], Iterable["Finding"]]
ProjectRule = Callable[["Project"], Iterable["Finding"]]
Gather = Callable[["Project", "Post"], Any]  # returns JSON values only: they are cached


@dataclass(frozen=True)
class Clock:
    """What rules across posts judge at: the reference time and the calendar's times."""

    now: datetime
    tz: tzinfo
    min_gap: timedelta
    max_lateness: timedelta


Judge = Callable[[Clock, Mapping[str, Any]], Iterable["Finding"]]


@dataclass(frozen=True)
class AcrossRule:
    """A rule across posts: ``gather`` per post, then ``judge`` on all of it."""

    name: str  # the key of what it gathers, in check's cache
    gather: Gather
    judge: Judge


POST_RULES: list[PostRule] = []
PROJECT_RULES: list[ProjectRule] = []
ACROSS_RULES: list[AcrossRule] = []

# The modules that register rules: each adds its rules when imported.
RULE_MODULES = (
    "smmgen.check.files",
    "smmgen.check.pins",
    "smmgen.check.policy",
    "smmgen.check.served",
    "smmgen.check.timing",
    "smmgen.check.variants",
    "smmgen.networks.linkedin.checks",
)
# The light modules that register the rules across posts (a subset of RULE_MODULES
# plus these): enough to judge a project from check's cache.
ACROSS_MODULES = ("smmgen.check.schedule", "smmgen.check.budget")


def post_rule(rule: PostRule) -> PostRule:
    POST_RULES.append(rule)
    return rule


def project_rule(rule: ProjectRule) -> ProjectRule:
    PROJECT_RULES.append(rule)
    return rule


def across_posts(name: str, gather: Gather) -> Callable[[Judge], Judge]:
    """Register ``judge`` as a rule across posts that ``gather`` feeds."""

    def register(judge: Judge) -> Judge:
        if any(rule.name == name for rule in ACROSS_RULES):
            raise ValueError(f"a rule across posts named {name!r} is already registered")
        ACROSS_RULES.append(AcrossRule(name, gather, judge))
        return judge

    return register


def load_across_rules() -> list[AcrossRule]:
    """Every rule across posts (importing only their light modules)."""
    for module in ACROSS_MODULES:
        importlib.import_module(module)
    return ACROSS_RULES


_loaded = False  # every rule module imported (check asks once per post)


def load_rules() -> None:
    """Register every rule."""
    global _loaded
    if _loaded:
        return
    for module in (*RULE_MODULES, *ACROSS_MODULES):
        importlib.import_module(module)
    _loaded = True
