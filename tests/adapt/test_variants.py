"""Variants through the CLI: each network's limits, counting, dialect, threads,
media, mentions, links and hashtags, as `check` reports them and `show` prints
them (SPEC §2, §3, §5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import MakeProject, image_bytes

Run = Callable[..., Result]

# Every channel type with its required keys, one channel of each named after its type.
CHANNEL_KEYS = {
    "mastodon": "type: mastodon\ninstance: https://mastodon.example\ntoken_env: MASTODON_TOKEN",
    "bluesky": "type: bluesky\nhandle: example.bsky.social\npassword_env: BLUESKY_PASSWORD",
    "x": (
        "type: x\napi_key_env: X_KEY\napi_secret_env: X_SECRET\n"
        "access_token_env: X_TOKEN\naccess_token_secret_env: X_TOKEN_SECRET"
    ),
    "linkedin": "type: linkedin\nauthor: urn:li:organization:1\ntoken_env: LINKEDIN_TOKEN",
    "threads": "type: threads\ntoken_env: THREADS_TOKEN",
    "facebook": 'type: facebook\npage_id: "123"\ntoken_env: FACEBOOK_TOKEN',
    "telegram": 'type: telegram\nchat_id: "@example"\ntoken_env: TELEGRAM_TOKEN',
    "discord": "type: discord\nwebhook_url_env: DISCORD_WEBHOOK_URL",
    "slack": "type: slack\nwebhook_url_env: SLACK_WEBHOOK_URL",
    "webhook": "type: webhook\nurl: https://hooks.example/in",
    "feed": "type: feed",
}

PEOPLE = """\
people:
  alice:
    mastodon: "@alice@example.social"
    bluesky: "@alice.example.com"
    x: "@alice_x"
    linkedin: "Alice Example (urn:li:person:abc)"
  bob: {mastodon: "@bob@example.social"}
