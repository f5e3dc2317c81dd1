"""How a network writes rich text: its dialect.

A post's body is Markdown; :mod:`smmgen.adapt.markdown` walks it once and asks
the channel's dialect how to write each piece: plain text (escaped), emphasis,
links, headings, code, quotes, list bullets, a mention, a hashtag and the
appendix of link and tags. :class:`Dialect` is the ``plain`` dialect, text as
people type it in a network's app (Mastodon, Bluesky, X, Threads, Facebook,
webhooks); a network whose text is markup subclasses it in its own module
(LinkedIn's little text, Telegram's HTML, Discord's Markdown, Slack's mrkdwn,
the feed's HTML). The escaping itself is in :mod:`smmgen.text.escape`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

# A mention as a dialect writes it, given the name after "@": None leaves it as typed.
MentionFn = Callable[[str], str | None]

NO_STYLE = ("", "")


class Dialect:
    """The ``plain`` dialect; subclasses override what their network writes otherwise.

    Instances are shared by every channel of a network and must not change.
    """

    name: ClassVar[str] = "plain"
    #: (open, close) markers of the inline styles strong, em, s (strikethrough) and code.
    styles: ClassVar[dict[str, tuple[str, str]]] = {
        "strong": NO_STYLE,
        "em": NO_STYLE,
        "s": NO_STYLE,
        "code": NO_STYLE,
    }
    bullet: ClassVar[str] = "•"  # of an unordered list item
    quote_prefix: ClassVar[str] = "> "  # before each line of a block quote
    unescape_labels: ClassVar[bool] = False  # compare a link's label unescaped

    def escape(self, text: str) -> str:
        """Plain ``text`` made safe to insert into a rendering in this dialect."""
        return text

    def render(self, text: str, slot: MentionFn) -> str | None:
        """The whole of ``text`` (Markdown) rendered by the dialect itself, or None
        to let :mod:`smmgen.adapt.markdown` walk it (every dialect but HTML)."""
        return None

    def link(self, href: str, label: str, same: bool) -> str:
        """A link; ``same`` when its label is the address itself."""
        if same or not label:
            return href
        return f"{label} ({href})"

    def heading(self, text: str) -> str:
        return text

    def code(self, text: str) -> str:
        """A code block's text."""
        return self.escape(text)

    def quote(self, text: str, nested: bool) -> str:
        """A block quote around ``text`` (``nested`` inside another quote)."""
        return "\n".join(self.quote_prefix + line for line in text.split("\n"))

    def mention(self, handle: str) -> str:
        """A person's handle on the network, written to mention them."""
        return self.escape(handle)

    def person_name(self, handle: str) -> str | None:
        """The person's name, where a handle on this network carries one (to write
        on networks where they have no handle); None: it carries none."""
        return None

    def hashtag(self, tag: str) -> str:
        """A hashtag (``#tag``) added to the text."""
        return self.escape(tag)

    def appendix_link(self, link: str) -> str:
        """The post's link, appended at the end of the text."""
        return self.escape(link)

    def appendix(self, link: str | None, hashtags: list[str]) -> str:
        """What follows the body: the link and the tags, each after a blank line."""
        pieces = []
        if link:
            pieces.append(self.appendix_link(link))
        if hashtags:
            pieces.append(" ".join(self.hashtag(tag) for tag in hashtags))
        return "".join("\n\n" + piece for piece in pieces)


PLAIN = Dialect()
