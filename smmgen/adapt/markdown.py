"""Markdown bodies rendered into each network's dialect.

The body is parsed once (CommonMark, with strikethrough) and walked here; the
channel's :class:`~smmgen.channels.dialect.Dialect` says how each piece is
written (the ``plain`` dialect: text as people type it in the network's app,
emphasis markers dropped, links as ``text (url)``, lists with bullets; the
others are in their network's module).

Paragraphs are separated by a blank line; a single line break inside a
paragraph is a space, as in any Markdown renderer (end a line with two spaces
or a backslash for a hard break).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from smmgen.channels.dialect import Dialect, MentionFn

# @name of a person in `people`: where some network's own extractor sees a mention
# (twitter-text and Mastodon after '-' and maqaf, as in ל-@alice; twitter-text after
# any letter but an ASCII one), never inside a word, an address or a URL's path or
# query (an ASCII letter or digit, or @./:+=?&%#~ before '@'). Where a network would
# not link the handle written there, `check` says so (smmgen.adapt.variants).
# A combining mark after the name belongs to its last letter, and a name followed by
# '@' or '://' is an address or a URL's start: no mention (as twitter-text's
# endMentionMatch, which Mastodon's extractor reuses).
MENTION = regex.compile(
    r"@(?<![A-Za-z0-9_@./:+=?&%#~]@)([\p{L}\p{N}_]+)(?![\p{L}\p{N}\p{M}_])"
    r"(?![@\uff20]|\.[\p{L}\p{N}_]|://)"
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# Anything that makes Markdown differ from its plain text needs the parser: its
# syntax, indentation as code, hard breaks, a tab before a line end, and any
# white space but space, tab and line feed (CommonMark strips only those).
_NEEDS_PARSER = re.compile(
    r"[*_`\[\]<>\\~&]|^ {0,3}(?:[#>+=-]|\d{1,9}[.)])|^ {4}| {2,}$|\t *$|^ {0,3}\t"
    r"|[^\S \t\n]",
    re.MULTILINE,
)
_PARSER = MarkdownIt("commonmark", {"html": False}).enable("strikethrough")


@dataclass
class _Renderer:
    dialect: Dialect
    mention: MentionFn
    quotes: int = 0  # blockquotes open around what is being rendered

    def escape(self, text: str) -> str:
        return self.dialect.escape(text)

    def text(self, text: str) -> str:
        """Escaped text with @name mentions written the dialect's way."""
        out = []
        last = 0
        for match in MENTION.finditer(text):
            written = self.mention(match.group(1))
            if written is None:
                continue
            out.append(self.escape(text[last : match.start()]))
            out.append(written)
            last = match.end()
        out.append(self.escape(text[last:]))
        return "".join(out)

    # -- inline ---------------------------------------------------------------

    def inline(self, children: list[Token]) -> str:
        out: list[str] = []
        links: list[tuple[str, int]] = []  # (href, index in out where its text starts)
        style = self.dialect.styles
        for token in children:
            kind = token.type
            if kind == "text":
                out.append(self.text(token.content))
            elif kind in ("softbreak",):
                out.append(" ")
            elif kind == "hardbreak":
                out.append("\n")
            elif kind == "code_inline":
                opening, closing = style["code"]
                out.append(opening + self.escape(token.content) + closing)
            elif kind.endswith("_open") and kind[:-5] in ("strong", "em", "s"):
                out.append(style[kind[:-5]][0])
            elif kind.endswith("_close") and kind[:-6] in ("strong", "em", "s"):
                out.append(style[kind[:-6]][1])
            elif kind == "link_open":
                links.append((str(token.attrs.get("href", "")), len(out)))
            elif kind == "link_close" and links:
                href, start = links.pop()
                label = "".join(out[start:])
                del out[start:]
                out.append(self.link(href, label, token.markup == "autolink"))
            elif kind == "image":
                alt = "".join(c.content for c in token.children or [])
                out.append(self.link(str(token.attrs.get("src", "")), self.escape(alt), False))
            else:  # html_inline is off; anything else: its text
                out.append(self.escape(token.content))
        return "".join(out)

    def link(self, href: str, label: str, autolink: bool) -> str:
        plain_label = html.unescape(label) if self.dialect.unescape_labels else label
        same = autolink or plain_label.strip() in (href, href.removeprefix("mailto:"))
        return self.dialect.link(href, label, same)

    # -- blocks ---------------------------------------------------------------

    def blocks(self, tokens: Sequence[Token]) -> str:
        out: list[str] = []
        index = 0
        while index < len(tokens):
            block, index = self.block(tokens, index, depth=0)
            if block is not None:
                out.append(block)
        return "\n\n".join(out)

    def block(self, tokens: Sequence[Token], index: int, depth: int) -> tuple[str | None, int]:
        token = tokens[index]
        kind = token.type
        if kind in ("paragraph_open", "heading_open"):
            inline = self.inline(tokens[index + 1].children or [])
            if kind == "heading_open":
                inline = self.dialect.heading(inline)
            return inline, index + 3
        if kind in ("fence", "code_block"):
            return self.dialect.code(token.content.rstrip("\n")), index + 1
        if kind == "hr":
            return "———", index + 1
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self.list(tokens, index, depth)
        if kind == "blockquote_open":
            end = self._close(tokens, index)
            inner = []
            cursor = index + 1
            self.quotes += 1
            while cursor < end:
                block, cursor = self.block(tokens, cursor, depth)
                if block is not None:
                    inner.append(block)
            self.quotes -= 1
            return self.dialect.quote("\n\n".join(inner), nested=bool(self.quotes)), end + 1
        return None, index + 1

    def list(self, tokens: Sequence[Token], index: int, depth: int) -> tuple[str, int]:
        end = self._close(tokens, index)
        ordered = tokens[index].type == "ordered_list_open"
        number = int(tokens[index].attrs.get("start", 1) or 1)
        lines: list[str] = []
        cursor = index + 1
        while cursor < end:
            if tokens[cursor].type == "list_item_open":
                item_end = self._close(tokens, cursor)
                parts = []
                inner = cursor + 1
                while inner < item_end:
                    block, inner = self.block(tokens, inner, depth + 1)
                    if block is not None:
                        parts.append(block)
                bullet = f"{number}." if ordered else self.dialect.bullet
                number += 1
                # nested lists come back already indented relative to this item
                body = "\n".join(parts).replace("\n", "\n  ")
                lines.append(f"{bullet} {body}")
                cursor = item_end + 1
            else:
                cursor += 1
        return "\n".join(lines), end + 1

    @staticmethod
    def _close(tokens: Sequence[Token], index: int) -> int:
        """Index of the token closing the one at ``index``."""
        level = tokens[index].level
        closing = tokens[index].type.replace("_open", "_close")
        for cursor in range(index + 1, len(tokens)):
            if tokens[cursor].type == closing and tokens[cursor].level == level:
                return cursor
        return len(tokens) - 1


