"""X's price per post and a channel's monthly budget: the prices of generated texts
(with and without URLs, threads, alt texts), `check`'s finding at, just under and
just over the budget, and the prices `plan` and `preview` show.

The expected prices are written out here from X's price list (post create
$0.015, with a URL $0.200, alt text $0.005), not computed by smmgen's code."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from smmgen.adapt.budget import (
    item_price,
)
from smmgen.adapt.variants import Media, Part, Variant, build_variant
from smmgen.loading import load_project
from smmgen.networks.x import NETWORK, XChannel
from smmgen.networks.x.pricing import (
    MEDIA_METADATA,
    POST_CREATE,
    POST_CREATE_WITH_URL,
    PRICES_READ,
    PRICES_SOURCE,
    has_url,
    price,
)
from tests.conftest import MakeProject
from tests.i18n_strategies import SCRIPTS, words

CENT = Decimal("0.001")
# URLs as people write them: with a scheme or without, as X links them
URLS = (
    "https://example.com",
    "http://lumen.io/blog/v2",
    "https://przykład.pl/ścieżka",
    "example.org",
    "lumen.bg/x",
    "www.example.net/a?b=c",
)


def x_channels(budget: str | None = None, *, name: str = "xm") -> str:
    line = f"    budget: {budget}\n" if budget is not None else ""
    return (
        f"defaults:\n  channels: [{name}]\nchannels:\n  {name}:\n    type: x\n"
        "    api_key_env: X_KEY\n    api_secret_env: X_SECRET\n"
        "    access_token_env: X_TOKEN\n    access_token_secret_env: X_TOKEN_SECRET\n"
        f"{line}policy:\n  require_alt_text: false\n"
    )


def post(ident: str, body: str, when: str = "2027-01-04 09:00", front: str = "") -> str:
    return f"---\nid: {ident}\npublish_at: {when}\n{front}---\n{body}\n"


def variant(parts: list[tuple[str, list[str | None]]]) -> Variant:
    """A variant of X made by hand: (text, [alt text or None per image]) per part."""
    return Variant(
        post="p",
        channel="xm",
        network="x",
        dialect="plain",
        parts=[
            Part(text, 0, [Media(f"m{i}.png", alt, 1, "png") for i, alt in enumerate(alts)])
            for text, alts in parts
        ],
        limit=280,
        publish_at=None,
        link=None,
        hashtags=[],
        language=None,
        draft=False,
    )


# -- the prices ---------------------------------------------------------------------


def test_the_prices_are_xs_with_their_source_and_date() -> None:
    assert (
        Decimal("0.015"),
        Decimal("0.200"),
        Decimal("0.005"),
    ) == (POST_CREATE, POST_CREATE_WITH_URL, MEDIA_METADATA)
    assert POST_CREATE_WITH_URL > 10 * POST_CREATE  # the "more than ten times"
    assert PRICES_SOURCE == "https://docs.x.com/x-api/getting-started/pricing"
    assert PRICES_READ == "2026-08-22"
    assert NETWORK.price is price  # the hook every command uses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, v2 is out.", "0.015"),
        ("Read it: https://example.com/v2", "0.200"),
        ("Read it: example.com", "0.200"),  # no scheme: X links it and charges for it
        ("Two: https://a.example.com and lumen.io", "0.200"),  # one post, one price
        ("v2.0 is out, see the release notes", "0.015"),  # not a domain
        ("mail me: team@example.com", "0.015"),  # an address is no URL for X
        ("ל-lumen.io", "0.200"),  # JavaScript's twitter-text finds it: the higher price
    ],
)
def test_one_post(text: str, expected: str) -> None:
    assert item_price(variant([(text, [])])) == Decimal(expected)


def test_alt_texts_threads_and_images_without_alt() -> None:
    thread = variant(
        [
            ("One, with two pictures", ["a dog", "a cat"]),
            ("Two: https://example.com/x", [None]),  # an image without alt: no metadata call
            ("Three", []),
        ]
    )
    expected = Decimal("0.015") + 2 * Decimal("0.005") + Decimal("0.200") + Decimal("0.015")
    assert item_price(thread) == expected
    assert item_price(variant([])) == Decimal(0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(SCRIPTS).flatmap(lambda s: words(s, 1, 6)),
            st.one_of(st.none(), st.sampled_from(URLS)),
            st.integers(0, 4),  # images with alt text
            st.integers(0, 2),  # images without
        ),
        min_size=1,
        max_size=5,
    )
)
def test_generated_texts_cost_exactly_the_price_list(
    parts: list[tuple[str, str | None, int, int]],
) -> None:
    """Text in Hebrew, Persian, Bulgarian or Polish, with a URL (scheme or not) or
    none, in threads of up to five parts with alt texts: the exact price."""
    built = []
    expected = Decimal(0)
    for text, url, alts, bare in parts:
        body = f"{text} {url} {text}" if url else text
        built.append((body, ["alt"] * alts + [None] * bare))
        expected += Decimal("0.200") if url else Decimal("0.015")
        expected += Decimal("0.005") * alts
    got = item_price(variant(built))
    assert got == expected
    assert got == got.quantize(CENT)  # exact thousandths: Decimal, never a float


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(SCRIPTS).flatmap(lambda s: words(s, 1, 10)), st.sampled_from(URLS))
def test_a_url_anywhere_in_the_text_is_found(text: str, url: str) -> None:
    assert not has_url(text)
    assert has_url(f"{url} {text}")
    assert has_url(f"{text} {url}")
    assert has_url(f"{text}\n{url}.")


def test_the_price_of_a_post_as_smmgen_builds_it(make_project: MakeProject) -> None:
    """From the post file: a thread of three, a link appended by `link`, two images
    with alt text on the first part."""
    body = "First part.\n\n---\n\nSecond part.\n\n---\n\nThird, read more."
    front = (
        "thread: true\nlink: https://example.com/v2\n"
        "media:\n  - {path: media/a.png, alt: a chart}\n  - {path: media/b.png, alt: a table}\n"
    )
    root = make_project(
        channels=x_channels(),
        posts={"t.md": post("t", body, front=front), "plain.md": post("plain", "Just words.")},
        media=["media/a.png", "media/b.png"],
    )
    project = load_project(root)
    posts = {p.id: p for p in project.posts}
    thread = build_variant(project, posts["t"], "xm")
    assert len(thread.parts) == 3
    with_url = sum(1 for part in thread.parts if "example.com" in part.text)
    assert with_url >= 1
    assert item_price(thread) == (
        Decimal("0.200") * with_url + Decimal("0.015") * (3 - with_url) + Decimal("0.010")
    )
    assert item_price(build_variant(project, posts["plain"], "xm")) == Decimal("0.015")


def test_the_budget_setting() -> None:
    base = {
        "type": "x",
        "api_key_env": "A",
        "api_secret_env": "B",
        "access_token_env": "C",
        "access_token_secret_env": "D",
    }
    assert XChannel.model_validate(base).budget is None
    assert XChannel.model_validate({**base, "budget": 25}).budget == Decimal(25)
    assert XChannel.model_validate({**base, "budget": "12.5"}).budget == Decimal("12.5")
    for bad in (0, -1, "lots"):
        with pytest.raises(ValidationError, match="budget"):
            XChannel.model_validate({**base, "budget": bad})


# -- check ----------------------------------------------------------------------------


def three_links(make_project: MakeProject, budget: str) -> Path:
    """Three posts with a URL in January 2027 ($0.200 each, $0.600 in all), one in
    February, and a draft in January (never published, never counted)."""
    posts = {
        f"p{n}.md": post(f"p{n}", f"Number {n}: https://example.com/{n}", f"2027-01-0{n} 09:00")
        for n in (1, 2, 3)
    }
    posts["feb.md"] = post("feb", "https://example.com/feb", "2027-02-01 09:00")
    posts["draft.md"] = post("draft", "https://example.com/d", "2027-01-05 09:00", "draft: true\n")
    return make_project(channels=x_channels(budget), calendar="timezone: UTC\n", posts=posts)


def check(run: Any, root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run("--root", root, "check", "--format", "json")
    findings = json.loads(result.output)["findings"]
    return result.exit_code, [f for f in findings if f["code"] in ("over-budget", "near-budget")]


@pytest.mark.parametrize(
    ("budget", "code", "file"),
    [
        ("0.35", "over-budget", "content/p2.md"),  # $0.400 after the second
        ("0.45", "over-budget", "content/p3.md"),
        ("0.599", "over-budget", "content/p3.md"),  # just over: a thousandth short
        ("0.600", "near-budget", "content/p3.md"),  # at the budget: allowed, a warning
        ("0.601", "near-budget", "content/p3.md"),  # just under
        ("0.749", "near-budget", "content/p3.md"),  # above 80%
        ("0.750", None, None),  # 80% exactly: no warning
        ("25", None, None),
    ],
)
def test_check_at_under_and_over_the_budget(
    run: Any, make_project: MakeProject, budget: str, code: str | None, file: str | None
) -> None:
    root = three_links(make_project, budget)
    for _ in range(2):  # and the same from check's cache
        exit_code, found = check(run, root)
        if code is None:
            assert found == []
            assert exit_code == 0
            continue
        (finding,) = found  # one per month: February's $0.200 is within any of these
        assert finding["code"] == code
        assert finding["file"] == file
        assert finding["line"] == 3  # publish_at
        assert finding["channel"] == "xm"
        assert "January 2027 (UTC)" in finding["message"]
        assert "$0.600" in finding["message"]  # the month's total, the draft left out
        assert f"${Decimal(budget):.3f}" in finding["message"]
        assert exit_code == (1 if code == "over-budget" else 0)


def test_check_names_the_month_total_and_budget(run: Any, make_project: MakeProject) -> None:
    root = three_links(make_project, "0.45")
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert (
        "content/p3.md:3: error: publish_at: xm: the 3 posts planned in January 2027 (UTC)"
        " cost $0.600 on X, over the channel's budget of $0.450; this post ($0.200) takes"
        " the month to $0.600" in result.output
    )


def test_past_months_and_other_channels_are_not_judged(run: Any, make_project: MakeProject) -> None:
    posts = {
        f"p{n}.md": post(f"p{n}", f"Old {n}: https://example.com/{n}", f"2026-10-0{n} 09:00")
        for n in (1, 2, 3)
    }
    root = make_project(channels=x_channels("0.1"), calendar="timezone: UTC\n", posts=posts)
    assert check(run, root)[1] == []  # October 2026 is before "now" (2026-11-25)
    root = make_project(channels=x_channels(None), calendar="timezone: UTC\n", posts=posts)
    assert check(run, root)[1] == []


def test_the_month_is_the_utc_month(run: Any, make_project: MakeProject) -> None:
    """In Berlin, 2027-02-01 00:30 is still January 31 in UTC."""
    posts = {
        "a.md": post("a", "https://example.com/a", "2027-01-20 09:00"),
        "b.md": post("b", "https://example.com/b", "2027-02-01 00:30"),
    }
    root = make_project(
        channels=x_channels("0.3"), calendar="timezone: Europe/Berlin\n", posts=posts
    )
    (finding,) = check(run, root)[1]
    assert finding["file"] == "content/b.md"
    assert "January 2027" in finding["message"]


# -- what plan and preview show -------------------------------------------------------


def mixed(make_project: MakeProject) -> Path:
    """Two posts on an X channel and a Mastodon one (which charges nothing)."""
    channels = x_channels("1").replace("channels: [xm]", "channels: [xm, masto]")
    channels = channels.replace(
        "policy:", "  masto: {type: mastodon, instance: 'https://m.example', token_env: M}\npolicy:"
    )
    posts = {
        "link.md": post("link", "Read https://example.com/a", "2027-01-04 09:00"),
        "words.md": post("words", "Only words here.", "2027-01-05 09:00"),
    }
    return make_project(channels=channels, calendar="timezone: UTC\n", posts=posts)


def test_plan_shows_each_x_items_price(run: Any, make_project: MakeProject) -> None:
    root = mixed(make_project)
    table = run("--root", root, "plan").output
    lines = table.splitlines()
    assert lines[0].split() == [
        "LOCAL",
        "TIME",
        "UTC",
        "CHANNEL",
        "STATUS",
        "POST",
        "PRICE",
        "TEXT",
    ]
    link_x = next(line for line in lines if " link " in f" {line} " and " xm " in line)
    assert "$0.200" in link_x
    words_x = next(line for line in lines if "words" in line and " xm " in line)
    assert "$0.015" in words_x
    masto = [line for line in lines if " masto " in line]
    assert len(masto) == 2
    assert not any("$" in line for line in masto)
    assert "cost on xm: $0.215 in January 2027 (UTC), 2 posts" in lines
    data = json.loads(run("--root", root, "plan", "--format", "json").output)
    prices = {(i["post"], i["channel"]): i["price"] for i in data["items"]}
    assert prices == {
        ("link", "xm"): "0.200",
        ("link", "masto"): None,
        ("words", "xm"): "0.015",
        ("words", "masto"): None,
    }
    markdown = run("--root", root, "plan", "--format", "markdown").output
    assert "| Price |" in markdown
    assert "| \\$0.200 |" in markdown
    assert "cost on xm: \\$0.215 in January 2027 (UTC), 2 posts" in markdown
    ics = run("--root", root, "plan", "--format", "ics").output.replace("\r\n ", "")
    assert ics.count("Price: $0.200") == 1
    assert ics.count("Price: $0.015") == 1
    assert ics.count("Price:") == 2  # not on Mastodon's events


def test_plan_without_a_priced_network_is_unchanged(run: Any, make_project: MakeProject) -> None:
    table = run("--root", make_project(), "plan", "--from", "2026-11-01").output
    assert "PRICE" not in table
    assert "cost on" not in table
    assert "$" not in table


def test_preview_shows_each_x_items_price_and_a_total(run: Any, make_project: MakeProject) -> None:
    root = mixed(make_project)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    comment = run("--root", root, "preview").output
    assert "Cost on X: **\\$0.215** for 2 posts on xm" in comment
    summaries = [line for line in comment.splitlines() if line.startswith("<details")]
    x_lines = [line for line in summaries if "<b>xm</b>" in line]
    assert len(x_lines) == 2
    assert any("&#36;0.200" in line for line in x_lines)
    assert any("&#36;0.015" in line for line in x_lines)
    assert not any("&#36;" in line for line in summaries if "<b>masto</b>" in line)
    data = json.loads(run("--root", root, "preview", "--format", "json").output)
    prices = {(p["id"], v["channel"]): v["price"] for p in data["posts"] for v in p["variants"]}
    assert prices == {
        ("link", "xm"): "0.200",
        ("link", "masto"): None,
        ("words", "xm"): "0.015",
        ("words", "masto"): None,
    }


def test_a_changed_budget_is_judged_again(run: Any, make_project: MakeProject) -> None:
    """check's cache keeps what it gathered per post file: a budget changed in
    channels.yaml alone is judged anew."""
    root = three_links(make_project, "25")
    assert check(run, root) == (0, [])
    path = root / "channels.yaml"
    path.write_text(path.read_text("utf-8").replace("budget: 25", "budget: 0.45"), "utf-8")
    code, found = check(run, root)
    assert code == 1
    assert [f["code"] for f in found] == ["over-budget"]


def test_plan_prices_on_every_core_as_in_one_process(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large plan prices its X items in worker processes (fork and spawn): the
    same prices as one process finds, for every item."""
    from smmgen.adapt.budget import item_prices
    from smmgen.loader import workers

    bodies = ["A short one.", "With a link: lumen.io/x", "Long. " * 80 + "https://lumen.io"]
    posts = {
        f"p{n:02d}.md": post(f"p{n:02d}", bodies[n % 3], when=f"2027-01-{n % 28 + 1:02d} 09:00")
        for n in range(24)
    }
    root = make_project(channels=x_channels(), posts=posts)
    project = load_project(root)
    wanted = {p.id: ["xm"] for p in project.posts}
    alone = item_prices(project, wanted)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers, "workers", lambda: 2)
    forked = item_prices(project, wanted)
    monkeypatch.setattr(workers, "START_METHOD", "spawn")
    spawned = item_prices(project, wanted)
    assert len(alone) == 24
    assert {alone[("p00", "xm")], alone[("p01", "xm")]} == {Decimal("0.015"), Decimal("0.200")}
    assert alone[("p02", "xm")] > Decimal("0.200")  # a thread: a price per part
    assert spawned == forked == alone
