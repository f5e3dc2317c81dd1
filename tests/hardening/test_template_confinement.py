"""Issue 11, class 6: templates read only regular files inside ``templates/``.

A channel's template, and everything it reaches through ``include``,
``import``, ``from ... import`` and ``extends``, may read only regular files
inside the project's ``templates/`` once symlinks are resolved. Every way out
is tried: a symlink to a file or a directory outside, symlink chains, ``..``,
absolute names, each tag, nesting through a legitimate template, a FIFO (must
not hang), ``/proc/self/environ``, ``/dev/zero`` (must not hang or eat
memory), a symlink loop, a directory, a computed name, ``templates/`` itself
leading out. ``check`` refuses each with a finding on the channel's
``template`` key; ``publish`` (a subprocess whose environment holds a secret)
sends nothing holding the secret or the outside file, and prints none of it.
Names made of every segment that leads somewhere are generated (hypothesis):
whatever the name, what the loader returns is a regular file inside
``templates/``; and any chain of tags ending at a way out is refused by the
static check and renders nothing from outside.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import TemplateNotFound

from smmgen.adapt.templates import (
    ConfinedLoader,
    TemplateProblem,
    TemplateRefused,
    _environment,
    render_template,
    template_problems,
    templates_directory,
)
from smmgen.commands.publish import ledger_init
from tests.conftest import REPO, write
from tests.servers.webhook import WebhookServer

Run = Callable[..., Result]
T = TypeVar("T")

FILE_SECRET = "outside-file-" + secrets.token_hex(12)  # what the file outside holds
ENV_SECRET = "ci-secret-" + secrets.token_hex(12)  # in the environment of the commands run
ENV_NAME = "SMMGEN_TEST_CI_SECRET"

CALENDAR = "timezone: UTC\nmax_lateness: 6h\nmin_gap: 0m\n"
POST = """\
---
id: launch
title: out-file
publish_at: 2026-11-25 11:30
channels: all
---
The launch post.
"""


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``, failing the test if it takes longer (a FIFO must never hang us)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (blocked on a FIFO?)"
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


# -- the tree: a project whose templates/ holds every way out ---------------------------


@dataclass
class Tree:
    base: Path
    root: Path  # the project
    templates: Path
    outside: Path  # a directory beside the project, holding FILE_SECRET


def build_tree(base: Path) -> Tree:
    root, outside = base / "project", base / "outside"
    templates = root / "templates"
    (templates / "sub").mkdir(parents=True)
    (outside / "deeper").mkdir(parents=True)
    (outside / "secret.txt").write_text(FILE_SECRET)
    (outside / "deeper" / "secret.txt").write_text(FILE_SECRET)
    (outside / "evil.j2").write_text("{{ '" + FILE_SECRET + "' }}")
    (root / "notes.txt").write_text("inside the project, outside templates/")
    (templates / "ok.j2").write_text("ok")
    (templates / "sub" / "inner.j2").write_text("inner")
    links = {
        "out-file": "../../outside/secret.txt",  # a file outside
        "out-abs": str(outside / "secret.txt"),  # the same, absolute
        "out-dir": "../../outside",  # a directory outside
        "out-evil": "../../outside/evil.j2",  # a template outside
        "chain-a": "chain-b",  # a chain inside, ending outside
        "chain-b": "sub/hop",
        "sub/hop": "../../../outside/secret.txt",
        "env": "/proc/self/environ",
        "proc": "/proc/self",
        "zero": "/dev/zero",
        "loop-a": "loop-b",
        "loop-b": "loop-a",
        "alias.j2": "ok.j2",  # inside to inside: fine
        "sub/up.j2": "../ok.j2",  # fine too
        "root-link": "..",  # the project root: a directory
    }
    for name, target in links.items():
        (templates / name).symlink_to(target)
    os.mkfifo(templates / "pipe")
    return Tree(base, root, templates, outside)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return build_tree(tmp_path_factory.mktemp("confinement"))


def hostile_names(tree: Tree) -> list[str]:
    """Names that must be refused, each a different way out."""
    return [
        "out-file",
        "out-abs",
        "out-dir/secret.txt",
        "out-dir/deeper/secret.txt",
        "out-evil",
        "chain-a",
        "sub/hop",
        "env",
        "proc/environ",
        "zero",
        "pipe",
        "loop-a",
        "sub",
        "root-link/notes.txt",
        "../../outside/secret.txt",
        "sub/../../../outside/secret.txt",
        "./../outside/secret.txt",
        str(tree.outside / "secret.txt"),
        "/proc/self/environ",
        "/dev/zero",
        "..\\..\\outside\\secret.txt",
    ]


ALLOWED = ["ok.j2", "alias.j2", "sub/inner.j2", "sub/up.j2", "./ok.j2", "sub//inner.j2"]
EXPECTED = {"ok.j2": "ok", "alias.j2": "ok", "sub/inner.j2": "inner", "sub/up.j2": "ok"}


def loader(tree: Tree) -> tuple[Any, ConfinedLoader]:
    env = _environment(templates_directory(tree.root))
    assert isinstance(env.loader, ConfinedLoader)
    return env, env.loader


def test_every_hostile_name_is_refused_by_the_loader(tree: Tree) -> None:
    env, load = loader(tree)
    for name in hostile_names(tree):
        with pytest.raises((TemplateRefused, TemplateNotFound)) as caught:
            within(5, lambda name=name: load.get_source(env, name))  # type: ignore[misc]
        assert FILE_SECRET not in str(caught.value)
    for name in ALLOWED:
        source, filename, uptodate = load.get_source(env, name)
        assert source == EXPECTED[name.replace("./", "").replace("//", "/")]
        assert Path(filename).is_relative_to(tree.templates.resolve())
        assert uptodate()


SEGMENTS = [
    *("..", ".", "", "ok.j2", "alias.j2", "sub", "inner.j2", "up.j2", "hop"),
    *("out-file", "out-abs", "out-dir", "out-evil", "secret.txt", "deeper", "evil.j2"),
    *("chain-a", "env", "proc", "environ", "self", "zero", "pipe", "loop-a", "root-link"),
    *("outside", "project", "templates", "notes.txt", "dev", "etc", "passwd"),
]
PREFIXES = ["", "", "/", "BASE/", "BASE/project/templates/", "/proc/self/", "./"]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(PREFIXES),
    st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6),
    st.sampled_from(["/", "/", "\\"]),
)
def test_whatever_the_name_only_a_regular_file_inside_is_read(
    tree: Tree, prefix: str, parts: list[str], separator: str
) -> None:
    name = prefix.replace("BASE", str(tree.base)) + separator.join(parts)
    env, load = loader(tree)
    try:
        source, filename, _ = within(5, lambda: load.get_source(env, name))
    except (TemplateRefused, TemplateNotFound) as exc:
        refusal = str(exc)
    else:
        refusal = ""
    assert FILE_SECRET not in refusal
    if refusal:
        return
    path = Path(filename)
    assert path == path.resolve()
    assert path.is_relative_to(tree.templates.resolve()), name
    assert stat.S_ISREG(path.stat().st_mode)
    assert source in ("ok", "inner"), name


# -- chains of tags, rendered and checked in process -----------------------------------

TAGS = {
    "include": '{{% include "{0}" %}}',
    "include-ignore": '{{% include "{0}" ignore missing %}}',
    "include-list": '{{% include ["nope.j2", "{0}"] %}}',
    "import": '{{% import "{0}" as m %}}{{{{ text }}}}',
    "from-import": '{{% from "{0}" import x %}}{{{{ text }}}}',
    "extends": '{{% extends "{0}" %}}',
}
_numbers = itertools.count()


def context() -> dict[str, Any]:
    post = {"id": "p", "title": "out-file", "tags": [], "campaign": None, "language": None}
    return {
        "text": "T",
        "link": None,
        "hashtags": [],
        "post": {**post, "sponsored": False, "publish_at": None},
        "channel": "c",
        "network": "webhook",
    }


def quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(TAGS)), min_size=1, max_size=3),
    st.integers(min_value=0, max_value=20),
)
def test_any_chain_of_tags_ending_outside_is_refused(
    tree: Tree, tags: list[str], target: int
) -> None:
    """entry -> via -> ... -> a way out: the static check names a problem, and the
    rendering fails or holds nothing from outside."""
    hostile = hostile_names(tree)[target % len(hostile_names(tree))]
    number = next(_numbers)
    names = [f"chain-{number}-{level}.j2" for level in range(len(tags))]
    targets = [*names[1:], hostile]
    for name, tag, reached in zip(names, tags, targets, strict=True):
        write(tree.templates / name, "before " + TAGS[tag].format(quoted(reached)) + " after")
    problems = within(10, lambda: template_problems(tree.root, names[0]))
    assert problems, (tags, hostile)
    assert {p.kind for p in problems} <= {"refused", "error"}
    assert all(FILE_SECRET not in p.message for p in problems)
    try:
        out = within(10, lambda: render_template(tree.root, names[0], context()))
    except TemplateProblem as exc:
        out = str(exc)
    assert FILE_SECRET not in out
    assert "\0" not in out  # nothing of /proc/self/environ or /dev/zero
    assert "PATH=" not in out


@pytest.mark.parametrize(
    "tag",
    [
        "{% include post.title %}",
        '{% include "out" ~ "-file" %}',
        '{% include ["ok.j2", text] %}',
        "{% import post.title as m %}",
        "{% from post.title import x %}",
        "{% extends post.title %}",
    ],
)
def test_a_computed_template_name_is_refused(tree: Tree, tag: str) -> None:
    name = f"computed-{next(_numbers)}.j2"
    write(tree.templates / name, f"{tag}{{{{ text }}}}")
    problems = template_problems(tree.root, name)
    assert [(p.kind, p.file, p.line) for p in problems] == [("error", name, 1)]
    assert "must be quoted" in problems[0].message
    with pytest.raises(TemplateProblem, match="must be quoted"):
        render_template(tree.root, name, context())


def test_templates_leading_out_of_the_project_are_refused(tmp_path: Path) -> None:
    """templates/ itself a symlink to a directory outside: nothing in it is read."""
    outside = tmp_path / "elsewhere"
    write(outside / "fancy.j2", "{{ text }} " + FILE_SECRET)
    root = tmp_path / "project"
    root.mkdir()
    (root / "templates").symlink_to(outside)
    problems = template_problems(root, "fancy.j2")
    assert [(p.kind, p.file) for p in problems] == [("refused", "fancy.j2")]
    assert "leads outside the project" in problems[0].message
    with pytest.raises(TemplateProblem, match="leads outside the project"):
        render_template(root, "fancy.j2", context())


# -- what stays allowed -----------------------------------------------------------------

LEGIT_CHANNELS = """\
defaults:
  channels: [fancy]
