"""The rules ``smmgen check`` runs, kept in one registry.

A post rule looks at one post and yields findings; a project rule looks at the
whole project. Later stages (per-channel variants and their limits, the
calendar) add their rules here the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from smmgen.findings import Finding
from smmgen.loader.posts import Post
from smmgen.project import Project

PostRule = Callable[[Project, Post], Iterable[Finding]]
ProjectRule = Callable[[Project], Iterable[Finding]]

POST_RULES: list[PostRule] = []
PROJECT_RULES: list[ProjectRule] = []


def post_rule(rule: PostRule) -> PostRule:
    POST_RULES.append(rule)
    return rule


def project_rule(rule: ProjectRule) -> ProjectRule:
    PROJECT_RULES.append(rule)
    return rule
