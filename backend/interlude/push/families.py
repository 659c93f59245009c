"""A push endpoint's service family: the only thing about an endpoint that metrics may name.

Endpoints are capability URLs (anyone holding one can push to the device), so metrics and
logs carry the family of its host, never the host's full name or the path.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# (family, host suffixes). Checked in order; a host matches its suffix exactly or as a
# subdomain ("web.push.apple.com" is apple, "evilpush.apple.com.example" is not).
_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fcm", ("fcm.googleapis.com", "android.googleapis.com")),
    ("apple", ("push.apple.com",)),
    ("mozilla", ("push.services.mozilla.com",)),
    ("wns", ("notify.windows.com",)),
)
FAMILIES = (*(name for name, _ in _FAMILIES), "other")


def push_service_family(endpoint: str) -> str:
    """``fcm``, ``apple``, ``mozilla``, ``wns`` or ``other``."""
    try:
        host = (urlsplit(endpoint).hostname or "").rstrip(".").lower()
    except ValueError:
        return "other"
    for family, suffixes in _FAMILIES:
        if any(host == s or host.endswith("." + s) for s in suffixes):
            return family
    return "other"
