"""Any string survives the ledger, the journal and the check cache: a character
that some reader takes for a line break (U+2028, U+2029, U+0085, \\x1c-\\x1e,
\\v, \\f, \\r) in a file name, an id, a text or a server's answer never splits a
record, so nothing is published twice."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smmgen.check import cache as check_cache
from smmgen.check import run_check
from smmgen.check.cache import Cache, Entry
from smmgen.cli import cli
from smmgen.findings import Finding, Severity
from smmgen.loader.files import Identity
from smmgen.publish.ledger import records as rec
from smmgen.publish.ledger.gitstore import GitStore
from smmgen.publish.ledger.local import LocalStore
from smmgen.publish.ledger.state import fold
from tests.publish.gitrepo import git, origin_with
from tests.servers.base import Reply, Request
from tests.servers.webhook import SECRET, WebhookServer

# Every character str.splitlines() breaks on, and the pair it takes for one break.
BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
SPLITLINES_BREAKS = "".join(sorted({c for b in BREAKS for c in b}))


def odd_text(
    *, min_size: int = 0, max_size: int = 12, exclude: str = "", surrogates: bool = False
) -> st.SearchStrategy[str]:
    """Any text, line breaks of every kind drawn often (lone surrogates on request)."""
    characters = st.characters(exclude_categories=("Cs",), exclude_characters=exclude)
    breaks = [b for b in BREAKS if not set(b) & set(exclude)]
    pieces = st.one_of(st.sampled_from(breaks), characters)
    if surrogates:  # a file name that is not UTF-8 holds them (surrogateescape)
        pieces |= st.integers(0xDC80, 0xDCFF).map(chr)
    return st.lists(pieces, min_size=min_size, max_size=max_size).map("".join)


# -- the records themselves ---------------------------------------------------------


def json_values(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=6,
    )


def records(*, surrogates: bool = True) -> st.SearchStrategy[rec.Record]:
    """Records of every event with any strings in them, and any other fields."""
    text = odd_text(surrogates=surrogates)
    return st.builds(
        lambda fields, event, post, channel, run: {**fields, **rec.make(event, post, channel, run)},
        st.dictionaries(text, json_values(text), max_size=3),
        st.sampled_from(rec.EVENTS),
        text,
        text,
        text,
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(records(), min_size=1, max_size=3))
def test_any_record_is_one_line_and_reads_back_as_written(batch: list[rec.Record]) -> None:
    lines = [rec.dumps(r) for r in batch]
    for line in lines:
        assert not set(line) & set(SPLITLINES_BREAKS), line
        assert line.splitlines() == [line]
    # as a file: UTF-8 bytes, read back with the torn-write tolerant decoding
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    found, problems = rec.parse_lines(data.decode("utf-8", errors="replace"), "x.jsonl")
    assert problems == []
    assert found == batch


@settings(max_examples=200, deadline=None)
@given(st.lists(records(surrogates=False), min_size=1, max_size=3))
def test_a_ledger_written_before_the_escaping_still_reads_back(batch: list[rec.Record]) -> None:
    """Earlier versions wrote U+2028 and the like raw: those lines still hold one record."""
    old = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in batch)
    found, problems = rec.parse_lines(old, "x.jsonl")
    assert problems == []
    assert found == batch


def test_crlf_line_ends_and_a_torn_line_are_still_read() -> None:
    good = rec.make("intent", "a\u2028b", "feed", "run", parts=1)
    text = rec.dumps(good) + "\r\n" + '{"v":1,"event":"publ'
    found, problems = rec.parse_lines(text, "feed.jsonl")
    assert found == [good]
    assert problems == ["feed.jsonl:2: not a JSON record (ignored)"]


# -- the stores and the git journal -------------------------------------------------

NASTY = [
    "launch\u2028notes",
    "a\u2029b\x85c",
    "\x1c\x1d\x1e\v\f",
    "cr\rlf\r\n",
    "tab\tnul\x00end",
    "lone \udcff surrogate",
    "emoji \U0001f600 and \u200b zero width",
]


def _published(post: str, channel: str, text: str) -> rec.Record:
    remote = {"id": text, "url": f"https://example.com/{text}", "data": {"entry": {"t": text}}}
    return rec.make("published", post, channel, "run-1", remote=remote, note=text)


def test_the_local_store_reads_back_every_string(tmp_path: Path) -> None:
    written = [_published(text, "feed", text) for text in NASTY]
    (tmp_path / "ledger").mkdir()  # what `smmgen ledger init` makes
    store = LocalStore(tmp_path / "ledger", tmp_path)
    store.append(written)
    store.close()
    reader = LocalStore(tmp_path / "ledger", tmp_path, lock=False)
    assert reader.load() == written
    assert reader.problems == []
    states = fold(written)
    assert {post for post, _ in states} == set(NASTY)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "channels.yaml").write_text("channels: {feed: {type: feed}}\n")
    (project / "calendar.yaml").write_text(CALENDAR)
    origin_with(project, tmp_path / "origin.git")  # with the ledger branch, as init makes it
    return project


def test_the_git_branch_and_the_journal_read_back_every_string(repository: Path) -> None:
    written = [_published(text, "feed", text) for text in NASTY]
    store = GitStore(repository)
    store.load()
    store.append(written[:3])
    store.write_files({"public/odd\u2028name\n.xml": b"<feed/>\n"})  # a name with breaks
    store.close()
    # a run that journaled the rest and died before pushing it
    crashed = GitStore(repository)
    crashed.load()
    crashed.journal.write(written[3:])
    assert crashed.journal.exists()
    reader = GitStore(repository)
    assert reader.load() == written  # the journal is pushed once, every record intact
    assert reader.problems == []
    reader.close()
    again = GitStore(repository)
    assert again.load() == written
    assert "public/odd\u2028name\n.xml" in again.blobs
    again.close()


# -- publish end to end --------------------------------------------------------------

CALENDAR = "timezone: UTC\nmax_lateness: 6h\nmin_gap: 0m\n"


def channels_yaml(hook: str, store: str) -> str:
    return (
        "defaults:\n  channels: [hook, feed]\nchannels:\n"
        f"  hook: {{type: webhook, url: '{hook}', secret_env: LINES_HOOK_SECRET}}\n"
        "  feed: {type: feed, title: Lines}\n"
        f"ledger: {{store: {store}}}\n"
    )


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: escapes for everything but plain ASCII."""
    out = []
    for char in text:
        if " " <= char <= "~" and char not in '"\\':
            out.append(char)
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


