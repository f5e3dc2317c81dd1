"""The team's policy and file rules, through `smmgen check` (SPEC §2, §3, §5).

Alt text, banned phrases, sponsored disclosure, hashtag limits, mentions of
people, secrets pasted into files, media paths and channel templates.

"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import CALENDAR_YAML, CHANNELS_YAML

Run = Callable[..., Result]

# Credential-shaped values, assembled at run time so that this file itself
# never holds a string that a secret scanner would flag.
GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0" + "K1l2M3n4O5p6Q7r8"
SLACK_WEBHOOK = "https://hooks.slack.com/services/" + "T0ABCDEF1/B0ABCDEF2/" + "abcdefghijkl" * 2
RANDOM_TOKEN = "Zq8xT3vLm9Kp2Wr7Ys4N" + "d6Hf1Jb5Gc0Ae8Ui3Oo2"
FORMATS = ("text", "json", "github")

ALT_HINT = "describe the image for people who cannot see it: add 'alt: ...'"
BANNED_HINT = "reword it (policy.banned_phrases in channels.yaml)"
DISCLOSURE_HINT = "add '#ad' to the text (policy.sponsored_disclosure)"
HASHTAG_HINT = "remove tags, or change policy.max_hashtags in channels.yaml"
PERSON_MESSAGE = "is not in `people` (channels.yaml), so it is published as typed"
POST_SECRET_HINT = "remove it, revoke it (it is in git history now), and keep it in a CI secret"
CONFIG_SECRET_HINT = (
    "store it as a CI secret and write the NAME of its environment variable here instead"
)


def check(run: Run, root: Path, *args: str) -> Result:
    return run("--root", root, "check", *args)


def lines(result: Result) -> list[str]:
    return result.output.splitlines()


def codes(result: Result) -> list[str]:
    """The finding codes of a `check --format json` run."""
    return [f["code"] for f in json.loads(result.stdout)["findings"]]


def assert_clean(result: Result) -> None:
    assert result.exit_code == 0, result.output
    assert "no problems found" in lines(result)[-1], result.output


# -- alternative text ---------------------------------------------------------


@pytest.mark.parametrize("alt", ["", "    alt: ''\n", "    alt: '   '\n"])
def test_media_without_alt_text_is_an_error(make_project, run, alt):
    post = f"---\nid: a\nmedia:\n  - path: media/a.png\n{alt}---\nHello.\n"
    root = make_project(posts={"a.md": post}, media=["media/a.png"])
    result = check(run, root)
    assert result.exit_code == 1
    assert (
        f"content/a.md:4: error: media[0].alt: 'media/a.png' has no alternative text; {ALT_HINT}"
    ) in lines(result)


def test_missing_alt_text_inside_an_override_names_the_override(make_project, run):
    post = """\
---
id: a
channels: [mastodon, linkedin]
media:
  - path: media/a.png
    alt: A chart going up
overrides:
  linkedin:
    media:
      - path: media/b.png
---
Hello.
"""
    root = make_project(posts={"a.md": post}, media=["media/a.png", "media/b.png"])
    result = check(run, root)
    assert result.exit_code == 1
    assert lines(result) == [
        "content/a.md:10: error: overrides.linkedin.media[0].alt:"
        f" 'media/b.png' has no alternative text; {ALT_HINT}",
        "checked 1 post, 4 channels: 1 error, 0 warnings",
    ]


def test_media_with_alt_text_passes(make_project, run):
    post = "---\nid: a\nmedia:\n  - path: media/a.png\n    alt: A chart going up\n---\nHi.\n"
    root = make_project(posts={"a.md": post}, media=["media/a.png"])
    assert_clean(check(run, root))


def test_alt_text_is_not_required_when_the_policy_says_so(make_project, run):
    channels = CHANNELS_YAML.replace("require_alt_text: true", "require_alt_text: false")
    post = "---\nid: a\nmedia:\n  - path: media/a.png\n---\nHello.\n"
    root = make_project(channels=channels, posts={"a.md": post}, media=["media/a.png"])
    assert_clean(check(run, root))


# -- banned phrases -----------------------------------------------------------


def test_banned_phrase_in_the_body_points_at_its_line(make_project, run):
    post = """\
