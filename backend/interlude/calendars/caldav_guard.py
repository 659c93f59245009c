"""The SSRF guard under the caldav client's HTTP (niquests, on urllib3-future).

The caldav library does its own HTTP, so the guard sits in its session's DNS resolver: every
TCP connection the session opens (the first request, each redirect hop, each reconnect)
resolves the host through ``GuardedResolver``, which refuses non-public addresses unless
private networks are allowed and hands urllib3 exactly the addresses it checked to connect
to. There is no second lookup to rebind. Only resolution is replaced: the connection still
targets the host name, so TLS sends it as SNI and verifies the certificate against it.

The session also ignores proxy/netrc environment variables (a proxy would be what gets
checked, not the server), cannot follow a redirect to a Unix socket (``http+unix://``), and,
like the ICS fetcher, follows a redirect to plain ``http://`` only where private networks are
allowed: elsewhere a hop from https down to http would carry the calendar's contents in clear.
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import niquests
from niquests.packages.urllib3.contrib.resolver.system import SystemResolver

from interlude.core.netguard import BlockedAddressError, check_resolved

MAX_REDIRECTS = 5


def insecure_redirect_message(host: str) -> str:
    return (
        f"The CalDAV server redirected to a plain http:// address on {host[:80]}; Interlude "
        "only follows https:// so your calendar is never sent unencrypted."
    )


class GuardedResolver(SystemResolver):
    """The system resolver, refusing non-public answers; remembers the first refusal so the
    caller can report it whatever the HTTP and caldav layers turn the error into."""

    def __init__(self, *, allow_private_network: bool) -> None:
        super().__init__()
        self.allow_private_network = allow_private_network
        self.blocked_host: str | None = None
        # Why the first connection or redirect was refused, for the user (None: none was).
        self.refusal: str | None = None

    def getaddrinfo(
        self,
        host: bytes | str | None,
        port: str | int | None,
        family: socket.AddressFamily,
        type: socket.SocketKind,
        proto: int = 0,
        flags: int = 0,
        *,
        quic_upgrade_via_dns_rr: bool = False,
    ) -> list[Any]:
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
        records: list[Any] = super().getaddrinfo(host, port, family, type, proto, flags)
        try:
            check_resolved(
                name,
                (str(record[4][0]) for record in records),
                allow_private_network=self.allow_private_network,
            )
        except BlockedAddressError as exc:
            if self.blocked_host is None:
                self.blocked_host = name
                self.refusal = self.refusal or exc.message
            raise
        return records


class InsecureRedirectError(niquests.exceptions.InvalidSchema):
    """A redirect from the CalDAV server pointed at plain http where it is not allowed."""


class GuardedSession(niquests.Session):
    """A niquests session that refuses redirect hops to plain http unless ``allow_http``."""

    def __init__(self, resolver: GuardedResolver, *, allow_http: bool) -> None:
        super().__init__(resolver=resolver, disable_http3=True)
        self.guard = resolver
        self.allow_http = allow_http

    def rebuild_method(self, prepared_request: Any, response: Any) -> None:
        # niquests calls this once per redirect hop, with the hop's absolute URL set and
        # before anything is sent to it: the one place to refuse the hop.
        parts = urlsplit(str(prepared_request.url))
        if parts.scheme == "http" and not self.allow_http:
            message = insecure_redirect_message(parts.hostname or "")
            self.guard.refusal = self.guard.refusal or message
            raise InsecureRedirectError(message)
        super().rebuild_method(prepared_request, response)


def guarded_session(resolver: GuardedResolver, *, allow_http: bool | None = None) -> GuardedSession:
    """A niquests session whose every connection resolves through ``resolver``; plain http
    hops only with ``allow_http`` (default: where private networks are allowed, as for ICS)."""
    if allow_http is None:
        allow_http = resolver.allow_private_network
    session = GuardedSession(resolver, allow_http=allow_http)
    session.trust_env = False
    session.max_redirects = MAX_REDIRECTS
    for prefix in [p for p in session.adapters if p not in ("https://", "http://")]:
        session.adapters.pop(prefix).close()
    return session
