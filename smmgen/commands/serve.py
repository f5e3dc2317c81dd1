"""``smmgen serve``: the preview beside the editor, updated on every save."""

from __future__ import annotations

import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from smmgen.errors import UsageError
from smmgen.site.live import Hub, Watcher
from smmgen.site.server import Server, Site
from smmgen.site.state import SiteState

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass
class Serving:
    server: Server
    watcher: Watcher
    url: str
    started: float  # seconds from the start to the first page ready


def start(
    root: Path | None,
    host: str,
    port: int,
    *,
    at: str | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> Serving:
    """Load the project, start watching it and listen on ``host``:``port``
    (0: any free port). The caller runs ``serving.server.serve_forever()``."""
    began = time.monotonic()
    state = SiteState(root, at=at)
    hub = Hub()
    site = Site(state, hub)
    try:
        server = Server((host, port), site)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
            "give another port with --port, or --port 0 for any free one"
        ) from None
    ignore = (state.root / "_site", state.root / state.project.config.ledger.path)
    watcher = Watcher(state, hub, ignore=ignore, log=log)
    watcher.start()
    threading.Thread(target=state.read_ledger, name="smmgen-ledger", daemon=True).start()
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{server.server_address[1]}/"
    return Serving(server, watcher, url, time.monotonic() - began)


def serve(
    root: Path | None,
    host: str,
    port: int,
    *,
    open_browser: bool = False,
    at: str | None = None,
    log: Callable[[str], None] = print,
) -> None:
    if host not in LOOPBACK:
        log(f"warning: listening on {host}: anyone who can reach this machine can read the posts")
    serving = start(root, host, port, at=at, log=log)
    log(
        f"serving {serving.url} (ready in {serving.started:.1f} s);"
        " watching for changes, Ctrl+C stops"
    )
    if open_browser:
        webbrowser.open(serving.url)
    try:
        serving.server.serve_forever(poll_interval=0.2)
    finally:
        serving.watcher.stop()
        serving.server.site.hub.close()
        serving.server.server_close()
