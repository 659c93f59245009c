"""Keeps push sending off private networks (SSRF): endpoints are URLs users hand us.

Two layers: ``validate_endpoint`` refuses IP literals in any spelling a resolver accepts
(``127.0.0.1``, ``2130706433``, ``0x7f.1``, ``[::ffff:127.0.0.1]`` …) when a device
subscribes, and the sender's transport (``transport.py``) checks every address a host name
resolves to and connects only to those, so a name pointing at 127.0.0.1 or 169.254.169.254
is never reached.
Both are off with ``INTERLUDE_ALLOW_PRIVATE_NETWORK`` (development, tests). The address
rules themselves live in ``interlude.core.netguard``, shared with calendar fetching.
"""

from __future__ import annotations

from interlude.core.netguard import is_private_host, is_public_address, parse_ip_literal

__all__ = [
    "BlockedAddressError",
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
