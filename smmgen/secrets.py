"""Finding secrets that were pasted into files, and keeping them out of output.

Credentials belong in environment variables (CI secrets); files only name the
variable (``token_env: SMMGEN_MASTODON_TOKEN``). A value that looks like a
credential is reported without ever printing it: every finding is passed
through :func:`redact` with the values found.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

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
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "hooks.slack",
    "discord", ":AA", "AKIA", "ASIA", "sk-", "PRIVATE KEY", "eyJ", "token=",
    "key=", "secret=",
)  # fmt: skip
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


class Redactor:
    """The secret values of a run; :meth:`text` replaces them wherever they appear.

    Also catches a secret as it appears URL-encoded. Values shorter than 4
    characters are not secrets worth the false hits and are ignored.
    """

    def __init__(self, values: Iterable[str] = ()):
        self._values: list[str] = []
        self.add(values)

    def add(self, values: Iterable[str]) -> None:
        from urllib.parse import quote

        known = set(self._values)
        for value in values:
            for form in (value, quote(value, safe=""), quote(value)):
                if form and len(form) >= 4 and form not in known:
                    known.add(form)
        self._values = sorted(known, key=len, reverse=True)

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


#: The process's redactor: commands that read credentials add them here and
#: the CLI passes everything it prints through it.
REDACTOR = Redactor()
