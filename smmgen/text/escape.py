"""Escaping plain text for the networks whose text fields are markup: the one
place it is done, for the dialects (``smmgen.networks``), ``check`` and the
drivers alike.

- LinkedIn's Posts API reads ``commentary`` in its "little text format",
  where ``\\ | { } @ [ ] ( ) < > # * _ ~`` are reserved: a mention is
  ``@[Name](urn:li:person:123)``, a hashtag ``{hashtag|\\#|name}``. Reserved
  characters meant as plain text must be escaped with a backslash; an
  unescaped one is not rejected but may silently cut the post short at
  that point ("little text format", LinkedIn Marketing API docs on Microsoft
  Learn: https://learn.microsoft.com/linkedin/marketing/community-management/shares/little-text-format).
- Slack's ``mrkdwn`` treats ``&``, ``<`` and ``>`` as control characters and
  requires exactly these three to be escaped as HTML entities
  ("Formatting text for app surfaces", https://api.slack.com/reference/surfaces/formatting#escaping).
- Telegram's HTML parse mode requires ``<``, ``>`` and ``&`` that are not part
  of a tag or entity to be written as entities; ``&quot;`` is one of the four
  named entities it knows, needed only inside an attribute value
  ("Formatting options", https://core.telegram.org/bots/api#html-style). The
  Atom feed's HTML content is escaped the same way.
- Discord's Markdown: its markers escaped with a backslash, links left whole.
"""

from __future__ import annotations

import re
from functools import lru_cache

from smmgen.text.twitter import extract_urls

__all__ = [
    "LINKEDIN_RESERVED",
    "discord_markdown",
    "html_attribute",
    "html_text",
    "linkedin_little_text",
    "linkedin_unescape",
    "slack_escape",
]

LINKEDIN_RESERVED = "\\|{}@[]()<>#*_~"
_LINKEDIN_RESERVED_RE = re.compile("[" + re.escape(LINKEDIN_RESERVED) + "]")
_LINKEDIN_ESCAPED_RE = re.compile(r"\\([" + re.escape(LINKEDIN_RESERVED) + "])")


def linkedin_little_text(text: str) -> str:
    """`text` as a plain little-text element: every reserved character escaped.

    >>> linkedin_little_text("Q&A (part 1) #news @team")
    'Q&A \\\\(part 1\\\\) \\\\#news \\\\@team'
    """
    return _LINKEDIN_RESERVED_RE.sub(r"\\\g<0>", text)


def linkedin_unescape(text: str) -> str:
    """Undo `linkedin_little_text`: drop the backslash before reserved characters."""
    return _LINKEDIN_ESCAPED_RE.sub(r"\1", text)


def slack_escape(text: str) -> str:
    """`text` for Slack mrkdwn: ``&``, ``<`` and ``>`` as entities, nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_text(text: str) -> str:
    """`text` as HTML character data (Telegram's HTML parse mode, the feed):
    ``&``, ``<`` and ``>`` as entities; quotes are left as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_attribute(text: str) -> str:
    """`text` as an HTML attribute value: ``& < > " '`` as entities."""
    return html_text(text).replace('"', "&quot;").replace("'", "&#x27;")


_DISCORD_MARKER = re.compile(r"([\\*_~`|])")
_DISCORD_LINE_START = re.compile(r"(^|\n)(?=#{1,3} |> |- )")


@lru_cache(maxsize=256)
def discord_markdown(text: str) -> str:
    """`text` for Discord's Markdown: its markers escaped, and a line that would
    start a heading, quote or list item; links are left whole so they still link."""
    if "." not in text:  # no link (a URL is found at a dot): the text is one piece
        return _DISCORD_LINE_START.sub(r"\1\\", _DISCORD_MARKER.sub(r"\\\1", text))
    out = []
    last = 0
    for start, end in [*extract_urls(text, without_scheme=False), (len(text), len(text))]:
        piece = _DISCORD_MARKER.sub(r"\\\1", text[last:start])
        out.append(_DISCORD_LINE_START.sub(r"\1\\", piece) + text[start:end])
        last = end
    return "".join(out)