"""


def channels_yaml(extra: dict[str, str] | None = None, *, people: str = PEOPLE) -> str:
    """channels.yaml with one channel of every type; ``extra`` adds YAML lines
    to a channel, or defines a new one (``{"toots": "type: mastodon ..."}``)."""
    extra = extra or {}
    lines = [
        "defaults:",
        "  channels: [mastodon]",
        '  utm: {utm_source: "{channel}", utm_medium: social, utm_campaign: "{campaign}"}',
        "channels:",
    ]
    for name in {**CHANNEL_KEYS, **extra}:
        lines.append(f"  {name}:")
        body = CHANNEL_KEYS.get(name, "") + "\n" + extra.get(name, "")
        lines += ["    " + line for line in body.splitlines() if line.strip()]
    return "\n".join(lines) + "\n" + people


def post(body: str, front: str = "") -> str:
    """A post with id ``p``; ``front`` is more front matter (lines ending in newline).
    The body starts on line 4 plus the number of lines in ``front``."""
    return f"---\nid: p\n{front}---\n{body}\n"


def sentences(count: int) -> str:
    return " ".join(f"Sentence number {i} is here." for i in range(count))


def show_json(run: Run, root: Path, wanted: str = "p", *args: str) -> dict[str, dict[str, Any]]:
    """`show --format json`: the variants by channel."""
    result = run("--root", root, "show", wanted, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    return {v["channel"]: v for v in document["variants"]}


def check_lines(run: Run, root: Path) -> tuple[int, list[str]]:
    result = run("--root", root, "check")
    return result.exit_code, result.stdout.splitlines()


def check_findings(run: Run, root: Path) -> list[dict[str, Any]]:
    result = run("--root", root, "check", "--format", "json")
    return json.loads(result.stdout)["findings"]


def only_body(part: str, index: int, total: int) -> str:
    suffix = f" {index}/{total}"
    assert part.endswith(suffix), part
    return part.removesuffix(suffix)


TOO_LONG_HINT = "shorten it, or give this channel its own text in `overrides`"
THREAD_HINT = ", or set `thread: auto` to split it into a thread"


# -- too long -------------------------------------------------------------------------


def test_check_reports_an_over_limit_variant_with_file_line_channel_length_and_limit(
    make_project: MakeProject, run: Run
) -> None:
    body = " ".join(["word"] * 80) + "!"
    assert len(body) == 400
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post(body, "channels: [x]\nthread: false\n")}
    )
    code, lines = check_lines(run, root)
    assert code == 1
    assert lines == [
        f"content/p.md:6: error: x: text is 400 characters; X allows 280; {TOO_LONG_HINT}"
        f"{THREAD_HINT}",
        "checked 1 post, 11 channels: 1 error, 0 warnings",
    ]


def test_an_over_limit_override_text_is_reported_at_the_override_line(
    make_project: MakeProject, run: Run
) -> None:
    long = " ".join(["word"] * 80) + "!"
    front = f"channels: [x, mastodon]\nthread: false\noverrides:\n  x:\n    text: {long}\n"
    root = make_project(channels=channels_yaml(), posts={"p.md": post("Short.", front)})
    findings = check_findings(run, root)
    assert [(f["code"], f["line"], f["key"], f["channel"], f["message"]) for f in findings] == [
        ("too-long", 7, "overrides.x.text", "x", "x: text is 400 characters; X allows 280")
    ]
    code, lines = check_lines(run, root)
    assert code == 1
    assert lines[0] == (
        "content/p.md:7: error: overrides.x.text: x: text is 400 characters; X allows 280; "
        f"{TOO_LONG_HINT}{THREAD_HINT}"
    )


# -- threads --------------------------------------------------------------------------


@pytest.mark.parametrize(("channel", "limit"), [("x", 280), ("mastodon", 500), ("bluesky", 300)])
def test_thread_auto_splits_into_numbered_parts_that_each_fit(
    make_project: MakeProject, run: Run, channel: str, limit: int
) -> None:
    body = sentences(40)
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post(body, f"channels: [{channel}]\n")}
    )
    variant = show_json(run, root)[channel]
    parts = variant["parts"]
    total = len(parts)
    fewest = -(-len(body) // limit)
    assert fewest <= total <= fewest + 1
    bodies = [only_body(p["text"], i, total) for i, p in enumerate(parts, 1)]
    assert " ".join(bodies) == body  # nothing lost, nothing reordered
    assert all(b.endswith("is here.") for b in bodies)  # cut at sentence ends
    for part in parts:
        assert part["limit"] == limit
        assert part["length"] == len(part["text"])  # ASCII: every network counts characters
        assert part["length"] <= limit
    assert variant["warnings"] == []
    assert run("--root", root, "check").exit_code == 0


@pytest.mark.parametrize(
    ("channel", "title", "limit"),
    [("x", "X", 280), ("mastodon", "Mastodon", 500), ("bluesky", "Bluesky", 300)],
)
def test_thread_false_reports_too_long_instead_of_splitting(
    make_project: MakeProject, run: Run, channel: str, title: str, limit: int
) -> None:
    body = sentences(40)
    root = make_project(
        channels=channels_yaml(),
        posts={"p.md": post(body, f"channels: [{channel}]\nthread: false\n")},
    )
    variant = show_json(run, root)[channel]
    assert [p["text"] for p in variant["parts"]] == [body]
    assert [w["message"] for w in variant["warnings"]] == [
        f"{channel}: text is {len(body)} characters; {title} allows {limit}"
    ]
    code, lines = check_lines(run, root)
    assert code == 1
    assert lines[0] == (
        f"content/p.md:6: error: {channel}: text is {len(body)} characters; {title} allows"
        f" {limit}; {TOO_LONG_HINT}{THREAD_HINT}"
    )


def test_explicit_parts_are_a_thread_on_mastodon_and_joined_on_linkedin(
    make_project: MakeProject, run: Run
) -> None:
    """LinkedIn set to ``threads: join`` (its default is comments on the first post)."""
    body = "One.\n\n---\n\nTwo.\n\n---\n\nThree."
    root = make_project(
        channels=channels_yaml({"linkedin": "threads: join"}),
        posts={"p.md": post(body, "channels: [mastodon, linkedin]\n")},
    )
    variants = show_json(run, root)
    assert [p["text"] for p in variants["mastodon"]["parts"]] == ["One.", "Two.", "Three."]
    assert variants["mastodon"]["warnings"] == []
    assert [p["text"] for p in variants["linkedin"]["parts"]] == ["One.\n\nTwo.\n\nThree."]
    assert [w["message"] for w in variants["linkedin"]["warnings"]] == [
        "linkedin: LinkedIn has no threads: the 3 parts are joined into one post"
    ]
    code, lines = check_lines(run, root)
    assert code == 0
    assert lines == [
        "content/p.md:5: warning: linkedin: LinkedIn has no threads: the 3 parts are joined"
        " into one post",
        "checked 1 post, 11 channels: 0 errors, 1 warning",
    ]


def test_explicit_parts_are_comments_on_linkedin_by_default(
    make_project: MakeProject, run: Run
) -> None:
    body = "One.\n\n---\n\nTwo.\n\n---\n\nThree."
    root = make_project(
        channels=channels_yaml(),
        posts={"p.md": post(body, "channels: [mastodon, linkedin]\n")},
    )
    variants = show_json(run, root)
    assert [p["text"] for p in variants["linkedin"]["parts"]] == ["One.", "Two.", "Three."]
    assert check_lines(run, root)[0] == 0


# -- limit overrides ------------------------------------------------------------------


def test_a_mastodon_instance_limit_override_keeps_a_long_text_in_one_part(
    make_project: MakeProject, run: Run
) -> None:
    body = " ".join(["word"] * 140)  # 699 characters
    channels = channels_yaml({"bigtoots": CHANNEL_KEYS["mastodon"] + "\nlimits: {max_chars: 1000}"})
    root = make_project(
        channels=channels, posts={"p.md": post(body, "channels: [bigtoots, mastodon]\n")}
    )
    variants = show_json(run, root)
    big = variants["bigtoots"]
    assert [(p["text"], p["length"], p["limit"]) for p in big["parts"]] == [(body, 699, 1000)]
    assert big["limit"] == 1000
    assert len(variants["mastodon"]["parts"]) == 2  # the default 500 splits it
    assert run("--root", root, "check").exit_code == 0


def test_x_premium_limit_override(make_project: MakeProject, run: Run) -> None:
    body = " ".join(["word"] * 140)  # 699 characters
    channels = channels_yaml({"x": "limits: {max_chars: 25000}"})
    root = make_project(channels=channels, posts={"p.md": post(body, "channels: [x]\n")})
    parts = show_json(run, root)["x"]["parts"]
    assert [(p["text"], p["length"], p["limit"]) for p in parts] == [(body, 699, 25000)]

    longer = "word " * 5000 + "end"  # 25003 characters
    root = make_project(
        channels=channels, posts={"p.md": post(longer, "channels: [x]\nthread: false\n")}
    )
    code, lines = check_lines(run, root)
    assert code == 1
    assert lines[0].startswith(
        "content/p.md:6: error: x: text is 25003 characters; X allows 25000; "
    )


# -- Telegram -------------------------------------------------------------------------

IMAGE = "media:\n  - path: media/a.png\n    alt: A chart\n"


def test_telegram_caption_with_media_is_limited_to_1024(
    make_project: MakeProject, run: Run
) -> None:
    body = "x" * 1100
    root = make_project(
        channels=channels_yaml(),
        posts={"p.md": post(body, "channels: [telegram]\n" + IMAGE)},
        media=["media/a.png"],
    )
    code, lines = check_lines(run, root)
    assert code == 1
    assert lines[0] == (
        "content/p.md:8: error: telegram: caption with media is 1100 characters; Telegram"
        f" allows 1024; {TOO_LONG_HINT}"
    )
    variant = show_json(run, root)["telegram"]
    assert variant["limit"] == 1024
    assert [m["path"] for m in variant["parts"][0]["media"]] == ["media/a.png"]


def test_telegram_text_without_media_is_limited_to_4096(
    make_project: MakeProject, run: Run
) -> None:
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post("x" * 1100, "channels: [telegram]\n")}
    )
    assert run("--root", root, "check").exit_code == 0
    assert show_json(run, root)["telegram"]["limit"] == 4096

    root = make_project(
        channels=channels_yaml(), posts={"p.md": post("x" * 4100, "channels: [telegram]\n")}
    )
    code, lines = check_lines(run, root)
    assert code == 1
    assert lines[0] == (
        f"content/p.md:5: error: telegram: text is 4100 characters; Telegram allows 4096;"
        f" {TOO_LONG_HINT}"
    )


def test_telegram_is_html_with_entities_escaped_and_counted_as_seen(
    make_project: MakeProject, run: Run
) -> None:
    root = make_project(
        channels=channels_yaml(),
        posts={"p.md": post("**Bold** & _it_ <3", "channels: [telegram]\n")},
    )
    variant = show_json(run, root)["telegram"]
    assert variant["text"] == "<b>Bold</b> &amp; <i>it</i> &lt;3"
    assert variant["parts"][0]["length"] == len("Bold & it <3")


# -- Threads (the network) ------------------------------------------------------------


def test_threads_refuses_more_than_five_distinct_links(make_project: MakeProject, run: Run) -> None:
    six = " ".join(f"https://site{i}.com/p" for i in range(6))
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post(f"Links: {six}", "channels: [threads]\n")}
    )
    findings = check_findings(run, root)
    assert [(f["code"], f["line"], f["message"]) for f in findings] == [
        ("too-many-links", 5, "threads: 6 links in one post; Threads allows 5")
    ]


def test_threads_counts_a_repeated_link_once(make_project: MakeProject, run: Run) -> None:
    five = " ".join(f"https://site{i}.com/p" for i in range(5)) + " https://site0.com/p"
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post(f"Links: {five}", "channels: [threads]\n")}
    )
    assert check_findings(run, root) == []


def test_threads_counts_emoji_as_utf8_bytes_mastodon_as_one(
    make_project: MakeProject, run: Run
) -> None:
    body = "😀" * 130
    root = make_project(
        channels=channels_yaml(),
        posts={"p.md": post(body, "channels: [threads, mastodon]\nthread: false\n")},
    )
    variants = show_json(run, root)
    assert variants["threads"]["parts"][0]["length"] == 520
    assert variants["mastodon"]["parts"][0]["length"] == 130
    assert variants["mastodon"]["warnings"] == []
    findings = check_findings(run, root)
    assert [(f["code"], f["channel"], f["message"]) for f in findings] == [
        ("too-long", "threads", "threads: text is 520 characters; Threads allows 500")
    ]


# -- Bluesky --------------------------------------------------------------------------

LONG_URL = "https://example.com/blog/2026/12/the-long-article-name"


def _facet_text(text: str, facet: dict[str, Any]) -> str:
    data = text.encode("utf-8")
    return data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")


def test_bluesky_shortens_long_links_and_keeps_the_full_url_in_the_facet(
    make_project: MakeProject, run: Run
) -> None:
    body = f"Hi @alice, read {LONG_URL} — now."
    front = f"channels: [bluesky]\nlink: {LONG_URL}?ref=x\n"
    root = make_project(channels=channels_yaml(), posts={"p.md": post(body, front)})
    variant = show_json(run, root)["bluesky"]
    short = "example.com/blog/2026/12..."
    assert variant["link"] == f"{LONG_URL}?ref=x&utm_source=bluesky&utm_medium=social"
    [part] = variant["parts"]
    assert part["text"] == f"Hi @alice.example.com, read {short} — now.\n\n{short}"
    assert part["length"] == len(part["text"])
    assert len(part["facets"]) == 3
    links = [
        (f["features"][0]["uri"], _facet_text(part["text"], f))
        for f in part["facets"]
        if f["features"][0]["$type"] == "app.bsky.richtext.facet#link"
    ]
    assert links == [(LONG_URL, short), (variant["link"], short)]
    mentions = [
        (f["features"][0]["did"], _facet_text(part["text"], f))
        for f in part["facets"]
        if f["features"][0]["$type"] == "app.bsky.richtext.facet#mention"
    ]
    assert mentions == [("alice.example.com", "@alice.example.com")]


def test_bluesky_byte_limit_is_reported_when_graphemes_fit(
    make_project: MakeProject, run: Run
) -> None:
    # one grapheme, 41 bytes of UTF-8, in NFC as loaded (no precomposed x with acute)
    grapheme = "x" + "\u0301" * 20
    body = grapheme * 200  # 200 graphemes, 8200 bytes
    root = make_project(
        channels=channels_yaml(),
        posts={"p.md": post(body, "channels: [bluesky]\nthread: false\n")},
    )
    variant = show_json(run, root)["bluesky"]
    assert variant["parts"][0]["length"] == 200  # within 300 graphemes
    findings = check_findings(run, root)
    assert [(f["code"], f["line"], f["message"]) for f in findings] == [
        ("too-long", 6, "bluesky: text is 8200 bytes of UTF-8; Bluesky allows 3000")
    ]
    code, lines = check_lines(run, root)
    assert code == 1
    assert (
        lines[0]
        == "content/p.md:6: error: bluesky: text is 8200 bytes of UTF-8; Bluesky allows 3000"
    )


def _heavy_words(count: int) -> str:
    """Words of 5 graphemes, 205 bytes each: 300 graphemes are ~12,000 bytes."""
    word = ("e" + "\u0301" * 20) * 5
    return " ".join([word] * count)


def test_auto_thread_parts_exceed_bluesky_byte_limit(make_project: MakeProject, run: Run) -> None:
    """Every part of an auto thread fits both Bluesky limits, graphemes and bytes
    (regression: parts of ~10,000 bytes, which Bluesky refuses)."""
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post(_heavy_words(80), "channels: [bluesky]\n")}
    )
    parts = show_json(run, root)["bluesky"]["parts"]
    assert [len(p["text"].encode("utf-8")) for p in parts if len(p["text"].encode()) > 3000] == []


def test_check_misses_bluesky_byte_limit_of_split_parts(
    make_project: MakeProject, run: Run
) -> None:
    """`check` and `show` agree on byte limits (regression: check's shortcut missed them)."""
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post(_heavy_words(80), "channels: [bluesky]\n")}
    )
    shown = [w["message"] for w in show_json(run, root)["bluesky"]["warnings"]]
    checked = [f["message"] for f in check_findings(run, root)]
    assert checked == shown


