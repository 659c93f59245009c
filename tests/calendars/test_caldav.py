"""CalDAV against a real Radicale server started for the test (auth none, temporary storage)."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import caldav
import httpx
import pytest
from fastapi.testclient import TestClient

from .conftest import appointments, slots

EVENTS = {
    # one VEVENT (one UID) per object: Radicale refuses objects with several UIDs
    "weekly": (
        "UID:caldav-weekly@example.test\r\nDTSTART;TZID=America/New_York:20261102T090000\r\n"
        "DTEND;TZID=America/New_York:20261102T095000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\n"
        "SUMMARY:ZZSENTINEL Client Name\r\nLOCATION:https://doxy.me/drtherapist\r\n"
    ),
    "single": (
        "UID:caldav-single@example.test\r\nDTSTART;TZID=America/New_York:20261125T140000\r\n"
        "DTEND;TZID=America/New_York:20261125T145000\r\nSUMMARY:ZZSENTINEL Other Client\r\n"
    ),
    "past": (
        "UID:caldav-past@example.test\r\nDTSTART:20250101T100000Z\r\n"
        "DTEND:20250101T110000Z\r\nSUMMARY:long ago\r\n"
    ),
}


def ics(body: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//CalDAV//EN\r\nBEGIN:VEVENT\r\n"
        f"DTSTAMP:20261101T000000Z\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "radicale.log").open("w")
    process = subprocess.Popen(  # fixed arguments
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "none",
            "--storage-filesystem-folder",
            str(tmp_path / "collections"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("Radicale did not start") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def practice_calendar(radicale: str) -> Any:
    client = caldav.DAVClient(  # type: ignore[operator]
        url=radicale, username="therapist", password="pw"
    )
    calendar = client.principal().make_calendar(name="Practice")
    for body in EVENTS.values():
        calendar.save_event(ics(body))
    client.principal().make_calendar(name="Personal")
    return calendar


def add_practice_calendar(client: TestClient, auth: dict[str, str], calendar: Any) -> Any:
    """Adds the Radicale practice calendar through the API; the 201 answer."""
    created = client.post(
        "/api/v1/calendars",
        json={
            "kind": "caldav",
            "url": str(calendar.url),
            "username": "therapist",
            "password": "pw",
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    return created


def test_discover_then_connect_then_pick_up_a_server_edit(
    client: TestClient, auth: dict[str, str], radicale: str, practice_calendar: Any
) -> None:
    found = client.post(
        "/api/v1/calendars/caldav/discover",
        json={"url": radicale, "username": "therapist", "password": "pw"},
        headers=auth,
    )
    assert found.status_code == 200, found.text
    by_name = {c["name"]: c["path"] for c in found.json()}
    assert set(by_name) == {"Practice", "Personal"}

    created = client.post(
        "/api/v1/calendars",
        json={
            "kind": "caldav",
            "url": radicale,
            "username": "therapist",
            "password": "pw",
            "calendar": by_name["Practice"],
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    source = created.json()
    assert source["has_password"] is True and "pw" not in str(source)
    expected = [
        ("2026-11-23T14:00Z", "2026-11-23T14:50Z", "session", True, False),
        ("2026-11-25T19:00Z", "2026-11-25T19:50Z", "session", False, False),
        ("2026-11-30T14:00Z", "2026-11-30T14:50Z", "session", True, False),
        ("2026-12-07T14:00Z", "2026-12-07T14:50Z", "session", True, False),
    ]
    assert slots(appointments(client, auth)) == expected

    sync = f"/api/v1/calendars/{source['id']}/sync"
    assert client.post(sync, headers=auth).json()["unchanged"] is True

    # The therapist moves the single session on the server; the next sync picks it up.
    event = practice_calendar.event_by_uid("caldav-single@example.test")
    event.data = ics(EVENTS["single"].replace("T140000", "T160000").replace("T145000", "T165000"))
    event.save()
    result = client.post(sync, headers=auth).json()
    assert result["status"] == "ok", result
    assert result["counts"] == {"added": 0, "changed": 1, "removed": 0}
    assert ("2026-11-25T21:00Z", "2026-11-25T21:50Z", "session", False, False) in slots(
        appointments(client, auth)
    )

    # And a deletion on the server removes it here.
    practice_calendar.event_by_uid("caldav-single@example.test").delete()
    result = client.post(sync, headers=auth).json()
    assert result["counts"] == {"added": 0, "changed": 0, "removed": 1}


def test_without_a_picked_calendar_all_the_accounts_calendars_are_read(
    client: TestClient, auth: dict[str, str], radicale: str, practice_calendar: Any
) -> None:
    response = client.post(
        "/api/v1/calendars",
        json={"kind": "caldav", "url": radicale, "username": "therapist", "password": "pw"},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    assert response.json()["appointment_count"] == 4
    # Or the calendar's own URL, as many apps show it.
    direct = client.post(
        "/api/v1/calendars",
        json={
            "kind": "caldav",
            "url": str(practice_calendar.url),
            "username": "therapist",
            "password": "pw",
        },
        headers=auth,
    )
    assert direct.status_code == 201, direct.text
    assert direct.json()["appointment_count"] == 4


def test_caldav_errors_are_clear(
    client: TestClient, auth: dict[str, str], radicale: str, practice_calendar: Any
) -> None:
    response = client.post(
        "/api/v1/calendars",
        json={
            "kind": "caldav",
            "url": radicale,
            "username": "therapist",
            "password": "pw",
            "calendar": "/therapist/no-such-calendar/",
        },
        headers=auth,
    )
    assert response.status_code == 422
    assert "CalDAV" in response.json()["error"]["message"]
    unreachable = client.post(
        "/api/v1/calendars/caldav/discover",
        json={"url": "http://127.0.0.1:9/", "username": "u", "password": "p"},
        headers=auth,
    )
    assert unreachable.status_code == 422
    assert "Could not reach the CalDAV server" in unreachable.json()["error"]["message"]
    assert "retry" not in unreachable.json()["error"]["message"]  # discovery is never retried
    other_host = client.post(
        "/api/v1/calendars",
        json={
            "kind": "caldav",
            "url": radicale,
            "username": "therapist",
            "calendar": "https://elsewhere.example/cal/",
        },
        headers=auth,
    )
    assert other_host.status_code == 422
    assert "same server" in other_host.json()["error"]["message"]


def _tls_files(tmp_path: Path, host: str) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for ``host`` signed by it: (ca, cert, key) PEM files."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def build(subject: str, key: Any, issuer: str, signer: Any, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("Interlude test CA", ca_key, "Interlude test CA", ca_key, True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build(host, key, "Interlude test CA", ca_key, False)
    pem = serialization.Encoding.PEM
    paths = (tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem")
    paths[0].write_bytes(ca_cert.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def test_the_guarded_session_still_checks_the_tls_host_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard replaces only name resolution: TLS still sends the host name as SNI and
    verifies the certificate against it, not against the address connected to."""
    import http.server
    import ssl
    import threading

    import niquests

    from interlude.calendars.caldav_guard import GuardedResolver, guarded_session

    ca, cert, key = _tls_files(tmp_path, "caldav.test")
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *a, **k: real(
            "127.0.0.1" if str(host) in ("caldav.test", "other.test") else host, *a, **k
        ),
    )
    server_names: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(207)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    session = guarded_session(GuardedResolver(allow_private_network=True))
    try:
        ok = session.get(f"https://caldav.test:{port}/dav/", verify=str(ca), timeout=5)
        assert ok.status_code == 207
        assert server_names[0] == "caldav.test"
        with pytest.raises(niquests.exceptions.SSLError):
            session.get(f"https://other.test:{port}/dav/", verify=str(ca), timeout=5)
    finally:
        session.close()
        server.shutdown()
        server.server_close()


