"""Issue 11, class 8: every fetch content drives is bounded and stays out of private networks.

A Bluesky link card fetches the page a post links to, then the page's og:image:
URLs anyone who writes a post or the page chooses. :func:`smmgen.publish.fetch.fetch`
must hold a total deadline (redirects and name lookup included), cut the body
while it streams, take only the content types asked for, and never connect to
a loopback, private, link-local, metadata or otherwise non-public address, also
after a redirect or a DNS answer that changes (rebinding). A card that cannot
be fetched is left out and the post still goes out, with a note.

The site here listens on 127.0.0.1. Tests that must reach it without the
opt-in (``SMMGEN_ALLOW_PRIVATE_FETCH``) give it a public-looking address: a
fake resolver names it and a fake connector routes that address, and only
that one, to the site. Both record what they were asked, so a test can show a
refused address was never connected to.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import struct
import textwrap
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpcore
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smmgen.publish.fetch as fetching
from smmgen.publish.fetch import (
    ALLOW_PRIVATE_ENV,
    DEADLINE_ENV,
    METADATA_ADDRESSES,
    FetchError,
    allowed_address,
    fetch,
    public_address,
)
from smmgen.publish.http import Http
from tests.conftest import MakeProject
from tests.servers.base import Reply, Request, TestServer

PUBLIC = "93.184.215.14"  # a global address: the fake connector sends it to the site
CAP = 1_000_000  # bytes
SERVED_AT_MOST = 64 * 2**20  # the endless bodies stop by themselves after this much
PAGE = (
    b"<!doctype html><html><head><title>A page</title>"
    b'<meta property="og:title" content="The title">'
    b'<meta property="og:image" content="/image.png"></head><body>Hi</body></html>'
)


def png(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = (b"\x00" + b"\x10\x20\x30" * width) * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# -- the site --------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        site = self.server.site
        with site.lock:
            site.requests.append(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        name = parts.path.strip("/").replace("/", "_").replace(".", "_")
        route = getattr(self, "route_" + name, None)
        if route is None:
            self.answer(404, b"no such page", "text/plain")
            return
        with contextlib.suppress(OSError):  # the client went away: that is the point
            route(query)

    def answer(self, status: int, body: bytes, kind: str | None, **headers: str) -> None:
        self.send_response(status)
        if kind is not None:
            self.send_header("Content-Type", kind)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def endless(self, write: Callable[[bytes], None]) -> None:
        block = b"<p>" + b"x" * 65_529 + b"</p>"
        sent = 0
        while sent < SERVED_AT_MOST:
            write(block)
            sent += len(block)

    # pages
    def route_page(self, query: dict[str, str]) -> None:
        self.answer(200, PAGE, "text/html; charset=utf-8")

    def route_image_png(self, query: dict[str, str]) -> None:
        self.answer(200, png(), "image/png")

    def route_secret(self, query: dict[str, str]) -> None:
        self.answer(200, b"<html><title>the inside</title></html>", "text/html")

    def route_card(self, query: dict[str, str]) -> None:
        image = query["image"].replace('"', "&quot;")
        head = f'<meta property="og:title" content="T"><meta property="og:image" content="{image}">'
        self.answer(200, f"<html><head>{head}</head></html>".encode(), "text/html")

    def route_long(self, query: dict[str, str]) -> None:
        words = "word " * 100_000
        head = f'<title>{words}</title><meta name="description" content="{words}">'
        self.answer(200, f"<html><head>{head}</head></html>".encode(), "text/html")

    def route_typed(self, query: dict[str, str]) -> None:
        kind = query.get("type")
        body = png() if (kind or "").startswith("image/") else PAGE
        self.answer(
            200, body, kind, **({"Content_Encoding": query["enc"]} if "enc" in query else {})
        )

    # redirects
    def route_redirect(self, query: dict[str, str]) -> None:
        time.sleep(float(query.get("wait", "0")))
        self.answer(302, b"", "text/plain", Location=query["to"])

    def route_loop(self, query: dict[str, str]) -> None:
        self.answer(302, b"", "text/plain", Location="/loop")

    # huge bodies
    def route_huge_declared(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", query.get("type", "text/html"))
        self.send_header("Content-Length", str(2**30))
        self.end_headers()
        self.endless(self.wfile.write)

    def route_huge_undeclared(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", query.get("type", "text/html"))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.endless(self.wfile.write)

    def route_huge_chunked(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", query.get("type", "text/html"))
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.endless(lambda block: self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block)))

    def route_huge_onechunk(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", query.get("type", "text/html"))
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"%x\r\n" % 2**30)  # one chunk of 1 GiB
        self.endless(self.wfile.write)

    # drip feeds: one byte a second, 30 at most
    def route_drip_body(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "30")
        self.end_headers()
        self.wfile.flush()
        for _ in range(30):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(1)

    def route_drip_headers(self, query: dict[str, str]) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: 123456789\r\n"[:30]:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(1)
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that stopped reading is what these tests do


class Site:
    """A web site on 127.0.0.1 with huge, slow, mistyped and redirecting pages."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Site:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def _served() -> Iterator[Site]:
    with Site() as served:
        yield served