class AnsweringServer(WebhookServer):
    """The strict receiver, answering each new delivery with the next of ``answers``."""

    def __init__(self, answers: list[tuple[str, str]]):
        super().__init__(tolerance=10**9)
        self.answers = answers
        self.given: dict[str, tuple[str, str]] = {}

    def handle(self, request: Request) -> Reply:
        reply = super().handle(request)
        if reply.status not in (200, 201) or not isinstance(reply.body, dict):
            return reply
        delivery = request.header("x-smmgen-delivery") or ""
        with self.lock:
            if delivery not in self.given:
                self.given[delivery] = self.answers[len(self.given) % len(self.answers)]
            ident, url = self.given[delivery]
        return Reply(reply.status, {"id": ident, "url": url})

    def sent(self) -> Counter[str]:
        """How many times each post was sent (every request, a repeat delivery too)."""
        with self.lock:
            return Counter(json.loads(r.body)["post"] for r in self.requests if r.method == "POST")


FILE_NAMES = odd_text(min_size=1, max_size=8, exclude="/\0").filter(
    lambda name: not name.startswith(("_", "."))  # names smmgen skips
)
FOLDERS = st.none() | odd_text(min_size=1, max_size=4, exclude="/\0").filter(
    lambda name: not name.startswith(("_", "."))
)
TITLES = odd_text(max_size=10)
BODIES = odd_text(max_size=30, exclude="\0")


@st.composite
def posts(draw: st.DrawFn) -> list[tuple[str, str | None, str, str]]:
    """(path below content/, explicit id or None, title, body) for a few posts."""
    count = draw(st.integers(1, 3))
    out = []
    for number in range(count):
        name = draw(FILE_NAMES)
        folder = draw(FOLDERS)
        if folder is not None:
            name = f"{folder}/{name}"
        explicit = draw(st.booleans())
        ident = f"post-{number}" if explicit else None
        title = draw(TITLES)
        body = "Hello " + draw(BODIES) + " end"
        out.append((name + ".md", ident, title, body))
    paths = [p for p, _, _, _ in out]
    ids = [i or p.removesuffix(".md") for p, i, _, _ in out]
    folders = {p.split("/")[0] for p in paths if "/" in p}
    assume(len(set(paths)) == len(paths) and len(set(ids)) == len(ids))
    assume(not folders & set(paths))  # no file where another post needs a folder
    return out


