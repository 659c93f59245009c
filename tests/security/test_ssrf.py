"""SSRF through the API with private network access off (the production default), beyond
tests/calendars/test_ssrf.py (which checks the fetch guard function by function):

- every address form, given to POST /api/v1/calendars and to CalDAV discovery;
- host names that resolve to private addresses (DNS answers are faked per test);
- push subscription endpoints, the other URL a user hands the server;
- a CalDAV host that resolves public at the check and private at the connect (rebinding),
  and CalDAV redirect hops, each guarded on its own connection.

A "canary" TCP listener on 127.0.0.1 counts connections: a refused request never reaches it.
"""

from __future__ import annotations

import dataclasses
import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any

import niquests
import pytest
from fastapi.testclient import TestClient

from interlude.app import create_app
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings

PRIVATE_MESSAGE = ("private or local network", "https://", "not push services")


class Canary:
    """A TCP listener that accepts and counts connections, then hangs up."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


@pytest.fixture
def strict_client(runtime: Runtime, settings: Settings) -> Iterator[TestClient]:
    strict = settings.model_copy(update={"allow_private_network": False})
    strict_runtime = dataclasses.replace(runtime, settings=strict)
    with TestClient(create_app(strict_runtime), base_url="http://testserver") as client:
        yield client


def _literal_hosts(port: int) -> list[str]:
    """Every spelling of a loopback, private, link-local or metadata address."""
    return [
        f"127.0.0.1:{port}",
        f"2130706433:{port}",  # decimal
        f"0177.0.0.1:{port}",  # octal
        f"0x7f.0.0.1:{port}",  # hex
        f"0x7f000001:{port}",  # one hex number
        f"017700000001:{port}",  # one octal number
        f"127.1:{port}",  # short form
        f"[::ffff:127.0.0.1]:{port}",  # IPv4-mapped IPv6
        f"[::ffff:7f00:1]:{port}",  # the same, in hex groups
        f"[::1]:{port}",
        f"0.0.0.0:{port}",
        "169.254.169.254",  # cloud metadata
        "[fd00:ec2::254]",  # AWS metadata over IPv6
        "[fd00::1]",
        "10.0.0.1",
        "192.168.0.1",
        "[fe80::1]",
    ]


FAKE_DNS = {
    "loopback.evil.example": "127.0.0.1",
    "metadata.evil.example": "169.254.169.254",
    "intranet.evil.example": "10.1.2.3",
    "v6loop.evil.example": "::1",
}


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names in FAKE_DNS resolve to their address; every lookup is recorded."""
    real = socket.getaddrinfo
    lookups: dict[str, list[str]] = {}

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in FAKE_DNS:
            lookups.setdefault(name, []).append(FAKE_DNS[name])
            return real(FAKE_DNS[name], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def _refused(response: Any, what: str) -> None:
    assert 400 <= response.status_code < 500, (what, response.status_code, response.text)
    message = response.json()["error"]["message"]
    assert any(m in message for m in PRIVATE_MESSAGE), (what, message)


def test_calendar_feeds_refuse_every_private_address_form(
    strict_client: TestClient, auth: dict[str, str], canary: Canary
) -> None:
    for host in _literal_hosts(canary.port):
        response = strict_client.post(
            "/api/v1/calendars",
            json={"kind": "ics_url", "url": f"https://{host}/feed.ics"},
            headers=auth,
        )
        _refused(response, host)
    assert canary.hits == 0
    assert strict_client.get("/api/v1/calendars", headers=auth).json() == []


def test_calendar_feeds_refuse_names_resolving_to_private_addresses(
    strict_client: TestClient, auth: dict[str, str], canary: Canary, fake_dns: dict
) -> None:
    for name in [*FAKE_DNS, "localhost"]:
        response = strict_client.post(
            "/api/v1/calendars",
            json={"kind": "ics_url", "url": f"https://{name}:{canary.port}/feed.ics"},
            headers=auth,
        )
        _refused(response, name)
    assert canary.hits == 0


def test_caldav_discovery_refuses_private_addresses(
    strict_client: TestClient, auth: dict[str, str], canary: Canary, fake_dns: dict
) -> None:
    hosts = [*_literal_hosts(canary.port), *(f"{n}:{canary.port}" for n in FAKE_DNS)]
    for host in hosts:
        response = strict_client.post(
            "/api/v1/calendars/caldav/discover",
            json={"url": f"https://{host}/dav/", "username": "me", "password": "pw"},
            headers=auth,
        )
        _refused(response, host)
    assert canary.hits == 0


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """``rebind.evil.example`` answers a public address to the first lookup and loopback to
    every later one (DNS rebinding); the answers given are recorded in order."""
    real = socket.getaddrinfo
    answers: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name == "rebind.evil.example":
            answers.append("93.184.216.34" if not answers else "127.0.0.1")
            return real(answers[-1], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return {"rebind.evil.example": answers}


def test_caldav_discovery_is_not_fooled_by_dns_rebinding(
    strict_client: TestClient, auth: dict[str, str], canary: Canary, rebinding_dns: dict
) -> None:
    response = strict_client.post(
        "/api/v1/calendars/caldav/discover",
        json={
            "url": f"https://rebind.evil.example:{canary.port}/dav/",
            "username": "me",
            "password": "pw",
        },
        headers=auth,
    )
    _refused(response, "rebinding")
    # The up-front check saw the public answer; the connection's own lookup saw loopback.
    assert rebinding_dns["rebind.evil.example"][:2] == ["93.184.216.34", "127.0.0.1"]
    assert canary.hits == 0


def test_caldav_sync_is_not_fooled_by_dns_rebinding(
    strict_client: TestClient, auth: dict[str, str], canary: Canary, rebinding_dns: dict
) -> None:
    response = strict_client.post(  # adding a CalDAV calendar reads it at once
        "/api/v1/calendars",
        json={
            "kind": "caldav",
            "url": f"https://rebind.evil.example:{canary.port}/dav/cal/",
            "username": "me",
            "password": "pw",
        },
        headers=auth,
    )
    _refused(response, "rebinding")
    assert rebinding_dns["rebind.evil.example"][:2] == ["93.184.216.34", "127.0.0.1"]
    assert canary.hits == 0
    assert strict_client.get("/api/v1/calendars", headers=auth).json() == []


class Redirector:
    """An HTTP server on 127.0.0.1 answering every request with a redirect to ``location``."""

    def __init__(self, location: str) -> None:
        location_ = location

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(302)
                self.send_header("Location", location_)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _guard_trusting_127_0_0_1(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The CalDAV guard with 127.0.0.1 counted as public (it stands for a public server that
    redirects); every other private address stays refused."""
    from interlude.calendars import caldav_guard
    from interlude.core import netguard

    real = netguard.is_public_address
    monkeypatch.setattr(
        netguard, "is_public_address", lambda ip: str(ip) == "127.0.0.1" or real(ip)
    )
    return caldav_guard


def test_caldav_redirect_hops_are_guarded_per_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A "public" server redirects to a name that now resolves to a private address: the hop's
    own connection is refused before it is made."""
    private = Canary(host="127.0.0.2")
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host) == "hop.evil.example":
            lookups.append(str(host))
            return real("127.0.0.2", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    guard_module = _guard_trusting_127_0_0_1(monkeypatch)
    redirector = Redirector(f"http://hop.evil.example:{private.port}/dav/")
    resolver = guard_module.GuardedResolver(allow_private_network=False)
    # Plain http stands in for https here (the test servers have no certificates).
    session = guard_module.guarded_session(resolver, allow_http=True)
    try:
        with pytest.raises(niquests.exceptions.ConnectionError):
            session.get(f"http://127.0.0.1:{redirector.port}/dav/", timeout=5)
    finally:
        session.close()
        redirector.close()
        private.close()
    assert lookups == ["hop.evil.example"]
    assert resolver.blocked_host == "hop.evil.example"
    assert private.hits == 0


def test_caldav_redirects_cannot_reach_unix_sockets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    path = tmp_path / "s.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)
    listener.settimeout(0.2)
    guard_module = _guard_trusting_127_0_0_1(monkeypatch)
    redirector = Redirector(f"http+unix://{str(path).replace('/', '%2F')}/containers/json")
    session = guard_module.guarded_session(
        guard_module.GuardedResolver(allow_private_network=False), allow_http=True
    )
    try:
        with pytest.raises(niquests.exceptions.InvalidSchema):
            session.get(f"http://127.0.0.1:{redirector.port}/dav/", timeout=5)
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        session.close()
        redirector.close()
        listener.close()


def test_caldav_redirects_to_plain_http_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hop down to http:// (the calendar would travel in clear) is refused before it is
    made, and the user is told why; allowed where private networks (and http) are."""
    target = Canary(host="127.0.0.1")
    guard_module = _guard_trusting_127_0_0_1(monkeypatch)
    redirector = Redirector(f"http://127.0.0.1:{target.port}/dav/")
    resolver = guard_module.GuardedResolver(allow_private_network=False)
    session = guard_module.guarded_session(resolver)
    lenient = guard_module.guarded_session(guard_module.GuardedResolver(allow_private_network=True))
    try:
        with pytest.raises(guard_module.InsecureRedirectError):
            session.get(f"http://127.0.0.1:{redirector.port}/dav/", timeout=5)
        assert target.hits == 0
        assert resolver.refusal is not None and "only follows https://" in resolver.refusal
        with pytest.raises(niquests.exceptions.ConnectionError):  # the canary hangs up
            lenient.get(f"http://127.0.0.1:{redirector.port}/dav/", timeout=5)
        assert target.hits >= 1
    finally:
        session.close()
        lenient.close()
        redirector.close()
        target.close()


def _subscription(endpoint: str) -> dict[str, Any]:
    from tests.push.factories import subscription_json

    return subscription_json(endpoint)


def test_push_endpoints_refuse_literal_private_addresses(
    strict_client: TestClient, auth: dict[str, str], canary: Canary
) -> None:
    refused = []
    for host in [
        "127.0.0.1",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "169.254.169.254",
        "10.0.0.1",
        "[fd00::1]",
        "localhost",
        "0.0.0.0",
    ]:
        response = strict_client.post(
            "/api/v1/push/subscriptions",
            json=_subscription(f"https://{host}:{canary.port}/push/abc"),
            headers=auth,
        )
        refused.append((host, response.status_code))
        _refused(response, host)
    assert strict_client.get("/api/v1/push/subscriptions", headers=auth).json() == []


def test_push_endpoints_refuse_numeric_ipv4_spellings(
    strict_client: TestClient, auth: dict[str, str], canary: Canary
) -> None:
    accepted = []
    for host in ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "0x7f000001"]:
        response = strict_client.post(
            "/api/v1/push/subscriptions",
            json=_subscription(f"https://{host}:{canary.port}/push/abc"),
            headers=auth,
        )
        if response.status_code < 400:
            accepted.append(host)
    assert accepted == []


def test_push_sending_never_connects_to_private_addresses(
    strict_client: TestClient, auth: dict[str, str], canary: Canary, fake_dns: dict
) -> None:
    """Names are accepted when a device subscribes (they may be public tomorrow), but the
    transport checks what they resolve to before it connects, for each address family."""
    names = ("loopback.evil.example", "metadata.evil.example", "v6loop.evil.example")
    for name in names:
        response = strict_client.post(
            "/api/v1/push/subscriptions",
            json=_subscription(f"https://{name}:{canary.port}/push/abc"),
            headers=auth,
        )
        assert response.status_code == 201, response.text
    results = strict_client.post("/api/v1/push/test", headers=auth).json()["results"]
    assert [r["outcome"] for r in results] == ["failed"] * len(names)
    assert all("private or local network" in r["reason"] for r in results), results
    assert set(fake_dns) == set(names)  # each name was looked up, and refused
    assert canary.hits == 0
