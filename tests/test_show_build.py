"""`smmgen show` and `smmgen build` (SPEC §5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from click.testing import Result

from tests.conftest import GOOD_POST, REPO, MakeProject, image_bytes

Run = Callable[..., Result]

OTHER_POST = """\
---
id: other
title: Other
channels: [mastodon, bluesky, linkedin, feed]
publish_at: 2026-12-02 12:30
link: https://example.com/other
media:
  - path: media/chart.png
    alt: A chart
---
Other **news** & more.
"""

DRAFT_POST = """\
---
id: later
draft: true
---
Not yet.
"""

VARIANT_KEYS = {
    "post",
    "channel",
    "network",
    "text",
    "parts",
    "link",
    "hashtags",
    "publish_at",
    "publish_at_utc",
    "warnings",
}


def posts_project(make_project: MakeProject) -> Path:
    return make_project(
        posts={"hello.md": GOOD_POST, "news/other.md": OTHER_POST, "later.md": DRAFT_POST},
        media=["media/chart.png"],
    )


def show(run: Run, root: Path, *args: Any) -> Result:
    return run("--root", root, "show", *args)


# -- show -----------------------------------------------------------------------------


def test_show_by_id_prints_every_variant(make_project: MakeProject, run: Run) -> None:
    root = posts_project(make_project)
    result = show(run, root, "2026-12-01-hello")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "2026-12-01-hello · content/hello.md\n"
        "\n"
        "── mastodon (mastodon) · 2026-12-01 09:00 CET (08:00 UTC) · 34/500\n"
        "Hello @alice@example.social, v2 is out.\n"
        "\n"
        "#release\n"
        "\n"
        "── bluesky (bluesky) · 2026-12-01 09:00 CET (08:00 UTC) · 46/300\n"
        "Hello @alice.example.com, v2 is out.\n"
        "\n"
        "#release\n"
    )


def test_show_by_file_path_is_the_same_as_by_id(make_project: MakeProject, run: Run) -> None:
    root = posts_project(make_project)
    by_id = show(run, root, "other").stdout
    assert by_id.startswith("other · content/news/other.md\n")
    assert show(run, root, "content/news/other.md").stdout == by_id
    assert show(run, root, root / "content" / "news" / "other.md").stdout == by_id


def test_show_prints_media_with_alt_text(make_project: MakeProject, run: Run) -> None:
    root = posts_project(make_project)
    lines = show(run, root, "other", "--channel", "mastodon").stdout.splitlines()
    assert "[media] media/chart.png (0 KB) · alt: A chart" in lines


def test_show_channel_narrows_to_one_variant(make_project: MakeProject, run: Run) -> None:
    root = posts_project(make_project)
    result = show(run, root, "2026-12-01-hello", "--channel", "bluesky")
    assert result.exit_code == 0
    assert result.stdout == (
        "2026-12-01-hello · content/hello.md\n"
        "\n"
        "── bluesky (bluesky) · 2026-12-01 09:00 CET (08:00 UTC) · 46/300\n"
        "Hello @alice.example.com, v2 is out.\n"
        "\n"
        "#release\n"
    )
    document = json.loads(
        show(run, root, "other", "--channel", "linkedin", "--format", "json").stdout
    )
    assert [v["channel"] for v in document["variants"]] == ["linkedin"]


def test_show_unknown_channel_is_a_usage_error_with_a_suggestion(
    make_project: MakeProject, run: Run
) -> None:
    root = posts_project(make_project)
    result = show(run, root, "2026-12-01-hello", "--channel", "blusky")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: --channel: unknown channel 'blusky'; did you mean 'bluesky'?\n"

    result = show(run, root, "2026-12-01-hello", "--channel", "zzz")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --channel: unknown channel 'zzz'; channels are 'bluesky', 'feed', 'linkedin'"
        " or 'mastodon'\n"
    )


def test_show_a_channel_the_post_does_not_go_to(make_project: MakeProject, run: Run) -> None:
    root = posts_project(make_project)
    result = show(run, root, "2026-12-01-hello", "--channel", "linkedin")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: post '2026-12-01-hello' does not go to linkedin;")


def test_show_unknown_post_is_a_usage_error_with_a_suggestion(
    make_project: MakeProject, run: Run
) -> None:
    root = posts_project(make_project)
    result = show(run, root, "2026-12-01-helo")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: no post '2026-12-01-helo'; did you mean '2026-12-01-hello'?\n"

    result = show(run, root, "zzzzzzzzzz")
    assert result.exit_code == 2
    assert result.stderr == "error: no post 'zzzzzzzzzz'; give a post id or file path\n"


def test_show_json_document(make_project: MakeProject, run: Run) -> None:
    root = posts_project(make_project)
    result = show(run, root, "other", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["post"] == "other"
    assert document["file"] == "content/news/other.md"
    variants = {v["channel"]: v for v in document["variants"]}
    assert list(variants) == ["mastodon", "bluesky", "linkedin", "feed"]
    for variant in variants.values():
        assert set(variant) >= VARIANT_KEYS, VARIANT_KEYS - set(variant)
        assert variant["post"] == "other"
        assert variant["publish_at"] == "2026-12-02T12:30:00+01:00"
        assert variant["publish_at_utc"] == "2026-12-02T11:30:00+00:00"
        assert variant["warnings"] == []
        for part in variant["parts"]:
            assert {"text", "length", "limit", "media"} <= set(part)
        assert variant["parts"][0]["media"] == [
            {
                "path": "media/chart.png",
                "alt": "A chart",
                "bytes": len(image_bytes("chart.png")),
                "format": "png",
            }
        ]

    mastodon = variants["mastodon"]
    link = "https://example.com/other?utm_source=mastodon&utm_medium=social"
    assert (mastodon["network"], mastodon["link"], mastodon["hashtags"]) == ("mastodon", link, [])
    assert mastodon["text"] == f"Other news & more.\n\n{link}"
    assert [(p["text"], p["length"], p["limit"]) for p in mastodon["parts"]] == [
        (mastodon["text"], len("Other news & more.\n\n") + 23, 500)
    ]
    assert variants["linkedin"]["network"] == "linkedin"
    assert variants["feed"]["text"] == "<p>Other <strong>news</strong> &amp; more.</p>"
    assert variants["feed"]["parts"][0]["limit"] is None


def test_show_json_of_an_unscheduled_post(make_project: MakeProject, run: Run) -> None:
    root = posts_project(make_project)
    document = json.loads(show(run, root, "later", "--format", "json").stdout)
    for variant in document["variants"]:
        assert variant["publish_at"] is None
        assert variant["publish_at_utc"] is None
        assert variant["draft"] is True


# -- build ----------------------------------------------------------------------------


class Cards(HTMLParser):
    """The variant cards of the site's post pages: (post id, channel, part texts)."""

    def __init__(self, post: str = "") -> None:
        super().__init__()
        self.cards: list[tuple[str, str, list[str]]] = []
        self.post = post
        self.part: list[str] | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "article" and "card" in classes:
            self.cards.append((self.post, attributes.get("data-channel") or "", []))
        elif tag == "div" and "data-text" in attributes:
            self.part, self.depth = [], 0
        elif tag == "div" and self.part is not None:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.part is not None:
            if self.depth:
                self.depth -= 1
                return
            self.cards[-1][2].append("".join(self.part))
            self.part = None

    def handle_data(self, data: str) -> None:
        if self.part is not None:
            self.part.append(data)


