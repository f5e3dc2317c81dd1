"""What the drivers share: sending without ever carrying a secret in an error,
and the URL helpers of networks whose secret is a URL or sits in one."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from smmgen.errors import MissingCredentials, PublishError, Rejected
from smmgen.publish.driver import Driver
from smmgen.secrets import Redactor

_REASON_CHARS = 300  # how much of a receiver's text answer is kept as the reason


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced, in every form it can be printed in."""
    return Redactor(secrets).text(text)


def send(driver: Driver[Any], method: str, url: str, **kwargs: Any) -> httpx.Response:
    """``driver.http.send``, but a fault never carries a secret of the driver.

    :class:`~smmgen.publish.http.Http` redacts with the callable it was given;
    this does not rely on it: the message is scrubbed with ``driver.secrets()``
    and the exception chain (the httpx error, whose text may hold the URL) is
    dropped.
    """
    error: PublishError
    try:
        return driver.http.send(method, url, **kwargs)
    except PublishError as exc:
        error = exc
    except httpx.InvalidURL:  # not an httpx.HTTPError: its text is the URL itself
        error = Rejected(f"channel '{driver.context.name}': the request URL is not valid")
    raise cleaned(error, driver.secrets())


def cleaned(error: PublishError, secrets: Iterable[str]) -> PublishError:
    """``error`` scrubbed of ``secrets``, with no exception chain or frames behind it
    (the httpx error and the frames below hold the URL)."""
    error.message = shortened(scrub(error.message, secrets))
    error.args = (error.message,)
    error.__cause__ = None
    error.__context__ = None
    error.__suppress_context__ = True
    return error.with_traceback(None)


def shortened(reason: str) -> str:
    """A network's reason cut to ``_REASON_CHARS``. Redact before cutting: a cut
    first could keep the start of a secret, which no redactor then recognises."""
    return reason if len(reason) <= _REASON_CHARS else reason[: _REASON_CHARS - 1] + "…"


def rebased(url: str, api_base: str | None) -> str:
    """``url`` with ``api_base``'s scheme and host (and path prefix), if it is set."""
    if not api_base:
        return url
    base = urlsplit(api_base)
    parts = urlsplit(url)
    return urlunsplit(
        (base.scheme, base.netloc, base.path.rstrip("/") + parts.path, parts.query, "")
    )


def derived(url: str, api_base: str | None, path: re.Pattern[str], group: int) -> list[str]:
    """What a secret URL gives away: the URL as called (on ``api_base``) and the
    secret segment of its path (``group`` of ``path``). Never raises."""
    try:
        parts = urlsplit(url)
        values = [rebased(url, api_base)] if parts.scheme and parts.netloc else []
    except ValueError:
        return []
    match = path.fullmatch(parts.path)
    if match:
        values.append(match.group(group))
    return values


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_secret_url(url: str, *, what: str, where: str) -> None:
    """Refuse a secret URL that is not ``https://`` (loopback test servers excepted).

    Raises :class:`MissingCredentials` naming only ``where`` (the variable), never the URL.
    """
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname
    except ValueError:
        scheme, host = "", None
    if scheme == "https" and host:
        return
    if scheme == "http" and host and is_loopback(url):
        return
    raise MissingCredentials(f"{where} does not hold {what}: it must start with https://")


def network_time(value: Any) -> datetime | None:
    """A time a network answered (ISO 8601: ``Z``, ``+00:00`` or Meta's ``+0000``),
    aware (UTC when it names no offset); None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def response_json(response: httpx.Response) -> Any:
    """The JSON of an answer, or None if it has none."""
    try:
        return response.json()
    except ValueError:
        return None


def text_reason(response: httpx.Response) -> str:
    """The reason from a plain-text (or empty) answer, on one line; uncut, since
    it must be redacted whole (:func:`cleaned` shortens it)."""
    text = " ".join(response.text.split())
    return text or f"{response.status_code} {response.reason_phrase}".strip()


def webhook_secrets(driver: Driver[Any], path: re.Pattern[str], group: int) -> list[str]:
    """``driver.secrets()`` plus what its webhook URL gives away (see :func:`derived`)."""
    values = Driver.secrets(driver)
    api_base = getattr(driver.context.channel, "api_base", None)
    for url in list(values):
        values += derived(url.strip(), api_base, path, group)
    return list(dict.fromkeys(values))


def webhook_url(
    driver: Driver[Any], path: re.Pattern[str], *, what: str, example: str, query: bool = True
) -> str:
    """The channel's webhook URL (``webhook_url_env``), checked, on its ``api_base``.

    Raises :class:`MissingCredentials` naming the variable, never the URL.
    """
    channel = driver.context.channel
    url = driver.secret("webhook_url_env").strip()
    where = f"channel '{driver.context.name}': {driver.variable('webhook_url_env')}"
    check_secret_url(url, what=what, where=where)
    parts = urlsplit(url)
    if not path.fullmatch(parts.path) or parts.fragment or (parts.query and not query):
        raise MissingCredentials(f"{where} does not hold {what} ({example})")
    return rebased(url, getattr(channel, "api_base", None))
