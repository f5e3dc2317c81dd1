"""X's error answers, read and turned into smmgen's errors with a message that says what to do.

Shapes (X API v2 OpenAPI ``Problem``; docs.x.com "Response codes and errors"):

- RFC 7807 ``application/problem+json``: ``{"type", "title", "detail", "status"}``
  plus type-specific fields (``errors[{message, parameters}]`` of
  ``invalid-request``, ``reason`` and ``registration_url`` of
  ``client-forbidden``, ``period`` and ``scope`` of ``usage-capped``;
  ``oauth1-permissions`` for a token that may only read, as seen in
  plhery/node-twitter-api-v2#493). The
  OpenAPI file names the types ``https://api.twitter.com/2/problems/<name>``,
  the docs ``https://api.x.com/2/problems/<name>``: the type is matched on its
  path suffix.
- The legacy ``{"errors": [{"code", "message"}]}`` (e.g. ``88 Rate limit exceeded``).
- A 200 or 201 may carry ``data`` and ``errors`` both (partial success).

Rate limits: ``x-rate-limit-limit``/``-remaining``/``-reset`` (reset: Unix
epoch seconds) per 15-minute window, and the 24-hour caps
``x-app-limit-24hour-*`` and ``x-user-limit-24hour-*``; X sends no
``Retry-After`` (docs.x.com "Rate limits"; the 24-hour headers as seen in
akrherz/iembot#163 and twapi-v2's header list).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from smmgen.errors import PublishError, Rejected, Transient

#: X's message for a post whose text the account posted already.
DUPLICATE = "duplicate content"
#: X's message for an app whose access token may only read.
READ_ONLY_HINTS = ("oauth1 app permissions", "read-only", "read only", "not permitted to perform")
#: A wait past this means: give up for this run (the engine's retrier gives up past its max wait).
DAY = 86400.0


@dataclass(frozen=True)
class Problem:
    """What an error answer says."""

    status: int
    kind: str  # the problem type's last path segment ("usage-capped"), or ""
    title: str
    detail: str
    messages: tuple[str, ...]  # errors[].message of invalid-request or the legacy shape
    codes: tuple[int, ...]  # the legacy errors[].code
    fields: Mapping[str, Any]

    @property
    def text(self) -> str:
        """One line: the detail, else the title, with the errors' messages."""
        head = self.detail or self.title
        rest = [m for m in self.messages if m and m != head]
        return "; ".join([head, *rest] if head else rest) or f"HTTP {self.status}"


def problem_kind(type_uri: str) -> str:
    """``https://api.x.com/2/problems/usage-capped`` (or api.twitter.com) -> ``usage-capped``;
    ``about:blank`` -> ``""``."""
    if "/problems/" not in type_uri:
        return ""
    return type_uri.rstrip("/").rsplit("/problems/", 1)[1]


