"""The repository is a working content repository: its own posts and
configuration pass `smmgen check --strict` (SPEC §1, §6).

"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import smmgen
import smmgen.project
from smmgen.loader.yamlfile import YamlDoc, parse

ROOT = Path(__file__).parents[1]


def explicit_id(path: Path) -> object:
    """The `id` written in a post file's front matter (None when absent)."""
    head, *rest = path.read_text(encoding="utf-8").split("\n")
    assert head == "---", path
    doc = parse("\n".join(rest[: rest.index("---")]))
    assert isinstance(doc, YamlDoc), path
    return doc.data.get("id")


def test_the_repository_passes_check_strict(run):
    result = run("--root", ROOT, "check", "--strict")
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert line.startswith("checked ")
    assert line.endswith(": no problems found")


def test_the_repository_passes_check_in_every_format(run):
    report = json.loads(run("--root", ROOT, "check", "--strict", "--format", "json").stdout)
    assert (report["ok"], report["errors"], report["warnings"]) == (True, 0, 0)
    assert report["findings"] == []
    github = run("--root", ROOT, "check", "--strict", "--format", "github")
    assert github.exit_code == 0
    assert "::" not in github.output


def test_the_example_posts_have_unique_explicit_ids():
    project = smmgen.load(ROOT)
    assert project.findings == []
    assert len(project.posts) >= 12
    ids = [post.id for post in project.posts]
    assert len(set(ids)) == len(ids)
    for post in project.posts:
        assert post.front.id is not None, post.file
        assert explicit_id(ROOT / post.file) == post.id


def test_every_post_file_is_loaded():
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "content").rglob("*.md"))
    loaded = sorted(post.file for post in smmgen.load(ROOT).posts)
    assert loaded == files


def test_public_load_api_in_a_fresh_interpreter():
    """`smmgen.load(root)` as an external user calls it, first thing after import."""
    script = (
        "import sys, smmgen\n"
        "project = smmgen.load(sys.argv[1])\n"
        "print(len(project.posts), len({p.id for p in project.posts}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    count, unique = map(int, done.stdout.split())
    assert count >= 12
    assert unique == count


def test_public_load_survives_importing_smmgen_modules():
    """Regression: a package `smmgen/load/` once shadowed the function `smmgen.load`: once
    any `smmgen.load.*` module is imported (even by `smmgen.load()` itself), the
    attribute is the module and `smmgen.load(root)` raises
    TypeError: 'module' object is not callable (SPEC §6)."""
    importlib.import_module("smmgen.loader.config")
    assert callable(smmgen.load), f"smmgen.load is {smmgen.load!r}"
    project = smmgen.load(ROOT)
    assert len(project.posts) >= 12
    assert len({p.id for p in project.posts}) == len(project.posts)
