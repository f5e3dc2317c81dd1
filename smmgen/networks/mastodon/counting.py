"""Mastodon: the length the server's ``StatusLengthValidator`` counts.

Mastodon 4.x (``app/validators/status_length_validator.rb``) checks

    (spoiler_text + countable_text(text)).each_grapheme_cluster.size <= max

where ``countable_text`` rewrites two kinds of entities before counting:

- every URL *with a scheme* becomes 23 characters (``URL_PLACEHOLDER``,
  ``'x' * 23``); bare domains are not URLs here
  (``extract_urls_with_indices(str, extract_url_without_protocol: false)``);
- every mention ``@user@domain`` becomes ``@user`` (``Account::MENTION_RE``,
  the domain is dropped).

Overlapping entities are resolved by start position, the earlier one wins
(``remove_overlapping_entities``); a text that is blank counts nothing. The
limit itself is the instance's (500 by default, ``max_characters`` in
``/api/v2/instance``), so callers take it from the channel configuration.

URLs are found as twitter-text's Ruby ``Extractor`` finds them with the
regular expressions Mastodon overrides in ``config/initializers/twitter_regex.rb``:
the schemes http, https, dat, dweb, ipfs, ipns, ssb, gopher and gemini;
domains of any Unicode letters that end in a known TLD (`smmgen.text.tlds`);
paths of anything but white space, ``<>()?`` (balanced parentheses allowed)
that end in a character other than ``!*"'「」<>;:=,.$%[]~&|@``; query strings
with Unicode letters; IDNA-valid hosts (labels of 1-63 characters). The
rules are re-expressed here in Python; no code was copied.
"""

from __future__ import annotations

import functools
import re
from encodings import idna as _idna

import regex

from smmgen.text import graphemes, tlds
from smmgen.text.twitter import alternation

__all__ = ["URL_LENGTH", "countable_text", "mastodon_length", "mention_spans", "url_spans"]

URL_LENGTH = 23
_URL_PLACEHOLDER = "x" * URL_LENGTH
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_MAX_DOMAIN_LENGTH = 253

_WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_UNICODE_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_DIRECTIONAL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVALID = "\ufffe\ufeff\uffff"
_PUNCTUATION = r"""!"#$%&'()*+,\-./:;<=>?@\[\]^_`{|}~"""
_LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f"
    "\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b"
    "\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_UCHARS = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
    "\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd"
    "\U000b0000-\U000bfffd\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
    "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)

_PRECEDING = rf"(?:[^a-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"
_DOMAIN_CHAR = rf"[^{_DIRECTIONAL}{_PUNCTUATION}\x00-\x1f\x7f{_INVALID}{_UNICODE_SPACES}]"
_SUBDOMAIN = rf"(?:(?:{_DOMAIN_CHAR}(?:[_\-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\.)"
_DOMAIN_NAME = rf"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\.)"
_TLD_END = r"(?=[^0-9a-z@+\-]|$)"
_DOMAIN = (
    rf"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}"
    rf"(?:(?:{alternation(tlds.GENERIC)}){_TLD_END}"
    rf"|(?:{alternation(tlds.COUNTRY)}){_TLD_END}"
    r"|(?:xn--[\-0-9a-z]+)))"
)
_PATH_CHAR = rf"[^{_WHITE_SPACE}<>()?]"
_BALANCED_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
_PATH_END = rf"(?:[^{_WHITE_SPACE}()?!*\"'\u300c\u300d<>;:=,.$%\[\]~&|@]|{_BALANCED_PARENS})"
_PATH = rf"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:{_PATH_CHAR}+/))"
_QUERY_CHAR = rf"[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@^{_UCHARS}]"
_QUERY_END = rf"[a-z0-9_&=#/\-{_UCHARS}]"


