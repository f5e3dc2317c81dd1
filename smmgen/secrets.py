"""Finding secrets that were pasted into files, and keeping them out of output.

Credentials belong in environment variables (CI secrets); files only name the
variable (``token_env: SMMGEN_MASTODON_TOKEN``). A value that looks like a
credential is reported without ever printing it: every finding is passed
through :func:`redact` with the values found.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import quote, quote_plus

from smmgen.findings import Finding, KeyPath

# Shapes of real credentials: (what it is, pattern). Safe to scan post text with.
_KNOWN = [
    ("a GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})"),
    ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("a Slack webhook URL", r"hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/\w+"),
    (
        "a Discord webhook URL",
        r"discord(?:app)?\.com/api/webhooks/\d+/[\w-]{20,}",
    ),
    ("a Telegram bot token", r"\b\d{6,12}:AA[A-Za-z0-9_-]{32,}"),
    ("an AWS access key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("an API key", r"\bsk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{20,}"),
    ("a private key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    ("a JSON Web Token", r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    (
        "a token in a URL",
        r"[?&](?:access_token|token|api_key|apikey|key|secret)=[A-Za-z0-9._~+/-]{16,}",
    ),
]
_KNOWN_RE = [(what, re.compile(pattern)) for what, pattern in _KNOWN]
# Every shape above contains one of these; a text with none of them is skipped
# without running the patterns (most posts).
_MARKERS = (
    *("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),  # GitHub
    *("xox", "hooks.slack", "/api/webhooks/", ":AA"),  # Slack, Discord, Telegram
    *("AKIA", "ASIA", "sk-", "PRIVATE KEY", "eyJ"),  # AWS, API keys, private keys, JWTs
    *("token=", "key=", "secret="),  # tokens in URLs
)
# All shapes in one pass over a text; the group that matched says which.
_ANY_KNOWN = re.compile("|".join(f"(?P<k{i}>{pattern})" for i, (_, pattern) in enumerate(_KNOWN)))

# Only in configuration values, where prose never appears.
_APP_PASSWORD = re.compile(r"^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$")
_OPAQUE = re.compile(r"^[A-Za-z0-9_+/=.-]{24,}$")


def _entropy(value: str) -> float:
    counts: dict[str, int] = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def looks_random(value: str) -> bool:
    """A long opaque string mixing letters and digits, like a generated token."""
    if not _OPAQUE.match(value) or "/" in value[:1]:
        return False
    classes = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
        )
    )
    return classes >= 3 and _entropy(value) >= 4.0


def in_text(text: str) -> Iterator[tuple[str, int, str]]:
    """(what it looks like, offset, the value) for each credential-shaped string in text."""
    if not any(marker in text for marker in _MARKERS):
        return
    for match in _ANY_KNOWN.finditer(text):
        index = int((match.lastgroup or "k0")[1:])
        yield _KNOWN[index][0], match.start(), match.group()


def in_value(value: str) -> str | None:
    """What a configuration value looks like, if it looks like a credential."""
    for what, pattern in _KNOWN_RE:
        if pattern.search(value):
            return what
    if _APP_PASSWORD.match(value):
        return "an app password"
    if looks_random(value):
        return "a generated token"
    return None


def scan_data(data: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str, str]]:
    """(key path, what, value) for each string in parsed YAML that looks like a credential."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from scan_data(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from scan_data(value, (*path, index))
    elif isinstance(data, str):
        what = in_value(data)
        if what:
            yield path, what, data


REDACTED = "[redacted]"


def redact_text(text: str, values: Iterable[str]) -> str:
    for value in values:
        if value and value in text:
            text = text.replace(value, REDACTED)
    return text


def redact(findings: list[Finding], values: set[str]) -> list[Finding]:
    """The findings with every occurrence of the secret ``values`` replaced."""
    if not values:
        return findings
    ordered = sorted(values, key=len, reverse=True)
    out = []
    for finding in findings:
        message = redact_text(finding.message, ordered)
        hint = redact_text(finding.hint, ordered) if finding.hint else finding.hint
        key = redact_text(finding.key, ordered) if finding.key else finding.key
        if (message, hint, key) != (finding.message, finding.hint, finding.key):
            finding = replace(finding, message=message, hint=hint, key=key)
        out.append(finding)
    return out


