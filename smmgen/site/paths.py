"""Where each page is, as a path below the site's root, the same for the server
and the static site; links between pages are relative, so the static site works
from any folder (GitHub Pages, a pull request's artifact, a file:// URL)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

# Characters a post id may hold that a file name or a URL path cannot carry as
# they are; written as "~XX" (their code in hex), "~" itself too, so the name
# maps back to exactly one id.
_SPECIAL = frozenset('/\\%?#~:*"<>|')

LIST = "index.html"
CALENDAR = "calendar/index.html"
ASSETS = "assets/"
MEDIA = "media/"
EVENTS = "_events"


def slug(post_id: str) -> str:
    """A post id as one path segment, reversibly."""
    return "".join(f"~{ord(c):02X}" if c in _SPECIAL else c for c in post_id)


def post_page(post_id: str) -> str:
    return f"posts/{slug(post_id)}/index.html"


def month_page(year: int, month: int) -> str:
    return f"calendar/{year:04d}-{month:02d}/index.html"


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (ISO 8601)."""
    return day - timedelta(days=day.weekday())


def week_page(day: date) -> str:
    return f"calendar/week/{week_start(day).isoformat()}/index.html"


def media_path(path: str) -> str:
    """A media file of the project (its path below the root) in the site."""
    return MEDIA + path


def up(page: str) -> str:
    """The relative way from ``page`` back to the site's root ("../../")."""
    return "../" * page.count("/")


def href(page: str, target: str) -> str:
    """A link from ``page`` to ``target``, both paths below the root, as an
    escaped relative URL."""
    return quote(up(page) + target, safe="/~.-_")