---
id: b
publish_at: 2026-12-01 09:00
---
First line of the body.
Second line.
Invest now for Guaranteed Returns!
"""
    root = make_project(posts={"b.md": post})
    result = check(run, root)
    assert result.exit_code == 1
    assert lines(result) == [
        "content/b.md:7: error: contains the banned phrase 'guaranteed returns'; " + BANNED_HINT,
        "checked 1 post, 4 channels: 1 error, 0 warnings",
    ]


def test_banned_phrase_in_an_override_text_names_the_key(make_project, run):
    post = """\
---
id: b
channels: [mastodon, linkedin]
overrides:
  linkedin:
    text: Our fund has guaranteed returns.
---
A harmless body.
"""
    root = make_project(posts={"b.md": post})
    result = check(run, root)
    assert result.exit_code == 1
    assert lines(result) == [
        "content/b.md:6: error: overrides.linkedin.text: contains the banned phrase"
        f" 'guaranteed returns'; {BANNED_HINT}",
        "checked 1 post, 4 channels: 1 error, 0 warnings",
    ]


def test_text_without_banned_phrases_passes(make_project, run):
    post = "---\nid: b\n---\nReturns are guaranteed to be processed within a day.\n"
    assert_clean(check(run, make_project(posts={"b.md": post})))


# -- sponsored disclosure -----------------------------------------------------


def test_sponsored_post_without_disclosure_in_the_body(make_project, run):
    post = "---\nid: s\nsponsored: true\n---\nTry our partner's product.\n"
    result = check(run, make_project(posts={"s.md": post}))
    assert result.exit_code == 1
    assert lines(result) == [
        "content/s.md:5: error: post 's' is sponsored but the text lacks the disclosure"
        f" '#ad'; {DISCLOSURE_HINT}",
        "checked 1 post, 4 channels: 1 error, 0 warnings",
    ]


def test_sponsored_post_without_disclosure_in_an_override_text(make_project, run):
    post = """\
---
id: s
sponsored: true
channels: [mastodon, linkedin]
overrides:
  linkedin:
    text: Try our partner's product, now on LinkedIn.
---
Try our partner's product. #ad
"""
    result = check(run, make_project(posts={"s.md": post}))
    assert result.exit_code == 1
    assert lines(result) == [
        "content/s.md:7: error: overrides.linkedin.text: post 's' is sponsored but the"
        f" linkedin text lacks the disclosure '#ad'; {DISCLOSURE_HINT}",
        "checked 1 post, 4 channels: 1 error, 0 warnings",
    ]


def test_sponsored_only_on_one_channel_through_an_override(make_project, run):
    post = """\
---
id: s
channels: [mastodon, linkedin]
overrides:
  linkedin:
    sponsored: true
---
Try our partner's product.
"""
    result = check(run, make_project(posts={"s.md": post}), "--format", "json")
    assert result.exit_code == 1
    assert codes(result) == ["missing-disclosure"]


def test_sponsored_post_with_disclosure_passes(make_project, run):
    post = """\
---
id: s
sponsored: true
channels: [mastodon, linkedin]
overrides:
  linkedin:
    text: "Try our partner's product, now on LinkedIn. #AD"
---
Try our partner's product. #ad
"""
    assert_clean(check(run, make_project(posts={"s.md": post})))


def test_disclosure_is_not_required_when_not_sponsored(make_project, run):
    post = "---\nid: s\nsponsored: false\n---\nTry our own product.\n"
    assert_clean(check(run, make_project(posts={"s.md": post})))


def test_a_longer_hashtag_is_not_a_disclosure(make_project, run):
    """Regression: '#adventure' contains '#ad' as a substring and counts as disclosure."""
    post = "---\nid: s\nsponsored: true\n---\nJoin our #adventure, paid for by our partner.\n"
    result = check(run, make_project(posts={"s.md": post}), "--format", "json")
    assert codes(result) == ["missing-disclosure"], result.output


# -- hashtags -----------------------------------------------------------------


def test_tags_inline_hashtags_and_campaign_hashtags_all_count(make_project, run):
    # mastodon: release, opensource (tags) + launch (inline) + v2 (campaign) = 4 > 3
    # linkedin: the same 4 <= 5
    post = """\