def _utf8(value: str) -> bytes:
    """``value`` as bytes; an environment variable's undecodable bytes as they were."""
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def _escaped(value: str) -> set[str]:
    """``value`` as ``repr()`` and ``ascii()`` print it inside a longer string
    (with either quote escaped), and as ``repr()`` prints its UTF-8 bytes (how
    httpx names a header value it refuses)."""
    both = "'\""  # with both quotes in it, repr() escapes the one it quotes with
    data = _utf8(value)
    return {
        repr(value)[1:-1],
        repr(value + both)[1:-4],
        ascii(value)[1:-1],
        ascii(value + both)[1:-4],
        repr(data)[2:-1],
        repr(data + both.encode())[2:-4],
    }


def _base64(data: bytes) -> set[str]:
    """What base64 makes of ``data`` inside a longer value (``user:secret`` in
    HTTP Basic auth), at each of the three alignments it can start at: the
    characters ``data`` alone decides, and those it decides when it ends the
    value. Standard and URL-safe alphabets."""
    out = set()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + data).decode().rstrip("=")
        first = -(-8 * offset // 6)  # the first character with no bit of what precedes
        inner = encoded[first : 8 * (offset + len(data)) // 6]  # none of what follows
        for form in (inner, encoded[first:]):
            out |= {form, form.replace("+", "-").replace("/", "_")}
    return out


def forms(value: str) -> set[str]:
    """Every form ``value`` can be printed in, and the same for it stripped of
    surrounding whitespace: as is, escaped (``repr()``, ``ascii()``, JSON, HTML),
    URL-encoded (``quote`` and ``quote_plus``) and in base64 (HTTP Basic auth).
    Forms shorter than 4 characters (8 for base64) would hit innocent text and
    are left out."""
    out: set[str] = set()
    for each in {value, value.strip()}:
        if not each:
            continue
        texts = {
            each,
            *_escaped(each),
            json.dumps(each)[1:-1],
            json.dumps(each, ensure_ascii=False)[1:-1],
            json.dumps(each)[1:-1].replace("/", "\\/"),
            html.escape(each),
            quote(each, safe=""),
            quote(each),
            quote_plus(each),
            quote_plus(each, safe="/"),
        }
        out |= {form for form in texts if len(form) >= 4}
        out |= {form for form in _base64(_utf8(each)) if len(form) >= 8}
    return out


class Redactor:
    """The secret values of a run; :meth:`text` replaces them wherever they appear,
    in every form :func:`forms` lists.

    Values shorter than 4 characters are not secrets worth the false hits and
    are ignored.
    """

    def __init__(self, values: Iterable[str] = ()):
        self._values: list[str] = []
        self._added: set[str] = set()  # the values given, so a repeated one costs nothing
        self.add(values)

    def add(self, values: Iterable[str]) -> None:
        new = {v for v in values if v and len(v) >= 4 and v not in self._added}
        if not new:
            return
        self._added |= new
        known = set(self._values)
        for value in new:
            known |= forms(value)
        if len(known) != len(self._values):
            self._values = sorted(known, key=len, reverse=True)  # longest first

    def __bool__(self) -> bool:
        return bool(self._values)

    def text(self, text: str) -> str:
        return redact_text(text, self._values) if self._values else text

    def data(self, value: Any) -> Any:
        """``value`` (JSON-like: dicts, lists, strings) with every string redacted."""
        if not self._values:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        return value


# -- credentials read from the environment --------------------------------------------


def _invisible(char: str) -> str | None:
    """What ``char`` is, if a credential may not hold it."""
    if char in "\r\n\v\f\x85\u2028\u2029":
        return "a line break"
    if char == "\t":
        return "a tab"
    if char.isspace():
        return "a space"
    category = unicodedata.category(char)
    if category == "Cc":
        return "a control character"
    if category[0] in "CZ":  # format (zero-width, BOM), surrogate, private use, unassigned
        return "an invisible character"
    return None


def credential_problem(value: str) -> str | None:
    """Why a credential's value cannot be used, in words that never echo it: it
    holds whitespace or a control character (a secret pasted with its newline).

    None when it is fine."""
    found: dict[str, list[str]] = {}
    last = len(value) - 1
    for index, char in enumerate(value):
        what = _invisible(char)
        if what is None:
            continue
        where = "at the start" if index == 0 else "at the end" if index == last else "inside"
        places = found.setdefault(what, [])
        if where not in places:
            places.append(where)
    if not found:
        return None
    held = " and ".join(f"{what} {' and '.join(places)}" for what, places in found.items())
    return (
        f"holds {held} (its value is not shown); a credential may not hold whitespace"
        " or control characters: set it again without them"
    )


#: The process's redactor: commands that read credentials add them here and
#: the CLI passes everything it prints through it.
REDACTOR = Redactor()
