"""Address rules for outbound requests to URLs users hand us (SSRF guard).

Calendar feeds and push endpoints both refuse loopback, private, link-local (cloud
metadata), CGNAT, ULA, multicast and reserved addresses, written in any spelling a resolver
accepts, unless ``INTERLUDE_ALLOW_PRIVATE_NETWORK`` is on.
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


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
