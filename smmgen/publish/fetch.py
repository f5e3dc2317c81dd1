"""Fetching what content points at: bounded in time and size, never into the network inside.

Most requests go to the endpoints channels.yaml configures (:mod:`smmgen.publish.http`).
Some URLs come from content instead: a Bluesky link card reads the linked page's
OpenGraph tags, then the page's ``og:image``. Whoever writes a post, or the page,
chooses them, so every such fetch goes through :func:`fetch`, which

- takes ``http`` and ``https`` URLs only and follows at most ``MAX_REDIRECTS``
  redirects itself, checking every hop like the first;
- resolves the host once and refuses it if *any* of its addresses is not a
  public one (:func:`allowed_address`: loopback, private, link-local, cloud
  metadata, multicast, reserved and the like, also inside IPv6 forms such as
  ``::ffff:127.0.0.1``), then connects to an address it checked, so a DNS
  answer that changes between check and connection (rebinding) gains nothing;
- keeps one deadline for the whole fetch, redirects included: the name lookup,
  every connection, TLS handshake, write and read gets only the time left;
- reads at most ``max_bytes`` of the body while it streams in and stops there
  (a page may keep what it read; anything else fails), asks for no compression
  and refuses a compressed answer, so the bytes read are the bytes kept;
- accepts only the content types the caller names (``text/html``, ``image/``).

``SMMGEN_ALLOW_PRIVATE_FETCH=1`` lets these fetches reach loopback and private
addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): the tests serve
pages from 127.0.0.1, and a site may live on an intranet. Link-local addresses,
cloud metadata endpoints, multicast, unspecified and reserved addresses stay
refused. ``SMMGEN_FETCH_DEADLINE`` sets the deadline in seconds (default 10).
"""

from __future__ import annotations

import codecs
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpcore
import httpx

from smmgen import __version__
from smmgen.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW_PRIVATE_ENV = "SMMGEN_ALLOW_PRIVATE_FETCH"
DEADLINE_ENV = "SMMGEN_FETCH_DEADLINE"
DEADLINE = 10.0  # seconds for a whole fetch, redirects included
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)

#: Names of cloud metadata services: refused before they are even looked up.
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.internal",
    }
)
#: Cloud metadata addresses: refused even with ``SMMGEN_ALLOW_PRIVATE_FETCH``.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
#: Not public, whatever the running Python's ``is_global`` says (IANA special registries).
NOT_PUBLIC = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "240.0.0.0/4",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
        "fec0::/10",
    )
)
#: What ``SMMGEN_ALLOW_PRIVATE_FETCH`` opens besides loopback.
PRIVATE_USE = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


@dataclass(frozen=True)
class Fetched:
    """What a fetch brought back."""

    url: str  # after redirects
    content_type: str  # the media type, lower case, without parameters
    charset: str | None
    body: bytes
    truncated: bool = False  # the body went on past max_bytes (``truncate=True`` only)

    def text(self) -> str:
        """The body as text, in its declared character set (else UTF-8)."""
        try:
            encoding = codecs.lookup(self.charset or "utf-8").name
        except LookupError:
            encoding = "utf-8"
        return self.body.decode(encoding, "replace")


# -- the address policy ----------------------------------------------------------


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # IPv4-compatible (::a.b.c.d, not :: or ::1)
        return ipaddress.IPv4Address(int(address))
    return None


def _unscoped(address: IPAddress) -> IPAddress:
    """``fe80::1%eth0`` as ``fe80::1`` (a zone would defeat comparisons)."""
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return ipaddress.IPv6Address(int(address))
    return address


def public_address(address: IPAddress) -> bool:
    """A global unicast address, and so is any IPv4 address inside it."""
    address = _unscoped(address)
    if (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_link_local
        or address.is_loopback
        or address.is_private
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        or address in METADATA_ADDRESSES
        or any(address.version == net.version and address in net for net in NOT_PUBLIC)
    ):
        return False
    inner = embedded_ipv4(address)
    return inner is None or public_address(inner)


