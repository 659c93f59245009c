"""Clients that send their request headers slowly, or not at all, or without end
(core/http_protocol.py, served as ``interlude run`` serves: ``cli.uvicorn_options``).

A dozen connections trickling header bytes do not stop /readyz or a sign-in; each of them
is answered 408 and closed once the header deadline passes, however steadily it trickles;
a connection that sends nothing is closed; headers past 64 KB are a 431. Bounds come from
the deadlines and pytest-timeout, not from timing assertions.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from interlude.cli import uvicorn_options
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.security.live import serve

Live = tuple[str, int, str]

SLOW_CLIENTS = 12
HEADER_TIMEOUT = 3.0
# The dozen's deadline: long enough that /readyz and a sign-in answer while all twelve are
# still sending, on a busy machine too.
DOZEN_HEADER_TIMEOUT = 10.0
REQUEST = b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nX-Filler: "


@contextmanager
def _serve(settings: Settings, clock: FrozenClock, timeout: float) -> Iterator[Live]:
    quick = settings.model_copy(update={"request_header_timeout_seconds": timeout})
    runtime = Runtime.from_settings(quick, clock)
    with runtime.session() as session:
        email = make_user(session, now=clock.now()).email
        session.commit()
    try:
        with serve(runtime, **uvicorn_options(quick)) as (host, port):
            yield host, port, email
    finally:
        runtime.dispose()


@pytest.fixture
def live(settings: Settings, clock: FrozenClock) -> Iterator[Live]:
    """(host, port, a user's email) of the app under uvicorn with a 3 s header deadline."""
    with _serve(settings, clock, HEADER_TIMEOUT) as address:
        yield address


def _read_until_closed(conn: socket.socket) -> bytes:
    data = b""
    while chunk := conn.recv(65536):
        data += chunk
    return data


class Trickler(threading.Thread):
    """Sends a request's headers one byte every ``every`` seconds, never finishing them,
    until the server closes the connection; keeps what the server answered."""

    def __init__(self, address: tuple[str, int], every: float) -> None:
        super().__init__(daemon=True)
        self.conn = socket.create_connection(address, timeout=30)
        self.every = every
        self.answer = b""
        self.sent = 0

    def run(self) -> None:
        payload = REQUEST + b"a" * 10_000
        try:
            for byte in payload:
                self.conn.sendall(bytes([byte]))
                self.sent += 1
                # Wait for the next byte's turn, or stop sending once the server answers
                # (bytes sent after it closed could reset the connection before we read).
                if select.select([self.conn], [], [], self.every)[0]:
                    break
        except OSError:
            pass  # the server closed the connection
        self.conn.settimeout(10)
        with contextlib.suppress(OSError):
            self.answer = _read_until_closed(self.conn)
        self.conn.close()


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


@pytest.mark.timeout(120)
def test_a_dozen_slow_header_clients_do_not_stop_readiness_or_sign_in(
    settings: Settings, clock: FrozenClock
) -> None:
    with _serve(settings, clock, DOZEN_HEADER_TIMEOUT) as (host, port, email):
        tricklers = [Trickler((host, port), every=0.2) for _ in range(SLOW_CLIENTS)]
        for trickler in tricklers:
            trickler.start()
        time.sleep(0.5)  # all of them are mid-headers now
        with httpx.Client(base_url=f"http://{host}:{port}", timeout=10) as client:
            assert client.get("/readyz").status_code == 200
            signed_in = client.post(
                "/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}
            )
            assert signed_in.status_code == 200, signed_in.text
        assert all(trickler.is_alive() for trickler in tricklers)  # they were still trickling

        for trickler in tricklers:
            trickler.join(timeout=60)
    for trickler in tricklers:
        assert not trickler.is_alive()
        # Stopped at the deadline (~50 bytes), not when the headers ran out (10,000).
        assert trickler.sent < 1000
        head, _, body = trickler.answer.partition(b"\r\n\r\n")
        assert _status(trickler.answer) == 408, trickler.answer[:200]
        assert b"connection: close" in head.lower()
        error = json.loads(body)["error"]
        assert error["code"] == "request_timeout"
        assert "headers did not arrive within 10 seconds" in error["message"]


@pytest.mark.timeout(60)
def test_a_connection_that_sends_nothing_is_closed(live: Live) -> None:
    host, port, _ = live
    conn = socket.create_connection((host, port), timeout=30)
    started = time.monotonic()
    answer = _read_until_closed(conn)
    conn.close()
    assert _status(answer) == 408
    assert time.monotonic() - started < 20  # it was closed by the deadline, not the timeout


@pytest.mark.timeout(60)
def test_headers_past_64_kb_are_refused(live: Live) -> None:
    host, port, _ = live
    conn = socket.create_connection((host, port), timeout=30)
    with contextlib.suppress(OSError):  # the server may close before taking it all
        conn.sendall(REQUEST + b"a" * (80 * 1024))
    answer = _read_until_closed(conn)
    conn.close()
    body = answer.partition(b"\r\n\r\n")[2]
    assert _status(answer) == 431, answer[:200]
    assert json.loads(body)["error"]["code"] == "headers_too_large"
    assert "64 KB" in json.loads(body)["error"]["message"]


@pytest.mark.timeout(60)
def test_kept_alive_connections_and_ordinary_requests_are_unaffected(
    live: Live,
) -> None:
    host, port, _ = live
    big_but_fine = {"X-Filler": "a" * 32_000}
    with httpx.Client(base_url=f"http://{host}:{port}", timeout=10) as client:
        for _ in range(3):
            assert client.get("/healthz", headers=big_but_fine).status_code == 200
            time.sleep(HEADER_TIMEOUT / 2)  # idle between requests, within keep-alive
        # Longer than the header deadline in all: each request has its own.
        assert client.get("/healthz").status_code == 200
