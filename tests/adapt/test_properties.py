"""Properties that must hold for every post (hypothesis).

- On networks with threads and ``thread: auto``, every part fits its limit.
- Splitting keeps every word, in order.
- ``check``'s shortcuts (``findings_only``) find exactly what a full build finds.
- The length bound behind those shortcuts never undercounts.
"""

from __future__ import annotations

import re
import tempfile
import textwrap
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smmgen.adapt import markdown
from smmgen.adapt.mentions import Mentions
from smmgen.adapt.variants import (
    _measure,
    build_variant,
    build_variants,
    text_bound,
    variant_findings,
)
from smmgen.loader.config import load_config
from smmgen.loader.posts import Post
from smmgen.models.post import FrontMatter
from smmgen.project import Project
from smmgen.registry import network

CHANNELS = textwrap.dedent(
    """\
    defaults: {channels: all, utm: {utm_source: "{channel}", utm_campaign: "{campaign}"}}
    channels:
      mastodon: {type: mastodon, instance: https://m.example, token_env: T}
      bluesky: {type: bluesky, handle: a.example.com, password_env: T}
      x: {type: x, api_key_env: A, api_secret_env: B, access_token_env: C,
          access_token_secret_env: D}
      threads: {type: threads, token_env: T}
      linkedin: {type: linkedin, author: "urn:li:organization:1", token_env: T}
      facebook: {type: facebook, page_id: "1", token_env: T}
      telegram: {type: telegram, chat_id: "@c", token_env: T}
      discord: {type: discord, webhook_url_env: T}
      slack: {type: slack, webhook_url_env: T}
      small: {type: telegram, chat_id: "@c", token_env: T, limits: {max_chars: 120}}
      tiny: {type: mastodon, instance: https://m.example, token_env: T, limits: {max_chars: 30}}
    people:
      alice: {mastodon: "@alice@fosstodon.example", bluesky: "@alice.example.com",
              x: "@alice_x", linkedin: "Alice Example (urn:li:person:abc)"}
    """
)
ROOT = Path(tempfile.mkdtemp(prefix="smmgen-properties-"))
(ROOT / "channels.yaml").write_text(CHANNELS, encoding="utf-8")
CONFIG = load_config(ROOT)
assert not CONFIG.findings, CONFIG.findings
PROJECT = Project(root=ROOT, config=CONFIG, posts=[])
NAMES = sorted(CONFIG.channels)
THREADED = [n for n in NAMES if network(CONFIG.channels[n].type).threads]  # type: ignore[attr-defined]
# "tiny" is too small for some links and tags: its findings, not its fit, are tested
ROOMY = [n for n in THREADED if n != "tiny"]

FRAGMENT_LIST = [
    "word", "Lumen", "observability", "naïve", "Straße", "数据库", "観測", "مرحبا", "שלום",
    "😀", "👩‍💻", "🇩🇪", "👍🏽", "e\u0301", "https://example.com/blog/2026/v2-launch",
    "example.org", "http://x.co", "@alice", "@bob", "@alice@elsewhere.social", "#release",
    "#日本", "**bold**", "_it_", "`code`", "[docs](https://docs.example.com/a/b)",
    "<https://auto.example>", "a & b", "<tag>", "|", "*", "~", "\\", ".", "!", "?", ",",
    "\n", "\n\n", "\n- item", "\n1. first", "\n> quoted", "\n# Heading", "\t",
]  # fmt: skip
FRAGMENTS = st.sampled_from(FRAGMENT_LIST)
TEXTS = st.lists(FRAGMENTS, min_size=1, max_size=160).map(" ".join)


def make_post(body: str, **front: object) -> Post:
    return Post(
        id="p",
        file="content/p.md",
        front=FrontMatter.model_validate(front),
        body=body,
        body_line=5,
        lines={},
        channels=NAMES,
        publish_at=None,
    )


POSTS = st.builds(
    lambda body, link, tags: make_post(body, link=link, tags=tags),
    TEXTS,
    st.sampled_from([None, "https://lumen.example.com/blog/a-rather-long-article-path"]),
    st.lists(st.sampled_from(["release", "v2", "OpenSource", "日本"]), max_size=3, unique=True),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(POSTS)
def test_every_part_fits_on_networks_with_threads(post: Post) -> None:
    for name in ROOMY:
        variant = build_variant(PROJECT, post, name)
        assert variant.parts
        for part in variant.parts:
            assert part.length <= variant.limit, (name, part.text)
        assert not [f for f in variant.findings if f.code == "too-long"]


@SETTINGS
@given(POSTS)
# a space and a tab indent a line as four spaces do: a code block, no mention in it
@example(make_post("#release \n\n \t @alice", link=None, tags=[]))
def test_findings_only_finds_the_same(post: Post) -> None:
    for name in NAMES:
        full = build_variant(PROJECT, post, name)
        quick = build_variant(PROJECT, post, name, findings_only=True)
        assert quick.findings == full.findings, name
    everything = [f for v in build_variants(PROJECT, post) for f in v.findings]
    assert variant_findings(PROJECT, post) == everything


@SETTINGS
@given(TEXTS)
def test_length_bound_never_undercounts(source: str) -> None:
    for name in NAMES:
        if name in THREADED and name not in ("mastodon", "bluesky", "tiny"):
            continue
        net = network(CONFIG.channels[name].type)  # type: ignore[attr-defined]
        mentions = Mentions(CONFIG.people, name, net)
        rendered = markdown.render(source, net.dialect, mentions)
        written = [mentions(n) or "@" + n for n in markdown.MENTION.findall(source)]
        bound = text_bound(source, written)
        if net.url_length:
            bound += net.url_length * source.count("://")
        assert _measure(rendered, net) <= bound, (name, rendered)


def _words(text: str) -> list[str]:
    """Words, without part numbers, links and hashtags (which move to part 1)."""
    skip = re.compile(r"^\d+/\d+$|://|\.\.\.|^#|\.[a-z]{2,}")
    return [w for w in text.split() if not skip.search(w)]


@SETTINGS
@given(TEXTS)
def test_auto_threads_keep_every_word_in_order(body: str) -> None:
    for name in ("x", "bluesky", "mastodon"):
        split = build_variant(PROJECT, make_post(body), name)
        whole = build_variant(PROJECT, make_post(body, thread=False), name)
        assert len(whole.parts) == 1
        got = [w for p in split.parts for w in _words(p.text)]
        assert got == _words(whole.text), name
