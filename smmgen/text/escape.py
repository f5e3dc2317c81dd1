"""Escaping plain text for the networks whose text fields are markup.

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
  named entities it knows and keeps attribute values safe
  ("Formatting options", https://core.telegram.org/bots/api#html-style).
"""

from __future__ import annotations

import re

__all__ = [
    "LINKEDIN_RESERVED",
    "linkedin_little_text",
    "linkedin_unescape",
    "slack_escape",
    "telegram_html_escape",
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


def telegram_html_escape(text: str) -> str:
    """`text` for Telegram's HTML parse mode: ``& < > "`` as entities."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
