"""PushTransport against scripted HTTP/1.1 servers on loopback (plain and TLS): keep-alive,
the connection limit, answers in every framing, timeouts, broken connections, and what it
refuses to send. The whole send path (VAPID, encryption) is tested against the local push
service in test_push_sender.py and test_send_pool.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from interlude.core.clock import FrozenClock
from interlude.push import transport as transport_module
from interlude.push.answers import exchange
from interlude.push.netguard import BlockedAddressError
from interlude.push.transport import EXCERPT_BYTES, InvalidPushRequestError, PushTransport

HEADERS = {"TTL": "60", "Urgency": "high", "Content-Encoding": "aes128gcm"}
CREATED = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"


@dataclass
class Request:
    connection: int
    request_line: str
    headers: dict[str, str]
    body: bytes


Answerer = Callable[[Request, asyncio.StreamWriter], Awaitable[bool]]


@dataclass
class ScriptedServer:
    """Reads each request on each connection and lets ``answer`` write whatever it likes;
    ``answer`` returns whether to keep reading on that connection."""

    answer: Answerer
    tls: ssl.SSLContext | None = None
    connections: int = 0
    requests: list[Request] = field(default_factory=list)
    closed_connections: int = 0

    async def __aenter__(self) -> ScriptedServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        self._server.close()

    def url(self, path: str = "/push/abc", host: str = "127.0.0.1") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = head.split("\r\n")[:-2]
                headers = {
                    k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                request = Request(number, request_line, headers, body)
                self.requests.append(request)
                if not await self.answer(request, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed_connections += 1
            writer.close()


def answering(*chunks: bytes, keep: bool = True, pause: float = 0.0) -> Answerer:
    async def answer(_: Request, writer: asyncio.StreamWriter) -> bool:
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
        return keep

    return answer


def transport(**options: Any) -> PushTransport:
    options = {"timeout": 5.0, "max_connections": 8, "allow_private_network": True, **options}
    return PushTransport(**options)


async def _post(t: PushTransport, url: str, body: bytes = b"x" * 100, **headers: str) -> Any:
    return await t.post(url, body, {**HEADERS, **headers})


def _post_in_turn(answer: Answerer, times: int) -> tuple[ScriptedServer, list[Any]]:
    """``times`` posts one after another through one transport to a server answering
    ``answer``; the server (for its connection count) and the answers."""

    async def run() -> tuple[ScriptedServer, list[Any]]:
        async with ScriptedServer(answer) as server:
            t = transport()
            answers = [await _post(t, server.url()) for _ in range(times)]
            await t.aclose()
        return server, answers

    return asyncio.run(run())


def test_posts_reuse_one_keep_alive_connection_and_send_what_they_were_given() -> None:
    async def run() -> tuple[ScriptedServer, list[Any]]:
        async with ScriptedServer(answering(CREATED)) as server:
            t = transport()
            answers = [await _post(t, server.url(), bytes([n]) * 50) for n in range(20)]
            await t.aclose()
        return server, answers

    server, answers = asyncio.run(run())
    assert answers == [(201, None, b"")] * 20
    assert server.connections == 1
    first = server.requests[0]
    assert first.request_line == "POST /push/abc HTTP/1.1"
    assert first.headers["host"] == f"127.0.0.1:{server.port}"
    assert first.headers["ttl"] == "60" and first.headers["content-encoding"] == "aes128gcm"
    assert [r.body for r in server.requests] == [bytes([n]) * 50 for n in range(20)]


def test_concurrent_posts_open_at_most_max_connections() -> None:
    async def run() -> tuple[ScriptedServer, list[Any]]:
        async def slow(_: Request, writer: asyncio.StreamWriter) -> bool:
            await asyncio.sleep(0.05)
            writer.write(CREATED)
            return True

        async with ScriptedServer(slow) as server:
            t = transport(max_connections=3)
            answers = await asyncio.gather(*(_post(t, server.url()) for _ in range(12)))
            await t.aclose()
        return server, answers

    server, answers = asyncio.run(run())
    assert [a[0] for a in answers] == [201] * 12
    assert server.connections == 3


def test_retry_after_is_read_and_a_long_answer_is_cut_and_its_connection_dropped() -> None:
    long_body = b"r" * (EXCERPT_BYTES * 3)
    answer = (
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
        + f"Content-Length: {len(long_body)}\r\n\r\n".encode()
        + long_body
    )

    server, answers = _post_in_turn(answering(answer), 2)
    assert answers == [(429, "7", long_body[:EXCERPT_BYTES])] * 2
    assert server.connections == 2  # the undrained connection was not reused


def test_chunked_answers_after_an_informational_one_keep_the_connection() -> None:
    answer = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )

    server, answers = _post_in_turn(answering(answer, pause=0.01), 3)
    assert answers == [(400, None, b"hello world")] * 3
    assert server.connections == 1


def test_an_answer_ended_by_closing_the_connection() -> None:
    answer = b"HTTP/1.1 503 Unavailable\r\nConnection: close\r\n\r\nback soon"

    server, answers = _post_in_turn(answering(answer, keep=False), 2)
    assert answers == [(503, None, b"back soon")] * 2
    assert server.connections == 2


def test_a_kept_connection_closed_under_a_request_fails_it_and_is_not_reused() -> None:
    """The request is not sent again on a new connection: the server may have acted on it
    (the outbox retries the message, and the notification's tag collapses a repeat)."""

    async def first_only(request: Request, writer: asyncio.StreamWriter) -> bool:
        if len([r for r in server.requests if r.connection == request.connection]) > 1:
            return False  # read the second request, then hang up without answering
        writer.write(CREATED)
        return True

    async def run() -> list[Any]:
        async with server:
            t = transport()
            first = await _post(t, server.url())
            with pytest.raises(OSError, match="closed the connection"):
                await _post(t, server.url())
            third = await _post(t, server.url())
            await t.aclose()
        return [first, third]

    server = ScriptedServer(first_only)
    assert asyncio.run(run()) == [(201, None, b"")] * 2
    assert server.connections == 2 and len(server.requests) == 3


def test_bytes_after_a_complete_answer_retire_the_connection() -> None:
    """A server that says more than one answer (here a 408 after the 201) is out of step
    with us: the answer stands, the connection is not lent again."""
    answer = CREATED + b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"

    server, answers = _post_in_turn(answering(answer), 2)
    assert server.connections == 2
    assert answers == [(201, None, b"")] * 2


def test_concurrent_posts_to_a_new_name_share_one_look_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = socket.getaddrinfo
    lookups: list[str] = []

    def counting(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        lookups.append(str(host))
        time.sleep(0.05)  # a resolver that takes a moment, so the posts overlap
        return real("127.0.0.1" if host == "push.example.test" else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counting)

    async def run() -> list[Any]:
        async with ScriptedServer(answering(CREATED)) as server:
            t = transport()
            url = server.url(host="push.example.test")
            answers = await asyncio.gather(*(_post(t, url) for _ in range(8)))
            answers.append(await _post(t, url))  # later: from the cache
            await t.aclose()
        return answers

    assert [a[0] for a in asyncio.run(run())] == [201] * 9
    assert lookups == ["push.example.test"]


def test_a_new_connection_closed_before_any_answer_fails_as_a_connection_error() -> None:
    async def run() -> Any:
        async with ScriptedServer(answering(keep=False)) as server:
            t = transport()
            try:
                return await exchange(t, server.url(), b"x", HEADERS, FrozenClock(_NOW))
            finally:
                await t.aclose()

    result = asyncio.run(run())
    assert (result.outcome, result.http_status) == ("retry", None)
    assert result.reason == "push service connection failed (ExchangeError)"


_NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def _seconds_until_timeout(answer: Answerer, timeout: float) -> float:
    async def run() -> float:
        async with ScriptedServer(answer) as server:
            t = transport(timeout=timeout)
            started = time.monotonic()
            with pytest.raises(TimeoutError):
                await _post(t, server.url())
            elapsed = time.monotonic() - started
            await t.aclose()
        return elapsed

    return asyncio.run(run())


def test_no_answer_times_out_after_the_timeout() -> None:
    async def never(_: Request, __: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(30)
        return False

    assert 0.3 <= _seconds_until_timeout(never, 0.3) < 1.5


def test_a_slow_drip_times_out_at_twice_the_timeout() -> None:
    drip = [b"HTTP/1.1 201 Created\r\nContent-Length: 1000\r\n\r\n"] + [b"."] * 100
    assert 0.6 <= _seconds_until_timeout(answering(*drip, pause=0.05), 0.3) < 2.0


def test_an_answer_that_is_not_http_is_a_connection_error() -> None:
    async def run() -> None:
        async with ScriptedServer(answering(b"SSH-2.0-OpenSSH\r\n\r\n")) as server:
            t = transport()
            with pytest.raises(OSError, match="not valid HTTP"):
                await _post(t, server.url())
            await t.aclose()

    asyncio.run(run())


@pytest.mark.parametrize(
    ("url_path", "headers"),
    [
        ("/push/abc", {"X-Broken": "a\r\nInjected: yes"}),
        ("/push/abc", {"Bad\nName": "x"}),
        ("/push/a b", {}),
        ("/push/a%0d%0a\r\nInjected: yes", {}),
    ],
)
def test_requests_that_cannot_be_written_safely_are_refused_before_connecting(
    url_path: str, headers: dict[str, str]
) -> None:
    async def run() -> ScriptedServer:
        async with ScriptedServer(answering(CREATED)) as server:
            t = transport()
            with pytest.raises(InvalidPushRequestError):
                await _post(t, server.url(url_path), **headers)
            await t.aclose()
        return server

    assert asyncio.run(run()).connections == 0


def test_private_addresses_are_refused_without_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "push.evil.example":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)

    async def run() -> ScriptedServer:
        async with ScriptedServer(answering(CREATED)) as server:
            t = transport(allow_private_network=False)
            for host in ("127.0.0.1", "push.evil.example", "localhost", "2130706433"):
                with pytest.raises(BlockedAddressError):
                    await _post(t, server.url(host=host))
            await t.aclose()
        return server

    assert asyncio.run(run()).connections == 0


def test_idle_connections_are_closed_after_the_keepalive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport_module, "KEEPALIVE", 0.2)

    async def run() -> tuple[int, int]:
        async with ScriptedServer(answering(CREATED)) as server:
            t = transport()
            await _post(t, server.url())
            await asyncio.sleep(0.6)
            closed = server.closed_connections
            await _post(t, server.url())
            await t.aclose()
        return closed, server.connections

    assert asyncio.run(run()) == (1, 2)


def test_a_cancelled_post_drops_its_connection_and_the_next_post_works() -> None:
    async def slow_once(request: Request, writer: asyncio.StreamWriter) -> bool:
        if len(server.requests) == 1:
            await asyncio.sleep(5)
        writer.write(CREATED)
        return True

    async def run() -> Any:
        async with server:
            t = transport(max_connections=1)
            first = asyncio.create_task(_post(t, server.url()))
            await asyncio.sleep(0.2)
            first.cancel()
            answer = await asyncio.wait_for(_post(t, server.url()), timeout=2)
            await t.aclose()
        return answer

    server = ScriptedServer(slow_once)
    assert asyncio.run(run()) == (201, None, b"")
    assert server.connections == 2


# --- TLS -----------------------------------------------------------------------------------


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_tls_is_verified_against_the_endpoints_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transport connects to the address it resolved (and checked) but verifies the
    certificate against the endpoint's name."""
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "push.example.test":  # not a name on the certificate
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    cert_path, key_path = _certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)
    trusting = ssl.create_default_context(cafile=str(cert_path))

    async def run() -> tuple[ScriptedServer, list[Any], Any]:
        async with ScriptedServer(answering(CREATED), tls=server_tls) as server:
            trusted = transport(tls_context=trusting)
            answers = [await _post(trusted, server.url(host="localhost")) for _ in range(2)]
            # The same host written with its final dot: TLS checks the name without it.
            answers.append(await _post(trusted, server.url(host="localhost.")))
            with pytest.raises(ssl.SSLCertVerificationError):
                await _post(trusted, server.url(host="push.example.test"))
            untrusted = transport()  # the system's trust (certifi) does not know this one
            result = await exchange(
                untrusted, server.url(host="localhost"), b"x", HEADERS, FrozenClock(_NOW)
            )
            for t in (trusted, untrusted):
                await t.aclose()
        return server, answers, result

    server, answers, result = asyncio.run(run())
    assert answers == [(201, None, b"")] * 3
    assert len(server.requests) == 3  # the refused handshakes sent nothing
    assert {r.headers["host"] for r in server.requests} == {f"localhost:{server.port}"}
    assert (result.outcome, result.reason) == (
        "retry",
        "push service TLS certificate not trusted (SSLCertVerificationError)",
    )