@functools.cache
def _valid_url() -> re.Pattern[str]:
    # Compiled on first use (the TLD lists make it large).
    return re.compile(
        rf"(?P<before>{_PRECEDING})"
        r"(?P<url>"
        r"(?P<protocol>(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://)?"
        rf"(?P<domain>{_DOMAIN})"
        r"(?::[0-9]+)?"
        rf"(?:/{_PATH}*+)?"
        rf"(?:\?{_QUERY_CHAR}*{_QUERY_END})?"
        r")",
        re.IGNORECASE,
    )


_TCO_URL = re.compile(r"https?://t\.co/([a-z0-9]+)", re.IGNORECASE)
_WHITE_SPACE_RE = re.compile(f"[{_WHITE_SPACE}]")

_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"  # Ruby's [[:word:]]
MENTION = regex.compile(
    rf"@(?<![=/{_WORD}]@)((?i:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@[{_WORD}]+(?:[.-]+[{_WORD}]+)*)?)"
)
_END_MENTION = regex.compile(rf"[@\uff20{_LATIN_ACCENTS}]|://")


def url_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the URLs with a scheme, as Mastodon's extractor finds them."""
    spans: list[tuple[int, int]] = []
    size = len(text)
    backwards = ""
    covered = 0
    start = text.find("://")
    while start != -1:
        if start >= covered:
            # The white-space-delimited stretch around "://" holds the URL.
            backwards = backwards or text[::-1]
            stop = _WHITE_SPACE_RE.search(backwards, size - start)
            # The white space stays in: the match takes it as the preceding
            # character, as it does on the whole text.
            offset = size - stop.start() - 1 if stop else 0
            stop = _WHITE_SPACE_RE.search(text, start)
            covered = stop.start() if stop else size
            spans.extend(_urls_in(text[offset:covered], offset))
        start = text.find("://", start + 3)
    return spans


def _urls_in(piece: str, offset: int) -> list[tuple[int, int]]:
    spans = []
    for match in _valid_url().finditer(piece):
        if not match.group("protocol"):
            continue
        url = match.group("url")
        start, end = match.span("url")
        tco = _TCO_URL.match(url)
        if tco:
            if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                continue
            url = tco.group()
            end = start + len(url)
        if _valid_domain(len(url), match.group("domain")):
            spans.append((offset + start, offset + end))
    return spans


def _valid_domain(url_length: int, domain: str) -> bool:
    try:
        encoded = ".".join(_idna.ToASCII(label).decode("ascii") for label in domain.split("."))
    except UnicodeError:
        return False
    return url_length + max(len(encoded) - len(domain), 0) <= _MAX_URL_LENGTH


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, username) of the mentions, as ``Account::MENTION_RE`` finds them."""
    if "@" not in text and "\uff20" not in text:
        return []
    found = []
    for match in MENTION.finditer(text):
        if _END_MENTION.match(text, match.end()):
            continue
        username, _, domain = match.group(1).partition("@")
        if len(domain) > _MAX_DOMAIN_LENGTH:
            continue
        found.append((match.start(), match.end(), username))
    return found


def countable_text(text: str) -> str:
    """`text` as Mastodon counts it: URLs as 23 x's, mentions without their domain."""
    if not text or text.isspace():
        return ""
    entities: list[tuple[int, int, str]] = [
        (start, end, _URL_PLACEHOLDER) for start, end in url_spans(text)
    ]
    entities += [(start, end, "@" + user) for start, end, user in mention_spans(text)]
    if not entities:
        return text
    entities.sort(key=lambda entity: entity[0])
    pieces = []
    position = 0
    for start, end, replacement in entities:
        if start < position:  # overlaps the entity before: dropped
            continue
        pieces += [text[position:start], replacement]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def mastodon_length(text: str, spoiler_text: str = "") -> int:
    """The length Mastodon counts for a status with `text` and a content warning.

    >>> mastodon_length("Hi @alice@example.social, see https://example.com/a/very/long/path")
    38
    """
    return graphemes(spoiler_text + countable_text(text))