def site_cards(out: Path) -> list[tuple[str, str, list[str]]]:
    """Every card of every post page the static site has."""
    cards = []
    for page in sorted((out / "posts").glob("*/index.html")):
        parser = Cards(page.parent.name)
        parser.feed(page.read_text("utf-8"))
        cards.extend(parser.cards)
    return cards


def test_build_writes_every_variant_an_index_and_a_preview(
    make_project: MakeProject, run: Run, tmp_path: Path
) -> None:
    root = posts_project(make_project)
    out = tmp_path / "site"
    result = run("--root", root, "build", "--out", out)
    assert result.exit_code == 0, result.output
    expected = {
        ("2026-12-01-hello", "mastodon"),
        ("2026-12-01-hello", "bluesky"),
        ("other", "mastodon"),
        ("other", "bluesky"),
        ("other", "linkedin"),
        ("other", "feed"),
        ("later", "mastodon"),
        ("later", "bluesky"),
    }
    assert result.stdout == f"wrote 8 variants of 3 posts to {out.as_posix()}\n"
    written = {(p.parent.name, p.stem) for p in (out / "variants").rglob("*.json")}
    assert written == expected

    for post, channel in expected:
        data = json.loads((out / "variants" / post / f"{channel}.json").read_text("utf-8"))
        assert data["schema_version"] == 1
        assert (data["post"], data["channel"]) == (post, channel)
        shown = json.loads(
            run("--root", root, "show", post, "--channel", channel, "--format", "json").stdout
        )
        assert data == shown["variants"][0]  # build writes what show prints

    index = json.loads((out / "variants.json").read_text("utf-8"))
    assert index["schema_version"] == 1
    assert {(e["post"], e["channel"]) for e in index["variants"]} == expected
    for entry in index["variants"]:
        assert entry["path"] == f"variants/{entry['post']}/{entry['channel']}.json"
        assert (out / entry["path"]).is_file()
        assert entry["errors"] == 0

    found = site_cards(out)
    assert sorted((post, channel) for post, channel, _ in found) == sorted(expected)
    cards = {(post, channel): parts for post, channel, parts in found}
    for post, channel in expected:
        data = json.loads((out / "variants" / post / f"{channel}.json").read_text("utf-8"))
        if channel == "feed":  # the feed's HTML is shown rendered
            assert cards[post, channel] == ["Other news & more."]
        else:
            assert cards[post, channel] == [p["text"] for p in data["parts"]]


