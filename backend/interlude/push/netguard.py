"""Keeps push sending off private networks (SSRF): endpoints are URLs users hand us.

Two layers: ``validate_endpoint`` refuses IP literals in any spelling a resolver accepts
(``127.0.0.1``, ``2130706433``, ``0x7f.1``, ``[::ffff:127.0.0.1]`` …) when a device
subscribes, and ``GuardedResolver`` checks every address a host name resolves to when the
sender connects, so a name pointing at 127.0.0.1 or 169.254.169.254 is never reached.
Both are off with ``INTERLUDE_ALLOW_PRIVATE_NETWORK`` (development, tests). The address
rules themselves live in ``interlude.core.netguard``, shared with calendar fetching.
"""

from __future__ import annotations

import ipaddress
import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from interlude.core.netguard import is_private_host, is_public_address, parse_ip_literal

__all__ = [
    "BlockedAddressError",
    "GuardedResolver",
    "is_private_host",
    "is_public_address",
    "parse_ip_literal",
]


class BlockedAddressError(OSError):
    """The push endpoint is on a private or local network."""

    def __init__(self, host: str) -> None:
        super().__init__(
            f"push endpoint host {host[:80]} is on a private or local network address, "
            "where Interlude does not send"
        )


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that refuses names resolving to any non-public address."""

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            address = ipaddress.ip_address(result["host"].split("%", 1)[0])
            if not is_public_address(address):
                raise BlockedAddressError(host)
        return results

    async def close(self) -> None:
        await self._inner.close()
