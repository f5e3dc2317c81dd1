"""What a new user hit in their first hour (issue 16): other names of networks, a tab
in YAML, the sponsored-disclosure message's subject, `show` of an unknown post."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmgen.adapt.shown import render_shown
from smmgen.calendar.plan import PlanItem
from smmgen.loader.yamlfile import TAB_HINT, YamlProblem, parse
from smmgen.report.plan import as_ics
from smmgen.suggest import ALIASES, closest, did_you_mean, did_you_mean_any, nearest
from tests.conftest import CHANNELS_YAML, GOOD_POST
from tests.i18n_strategies import SCRIPTS, word

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=3, max_size=12)


# -- 5: a network's other name ------------------------------------------------------


@given(
    alias=st.sampled_from(sorted(ALIASES)),
    case=st.sampled_from([str.lower, str.upper, str.title]),
    others=st.lists(NAMES, max_size=6),
)
def test_an_alias_finds_its_network_among_any_others(alias, case, others) -> None:
    target = ALIASES[alias]
    others = [name for name in others if name.lower() not in (alias, target)]
    assert closest(case(alias), [*others, target]) == target
    assert did_you_mean(case(alias), [*others, target]) == f"did you mean '{target}'?"


@given(alias=st.sampled_from(sorted(ALIASES)), others=st.lists(NAMES, max_size=6))
def test_an_alias_finds_the_one_channel_of_its_network(alias, others) -> None:
    target = ALIASES[alias]
    others = [name for name in others if name.lower() not in (alias, target, "company")]
    types = {name: "mastodon" for name in others} | {"company": target}
    assert closest(alias, types, types=types) == "company"
    # two channels of that network: no guess between them
    two = types | {"company-2": target}
    assert closest(alias, two, types=two) not in ("company", "company-2")


def test_an_alias_never_suggests_a_network_that_is_not_there() -> None:
    assert closest("twitter", ["mastodon", "bluesky"]) is None
    assert closest("insta", ["x", "threads"]) is None  # Instagram is not Threads
    # a channel really named "twitter" is itself
    assert closest("twitter", ["twitter", "x"]) == "twitter"


def test_type_twitter_and_a_channel_named_twitter_get_x(make_project, run) -> None:
    channels = CHANNELS_YAML.replace("people:", "  x:\n    type: twitter\npeople:")
    root = make_project(channels=channels)
    result = run("--root", root, "check")
    assert "unknown channel type 'twitter'" in result.output
    assert "did you mean 'x'?" in result.output
    post = GOOD_POST.replace("tags: [release]", "tags: [release]\nchannels: [mastodon, tweet]")
    root = make_project(posts={"a.md": post})
    result = run("--root", root, "check")
    assert result.exit_code == 1
    # no channel of type x in the project: no guess; with one named "company-x", that one
    assert "unknown channel 'tweet'; channels are" in result.output
    channels = CHANNELS_YAML.replace(
        "  feed:\n",
        "  company-x:\n    type: x\n    api_key_env: A\n"
        "    api_secret_env: B\n    access_token_env: C\n    access_token_secret_env: D\n  feed:\n",
    )
    root = make_project(channels=channels, posts={"a.md": post})
    result = run("--root", root, "check")
    assert "unknown channel 'tweet'; did you mean 'company-x'?" in result.output


# -- 6: a tab in YAML -------------------------------------------------------------------


@given(
    indent=st.integers(min_value=0, max_value=4),
    value=word("he") | word("fa") | word("bg") | word("pl"),
)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_a_tab_in_an_indentation_is_named_with_line_and_column(indent, value) -> None:
    text = f"title: {value}\nchannels:\n{' ' * indent}\t- mastodon\n"
    problem = parse(text, first_line=2)
    assert isinstance(problem, YamlProblem)
    assert problem.line == 4
    assert f"a tab at column {indent + 1}" in problem.message
    assert problem.hint == TAB_HINT == "replace the tab with spaces"


def test_a_tab_after_a_colon_is_allowed_and_other_errors_are_not_about_tabs() -> None:
    assert not isinstance(parse("title:\tHello\n"), YamlProblem)
    problem = parse("a: [1, 2\nb: 3\n")
    assert isinstance(problem, YamlProblem)
    assert "tab" not in problem.message
    assert problem.hint is None


def test_check_says_tab_with_file_line_and_what_to_do(make_project, run) -> None:
    post = GOOD_POST.replace("tags: [release]", "tags:\n\t- release")
    channels = CHANNELS_YAML.replace("    type: feed", "\ttype: feed")
    root = make_project(channels=channels, posts={"a.md": post})
    out = run("--root", root, "check").output
    assert (
        "channels.yaml:18: error: invalid YAML: a tab at column 1; YAML indents with spaces,"
        " never tabs; replace the tab with spaces"
    ) in out
    assert (
        "content/a.md:6: error: front matter: invalid YAML: a tab at column 1; YAML indents"
        " with spaces, never tabs; replace the tab with spaces"
    ) in out
    assert "Traceback" not in out


# -- 7: the sponsored disclosure's subject -------------------------------------------


@given(script=st.sampled_from(SCRIPTS), data=st.data())
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_disclosure_message_names_the_post(make_project, run, script, data) -> None:
    body = data.draw(word(script))
    post = f"---\nid: s-{script}\nsponsored: true\n---\n{body}\n"
    out = run("--root", make_project(posts={"s.md": post}), "check").output
    assert f"error: post 's-{script}' is sponsored but the text lacks the disclosure '#ad'" in out


# -- 8: show of an unknown post -------------------------------------------------------


IDS = [
    "2026-12-01-lumen-v2-launch",
    "2026-12-09-release-2-0-1",
    "2027-01-12-launch-retro",
    "2027-02-02-hiring",
]


def test_nearest_ids_contain_the_word_or_look_like_it() -> None:
    assert nearest("launch", IDS) == ["2026-12-01-lumen-v2-launch", "2027-01-12-launch-retro"]
    assert nearest("2026-12-09-release-2-0-2", IDS)[0] == "2026-12-09-release-2-0-1"
    assert nearest("zzzz", IDS) == []
    assert did_you_mean_any("LAUNCH", IDS) == (
        "did you mean '2026-12-01-lumen-v2-launch' or '2027-01-12-launch-retro'?"
    )


@given(post_id=st.sampled_from(IDS), cut=st.integers(min_value=1, max_value=3))
def test_an_id_with_a_typo_or_cut_short_finds_itself(post_id, cut) -> None:
    typo = post_id[:-cut] + "x" * cut
    assert post_id in nearest(typo, IDS)
    assert post_id in nearest(post_id[cut:], IDS)


def test_show_of_an_unknown_post_says_did_you_mean(make_project, run) -> None:
    root = make_project()
    result = run("--root", root, "show", "hello")
    assert result.exit_code == 2
    assert "no post 'hello'; did you mean '2026-12-01-hello'?" in result.output
    result = run("--root", root, "show", "content/2026-12-01-helo.md")
    assert "did you mean '2026-12-01-hello'?" in result.output
    result = run("--root", root, "show", "qqqq")
    assert "no post 'qqqq'; give a post id or file path" in result.output


# -- 1: plan shows the text as each channel's readers see it ----------------------------

SHOWN_POST = """\
---
id: 2026-12-01-dash
title: Dashboard
publish_at: 2026-12-01 09:00
channels: [mastodon, bluesky, linkedin]
---
Our new **dashboard** is _live_: ask @alice, or read [the docs](https://docs.example/d).
"""
SEEN = "Our new dashboard is live: ask {alice}, or read the docs (https://docs.example/d)."
ALICE = {"mastodon": "@alice@example.social", "bluesky": "@alice.example.com", "linkedin": "alice"}


def test_plan_json_table_and_markdown_show_the_rendered_text(make_project, run) -> None:
    root = make_project(posts={"a.md": SHOWN_POST})
    args = ("--root", root, "plan", "--at", "2026-11-25 10:00")
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    texts = {item["channel"]: item["text"] for item in json.loads(result.output)["items"]}
    assert texts == {channel: SEEN.format(alice=alice) for channel, alice in ALICE.items()}
    table = run(*args).output
    assert "Our new dashboard is live: ask @alice@example.soc…" in table
    assert "**" not in table
    markdown = run(*args, "--format", "markdown").output
    assert "Our new dashboard is live: ask @alice.example.com…" in markdown
    assert "\\*" not in markdown


def test_ics_shows_each_text_once_with_the_channels_that_send_it(make_project, run) -> None:
    root = make_project(posts={"a.md": SHOWN_POST})
    feed = run("--root", root, "plan", "--at", "2026-11-25 10:00", "--format", "ics").output
    (event,) = icalendar.Calendar.from_ical(feed).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    for channel, alice in ALICE.items():
        assert f"{channel}:\n{SEEN.format(alice=alice)}" in description
    assert "**" not in description
    assert str(event["SUMMARY"]) == "[bluesky, linkedin, mastodon] Dashboard"


@given(
    script=st.sampled_from(SCRIPTS),
    data=st.data(),
    channel=st.sampled_from(sorted(ALICE)),
)
def test_emphasis_is_dropped_and_mentions_written_in_any_script(script, data, channel) -> None:
    first, second = data.draw(word(script)), data.draw(word(script))
    people = {"alice": {"mastodon": "@alice@example.social", "bluesky": "alice.example.com"}}
    kind = channel
    shown = render_shown(f"**{first}** {second} @alice", people, channel, kind)
    assert shown == f"{first} {second} {ALICE[channel]}"


# -- 2: the ICS feed has one event per post and time ----------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
POSTS = ["a", "b/c", "d"]
CHANNELS = ["bluesky", "linkedin", "mastodon", "x"]


@st.composite
def plans(draw: st.DrawFn) -> list[PlanItem]:
    """Posts on channels at a few times; a post goes out once per channel."""
    items = []
    for post in draw(st.lists(st.sampled_from(POSTS), min_size=1, unique=True)):
        for channel in draw(st.lists(st.sampled_from(CHANNELS), min_size=1, unique=True)):
            hours = draw(st.integers(min_value=0, max_value=2))
            items.append(
                PlanItem(
                    post,
                    channel,
                    channel,
                    post.upper(),
                    f"content/{post}.md",
                    START + timedelta(hours=hours),
                    "scheduled",
                    text=f"Text of {post}",
                )
            )
    return sorted(items, key=lambda i: (i.at, i.post, i.channel))


def feed_events(items: list[PlanItem], now: datetime = NOW) -> list[icalendar.Event]:
    return icalendar.Calendar.from_ical(as_ics(items, "Europe/Berlin", now)).walk("VEVENT")


@given(items=plans(), later=st.integers(min_value=1, max_value=48))
@settings(max_examples=40, deadline=None)
def test_one_event_per_post_and_time_listing_its_channels(items, later) -> None:
    events = feed_events(items)
    assert len(events) == len({(item.post, item.at) for item in items})
    listed = []
    for event in events:
        channels = [str(c) for c in event["CATEGORIES"].cats]
        assert channels == sorted(channels)
        assert str(event["SUMMARY"]).startswith(f"[{', '.join(channels)}] ")
        post = decode_uid(str(event["UID"]))[0]
        assert decode_uid(str(event["UID"])) == (post, channels[0])
        listed += [(post, channel, event.decoded("DTSTART")) for channel in channels]
    assert sorted(listed) == sorted((i.post, i.channel, i.at.astimezone(UTC)) for i in items)
    # the same UIDs when every post moves by the same hours, and in any order of the items
    moved = [replace(item, at=item.at + timedelta(hours=later)) for item in items]
    uids = sorted(str(e["UID"]) for e in events)
    assert sorted(str(e["UID"]) for e in feed_events(moved[::-1])) == uids
    vobject_events = vobject.readOne(as_ics(items, "Europe/Berlin", NOW).decode()).vevent_list
    assert [e.uid.value for e in vobject_events] == [str(e["UID"]) for e in events]


def decode_uid(value: str) -> tuple[str, str]:
    post, channel = value.removesuffix("@smmgen").rsplit("/", 1)
    return unquote(post), unquote(channel)


# -- 3: the Atom feed: the entry's title and its images --------------------------------

FEED_CHANNELS = """\
defaults:
  channels: [feed]
channels:
  feed:
    type: feed
    title: Example news
    site_url: https://example.com/
{media_url}"""
IMAGE_POST = """\
---
id: {ident}
{title}publish_at: 2026-11-25 11:00
media:
  - path: media/shot.png
    alt: {alt}
---
Our **new** dashboard & more.
"""


def published_feed(make_project, run, *, media_url: str, title: str, alt: str):  # type: ignore[no-untyped-def]
    import feedparser

    from smmgen.commands.publish import ledger_init

    extra = f"    media_url: {media_url}\n" if media_url else ""
    post = IMAGE_POST.format(ident="p", title=title, alt=json.dumps(alt))
    root = make_project(
        channels=FEED_CHANNELS.format(media_url=extra),
        posts={"p.md": post},
        media=["media/shot.png"],
    )
    ledger_init(root)
    result = run("--root", root, "publish", "--format", "json")
    assert result.exit_code == 0, result.output
    feed = feedparser.parse(root / "public" / "feed.xml")
    assert not feed.bozo, feed.bozo_exception
    (entry,) = feed.entries
    return root, entry


ALTS = [
    "גרף עם שלוש עקומות",  # Hebrew
    "نمودار\u200cها و «داشبورد»",  # Persian, with a ZWNJ  # noqa: RUF001
    "Табло с графики",  # Bulgarian
    "Wykres z nowe\u0328 linia\u0328",  # Polish, decomposed
]


@pytest.mark.parametrize("alt", ALTS)
def test_feed_entries_carry_the_title_and_each_image_with_its_alt(make_project, run, alt) -> None:
    root, entry = published_feed(
        make_project, run, media_url="https://cdn.example/site/", title="title: Launch\n", alt=alt
    )
    assert entry.title == "Launch"
    (enclosure,) = entry.enclosures
    assert enclosure.href == "https://cdn.example/site/media/shot.png"
    assert enclosure.type == "image/png"
    assert int(enclosure.length) == (root / "media" / "shot.png").stat().st_size
    content = entry.content[0].value
    assert "<strong>new</strong>" in content
    (image,) = re.findall(r"<img [^>]*>", content)
    assert 'src="https://cdn.example/site/media/shot.png"' in image
    assert f'alt="{unicodedata.normalize("NFC", alt)}"' in image  # texts are NFC once loaded


def test_feed_without_media_url_warns_and_an_untitled_entry_gets_its_text(
    make_project, run
) -> None:
    root, entry = published_feed(make_project, run, media_url="", title="", alt="A chart")
    assert entry.title == "Our new dashboard & more."  # the text as read, not its HTML
    assert entry.get("enclosures", []) == []
    assert "<img" not in entry.content[0].value
    out = run("--root", root, "check").output
    assert (
        "content/p.md:4: warning: media: feed: Atom feed entries show media from `media_url`,"
        " which is not set: the 1 file(s) are left out"
    ) in out


# -- 4: the schemas, committed, and the line that points editors at them --------------


def test_init_commits_the_schemas_and_points_the_yaml_files_at_them(tmp_path, run) -> None:
    import subprocess

    import jsonschema

    from smmgen.commands.schema import schema
    from smmgen.loader.yamlfile import YamlDoc

    root = tmp_path / "social"
    assert run("init", root, "--timezone", "Asia/Jerusalem").exit_code == 0
    for kind in ("channels", "calendar"):
        text = (root / f"{kind}.yaml").read_text(encoding="utf-8")
        first = text.split("\n", 1)[0]
        prefix = "# yaml-language-server: $schema="
        assert first.startswith(prefix)
        path = root / first.removeprefix(prefix)  # relative to the YAML file
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document == schema(kind)
        data = parse(text)
        assert isinstance(data, YamlDoc)
        jsonschema.Draft202012Validator(document).validate(data.data)
    assert json.loads((root / "schemas/front-matter.schema.json").read_text()) == schema(
        "front-matter"
    )
    # git does not ignore them (.smmgen/, the cache, it does)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    ignored = subprocess.run(
        ["git", "-C", str(root), "check-ignore", "schemas/channels.schema.json", ".smmgen/x"],
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == [".smmgen/x"]
    assert run("--root", root, "check").exit_code == 0