# -- media ----------------------------------------------------------------------------


def media_front(paths: list[str], alt: str = "A chart") -> str:
    return "media:\n" + "".join(f"  - path: {p}\n    alt: {alt}\n" for p in paths)


def test_five_images_on_x(make_project: MakeProject, run: Run) -> None:
    images = [f"media/i{i}.png" for i in range(5)]
    root = make_project(
        channels=channels_yaml(),
        posts={"p.md": post("Five.", "channels: [x, mastodon, bluesky]\n" + media_front(images))},
        media=images,
    )
    findings = check_findings(run, root)
    assert [(f["code"], f["line"], f["key"], f["message"]) for f in findings] == [
        ("too-much-media", 4, "media", "x: 5 media files; X takes at most 4"),
        ("too-much-media", 4, "media", "mastodon: 5 media files; Mastodon takes at most 4"),
        ("too-much-media", 4, "media", "bluesky: 5 media files; Bluesky takes at most 4"),
    ]
    code, lines = check_lines(run, root)
    assert code == 1
    assert lines[0] == "content/p.md:4: error: media: x: 5 media files; X takes at most 4"


def test_a_tiff_is_not_a_format_x_takes(make_project: MakeProject, run: Run) -> None:
    root = make_project(
        channels=channels_yaml(),
        posts={"p.md": post("Tiff.", "channels: [x]\n" + media_front(["media/a.tiff"]))},
        media=["media/a.tiff"],
    )
    findings = check_findings(run, root)
    assert [(f["code"], f["line"], f["key"], f["message"]) for f in findings] == [
        (
            "media-format",
            5,
            "media[0].path",
            "x: 'media/a.tiff' is tiff; X takes gif, jpeg, jpg, png, webp",
        )
    ]


