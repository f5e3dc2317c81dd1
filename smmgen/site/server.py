"""``smmgen serve``: the pages over HTTP on loopback, with an event stream that
tells open pages what changed (server-sent events).

Only the pages, the package's own assets and the project's media files are
served: a path that leaves the project, names a hidden file or folder, or is
not a media file is refused. Each request is answered from the site's state
as it is at that moment, so a page is never older than the last save.
"""

from __future__ import annotations

import json
import mimetypes
import re
import threading
from collections import OrderedDict
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from smmgen.errors import PageNotFound as NotFound
from smmgen.media import extension_format
from smmgen.site import agenda, paths
from smmgen.site.live import Hub
from smmgen.site.pages import Pages
from smmgen.site.state import EVERYTHING, SiteState

CACHED_PAGES = 64  # pages kept made, the least recently asked for dropped first
KEEPALIVE = 15.0  # seconds between the event stream's comments, which keep it open
_MONTH = re.compile(r"calendar/(\d{4})-(\d{2})/(?:index\.html)?")
_WEEK = re.compile(r"calendar/week/(\d{4}-\d{2}-\d{2})/(?:index\.html)?")
_POST = re.compile(r"posts/([^/]+)/(?:index\.html)?")


class Site:
    """What answers: the state, its pages, and the calendar of its version."""

    def __init__(self, state: SiteState, hub: Hub):
        self.state = state
        self.hub = hub
        self.pages = Pages(state, live=True)
        self._agenda: tuple[int, agenda.Agenda] | None = None
        self._pages: OrderedDict[str, tuple[tuple[int, int], str]] = OrderedDict()
        self._lock = threading.Lock()

    def agenda(self) -> agenda.Agenda:
        version = self.state.version
        found = self._agenda
        if found is None or found[0] != version:
            found = self._agenda = (version, agenda.agenda(self.state))
        return found[1]

    def page(self, path: str) -> str:
        """The HTML of the page at ``path`` (below the root, no leading "/"), made
        again when the state changed or a minute passed (statuses follow the clock)."""
        key = (self.state.version, int(self.state.now().timestamp() // 60))
        with self._lock:
            cached = self._pages.get(path)
            if cached is not None and cached[0] == key:
                self._pages.move_to_end(path)
                return cached[1]
        html = self._page(path)
        with self._lock:
            self._pages[path] = (key, html)
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        return html

    def _page(self, path: str) -> str:
        if path in ("", paths.LIST):
            return self.pages.post_list()
        if path in ("calendar/", paths.CALENDAR):
            found = self.agenda()
            return self.pages.month_page(found, found.today.year, found.today.month)
        if m := _MONTH.fullmatch(path):
            year, number = int(m[1]), int(m[2])
            if not 1 <= number <= 12 or not 1 <= year <= 9998:
                raise NotFound
            return self.pages.month_page(self.agenda(), year, number)
        if m := _WEEK.fullmatch(path):
            try:
                day = date.fromisoformat(m[1])
            except ValueError:
                raise NotFound from None
            return self.pages.week_page(self.agenda(), day)
        if m := _POST.fullmatch(path):
            return self.post(m[1])
        raise NotFound

    def post(self, slug: str) -> str:
        state = self.state
        with state.lock:
            posts = {paths.slug(p.id): p for p in state.project.posts}
            post = posts.get(slug)
            if post is not None:
                return self.pages.post_page(post)
            # a post whose file cannot be loaded now: its last id, and why
            for file, found in state.broken().items():
                known = state.post_of_file(file)
                if known is not None and paths.slug(known) == slug:
                    return self.pages.broken_page(known, file, found)
        raise NotFound

    def media(self, name: str) -> Path:
        """A media file of the project, or NotFound: nothing outside it, nothing
        hidden, nothing that is not a picture or a video."""
        parts = name.split("/")
        if not name or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise NotFound
        root = self.state.root.resolve()
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise NotFound
        if extension_format(path.name) is None:
            raise NotFound
        return path


def _page_route(path: str) -> bool:
    return path == "calendar/" or any(r.fullmatch(path) for r in (_MONTH, _WEEK, _POST))


def _asset(name: str) -> bytes:
    if name not in ("site.css", "site.js"):
        raise NotFound
    return resources.files("smmgen.site").joinpath("assets", name).read_bytes()


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: `serve` prints what changed, as `hugo server` does."""

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        site = self.server.site
        raw = urlsplit(self.path).path
        try:
            path = unquote(raw, errors="strict") if "%" in raw else raw
        except UnicodeDecodeError:
            path = ""
        if not path.startswith("/") or "\x00" in path:
            return self._send(HTTPStatus.BAD_REQUEST, b"bad path\n", "text/plain", head)
        path = path[1:]
        try:
            if path == paths.EVENTS:
                return self._events()
            if path.startswith(paths.ASSETS):
                name = path[len(paths.ASSETS) :]
                kind = "text/css" if name.endswith(".css") else "text/javascript"
                return self._send(HTTPStatus.OK, _asset(name), f"{kind}; charset=utf-8", head)
            if path.startswith(paths.MEDIA):
                file = site.media(path[len(paths.MEDIA) :])
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                return self._send(HTTPStatus.OK, file.read_bytes(), kind, head)
            if path.endswith("/") or path.endswith(".html") or path == "":
                body = site.page(path).encode()
                return self._send(HTTPStatus.OK, body, "text/html; charset=utf-8", head)
            if _page_route(path + "/"):  # a page's folder without its "/"
                return self._redirect("/" + quote(path) + "/")
            raise NotFound
        except NotFound:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", head)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, body: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'",
        )
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        hub = self.server.site.hub
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        now = self.server.site.state.version
        # the version of the page that listens: a change made between its making and
        # this connection is told at once (all pages: which ones is not kept)
        since = parse_qs(urlsplit(self.path).query).get("since", [""])[0]
        seen = int(since) if since.isdigit() else now
        try:
            self.wfile.write(b"retry: 500\n\n")
            if seen < now:
                data = json.dumps({"version": now, "pages": [EVERYTHING]})
                self.wfile.write(f"event: change\ndata: {data}\n\n".encode())
                seen = now
            self.wfile.flush()
            while not hub.closed:
                change = hub.wait(seen, KEEPALIVE)
                if change is None:
                    self.wfile.write(b": still here\n\n")
                else:
                    seen, pages = change
                    data = json.dumps({"version": seen, "pages": pages})
                    self.wfile.write(f"event: change\ndata: {data}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: Site):
        self.site = site
        super().__init__(address, Handler)