@pytest.fixture
def site(_served: Site) -> Site:
    """The module's site, its request log emptied."""
    with _served.lock:
        _served.requests.clear()
    return _served


class Network:
    """A fake resolver and connector: ``names`` answer lookups (a list, or a
    function of the lookup's number); PUBLIC connects to the site."""

    def __init__(self, site: Site):
        self.site = site
        self.names: dict[str, Any] = {"site.example": [PUBLIC]}
        self.lookups: list[str] = []
        self.connected: list[str] = []

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        answer = self.names.get(host)
        if callable(answer):
            return list(answer(self.lookups.count(host)))
        if answer is not None:
            return list(answer)
        if all(c in "0123456789abcdefx." for c in host.lower()):  # 0x7f000001, 2130706433
            return [str(i[4][0]) for i in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
        raise socket.gaierror(f"{host}: no such name in this test")

    def connect(self, address: str, port: int, timeout: float) -> Any:
        self.connected.append(address)
        if address == PUBLIC:
            return REAL_CONNECT("127.0.0.1", self.site.port, timeout)
        if ipaddress.ip_address(address).is_loopback:
            return REAL_CONNECT(address, port, timeout)
        raise httpcore.ConnectError("this test connects to no other address")


REAL_CONNECT = fetching.connect


@pytest.fixture
def network(site: Site, monkeypatch: pytest.MonkeyPatch) -> Network:
    fake = Network(site)
    monkeypatch.setattr(fetching, "resolve", fake.resolve)
    monkeypatch.setattr(fetching, "connect", fake.connect)
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    return fake


def public(path: str) -> str:
    """A URL of the site under a public name (PUBLIC, routed to 127.0.0.1)."""
    return f"http://site.example{path}"


def page(url: str, **kwargs: Any) -> fetching.Fetched:
    return fetch(url, types=("text/html",), max_bytes=CAP, truncate=True, **kwargs)


def image(url: str, **kwargs: Any) -> fetching.Fetched:
    return fetch(url, types=("image/",), max_bytes=CAP, **kwargs)


# -- what works ------------------------------------------------------------------


def test_a_page_and_its_image_through_a_public_name(network: Network, site: Site) -> None:
    fetched = page(public("/page"))
    assert fetched.body == PAGE
    assert (fetched.content_type, fetched.charset, fetched.truncated) == (
        "text/html",
        "utf-8",
        False,
    )
    assert image(public("/image.png")).body == png()
    assert network.connected == [PUBLIC, PUBLIC]
    assert site.requests == ["/page", "/image.png"]


def test_loopback_needs_the_opt_in(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    with pytest.raises(FetchError, match=r"127\.0\.0\.1, which is not a public address"):
        page(f"{site.url}/page")
    assert site.requests == []
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    assert page(f"{site.url}/page").body == PAGE
    assert site.requests == ["/page"]


# -- huge bodies -------------------------------------------------------------------

HUGE = ["/huge/declared", "/huge/undeclared", "/huge/chunked", "/huge/onechunk"]


def _peak(work: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("path", HUGE)
def test_a_huge_image_is_refused_at_the_cap(network: Network, path: str) -> None:
    def work() -> str:
        with pytest.raises(FetchError, match=f"larger than {CAP} bytes") as caught:
            image(public(f"{path}?type=image/png"))
        return str(caught.value)

    started = time.monotonic()
    _, peak = _peak(work)
    assert time.monotonic() - started < 5
    assert peak < 3 * CAP, f"{peak} bytes at the peak"


@pytest.mark.parametrize("path", HUGE)
def test_a_huge_page_is_read_up_to_the_cap_only(network: Network, path: str) -> None:
    fetched, peak = _peak(lambda: page(public(path)))
    assert fetched.truncated
    assert len(fetched.body) == CAP
    assert fetched.body.startswith(b"<p>xxx")
    assert peak < 3 * CAP, f"{peak} bytes at the peak"


# -- time --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/drip/body", "/drip/headers"])
def test_a_drip_feed_stops_at_the_deadline(network: Network, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 1\.5 s"):
        page(public(path), deadline=1.5)
    assert time.monotonic() - started < 1.5 + 0.75


def test_the_deadline_covers_every_redirect(network: Network) -> None:
    """Five hops of 0.4 s each: every one is quick, together they are too slow."""
    url = public("/page")
    for _ in range(5):
        url = public(f"/redirect?wait=0.4&to={quote(url, safe='')}")
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 1 s"):
        page(url, deadline=1.0)
    assert time.monotonic() - started < 1.0 + 0.75


def test_the_deadline_covers_the_name_lookup(network: Network) -> None:
    def slow(number: int) -> list[str]:
        time.sleep(3)
        return [PUBLIC]

    network.names["slow.example"] = slow
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 0\.5 s to look up slow\.example"):
        page("http://slow.example/page", deadline=0.5)
    assert time.monotonic() - started < 0.5 + 0.5
    assert network.connected == []


def test_the_deadline_setting(network: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEADLINE_ENV, "1")
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 1 s"):
        page(public("/drip/body"))
    assert time.monotonic() - started < 1.75


# -- content types -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [None, "application/pdf", "application/octet-stream", "image/png", "text/plain", "text/htmlx"],
)
def test_a_page_must_be_html(network: Network, kind: str | None) -> None:
    query = "" if kind is None else f"?type={quote(kind, safe='')}"
    with pytest.raises(FetchError, match="the content type is"):
        page(public(f"/typed{query}"))


@pytest.mark.parametrize("kind", [None, "text/html", "application/octet-stream", "imagex/png"])
def test_an_image_must_be_an_image(network: Network, kind: str | None) -> None:
    query = "" if kind is None else f"?type={quote(kind, safe='')}"
    with pytest.raises(FetchError, match="the content type is"):
        image(public(f"/typed{query}"))


@pytest.mark.parametrize(
    "kind", ["TEXT/HTML", "text/html; charset=ISO-8859-1", "text/html;x=y", "text/html; charset=no"]
)
def test_html_types_are_matched_as_media_types(network: Network, kind: str) -> None:
    fetched = page(public(f"/typed?type={quote(kind, safe='')}"))
    assert fetched.body == PAGE
    assert fetched.text() == PAGE.decode()


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate"])
def test_a_compressed_answer_is_refused(network: Network, encoding: str) -> None:
    with pytest.raises(FetchError, match=f"compressed \\({encoding}\\)"):
        page(public(f"/typed?type=text/html&enc={encoding}"))


# -- where fetches may go --------------------------------------------------------------

FORBIDDEN = [
    "http://127.0.0.1:{port}/secret",
    "http://localhost:{port}/secret",
    "http://LOCALHOST.:{port}/secret",
    "http://[::1]:{port}/secret",
    "http://[::ffff:127.0.0.1]:{port}/secret",
    "http://[::ffff:7f00:1]:{port}/secret",
    "http://[64:ff9b::7f00:1]:{port}/secret",
    "http://[2002:7f00:1::]:{port}/secret",
    "http://0x7f000001:{port}/secret",
    "http://2130706433:{port}/secret",
    "http://127.1:{port}/secret",
    "http://0.0.0.0:{port}/secret",
    "http://10.0.0.1/secret",
    "http://172.16.5.4/secret",
    "http://192.168.1.1/secret",
    "http://100.64.0.1/secret",
    "http://[fd12:3456::1]/secret",
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.170.2/v2/credentials",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[fe80::1]/secret",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://224.0.0.1/secret",
    "http://255.255.255.255/secret",
    "http://240.0.0.1/secret",
    "http://[ff02::1]/secret",
    "http://[::]/secret",
    "http://inside.example/secret",  # a name whose address is private
    "http://mixed.example/secret",  # public and private addresses: refused
    "file:///etc/passwd",
    "ftp://site.example/secret",
    "gopher://site.example/secret",
    "data:text/html,<title>x</title>",
]


NAMES = {
    "localhost": ["127.0.0.1", "::1"],
    "localhost.": ["127.0.0.1", "::1"],
    "inside.example": ["10.20.30.40"],
    "mixed.example": [PUBLIC, "192.168.0.7"],
    "metadata.google.internal": ["169.254.169.254"],
}


@pytest.mark.parametrize("target", FORBIDDEN)
def test_a_redirect_inside_is_refused_before_connecting(
    network: Network, site: Site, target: str
) -> None:
    network.names.update(NAMES)
    target = target.format(port=site.port)
    with pytest.raises(FetchError):
        page(public(f"/redirect?to={quote(target, safe='')}"))
    assert site.requests == ["/redirect"]  # the redirect, and nothing after it
    assert network.connected == [PUBLIC]


@pytest.mark.parametrize("target", FORBIDDEN)
def test_the_first_url_is_checked_like_a_redirect(
    network: Network, site: Site, target: str
) -> None:
    network.names.update(NAMES)
    with pytest.raises(FetchError):
        page(target.format(port=site.port))
    assert site.requests == []
    assert network.connected == []


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://[fe80::1]/secret",
        "http://0.0.0.0:{port}/secret",
        "http://224.0.0.1/secret",
    ],
)
def test_the_opt_in_never_opens_metadata_or_link_local(
    network: Network, site: Site, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    target = target.format(port=site.port)
    with pytest.raises(FetchError):
        page(public(f"/redirect?to={quote(target, safe='')}"))
    assert network.connected == [PUBLIC]


def test_the_opt_in_opens_loopback_after_a_redirect(
    network: Network, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    fetched = page(public(f"/redirect?to={quote(f'{site.url}/secret', safe='')}"))
    assert b"the inside" in fetched.body
    assert fetched.url == f"{site.url}/secret"
    assert network.connected == [PUBLIC, "127.0.0.1"]


def test_redirects_are_capped(network: Network, site: Site) -> None:
    with pytest.raises(FetchError, match="more than 5 redirects"):
        page(public("/loop"))
    assert site.requests == ["/loop"] * 6


def test_dns_rebinding_cannot_reach_inside(network: Network, site: Site) -> None:
    """The name answers a public address first, then loopback: the fetch connects
    to the address it checked, never to the one a second lookup would give."""
    network.names["rebind.example"] = lambda number: [PUBLIC] if number == 1 else ["127.0.0.1"]
    assert page("http://rebind.example/page").body == PAGE
    assert network.lookups == ["rebind.example"]
    assert network.connected == [PUBLIC]
    # a redirect to the same name: a new lookup answers loopback, which is refused
    with contextlib.suppress(FetchError):
        page(f"http://rebind.example/redirect?to={quote('http://rebind.example/secret', safe='')}")
    assert "127.0.0.1" not in network.connected
    assert "/secret" not in site.requests


# -- the address policy --------------------------------------------------------------


def expected_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """What the policy must say: global by the ipaddress module, and nothing special."""
    special = (
        address.is_multicast
        or address.is_reserved
        or address.is_link_local
        or address.is_loopback
        or address.is_private
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        or any(address.version == n.version and address in n for n in fetching.NOT_PUBLIC)
        or address in METADATA_ADDRESSES
    )
    if not address.is_global or special:
        return False
    inner = fetching.embedded_ipv4(address)
    return inner is None or expected_public(inner)


SPECIAL = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
    "2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
]  # fmt: skip
addresses = st.one_of(
    st.ip_addresses(),
    st.sampled_from(SPECIAL).flatmap(lambda n: st.ip_addresses(network=n)),
)


@settings(max_examples=600, deadline=None)
@given(addresses)
def test_the_address_policy(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    assert public_address(address) == expected_public(address)
    assert allowed_address(address) == expected_public(address)
    if allowed_address(address):
        assert address.is_global
        assert not address.is_multicast
        assert not address.is_link_local
        assert not address.is_loopback
    opened = allowed_address(address, allow_private=True)
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        assert not opened
    if address in METADATA_ADDRESSES:
        assert not opened


@settings(max_examples=300, deadline=None)
@given(st.ip_addresses(v=4) | st.sampled_from(SPECIAL[:14]).flatmap(
    lambda n: st.ip_addresses(network=n)))  # fmt: skip
def test_an_ipv4_address_inside_ipv6_is_judged_as_itself(address: ipaddress.IPv4Address) -> None:
    """::ffff:a.b.c.d, 6to4, NAT64 and IPv4-compatible forms reach the IPv4 address."""
    value = int(address)
    forms = [
        ipaddress.IPv6Address((0xFFFF << 32) | value),  # mapped
        ipaddress.IPv6Address((0x2002 << 112) | (value << 80)),  # 6to4
        ipaddress.IPv6Address((0x64FF9B << 96) | value),  # NAT64
    ]
    if value > 1:  # :: and ::1 are themselves, not IPv4-compatible
        forms.append(ipaddress.IPv6Address(value))
    for form in forms:
        assert fetching.embedded_ipv4(form) == address
        if not public_address(address):
            assert not allowed_address(form), form
        if address.is_link_local or address in METADATA_ADDRESSES:
            assert not allowed_address(form, allow_private=True), form


@pytest.mark.parametrize(
    "text",
    ["127.0.0.1", "10.1.1.1", "192.168.0.1", "172.31.255.255", "100.64.0.1", "::1", "fd00::1"],
)
def test_the_opt_in_opens_loopback_and_private_use(text: str) -> None:
    address = ipaddress.ip_address(text)
    assert not allowed_address(address)
    assert allowed_address(address, allow_private=True)


# -- configured endpoints ----------------------------------------------------------------


def test_api_calls_have_timeouts() -> None:
    """Calls to configured endpoints are not content-driven, but none can wait forever."""
    http = Http()
    try:
        timeout = http.client.timeout
        for value in (timeout.connect, timeout.read, timeout.write, timeout.pool):
            assert value is not None
            assert 0 < value <= 30
        assert not http.client.follow_redirects
    finally:
        http.close()


# -- the Bluesky link card, end to end -------------------------------------------------------


class Pds(TestServer):
    """Just enough XRPC for a post with a link card; it keeps every record made."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[dict[str, Any]] = []

    def handle(self, request: Request) -> Reply:
        nsid = request.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession":
            return Reply(200, {"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:me"})
        if nsid == "com.atproto.repo.createRecord":
            body = request.json()
            self.records.append(body["record"])
            uri = f"at://did:plc:me/app.bsky.feed.post/{body['rkey']}"
            return Reply(200, {"uri": uri, "cid": "bafyreiexample"})
        if nsid == "com.atproto.repo.uploadBlob":
            blob = {
                "$type": "blob",
                "ref": {"$link": "bafkrei"},
                "mimeType": "image/png",
                "size": 1,
            }
            return Reply(200, {"blob": blob})
        if nsid == "com.atproto.repo.getRecord":
            return Reply(400, {"error": "RecordNotFound", "message": "no record"})
        return Reply(501, {"error": "NotImplemented"})


def publish_with_link(
    make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch, link: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``smmgen publish`` of one post with ``link``: its report item and the record made."""
    with Pds() as pds:
        channels = textwrap.dedent(
            f"""\
            defaults: {{channels: [bluesky]}}
            channels:
              bluesky:
                type: bluesky
                handle: me.test
                service: {pds.url}
                api_base: {pds.url}
                password_env: SMMGEN_TEST_BLUESKY_PASSWORD
            ledger: {{store: local}}
            """
        )
        front = f"id: carded\npublish_at: 2026-11-25 11:00\nlink: {json.dumps(link)}"
        post = f"---\n{front}\n---\nRead this.\n"
        root: Path = make_project(channels=channels, posts={"carded.md": post})
        monkeypatch.setenv("SMMGEN_TEST_BLUESKY_PASSWORD", "app-password")
        assert run("--root", root, "ledger", "init").exit_code == 0
        result = run("--root", root, "publish", "--format", "json")
        assert result.exit_code == 0, result.output
        (item,) = json.loads(result.output)["items"]
        (record,) = pds.records
        assert pds.errors == []
    return item, record


@pytest.mark.parametrize(
    ("path", "note"),
    [
        ("/page", "which is not a public address"),  # loopback, no opt-in
        ("/redirect?to=http://169.254.169.254/latest/meta-data/", "not a public address"),
        ("/drip/headers", "took longer than 1 s"),
        ("/huge/chunked?type=application/octet-stream", "the content type is"),
    ],
)
def test_a_card_that_cannot_be_fetched_is_left_out_and_the_post_goes_out(
    make_project: MakeProject,
    run: Any,
    monkeypatch: pytest.MonkeyPatch,
    site: Site,
    path: str,
    note: str,
) -> None:
    if path != "/page":
        monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")  # the site is on 127.0.0.1
    monkeypatch.setenv(DEADLINE_ENV, "1")
    item, record = publish_with_link(make_project, run, monkeypatch, f"{site.url}{path}")
    assert item["outcome"] == "published"
    assert "link card without the page's title and image" in item["detail"]
    assert note in item["detail"]
    link = record["embed"]["external"]["uri"]
    assert record["embed"]["external"] == {"uri": link, "title": link, "description": ""}
    assert "/secret" not in site.requests
    if path == "/page":
        assert site.requests == []


def test_a_card_whose_image_cannot_be_fetched_keeps_its_texts(
    make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch, site: Site
) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    image_url = quote("http://169.254.169.254/latest/meta-data/iam.png", safe="")
    item, record = publish_with_link(
        make_project, run, monkeypatch, f"{site.url}/card?image={image_url}"
    )
    assert item["outcome"] == "published"
    assert "link card without its image" in item["detail"]
    assert "not a public address" in item["detail"]
    assert record["embed"]["external"]["title"] == "T"
    assert "thumb" not in record["embed"]["external"]
    assert site.requests == ["/card"]


def test_a_page_cannot_make_the_card_too_large_to_post(
    make_project: MakeProject, run: Any, monkeypatch: pytest.MonkeyPatch, site: Site
) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    item, record = publish_with_link(make_project, run, monkeypatch, f"{site.url}/long")
    assert item["outcome"] == "published"
    external = record["embed"]["external"]
    assert external["title"].startswith("word word")
    assert len(external["title"]) <= 300
    assert len(external["description"]) <= 1000
