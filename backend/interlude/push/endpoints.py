"""Cutting push endpoints into origin and path, per message, cheaply.

An endpoint is ``https://push.service.example/some/capability/path``: one per device, but
few origins (one per push service). A burst sends to thousands of devices once each, so a
cache keyed by the whole endpoint never hits; keyed by the origin it always does.
"""

from __future__ import annotations

_ORIGIN_ENDS = "/?#"


def split_endpoint(endpoint: str) -> tuple[str, str]:
    """(``scheme://authority``, the rest), cut where ``urllib.parse.urlsplit`` cuts the
    authority off."""
    start = endpoint.find("://")
    if start < 0:
        return endpoint, ""
    end = len(endpoint)
    for char in _ORIGIN_ENDS:
        found = endpoint.find(char, start + 3)
        if 0 <= found < end:
            end = found
    return endpoint[:end], endpoint[end:]