def allowed_address(address: IPAddress, *, allow_private: bool = False) -> bool:
    """Whether a content-driven fetch may connect to ``address``: a public one, or
    with ``allow_private`` also a loopback or private-use one (never link-local,
    metadata, multicast, unspecified or reserved)."""
    address = _unscoped(address)
    if public_address(address):
        return True
    if not allow_private:
        return False
    inner = embedded_ipv4(address) or address
    if inner in METADATA_ADDRESSES or address in METADATA_ADDRESSES:
        return False
    return inner.is_loopback or any(
        inner.version == net.version and inner in net for net in PRIVATE_USE
    )


def allow_private_default() -> bool:
    return os.environ.get(ALLOW_PRIVATE_ENV, "") == "1"


def deadline_default() -> float:
    """Seconds for a whole fetch: ``SMMGEN_FETCH_DEADLINE``, else 10 (at most 60)."""
    try:
        return min(60.0, max(0.05, float(os.environ.get(DEADLINE_ENV, DEADLINE))))
    except ValueError:
        return DEADLINE


# -- name lookup and connection (tests replace these) -----------------------------


def resolve(host: str, port: int) -> list[str]:
    """Every address of ``host`` (the system resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


_BACKEND = httpcore.SyncBackend()


def connect(address: str, port: int, timeout: float) -> httpcore.NetworkStream:
    """A TCP connection to ``address``, a literal IP address (no lookup happens)."""
    return _BACKEND.connect_tcp(address, port, timeout=timeout, socket_options=[])


# -- the fetch ---------------------------------------------------------------------


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self, cap: float | None = None) -> float:
        """The time left (at most ``cap``); FetchError once it is up."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise FetchError(f"took longer than {self.seconds:g} s")
        return left if cap is None else min(left, cap)


