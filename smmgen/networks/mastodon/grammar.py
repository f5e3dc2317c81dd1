"""The hashtags and mentions Mastodon links, as its server extracts them.

Hashtags: ``Tag::HASHTAG_RE`` (``app/models/tag.rb``), scanned by
``Extractor.extract_hashtags_with_indices`` (``app/lib/extractor.rb``):

- ``#`` at the start of a line or after anything but ``/``, ``)`` or an ASCII
  word character (Ruby's ``\\w``);
- then word characters (Ruby's ``[[:word:]]``: letters, combining marks, decimal
  digits, connector punctuation) and the separators ``_``, ``·`` (U+00B7),
  ``・`` (U+30FB) and ZWNJ (U+200C), with at least one alphabetic character;
  a separator cannot end a tag. So niqqud and NFD accents stay inside a tag
  and ``#برنامه‌نویسی`` is whole, but geresh ``׳``, gershayim ``״``, maqaf ``־``
  and ZWJ end one: ``#מנכ״ל`` is linked as ``#מנכ``;
- a tag right before ``://`` loses a trailing ``http``/``https``.

Mentions: ``Account::MENTION_RE`` refuses only ``=``, ``/`` and word
characters before ``@`` (see :mod:`smmgen.networks.mastodon.counting`), so
``ל-@alice`` and ``ל־@alice`` are mentions.

tests/networks/test_grammar_official.py runs the same regular expressions in
Ruby on generated text.
"""

from __future__ import annotations

import regex

from smmgen.channels.base import Entity, Grammar
from smmgen.models.hashtags import Hashtag
from smmgen.networks.mastodon.counting import mention_spans, url_spans
from smmgen.text.entities import without_overlaps

_SEPARATORS = "_\u00b7\u30fb\u200c"
_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"  # Ruby's [[:word:]]
_ALPHA = r"\p{Alphabetic}"  # Ruby's [[:alpha:]]
_FIRST = (
    rf"[{_WORD}_][{_WORD}{_SEPARATORS}]*[{_ALPHA}{_SEPARATORS}]"
    rf"[{_WORD}{_SEPARATORS}]*[{_WORD}_]"
)
_LAST = rf"[{_WORD}_]*[{_ALPHA}][{_WORD}_]*"
_HASHTAG = regex.compile(
    rf"(?:^|[^/)A-Za-z0-9_])(?P<hash>#)(?P<tag>{_FIRST}|{_LAST})",
    regex.IGNORECASE | regex.MULTILINE,
)
_SCHEME_END = regex.compile(r"(.+)(https?)\Z")


def mastodon_hashtags(text: str) -> list[Hashtag]:
    """The hashtags Mastodon's extractor finds in ``text``."""
    if "#" not in text:
        return []
    found = []
    for match in _HASHTAG.finditer(text):
        tag = match.group("tag")
        end = match.end()
        if text.startswith("://", end):
            scheme = _SCHEME_END.match(tag)
            if scheme:
                tag = scheme.group(1)
                end -= len(scheme.group(2))
        found.append(Hashtag(match.start("hash"), end, tag))
    return found


def mastodon_mention_may_follow(before: str) -> bool:
    """``Account::MENTION_RE``'s ``(?<![=/[:word:]])``."""
    return before == "" or not (before in "=/" or regex.match(rf"[{_WORD}]", before))


GRAMMAR = Grammar(
    hashtags=mastodon_hashtags,
    mention_may_follow=mastodon_mention_may_follow,
    mention_rule="Mastodon links no mention right after a letter, a digit, _, = or /",
    source="Mastodon app/models/tag.rb HASHTAG_RE, app/models/account.rb MENTION_RE",
)


def mastodon_entities(text: str) -> list[Entity]:
    """What Mastodon links in a status (``TextFormatter``: the extractor's entities with
    ``extract_url_without_protocol: false``): URLs with a scheme, hashtags and mentions;
    of two overlapping entities the one that starts first."""
    found = [Entity("link", start, end, text[start:end]) for start, end in url_spans(text)]
    found += [Entity("hashtag", tag.start, tag.end) for tag in mastodon_hashtags(text)]
    found += [Entity("mention", start, end) for start, end, _user in mention_spans(text)]
    return without_overlaps(found)


_URL_PREFIX = regex.compile(r"https?://(?:www\.)?|xmpp:", regex.IGNORECASE)
#: Mastodon shows this many characters of a link after its prefix, then "…".
DISPLAY_LENGTH = 30


def mastodon_display_link(url: str) -> str:
    """How Mastodon shows a link: ``TextFormatter#link_to_url`` hides ``URL_PREFIX_REGEX``
    (``https?://(www\\.)?`` or ``xmpp:``) and shows 30 characters of the rest, with an
    ellipsis when more follow (app/lib/text_formatter.rb)."""
    prefix = _URL_PREFIX.match(url)
    rest = url[prefix.end() :] if prefix else url
    return rest[:DISPLAY_LENGTH] + "…" if len(rest) > DISPLAY_LENGTH else rest