---
id: h
channels: [mastodon, linkedin]
tags: [release, opensource]
campaign: launch
publish_at: 2026-12-02 09:00
---
Our #launch day.
"""
    result = check(run, make_project(posts={"h.md": post}))
    assert result.exit_code == 1
    assert lines(result) == [
        "content/h.md:4: error: tags: 4 hashtags on mastodon; the policy allows at most 3; "
        + HASHTAG_HINT,
        "checked 1 post, 4 channels: 1 error, 0 warnings",
    ]


def test_linkedin_allows_five_hashtags_and_not_six(make_project, run):
    five = "---\nid: h\nchannels: [linkedin]\ntags: [a, b, c, d, e]\n---\nText.\n"
    assert_clean(check(run, make_project(posts={"h.md": five})))
    six = "---\nid: h\nchannels: [linkedin]\ntags: [a, b, c, d, e]\n---\nText #f.\n"
    result = check(run, make_project(posts={"h.md": six}))
    assert result.exit_code == 1
    assert (
        "content/h.md:4: error: tags: 6 hashtags on linkedin; the policy allows at most 5; "
        + HASHTAG_HINT
    ) in lines(result)


def test_default_limit_is_three(make_project, run):
    three = "---\nid: h\nchannels: [mastodon, bluesky]\ntags: [a, b]\n---\nText #c.\n"
    assert_clean(check(run, make_project(posts={"h.md": three})))
    four = "---\nid: h\nchannels: [mastodon, bluesky]\ntags: [a, b]\n---\nText #c #d.\n"
    result = check(run, make_project(posts={"h.md": four}))
    assert result.exit_code == 1
    assert (
        "content/h.md:4: error: tags: 4 hashtags on mastodon, bluesky; the policy allows at"
        f" most 3; {HASHTAG_HINT}"
    ) in lines(result)


def test_the_same_hashtag_twice_counts_once(make_project, run):
    post = "---\nid: h\nchannels: [mastodon]\ntags: [release]\n---\nThe #Release, #x and #y.\n"
    assert_clean(check(run, make_project(posts={"h.md": post})))


def test_channel_with_hashtags_none_does_not_count_tags(make_project, run):
    channels = CHANNELS_YAML.replace(
        "  feed:\n    type: feed\n", "  feed:\n    type: feed\n    hashtags: none\n"
    )
    post = "---\nid: h\nchannels: [feed]\ntags: [a, b, c, d, e]\n---\nText.\n"
    assert_clean(check(run, make_project(channels=channels, posts={"h.md": post})))

    # the same tags on a channel that places them at the end are too many
    both = "---\nid: h\nchannels: [feed, mastodon]\ntags: [a, b, c, d, e]\n---\nText.\n"
    result = check(run, make_project(channels=channels, posts={"h.md": both}))
    assert result.exit_code == 1
    assert lines(result)[0] == (
        "content/h.md:4: error: tags: 5 hashtags on mastodon; the policy allows at most 3; "
        + HASHTAG_HINT
    )

    # hashtags typed into the text still count there
    inline = "---\nid: h\nchannels: [feed]\ntags: [a]\n---\nText #b #c #d #e.\n"
    result = check(run, make_project(channels=channels, posts={"h.md": inline}))
    assert result.exit_code == 1
    assert "4 hashtags on feed; the policy allows at most 3" in result.output


# -- mentions of people -------------------------------------------------------


def test_unknown_person_is_a_warning_and_an_error_with_strict(make_project, run):
    post = "---\nid: m\n---\nThanks to @alcie for the review.\n"
    root = make_project(posts={"m.md": post})

    result = check(run, root)
    assert result.exit_code == 0, result.output
    assert lines(result)[0].startswith(f"content/m.md:4: warning: @alcie {PERSON_MESSAGE}; ")
    assert lines(result)[-1] == "checked 1 post, 4 channels: 0 errors, 1 warning"

    strict = check(run, root, "--strict")
    assert strict.exit_code == 1
    assert lines(strict)[-1] == (
        "checked 1 post, 4 channels: 0 errors, 1 warning (--strict: warnings count as errors)"
    )


def test_unknown_person_hint_names_the_mention(make_project, run):
    """The hint names what to type in the post: '@alice' (wording from the brief).

    Regression: the hint once named 'alice' without the '@'.
    """
    post = "---\nid: m\n---\nThanks to @alcie for the review.\n"
    result = check(run, make_project(posts={"m.md": post}))
    assert lines(result)[0] == (
        f"content/m.md:4: warning: @alcie {PERSON_MESSAGE}; did you mean '@alice'?"
    )


def test_unknown_person_without_a_close_name_says_how_to_add_them(make_project, run):
    post = """\
