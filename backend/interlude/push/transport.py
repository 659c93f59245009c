"""The HTTP side of sending: pooled keep-alive HTTP/1.1 connections with explicit timeouts.

``PushTransport.post`` lends a connection (``http1.Http1Connection``) per push service
origin, opening one when none is idle, and bounds:

- posts open at once: ``max_connections`` (more wait their turn, and the wait is not counted
  against any timeout); idle connections kept: as many, each for at most ``KEEPALIVE``;
- connecting: ``min(timeout, 5 s)``, name resolution and TLS handshake included, shared
  among a name's addresses;
- the answer: its first byte within ``timeout`` of the request, all of it within
  ``2 * timeout`` (a slow drip of bytes cannot hold a connection for long).

So a post takes at most ``post_bound(timeout)``. A request is sent once: when a kept-alive
connection turns out to be closed under it, that is a connection failure like any other
(the outbox retries it), never a silent second POST of the same message.

Why not aiohttp or httpx: a push is one small POST whose answer's status is what matters,
and a general client's per-request machinery cost about as much CPU as the aes128gcm
encryption itself (per POST on this machine: aiohttp 115-130 µs, httpx far more, this
~50 µs; ``bench/bench_push.py`` and docs/push.md). TLS is the standard library's
(certifi's CA bundle), HTTP parsing is httptools'.

Unless ``allow_private_network``, names are resolved here and every address checked
(``netguard``) before connecting to exactly those addresses, so a name that points at
127.0.0.1 or a cloud metadata address is never reached; TLS still verifies the name.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
import ssl
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

import certifi

from interlude.push.endpoints import split_endpoint
from interlude.push.http1 import Answer, ExchangeError, Http1Connection
from interlude.push.netguard import (
    BlockedAddressError,
    is_private_host,
    is_public_address,
    parse_ip_literal,
)

__all__ = ["EXCERPT_BYTES", "BlockedAddressError", "InvalidPushRequestError", "PushTransport"]

# Only this much of a push service's answer is read (for the failure reason): endpoints are
# chosen by whoever registered them, so the size of the answer is not trusted.
EXCERPT_BYTES = 2048
# Idle connections are closed after this long (push services keep theirs a minute or more).
KEEPALIVE = 15.0
# A name's checked addresses are reused this long; past this many names, expired ones go.
DNS_TTL = 300.0
_DNS_ENTRIES = 256
_USER_AGENT = "Interlude (Web Push)"
# Anything that would end a request line or header early.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")

Origin = tuple[str, str, int]  # scheme, host, port


class InvalidPushRequestError(ValueError):
    """The endpoint or a header cannot be written as an HTTP request."""


class _Origin(NamedTuple):
    key: Origin
    host: str
    port: int
    tls: bool
    private: bool  # the host is a local name or a non-public IP literal
    fields: str  # the Host and User-Agent header lines


def post_bound(timeout: float) -> float:
    """The longest one post can take: connecting, then the whole answer."""
    return min(timeout, 5.0) + 2 * timeout


@functools.lru_cache(maxsize=1024)  # per post, but there are few push services
def _origin(authority: str) -> _Origin:
    try:
        parts = urlsplit(authority)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise InvalidPushRequestError("the push endpoint's host or port is not valid") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidPushRequestError("the push endpoint is not an http(s) URL")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if _UNSAFE.search(netloc) or not netloc.isascii():
        raise InvalidPushRequestError("the push endpoint's host has characters a URL cannot carry")
    # "push.example." is the same host; TLS matches certificates against the name without
    # the final dot, so it is dropped here as browsers and other clients do.
    host = parts.hostname.removesuffix(".")
    literal = host if ":" not in host else f"[{host}]"
    authority_field = literal if parts.port is None else f"{literal}:{parts.port}"
    return _Origin(
        (parts.scheme, host, port),
        host,
        port,
        parts.scheme == "https",
        is_private_host(host),
        f"Host: {authority_field}\r\nUser-Agent: {_USER_AGENT}\r\n",
    )


def _request_head(endpoint: str, headers: Mapping[str, str], length: int) -> tuple[_Origin, bytes]:
    """The endpoint's origin, and the request's bytes up to the body."""
    authority, rest = split_endpoint(endpoint)
    origin = _origin(authority)
    path = rest.split("#", 1)[0]
    if not path.startswith("/"):
        path = "/" + path
    if _UNSAFE.search(path) or " " in path or not path.isascii():
        raise InvalidPushRequestError("the push endpoint has characters a URL cannot carry")
    lines = [f"POST {path} HTTP/1.1\r\n", origin.fields, f"Content-Length: {length}\r\n"]
    for name, value in headers.items():
        if _UNSAFE.search(name) or _UNSAFE.search(value) or ":" in name:
            raise InvalidPushRequestError(f"the push request header {name[:40]!r} is malformed")
        lines.append(f"{name}: {value}\r\n")
    lines.append("\r\n")
    try:
        return origin, "".join(lines).encode("latin-1")
    except UnicodeEncodeError as exc:
        raise InvalidPushRequestError("a push request header is not latin-1") from exc


@functools.lru_cache(maxsize=1)
def default_tls_context() -> ssl.SSLContext:
    # Loading the CA bundle takes tens of milliseconds: do it once per process.
    return ssl.create_default_context(cafile=certifi.where())


class PushTransport:
    """POSTs to push services over pooled keep-alive connections; belongs to the event loop
    it is first used on. ``tls_context`` defaults to the system's trust (certifi)."""

    def __init__(
        self,
        *,
        timeout: float,
        max_connections: int,
        allow_private_network: bool = False,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._timeout = timeout
        self._connect_timeout = min(timeout, 5.0)
        self._max_connections = max_connections
        self._allow_private_network = allow_private_network
        self._tls_context = tls_context
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: dict[Origin, list[Http1Connection]] = {}
        self._idle_count = 0
        self._open: set[Http1Connection] = set()
        self._addresses: dict[tuple[str, int], tuple[float, list[tuple[int, str]]]] = {}
        self._lookups: dict[tuple[str, int], asyncio.Future[list[tuple[int, str]]]] = {}
        self._sweep: asyncio.TimerHandle | None = None

    async def post(
        self, endpoint: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, str | None, bytes]:
        """Status, Retry-After and the first ``EXCERPT_BYTES`` of the answer.

        Raises ``BlockedAddressError`` for a private-network host, ``InvalidPushRequestError``
        for an endpoint or header that cannot be written, ``TimeoutError`` on a timeout, and
        another ``OSError`` when the connection cannot be made or breaks.
        """
        target, request = _request_head(endpoint, headers, len(body))
        if target.private and not self._allow_private_network:
            raise BlockedAddressError(target.host)  # a literal: refused without a look-up
        async with self._slots:
            connection = self._take_idle(target.key) or await self._connect(target)
            return await self._exchange(connection, target.key, request, body)

    async def aclose(self) -> None:
        """Close every connection (posts still open fail)."""
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        for connection in list(self._open):
            connection.abort()
        self._open.clear()
        self._idle.clear()
        self._idle_count = 0

    # --- one exchange --------------------------------------------------------------------

    async def _exchange(
        self, connection: Http1Connection, origin: Origin, request: bytes, body: bytes
    ) -> Answer:
        loop = asyncio.get_running_loop()
        waiter = connection.exchange(request, body)
        started = loop.time()
        timer = loop.call_later(
            self._timeout, self._check_progress, connection, connection.exchanges, started
        )
        try:
            answer = await waiter
        except BaseException:
            connection.abort()  # a timeout, a broken answer, or our caller gave up
            self._open.discard(connection)
            raise
        finally:
            timer.cancel()
        self._release(origin, connection)
        return answer

    def _check_progress(self, connection: Http1Connection, exchange: int, started: float) -> None:
        """No byte of the answer within the timeout, or not all of it within twice that."""
        if connection.exchanges != exchange or not connection.waiting:
            return  # that exchange is over (this is the second, uncancelled timer)
        loop = asyncio.get_running_loop()
        deadline = started + 2 * self._timeout
        if connection.received and loop.time() < deadline:
            loop.call_at(deadline, self._check_progress, connection, exchange, started)
            return
        connection.fail(TimeoutError("the push service did not answer in time"))

    # --- the pool ------------------------------------------------------------------------

    def _take_idle(self, origin: Origin) -> Http1Connection | None:
        idle = self._idle.get(origin)
        now = asyncio.get_running_loop().time()
        while idle:
            connection = idle.pop()
            self._idle_count -= 1
            if connection.usable and now - connection.idle_since < KEEPALIVE:
                return connection
            connection.close()
            self._open.discard(connection)
        return None

    def _release(self, origin: Origin, connection: Http1Connection) -> None:
        if not connection.usable or self._idle_count >= self._max_connections:
            connection.close()
            self._open.discard(connection)
            return
        loop = asyncio.get_running_loop()
        connection.idle_since = loop.time()
        self._idle.setdefault(origin, []).append(connection)
        self._idle_count += 1
        if self._sweep is None:
            self._sweep = loop.call_later(KEEPALIVE, self._close_stale)

    def _close_stale(self) -> None:
        """Close connections idle longer than ``KEEPALIVE``; runs while any are idle."""
        self._sweep = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        for origin, idle in list(self._idle.items()):
            fresh = [c for c in idle if c.usable and now - c.idle_since < KEEPALIVE]
            for connection in idle:
                if connection not in fresh:
                    connection.close()
                    self._open.discard(connection)
            self._idle_count -= len(idle) - len(fresh)
            if fresh:
                self._idle[origin] = fresh
            else:
                del self._idle[origin]
        if self._idle_count:
            self._sweep = loop.call_later(KEEPALIVE, self._close_stale)

    async def _connect(self, target: _Origin) -> Http1Connection:
        loop = asyncio.get_running_loop()
        tls = (self._tls_context or default_tls_context()) if target.tls else None
        deadline = loop.time() + self._connect_timeout
        async with asyncio.timeout_at(deadline):
            addresses = await self._resolve(target)
        error: OSError = ExchangeError(f"no address to connect to for {target.host[:80]}")
        for tried, (family, address) in enumerate(addresses):
            left = deadline - loop.time()
            if left <= 0:
                break
            # An equal share of what is left for each address still to try, so one that drops
            # packets (a broken IPv6 route) cannot spend the whole budget.
            try:
                async with asyncio.timeout(left / (len(addresses) - tried)):
                    _, connection = await loop.create_connection(
                        lambda: Http1Connection(EXCERPT_BYTES),
                        host=address,
                        port=target.port,
                        family=family,
                        ssl=tls,
                        server_hostname=target.host if tls else None,
                    )
            except OSError as exc:  # refused, unreachable, TLS refused, or its share ran out
                error = exc
                continue
            self._open.add(connection)
            return connection
        raise error

    async def _resolve(self, target: _Origin) -> list[tuple[int, str]]:
        """(family, address) to connect to; every one public unless private is allowed.
        Concurrent posts to a name share one look-up; answers are kept ``DNS_TTL``."""
        literal = parse_ip_literal(target.host)
        if literal is not None:
            family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
            return [(family, str(literal))]
        key = (target.host, target.port)
        now = asyncio.get_running_loop().time()
        cached = self._addresses.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        lookup = self._lookups.get(key)
        if lookup is None:
            lookup = asyncio.ensure_future(self._look_up(target))
            self._lookups[key] = lookup
            lookup.add_done_callback(lambda done: self._looked_up(key, done))
        # Shielded: a post that gives up (its timeout) does not cancel the others' look-up.
        return await asyncio.shield(lookup)

    async def _look_up(self, target: _Origin) -> list[tuple[int, str]]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(
            target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        addresses: list[tuple[int, str]] = []
        for family, _, _, _, sockaddr in infos:
            address = str(sockaddr[0])
            if not self._allow_private_network and not is_public_address(
                ipaddress.ip_address(address.split("%", 1)[0])
            ):
                raise BlockedAddressError(target.host)
            if (family, address) not in addresses:
                addresses.append((family, address))
        return addresses

    def _looked_up(self, key: tuple[str, int], done: asyncio.Future[list[tuple[int, str]]]) -> None:
        self._lookups.pop(key, None)
        if done.cancelled() or done.exception() is not None:
            return  # nothing kept: the next post looks again
        now = asyncio.get_running_loop().time()
        if len(self._addresses) >= _DNS_ENTRIES:
            self._addresses = {k: v for k, v in self._addresses.items() if v[0] > now}
        self._addresses[key] = (now + DNS_TTL, done.result())
