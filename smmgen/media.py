"""What a media file is, judged by its bytes: the one media probe of smmgen.

``check``, the variants and every publishing driver ask :func:`probe` (or
:func:`probe_file`), so a file is judged the same way before and at publish
time, whatever its name says. Images are identified, and measured, by Pillow
from their header alone (no pixel is decoded). Pillow reads no video and no
HEIF; those containers (MP4, QuickTime, WebM, HEIC/HEIF) are identified by
puremagic, and only as one of the types listed in ``_CONTAINERS``.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:  # Pillow and puremagic are imported when a file is probed
    from PIL import ImageFile

HEAD_BYTES = 4096  # enough of a file for puremagic to name its container

# A Pillow format as smmgen names it (MPO is a JPEG with more pictures after it).
_PILLOW = {"JPEG": "jpeg", "MPO": "jpeg", "DIB": "bmp"}
# Containers Pillow cannot read: the media type puremagic gives -> smmgen's format.
_CONTAINERS = {
    "video/mp4": "mp4",
    "video/x-m4v": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "image/heic": "heif",
    "image/heif": "heif",
}
MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "heif": "image/heif",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
}
VIDEO = frozenset({"mp4", "mov", "webm"})
# The file name extensions of each format, the usual one first (any other names no format).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "png": ("png",),
    "gif": ("gif",),
    "webp": ("webp",),
    "avif": ("avif",),
    "heif": ("heic", "heif", "hif"),
    "tiff": ("tif", "tiff"),
    "bmp": ("bmp", "dib"),
    "mp4": ("mp4", "m4v"),
    "mov": ("mov", "qt"),
    "webm": ("webm",),
}
_ORIENTATION = 0x0112  # EXIF: 5 to 8 turn the picture a quarter


@dataclass(frozen=True)
class Probe:
    """What a file is. ``format`` is None when its bytes are no type smmgen knows."""

    format: str | None  # jpeg, png, gif, webp, avif, heif, mp4, mov, webm; tiff, bmp, ...
    mime: str | None  # image/jpeg, ...; None with format
    bytes: int
    width: int | None = None  # as shown (a JPEG's EXIF orientation applied); images only
    height: int | None = None

    @property
    def is_video(self) -> bool:
        return self.format in VIDEO

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) as shown, when the header tells them."""
        if self.width is None or self.height is None:
            return None
        return self.width, self.height

    def named_as(self, name: str) -> str | None:
        """The format ``name``'s extension says when it is not this one's, else None.

        An extension that names no format (or none at all) contradicts nothing.
        """
        said = extension_format(name)
        if said is None or self.format is None or said == self.format:
            return None
        return said


@lru_cache(maxsize=1024)
def extension(name: str) -> str:
    """A file name's extension, lower case, without its dot ("" for none)."""
    return PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")


@lru_cache(maxsize=1024)
def extension_format(name: str) -> str | None:
    """The format a file name's extension says, if it names one."""
    suffix = extension(name)
    return next((fmt for fmt, names in EXTENSIONS.items() if suffix in names), None)


def accepted(fmt: str | None, names: Collection[str]) -> bool:
    """Whether a network that takes ``names`` (formats or extensions, like
    ``NetworkLimits.image_formats``) takes a file of format ``fmt``."""
    if not fmt:
        return False
    return fmt in names or any(name in names for name in EXTENSIONS.get(fmt, ()))


def probe(data: bytes) -> Probe:
    """What the bytes ``data`` are."""
    return _probe(io.BytesIO(data), len(data))


def probe_file(path: Path | str) -> Probe:
    """What the file at ``path`` is, read from its header (``OSError`` if unreadable)."""
    with open(path, "rb") as file:
        return _probe(file, os.fstat(file.fileno()).st_size)


def _probe(file: BinaryIO, size: int) -> Probe:
    found = _image(file, size)
    if found is not None:
        return found
    file.seek(0)
    head = file.read(HEAD_BYTES)
    fmt, mime = _container(head)
    return Probe(fmt, mime, size)


def _image(file: BinaryIO, size: int) -> Probe | None:
    """The image Pillow reads in the file's header, or None."""
    from PIL import Image, UnidentifiedImageError

    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning: only the header is read
            with Image.open(file) as image:
                name = image.format or ""
                width, height = image.size
                turned = name in ("JPEG", "MPO") and _turned(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None
    except Image.DecompressionBombError:
        return None
    fmt = _PILLOW.get(name, name.lower())
    if not fmt:
        return None
    if turned:
        width, height = height, width
    valid = width > 0 and height > 0
    mime = MIME.get(fmt) or Image.MIME.get(name)
    return Probe(fmt, mime, size, width if valid else None, height if valid else None)


def _turned(image: ImageFile.ImageFile) -> bool:
    """Whether a JPEG's EXIF orientation shows it a quarter turned."""
    try:
        return image.getexif().get(_ORIENTATION) in (5, 6, 7, 8)
    except Exception:  # a broken EXIF block: shown as stored
        return False


def _container(head: bytes) -> tuple[str | None, str | None]:
    """(format, media type) of a container Pillow does not read, or (None, None)."""
    if not head:
        return None, None
    import puremagic

    try:
        found = puremagic.from_string(head, mime=True)
    except Exception:  # PureError, or bytes puremagic did not expect: no known type
        return None, None
    fmt = _CONTAINERS.get(found)
    if fmt is None:
        return None, None
    return fmt, found if found in ("image/heic", "image/heif") else MIME[fmt]


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of an image as shown, from its header, or None."""
    return probe(data).size
