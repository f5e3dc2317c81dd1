"""Fuzz: ``check``, ``show``, ``plan``, ``preview`` and ``publish --dry-run`` never
crash, whatever the post files hold.

Arbitrary file names (nested, odd characters, not always ``.md``), front matter
(every known key and unknown ones, with YAML-ish values of every type: text,
numbers, dates written every way, lists, mappings, nulls; or raw YAML lines,
anchors and tags; or none) and bodies (any text, or bytes that are not text),
in a calendar of one of several time zones (so that times near the ends of the
range are reached). Every command must end with an exit code of the documented set (0, 1, 2:
SPEC §5), never with "internal error" nor a traceback.

The commands run in-process on one project in a temporary directory, so each
example takes milliseconds: 2,000 examples when ``CI`` is "true" (the README's
test command in CI), 100 otherwise (``SMMGEN_FUZZ_EXAMPLES`` overrides both).
2,000 took 136 s of CPU (one core) when measured.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmgen.cli import cli
from tests.conftest import CALENDAR_YAML, CHANNELS_YAML, TODAY


def _examples() -> int:
    if os.environ.get("SMMGEN_FUZZ_EXAMPLES"):
        return int(os.environ["SMMGEN_FUZZ_EXAMPLES"])
    return 2000 if os.environ.get("CI") == "true" else 100


EXAMPLES = _examples()
EXIT_CODES = {0, 1, 2}
CHANNELS = ["mastodon", "bluesky", "linkedin", "feed", "x", "all", "nope", ""]
KNOWN_KEYS = [
    "id",
    "title",
    "publish_at",
    "channels",
    "link",
    "tags",
    "media",
    "campaign",
    "language",
    "sponsored",
    "thread",
    "draft",
    "overrides",
]
# A project with every kind of channel the fixtures know; the ledger is a local
# directory, so nothing runs git.
FUZZ_CHANNELS = CHANNELS_YAML + "ledger:\n  store: local\n"

# -- values ---------------------------------------------------------------------------

texts = st.text(max_size=40)
odd_texts = st.sampled_from(
    [
        "",
        " ",
        "\n",
        "x\n",
        "::error::x",
        "@alice",
        "#tag",
        "https://example.com/a?b=c#d",
        "http://",
        "javascript:alert(1)",
        "mastodon",
        "all",
        "auto",
        "true",
        "null",
        "~",
        "0x1F",
        "1e999",
        "-0",
        "media/x.png",
        "../../etc/passwd",
        "/etc/passwd",
        "launch",
        "en",
        "pt-BR",
        "\u2028",
        "\x85",
        "é" * 300,
    ]
)
# times at the ends of the calendar, where a zone east or west of UTC overflows (class 11)
EDGE_DATES = ["0001-01-01 00:30", "9999-12-31 23:30", "1000-01-01 23:59", "8999-12-31 23:59"]
ZONES = ["Europe/Berlin", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12", "UTC"]
dates = st.sampled_from(
    [
        "2026-11-25 11:00",
        "2026-11-25 12:00",
        "2026-12-01 09:00",
        "2026-12-24 10:00",
        "2026-03-29 02:30",  # does not exist in Europe/Berlin
        "2026-10-25 02:30",  # happens twice
        "2026-11-25T11:00:00+01:00",
        "2026-11-25T11:00:00Z",
        "2026-11-25 11:00-05:00",
        "2026-11-25",
        "2026-02-30 10:00",
        "2026-13-01 10:00",
        "2026-11-25 24:00",
        "2026-11-25 9:00",
        *EDGE_DATES,
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+14:00",
        "yesterday",
        "",
    ]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
    odd_texts,
    dates,
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.one_of(texts, st.sampled_from([*KNOWN_KEYS, "text", "path", "alt"])),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
media_items = st.lists(
    st.fixed_dictionaries(
        {"path": st.one_of(st.sampled_from(["media/x.png", "media/none.png", "x.png"]), texts)},
        optional={"alt": st.one_of(texts, values), "other": values},
    ),
    max_size=3,
)
# Values of the right type: "valid" ones let a post load and reach adapting,
# checking, planning and publishing, where the deeper crashes would be; "typed"
# ones are of the right type but often refused.
CHANNEL_NAMES = ["mastodon", "bluesky", "linkedin", "feed"]
valid_values: dict[str, st.SearchStrategy[Any]] = {
    "id": st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}(/[a-z0-9][a-z0-9-]{0,6})?", fullmatch=True),
    "title": texts,
    "publish_at": dates,
    "channels": st.lists(st.sampled_from(CHANNEL_NAMES), min_size=1, max_size=4) | st.just("all"),
    "link": st.sampled_from(
        ["https://example.com/post", "https://example.com/a?b=c&d=é#f", "http://localhost:1/x"]
    ),
    "tags": st.lists(
        st.text(alphabet=st.characters(categories=("L", "Nd")), min_size=1, max_size=10),
        max_size=5,
    ),
    "media": st.lists(
        st.fixed_dictionaries({"path": st.just("media/x.png")}, optional={"alt": texts}),
        max_size=4,
    ),
    "campaign": st.just("launch"),
    "language": st.sampled_from(["en", "de", "pt-BR"]),
    "thread": st.sampled_from(["auto", True, False]),
    "draft": st.sampled_from([False, False, True]),
    "sponsored": st.booleans(),
    "text": st.one_of(texts, st.text(max_size=700), st.just("word " * 150)),
}
typed_values: dict[str, st.SearchStrategy[Any]] = {
    **{key: valid | odd_texts for key, valid in valid_values.items()},
    "id": st.one_of(st.sampled_from(["a", "post-1", "news/launch", "a/../b", "x\n"]), texts),
    "channels": st.one_of(st.lists(st.sampled_from(CHANNELS), max_size=4), st.just("all")),
    "link": st.sampled_from(["https://example.com/a b", "ftp://x", "https://", "x"]),
    "tags": st.lists(st.one_of(st.sampled_from(["#v2", "two words"]), texts), max_size=4),
    "media": media_items,
    "campaign": st.sampled_from(["launch", "nope"]),
    "language": st.sampled_from(["en", "xx-", "EN"]),
    "thread": st.sampled_from(["auto", True, "yes"]),
}
POST_KEYS = [key for key in KNOWN_KEYS if key != "overrides"]
OVERRIDE_KEYS = [key for key in POST_KEYS if key not in ("id", "channels")] + ["text"]


@st.composite
def front_matter(draw: st.DrawFn) -> dict[Any, Any]:
    """Known keys with valid, typed or (wild) any values, overrides, and in a wild
    example unknown keys too."""
    mode = draw(st.sampled_from(["valid", "valid", "valid", "typed", "wild"]))
    strategies = valid_values if mode == "valid" else typed_values

    def value(key: str) -> Any:
        return draw(values if mode == "wild" and draw(st.booleans()) else strategies[key])

    data: dict[Any, Any] = {}
    for key in draw(st.lists(st.sampled_from(POST_KEYS), unique=True, max_size=9)):
        data[key] = value(key)
    if draw(st.booleans()):  # per-channel overrides
        names = CHANNEL_NAMES if mode == "valid" else CHANNELS
        keys = OVERRIDE_KEYS if mode == "valid" else [*POST_KEYS, "text"]
        data["overrides"] = {
            draw(st.sampled_from(names)): {
                key: value(key) for key in draw(st.lists(st.sampled_from(keys), max_size=3))
            }
            for _ in range(draw(st.integers(0, 2)))
        }
    if mode == "wild":
        for key in draw(st.lists(texts, max_size=2)):  # unknown keys
            data[key] = draw(values)
    return data


raw_yaml_lines = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "id: x",
                "publish_at: 2027-01-04 09:00-05:00",
                "publish_at: 2026-11-25 11:00",
                "channels: [mastodon, feed]",
                "channels: all",
                "a: &a [1, 2]",
                "b: *a",
                "<<: {c: 1}",
                "tags: !!python/object:os.system [x]",
                "title: !!binary aGVsbG8=",
                "\ttitle: tab",
                "title: x\n  y",
                "title: 'unclosed",
                "? complex\n: key",
                "overrides: {mastodon: {text: hi}}",
                "overrides: {x: {channels: [x]}}",
                "draft: yes",
                "link: [a",
                "{",
                "- list",
                "title: x\ntitle: y",
                "%YAML 1.1",
                "...",
            ]
        ),
        texts,
    ),
    max_size=6,
).map("\n".join)


@st.composite
def post_file(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["yaml", "yaml", "yaml", "raw", "none", "bytes"]))
    body = draw(
        st.one_of(
            st.text(max_size=300),
            st.lists(
                st.sampled_from(
                    ["Hello @alice", "---", "#v2", "https://example.com", "x" * 600, "\n"]
                ),
                max_size=6,
            ).map("\n".join),
        )
    )
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "none":
        return body.encode("utf-8", "surrogatepass")
    if kind == "yaml":
        data = draw(front_matter())
        front = yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=False)
    else:
        front = draw(raw_yaml_lines)
    closing = draw(st.sampled_from(["---\n", "---\n", "", "--- \n"]))
    return f"---\n{front}\n{closing}{body}".encode("utf-8", "surrogatepass")


name_parts = st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True) | st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"),
    min_size=1,
    max_size=16,
).filter(lambda s: s not in (".", "..") and len(s.encode()) < 120)
file_names = st.tuples(
    st.lists(name_parts, max_size=2),
    name_parts,
    st.sampled_from([".md", ".md", ".md", ".MD", ".txt", ""]),
).map(lambda t: "/".join([*t[0], t[1] + t[2]]))

# -- running the commands -------------------------------------------------------------


@pytest.fixture(scope="module")
def root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        (project / "content").mkdir(parents=True)
        (project / "media").mkdir()
        (project / "media" / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
        (project / "channels.yaml").write_text(FUZZ_CHANNELS, encoding="utf-8")
        (project / "calendar.yaml").write_text(CALENDAR_YAML, encoding="utf-8")
        yield project


def invoke(root: Path, *args: str) -> None:
    env = {"SMMGEN_AT": TODAY, "NO_COLOR": "1", "SMMGEN_DEBUG": None}
    result = CliRunner().invoke(cli, ["--root", str(root), *args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"smmgen {' '.join(args)} raised") from result.exception
    assert result.exit_code in EXIT_CODES, (args, result.exit_code, result.output)
    assert "internal error" not in result.output, (args, result.output)
    assert "Traceback" not in result.output, (args, result.output)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)
@given(
    files=st.dictionaries(file_names, post_file(), min_size=1, max_size=3),
    timezone=st.sampled_from(ZONES),
)
def test_commands_never_crash_on_any_post_files(
    root: Path, files: dict[str, bytes], timezone: str
) -> None:
    calendar = CALENDAR_YAML.replace("Europe/Berlin", timezone)
    (root / "calendar.yaml").write_text(calendar, encoding="utf-8")
    content = root / "content"
    shutil.rmtree(content)
    content.mkdir()
    written = []
    for name, data in files.items():
        path = content / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # "a" and "a/b.md" in one example: the file system keeps one
        written.append(path)
    invoke(root, "check", "--no-cache")
    invoke(root, "plan")
    invoke(root, "preview")
    invoke(root, "publish", "--dry-run")
    # a post by its file (or an id that may not exist: a usage error, exit 2)
    invoke(root, "show", written[0].relative_to(root).as_posix() if written else "a")
