"""What can go wrong while talking to a network, classified by what it means
for exactly-once publishing.

- :class:`NotSent`: the request never reached the server (connection refused,
  connect timeout, DNS): safe to send again.
- :class:`Transient`: the server answered 429 or 5xx: retried with backoff,
  honouring ``retry_after``.
- :class:`Rejected`: the server refused the request for good (4xx): recorded
  as failed with the network's message, never retried.
- :class:`Unknown`: the request was sent and no answer came (connection reset
  or read timeout after sending): it may or may not have taken effect. Drivers
  that can find out reconcile; the others record ``unknown``.
"""

from __future__ import annotations

from smmgen.errors import SmmgenError


class PublishError(Exception):
    """A fault talking to a network. ``str()`` is safe to show (no secrets)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.message}" if self.status else self.message


class NotSent(PublishError):
    """The request did not reach the server; sending it again is safe."""


class Cancelled(NotSent):
    """The run was interrupted (SIGINT, SIGTERM) before this request was sent."""


class Transient(PublishError):
    """The server is overloaded or failing (429, 5xx); try again later."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class Rejected(PublishError):
    """The server refused the request for good (4xx other than 429)."""


class Unknown(PublishError):
    """The request was sent but its outcome is unknown."""


class MissingCredentials(SmmgenError):
    """A channel's environment variables are not set."""
