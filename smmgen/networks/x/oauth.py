"""OAuth 1.0a user-context signing of X's requests (RFC 5849, HMAC-SHA1), by oauthlib.

X's v2 write bodies are JSON (``Content-Type: application/json``) or
multipart; under RFC 5849 section 3.4.1.3.1 only a form-encoded body enters
the signature base string, so the body is never signed: the signature covers
the method, the URL as sent (with its query) and the ``oauth_*`` parameters.
Signers that fold a JSON body in are refused with 401 (twitter-v2 issue 88).

The signature is made from the request httpx is about to send
(:class:`httpx.Auth`), so the URL signed is the URL sent, query encoding
included. Every signature made is kept in :attr:`OAuth1.signatures`: the
driver redacts them, so a signature echoed by a server never shows.

Source: RFC 5849; X's "OAuth 1.0a" docs (docs.x.com, fundamentals/authentication);
oauthlib ``oauth1.Client`` (https://github.com/oauthlib/oauthlib).
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Literal, cast
from urllib.parse import unquote

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_AUTH_HEADER, Client

#: Signatures kept for redaction (a run makes a few per post).
KEPT = 1000


class OAuth1(httpx.Auth):
    """Signs each request with the app's consumer key and the user's access token."""

    def __init__(self, consumer_key: str, consumer_secret: str, token: str, token_secret: str):
        self._client = Client(
            consumer_key,
            client_secret=consumer_secret,
            resource_owner_key=token,
            resource_owner_secret=token_secret,
            signature_method=SIGNATURE_HMAC_SHA1,
            signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        )
        self._lock = threading.Lock()
        self.signatures: list[str] = []
        self.headers: list[str] = []

    def authorization(self, method: str, url: str) -> str:
        """The ``Authorization`` header for ``method url`` (no body is signed)."""
        verb = cast(Literal["GET", "POST", "PUT", "DELETE", "PATCH"], method.upper())
        _, headers, _ = self._client.sign(url, http_method=verb, body=None, headers={})
        value = str(headers["Authorization"])
        signature = _param(value, "oauth_signature")
        with self._lock:
            if signature:
                self.signatures.append(signature)
            self.headers.append(value)
            del self.signatures[:-KEPT], self.headers[:-KEPT]
        return value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.authorization(request.method, str(request.url))
        yield request

    def made(self) -> list[str]:
        """Every signature and header made so far (for redaction)."""
        with self._lock:
            return [*self.signatures, *self.headers]


def _param(header: str, name: str) -> str | None:
    """The decoded value of ``name="..."`` in an ``OAuth ...`` header."""
    for part in header.removeprefix("OAuth ").split(","):
        key, _, value = part.strip().partition("=")
        if key == name:
            return unquote(value.strip('"'))
    return None
