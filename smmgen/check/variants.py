"""Every variant against its network's limits: what the network would refuse
at publish time is an error before merge."""

from __future__ import annotations

from collections.abc import Iterator

from smmgen.adapt.variants import variant_findings
from smmgen.check.rules import post_rule
from smmgen.findings import Finding
from smmgen.loader.posts import Post
from smmgen.project import Project


@post_rule
def variants_fit(project: Project, post: Post) -> Iterator[Finding]:
    yield from variant_findings(project, post)
