"""The id syntax the README documents, written independently of smmgen's code
(with the regex module's Unicode properties), for the tests of ids."""

from __future__ import annotations

import unicodedata

import regex

DOCUMENTED_ID = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}\u200c\u200d._/-]*")


def documented_id(value: str) -> bool:
    """Letters of any script with their marks, digits, ZWNJ/ZWJ, '-', '_', '.'
    and '/', starting with a letter or digit, no empty, '.' or '..' part; only
    characters this Python's Unicode database knows."""
    known = all(unicodedata.category(c) != "Cn" for c in value)
    return (
        known
        and bool(DOCUMENTED_ID.fullmatch(value))
        and all(part not in ("", ".", "..") for part in value.split("/"))
    )