channels:
  fancy:
    type: webhook
    url: http://127.0.0.1:9/in
    template: main.j2
"""


def test_templates_inside_may_include_import_and_extend_each_other(
    make_project: Any, run: Run
) -> None:
    root = make_project(
        channels=LEGIT_CHANNELS,
        calendar=CALENDAR,
        posts={"p.md": POST.replace("channels: all\n", "").replace("11-25 11:30", "12-02 09:00")},
    )
    write(root / "templates" / "base" / "layout.j2", "[{% block body %}{% endblock %}]")
    write(root / "templates" / "sub" / "macros.j2", "{% macro tag(t) %}<{{ t }}>{% endmacro %}")
    write(root / "templates" / "part.j2", "part")
    (root / "templates" / "alias.j2").symlink_to("part.j2")
    write(
        root / "templates" / "main.j2",
        '{% extends "base/layout.j2" %}{% block body %}'
        '{% from "sub/macros.j2" import tag %}{% import "sub/macros.j2" as m %}'
        '{% include "alias.j2" %} {{ tag(text) }} {{ m.tag("x") }}'
        '{% include "maybe-later.j2" ignore missing %}{% include ["nope.j2", "part.j2"] %}'
        "{% endblock %}",
    )
    result = run("--root", root, "check", "--format", "json")
    assert json.loads(result.stdout)["findings"] == [], result.stdout
    shown = run("--root", root, "show", "launch", "--format", "json")
    assert json.loads(shown.stdout)["variants"][0]["text"] == "[part <The launch post.> <x>part]"


# -- end to end: check refuses each, publish sends and prints nothing of them -----------


def attack_channels(tree: Tree) -> dict[str, str]:
    """channel name -> its template's text (in templates/<channel>.j2)."""
    outside = str(tree.outside / "secret.txt")
    body = "{{ text }} "
    return {
        "file-link": body + '{% include "out-file" %}',
        "abs-link": body + '{% include "out-abs" %}',
        "dir-link": body + '{% include "out-dir/secret.txt" %}',
        "chain": body + '{% include "chain-a" %}',
        "dotdot": body + '{% include "../../outside/secret.txt" %}',
        "dotdot-inner": body + '{% include "sub/../../../outside/secret.txt" %}',
        "absolute": body + '{% include "' + outside + '" %}',
        "import": '{% import "out-evil" as m %}' + body,
        "from-import": '{% from "out-evil" import x %}' + body,
        "extends": '{% extends "out-evil" %}',
        "nested": body + '{% include "via.j2" %}',
        "nested-extends": '{% extends "via-extends.j2" %}',
        "fifo": body + '{% include "pipe" %}',
        "environ": body + '{% include "env" %}',
        "proc-dir": body + '{% include "proc/environ" %}',
        "zero": body + '{% include "zero" %}',
        "loop": body + '{% include "loop-a" %}',
        "directory": body + '{% include "sub" %}',
        "computed": body + "{% include post.title %}",
        "ignore-missing": body + '{% include "env" ignore missing %}',
        "list": body + '{% include ["nope.j2", "out-file"] %}',
    }