class _Stream(httpcore.NetworkStream):
    """A connection whose every operation gets only the time left."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline):
        self.inner = inner
        self.deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.deadline.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.deadline.left(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self.inner.start_tls(ssl_context, server_hostname, self.deadline.left(timeout))
        return _Stream(inner, self.deadline)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """Connects only to addresses the policy allows, and only to the ones it checked."""

    def __init__(self, deadline: _Deadline, allow_private: bool):
        self.deadline = deadline
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.checked(host, port)
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = connect(str(address), port, self.deadline.left(timeout))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _Stream(stream, self.deadline)
        raise FetchError(f"cannot connect to {host}: {failure or 'no address'}")

    def checked(self, host: str, port: int) -> list[IPAddress]:
        """The addresses of ``host``, each allowed; FetchError if any is not."""
        name = host.rstrip(".").lower()
        if name in METADATA_HOSTS:
            raise FetchError(f"{host} is a cloud metadata service")
        try:
            literal: IPAddress | None = ipaddress.ip_address(name)
        except ValueError:
            literal = None
        found = [str(literal)] if literal is not None else self._lookup(host, port)
        addresses = []
        for text in found:
            address = _unscoped(ipaddress.ip_address(text))
            if not allowed_address(address, allow_private=self.allow_private):
                raise FetchError(
                    f"{host} is at {address}, which is not a public address"
                    f" (set {ALLOW_PRIVATE_ENV}=1 to allow loopback and private ones)"
                )
            addresses.append(address)
        if not addresses:
            raise FetchError(f"{host} has no address")
        return addresses

    def _lookup(self, host: str, port: int) -> list[str]:
        """``resolve(host)`` within the time left (a slow resolver cannot hold the fetch)."""
        answer: list[list[str]] = []
        failure: list[OSError] = []
        done = threading.Event()

        def work() -> None:
            try:
                answer.append(resolve(host, port))
            except OSError as exc:
                failure.append(exc)
            finally:
                done.set()

        threading.Thread(target=work, name="smmgen-resolve", daemon=True).start()
        if not done.wait(self.deadline.left()):
            raise FetchError(f"took longer than {self.deadline.seconds:g} s to look up {host}")
        if failure or not answer:
            raise FetchError(f"cannot look up {host}")
        return answer[0]

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise FetchError("no Unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, self.deadline.left()))


def _accepts(content_type: str, types: tuple[str, ...]) -> bool:
    return any(content_type.startswith(t) if t.endswith("/") else content_type == t for t in types)


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


def _media_type(value: str) -> tuple[str, str | None]:
    """``text/html; charset=utf-8`` as ``("text/html", "utf-8")``."""
    kind, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return kind.strip().lower(), charset


@cache
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()  # httpx's: the same certificate authorities


def fetch(
    url: str,
    *,
    types: tuple[str, ...],
    max_bytes: int,
    truncate: bool = False,
    deadline: float | None = None,
    max_redirects: int = MAX_REDIRECTS,
    allow_private: bool | None = None,
) -> Fetched:
    """GET ``url`` within the limits of the module docstring; FetchError if it cannot be.

    ``types`` are the media types accepted (``"image/"`` takes every image type);
    with ``truncate`` a body longer than ``max_bytes`` is cut there, else refused.
    ``deadline`` (seconds) and ``allow_private`` default to their environment settings.
    """
    limit = _Deadline(deadline if deadline is not None else deadline_default())
    private = allow_private_default() if allow_private is None else allow_private
    pool = httpcore.ConnectionPool(
        ssl_context=_ssl_context(),
        max_connections=1,
        retries=0,
        network_backend=_Backend(limit, private),
    )
    try:
        with pool:
            return _follow(pool, url, limit, types, max_bytes, truncate, max_redirects)
    except httpcore.TimeoutException:
        raise FetchError(f"took longer than {limit.seconds:g} s") from None
    except (httpcore.ProtocolError, httpcore.NetworkError, httpcore.UnsupportedProtocol) as exc:
        raise FetchError(f"the connection failed: {type(exc).__name__}") from None
    except httpx.InvalidURL:
        raise FetchError("not a valid URL") from None


def _follow(
    pool: httpcore.ConnectionPool,
    url: str,
    limit: _Deadline,
    types: tuple[str, ...],
    max_bytes: int,
    truncate: bool,
    max_redirects: int,
) -> Fetched:
    target = httpx.URL(url)
    for _hop in range(max_redirects + 1):
        if target.scheme not in ("http", "https") or not target.host:
            raise FetchError(
                f"{target.scheme or 'a relative'} URL: only http and https are fetched"
            )
        headers = [
            (b"Host", target.netloc),
            (b"User-Agent", f"smmgen/{__version__}".encode()),
            (b"Accept", ", ".join(t + "*" if t.endswith("/") else t for t in types).encode()),
            (b"Accept-Encoding", b"identity"),
        ]
        left = limit.left()
        address = httpcore.URL(
            scheme=target.raw_scheme, host=target.raw_host, port=target.port, target=target.raw_path
        )
        timeouts = dict.fromkeys(("connect", "read", "write", "pool"), left)
        with pool.stream(
            "GET", address, headers=headers, extensions={"timeout": timeouts}
        ) as response:
            location = _header(response.headers, b"location")
            if response.status in _REDIRECTS and location:
                target = target.join(location)
                continue
            if not 200 <= response.status < 300:
                raise FetchError(f"HTTP {response.status}")
            kind, charset = _media_type(_header(response.headers, b"content-type") or "")
            if not _accepts(kind, types):
                raise FetchError(f"the content type is {kind or 'not given'}, not {types[0]}…")
            encoding = (_header(response.headers, b"content-encoding") or "identity").lower()
            if encoding != "identity":
                raise FetchError(f"the answer is compressed ({encoding})")
            declared = _header(response.headers, b"content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes and not truncate:
                raise FetchError(f"larger than {max_bytes} bytes ({declared})")
            body, truncated = _read(response.iter_stream(), max_bytes, truncate, limit)
            return Fetched(str(target), kind, charset, body, truncated)
    raise FetchError(f"more than {max_redirects} redirects")


def _read(
    chunks: Iterable[bytes], max_bytes: int, truncate: bool, limit: _Deadline
) -> tuple[bytes, bool]:
    """At most ``max_bytes`` of the body: reading stops as soon as more arrives."""
    body = bytearray()
    for chunk in chunks:
        limit.left()
        if len(body) + len(chunk) > max_bytes:
            if not truncate:
                raise FetchError(f"larger than {max_bytes} bytes")
            body += chunk[: max_bytes - len(body)]
            return bytes(body), True
        body += chunk
    return bytes(body), False
