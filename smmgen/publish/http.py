"""HTTP for drivers: every fault classified, rate limits respected, retries bounded.

:class:`Http` wraps one ``httpx.Client`` per channel. A transport fault
becomes :class:`~smmgen.errors.NotSent` when the request cannot have
reached the server and :class:`~smmgen.errors.Unknown` when it may
have. Rate-limit headers are remembered per host, so the next request waits
for the window to reopen instead of being refused. :class:`Retrier` says how
long to wait before trying again after ``NotSent`` and ``Transient``:
exponential backoff with jitter, honouring ``Retry-After``, within a per-run
budget.

Both take an optional ``cancel`` event (set when the run is interrupted): once
it is set, no request is started (:class:`~smmgen.errors.Cancelled`)
and every wait ends at once.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from smmgen import __version__
from smmgen.errors import Cancelled, NotSent, PublishError, Rejected, Transient, Unknown

T = TypeVar("T")

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_UNKNOWN = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
)


def default_timeout() -> float:
    """Seconds to wait for an answer: ``SMMGEN_HTTP_TIMEOUT``, else 30."""
    try:
        return max(0.05, float(os.environ.get("SMMGEN_HTTP_TIMEOUT", "30")))
    except ValueError:
        return 30.0


def retry_scale() -> float:
    """``SMMGEN_RETRY_SCALE`` multiplies every wait (tests make them short)."""
    try:
        return max(0.0, float(os.environ.get("SMMGEN_RETRY_SCALE", "1")))
    except ValueError:
        return 1.0


@dataclass
class RetryPolicy:
    """How hard to try: ``attempts`` per operation, waits between ``base`` and
    ``cap`` seconds (doubling, with jitter), a server's ``Retry-After`` honoured
    up to ``max_wait``, and at most ``budget`` seconds of waiting per channel
    and run. A longer wait is left to the next run."""

    attempts: int = 5
    base: float = 1.0
    cap: float = 30.0
    max_wait: float = 300.0
    budget: float = 600.0
    scale: float = 1.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        return cls(scale=retry_scale())

    def backoff(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (0-based): half fixed, half random."""
        ceiling = min(self.cap, self.base * 2.0**attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def _parse_when(value: str, now: float) -> float | None:
    """A reset or retry header as an absolute POSIX time."""
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        return number if number > 1e9 else now + number
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks us to wait, from ``Retry-After`` or its rate-limit reset."""
    now = time.time()
    headers = response.headers
    for name in ("retry-after", "x-ratelimit-reset-after"):
        if name in headers:
            when = _parse_when(headers[name], now)
            if when is not None:
                return max(0.0, when - now)
    for name in ("x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset"):
        if name in headers:
            when = _parse_when(headers[name], now)
            if when is not None:
                return max(0.0, when - now)
    return None


def _remaining(headers: Mapping[str, str]) -> int | None:
    for name in ("x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining"):
        if name in headers:
            try:
                return int(float(headers[name]))
            except ValueError:
                return None
    return None


def status_error(response: httpx.Response, message: str) -> PublishError:
    """The error for a response that is not a success, carrying the network's ``message``."""
    status = response.status_code
    if status == 429 or status >= 500:
        return Transient(message, status=status, retry_after=retry_after(response))
    return Rejected(message, status=status)


class Http:
    """One channel's HTTP client (see the module docstring)."""

    def __init__(
        self,
        *,
        timeout: float | None = None,
        policy: RetryPolicy | None = None,
        redact: Callable[[str], str] = lambda text: text,
        transport: httpx.BaseTransport | None = None,
        cancel: threading.Event | None = None,
    ):
        self.policy = policy or RetryPolicy.from_env()
        self.cancel = cancel
        self.started = 0  # requests started (sent, or being sent)
        timeout = timeout or default_timeout()
        self.redact = redact
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": f"smmgen/{__version__}"},
            follow_redirects=False,
            transport=transport,
        )
        self._reopens: dict[str, float] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def _wait_for_window(self, host: str) -> None:
        with self._lock:
            reopens = self._reopens.pop(host, None)
        if reopens is None:
            return
        wait = reopens - time.time()
        if wait <= 0:
            return
        if wait > self.policy.max_wait:
            raise NotSent(f"rate limit of {host} reached; it resets in {wait:.0f} s")
        if pause(wait * self.policy.scale, self.cancel):
            raise Cancelled(f"interrupted while waiting for the rate limit of {host}; not sent")

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request; transport faults become ``NotSent`` or ``Unknown``,
        and an interrupted run ``Cancelled`` (the request is not started)."""
        host = urlsplit(url).netloc
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled(f"interrupted before the request to {host}; not sent")
        self._wait_for_window(host)
        try:
            self.started += 1
            response = self.client.request(method, url, **kwargs)
        except _NOT_SENT as exc:
            raise NotSent(
                self.redact(f"could not reach {host}: {exc or type(exc).__name__}")
            ) from None
        except _UNKNOWN as exc:
            raise Unknown(
                self.redact(f"no answer from {host} after sending: {exc or type(exc).__name__}")
            ) from None
        except httpx.InvalidURL:
            raise Rejected(self.redact(f"not a valid URL for {host or 'the request'}")) from None
        except (httpx.HTTPError, httpx.StreamError, httpx.CookieConflict) as exc:
            raise NotSent(self.redact(f"request to {host} failed: {exc}")) from None
        remaining = _remaining(response.headers)
        if remaining is not None and remaining <= 0:
            wait = retry_after(response)
            if wait:
                with self._lock:
                    self._reopens[host] = time.time() + wait
        return response


def pause(seconds: float, cancel: threading.Event | None) -> bool:
    """Wait ``seconds``; True if ``cancel`` was set meanwhile (the wait then ends at once)."""
    if cancel is None:
        time.sleep(seconds)
        return False
    return cancel.wait(seconds)


class Retrier:
    """The waits between attempts of one channel's requests, within one budget."""

    def __init__(self, policy: RetryPolicy, cancel: threading.Event | None = None):
        self.policy = policy
        self.cancel = cancel
        self.spent = 0.0

    def wait_for(self, exc: PublishError, attempt: int) -> float | None:
        """How long to wait before trying again, or None when this run should give up."""
        hinted = exc.retry_after if isinstance(exc, Transient) else None
        wait = max(hinted, self.policy.backoff(attempt)) if hinted else self.policy.backoff(attempt)
        if hinted is not None and hinted > self.policy.max_wait:
            return None
        if self.spent + wait > self.policy.budget:
            return None
        return wait

    def pause(self, wait: float) -> None:
        """Wait (scaled by ``SMMGEN_RETRY_SCALE``) and count it against the budget;
        the wait ends at once when the run is interrupted (``cancel`` is set)."""
        self.spent += wait
        pause(wait * self.policy.scale, self.cancel)
