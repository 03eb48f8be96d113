"""Serving the participation app from the stage's own process: uvicorn in a thread."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn

from retreat.web.addresses import desk_url
from retreat.web.app import create_app
from retreat.web.gate import Gate

DEFAULT_PORT = 8765
GC_YOUNG = 10_000  # allocations between two collections of young objects (Python's default: 700)


def tune_gc() -> None:
    """Collect less often while serving a hall, and never what was loaded before it.

    When a hall votes at once, each request's objects stay alive until its batch is durable,
    so they survive the young collections and soon set off a full one, which walks every
    object of the process: the replayed meeting, the modules, and the room's screens' streams
    (about 220 objects each). With 100 screens open, that cost 300 phones changing their
    ballot at once 50-80 ms of p99 on two cores (the same runs with the collector off did not
    pay it). Frozen, what is loaded at start is never walked again (it is still freed when
    nothing refers to it); young collections every 10,000 allocations instead of 700 keep
    the full ones out of a burst, for a few MB more at most."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG, 10, 10)


class QuietServer(uvicorn.Server):
    """uvicorn, without its main loop's tick ten times a second.

    uvicorn wakes every 0.1 s to see whether it should exit and to refresh its Date header;
    a laptop on battery serving an empty room pays for that. This one sleeps until `stop`
    wakes it, and sends no Date header (HTTP lets a server without a good clock leave it out)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self.closing: list[Callable[[], None]] = []  # run on the loop at stop (the views' streams end)

    async def main_loop(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        await self.on_tick(0)  # once: the headers every answer carries
        if not self.should_exit:
            await self._wake.wait()

    def stop(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            for close in self.closing:
                loop.call_soon_threadsafe(close)
            loop.call_soon_threadsafe(wake.set)


@dataclass
class Server:
    server: QuietServer
    thread: threading.Thread
    host: str
    port: int
    desk_token: str

    @property
    def url(self) -> str:
        return f"http://{display_host(self.host)}:{self.port}/"

    @property
    def desk_url(self) -> str:
        return desk_url(self.url, self.desk_token)

    def stop(self, timeout: float = 5.0) -> None:
        self.server.stop()
        self.thread.join(timeout)


def display_host(host: str) -> str:
    """The address phones should type: the laptop's LAN address when bound to every interface."""
    if host not in ("0.0.0.0", "::", ""):
        return host
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            return str(s.getsockname()[0])
    except OSError:
        return "127.0.0.1"


def start(gate: Gate, host: str, port: int, *, wait: float = 10.0, desk_token: str | None = None) -> Server:
    """Start serving in a daemon thread; returns once the socket listens. Raises OSError if it cannot.

    `desk_token`: the one an earlier run of this meeting printed (kept across --resume); else a new one."""
    import secrets

    token = desk_token or secrets.token_urlsafe(12)
    app = create_app(gate, desk_token=token)
    # No limit_concurrency: uvicorn's answers a bare 503 beyond it; the app's own limit
    # (app.MAX_IN_FLIGHT) answers a page saying to try again in a moment, in the phone's language.
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off",
                            server_header=False, date_header=False, timeout_keep_alive=5, backlog=2048)
    server = QuietServer(config)
    server.closing.append(app.state.hub.close)  # open event streams would hold the shutdown up
    failed: list[BaseException] = []

    def serve() -> None:
        try:
            server.run()
        except BaseException as e:  # SystemExit when the port is taken
            failed.append(e)

    thread = threading.Thread(target=serve, name="retreat-web", daemon=True)
    thread.start()
    for _ in range(int(wait / 0.02)):
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.02)
    if not server.started:
        server.stop()
        raise OSError(f"cannot listen on {host}:{port}" + (f" ({failed[0]})" if failed else ""))
    if port == 0:  # the port the system chose
        port = int(server.servers[0].sockets[0].getsockname()[1])
    return Server(server, thread, host, port, token)


def qr_text(url: str) -> str:
    """The address as a QR code drawn with half blocks, for a terminal."""
    import io

    import segno

    buf = io.StringIO()
    segno.make(url, error="m").terminal(out=buf, compact=True, border=2)
    return buf.getvalue()