def _plain_paragraphs(text: str) -> list[str]:
    paragraphs = re.split(r"\n[ \t]*\n", text.strip())
    return [" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs]


def _slot(name: str) -> str:
    """Where a mention goes in a shared rendering, filled in per channel."""
    return f"\x00{name}\x00"


def render(text: str, dialect: Dialect, mention: MentionFn) -> str:
    """``text`` (Markdown) in ``dialect``, with @name mentions written by ``mention``."""
    text = _COMMENT.sub("", text)  # HTML comments are notes for the team, never published
    if not text.strip():
        return ""
    rendered = _render(text, dialect)
    if "\x00" not in rendered:
        return rendered
    for name in dict.fromkeys(MENTION.findall(text)):
        written = mention(name)
        if written is None:
            written = dialect.escape("@" + name)
        rendered = rendered.replace(_slot(name), written)
    return rendered


@lru_cache(maxsize=512)
def _render(text: str, dialect: Dialect) -> str:
    """The rendering every channel of one dialect shares, with slots for mentions."""
    whole = dialect.render(text, _slot)
    if whole is not None:
        return whole
    renderer = _Renderer(dialect, _slot)
    if not _NEEDS_PARSER.search(text):
        return "\n\n".join(renderer.text(p) for p in _plain_paragraphs(text) if p)
    return renderer.blocks(parse(text))


@lru_cache(maxsize=64)
def parse(text: str) -> tuple[Token, ...]:
    """The Markdown tokens of ``text``, parsed once for all the channels of a post.

    Shared between callers: never change them.
    """
    return tuple(_PARSER.parse(text))


def _html_text(
    renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    content = tokens[idx].content
    mention: MentionFn = env["mention"]
    return escapeHtml(MENTION.sub(lambda m: mention(m.group(1)) or m.group(0), content))


_PARSER.add_render_rule("text", _html_text)


def render_html(text: str, mention: MentionFn) -> str:
    """``text`` (Markdown) as HTML, with @name mentions written by ``mention``."""
    rendered = _PARSER.renderer.render(list(parse(text)), _PARSER.options, {"mention": mention})
    return str(rendered).strip()
