"""Every kind of bad input gets one exact message naming file, line and key.

Each case copies a fixture file (tests/fixtures/) into an otherwise valid
project and asserts the whole line ``check`` prints, and that nothing else
about that file and no traceback reaches the user.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, MakeProject

POST_CASES = {
    "malformed_yaml.md": [
        "content/malformed_yaml.md:3: error: front matter: invalid YAML: mapping values are"
        " not allowed in this context (column 14); check the indentation, and quote values"
        " that contain ': ' or '#' or start with '@'"
    ],
    "unclosed_front_matter.md": [
        "content/unclosed_front_matter.md:1: error: front matter starts on line 1 but has no"
        " closing '---' line; add a line with only '---' after the last front matter key"
    ],
    "wrong_types.md": [
        "content/wrong_types.md:4: error: channels: expected a list or 'all', got the text"
        " 'mastodon'; write [a, b] or one '- item' per line",
        "content/wrong_types.md:5: error: draft: expected true or false, got the text 'maybe'",
        "content/wrong_types.md:6: error: media: expected a list, got the text"
        " 'media/photo.png'; write [a, b] or one '- item' per line",
    ],
    "unknown_key.md": [
        "content/unknown_key.md:4: error: chanels: unknown key; did you mean 'channels'?"
    ],
    "unknown_channel.md": [
        "content/unknown_channel.md:4: error: channels[1]: unknown channel 'blusky';"
        " did you mean 'bluesky'?",
        "content/unknown_channel.md:6: error: overrides.twitter: unknown channel 'twitter';"
        " channels are 'bluesky', 'feed', 'linkedin' or 'mastodon'",
    ],
    "bad_date.md": [
        "content/bad_date.md:4: error: publish_at: '2026-12-32 09:00' is not a valid date and"
        " time: day is out of range for month"
    ],
    "dst_nonexistent_time.md": [
        "content/dst_nonexistent_time.md:4: error: publish_at: 2027-03-28 02:30 does not exist"
        " in Europe/Berlin: clocks go forward that night (UTC+01:00 to UTC+02:00); pick a time"
        " outside the skipped interval, or write the time with an explicit offset"
    ],
    "dst_ambiguous_time.md": [
        "content/dst_ambiguous_time.md:4: error: publish_at: 2026-10-25 02:30 happens twice in"
        " Europe/Berlin: clocks go back that night; write it with an explicit offset:"
        " 2026-10-25T02:30:00+02:00 (the first) or 2026-10-25T02:30:00+01:00 (the second)"
    ],
    "missing_media.md": [
        "content/missing_media.md:5: error: media[0].path: 'media/dashbord.png' does not"
        " exist; did you mean 'media/dashboard.png'?"
    ],
    "media_outside_repository.md": [
        "content/media_outside_repository.md:5: error: media[0].path: '../../etc/passwd' is"
        " outside the repository; media must live inside the repository: copy the file into"
        " media/"
    ],
    "empty.md": [
        "content/empty.md:1: error: is empty; write the post's text, with front matter between"
        " '---' lines above it, or create one with `smmgen new TITLE`"
    ],
    "binary.md": [
        "content/binary.md:1: error: is a binary file, not text; posts and configuration are"
        " UTF-8 text; move images to media/ and list them under `media`"
    ],
    "not_utf8.md": [
        "content/not_utf8.md:3: error: is not valid UTF-8: byte 0xe9 at column 11; save the"
        " file as UTF-8 in your editor"
    ],
}

CONFIG_CASES = {
    ("channels.yaml", "channels_with_token.yaml"): [
        "channels.yaml:2: error: channels.mastodon.token_env: required key is missing"
        " (Variable holding the account's access token)",
        "channels.yaml:5: error: channels.mastodon.token: holds a secret in a file; secrets"
        " never go in files; store it as a CI secret and write 'token_env:"
        " NAME_OF_THE_VARIABLE' instead",
        "channels.yaml:8: error: channels.slack.webhook_url_env: looks like a Slack webhook"
        " URL; secrets never go in files; store it as a CI secret and write the NAME of its"
        " environment variable here instead",
    ],
    ("channels.yaml", "channels_malformed.yaml"): [
        "channels.yaml:4: error: invalid YAML: mapping values are not allowed in this context"
        " (column 15); check the indentation, and quote values that contain ': ', '#' or"
        " start with '@'"
    ],
    ("channels.yaml", "channels_unknown_type.yaml"): [
        "channels.yaml:3: error: channels.mastodon.type: unknown channel type 'mastadon';"
        " expected 'bluesky', 'discord', 'facebook', 'feed', 'linkedin', 'mastodon', 'slack',"
        " 'telegram', 'threads', 'webhook' or 'x'; did you mean 'mastodon'?",
        "channels.yaml:10: error: channels.bluesky.visibilty: unknown key; known keys:"
        " enabled, template, hashtags, link, utm, limits, display_name, avatar, api_base, type,"
        " handle, service, password_env",
    ],
    ("calendar.yaml", "calendar_bad_timezone.yaml"): [
        "calendar.yaml:1: error: timezone: unknown time zone 'Europe/Berln': expected an IANA"
        " name like 'Europe/Berlin'; did you mean 'Europe/Berlin'?",
        "calendar.yaml:3: error: slots.default[0]: 'Mon 9am' is not a slot: write a weekday"
        " and a 24-hour time, like 'Mon 09:00'",
        "calendar.yaml:4: error: slots.mastodn: unknown channel 'mastodn'; did you mean"
        " 'mastodon'?",
        "calendar.yaml:5: error: max_lateness: 'soon' is not a duration; write it like '6h',"
        " '10m' or '1h30m'",
    ],
}


def _lines_about(output: str, file: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(file + ":")]


@pytest.mark.parametrize("fixture", sorted(POST_CASES))
def test_bad_post_file(fixture: str, make_project: MakeProject, run) -> None:
    root = make_project(fixtures=[fixture], media=["media/dashboard.png"])
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert _lines_about(result.output, f"content/{fixture}") == POST_CASES[fixture]
    assert "Traceback" not in result.output
    # the valid post next to it is still loaded and counted; a post whose media is bad
    # loads (its problem is found by a rule), one that cannot be read does not
    loaded = 2 if "media" in fixture else 1
    assert f"checked {loaded} post{'s' if loaded > 1 else ''}," in result.output.splitlines()[-1]


@pytest.mark.parametrize(("target", "fixture"), sorted(CONFIG_CASES))
def test_bad_config_file(target: str, fixture: str, make_project: MakeProject, run) -> None:
    root = make_project()
    (root / target).write_bytes((FIXTURES / "config" / fixture).read_bytes())
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert _lines_about(result.output, target) == CONFIG_CASES[(target, fixture)]
    assert "Traceback" not in result.output


def test_duplicate_id_names_both_files(make_project: MakeProject, run) -> None:
    root = make_project(fixtures=["duplicate_id_first.md", "duplicate_id_second.md"])
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert _lines_about(result.output, "content/duplicate_id_second.md") == [
        "content/duplicate_id_second.md:3: error: id: id '2026-12-01-same' is also the id of"
        " content/duplicate_id_first.md (line 2); every post needs its own id: change one of"
        " them (never the one already published: publishing is recorded under the id)"
    ]
    assert _lines_about(result.output, "content/duplicate_id_first.md") == []


def test_secret_value_is_never_printed(make_project: MakeProject, run) -> None:
    root = make_project()
    (root / "channels.yaml").write_bytes(
        (FIXTURES / "config" / "channels_with_token.yaml").read_bytes()
    )
    for fmt in ("text", "json", "github"):
        output = run("--root", root, "check", "--format", fmt).output
        assert "9mXc4Qw8ZtR2vLp7KsN3bH6yF1dJ5gTa0eUiOq" not in output
        assert "abcdefghijklmnopqrstuvwx" not in output


def test_all_errors_of_a_run_are_collected(make_project: MakeProject, run) -> None:
    root = make_project(fixtures=sorted(POST_CASES), media=["media/dashboard.png"])
    result = run("--root", root, "check")
    expected = sum(len(lines) for lines in POST_CASES.values())
    assert f"{expected} errors, 0 warnings" in result.output.splitlines()[-1]


def test_no_traceback_from_the_installed_command(make_project: MakeProject) -> None:
    """The real entry point, in a subprocess, over every bad fixture at once."""
    root = make_project(fixtures=sorted(POST_CASES), media=["media/dashboard.png"])
    for fixture in ("channels_malformed.yaml", "channels_with_token.yaml"):
        (root / "channels.yaml").write_bytes((FIXTURES / "config" / fixture).read_bytes())
        for fmt in ("text", "json", "github"):
            proc = subprocess.run(
                [sys.executable, "-m", "smmgen", "--root", str(root), "check", "--format", fmt],
                capture_output=True,
                text=True,
                env={**os.environ, "NO_COLOR": "1"},
                check=False,
            )
            assert proc.returncode == 1, proc.stderr
            assert "Traceback" not in proc.stdout + proc.stderr
            assert proc.stdout.strip()


def test_fixture_files_are_what_they_claim(tmp_path: Path) -> None:
    posts = FIXTURES / "posts"
    assert (posts / "empty.md").read_bytes() == b""
    assert b"\x00" in (posts / "binary.md").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        (posts / "not_utf8.md").read_bytes().decode("utf-8")
