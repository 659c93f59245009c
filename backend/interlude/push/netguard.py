"""Keeps push sending off private networks (SSRF): endpoints are URLs users hand us.

Two layers: ``validate_endpoint`` refuses IP literals in any spelling a resolver accepts
(``127.0.0.1``, ``2130706433``, ``0x7f.1``, ``[::ffff:127.0.0.1]`` …) when a device
subscribes, and ``GuardedResolver`` checks every address a host name resolves to when the
sender connects, so a name pointing at 127.0.0.1 or 169.254.169.254 is never reached.
Both are off with ``INTERLUDE_ALLOW_PRIVATE_NETWORK`` (development, tests). The address
rules mirror ``interlude.calendars.fetch`` (candidates for ``core/`` once both settle).
"""

from __future__ import annotations

import ipaddress
import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


class BlockedAddressError(OSError):
    """The push endpoint is on a private or local network."""

    def __init__(self, host: str) -> None:
        super().__init__(
            f"push endpoint host {host[:80]} is on a private or local network address, "
            "where Interlude does not send"
        )


def parse_ip_literal(host: str) -> IPAddress | None:
    """An IP address written in any form a resolver accepts (dotted, decimal, octal, hex)."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:  # inet_aton accepts 2130706433, 0177.0.0.1, 0x7f.1 ...
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_public_address(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return is_public_address(mapped)
        if ip.teredo is not None:
            return is_public_address(ip.teredo[1])
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return False
    # Loopback, RFC 1918, link-local (cloud metadata), CGNAT and ULA are not global.
    return ip.is_global


def is_private_host(host: str) -> bool:
    """True for local names and for IP literals (any spelling) that are not public."""
    name = host.lower().rstrip(".")
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    literal = parse_ip_literal(name)
    return literal is not None and not is_public_address(literal)


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
