"""Request bodies are bounded in size and time (core/request_limits.py), and the NUL check
(core/errors.py) reads every body however its Content-Type is spelled.

The slow-body tests run the real app under uvicorn on a loopback port (the server is what
keeps a half-sent request open; TestClient sends whole bodies only). Bounds come from the
limits and pytest-timeout, not from timing assertions.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from interlude.app import create_app
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from tests.security.live import serve

LOGIN = "/api/v1/auth/login"
ONE_MB = 1024 * 1024


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(
    client: TestClient,
) -> None:
    # The header promises 200 MB; only a few bytes follow. The answer comes from the header.
    response = client.post(
        LOGIN,
        content=b'{"email": "a@b.c"}',
        headers={"content-type": "application/json", "content-length": str(200 * ONE_MB)},
    )
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert "1 MB" in error["message"] and "send less" in error["message"]
    assert response.headers["connection"] == "close"


def test_a_streamed_body_over_the_limit_is_refused(client: TestClient) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(64):  # 4 MB in 64 KB chunks, no Content-Length (chunked)
            sent += 1
            yield b"x" * (64 * 1024)

    response = client.post(LOGIN, content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_huge_json_body_is_refused_in_bounded_memory(client: TestClient) -> None:
    """50 MB to the sign-in (it was buffered whole, quadratically: 200 MB took 67 s)."""
    body = b'{"email": "' + b"a" * (50 * ONE_MB) + b'", "password": "x"}'
    response = client.post(LOGIN, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_the_upload_keeps_its_10_mb(client: TestClient, auth: dict[str, str]) -> None:
    """3 MB is over the general limit but within the upload's (the route reads it and finds
    no calendar); 11 MB is not."""
    response = client.post(
        "/api/v1/calendars/upload",
        files={"file": ("big.ics", b"x" * (3 * ONE_MB), "text/calendar")},
        headers=auth,
    )
    assert response.status_code == 422, response.text
    too_big = client.post(
        "/api/v1/calendars/upload",
        files={"file": ("big.ics", b"x" * (11 * ONE_MB), "text/calendar")},
        headers=auth,
    )
    assert too_big.status_code == 413
    assert "10 MB" in too_big.json()["error"]["message"]


def test_the_limit_is_a_setting(settings: Settings, clock) -> None:  # type: ignore[no-untyped-def]
    small = settings.model_copy(update={"max_request_body_bytes": 64 * 1024})
    runtime = Runtime.from_settings(small, clock)
    try:
        with TestClient(create_app(runtime)) as client:
            response = client.post(
                LOGIN,
                content=b"{" + b" " * (100 * 1024) + b"}",
                headers={"content-type": "application/json"},
            )
    finally:
        runtime.dispose()
    assert response.status_code == 413
    assert "64 KB" in response.json()["error"]["message"]


# --- NUL characters ------------------------------------------------------------------------

NUL_BODY = b'{"display_name": "A\\u0000B"}'
RAW_NUL_BODY = b'{"display_name": "A\x00B"}'


@pytest.mark.parametrize(
    "headers",
    [
        [("content-type", "application/json")],
        [("content-type", "Application/JSON")],
        [("content-type", "APPLICATION/JSON; charset=UTF-8")],
        [("content-type", "application/merge-patch+json")],
        [("content-type", "text/plain"), ("content-type", "application/json")],
        [("content-type", "application/json"), ("content-type", "text/plain")],
        [],
    ],
    ids=["plain", "mixed-case", "params", "suffix", "second-header", "first-header", "none"],
)
@pytest.mark.parametrize("body", [NUL_BODY, RAW_NUL_BODY], ids=["escaped", "raw"])
def test_nul_is_refused_however_the_content_type_is_spelled(
    client: TestClient,
    auth: dict[str, str],
    db: Session,
    headers: list[tuple[str, str]],
    body: bytes,
) -> None:
    response = client.patch("/api/v1/me", content=body, headers=[*auth.items(), *headers])
    assert response.status_code == 422, response.text
    assert "NUL" in response.json()["error"]["message"]
    stored = db.execute(text("SELECT display_name FROM users")).scalars().all()
    assert not any("\x00" in name for name in stored)


def test_nul_in_the_query_is_refused(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/api/v1/reminders?state=a%00b", headers=auth)
    assert response.status_code == 422
    assert "NUL" in response.json()["error"]["message"]


def test_bodies_without_nul_pass_through_unchanged(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.patch(
        "/api/v1/me",
        content=b'{"display_name": "Dr. \\u00c9lise"}',
        headers={**auth, "content-type": "Application/JSON"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "Dr. \u00c9lise"


# --- slow bodies, against a real server ----------------------------------------------------


@pytest.fixture
def live_server(settings: Settings) -> Iterator[tuple[str, int]]:
    quick = settings.model_copy(update={"request_body_timeout_seconds": 1.0})
    runtime = Runtime.from_settings(quick)
    with serve(runtime) as address:
        yield address
    runtime.dispose()


def _half_sent(address: tuple[str, int]) -> socket.socket:
    """A sign-in whose headers promise 100 bytes, of which 10 are sent."""
    conn = socket.create_connection(address, timeout=10)
    conn.sendall(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n" + b'{"email": '
    )
    return conn


def _read_answer(conn: socket.socket) -> bytes:
    data = b""
    while chunk := conn.recv(65536):  # until the server closes the connection
        data += chunk
    return data


@pytest.mark.timeout(60)
def test_a_body_that_stops_arriving_gets_408_and_its_connection_closed(
    live_server: tuple[str, int],
) -> None:
    conns = [_half_sent(live_server) for _ in range(12)]
    answers = [_read_answer(conn) for conn in conns]
    for conn in conns:
        conn.close()
    for answer in answers:
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"connection: close" in head.lower()
        assert b"did not arrive within 1 seconds" in body
    # The server is free again: a whole request is answered.
    probe = socket.create_connection(live_server, timeout=10)
    probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert _read_answer(probe).startswith(b"HTTP/1.1 200")
    probe.close()