answers = st.lists(
    st.tuples(odd_text(min_size=1, max_size=10), odd_text(max_size=10)), min_size=1, max_size=3
)


@contextmanager
def project_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="smmgen-lines-") as directory:
        yield Path(directory)


def write_project(
    root: Path, hook: str, store: str, items: list[tuple[str, str | None, str, str]]
) -> None:
    root.mkdir()
    (root / "channels.yaml").write_text(channels_yaml(hook, store), encoding="utf-8")
    (root / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    for path, ident, title, body in items:
        front = f"title: {yaml_quoted(title)}\npublish_at: 2026-11-25 11:00\n"
        if ident is not None:
            front = f"id: {ident}\n" + front
        target = root / "content" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f"---\n{front}---\n{body}\n".encode())


def publish(root: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli,
        ["--root", str(root), "publish", "--format", "json"],
        env={"LINES_HOOK_SECRET": SECRET, "SMMGEN_AT": "2026-11-25 12:00"},
        catch_exceptions=False,
    )
    report: dict[str, Any] = json.loads(result.output)
    return report


def read_whole(report: dict[str, Any]) -> None:
    """The run read every ledger line and recorded every result."""
    assert report["ledger_problems"] == [], report["ledger_problems"]
    assert report["ledger_errors"] == [], report["ledger_errors"]


def ledger_ready(root: Path) -> None:
    """The ledger as `smmgen ledger init` makes it (publish never creates one)."""
    result = CliRunner().invoke(cli, ["--root", str(root), "ledger", "init"])
    assert result.exit_code == 0, result.output


def published_twice_is_published_once(
    store: str, items: list[tuple[str, str | None, str, str]], replies: list[tuple[str, str]]
) -> None:
    with project_dir() as base, AnsweringServer(replies) as server:
        root = base / "project"
        write_project(root, server.endpoint, store, items)
        if store == "git":
            origin_with(root, base / "origin.git")  # with the ledger branch, as init makes it
        else:
            ledger_ready(root)
        first = publish(root)
        out = {(i["post"], i["channel"]) for i in first["items"] if i["outcome"] == "published"}
        # a post with an explicit id goes out whatever its file name and text hold
        for _path, ident, _title, _body in items:
            if ident is not None:
                assert {(ident, "hook"), (ident, "feed")} <= out, first["items"]
        sent = server.sent()
        assert sent == Counter(post for post, channel in out if channel == "hook")
        second = publish(root)
        assert server.sent() == sent  # nothing sent again
        assert [i for i in second["items"] if i["outcome"] == "published"] == []
        read_whole(first)
        read_whole(second)
        # the ledger holds one publication per item, each read back intact
        records = ledger_records(root, base / "origin.git", store)
        done = Counter((r["post"], r["channel"]) for r in records if r["event"] == "published")
        assert done == Counter(out)
        for record in records:
            if record["event"] == "published" and record["channel"] == "hook":
                assert (record["remote"]["id"], record["remote"]["url"]) in server.given.values()


def ledger_records(root: Path, bare: Path, store: str) -> list[rec.Record]:
    if store == "local":
        texts = [p.read_text("utf-8") for p in sorted((root / "ledger").glob("*.jsonl"))]
    else:
        names = git(bare, "ls-tree", "--name-only", "smmgen-ledger").split("\n")
        texts = [
            subprocess.run(
                ["git", "show", f"smmgen-ledger:{name}"], cwd=bare, capture_output=True, check=True
            ).stdout.decode()
            for name in names
            if name.endswith(".jsonl")
        ]
    found: list[rec.Record] = []
    for text in texts:
        records, problems = rec.parse_lines(text, "ledger")
        assert problems == []
        found += records
    return found


SLOW = [HealthCheck.too_slow, HealthCheck.filter_too_much]


@settings(max_examples=30, deadline=None, suppress_health_check=SLOW)
@given(posts(), answers)
def test_publishing_twice_publishes_each_item_once_with_the_local_ledger(
    items: list[tuple[str, str | None, str, str]], replies: list[tuple[str, str]]
) -> None:
    published_twice_is_published_once("local", items, replies)


@settings(max_examples=12, deadline=None, suppress_health_check=SLOW)
@given(posts(), answers)
def test_publishing_twice_publishes_each_item_once_with_the_git_ledger(
    items: list[tuple[str, str | None, str, str]], replies: list[tuple[str, str]]
) -> None:
    published_twice_is_published_once("git", items, replies)


