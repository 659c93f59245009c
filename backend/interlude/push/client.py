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

Imported only where pushes are sent (``PushSender`` opens its session), so an API process
that never sends does not load aiohttp.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from interlude.core.clock import Clock
from interlude.core.netguard import BlockedAddressError, check_host, check_resolved
from interlude.push.answers import PushResult, classify_response, transport_failure

__all__ = ["EXCERPT_BYTES", "GuardedResolver", "exchange", "open_session", "post"]

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


def _blocked(exc: BaseException | None) -> BlockedAddressError | None:
    """The guard's refusal, also when aiohttp wrapped it (a resolver's error arrives as a
    ``ClientConnectorDNSError``)."""
    while exc is not None:
        if isinstance(exc, BlockedAddressError):
            return exc
        exc = getattr(exc, "os_error", None) or exc.__cause__
    return None


async def exchange(
    session: aiohttp.ClientSession,
    endpoint: str,
    body: bytes,
    headers: Mapping[str, str],
    clock: Clock,
    *,
    allow_private_network: bool,
) -> PushResult:
    """POST one encrypted message; never raises for the push service's (or network's) doing."""
    try:
        status, retry_after, excerpt = await post(
            session, endpoint, body, headers, allow_private_network=allow_private_network
        )
    except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
        return transport_failure("timed out", exc)
    except aiohttp.ClientConnectorCertificateError as exc:
        return transport_failure("TLS certificate not trusted", exc)
    except (OSError, aiohttp.ClientError) as exc:  # refused, reset, name not found, TLS ...
        blocked = _blocked(exc)
        if blocked is not None:
            return PushResult("failed", None, None, blocked.message)
        return transport_failure("connection failed", exc)
    except ValueError as exc:  # the endpoint or a header cannot be written as a request
        return PushResult("failed", None, None, f"invalid push request ({type(exc).__name__})")
    return classify_response(status, retry_after, excerpt, clock.now())
