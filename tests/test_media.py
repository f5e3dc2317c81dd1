"""The one media probe (smmgen.media): `check` and the drivers judge a file by its bytes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from smmgen.adapt.variants import build_variant
from smmgen.errors import Rejected
from smmgen.loading import load_project as load
from smmgen.media import EXTENSIONS, extension_format, probe
from smmgen.networks.bluesky.driver import BlueskyDriver
from smmgen.publish.driver import Context
from smmgen.publish.http import Http
from tests.adapt.test_variants import Run, channels_yaml, media_front, post
from tests.conftest import MakeProject

# What Pillow writes here, as smmgen names it -> Pillow's name for it.
WRITTEN = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP", "tiff": "TIFF", "bmp": "BMP"}
NAMES = ["png", "jpg", "jpeg", "gif", "webp", "tiff", "bmp", "heic", "mp4", "txt", ""]
HEADERS = {  # containers Pillow does not read: their first bytes
    "mp4": b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2",
    "mov": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ",
    "heif": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
}


def image(fmt: str, size: tuple[int, int] = (5, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(buffer, WRITTEN[fmt])
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", sorted(WRITTEN))
def test_images_are_known_by_their_bytes_with_their_size(fmt: str) -> None:
    found = probe(image(fmt, (7, 4)))
    assert (found.format, found.size, found.bytes) == (fmt, (7, 4), len(image(fmt, (7, 4))))
    assert found.mime == Image.MIME[WRITTEN[fmt]]


@pytest.mark.parametrize(("fmt", "mime"), [("mp4", "video/mp4"), ("mov", "video/quicktime")])
def test_video_containers_are_known_without_a_size(fmt: str, mime: str) -> None:
    found = probe(HEADERS[fmt] + bytes(64))
    assert (found.format, found.mime, found.size, found.is_video) == (fmt, mime, None, True)


def test_heif_is_an_image_not_a_video() -> None:
    found = probe(HEADERS["heif"] + bytes(64))
    assert (found.format, found.mime, found.is_video) == ("heif", "image/heif", False)


@pytest.mark.parametrize(
    "data", [b"", b"\x89PNG\r\n\x1a\n", b"GIF8", b"hello, world\n" * 40, bytes(4096)]
)
def test_what_no_type_is_has_none(data: bytes) -> None:
    found = probe(data)
    assert (found.format, found.mime, found.size, found.bytes) == (None, None, None, len(data))


def test_a_name_contradicts_only_when_it_names_another_format() -> None:
    png = probe(image("png"))
    assert png.named_as("media/a.png") is None
    assert png.named_as("media/a.PNG") is None
    assert png.named_as("media/a.jpg") == "jpeg"
    assert png.named_as("media/a") is None  # no extension says nothing
    assert png.named_as("media/a.img") is None
    assert extension_format("x.JPEG") == "jpeg"


def bluesky_verdict(root: Path, path: str) -> bool:
    """Whether the Bluesky driver would upload the file (its read, no request made)."""
    project = load(root)
    variant = build_variant(project, project.posts[0], "bluesky")
    [media] = variant.parts[0].media
    assert media.path == path
    driver = BlueskyDriver(Context("bluesky", project.channels["bluesky"], project, Http(), {}))
    try:
        driver._read_media(media)
    except Rejected:
        return False
    return True


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fmt=st.sampled_from(sorted(WRITTEN)), name=st.sampled_from(NAMES))
def test_check_and_the_driver_agree_on_every_format_and_name(
    make_project: MakeProject, run: Run, fmt: str, name: str
) -> None:
    """A file of each format under each name: `check` reports a name its bytes
    contradict (media-mismatch, on the media's line) and a format the network does
    not take (media-format); the Bluesky driver refuses exactly what check refuses."""
    path = f"media/photo.{name}" if name else "media/photo"
    front = "channels: [bluesky, mastodon]\n" + media_front([path])
    root = make_project(channels=channels_yaml(), posts={"p.md": post("Look.", front)})
    (root / "media").mkdir(exist_ok=True)
    for old in (root / "media").iterdir():
        old.unlink()
    (root / path).write_bytes(image(fmt))
    result = run("--root", root, "check", "--no-cache", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    said = extension_format(path)
    mismatch = [f for f in findings if f["code"] == "media-mismatch"]
    if said is not None and said != fmt:
        assert [(f["file"], f["line"], f["key"]) for f in mismatch] == [
            ("content/p.md", 5, "media[0].path")
        ]
        assert mismatch[0]["message"] == (
            f"'{path}' is a {fmt.upper()} file, not the {said.upper()} its name says"
        )
        assert mismatch[0]["hint"].startswith(f"rename it to .{EXTENSIONS[fmt][0]}")
    else:
        assert mismatch == []
    refused = {f["channel"] for f in findings if f["code"] == "media-format"}
    assert ("bluesky" in refused) == (fmt not in ("png", "jpeg", "gif", "webp"))
    assert ("mastodon" in refused) == (fmt not in ("png", "jpeg", "gif", "webp"))
    # what check lets through on Bluesky the driver uploads, and what it refuses the driver does
    assert bluesky_verdict(root, path) == ("bluesky" not in refused)


def test_a_text_file_named_as_an_image_is_refused_by_check_and_driver(
    make_project: MakeProject, run: Run
) -> None:
    front = "channels: [bluesky]\n" + media_front(["media/photo.png"])
    root = make_project(
        channels=channels_yaml(), posts={"p.md": post("Look.", front)}, media=["media/photo.png"]
    )
    (root / "media/photo.png").write_text("not a picture\n")
    result = run("--root", root, "check", "--no-cache", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["channel"], f["line"], f["key"]) for f in findings] == [
        ("media-format", "bluesky", 5, "media[0].path")
    ]
    assert findings[0]["message"].startswith("bluesky: 'media/photo.png' is of no known format;")
    assert result.exit_code == 1
    assert not bluesky_verdict(root, "media/photo.png")
