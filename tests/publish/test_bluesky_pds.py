"""The Bluesky driver against a real PDS (``@atproto/dev-env``, tests/servers/pds.py).

Posts are built the real way (a project, ``smmgen.load``, ``build_variant``),
published by :class:`BlueskyDriver`, read back with
``com.atproto.repo.getRecord`` and validated against the official lexicons.
The test run installs the PDS (tests/pds) and the official libraries
(tests/text/node) when it needs them (tests/prerequisites.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import subprocess
import textwrap
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import smmgen
from smmgen.adapt.variants import Variant, build_variant
from smmgen.errors import MissingCredentials, NotSent, Rejected, Transient
from smmgen.media import image_size
from smmgen.networks.bluesky.driver import BlueskyDriver, blob_ref, page_tags
from smmgen.networks.bluesky.tid import is_tid, record_key
from smmgen.publish.driver import Context, Remote, driver_class, part_key
from smmgen.publish.fetch import ALLOW_PRIVATE_ENV
from smmgen.publish.http import Http
from smmgen.registry import network as network_of
from tests.conftest import CALENDAR_YAML, MakeProject
from tests.prerequisites import node
from tests.servers.base import Faults, Reply, Request, TestServer
from tests.servers.pds import Pds, free_port
from tests.text.lexicon_helper import LEXICON_DIR, NODE_DIR, validate_records

pytestmark = [
    pytest.mark.npm("tests/pds"),
    pytest.mark.npm("tests/text/node"),
    pytest.mark.xdist_group("pds"),  # one worker, one PDS (the fixture is per session)
]

POST = "app.bsky.feed.post"
PASSWORD_ENV = "SMMGEN_TEST_BLUESKY_PASSWORD"
JWT_SECRET = b"jwt-secret"  # @atproto/dev-env's (const.js): lets a test forge an expired token


# -- images -------------------------------------------------------------------


def png(width: int, height: int, rgb: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A real PNG image of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# 5x3 images made by sharp (libvips): each format's real header.
SHARP_IMAGES = {
    "jpeg": "/9j/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8t"
    "MC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo"
    "KCgoKCgoKCgoKCj/wAARCAADAAUDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAb/xAAUEAEAAAAAAAAA"
    "AAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAgf/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEA"
    "PwCSAFV3/9k=",
    "webp-lossy": "UklGRjAAAABXRUJQVlA4ICQAAABQAQCdASoFAAMAAsBMJaAABAAAAP7qZWz///M0f/JH/sD1UAA=",
    "webp-lossless": "UklGRh4AAABXRUJQVlA4TBEAAAAvBIAAAAdQlCJXq/+BiOh/AAA=",
    "gif": "R0lGODlhBQADAIAAAExpccgoWiH/C05FVFNDQVBFMi4wAwEAAAAh+QQFAAAAACwAAAAABQADAAACA4yPWQA7",
    "png": "iVBORw0KGgoAAAANSUhEUgAAAAUAAAADCAIAAADUVFKvAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEElEQVR4"
    "nGM4oRGFjBgI8AHWwRNX+wVNUQAAAABJRU5ErkJggg==",
}
# 7x2 with alpha (VP8X, the extended format)
WEBP_EXTENDED = (
    "UklGRkgAAABXRUJQVlA4WAoAAAAQAAAABgAAAQAAQUxQSAoAAAARB1DAiAhERP8DVlA4IBgAAAAwAQCdASoH"
    "AAIAAsBMJaQAA3AA/vfggAA="
)


@pytest.mark.parametrize("name", sorted(SHARP_IMAGES))
def test_image_size_of_real_headers(name: str) -> None:
    assert image_size(base64.b64decode(SHARP_IMAGES[name])) == (5, 3)


def test_image_size_more() -> None:
    assert image_size(base64.b64decode(WEBP_EXTENDED)) == (7, 2)
    assert image_size(png(640, 480)) == (640, 480)
    # a JPEG whose EXIF orientation (6: turned 90 degrees) shows it 3 wide, 5 high
    jpeg = base64.b64decode(SHARP_IMAGES["jpeg"])
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
    tiff += struct.pack("<HHII", 0x0112, 3, 1, 6) + b"\x00\x00\x00\x00"
    exif = b"Exif\x00\x00" + tiff
    turned = jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + jpeg[2:]
    assert image_size(turned) == (3, 5)
    for broken in (
        b"",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"GIF8",
    ):
        assert image_size(broken) is None
    assert image_size(b"not an image at all") is None


def test_blob_ref_is_the_cid_of_the_bytes() -> None:
    ref = blob_ref(b"hello", "text/plain")
    # CIDv1, raw codec, sha2-256 of b"hello" (as `ipfs add --cid-version 1 --raw-leaves`)
    assert ref["ref"]["$link"] == "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"
    assert ref["size"] == 5


def test_page_tags() -> None:
    tags = page_tags(
        "<html><head><title> A  page </title>"
        '<meta property="og:title" content="The title">'
        '<meta name="description" content="Plain description">'
        '<meta property="og:image" content="/img.png"></head><body>x</body></html>'
    )
    assert tags == {
        "title": "A page",
        "og:title": "The title",
        "description": "Plain description",
        "og:image": "/img.png",
    }


# -- the project --------------------------------------------------------------


def channels_yaml(pds: Pds) -> str:
    return textwrap.dedent(
        f"""\
        defaults:
          channels: [bluesky]
          language: en
          utm: {{utm_source: "{{channel}}", utm_medium: social}}
        channels:
          bluesky:
            type: bluesky
            handle: {pds.handle}
            service: {pds.url}
            api_base: {pds.url}
            password_env: {PASSWORD_ENV}
        people:
          bob: {{bluesky: "@bob.test"}}
          nobody: {{bluesky: "@nobody.test"}}
        policy:
          require_alt_text: true
        """
    )


def post_file(post_id: str, body: str, **front: Any) -> str:
    fields = {"id": post_id, "title": post_id, "publish_at": "2026-12-01 09:00", **front}
    head = "\n".join(f"{key}: {json.dumps(value)}" for key, value in fields.items())
    return f"---\n{head}\n---\n{body}\n"


Build = Callable[..., Variant]


@pytest.fixture
def build(pds: Pds, make_project: MakeProject) -> Build:
    """``build(post_id, body, files={path: bytes}, **front_matter)``: its Bluesky variant."""

    def make(
        post_id: str, body: str, *, files: dict[str, bytes] | None = None, **front: Any
    ) -> Variant:
        root = make_project(
            channels=channels_yaml(pds),
            calendar=CALENDAR_YAML,
            posts={"post.md": post_file(post_id, body, **front)},
        )
        for relative, data in (files or {}).items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        project = smmgen.load(root)
        (post,) = (p for p in project.posts if p.id == post_id)
        variant = build_variant(project, post, "bluesky")
        assert not [f for f in variant.findings if f.severity.name == "ERROR"], variant.findings
        make.project = project  # type: ignore[attr-defined]
        return variant

    return make


Drivers = Callable[..., BlueskyDriver]


@pytest.fixture
def drivers(pds: Pds, build: Build) -> Iterator[Drivers]:
    """``drivers(password=..., api_base=...)``: a driver of the last built project's channel."""
    made: list[BlueskyDriver] = []

    def make(*, password: str | None = None, api_base: str | None = None) -> BlueskyDriver:
        project = build.project  # type: ignore[attr-defined]
        channel = project.channels["bluesky"]
        if api_base is not None:
            channel = channel.model_copy(update={"api_base": api_base})
        env = {PASSWORD_ENV: pds.password if password is None else password}
        driver = BlueskyDriver(Context("bluesky", channel, project, Http(), env=env))
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.close()