def test_an_image_over_the_bluesky_blob_limit(make_project: MakeProject, run: Run) -> None:
    root = make_project(
        channels=channels_yaml(),
        posts={
            "p.md": post("Big.", "channels: [bluesky, mastodon]\n" + media_front(["media/big.png"]))
        },
    )
    (root / "media").mkdir()
    small = image_bytes("big.png")  # a real PNG, padded to the size wanted
    (root / "media/big.png").write_bytes(small + b"\0" * (1_100_000 - len(small)))
    findings = check_findings(run, root)
    assert [(f["code"], f["channel"], f["key"]) for f in findings] == [
        ("media-too-large", "bluesky", "media[0].path")
    ]
    assert findings[0]["message"].startswith("bluesky: 'media/big.png' is ")
    assert "Bluesky takes images up to " in findings[0]["message"]

    (root / "media/big.png").write_bytes(small + b"\0" * (1_000_000 - len(small)))
    assert check_findings(run, root) == []  # exactly the limit is fine


def test_alt_text_over_x_limit(make_project: MakeProject, run: Run) -> None:
    front = "channels: [x, mastodon]\n" + media_front(["media/a.png"], alt="a" * 1001)
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post("Alt.", front)}, media=["media/a.png"]
    )
    findings = check_findings(run, root)
    assert [(f["code"], f["line"], f["key"], f["message"]) for f in findings] == [
        ("alt-too-long", 6, "media[0].alt", "x: alt text is 1001 characters; X allows 1000")
    ]