def test_build_preview_escapes_post_text(
    make_project: MakeProject, run: Run, tmp_path: Path
) -> None:
    body = "---\nid: p\nchannels: [mastodon]\n---\nA <script>alert(1)</script> & co.\n"
    root = make_project(posts={"p.md": body})
    out = tmp_path / "site"
    assert run("--root", root, "build", "--out", out).exit_code == 0
    page = (out / "posts" / "p" / "index.html").read_text("utf-8")
    assert "<script>" not in page.replace('<script src="../../assets/site.js" defer></script>', "")
    assert site_cards(out) == [("p", "mastodon", ["A <script>alert(1)</script> & co."])]


def test_build_skips_disabled_channels(make_project: MakeProject, run: Run, tmp_path: Path) -> None:
    from tests.conftest import CHANNELS_YAML

    channels = CHANNELS_YAML.replace(
        "    password_env: SMMGEN_BLUESKY_APP_PASSWORD\n",
        "    password_env: SMMGEN_BLUESKY_APP_PASSWORD\n    enabled: false\n",
    )
    assert channels != CHANNELS_YAML
    root = make_project(channels=channels)
    out = tmp_path / "site"
    assert run("--root", root, "build", "--out", out).exit_code == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")) == [
        "variants.json",
        "variants/2026-12-01-hello/mastodon.json",
    ]


def test_build_refuses_to_write_into_the_project_root(make_project: MakeProject, run: Run) -> None:
    root = posts_project(make_project)
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    for out in (root, root.parent):
        result = run("--root", root, "build", "--out", out)
        assert result.exit_code == 2
        assert result.stderr == (
            f"error: --out {out.resolve()} would overwrite the project; choose an empty directory\n"
        )
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before


def test_build_reports_variants_with_errors(
    make_project: MakeProject, run: Run, tmp_path: Path
) -> None:
    body = "---\nid: long\nthread: false\n---\n" + "word " * 120 + "\n"
    root = make_project(posts={"long.md": body, "hello.md": GOOD_POST})
    out = tmp_path / "site"
    result = run("--root", root, "build", "--out", out)
    assert result.exit_code == 0
    assert result.stdout == f"wrote 4 variants of 2 posts to {out.as_posix()}\n"
    assert result.stderr == (
        "2 variants have problems a network would refuse: run `smmgen check`\n"
    )
    index = json.loads((out / "variants.json").read_text("utf-8"))["variants"]
    entries = {(e["post"], e["channel"]): e for e in index}
    assert {key: (e["errors"], e["length"], e["limit"]) for key, e in entries.items()} == {
        ("long", "mastodon"): (1, 599, 500),
        ("long", "bluesky"): (1, 599, 300),
        ("2026-12-01-hello", "mastodon"): (0, 34, 500),
        ("2026-12-01-hello", "bluesky"): (0, 46, 300),
    }


def test_build_summary_is_not_pluralised(
    make_project: MakeProject, run: Run, tmp_path: Path
) -> None:
    """Regression: `build` once said "wrote 1 variants of 1 posts"."""
    body = "---\nid: long\nchannels: [bluesky]\nthread: false\n---\n" + "word " * 100 + "\n"
    root = make_project(posts={"long.md": body})
    out = tmp_path / "site"
    result = run("--root", root, "build", "--out", out)
    assert result.stdout == f"wrote 1 variant of 1 post to {out.as_posix()}\n"
    assert result.stderr == "1 variant has problems a network would refuse: run `smmgen check`\n"


def test_build_of_the_example_content_matches_the_golden_files(run: Run, tmp_path: Path) -> None:
    repository = Path(__file__).parents[1]
    assert repository == REPO
    golden = repository / "tests" / "golden" / "variants"
    out = tmp_path / "site"
    result = run("--root", repository, "build", "--out", out)
    assert result.exit_code == 0, result.output
    written = sorted(
        p.relative_to(out / "variants").as_posix() for p in (out / "variants").rglob("*.json")
    )
    expected = sorted(p.relative_to(golden).as_posix() for p in golden.rglob("*.json"))
    assert len(written) == len(expected)
    assert written == expected
    assert result.stdout.startswith(f"wrote {len(expected)} variants of ")