# channels whose own template is the way out (the name in channels.yaml)
DIRECT = {"direct-environ": "env", "direct-link": "out-file", "direct-dotdot": "../x.j2"}


def make_attack_project(tree: Tree, server: WebhookServer) -> list[str]:
    write(tree.templates / "via.j2", 'legit {% include "sub/inner.j2" %} {% include "env" %}')
    write(tree.templates / "via-extends.j2", 'legit {% include "out-file" %}')
    channels: dict[str, Any] = {}
    for name, text in attack_channels(tree).items():
        write(tree.templates / f"{name}.j2", text)
        channels[name] = {"type": "webhook", "url": server.endpoint, "template": f"{name}.j2"}
    for name, template in DIRECT.items():
        channels[name] = {"type": "webhook", "url": server.endpoint, "template": template}
    document = {"channels": channels, "ledger": {"store": "local"}}
    write(tree.root / "channels.yaml", yaml.safe_dump(document, sort_keys=False))
    write(tree.root / "calendar.yaml", CALENDAR)
    write(tree.root / "content" / "launch.md", POST)
    ledger_init(tree.root)
    return sorted(channels)


def smmgen(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SMMGEN_DEBUG"}
    env.update({ENV_NAME: ENV_SECRET, "SMMGEN_AT": "2026-11-25 12:00", "NO_COLOR": "1"})
    return subprocess.run(
        [sys.executable, "-m", "smmgen", "--root", str(root), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=90,  # a FIFO or /dev/zero read would hang here
    )


def leaks(text: str) -> list[str]:
    return [s for s in (ENV_SECRET, FILE_SECRET) if s in text]


def files_below(directory: Path) -> Iterator[Path]:
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink() and "templates" not in path.parts:
            yield path


def test_check_refuses_every_way_out_and_publish_sends_none_of_it(
    tmp_path: Path,
) -> None:
    tree = build_tree(tmp_path)
    with WebhookServer(secret=None) as server:
        names = make_attack_project(tree, server)

        checked = smmgen(tree.root, "check", "--format", "json")
        assert checked.returncode == 1, checked.stdout + checked.stderr
        findings = json.loads(checked.stdout)["findings"]
        on_template = {
            f["key"].split(".")[1]
            for f in findings
            if f["file"] == "channels.yaml"
            and f["key"].endswith(".template")
            and f["code"] in ("template-refused", "template-error", "missing-template")
            and f["severity"] == "error"
            and f["line"]
        }
        assert on_template == set(names), sorted(set(names) - on_template)
        assert not leaks(checked.stdout + checked.stderr)

        published = smmgen(tree.root, "publish", "--format", "json")
        assert published.returncode == 1, published.stdout + published.stderr
        assert "internal error" not in published.stderr
        # what check refuses in the configuration stops the whole run (class 5)
        assert "nothing is published until `smmgen check` passes" in published.stderr
        assert published.stdout == ""
        assert not leaks(published.stdout + published.stderr)

        sent = [
            f"{r.method} {r.path} {r.query} {r.headers} {r.body.decode('utf-8', 'replace')}"
            for r in server.requests
        ]
        assert [s for s in sent if leaks(s)] == []
        assert server.messages == []
        assert not server.errors
    written = {p: leaks(p.read_text("utf-8", "replace")) for p in files_below(tree.root)}
    assert {str(p): found for p, found in written.items() if found} == {}
