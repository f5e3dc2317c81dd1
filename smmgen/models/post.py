"""Front matter of a post file (``content/**/*.md``)."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field

from smmgen.models.base import Bool, Model, Url
from smmgen.models.hashtags import is_hashtag
from smmgen.times import WHEN_FORMATS

#: For editors (JSON Schema): no whitespace, no control character, no leading
#: punctuation; :func:`is_post_id` decides, character class by character class.
ID_PATTERN = r"^[^\s\x00-\x1f\x7f-\x9f._/-][^\s\x00-\x1f\x7f-\x9f]*$"
ID_RULE = (
    "use letters (of any script, with their marks), digits, '-', '_', '.' and '/',"
    " starting with a letter or digit (no spaces, no empty, '.' or '..' parts),"
    " like 2026-12-01-v2-launch or השקה-2027"
)
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
#: Zero-width non-joiner and joiner: part of how Persian and other scripts spell words.
_JOINERS = frozenset("\u200c\u200d")


def _id_character(char: str, first: bool) -> bool:
    category = unicodedata.category(char)
    if category[0] in "LN":
        return True
    if first:
        return False
    return category[0] == "M" or char in "-_./" or char in _JOINERS


_ASCII_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*")  # the common case, in one match


def is_post_id(value: str) -> bool:
    """Whether ``value`` is a usable post id (explicit, or derived from the file's
    path): letters of any script and their marks (niqqud, accents), digits, ZWNJ
    and ZWJ, and ``-_./``; never whitespace, a control or format character, a
    line separator or other punctuation, so an id stays on its line wherever it
    is printed."""
    if _ASCII_ID.fullmatch(value):
        return not any(seg in ("", ".", "..") for seg in value.split("/"))
    return (
        bool(value)
        and _id_character(value[0], True)
        and all(_id_character(char, False) for char in value[1:])
        and not any(seg in ("", ".", "..") for seg in value.split("/"))
    )


def _post_id(value: str) -> str:
    if not is_post_id(value):
        raise ValueError(f"'{value}' is not a usable id: {ID_RULE}")
    return value


def _tag(value: str) -> str:
    tag = value[1:] if value.startswith("#") else value
    if not is_hashtag(tag):
        raise ValueError(
            f"'{value}' cannot be a hashtag: write one word of letters (of any script, with"
            " their marks), digits and _ (and the joiners ZWNJ/ZWJ, ־ ׳ ״ and ·), with at"
            " least one letter and no spaces or other punctuation, like 'OpenSource' or"
            " 'برنامه‌نویسی'"
        )
    return tag


def _language(value: str) -> str:
    if not _LANGUAGE.fullmatch(value):
        raise ValueError(f"'{value}' is not a language code: use BCP 47, like 'en' or 'pt-BR'")
    return value


PostId = Annotated[str, AfterValidator(_post_id), Field(json_schema_extra={"pattern": ID_PATTERN})]
Tag = Annotated[str, AfterValidator(_tag)]
Language = Annotated[str, AfterValidator(_language)]


class MediaItem(Model):
    """An image or video attached to the post."""

    path: str = Field(
        description="The file, relative to the repository root, e.g. media/v2-dashboard.png."
    )
    alt: str | None = Field(
        default=None,
        description="Alternative text describing the media for people who cannot see it."
        " Required when policy.require_alt_text is true.",
    )


class PostFields(Model):
    """The fields a post sets and a per-channel override may change."""

    title: str | None = Field(
        default=None, description="Internal title; not published, available to templates."
    )
    publish_at: str | None = Field(
        default=None,
        description=f"When to publish: {WHEN_FORMATS}. Absent: unscheduled"
        " (`smmgen schedule` assigns a calendar slot).",
        examples=["2026-12-01 09:00", "2026-12-01T09:00:00+01:00"],
    )
    channels: list[str] | Literal["all"] | None = Field(
        default=None,
        description="Channel names from channels.yaml, or 'all'."
        " Default: defaults.channels in channels.yaml.",
    )
    link: Url | None = Field(
        default=None, description="A URL appended per channel, tagged with UTM parameters."
    )
    tags: list[Tag] | None = Field(
        default=None,
        description="Hashtags (without '#') added where the channel uses them.",
    )
    media: list[MediaItem] | None = Field(
        default=None, description="Images or videos, each with its alternative text."
    )
    campaign: str | None = Field(
        default=None, description="A campaign from calendar.yaml `campaigns`."
    )
    language: Language | None = Field(
        default=None, description="BCP 47 language code of the text, e.g. 'en' or 'de'."
    )
    sponsored: Bool | None = Field(
        default=None,
        description="A paid or sponsored post: the policy's sponsored_disclosure must appear.",
    )
    thread: Bool | Literal["auto"] | None = Field(
        default=None,
        description="'auto' (the default) keeps the parts separated by '---' lines and"
        " splits text too long for a network into a thread where the network has threads;"
        " true keeps the '---' parts but never splits them; false never makes a thread.",
    )
    draft: Bool | None = Field(default=None, description="A draft is checked but never published.")


class Override(PostFields):
    """Changes for one channel: any post field, plus the text itself."""

    text: str | None = Field(
        default=None, description="Text used on this channel instead of the post body."
    )


class FrontMatter(PostFields):
    """The YAML front matter at the top of a post file, between two '---' lines."""

    model_config = ConfigDict(title="smmgen post front matter")

    id: PostId | None = Field(
        default=None,
        description="Stable identity of the post; the ledger records publishing under it,"
        " so renaming the file never publishes again. Default: the path below content/"
        " without .md.",
    )
    overrides: dict[str, Override] | None = Field(
        default=None, description="Per-channel changes, keyed by channel name."
    )
