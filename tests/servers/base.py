"""A loopback HTTP server with fault injection, the base of every test server.

Each server listens on 127.0.0.1 on a free port, serves each connection in a
daemon thread, and stops when its ``with`` block ends (or the process exits).
Subclasses implement ``handle(request) -> Reply``.

Faults model what goes wrong on real networks (:class:`Faults`):

- ``reset_before``: the connection is closed before the request is processed
  (the client cannot tell; nothing happened);
- ``reset_after``: the request is processed, then the connection is closed
  without an answer (the post exists, the client does not know);
- ``timeout_after``: processed, then the answer is held back ``delay`` seconds
  (longer than the client's timeout);
- ``error_500``: answered 500 without processing;
- ``rate_429``: answered 429 with ``Retry-After`` without processing.

Faults are drawn at random per request with the given rates (seeded), or
queued one by one with :meth:`Faults.next`. ``GET`` requests get faults only
when ``faults.reads`` is true. Requests answered by ``reset_before``,
``error_500`` or ``rate_429`` never reach the server and are not in
``requests``.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

FAULTS = ("reset_before", "reset_after", "timeout_after", "error_500", "rate_429")


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str -> text; bytes as is
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        if self.body is None:
            return b"", "text/plain"
        return json.dumps(self.body).encode(), "application/json; charset=utf-8"


class Faults:
    """Which requests go wrong (see the module docstring)."""

    def __init__(
        self,
        rates: dict[str, float] | None = None,
        *,
        seed: int = 0,
        delay: float = 2.0,
        retry_after: int = 1,
        reads: bool = False,
    ):
        for name in rates or {}:
            if name not in FAULTS:
                raise ValueError(f"unknown fault {name!r}")
        self.rates = dict(rates or {})
        self.random = random.Random(seed)
        self.queue: deque[str] = deque()
        self.delay = delay
        self.retry_after = retry_after
        self.reads = reads
        self.injected: dict[str, int] = dict.fromkeys(FAULTS, 0)
        self.lock = threading.Lock()

    def next(self, *names: str) -> None:
        """Inject these faults into the next requests, in order."""
        for name in names:
            if name not in FAULTS:
                raise ValueError(f"unknown fault {name!r}")
        with self.lock:
            self.queue.extend(names)

    def draw(self, method: str) -> str | None:
        with self.lock:
            if method == "GET" and not self.reads:
                return None
            if self.queue:
                name: str | None = self.queue.popleft()
            else:
                name = None
                roll = self.random.random()
                for candidate, rate in self.rates.items():
                    if roll < rate:
                        name = candidate
                        break
                    roll -= rate
            if name:
                self.injected[name] += 1
            return name


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else every answer waits ~40 ms for the delayed ACK
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client went away mid-body: no request reached the app
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        owner = self.server.owner
        fault = owner.faults.draw(self.command)
        if fault == "reset_before":
            self._reset()
            return
        if fault == "error_500":
            self._reply(Reply(500, owner.error_body(500, "injected server error")))
            return
        if fault == "rate_429":
            self._reply(owner.rate_limited(request))
            return
        with owner.lock:
            owner.requests.append(request)
        try:
            reply = owner.handle(request)
        except Exception as exc:  # a bug in the test server: make it loud
            owner.errors.append(f"{type(exc).__name__}: {exc}")
            reply = Reply(500, owner.error_body(500, f"test server bug: {exc}"))
        if fault == "reset_after":
            self._reset()
            return
        if fault == "timeout_after":
            time.sleep(owner.faults.delay)
            self._reset()
            return
        self._reply(reply)

    def _reset(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
        self.close_connection = True

    def _reply(self, reply: Reply) -> None:
        data, content_type = reply.encoded()
        self.send_response(reply.status)
        headers = {"Content-Type": content_type, **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: TestServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (a publish run killed mid-request) is not news."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class TestServer:
    """Base class: ``with MyServer() as server: ... server.url ...``."""

    __test__ = False  # not a pytest test class

    def __init__(self, faults: Faults | None = None):
        self.faults = faults or Faults()
        self.requests: list[Request] = []
        self.errors: list[str] = []  # bugs in the server itself; tests assert it stays empty
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- for subclasses -----------------------------------------------------
    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def rate_limited(self, request: Request) -> Reply:
        """The answer to a request refused by the ``rate_429`` fault, with the
        network's own headers (a server overrides it: X's epoch reset, Meta's
        usage headers); by default ``Retry-After``."""
        reply = Reply(429, self.error_body(429, "Too many requests"))
        reply.headers["Retry-After"] = str(self.faults.retry_after)
        return reply

    def error_body(self, status: int, message: str) -> Any:
        """The network's error shape."""
        return {"error": message}
