"""The HTTP side of sending: one pooled keep-alive aiohttp session with explicit timeouts.

Why aiohttp and not httpx (the project's client elsewhere): on this 2-core class of machine
an httpx POST costs ~900 µs of CPU against ~150 µs for aiohttp (measured with
``bench/bench_push.py``'s setup, same server), more than twice the cost of the aes128gcm
encryption itself; the issue's burst targets are out of reach with it. aiohttp is already
installed as a dependency of pywebpush, whose own async path uses it.
"""

from __future__ import annotations

import functools
import ssl
from urllib.parse import urlsplit

import aiohttp
import certifi
import yarl

from interlude.push.netguard import BlockedAddressError, GuardedResolver, is_private_host

# Only this much of a push service's answer is read (for the failure reason): endpoints are
# chosen by whoever registered them, so the size of the answer is not trusted.
EXCERPT_BYTES = 2048


@functools.lru_cache(maxsize=8192)
def _url(endpoint: str) -> yarl.URL:
    # Parsing the endpoint is a measurable part of a post; a device's endpoint never changes.
    return yarl.URL(endpoint)


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle takes tens of milliseconds: do it once per process.
    return ssl.create_default_context(cafile=certifi.where())


class PushTransport:
    """POSTs to push services over pooled keep-alive connections.

    The session is opened on first use, inside the caller's event loop, and belongs to that
    loop. ``timeout`` bounds connecting (at most 5 s) and each read; ``2 * timeout`` bounds
    the whole exchange, so a slow drip of bytes cannot hold a connection for long.
    """

    def __init__(
        self, *, timeout: float, max_connections: int, allow_private_network: bool = False
    ) -> None:
        self._timeout = aiohttp.ClientTimeout(
            total=2 * timeout, connect=min(timeout, 5.0), sock_read=timeout
        )
        self._max_connections = max_connections
        self._allow_private_network = allow_private_network
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=0,
            ssl=_tls_context(),
            ttl_dns_cache=300,
            resolver=None if self._allow_private_network else GuardedResolver(),
        )
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=self._timeout, trust_env=False
        )
        return self._session

    async def post(
        self, endpoint: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, str | None, bytes]:
        """Status, Retry-After and the first ``EXCERPT_BYTES`` of the answer.

        Raises ``TimeoutError`` on a timeout, ``aiohttp.ClientError`` when the connection
        cannot be made or breaks, and ``BlockedAddressError`` for a private-network host.
        """
        if not self._allow_private_network:
            host = urlsplit(endpoint).hostname or ""
            if is_private_host(host):  # aiohttp connects to IP literals without resolving
                raise BlockedAddressError(host)
        session = self._session or self._open()
        async with session.post(
            _url(endpoint), data=body, headers=headers, allow_redirects=False
        ) as response:
            excerpt = await response.content.read(EXCERPT_BYTES)
            return response.status, response.headers.get("Retry-After"), excerpt

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
