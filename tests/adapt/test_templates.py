"""Per-channel Jinja2 templates: post text is data, templates run in a sandbox,
and every template problem is a `check` error that names the template (SPEC §3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import CALENDAR_YAML, MakeProject, write

Run = Callable[..., Result]

CHANNELS = """\
defaults:
  channels: [fancy, plain]
  utm: {utm_source: "{channel}", utm_campaign: "{campaign}"}
channels:
  fancy:
    type: mastodon
    instance: https://mastodon.example
    token_env: SMMGEN_MASTODON_TOKEN
    template: fancy.j2
  plain:
    type: mastodon
    instance: https://mastodon.example
    token_env: SMMGEN_MASTODON_TOKEN
"""

POST = """\
---
id: p
title: The v2 launch
link: https://example.com/v2
campaign: launch
tags: [release, opensource]
---
It is **out**.
"""
BODY_LINE = 8

LINK = "https://example.com/v2?utm_source=fancy&utm_campaign=launch"


def project(make_project: MakeProject, template: str | None, body: str | None = None) -> Path:
    text = POST if body is None else POST.replace("It is **out**.", body)
    root = make_project(channels=CHANNELS, calendar=CALENDAR_YAML, posts={"p.md": text})
    if template is not None:
        write(root / "templates" / "fancy.j2", template)
    return root


def shown(run: Run, root: Path) -> dict[str, dict[str, Any]]:
    result = run("--root", root, "show", "p", "--format", "json")
    assert result.exit_code == 0, result.output
    return {v["channel"]: v for v in json.loads(result.stdout)["variants"]}


def findings(run: Run, root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run("--root", root, "check", "--format", "json")
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_a_template_renders_text_link_hashtags_and_post_fields(
    make_project: MakeProject, run: Run
) -> None:
    template = "[{{ post.title }}] {{ text }}\n{{ link }}\n{{ hashtags|join(' ') }}\n"
    root = project(make_project, template)
    variants = shown(run, root)
    assert variants["fancy"]["text"] == (
        f"[The v2 launch] It is out.\n{LINK}\n#release #opensource #v2"
    )
    # With a template smmgen appends nothing itself; the other channel is unchanged.
    assert variants["plain"]["text"] == (
        "It is out.\n\nhttps://example.com/v2?utm_source=plain&utm_campaign=launch"
        "\n\n#release #opensource #v2"
    )
    assert findings(run, root) == (0, [])


def test_a_template_sees_the_channel_and_network(make_project: MakeProject, run: Run) -> None:
    root = project(make_project, "{{ channel }} on {{ network }}: {{ post.id }}")
    assert shown(run, root)["fancy"]["text"] == "fancy on mastodon: p"


def test_template_code_in_a_post_is_written_literally(make_project: MakeProject, run: Run) -> None:
    body = "Math: {{ 7*7 }} and {% for i in range(3) %}x{% endfor %} and {# no #}."
    root = project(make_project, "{{ text }}", body=body)
    assert shown(run, root)["fancy"]["text"] == body
    assert findings(run, root) == (0, [])


def test_template_code_in_an_override_text_is_written_literally(
    make_project: MakeProject, run: Run
) -> None:
    text = POST.replace("tags:", 'overrides:\n  fancy:\n    text: "{{ 7*7 }}"\ntags:')
    root = make_project(channels=CHANNELS, calendar=CALENDAR_YAML, posts={"p.md": text})
    write(root / "templates" / "fancy.j2", "{{ text }}|{{ post.title }}")
    assert shown(run, root)["fancy"]["text"] == "{{ 7*7 }}|The v2 launch"


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ text.__class__.__base__.__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ ''|attr('__class__') }}",
        "{{ '{0.__class__}'.format(text) }}",
    ],
)
def test_the_sandbox_stops_a_template_reaching_python_internals(
    make_project: MakeProject, run: Run, escape: str
) -> None:
    root = project(make_project, f"before {escape} after")
    code, found = findings(run, root)
    assert code == 1
    assert [(f["code"], f["file"], f["line"], f["channel"]) for f in found] == [
        ("template-error", "content/p.md", BODY_LINE, "fancy")
    ]
    assert found[0]["message"].startswith("fancy: template failed: access to attribute '")
    assert found[0]["message"].endswith(" is unsafe. (templates/fancy.j2)")
    # Nothing of the template's output leaks into the variant.
    assert "before" not in shown(run, root)["fancy"]["text"]


def test_a_template_runtime_error_names_the_template(make_project: MakeProject, run: Run) -> None:
    root = project(make_project, "{{ ''.__class__.__mro__ }}")
    result = run("--root", root, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"content/p.md:{BODY_LINE}: error: fancy: template failed: access to attribute"
        " '__class__' of 'str' object is unsafe. (templates/fancy.j2)"
    )


def test_an_undefined_variable_is_a_template_error(make_project: MakeProject, run: Run) -> None:
    root = project(make_project, "{{ text }} {{ nope }}")
    code, found = findings(run, root)
    assert code == 1
    assert [(f["code"], f["line"], f["message"]) for f in found] == [
        (
            "template-error",
            BODY_LINE,
            "fancy: template failed: 'nope' is undefined (templates/fancy.j2)",
        )
    ]


def test_a_template_syntax_error_names_the_template_and_its_line(
    make_project: MakeProject, run: Run
) -> None:
    """Reported for each post rendered with it, and once on the channel's
    ``template`` key (every template a channel can reach is parsed, posts or not)."""
    root = project(make_project, "line one\nline two\n{% if %}\n")
    code, found = findings(run, root)
    assert code == 1
    assert [(f["code"], f["file"], f["line"], f["message"]) for f in found] == [
        (
            "template-error",
            "channels.yaml",
            9,
            "templates/fancy.j2, line 3: Expected an expression, got 'end of statement block'",
        ),
        (
            "template-error",
            "content/p.md",
            BODY_LINE,
            "fancy: template syntax error: Expected an expression, got 'end of statement block'"
            " (templates/fancy.j2, line 3)",
        ),
    ]
    result = run("--root", root, "check")
    assert result.stdout.splitlines()[1] == (
        f"content/p.md:{BODY_LINE}: error: fancy: template syntax error: Expected an expression,"
        " got 'end of statement block' (templates/fancy.j2, line 3)"
    )


def test_a_missing_template_is_reported_in_channels_yaml(
    make_project: MakeProject, run: Run
) -> None:
    root = project(make_project, None)
    code, found = findings(run, root)
    assert code == 1
    missing = [f for f in found if f["code"] == "missing-template"]
    assert [(f["file"], f["line"], f["key"], f["message"], f["hint"]) for f in missing] == [
        (
            "channels.yaml",
            9,
            "channels.fancy.template",
            "template 'fancy.j2' not found in templates/",
            "names are relative to templates/",
        )
    ]


def test_a_missing_template_is_reported_once_not_for_every_post(
    make_project: MakeProject, run: Run
) -> None:
    """Besides the missing-template error in channels.yaml, each post gets a
    template-error naming the absolute search path: one problem, N+1 errors."""
    root = project(make_project, None)
    _, found = findings(run, root)
    assert [f["code"] for f in found] == ["missing-template"]