def test_a_feed_text_with_u2028_recorded_raw_by_an_older_version_is_not_published_again(
    tmp_path: Path,
) -> None:
    """The issue's example, with the ledger line as versions before the fix wrote it."""
    root = tmp_path / "project"
    with AnsweringServer([("1", "https://receiver.example/1")]) as server:
        write_project(root, server.endpoint, "local", [("a.md", "a", "T", "Line\u2028two")])
        ledger_ready(root)
        first = publish(root)
        assert ("a", "feed", "published") in {
            (i["post"], i["channel"], i["outcome"]) for i in first["items"]
        }
        ledger = root / "ledger" / "feed.jsonl"
        lines = ledger.read_text("utf-8").split("\n")
        old = [
            json.dumps(json.loads(x), ensure_ascii=False, separators=(",", ":")) for x in lines if x
        ]
        assert any("\u2028" in line for line in old)
        ledger.write_text("".join(line + "\n" for line in old), encoding="utf-8")
        second = publish(root)
        assert [i for i in second["items"] if i["outcome"] == "published"] == []
        read_whole(second)


# -- the check cache -------------------------------------------------------------------

cache_text = odd_text(surrogates=True)
findings = st.builds(
    Finding,
    st.sampled_from(Severity),
    cache_text,
    cache_text,
    st.none() | cache_text,
    st.none() | st.integers(1, 10**6),
    st.none() | cache_text,
    st.none() | cache_text,
    st.none() | cache_text,
)
signatures = st.none() | st.tuples(*[st.integers(0, 2**63)] * 5)
entries = st.builds(
    Entry,
    signatures,
    st.dictionaries(cache_text, signatures, max_size=2),
    st.lists(findings, max_size=2),
    st.none() | st.builds(Identity, cache_text, cache_text, st.integers(1, 10**6)),
    st.fixed_dictionaries(
        {
            "schedule": st.tuples(
                cache_text,
                st.lists(
                    st.tuples(
                        st.floats(-1e12, 1e12),
                        st.integers(1, 10**6),
                        cache_text,
                        st.lists(cache_text, max_size=2),
                    ).map(list),
                    max_size=2,
                ),
            ).map(list)
        }
    ),
    st.booleans(),
    st.booleans(),
)


@functools.cache
def empty_project_key() -> str:
    """The cache's fingerprint of a project without files (wherever it is)."""
    with project_dir() as root:
        return Cache.open(root).key


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(cache_text, entries, max_size=3))
def test_the_check_cache_reads_back_every_string(saved: dict[str, Entry]) -> None:
    with project_dir() as root:
        Cache(root, empty_project_key()).save(saved)
        assert Cache.open(root).entries == saved


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[*SLOW, HealthCheck.function_scoped_fixture],
)
@given(posts())
def test_check_from_the_cache_finds_what_a_fresh_check_finds(
    monkeypatch: pytest.MonkeyPatch, items: list[tuple[str, str | None, str, str]]
) -> None:
    monkeypatch.setattr(check_cache, "RACY_NS", -(10**12))  # trust even files written just now
    with project_dir() as base:
        root = base / "project"
        write_project(root, "https://receiver.example/hook", "local", items)
        first = run_check(root)
        cache = Cache.open(root)
        relative = [
            p.relative_to(root).as_posix() for p in sorted((root / "content").rglob("*.md"))
        ]
        assert all(cache.get(name) is not None for name in relative)  # reused next time
        again = run_check(root)
        fresh = run_check(root, use_cache=False)
        assert again.findings == first.findings == fresh.findings
        assert again.posts == fresh.posts


def test_odd_file_names_do_not_break_the_cache(tmp_path: Path) -> None:
    """Names that are not UTF-8 (surrogate-escaped in Python) or hold line breaks,
    for posts and templates."""
    root = tmp_path / "project"
    write_project(root, "https://receiver.example/hook", "local", [("a\u2028b\n.md", "a", "", "x")])
    with open(os.fsencode(root / "content") + b"/\xff\xfe.md", "wb") as handle:
        handle.write(b"---\nid: b\npublish_at: 2026-11-25 11:00\n---\nHi\n")
    (root / "templates").mkdir()
    (root / "templates" / "line\u2028break\n.j2").write_text("{{ text }}")
    with open(os.fsencode(root / "templates") + b"/\xff.j2", "wb") as handle:
        handle.write(b"{{ text }}")
    first = run_check(root)
    assert first.findings == run_check(root).findings == run_check(root, use_cache=False).findings
