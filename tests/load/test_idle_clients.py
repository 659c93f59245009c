"""Clients that announce a body and never send it do not stop the service.

Ten connections send a sign-in request's headers with ``Content-Length: 100`` and then
nothing. FastAPI reads a request's body before it solves the route's dependencies, so
each of them waits on the event loop without a thread, a session or a connection. With an
admission limit around every request (the removed core/admission.py, ten places), these ten
held every place and /readyz and sign-in waited for ever.

A real uvicorn on a loopback port and raw sockets: what a client on the network does.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from interlude.accounts.models import User
from interlude.app import create_app
from interlude.core.runtime import Runtime
from tests.factories import DEFAULT_PASSWORD

IDLE_CLIENTS = 10
ANSWER_WITHIN = 10.0  # seconds; a sign-in hashes a password, a busy machine is slow


@pytest.fixture
def live_url(runtime: Runtime) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        create_app(runtime), log_level="warning", lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def _announce_a_body_and_stop(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)), timeout=5)
    conn.sendall(
        b"POST /api/v1/auth/login HTTP/1.1\r\n"
        + f"Host: {host}:{port}\r\n".encode()
        + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    return conn


def _still_waiting(conn: socket.socket) -> bool:
    """No answer and not closed: the server is still waiting for the body."""
    conn.setblocking(False)
    try:
        conn.recv(1)  # bytes (an answer) or b"" (closed)
    except BlockingIOError:
        return True
    finally:
        conn.setblocking(True)
    return False


def test_idle_clients_do_not_stop_readiness_or_sign_in(live_url: str, user: User) -> None:
    idle = [_announce_a_body_and_stop(live_url) for _ in range(IDLE_CLIENTS)]
    try:
        time.sleep(0.5)  # let the server take all ten in
        with httpx.Client(base_url=live_url, timeout=ANSWER_WITHIN) as client:
            assert client.get("/readyz").status_code == 200
            login = client.post(
                "/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
            )
            assert login.status_code == 200, login.text
            me = client.get(
                "/api/v1/me",
                headers={"Authorization": f"Bearer {login.json()['access_token']}"},
            )
            assert me.status_code == 200 and me.json()["email"] == user.email
        assert all(_still_waiting(conn) for conn in idle), "the idle requests were dropped"
    finally:
        for conn in idle:
            conn.close()
