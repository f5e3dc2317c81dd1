"""Hashtags and mentions in Hebrew, Persian and NFD Polish, through the commands
(issue 14 items 1 and 2): `tags:` accepts them, `show` loads the post, LinkedIn
wraps them whole, the body's tags are read whole, mentions after a hyphen or a
maqaf are resolved, and `check` warns where a network would cut or not link one.

What each network links is judged by the official extractors in
tests/text/test_grammar_official.py; here the expected texts are the issue's.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

from tests.conftest import CALENDAR_YAML, MakeProject

Run = Callable[..., Result]

CHANNELS = """\
defaults:
  channels: [mastodon, bluesky, linkedin, x, threads]
channels:
  mastodon: {type: mastodon, instance: https://mastodon.example, token_env: SMMGEN_MASTODON_TOKEN}
  bluesky: {type: bluesky, handle: example.bsky.social, password_env: SMMGEN_BLUESKY_APP_PASSWORD}
  linkedin: {type: linkedin, author: "urn:li:organization:1", token_env: SMMGEN_LINKEDIN_TOKEN}
  x:
    type: x
    api_key_env: SMMGEN_X_KEY
    api_secret_env: SMMGEN_X_SECRET
    access_token_env: SMMGEN_X_TOKEN
    access_token_secret_env: SMMGEN_X_TOKEN_SECRET
  threads: {type: threads, token_env: SMMGEN_THREADS_TOKEN}
people:
  alice:
    mastodon: "@alice@example.social"
    bluesky: "@alice.example.com"
    x: "@alice_lumen"
    threads: "@alice_lumen"
    linkedin: "Alice Example (urn:li:person:abc)"
"""

KRAKOW_NFD = unicodedata.normalize("NFD", "Kraków")
TAGS = ["برنامه‌نویسی", "מנכ״ל", "צ׳אטבוט", "תל־אביב", "שַׁבָּת", KRAKOW_NFD]


def post(tags: list[str], body: str, extra: str = "") -> str:
    listed = ", ".join(json.dumps(tag, ensure_ascii=False) for tag in tags)
    return f"---\nid: p\npublish_at: 2027-01-10 09:00\ntags: [{listed}]\n{extra}---\n{body}\n"


def project(make_project: MakeProject, text: str) -> Path:
    return make_project(channels=CHANNELS, calendar=CALENDAR_YAML, posts={"p.md": text})


def check(run: Run, root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run("--root", root, "check", "--at", "2027-01-01 09:00", "--format", "json")
    document = json.loads(result.stdout)
    return result.exit_code, document["findings"]


def variants(run: Run, root: Path) -> dict[str, dict[str, Any]]:
    result = run("--root", root, "show", "p", "--format", "json")
    assert result.exit_code == 0, result.output
    return {v["channel"]: v for v in json.loads(result.stdout)["variants"]}


def warnings(findings: list[dict[str, Any]], code: str) -> list[tuple[str | None, str]]:
    return [(f["channel"], f["message"]) for f in findings if f["code"] == code]


# -- tags: in front matter -------------------------------------------------------------


def test_tags_of_every_script_are_accepted_and_show_loads_the_post(
    make_project: MakeProject, run: Run
) -> None:
    root = project(make_project, post(TAGS, "Hello."))
    code, findings = check(run, root)
    assert code == 0, findings
    assert not [f for f in findings if f["severity"] == "error"]
    shown = variants(run, root)
    # sent as written, in NFC: post text is NFC once loaded
    sent = ["#" + unicodedata.normalize("NFC", tag) for tag in TAGS]
    assert shown["x"]["hashtags"] == sent
    assert shown["x"]["text"].endswith(" ".join(sent))


def test_a_tag_that_is_not_one_hashtag_is_refused_with_where_and_what_to_do(
    make_project: MakeProject, run: Run
) -> None:
    root = project(make_project, post(["Open Source", "a.b", "״"], "Hello."))
    code, findings = check(run, root)
    assert code == 1
    errors = [f for f in findings if f["severity"] == "error"]
    assert {(f["file"], f["key"]) for f in errors} == {
        ("content/p.md", "tags[0]"),
        ("content/p.md", "tags[1]"),
        ("content/p.md", "tags[2]"),
    }, errors
    assert all("cannot be a hashtag" in f["message"] for f in errors)
    assert all("letters (of any script, with their marks)" in f["message"] for f in errors)


# -- what is appended, and LinkedIn ---------------------------------------------------


def test_a_tag_is_appended_when_the_body_has_a_longer_tag_that_starts_with_it(
    make_project: MakeProject, run: Run
) -> None:
    root = project(make_project, post(["برنامه"], "درباره #برنامه‌نویسی"))
    for variant in variants(run, root).values():
        assert variant["hashtags"] == ["#برنامه"], variant["channel"]


def test_a_tag_written_in_the_body_in_another_form_is_not_appended_again(
    make_project: MakeProject, run: Run
) -> None:
    # NFD in tags:, NFC and another case in the body: one tag
    root = project(make_project, post([KRAKOW_NFD, "שַׁבָּת"], "Spotkanie #KRAKÓW #שַׁבָּת"))
    for variant in variants(run, root).values():
        assert variant["hashtags"] == [], variant["channel"]


def test_linkedin_wraps_each_tag_whole_with_its_marks_inside_the_braces(
    make_project: MakeProject, run: Run
) -> None:
    root = project(make_project, post(["מנכ״ל"], "על #برنامه‌نویسی ל-#שַׁבָּת היום"))
    text = variants(run, root)["linkedin"]["text"]
    assert text == ("על {hashtag|\\#|برنامه‌نویسی} ל-{hashtag|\\#|שַׁבָּת} היום\n\n{hashtag|\\#|מנכ״ל}")


def test_build_writes_the_whole_tags(make_project: MakeProject, run: Run, tmp_path: Path) -> None:
    root = project(make_project, post(["תל־אביב"], "#برنامه‌نویسی"))
    out = tmp_path / "site"
    result = run("--root", root, "build", "--out", out)
    assert result.exit_code == 0, result.output
    linkedin = json.loads((out / "variants" / "p" / "linkedin.json").read_text("utf-8"))
    assert linkedin["text"] == "{hashtag|\\#|برنامه‌نویسی}\n\n{hashtag|\\#|תל־אביב}"
    x = json.loads((out / "variants" / "p" / "x.json").read_text("utf-8"))
    assert x["text"] == "#برنامه‌نویسی\n\n#תל־אביב"


# -- check: where a network cuts or does not link a tag -------------------------------


def test_check_warns_where_mastodon_cuts_a_hebrew_tag(make_project: MakeProject, run: Run) -> None:
    root = project(make_project, post(["מנכ״ל", "צ׳אטבוט", "שַׁבָּת"], "#תל־אביב"))
    code, findings = check(run, root)
    assert code == 0
    cut = warnings(findings, "hashtag-cut")
    assert [(c, m.split(" (")[0]) for c, m in cut] == [
        ("mastodon", "mastodon: Mastodon would link #מנכ״ל as #מנכ"),
        ("mastodon", "mastodon: Mastodon would link #צ׳אטבוט as #צ"),
        ("mastodon", "mastodon: Mastodon would link #תל־אביב as #תל"),
    ]
    assert "U+05F4 HEBREW PUNCTUATION GERSHAYIM" in cut[0][1]
    tag_findings = [f for f in findings if f["code"] == "hashtag-cut" and f["key"] == "tags"]
    assert len(tag_findings) == 2
    assert all(f["line"] == 4 for f in tag_findings)


def test_check_warns_where_bluesky_cuts_a_persian_tag_at_the_zwnj(
    make_project: MakeProject, run: Run
) -> None:
    root = project(make_project, post([], "درباره #برنامه‌نویسی"))
    _, findings = check(run, root)
    cut = warnings(findings, "hashtag-cut")
    assert cut == [
        (
            "bluesky",
            "bluesky: Bluesky would link #برنامه‌نویسی as #برنامه (its hashtags stop at"
            " (U+200C ZERO WIDTH NON-JOINER))",
        )
    ]


def test_check_warns_where_a_tag_after_a_hyphen_is_not_linked(
    make_project: MakeProject, run: Run
) -> None:
    # Bluesky needs a space before '#'; twitter-text and Mastodon link it
    root = project(make_project, post([], "שלום ל-#תגית"))
    _, findings = check(run, root)
    assert [c for c, _ in warnings(findings, "hashtag-not-linked")] == ["bluesky"]
    assert warnings(findings, "hashtag-cut") == []


def test_check_is_quiet_about_tags_every_network_links_whole(
    make_project: MakeProject, run: Run
) -> None:
    root = project(make_project, post(["שַׁבָּת", KRAKOW_NFD, "a·b"], "#Łódź #софия"))
    code, findings = check(run, root)
    assert code == 0
    assert findings == []


# -- mentions -------------------------------------------------------------------------


def test_a_mention_after_a_hebrew_prefix_and_hyphen_is_resolved(
    make_project: MakeProject, run: Run
) -> None:
    root = project(make_project, post([], "תודה ל-@alice ול־@alice"))
    shown = variants(run, root)
    assert shown["x"]["text"] == "תודה ל-@alice_lumen ול־@alice_lumen"
    assert shown["mastodon"]["text"] == "תודה ל-@alice@example.social ול־@alice@example.social"
    assert shown["bluesky"]["text"] == "תודה ל-@alice.example.com ול־@alice.example.com"
    assert shown["linkedin"]["text"] == (
        "תודה ל-@[Alice Example](urn:li:person:abc) ול־@[Alice Example](urn:li:person:abc)"
    )


def test_check_warns_where_bluesky_would_not_link_a_mention_after_a_hyphen_or_maqaf(
    make_project: MakeProject, run: Run
) -> None:
    root = project(make_project, post([], "תודה ל-@alice ול־@alice (@alice) @alice"))
    code, findings = check(run, root)
    assert code == 0
    found = [f for f in findings if f["code"] == "mention-not-linked"]
    assert [(f["channel"], f["hint"]) for f in found] == [
        ("bluesky", "put a space before '@alice'"),
        ("bluesky", "put a space before '@alice'"),
    ]
    assert "after '-' (U+002D HYPHEN-MINUS)" in found[0]["message"]
    assert "after '־' (U+05BE HEBREW PUNCTUATION MAQAF)" in found[1]["message"]
    assert "@alice.example.com" in found[0]["message"]
    assert "only at the start, after a space or after '('" in found[0]["message"]


def test_check_warns_where_mastodon_would_not_link_a_mention_glued_to_a_word(
    make_project: MakeProject, run: Run
) -> None:
    # twitter-text links @alice_lumen after a Hebrew letter; Mastodon and Bluesky do not
    root = project(make_project, post([], "תודה ל@alice"))
    shown = variants(run, root)
    assert shown["x"]["text"] == "תודה ל@alice_lumen"
    _, findings = check(run, root)
    assert [f["channel"] for f in findings if f["code"] == "mention-not-linked"] == [
        "mastodon",
        "bluesky",
    ]


def test_campaign_hashtags_in_nfd_are_the_tags_written_in_nfc(
    make_project: MakeProject, run: Run
) -> None:
    calendar = CALENDAR_YAML.replace("hashtags: [v2]", f"hashtags: [{KRAKOW_NFD}, מנכ״ל]").replace(
        "from: 2026-12-01, to: 2026-12-15", "from: 2027-01-01, to: 2027-01-31"
    )
    text = post([], "Spotkanie #Kraków", extra="campaign: launch\n")
    root = make_project(channels=CHANNELS, calendar=calendar, posts={"p.md": text})
    shown = variants(run, root)
    assert shown["x"]["hashtags"] == ["#מנכ״ל"]
    _, findings = check(run, root)
    cut = [f for f in findings if f["code"] == "hashtag-cut"]
    assert [(f["channel"], f["key"]) for f in cut] == [("mastodon", None)]
    assert "#מנכ״ל as #מנכ" in cut[0]["message"]


def test_check_says_nothing_of_tags_in_links_code_and_comments(
    make_project: MakeProject, run: Run
) -> None:
    body = "ראו https://example.com/#מנכ״ל ל-`#צ׳אטבוט` <!-- #תל־אביב -->"
    root = project(make_project, post([], body))
    _, findings = check(run, root)
    assert [f for f in findings if f["code"].startswith("hashtag")] == []