def test_slack_cannot_attach_media(make_project: MakeProject, run: Run) -> None:
    front = "channels: [slack]\n" + media_front(["media/a.png"])
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post("Slack.", front)}, media=["media/a.png"]
    )
    code, lines = check_lines(run, root)
    assert code == 0
    assert lines == [
        "content/p.md:4: warning: media: slack: Slack cannot attach media; the 1 file(s) are"
        " left out",
        "checked 1 post, 11 channels: 0 errors, 1 warning",
    ]


def test_slack_variant_lists_media_it_leaves_out(make_project: MakeProject, run: Run) -> None:
    """Slack leaves media out, and so does its variant (regression: it carried them)."""
    front = "channels: [slack]\n" + media_front(["media/a.png"])
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post("Slack.", front)}, media=["media/a.png"]
    )
    assert show_json(run, root)["slack"]["parts"][0]["media"] == []


# -- mentions -------------------------------------------------------------------------


def test_mentions_are_written_per_network(make_project: MakeProject, run: Run) -> None:
    root = make_project(
        channels=channels_yaml(),
        posts={"p.md": post("Thanks @alice!", "channels: [mastodon, bluesky, x, linkedin]\n")},
    )
    texts = {name: v["text"] for name, v in show_json(run, root).items()}
    assert texts == {
        "mastodon": "Thanks @alice@example.social!",
        "bluesky": "Thanks @alice.example.com!",
        "x": "Thanks @alice_x!",
        "linkedin": "Thanks @[Alice Example](urn:li:person:abc)!",
    }


