"""The one guard for requests to URLs users hand us (SSRF): ICS feeds, CalDAV, push.

Calendar feeds, CalDAV servers and push endpoints all refuse loopback, private, link-local
(cloud metadata), CGNAT, ULA, multicast and reserved addresses, written in any spelling a
resolver accepts, unless ``INTERLUDE_ALLOW_PRIVATE_NETWORK`` is on. Each HTTP client applies
it at two points, with the same exception:

- ``check_host`` before any connection: local names and IP literals (clients connect to a
  literal without resolving it);
- ``check_resolved`` inside the client's resolver, on every address a name resolves to, so
  a name pointing at 127.0.0.1 or 169.254.169.254 is never reached (each client then
  connects to exactly the addresses checked: no second look-up to rebind).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


class BlockedAddressError(OSError):
    """A request would reach a private or local network address. An ``OSError``, so the
    HTTP clients treat it as a failed connection; ``message`` is safe to show and store."""

    def __init__(self, host: str) -> None:
        self.host = host[:80]
        self.message = (
            f"The host {self.host} points to a private or local network address, "
            "which Interlude does not connect to."
        )
        super().__init__(self.message)


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
    # Loopback, RFC 1918, link-local (169.254.169.254 metadata), CGNAT, ULA are not global.
    return ip.is_global


def is_private_host(host: str) -> bool:
    """True for local names and for IP literals (any spelling) that are not public."""
    name = host.lower().rstrip(".")
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    literal = parse_ip_literal(name)
    return literal is not None and not is_public_address(literal)


def check_host(host: str, *, allow_private_network: bool) -> None:
    """Raises ``BlockedAddressError`` for a local name or a non-public IP literal."""
    if not allow_private_network and is_private_host(host):
        raise BlockedAddressError(host)


def check_resolved(host: str, addresses: Iterable[str], *, allow_private_network: bool) -> None:
    """Raises ``BlockedAddressError`` if any address ``host`` resolved to is not public
    (one private answer is enough: a client may connect to any of them)."""
    if allow_private_network:
        return
    for address in addresses:
        if not is_public_address(ipaddress.ip_address(address.split("%", 1)[0])):
            raise BlockedAddressError(host)
