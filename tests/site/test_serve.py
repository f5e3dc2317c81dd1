"""`smmgen serve` over plain HTTP: only the project's pages, assets and media
files are served (no path traversal, no hidden or non-media file); and, on a
generated project of 10,000 posts, how long the server takes to start and
answer, and how long a saved edit takes to reach an open page."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from smmgen.commands.serve import Serving
from smmgen.site import paths
from tests.conftest import REPO
from tests.site.conftest import LOCAL, TIMEOUT, Guard

MEDIA = "media/media/v2-dashboard.png"  # the example project's picture, as the site names it

REFUSED = [
    "/media/../channels.yaml",
    "/media/%2e%2e/channels.yaml",
    "/media/%2E%2E/%2E%2E/etc/passwd",
    "/media/..%2fchannels.yaml",
    "/media/media/..%2f..%2fchannels.yaml",
    "/media/%2fetc%2fpasswd",
    "/media//etc/passwd",
    "/media/./channels.yaml",
    "/media/channels.yaml",  # not a media file
    "/media/calendar.yaml",
    "/media/content/2026/12/2026-12-01-lumen-v2-launch.md",
    "/media/.smmgen/secret.png",  # hidden folder
    "/media/media/.hidden.png",  # hidden file
    "/media/.git/config",
    "/media/media/missing.png",
    "/assets/../channels.yaml",
    "/assets/%2e%2e/%2e%2e/smmgen/cli.py",
    "/assets/site.py",
    "/channels.yaml",
    "/content/2026/12/2026-12-01-lumen-v2-launch.md",
    "/../channels.yaml",
    "/%2e%2e/channels.yaml",
    "/posts/..%2f..%2fchannels.yaml/index.html",
    "/calendar/2026-13/index.html",
    "/calendar/week/2026-02-30/index.html",
]


def raw_get(served: Serving, target: str) -> tuple[int, bytes]:
    """GET with the target exactly as written (httpx would remove "../")."""
    port = served.server.server_address[1]
    connection = http.client.HTTPConnection(LOCAL, port, timeout=5)
    try:
        connection.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", f"{LOCAL}:{port}")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_paths_out_of_the_project_hidden_or_not_media_are_refused(
    served: Serving, example: Path
) -> None:
    # things that must not come out, made to exist where a traversal would find them
    for hidden in (".smmgen/secret.png", "media/.hidden.png"):
        (example / hidden).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(example / "media" / "v2-dashboard.png", example / hidden)
    secret = (example / "channels.yaml").read_bytes()
    with httpx.Client(base_url=served.url, timeout=5) as client:
        assert client.get("/").status_code == 200
        assert client.get("/assets/site.css").status_code == 200
        for target in REFUSED:
            answer = client.get(target)
            assert answer.status_code in (400, 404), (target, answer.status_code)
            assert secret not in answer.content, target
    for target in REFUSED:  # as sent, "../" and all
        status, body = raw_get(served, target)
        assert status in (400, 404), (target, status)
        assert secret not in body, target


def test_a_symlink_out_of_the_project_is_refused(
    served: Serving, example: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.png"
    shutil.copyfile(example / "media" / "v2-dashboard.png", outside)
    (example / "media" / "link.png").symlink_to(outside)
    with httpx.Client(base_url=served.url, timeout=5) as client:
        assert client.get("/media/media/link.png").status_code == 404


def test_the_projects_media_files_are_served(served: Serving, example: Path) -> None:
    with httpx.Client(base_url=served.url, timeout=5) as client:
        picture = client.get(f"/{MEDIA}")
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/png"
    assert picture.content == (example / "media" / "v2-dashboard.png").read_bytes()


# -- the measurement on 10,000 posts -------------------------------------------------

# The default run measures 1,000 posts while the other tests run beside it; CI
# measures the 10,000 alone (`pytest -m measure`, .ci/run).
SIZES = [
    pytest.param(1_000, id="1000"),
    pytest.param(10_000, id="10000", marks=pytest.mark.measure),
]
START_TARGET = 3.0  # s: from `smmgen serve` to the first page answered
# The limits: 3x the targets, since the default run measures while the other
# tests run on every core (alone, on the 2-core machine: ready 1.6 s, the list
# 2.9 s, a save shown in 84 ms median, 85-99 ms p95; README: Performance).
HEADROOM = 3
UPDATE_TARGET = 0.300  # s: from a save to the open page showing it
EDITS = 15
AT = "2027-01-01 00:00"  # before the generated posts' times


@pytest.fixture(scope="module", params=SIZES)
def big(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp(f"big{request.param}")
    subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "generate.py"),
            str(root),
            "--posts",
            str(request.param),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return root


@dataclass
class Started:
    url: str
    post: Path  # the file of the post the test edits
    posts: int
    ready: float  # seconds from the start to "serving ..." on stderr
    post_page: float  # ... to that post's page answered
    list_page: float  # ... to the post list answered (the page `serve --open` opens)


def post_id(file: Path) -> str:
    found = re.search(r"^id: (\S+)$", file.read_text(encoding="utf-8"), re.M)
    assert found, file
    return found[1]


@pytest.fixture(scope="module")
def big_server(big: Path) -> Iterator[Started]:
    """`smmgen serve --port 0` on the big project, as a user starts it."""
    files = sorted((big / "content").rglob("*.md"))
    post = files[len(files) // 2]
    smmgen = shutil.which("smmgen", path=str(Path(sys.executable).parent)) or "smmgen"
    started = time.monotonic()
    process = subprocess.Popen(
        [smmgen, "--root", str(big), "serve", "--port", "0", "--host", LOCAL, "--at", AT],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SMMGEN_AT": AT},
    )
    try:
        url = read_url(process, timeout=60)
        ready = time.monotonic() - started
        with httpx.Client(timeout=60) as client:
            assert client.get(url + paths.post_page(post_id(post))).status_code == 200
            post_page = time.monotonic() - started
            assert client.get(url).status_code == 200
            list_page = time.monotonic() - started
        yield Started(url, post, len(files), ready, post_page, list_page)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def read_url(process: subprocess.Popen[str], timeout: float) -> str:
    """The URL `serve` prints on stderr ("serving http://..."); the rest of stderr
    is read on, so that the server never waits on a full pipe."""
    found = threading.Event()
    lines: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        with process.stderr:
            for line in process.stderr:
                lines.append(line)
                if re.search(r"serving (http://\S+/)", line):
                    found.set()

    threading.Thread(target=read, daemon=True).start()
    assert found.wait(timeout), f"serve printed no URL in {timeout} s: {''.join(lines)!r}"
    url = next(m[1] for line in lines if (m := re.search(r"serving (http://\S+/)", line)))
    return url


def test_serve_on_many_posts_starts_and_answers_in_time(big_server: Started) -> None:
    times = big_server
    print(
        f"\nsmmgen serve, {times.posts} posts, seconds from the start (target {START_TARGET} s):"
        f" ready {times.ready:.2f}, a post's page answered {times.post_page:.2f},"
        f" the post list answered {times.list_page:.2f}"
    )
    assert times.post_page <= HEADROOM * START_TARGET, times
    assert times.list_page <= HEADROOM * START_TARGET, times


def test_serve_on_many_posts_shows_a_save_in_time(big_server: Started, browser: Browser) -> None:
    url, file = big_server.url, big_server.post
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT)
    guard = Guard()
    context.route("**/*", guard.route)
    try:
        page = context.new_page()
        page.goto(url + paths.post_page(post_id(file)))
        page.wait_for_function(
            "document.querySelector('[data-live-status]').textContent === 'live'"
        )
        # as a writer works: the first whole check (about 3 s of both cores on
        # 10,000 posts) has finished and the page shows its findings; a save
        # during it waited up to 0.9 s in CI
        page.wait_for_function(
            "() => !document.querySelector('main').textContent.includes('check is running')"
        )
        original = file.read_text(encoding="utf-8")
        body = original.index("\n---\n", 4) + len("\n---\n")
        latencies = []
        for edit in range(EDITS):
            word = f"Edit{edit:02d}"
            saved = time.monotonic()
            file.write_text(original[:body] + word + " " + original[body:], encoding="utf-8")
            page.wait_for_function(
                "w => [...document.querySelectorAll('article.card [data-text]')]"
                ".some(t => t.textContent.includes(w))",
                arg=word,
            )
            latencies.append(time.monotonic() - saved)
            time.sleep(0.1)  # an editor's saves are apart
    finally:
        context.close()
    assert not guard.outside, guard.outside
    median = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[-1]
    print(
        f"\nsmmgen serve, {big_server.posts} posts: save to update over {EDITS} edits: median"
        f" {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (target {UPDATE_TARGET * 1000:.0f} ms)"
    )
    assert median <= HEADROOM * UPDATE_TARGET, latencies
    assert p95 <= HEADROOM * UPDATE_TARGET, latencies