def test_a_person_without_a_handle_is_written_by_name_with_a_warning(
    make_project: MakeProject, run: Run
) -> None:
    people = 'people:\n  alice: {mastodon: "@alice@example.social"}\n'
    root = make_project(
        channels=channels_yaml(people=people),
        posts={"p.md": post("Thanks @alice!", "channels: [mastodon, x]\n")},
    )
    variants = show_json(run, root)
    assert variants["mastodon"]["text"] == "Thanks @alice@example.social!"
    assert variants["x"]["text"] == "Thanks alice!"
    code, lines = check_lines(run, root)
    assert code == 0
    assert lines == [
        "content/p.md:5: warning: x: @alice has no handle for x in `people`; their name is"
        " written; add 'x: ...' to people.alice in channels.yaml",
        "checked 1 post, 11 channels: 0 errors, 1 warning",
    ]


def test_the_name_of_a_person_without_a_handle_comes_from_their_linkedin_entry(
    make_project: MakeProject, run: Run
) -> None:
    people = 'people:\n  alice: {linkedin: "Alice Example (urn:li:person:abc)"}\n'
    root = make_project(
        channels=channels_yaml(people=people),
        posts={"p.md": post("Thanks @alice!", "channels: [x]\n")},
    )
    assert show_json(run, root)["x"]["text"] == "Thanks Alice Example!"


def test_people_name_key_is_accepted_and_written(make_project: MakeProject, run: Run) -> None:
    """``people.alice.name`` is accepted and written where alice has no handle."""
    people = 'people:\n  alice: {mastodon: "@alice@example.social", name: Alice Example}\n'
    root = make_project(
        channels=channels_yaml(people=people),
        posts={"p.md": post("Thanks @alice!", "channels: [mastodon, x]\n")},
    )
    assert show_json(run, root)["x"]["text"] == "Thanks Alice Example!"
    errors = [f for f in check_findings(run, root) if f["severity"] == "error"]
    assert errors == []


# -- links ----------------------------------------------------------------------------