---
id: m
channels: [mastodon, linkedin]
overrides:
  linkedin:
    text: Thanks @zed
---
Hello.
"""
    result = check(run, make_project(posts={"m.md": post}))
    assert result.exit_code == 0
    assert lines(result)[0] == (
        f"content/m.md:6: warning: overrides.linkedin.text: @zed {PERSON_MESSAGE};"
        " add them to `people` with their handles"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Thanks @alice!",
        "Thanks @alice.",
        "Write to press@example.com or alice@example.org.",
        "See https://example.social/@someone for details.",
    ],
)
def test_known_people_emails_and_urls_are_not_warned(make_project, run, text):
    post = f"---\nid: m\n---\n{text}\n"
    assert_clean(check(run, make_project(posts={"m.md": post})))


@pytest.mark.parametrize("text", ["Thanks @alice@example.social!", "Ask @bob@example.social."])
def test_full_fediverse_handles_are_not_warned(make_project, run, text):
    """Regression: '@alice@example.social' is reported as an unknown '@alic'
    (the mention pattern backtracks to a shorter name)."""
    post = f"---\nid: m\n---\n{text}\n"
    result = check(run, make_project(posts={"m.md": post}))
    assert "warning" not in result.output, result.output


# -- secrets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "what"),
    [(GITHUB_TOKEN, "a GitHub token"), (SLACK_WEBHOOK, "a Slack webhook URL")],
    ids=["github-token", "slack-webhook"],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_secret_in_a_post_body_is_an_error_that_never_echoes_it(
    make_project, run, secret, what, fmt
):
    post = f"---\nid: s\n---\nHello.\nOops, pasted {secret} here.\n"
    result = check(run, make_project(posts={"s.md": post}), "--format", fmt)
    assert result.exit_code == 1
    assert secret not in result.output
    assert secret not in result.stderr
    message = f"contains what looks like {what}; secrets never go in files"
    if fmt == "text":
        assert lines(result)[0] == f"content/s.md:5: error: {message}; {POST_SECRET_HINT}"
    elif fmt == "github":
        assert lines(result)[0] == (
            "::error file=content/s.md,line=5,title=smmgen secret-in-file::"
            f"{message}; {POST_SECRET_HINT}"
        )
    else:
        (finding,) = json.loads(result.stdout)["findings"]
        assert finding["code"] == "secret-in-file"
        assert (finding["file"], finding["line"]) == ("content/s.md", 5)
        assert finding["message"] == message


@pytest.mark.parametrize(
    "front",
    [f"link: {GITHUB_TOKEN}", f"campaign: {GITHUB_TOKEN}", f"language: {GITHUB_TOKEN}"],
    ids=["link", "campaign", "language"],
)
def test_secret_in_front_matter_is_reported_and_not_echoed(make_project, run, front):
    """Regression: a token pasted into a front matter field fails validation, the post
    is dropped before the secret rule runs, and the validation message quotes it."""
    post = f"---\nid: s\n{front}\n---\nHello.\n"
    result = check(run, make_project(posts={"s.md": post}), "--format", "json")
    assert result.exit_code == 1
    assert GITHUB_TOKEN not in result.output
    assert "secret-in-file" in codes(result)


@pytest.mark.parametrize("fmt", FORMATS)
def test_secrets_in_channels_yaml_are_reported_without_their_values(make_project, run, fmt):
    channels = CHANNELS_YAML.replace(
        "    token_env: SMMGEN_MASTODON_TOKEN\n",
        f"    token_env: SMMGEN_MASTODON_TOKEN\n    token: {RANDOM_TOKEN}\n",
    ).replace("token_env: SMMGEN_LINKEDIN_TOKEN", f"token_env: {GITHUB_TOKEN}")
    result = check(run, make_project(channels=channels), "--format", fmt)
    assert result.exit_code == 1
    for secret in (RANDOM_TOKEN, GITHUB_TOKEN):
        assert secret not in result.output
        assert secret not in result.stderr
    if fmt == "text":
        assert lines(result) == [
            "channels.yaml:9: error: channels.mastodon.token: holds a secret in a file;"
            " secrets never go in files; store it as a CI secret and write"
            " 'token_env: NAME_OF_THE_VARIABLE' instead",
            "channels.yaml:17: error: channels.linkedin.token_env: looks like a GitHub token;"
            f" secrets never go in files; {CONFIG_SECRET_HINT}",
            "checked 1 post, 2 channels: 2 errors, 0 warnings",
        ]
    elif fmt == "json":
        found = [
            (f["code"], f["file"], f["line"], f["key"])
            for f in json.loads(result.stdout)["findings"]
        ]
        assert found == [
            ("secret-in-file", "channels.yaml", 9, "channels.mastodon.token"),
            ("secret-in-file", "channels.yaml", 17, "channels.linkedin.token_env"),
        ]
    else:
        assert lines(result)[0].startswith(
            "::error file=channels.yaml,line=9,title=smmgen secret-in-file::"
        )


def test_secret_looking_value_under_an_ordinary_key(make_project, run):
    channels = CHANNELS_YAML.replace(
        'bluesky: "@alice.example.com"}', f'bluesky: "@alice.example.com", x: {RANDOM_TOKEN}}}'
    )
    calendar = CALENDAR_YAML.replace(
        "hashtags: [v2]}", f"hashtags: [v2], description: {GITHUB_TOKEN}}}"
    )
    result = check(run, make_project(channels=channels, calendar=calendar))
    assert result.exit_code == 1
    assert RANDOM_TOKEN not in result.output
    assert GITHUB_TOKEN not in result.output
    assert lines(result) == [
        "calendar.yaml:9: error: campaigns.launch.description: looks like a GitHub token;"
        f" secrets never go in files; {CONFIG_SECRET_HINT}",
        "channels.yaml:20: error: people.alice.x: looks like a generated token;"
        f" secrets never go in files; {CONFIG_SECRET_HINT}",
        "checked 1 post, 4 channels: 2 errors, 0 warnings",
    ]


def test_environment_variable_names_are_not_secrets(make_project, run):
    assert_clean(check(run, make_project()))


# -- media paths --------------------------------------------------------------


def media_post(path: str) -> str:
    return f"---\nid: m\nmedia:\n  - path: {path}\n    alt: A picture\n---\nHello.\n"


def test_missing_media_suggests_a_close_file_name(make_project, run):
    root = make_project(
        posts={"m.md": media_post("media/dashbord.png")}, media=["media/dashboard.png"]
    )
    result = check(run, root)
    assert result.exit_code == 1
    assert lines(result) == [
        "content/m.md:4: error: media[0].path: 'media/dashbord.png' does not exist;"
        " did you mean 'media/dashboard.png'?",
        "checked 1 post, 4 channels: 1 error, 0 warnings",
    ]


def test_missing_media_without_a_close_name(make_project, run):
    root = make_project(posts={"m.md": media_post("media/zzz.gif")}, media=["media/dashboard.png"])
    result = check(run, root)
    assert result.exit_code == 1
    assert lines(result)[0] == (
        "content/m.md:4: error: media[0].path: 'media/zzz.gif' does not exist;"
        " paths are relative to the repository root"
    )


def test_missing_media_in_an_override(make_project, run):
    post = """\
