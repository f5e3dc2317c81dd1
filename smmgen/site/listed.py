"""A post as the list and the calendar show it: its id, title, language,
campaign, the start of its text, the people it mentions, its media and when it
goes out on each channel. The overview pages are made from these, not from the
loaded posts, so that `build` can write them from what its cache kept of
posts it did not load again (:mod:`smmgen.site.buildcache`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smmgen.adapt.markdown import MENTION
from smmgen.check.policy import media_items
from smmgen.loader.posts import Post

EXCERPT = 140  # characters of a post's text in the list and the calendar
_MARKUP = re.compile(r"[*_`#>\[\]]+|\(https?://[^)]*\)")


def excerpt(text: str, width: int = EXCERPT) -> str:
    flat = " ".join(_MARKUP.sub("", text).split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Listed:
    id: str
    file: str
    title: str  # the front matter's title, or the id
    language: str | None
    campaign: str | None
    excerpt: str
    people: tuple[str, ...]  # the project's people it mentions, sorted
    draft: bool
    times: dict[str, datetime | None]  # every channel it names (in order): when
    media: tuple[str, ...]  # the media files it shows

    @property
    def channels(self) -> list[str]:
        return list(self.times)

    def when(self, channel: str) -> datetime | None:
        return self.times.get(channel)

    @property
    def is_draft(self) -> bool:
        return self.draft

    def to_json(self) -> list[Any]:
        times = {k: v.isoformat() if v else None for k, v in self.times.items()}
        return [
            self.title if self.title != self.id else None,
            self.language,
            self.campaign,
            self.excerpt,
            list(self.people),
            self.draft,
            times,
            list(self.media),
        ]

    @classmethod
    def from_json(cls, post: str, file: str, data: list[Any]) -> Listed:
        title, language, campaign, text, people, draft, times, media = data
        return cls(
            post,
            file,
            title or post,
            language,
            campaign,
            text,
            tuple(people),
            draft,
            {k: datetime.fromisoformat(v) if v else None for k, v in times.items()},
            tuple(media),
        )


def listed(post: Post, people: Collection[str]) -> Listed:
    """What the overview shows of ``post``; ``people``: the project's."""
    return Listed(
        id=post.id,
        file=post.file,
        title=post.front.title or post.id,
        language=post.front.language,
        campaign=post.front.campaign,
        excerpt=excerpt(post.body),
        people=tuple(sorted({m for m in MENTION.findall(post.body) if m in people})),
        draft=post.is_draft,
        times={name: post.when(name) for name in post.channels},
        media=tuple(dict.fromkeys(m.path for _, m in media_items(post))),
    )