class Calls:
    """Counts calls of a caldav.Calendar method, passing them through."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
        self.count = 0
        real = getattr(caldav.Calendar, name)

        def counted(calendar: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(calendar, *args, **kwargs)

        monkeypatch.setattr(caldav.Calendar, name, counted)


def test_sync_tokens_an_unchanged_calendar_is_not_re_read_and_a_refused_token_reads_in_full(
    client: TestClient,
    auth: dict[str, str],
    radicale: str,
    practice_calendar: Any,
    db: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from interlude.calendars.models import CalendarSource

    created = add_practice_calendar(client, auth, practice_calendar)
    sync = f"/api/v1/calendars/{created.json()['id']}/sync"
    event = practice_calendar.event_by_uid("caldav-single@example.test")  # before counting
    searches = Calls(monkeypatch, "search")
    reports = Calls(monkeypatch, "objects_by_sync_token")

    # Unchanged: one sync-collection REPORT with the stored token, no calendar-query.
    assert client.post(sync, headers=auth).json()["unchanged"] is True
    assert (reports.count, searches.count) == (1, 0)

    # A change on the server: the token reports it, the window is read again.
    event.data = ics(EVENTS["single"].replace("T140000", "T150000").replace("T145000", "T155000"))
    event.save()
    result = client.post(sync, headers=auth).json()
    assert result["counts"] == {"added": 0, "changed": 1, "removed": 0}, result
    assert (reports.count, searches.count) == (2, 1)
    assert client.post(sync, headers=auth).json()["unchanged"] is True
    assert (reports.count, searches.count) == (3, 1)

    # A token the server refuses (expired, or from before a server reset): a full read, and
    # a fresh token that works next time.
    source = db.get(CalendarSource, uuid.UUID(created.json()["id"]))
    source.sync_token = "http://radicale.org/ns/sync/" + "0" * 64
    db.commit()
    result = client.post(sync, headers=auth).json()
    assert result["status"] == "ok" and result["unchanged"] is False, result
    assert result["counts"] == {"added": 0, "changed": 0, "removed": 0}
    assert searches.count == 2
    assert client.post(sync, headers=auth).json()["unchanged"] is True
    assert searches.count == 2


class _SlowDown(http.server.BaseHTTPRequestHandler):
    """A CalDAV server that answers every request "429 Too Many Requests, retry in 15 min"."""

    def _answer(self) -> None:
        self.send_response(429)
        self.send_header("Retry-After", "900")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PROPFIND = do_REPORT = do_OPTIONS = _answer

    def log_message(self, *args: Any) -> None:
        pass


def test_a_caldav_server_that_asks_to_slow_down_is_left_alone_for_its_retry_after(
    client: TestClient,
    auth: dict[str, str],
    radicale: str,
    practice_calendar: Any,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from caldav.lib import error as caldav_error

    created = add_practice_calendar(client, auth, practice_calendar)
    path = f"/api/v1/calendars/{created.json()['id']}"

    def next_sync_in_minutes() -> float:
        due = client.get(path, headers=auth).json()["next_sync_at"].replace("Z", "+00:00")
        return (datetime.fromisoformat(due) - clock.now()).total_seconds() / 60

    # 429 on the sync-token REPORT: no fall back to a full read, a wait of the Retry-After.
    searches = Calls(monkeypatch, "search")

    def slow_down(*args: Any, **kwargs: Any) -> Any:
        raise caldav_error.RateLimitError(
            reason="429", retry_after="1200", retry_after_seconds=1200
        )

    with monkeypatch.context() as patch:
        patch.setattr(caldav.Calendar, "objects_by_sync_token", slow_down)
        result = client.post(f"{path}/sync", headers=auth).json()
    assert result["status"] == "error" and "slow down" in result["error"], result
    assert searches.count == 0
    assert 20 <= next_sync_in_minutes() <= 21

    # A real server answering 429 to everything (the library raises, never sleeps).
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowDown)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/dav/therapist/practice/"
        patched = client.patch(path, json={"url": url}, headers=auth)
        assert patched.status_code == 200, patched.text
        started = time.monotonic()
        result = client.post(f"{path}/sync", headers=auth).json()
        assert time.monotonic() - started < 10
    finally:
        server.shutdown()
        server.server_close()
    assert result["status"] == "error" and "slow down" in result["error"], result
    assert 15 <= next_sync_in_minutes() <= 16
    assert len(appointments(client, auth)) == 4  # the last good read is kept