---
id: m
channels: [mastodon, linkedin]
overrides:
  linkedin:
    media:
      - path: media/dashbord.png
        alt: A dashboard
---
Hello.
"""
    root = make_project(posts={"m.md": post}, media=["media/dashboard.png"])
    result = check(run, root)
    assert result.exit_code == 1
    assert lines(result)[0] == (
        "content/m.md:7: error: overrides.linkedin.media[0].path: 'media/dashbord.png'"
        " does not exist; did you mean 'media/dashboard.png'?"
    )


def test_media_that_is_a_directory(make_project, run):
    root = make_project(posts={"m.md": media_post("media")}, media=["media/dashboard.png"])
    result = check(run, root)
    assert result.exit_code == 1
    assert lines(result)[0] == (
        "content/m.md:4: error: media[0].path: 'media' is a directory, not a file"
    )


@pytest.mark.parametrize("path", ["/etc/hostname", "C:/photos/a.png"])
def test_absolute_media_path(make_project, run, path):
    result = check(run, make_project(posts={"m.md": media_post(path)}))
    assert result.exit_code == 1
    assert lines(result)[0] == (
        f"content/m.md:4: error: media[0].path: '{path}' is an absolute path;"
        " write it relative to the repository root, like media/photo.png"
    )


def test_media_outside_the_repository(make_project, run, tmp_path):
    root = make_project(posts={"m.md": media_post("../outside.png")})
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert root.parent == tmp_path
    result = check(run, root)
    assert result.exit_code == 1
    assert lines(result)[0] == (
        "content/m.md:4: error: media[0].path: '../outside.png' is outside the repository;"
        " media must live inside the repository: copy the file into media/"
    )


def test_existing_media_passes(make_project, run):
    root = make_project(
        posts={"m.md": media_post("media/dashboard.png")}, media=["media/dashboard.png"]
    )
    assert_clean(check(run, root))


# -- channel templates --------------------------------------------------------


FEED_WITH_TEMPLATE = CHANNELS_YAML.replace(
    "  feed:\n    type: feed\n", "  feed:\n    type: feed\n    template: feed.j2\n"
)


def test_channel_template_that_does_not_exist(make_project, run):
    root = make_project(channels=FEED_WITH_TEMPLATE)
    result = check(run, root)
    assert result.exit_code == 1
    assert lines(result)[0].startswith(
        "channels.yaml:19: error: channels.feed.template: template 'feed.j2' not found in"
        " templates/"
    )
    assert lines(result)[-1] == "checked 1 post, 4 channels: 1 error, 0 warnings"


def test_channel_template_that_exists_passes(make_project, run):
    root = make_project(channels=FEED_WITH_TEMPLATE)
    (root / "templates").mkdir()
    (root / "templates" / "feed.j2").write_text("{{ text }}\n", encoding="utf-8")
    assert_clean(check(run, root))


def test_template_suggestion_is_a_template_name(make_project, run):
    """Regression: the hint suggests 'templates/feed.jinja', but `template:` names are
    relative to templates/, so following the hint gives templates/templates/feed.jinja."""
    root = make_project(channels=FEED_WITH_TEMPLATE)
    (root / "templates").mkdir()
    (root / "templates" / "feed.jinja").write_text("{{ text }}\n", encoding="utf-8")
    result = check(run, root)
    assert lines(result)[0] == (
        "channels.yaml:19: error: channels.feed.template: template 'feed.j2' not found in"
        " templates/; did you mean 'feed.jinja'?"
    )