def read_problem(response: httpx.Response) -> Problem:
    """The problem of an error answer, whatever its shape (text answers too)."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        text = " ".join(response.text.split())[:300]
        return Problem(response.status_code, "", response.reason_phrase, text, (), (), {})
    errors = data.get("errors")
    if not isinstance(errors, list):
        errors = []
    messages = []
    codes = []
    kinds = []
    for error in errors:
        if not isinstance(error, dict):
            continue
        for name in ("message", "detail"):
            if isinstance(error.get(name), str):
                messages.append(error[name])
                break
        if isinstance(error.get("code"), int):
            codes.append(error["code"])
        if isinstance(error.get("type"), str):
            kinds.append(problem_kind(error["type"]))
    kind = problem_kind(data["type"]) if isinstance(data.get("type"), str) else ""
    return Problem(
        status=response.status_code,
        kind=kind or next((k for k in kinds if k), ""),
        title=data["title"] if isinstance(data.get("title"), str) else "",
        detail=data["detail"] if isinstance(data.get("detail"), str) else "",
        messages=tuple(messages),
        codes=tuple(codes),
        fields=data,
    )


def _epoch(headers: httpx.Headers, name: str) -> float | None:
    try:
        return float(headers[name]) if name in headers else None
    except ValueError:
        return None


def _at(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def daily_cap(headers: httpx.Headers) -> str | None:
    """Which 24-hour cap is spent (``x-user-limit-24hour-remaining: 0`` or the app's),
    and when it resets; None if neither is."""
    for who, prefix in (("user", "x-user-limit-24hour"), ("app", "x-app-limit-24hour")):
        remaining = headers.get(f"{prefix}-remaining")
        if remaining is not None and remaining.strip() == "0":
            limit = headers.get(f"{prefix}-limit", "?")
            reset = _epoch(headers, f"{prefix}-reset")
            when = f"; it resets at {_at(reset)}" if reset else ""
            whose = "this account's" if who == "user" else "the app's"
            return f"{whose} 24-hour cap of {limit} requests is spent ({prefix}-remaining: 0){when}"
    return None


def window_wait(headers: httpx.Headers) -> float | None:
    """Seconds until the 15-minute window reopens (``x-rate-limit-reset``, epoch seconds)."""
    reset = _epoch(headers, "x-rate-limit-reset")
    return None if reset is None else max(0.0, reset - time.time())


def error_for(
    response: httpx.Response,
    *,
    context: str,
    variables: list[str],
    redact: Callable[[str], str],
) -> PublishError:
    """The error for a failing answer: what X said, and what to do about it.

    ``variables`` names the environment variables of the four credentials.
    """
    problem = read_problem(response)
    status = problem.status
    said = redact(problem.text)
    where = f"{context}: " if context else ""
    if problem.kind == "usage-capped":
        period = problem.fields.get("period")
        scope = problem.fields.get("scope")
        what = " ".join(str(v) for v in (scope, period) if isinstance(v, str))
        return Transient(
            f"{where}X's usage cap is reached{f' ({what})' if what else ''}: {said};"
            " gave up for this run, the next run tries again (or raise the cap in the"
            " X developer console)",
            status=status,
            retry_after=DAY,
        )
    if status == 429:
        cap = daily_cap(response.headers)
        if cap:
            return Transient(
                f"{where}{cap}; gave up for this run, the next run goes on",
                status=status,
                retry_after=DAY,
            )
        wait = window_wait(response.headers)
        return Transient(f"{where}{said} (rate limited)", status=status, retry_after=wait)
    if status >= 500:
        return Transient(f"{where}{said}", status=status, retry_after=window_wait(response.headers))
    if status == 401:
        return Rejected(
            f"{where}X refused the credentials ({said}); check {', '.join(variables)}: the app's"
            " API key and secret and the access token and secret made for that app"
            " (regenerated tokens replace the old ones)",
            status=status,
        )
    if status == 403:
        lowered = said.lower()
        if DUPLICATE in lowered:
            return Rejected(
                f"{where}X refused the post as a duplicate ({said}): the account already has a"
                " post with this text, so this post may already be on X (a run whose answer was"
                " lost, or a post made by hand); look at the account before resolving it",
                status=status,
            )
        if problem.kind == "oauth1-permissions" or any(h in lowered for h in READ_ONLY_HINTS):
            return Rejected(
                f"{where}{said}: the access token may only read; give the app Read and Write"
                " permission (X developer console, app settings, User authentication) and"
                f" regenerate the access token and secret, then update {variables[2]} and"
                f" {variables[3]}",
                status=status,
            )
        if problem.kind == "client-forbidden":
            reason = problem.fields.get("reason")
            url = problem.fields.get("registration_url")
            extra = f" (reason: {reason})" if isinstance(reason, str) else ""
            see = f"; see {url}" if isinstance(url, str) else ""
            return Rejected(
                f"{where}X does not let this app use the endpoint{extra}: {said}; attach the app"
                f" to a project with API access{see}",
                status=status,
            )
        return Rejected(
            f"{where}X refused the request ({said}); check the app's permissions (Read and"
            " Write) and that the account may post",
            status=status,
        )
    return Rejected(f"{where}{said}", status=status)
