"""The real app under uvicorn on a loopback port, for what only a server shows (half-sent
requests, forwarded headers); TestClient sends whole requests from no address."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from interlude.app import create_app
from interlude.core.runtime import Runtime


@contextmanager
def serve(runtime: Runtime, **options: Any) -> Iterator[tuple[str, int]]:
    """Serve ``create_app(runtime)`` with uvicorn ``options``; yields (host, port)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(runtime), **{"log_level": "warning", **options})
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
