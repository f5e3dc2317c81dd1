"""Meta's Graph API conventions, for any network that speaks it (Facebook Pages,
and Threads, whose ``graph.threads.net`` answers in the same shapes).

What is here, with its source:

- the error object ``{"error": {"message", "type", "code", "error_subcode",
  "error_user_title", "error_user_msg", "fbtrace_id"}}``
  (developers.facebook.com/docs/graph-api/guides/error-handling): :func:`graph_error`;
- what its codes mean for sending again: 1 and 2 are temporary ("retry"), 4, 17,
  32, 613 and 80000-80014 are rate limits (the codes Mixpost treats as such,
  ``inovector/mixpost`` ``Meta/Concerns/ManagesRateLimit.php``), 190 is a token
  that cannot be used, 10 and 200-299 a permission the token lacks, 368 a block
  for a policy violation: :func:`kind_of`;
- how long a rate limit lasts, from the usage headers
  (developers.facebook.com/docs/graph-api/overview/rate-limiting):
  ``X-Business-Use-Case-Usage`` (requests with a Page or System User token:
  ``{"<object id>": [{"type", "call_count", "total_cputime", "total_time",
  "estimated_time_to_regain_access"}]}``, the time in minutes) and
  ``X-App-Usage`` (app and user tokens: ``{"call_count", "total_cputime",
  "total_time"}`` in percent of a rolling hour, with no time to wait):
  :func:`usage_wait`.

Meta answers a rate limit with a Graph error, not always with HTTP 429, so a
caller classifies by the error's code, never by the status alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx

#: Temporary server-side faults: "retry the request" (error-handling guide).
TRANSIENT_CODES = frozenset({1, 2})
#: Throttling: application (4), user (17), Page (32), a call rate (613), and
#: the business-use-case limits 80000-80014.
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
#: The access token cannot be used (expired, revoked, password changed, ...).
TOKEN_CODE = 190
#: Blocked for a policy violation (a temporary block carries subcode 1390008:
#: "You're posting too fast", which Postiz retries later).
POLICY_CODE = 368
POLICY_TEMPORARY_SUBCODES = frozenset({1390008})
#: Waiting for a platform (app or user) limit without a time given: the usage is
#: counted over a rolling hour.
APP_LIMIT_WAIT = 3600.0

_SHARES = ("call_count", "total_cputime", "total_time")

Kind = Literal["transient", "rate", "token", "permission", "policy", "refused"]


@dataclass(frozen=True)
class GraphError:
    """One Graph API error object (any field may be missing)."""

    message: str = ""
    type: str = ""
    code: int | None = None
    subcode: int | None = None
    user_title: str = ""
    user_message: str = ""
    trace: str = ""  # fbtrace_id: what Meta's support asks for
    transient: bool = False  # is_transient: Meta says a retry may succeed

    def describe(
        self, limit: int | None = None, clean: Callable[[str], str] = lambda text: text
    ) -> str:
        """The error in one line: Meta's message and its user message (``clean``-ed,
        e.g. redacted, then cut to ``limit`` characters), then the codes."""
        text = self.message or self.type or "unknown error"
        if self.user_message and self.user_message not in text:
            text += f" ({self.user_title + ': ' if self.user_title else ''}{self.user_message})"
        text = " ".join(clean(text).split())
        if limit is not None and len(text) > limit:
            text = text[: limit - 1] + "…"
        codes = [f"code {self.code}"] if self.code is not None else []
        if self.subcode is not None:
            codes.append(f"subcode {self.subcode}")
        if self.trace:
            codes.append(f"fbtrace_id {self.trace}")
        return f"{text} [{', '.join(codes)}]" if codes else text


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def graph_error(response: httpx.Response) -> GraphError | None:
    """The Graph error object of a response, or None if it has none."""
    try:
        data = response.json()
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return None
    return GraphError(
        message=_str(error.get("message")),
        type=_str(error.get("type")),
        code=_int(error.get("code")),
        subcode=_int(error.get("error_subcode")),
        user_title=_str(error.get("error_user_title")),
        user_message=_str(error.get("error_user_msg")),
        trace=_str(error.get("fbtrace_id")),
        transient=error.get("is_transient") is True,
    )


def kind_of(error: GraphError | None, status: int) -> Kind:
    """What a failed answer means for sending again (see the module docstring)."""
    code = error.code if error else None
    if code in RATE_LIMIT_CODES or status == 429:
        return "rate"
    if code in TRANSIENT_CODES or (error is not None and error.transient):
        return "transient"
    if code == TOKEN_CODE:
        return "token"
    if code == 10 or (code is not None and 200 <= code <= 299):
        return "permission"
    if code == POLICY_CODE:
        subcode = error.subcode if error else None
        return "rate" if subcode in POLICY_TEMPORARY_SUBCODES else "policy"
    return "transient" if status >= 500 else "refused"


def _usage(headers: Mapping[str, str], name: str) -> Any:
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0.0
    try:
        return float(value)
    except ValueError:
        return 0.0


def usage_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until the rate limit the usage headers report lifts, or None when
    they report none reached.

    The longest ``estimated_time_to_regain_access`` (minutes) of any business
    use case, else, when ``X-App-Usage`` shows a share at 100 % or more,
    :data:`APP_LIMIT_WAIT` (the window is a rolling hour and no time is given).
    """
    business = _usage(headers, "x-business-use-case-usage")
    minutes = 0.0
    if isinstance(business, dict):
        for entries in business.values():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict):
                    wait = _number(entry.get("estimated_time_to_regain_access"))
                    minutes = max(minutes, wait)
    if minutes > 0:
        return minutes * 60.0
    app = _usage(headers, "x-app-usage")
    if isinstance(app, dict) and any(_number(app.get(k)) >= 100 for k in _SHARES):
        return APP_LIMIT_WAIT
    return None
