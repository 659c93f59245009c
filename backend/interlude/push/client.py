"""The HTTP side of sending: one aiohttp session, its timeouts, and the SSRF guard.

A worker process keeps one ``aiohttp.ClientSession`` (through its ``PushSender``): pooled
keep-alive connections, the DNS cache and the timeouts are aiohttp's. Per post:

- connecting takes at most ``min(timeout, 5 s)``; each read of the answer at most
  ``timeout``, all of it at most ``2 * timeout`` (a slow drip cannot hold a connection);
- redirects are not followed (a push service answers, it does not send us elsewhere), and
  only ``EXCERPT_BYTES`` of an answer are read: endpoints are chosen by whoever registered
  them, so neither is trusted;
- proxy and netrc variables are ignored (a proxy is not what the guard checks).

Unless private networks are allowed, ``GuardedResolver`` applies ``core.netguard`` to every
address a name resolves to, and ``post`` refuses local names and private IP literals before
connecting (aiohttp connects to a literal without resolving it).
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from interlude.core.netguard import check_host, check_resolved

__all__ = ["EXCERPT_BYTES", "GuardedResolver", "open_session", "post"]

EXCERPT_BYTES = 2048
# A name's (checked) addresses are reused this long.
DNS_TTL_SECONDS = 300
_USER_AGENT = "Interlude (Web Push)"


class GuardedResolver(AbstractResolver):
    """aiohttp's threaded resolver, refusing any name with a non-public address."""

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        check_resolved(host, (r["host"] for r in results), allow_private_network=False)
        return results

    async def close(self) -> None:
        await self._inner.close()


def open_session(
    *, timeout: float, max_connections: int, allow_private_network: bool
) -> aiohttp.ClientSession:
    """The session one process sends through; open it inside the event loop that uses it."""
    connector = aiohttp.TCPConnector(
        limit=max_connections,
        limit_per_host=0,
        ttl_dns_cache=DNS_TTL_SECONDS,
        resolver=None if allow_private_network else GuardedResolver(),
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(
            total=2 * timeout, sock_connect=min(timeout, 5.0), sock_read=timeout
        ),
        headers={"User-Agent": _USER_AGENT},
        trust_env=False,
        auto_decompress=False,
    )


async def post(
    session: aiohttp.ClientSession,
    endpoint: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    allow_private_network: bool,
) -> tuple[int, str | None, bytes]:
    """Status, Retry-After and the first ``EXCERPT_BYTES`` of the answer.

    Raises ``BlockedAddressError`` for a private-network host (literal or resolved),
    ``TimeoutError`` on a timeout, and ``aiohttp.ClientError`` (or ``ValueError`` for an
    endpoint that is not a URL) when the request cannot be made or the connection breaks.
    """
    check_host(urlsplit(endpoint).hostname or "", allow_private_network=allow_private_network)
    async with session.post(
        endpoint, data=body, headers=headers, allow_redirects=False
    ) as response:
        excerpt = await response.content.read(EXCERPT_BYTES)
        return response.status, response.headers.get("Retry-After"), excerpt