def test_the_link_gets_utm_parameters_per_channel_name(make_project: MakeProject, run: Run) -> None:
    channels = channels_yaml({"toots": CHANNEL_KEYS["mastodon"]})
    front = (
        "channels: [toots, bluesky]\ncampaign: launch\n"
        "link: https://example.com/page?ref=news&utm_medium=mail\n"
    )
    root = make_project(channels=channels, posts={"p.md": post("Read it.", front)})
    variants = show_json(run, root)
    assert variants["toots"]["link"] == (
        "https://example.com/page?ref=news&utm_medium=mail&utm_source=toots&utm_campaign=launch"
    )
    assert variants["bluesky"]["link"] == (
        "https://example.com/page?ref=news&utm_medium=mail&utm_source=bluesky&utm_campaign=launch"
    )
    assert variants["toots"]["text"] == f"Read it.\n\n{variants['toots']['link']}\n\n#v2"


def test_utm_false_leaves_the_link_untouched(make_project: MakeProject, run: Run) -> None:
    channels = channels_yaml({"mastodon": "utm: false"})
    front = "channels: [mastodon]\nlink: https://example.com/page?ref=news\n"
    root = make_project(channels=channels, posts={"p.md": post("Read it.", front)})
    variant = show_json(run, root)["mastodon"]
    assert variant["link"] == "https://example.com/page?ref=news"
    assert variant["text"] == "Read it.\n\nhttps://example.com/page?ref=news"


# -- hashtags -------------------------------------------------------------------------


def test_tags_and_campaign_hashtags_are_appended_where_the_network_uses_them(
    make_project: MakeProject, run: Run
) -> None:
    front = "channels: [mastodon, discord]\ncampaign: launch\ntags: [release, opensource]\n"
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post("The #Release is out.", front)}
    )
    variants = show_json(run, root)
    assert variants["mastodon"]["hashtags"] == ["#opensource", "#v2"]  # #release is inline
    assert variants["mastodon"]["text"] == "The #Release is out.\n\n#opensource #v2"
    assert variants["discord"]["hashtags"] == []
    assert variants["discord"]["text"] == "The #Release is out."


def test_linkedin_writes_hashtags_in_its_template(make_project: MakeProject, run: Run) -> None:
    front = "channels: [linkedin]\ntags: [release, opensource]\n"
    root = make_project(channels=channels_yaml(), posts={"p.md": post("It is out.", front)})
    variant = show_json(run, root)["linkedin"]
    assert variant["text"] == "It is out.\n\n{hashtag|\\#|release} {hashtag|\\#|opensource}"
    assert variant["parts"][0]["length"] == len("It is out.\n\n#release #opensource")


def test_linkedin_does_not_repeat_an_inline_hashtag(make_project: MakeProject, run: Run) -> None:
    """An inline #release is not appended again, on LinkedIn as on Mastodon."""
    front = "channels: [linkedin]\ntags: [release, opensource]\n"
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post("The #release is out.", front)}
    )
    variant = show_json(run, root)["linkedin"]
    assert variant["text"] == ("The {hashtag|\\#|release} is out.\n\n{hashtag|\\#|opensource}")


# -- overrides ------------------------------------------------------------------------


def test_overrides_change_only_their_channel(make_project: MakeProject, run: Run) -> None:
    front = """\
channels: [mastodon, bluesky]
publish_at: 2026-12-01 09:00
link: https://example.com/a
tags: [base]
overrides:
  bluesky:
    text: Bluesky only text.
    tags: [sky]
    link: https://example.com/b
    publish_at: 2026-12-02 10:30
"""
    root = make_project(channels=channels_yaml(), posts={"p.md": post("Main body.", front)})
    variants = show_json(run, root)
    mastodon, bluesky = variants["mastodon"], variants["bluesky"]
    assert mastodon["text"] == (
        "Main body.\n\nhttps://example.com/a?utm_source=mastodon&utm_medium=social\n\n#base"
    )
    assert mastodon["hashtags"] == ["#base"]
    assert mastodon["publish_at"] == "2026-12-01T09:00:00+01:00"
    assert mastodon["publish_at_utc"] == "2026-12-01T08:00:00+00:00"

    assert bluesky["text"].startswith("Bluesky only text.\n\n")
    assert bluesky["text"].endswith("\n\n#sky")
    assert bluesky["hashtags"] == ["#sky"]
    assert bluesky["link"] == "https://example.com/b?utm_source=bluesky&utm_medium=social"
    assert bluesky["publish_at"] == "2026-12-02T10:30:00+01:00"
    assert bluesky["publish_at_utc"] == "2026-12-02T09:30:00+00:00"