@pytest.fixture
def xrpc(pds: Pds) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{pds.url}/xrpc/", timeout=10) as client:
        yield client


def publish_all(driver: BlueskyDriver, variant: Variant) -> list[Remote]:
    """Every part, in order, as the engine sends them."""
    thread: list[Remote] = []
    for index in range(len(variant.parts)):
        key = part_key(variant.post, variant.channel, index)
        thread.append(driver.publish(variant, index, key=key, thread=list(thread)))
    return thread


def read_back(client: httpx.Client, remote: Remote) -> dict[str, Any]:
    _, _, repo, collection, rkey = remote.id.split("/")
    answer = client.get(
        "com.atproto.repo.getRecord", params={"repo": repo, "collection": collection, "rkey": rkey}
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["uri"] == remote.id
    assert data["cid"] == remote.data["cid"]
    record = data["value"]
    assert isinstance(record, dict)
    return record


def blob_bytes(client: httpx.Client, did: str, blob: dict[str, Any]) -> bytes:
    answer = client.get(
        "com.atproto.sync.getBlob", params={"did": did, "cid": blob["ref"]["$link"]}
    )
    assert answer.status_code == 200, answer.text
    return answer.content


# validate_records (tests/text/node/validate.mjs) takes records as objects, where a
# blob must be a BlobRef: this does what it does after `jsonToLex`, which turns
# the JSON of a blob (as getRecord answers it) into one, like the atproto libraries.
VALIDATE_JSON = """
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Lexicons, jsonToLex } from '@atproto/lexicon'
function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* files(path)
    else if (entry.name.endsWith('.json')) yield path
  }
}
const docs = [...files(process.argv[1])].map((p) => JSON.parse(readFileSync(p, 'utf8')))
const lexicons = new Lexicons(docs.filter((d) => d && d.lexicon === 1 && typeof d.id === 'string'))
const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const results = JSON.parse(Buffer.concat(chunks).toString('utf8')).map(({ nsid, record }) => {
  try {
    lexicons.assertValidRecord(nsid, jsonToLex(record))
    return null
  } catch (err) {
    return String(err instanceof Error ? err.message : err)
  }
})
process.stdout.write(JSON.stringify(results))
"""


def _has_blob(value: Any) -> bool:
    if isinstance(value, dict):
        return value.get("$type") == "blob" or any(_has_blob(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_blob(v) for v in value)
    return False


def _validate_json(records: list[dict[str, Any]]) -> list[str | None]:
    payload = json.dumps([{"nsid": POST, "record": r} for r in records])
    proc = subprocess.run(
        [node(), "--input-type=module", "-e", VALIDATE_JSON, str(LEXICON_DIR)],
        cwd=NODE_DIR,
        input=payload,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert isinstance(results, list)
    return results


def assert_valid(records: list[dict[str, Any]]) -> None:
    """The records, as read back, are valid app.bsky.feed.post records (official lexicons)."""
    plain = [r for r in records if not _has_blob(r)]
    with_blobs = [r for r in records if _has_blob(r)]
    if plain:
        assert validate_records([(POST, r) for r in plain]) == [None] * len(plain)
    if with_blobs:
        assert _validate_json(with_blobs) == [None] * len(with_blobs)


def posts_with(client: httpx.Client, did: str, text: str) -> list[dict[str, Any]]:
    answer = client.get(
        "com.atproto.repo.listRecords", params={"repo": did, "collection": POST, "limit": 100}
    )
    assert answer.status_code == 200, answer.text
    return [r for r in answer.json()["records"] if r["value"]["text"].startswith(text)]


# -- publishing -----------------------------------------------------------------


def test_network_names_the_driver() -> None:
    assert driver_class(network_of("bluesky")) is BlueskyDriver
    assert BlueskyDriver.reconcilable
    assert BlueskyDriver.credentials == ("password_env",)


def test_verify(pds: Pds, build: Build, drivers: Drivers) -> None:
    build("verify", "Hello.")
    driver = drivers()
    assert driver.missing() == []
    assert driver.verify() == "@alice.test"
    # the password and the session's tokens are what output must never show
    secrets = driver.secrets()
    assert pds.password in secrets
    assert len(secrets) == 3


def test_post_with_facets(pds: Pds, build: Build, drivers: Drivers, xrpc: httpx.Client) -> None:
    variant = build(
        "facets",
        "Hello @bob, read https://example.com/docs/v2 about #release ünïcode ✨",
    )
    (part,) = variant.parts
    assert any(f["features"][0].get("did") == "bob.test" for f in part.facets or [])
    driver = drivers()
    (remote,) = publish_all(driver, variant)

    rkey = record_key("facets", "bluesky", 0, variant.publish_at)
    assert remote.id == f"at://{pds.did}/{POST}/{rkey}"
    assert remote.url == f"https://bsky.app/profile/alice.test/post/{rkey}"
    assert remote.data == {"uri": remote.id, "cid": remote.data["cid"]}
    assert is_tid(rkey)

    record = read_back(xrpc, remote)
    assert record["text"] == part.text
    assert record["langs"] == ["en"]
    assert "embed" not in record
    assert "reply" not in record
    created = datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00"))
    assert abs((created - datetime.now(UTC)).total_seconds()) < 60
    features = {f["features"][0]["$type"].rsplit("#")[-1]: f for f in record["facets"]}
    assert features["mention"]["features"][0]["did"] == pds.accounts["bob.test"]
    assert features["link"]["features"][0]["uri"] == "https://example.com/docs/v2"
    assert features["tag"]["features"][0]["tag"] == "release"
    data = record["text"].encode("utf-8")
    for facet, written in (
        (features["mention"], "@bob.test"),
        (features["link"], "example.com/docs/v2"),
        (features["tag"], "#release"),
    ):
        index = facet["index"]
        assert data[index["byteStart"] : index["byteEnd"]].decode() == written
    # the variant keeps the handle: resolving worked on a copy
    assert any(f["features"][0].get("did") == "bob.test" for f in part.facets or [])
    assert_valid([record])


def test_images_with_alt_text_and_aspect_ratio(
    pds: Pds, build: Build, drivers: Drivers, xrpc: httpx.Client
) -> None:
    chart = png(6, 4)
    photo = base64.b64decode(SHARP_IMAGES["jpeg"])
    variant = build(
        "image",
        "A chart of the week.",
        files={"media/chart.png": chart, "media/photo.jpg": photo},
        media=[
            {"path": "media/chart.png", "alt": "Bars going up"},
            {"path": "media/photo.jpg", "alt": "The team"},
        ],
    )
    driver = drivers()
    preview = driver.preview(variant, 0)
    (remote,) = publish_all(driver, variant)
    record = read_back(xrpc, remote)
    embed = record["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    first, second = embed["images"]
    assert first["alt"] == "Bars going up"
    assert first["aspectRatio"] == {"width": 6, "height": 4}
    assert first["image"] == blob_ref(chart, "image/png")
    assert second["alt"] == "The team"
    assert second["aspectRatio"] == {"width": 5, "height": 3}
    assert second["image"] == blob_ref(photo, "image/jpeg")
    assert embed["images"] == preview["record"]["embed"]["images"]
    assert blob_bytes(xrpc, pds.did, first["image"]) == chart
    assert blob_bytes(xrpc, pds.did, second["image"]) == photo
    assert_valid([record])


def test_thread_replies_to_root_and_parent(
    pds: Pds, build: Build, drivers: Drivers, xrpc: httpx.Client
) -> None:
    variant = build(
        "thread", "One: the start.\n\n---\n\nTwo: the middle.\n\n---\n\nThree: the end."
    )
    assert len(variant.parts) == 3
    driver = drivers()
    thread = publish_all(driver, variant)
    records = [read_back(xrpc, remote) for remote in thread]
    assert [r["text"] for r in records] == [p.text for p in variant.parts]
    root = {"uri": thread[0].data["uri"], "cid": thread[0].data["cid"]}
    assert "reply" not in records[0]
    assert records[1]["reply"] == {"root": root, "parent": root}
    assert records[2]["reply"] == {
        "root": root,
        "parent": {"uri": thread[1].data["uri"], "cid": thread[1].data["cid"]},
    }
    keys = [remote.id.rsplit("/", 1)[1] for remote in thread]
    assert keys == sorted(keys)
    assert len(set(keys)) == 3
    assert_valid(records)


class Site(TestServer):
    """A web site on 127.0.0.1 serving fixed pages (link cards reach it through the
    opt-in to loopback fetches: the ``local_pages`` fixture)."""

    def __init__(self, pages: dict[str, Reply]):
        super().__init__()
        self.pages = pages

    def handle(self, request: Request) -> Reply:
        return self.pages.get(request.path, Reply(404, "no such page"))


@pytest.fixture
def local_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Link cards may be fetched from 127.0.0.1 (else loopback is refused)."""
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")


@pytest.mark.usefixtures("local_pages")
def test_link_card_from_open_graph(
    pds: Pds, build: Build, drivers: Drivers, xrpc: httpx.Client
) -> None:
    thumb = png(12, 6, (250, 200, 0))
    page = (
        "<!doctype html><html><head><title>Plain title</title>"
        '<meta property="og:title" content="Version 2 &amp; more">'
        '<meta property="og:description" content="Everything new in v2.">'
        '<meta property="og:image" content="/card.png">'
        "</head><body>Hello</body></html>"
    )
    pages = {
        "/v2": Reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"}),
        "/card.png": Reply(200, thumb, {"Content-Type": "image/png"}),
    }
    with Site(pages) as site:
        variant = build("card", "v2 is out.", link=f"{site.url}/v2")
        assert variant.link is not None
        assert "utm_source=bluesky" in variant.link
        driver = drivers()
        (remote,) = publish_all(driver, variant)
        assert [r.path for r in site.requests] == ["/v2", "/card.png"]
        assert site.errors == []
        assert driver.take_notes() == []  # nothing was left out
    record = read_back(xrpc, remote)
    embed = record["embed"]
    assert embed["$type"] == "app.bsky.embed.external"
    external = embed["external"]
    assert external["uri"] == variant.link
    assert external["title"] == "Version 2 & more"
    assert external["description"] == "Everything new in v2."
    assert external["thumb"] == blob_ref(thumb, "image/png")
    assert blob_bytes(xrpc, pds.did, external["thumb"]) == thumb
    assert_valid([record])


@pytest.mark.usefixtures("local_pages")
def test_link_card_of_an_unreachable_page(
    build: Build, drivers: Drivers, xrpc: httpx.Client
) -> None:
    link = f"http://127.0.0.1:{free_port()}/gone"  # nothing listens there
    variant = build("no-card", "Read this.", link=link)
    driver = drivers()
    (remote,) = publish_all(driver, variant)
    (note,) = driver.take_notes()
    assert note.startswith("link card without the page's title and image: cannot connect")
    record = read_back(xrpc, remote)
    external = record["embed"]["external"]
    assert external == {"uri": variant.link, "title": variant.link, "description": ""}
    assert_valid([record])


@pytest.mark.usefixtures("local_pages")
def test_link_card_of_a_page_without_tags(
    build: Build, drivers: Drivers, xrpc: httpx.Client
) -> None:
    pages = {
        "/plain": Reply(
            200,
            b"<html><head><title>Just a title</title></head></html>",
            {"Content-Type": "text/html"},
        ),
        "/broken": Reply(500, "oops"),
    }
    with Site(pages) as site:
        variant = build("plain-card", "Plain.", link=f"{site.url}/plain")
        (remote,) = publish_all(drivers(), variant)
        broken = build("broken-card", "Broken.", link=f"{site.url}/broken")
        (broken_remote,) = publish_all(drivers(), broken)
    plain = read_back(xrpc, remote)
    assert plain["embed"]["external"] == {
        "uri": variant.link,
        "title": "Just a title",
        "description": "",
    }
    assert read_back(xrpc, broken_remote)["embed"]["external"]["title"] == broken.link
    assert [r.path for r in site.requests] == ["/plain", "/broken"]


def test_repeat_publish_adopts_the_record(
    pds: Pds, build: Build, drivers: Drivers, xrpc: httpx.Client
) -> None:
    variant = build("repeat", "Only once, however often it is sent.")
    key = part_key("repeat", "bluesky", 0)
    first = drivers().publish(variant, 0, key=key, thread=[])
    again = drivers().publish(variant, 0, key=key, thread=[])  # a new run, a new session
    assert again == first
    assert len(posts_with(xrpc, pds.did, "Only once")) == 1
    # the same driver again too
    driver = drivers()
    assert driver.publish(variant, 0, key=key, thread=[]) == first
    assert driver.publish(variant, 0, key=key, thread=[]) == first
    assert len(posts_with(xrpc, pds.did, "Only once")) == 1


def test_reconcile(build: Build, drivers: Drivers) -> None:
    variant = build("reconcile", "First part.\n\n---\n\nSecond part.")
    driver = drivers()
    since = datetime.now(UTC)
    key0, key1 = (part_key("reconcile", "bluesky", i) for i in range(2))
    assert driver.reconcile(variant, 0, key=key0, thread=[], since=since) is None
    first = driver.publish(variant, 0, key=key0, thread=[])
    assert drivers().reconcile(variant, 0, key=key0, thread=[], since=since) == first
    assert driver.reconcile(variant, 1, key=key1, thread=[first], since=since) is None


def test_wrong_password_is_rejected(pds: Pds, build: Build, drivers: Drivers) -> None:
    variant = build("wrong-password", "Never sent.")
    wrong = "not-the-password-42"
    driver = drivers(password=wrong)
    with pytest.raises(Rejected) as caught:
        driver.publish(variant, 0, key=part_key("wrong-password", "bluesky", 0), thread=[])
    assert caught.value.status == 401
    message = str(caught.value)
    assert "Invalid identifier or password" in message
    assert wrong not in message
    assert pds.password not in message
    with pytest.raises(Rejected, match="Invalid identifier or password"):
        driver.verify()


def test_missing_password(build: Build, drivers: Drivers) -> None:
    build("no-password", "Never sent.")
    driver = drivers(password="")
    assert driver.missing() == [PASSWORD_ENV]
    with pytest.raises(MissingCredentials, match=PASSWORD_ENV):
        driver.verify()


def test_unknown_mention_stops_the_post(
    pds: Pds, build: Build, drivers: Drivers, xrpc: httpx.Client
) -> None:
    variant = build("bad-mention", "Start.\n\n---\n\nThanks @nobody!")
    with pytest.raises(Rejected, match=r"@nobody\.test cannot be resolved") as caught:
        drivers().publish(variant, 0, key=part_key("bad-mention", "bluesky", 0), thread=[])
    assert caught.value.status == 400
    assert posts_with(xrpc, pds.did, "Start.") == []


@pytest.mark.parametrize("refresh_works", [True, False])
def test_expired_token_is_refreshed(
    pds: Pds, build: Build, drivers: Drivers, xrpc: httpx.Client, refresh_works: bool
) -> None:
    """The PDS says ExpiredToken: the session is refreshed (or, when the refresh
    token is no good either, opened again) and the request sent again."""
    text = f"After a refresh ({refresh_works})."
    variant = build(f"expired-{refresh_works}", text)
    with Proxy(pds.url, Faults()) as proxy:
        driver = drivers(api_base=proxy.url)
        driver.verify()
        session = driver._session
        assert session is not None
        expired = _expired(session["accessJwt"])
        answer = xrpc.get(
            "com.atproto.server.getSession", headers={"Authorization": f"Bearer {expired}"}
        )
        assert answer.json()["error"] == "ExpiredToken"  # the server's word for it
        session["accessJwt"] = expired
        if not refresh_works:
            session["refreshJwt"] = _expired(session["refreshJwt"])
        (remote,) = publish_all(driver, variant)
        paths = [r.path.rsplit("/", 1)[1] for r in proxy.requests]
    again = [] if refresh_works else ["com.atproto.server.createSession"]
    assert paths == [
        "com.atproto.server.createSession",
        "com.atproto.repo.createRecord",  # refused: expired
        "com.atproto.server.refreshSession",
        *again,
        "com.atproto.repo.createRecord",
    ]
    assert read_back(xrpc, remote)["text"] == text
    assert driver._session is not None
    assert driver._session["accessJwt"] != expired
    assert expired not in driver.secrets()


def _expired(token: str) -> str:
    """``token`` with its expiry in the past, signed again with dev-env's secret."""

    def unpad(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["iat"] -= 7200
    claims["exp"] = claims["iat"] + 60
    body = f"{header}.{unpad(json.dumps(claims).encode())}"
    signature = hmac.new(JWT_SECRET, body.encode(), hashlib.sha256).digest()
    return f"{body}.{unpad(signature)}"


class Proxy(TestServer):
    """The PDS behind a loopback proxy that injects faults (tests/servers/base.py)."""

    def __init__(self, target: str, faults: Faults):
        super().__init__(faults)
        self.target = target
        self.client = httpx.Client(timeout=30)

    def handle(self, request: Request) -> Reply:
        headers = {
            k: v for k, v in request.headers.items() if k in ("authorization", "content-type")
        }
        answer = self.client.request(
            request.method,
            self.target + request.path,
            params=request.query,
            content=request.body,
            headers=headers,
        )
        kind = answer.headers.get("content-type", "application/octet-stream")
        return Reply(answer.status_code, answer.content, {"Content-Type": kind})

    def stop(self) -> None:
        super().stop()
        self.client.close()


def test_lost_answer_is_adopted(
    pds: Pds, build: Build, drivers: Drivers, xrpc: httpx.Client
) -> None:
    """createRecord takes effect but the connection drops: the record is read back."""
    variant = build("lost-answer", "Sent, answer lost.")
    faults = Faults()
    with Proxy(pds.url, faults) as proxy:
        driver = drivers(api_base=proxy.url)
        driver.verify()  # the session first: the next POST is createRecord
        faults.next("reset_after")
        remote = driver.publish(variant, 0, key=part_key("lost-answer", "bluesky", 0), thread=[])
        assert faults.injected["reset_after"] == 1
        assert proxy.errors == []
        paths = [r.path.rsplit("/", 1)[1] for r in proxy.requests]
    assert paths == [
        "com.atproto.server.createSession",
        "com.atproto.repo.createRecord",  # took effect; the connection was reset
        "com.atproto.repo.getRecord",
    ]
    assert read_back(xrpc, remote)["text"] == "Sent, answer lost."
    assert len(posts_with(xrpc, pds.did, "Sent, answer lost.")) == 1


def test_faults_before_the_record_exists(
    pds: Pds, build: Build, drivers: Drivers, xrpc: httpx.Client
) -> None:
    """A 500 or a reset before processing: nothing exists, the error says to try again."""
    variant = build("server-error", "Tried again.")
    key = part_key("server-error", "bluesky", 0)
    faults = Faults()
    with Proxy(pds.url, faults) as proxy:
        driver = drivers(api_base=proxy.url)
        driver.verify()
        faults.next("error_500")
        with pytest.raises(Transient) as transient:
            driver.publish(variant, 0, key=key, thread=[])
        assert transient.value.status == 500
        faults.next("reset_before")
        with pytest.raises(NotSent):
            driver.publish(variant, 0, key=key, thread=[])
        assert posts_with(xrpc, pds.did, "Tried again.") == []
        remote = driver.publish(variant, 0, key=key, thread=[])
    assert read_back(xrpc, remote)["text"] == "Tried again."


def test_preview_needs_no_network(pds: Pds, build: Build) -> None:
    image = png(3, 9)
    variant = build(
        "preview",
        "Hi @bob.\n\n---\n\nMore.",
        files={"media/tall.png": image},
        media=[{"path": "media/tall.png", "alt": "Tall"}],
    )

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"preview sent {request.url}")

    project = build.project  # type: ignore[attr-defined]
    http = Http(transport=httpx.MockTransport(refuse))
    driver = BlueskyDriver(Context("bluesky", project.channels["bluesky"], project, http, env={}))
    try:
        first = driver.preview(variant, 0)
        second = driver.preview(variant, 1)
    finally:
        driver.close()
    assert first["rkey"] == record_key("preview", "bluesky", 0, variant.publish_at)
    record = first["record"]
    assert record["text"] == variant.parts[0].text
    assert record["facets"][0]["features"][0]["did"] == "bob.test"  # not resolved
    (item,) = record["embed"]["images"]
    assert item == {
        "image": blob_ref(image, "image/png"),
        "alt": "Tall",
        "aspectRatio": {"width": 3, "height": 9},
    }
    assert second["record"]["reply"]["root"]["uri"] == "(part 1)"
