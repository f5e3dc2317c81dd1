"""Nothing smmgen posts to LinkedIn is ever cut: texts full of little text's reserved
characters, and Hebrew, Persian, Bulgarian and Polish posts, are read back from
the strict server (which parses the commentary with its own little-text reader
and cuts it at the first unescaped reserved character, as LinkedIn does) exactly
as smmgen renders them for a network that needs no escaping (Mastodon's plain text)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import smmgen
from smmgen.adapt.variants import build_variant
from smmgen.networks.linkedin import linkedin_visible_text
from smmgen.networks.linkedin.driver import LinkedInDriver
from smmgen.publish.driver import Context, part_key
from smmgen.publish.http import Http
from tests.i18n_strategies import SCRIPTS, mixed_text, sentences
from tests.servers.linkedin import ENV, RESERVED, LinkedInServer, channel_yaml

RESERVED_HEAVY = st.text(
    alphabet=st.sampled_from(sorted(RESERVED) + list("ab Zż1.,:-'\"\n") + ["ש", "ک", "я"]),
    min_size=1,
    max_size=120,
)
LINKS = st.sampled_from(
    (
        "[the notes](https://example.com/a_b?c=1#x)",
        "see <https://example.com/(x)>",
        "**bold** _it_ ~~gone~~ `code_x`",
        "> quoted (a) #tag",
    )
)
TEXTS = st.one_of(
    RESERVED_HEAVY,
    st.tuples(LINKS, RESERVED_HEAVY).map(" ".join),
    mixed_text(),
    st.sampled_from(SCRIPTS).flatmap(lambda s: sentences(s, 1, 3)),
    st.tuples(mixed_text(6), RESERVED_HEAVY).map(" ".join),
)


@pytest.fixture(scope="module")
def server() -> Iterator[LinkedInServer]:
    with LinkedInServer() as running:
        yield running
        assert running.errors == []


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, server: LinkedInServer) -> Path:
    root = tmp_path_factory.mktemp("linkedin-text")
    config = {
        "channels": {
            "org": channel_yaml(server),
            "plain": {"type": "mastodon", "instance": server.url, "token_env": "UNUSED"},
        }
    }
    (root / "channels.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (root / "content").mkdir()
    return root


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXTS)
def test_linkedin_never_cuts_what_smmgen_posts(
    server: LinkedInServer, root: Path, text: str
) -> None:
    front = {"id": "p", "publish_at": "2026-12-01 09:00", "thread": False}
    post = f"---\n{yaml.safe_dump(front)}---\n{text}\n"
    (root / "content" / "p.md").write_text(post, encoding="utf-8")
    project = smmgen.load(root)
    assume(not any(f.is_error for f in project.findings))
    variant = build_variant(project, project.posts[0], "org")
    plain = build_variant(project, project.posts[0], "plain")
    assume(variant.text.strip() and not any(f.is_error for f in variant.findings))
    context = Context("org", project.channels["org"], project, Http(), dict(ENV))
    driver = LinkedInDriver(context)
    try:
        remote = driver.publish(variant, 0, key=part_key("p", "org", 0), thread=[])
    finally:
        driver.close()
    assert [t for t in server.truncated if t["urn"] == remote.id] == []
    shown = server.posts[remote.id]["visible"]
    # what the reader sees: the text as a network without escaping renders it,
    # and what smmgen counts for LinkedIn
    assert shown == plain.text
    assert shown == linkedin_visible_text(variant.text)
