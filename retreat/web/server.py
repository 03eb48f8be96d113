"""Serving the participation app from the stage's own process: uvicorn in a thread."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

import uvicorn

from retreat.web.app import create_app
from retreat.web.gate import Gate

DEFAULT_PORT = 8765


@dataclass
class Server:
    server: uvicorn.Server
    thread: threading.Thread
    host: str
    port: int
    desk_token: str

    @property
    def url(self) -> str:
        return f"http://{display_host(self.host)}:{self.port}/"

    @property
    def desk_url(self) -> str:
        return f"{self.url}desk?t={self.desk_token}"

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
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


def start(gate: Gate, host: str, port: int, *, wait: float = 10.0) -> Server:
    """Start serving in a daemon thread; returns once the socket listens. Raises OSError if it cannot."""
    import secrets

    token = secrets.token_urlsafe(12)
    app = create_app(gate, desk_token=token)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            lifespan="off", server_header=False, limit_concurrency=400, timeout_keep_alive=5)
    server = uvicorn.Server(config)
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
        server.should_exit = True
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
