"""What X charges for publishing a post, and how smmgen prices an item.

X's API is pay-per-usage: every write request is charged. The prices are those
of X's own pricing page, "Write operations: charged per request":

- Source: https://docs.x.com/x-api/getting-started/pricing (its text is
  ``x-api/getting-started/pricing.mdx`` in https://github.com/xdevplatform/docs),
  read 2026-08-22.
- ``Content: Create``: $0.015 per request (``POST /2/tweets``).
- ``Content: Create (with URL)``: $0.200 per request, a post whose text holds a URL.
- Media metadata (``POST /2/media/metadata``, the alt text): $0.005 per request.

X says prices are subject to change and its Developer Console has the current
ones: when they change, change the constants here (and ``PRICES_READ``).

The rule, exactly (:func:`price`): an item costs the sum over its parts (a
thread's parts are each one post create) of $0.200 when the part's text holds
a URL as X finds URLs, else $0.015; plus $0.005 for every medium with alt
text (one metadata request each). "A URL as X finds URLs" is twitter-text's
extraction (:mod:`smmgen.text.twitter`) on the NFC-normalised text, bare
domains (``example.com``) included as X links them; where the Java and the
JavaScript twitter-text libraries disagree, a URL either finds counts, so a
price is never lower than X's.

Not counted: media uploads (the pricing page lists no charge for them,
UNVERIFIED beyond that page), and the reads of a reconciliation (``Owned
Reads``, $0.001 a post, made only after an unknown outcome).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from smmgen.text.twitter import extract_url_entities, js_url_entities

PRICES_SOURCE = "https://docs.x.com/x-api/getting-started/pricing"
PRICES_READ = "2026-08-22"

POST_CREATE = Decimal("0.015")
POST_CREATE_WITH_URL = Decimal("0.200")
MEDIA_METADATA = Decimal("0.005")


def has_url(text: str) -> bool:
    """Whether X finds a URL in ``text`` (either twitter-text library; bare domains too)."""
    normalized = unicodedata.normalize("NFC", text)
    return bool(extract_url_entities(normalized) or js_url_entities(normalized))


def part_price(text: str, alt_texts: int = 0) -> Decimal:
    """One post create for ``text``, and one metadata request per alt text."""
    create = POST_CREATE_WITH_URL if has_url(text) else POST_CREATE
    return create + MEDIA_METADATA * alt_texts


def price(parts: Sequence[tuple[str, int]]) -> Decimal:
    """What publishing a variant costs on X, in US dollars (see the module's rule),
    from each part's text and the number of its media with alt text."""
    return sum((part_price(text, alt_texts) for text, alt_texts in parts), Decimal(0))
