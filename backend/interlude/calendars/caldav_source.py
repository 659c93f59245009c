"""CalDAV accounts, through the ``caldav`` client library.

SSRF: the URL is checked up front (scheme, IP literals, what the name resolves to now) for a
clear early refusal, and the client's HTTP session resolves every connection through
``caldav_guard.GuardedResolver``, which connects only to the addresses it checked (no DNS
rebinding window, redirects included; see docs/calendars.md). The collection's
DAV:sync-token serves as the change tag: an unchanged calendar is not re-read.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import caldav
from caldav.elements import dav
from caldav.lib import error as caldav_error

from interlude.calendars.caldav_guard import GuardedResolver, guarded_session
from interlude.calendars.fetch import FetchError, normalize_feed_url
from interlude.core.netguard import BlockedAddressError, check_resolved

log = logging.getLogger("interlude.calendars")


class _QuietCaldav(logging.Filter):
    """The caldav library logs URLs, request bodies and server answers (event text) at
    DEBUG and in some warnings; only a generic line is let through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        record.msg, record.args, record.exc_info, record.exc_text = (
            "caldav library reported a problem (details withheld: they may hold event text)",
            (),
            None,
            None,
        )
        return True


for _name in ("caldav", "caldav.response", "caldav.discovery"):
    logging.getLogger(_name).addFilter(_QuietCaldav())
_TIMEOUT_SECONDS = 20


class CaldavError(Exception):
    """``message`` is safe to show and store (never server output or event text)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CaldavFetch:
    texts: list[str] | None  # None: unchanged since known_ctag
    ctag: str | None


def _check_url(url: str, *, allow_private_network: bool) -> str:
    try:
        url = normalize_feed_url(url, allow_private_network=allow_private_network)
    except FetchError as exc:
        raise CaldavError(exc.message.replace("calendar address", "CalDAV address")) from None
    host = urlsplit(url).hostname or ""
    if not allow_private_network:
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:
            raise CaldavError(f"The CalDAV host {host[:80]} could not be found.") from None
        try:
            check_resolved(host, (str(i[4][0]) for i in infos), allow_private_network=False)
        except BlockedAddressError as exc:
            raise CaldavError(exc.message) from None
    return url


def _client(url: str, username: str, password: str, guard: GuardedResolver) -> Any:
    client = caldav.DAVClient(  # type: ignore[operator]
        url=url,
        username=username,
        password=password,
        timeout=_TIMEOUT_SECONDS,
        enable_rfc6764=False,  # no DNS SRV/TXT or .well-known discovery: the URL is used as is
    )
    client.session.close()  # replaced before any request: it has no connection yet
    client.session = guarded_session(guard)
    return client


def _refused(guard: GuardedResolver) -> CaldavError | None:
    """Set when any connection was refused, even if the caldav library swallowed the error
    and carried on with less (it falls back on some failures)."""
    return CaldavError(guard.refusal) if guard.refusal else None


def _safe_error(exc: Exception, guard: GuardedResolver) -> CaldavError:
    log.info("caldav request failed: %s", type(exc).__name__)
    refused = _refused(guard)
    if refused is not None:
        return refused
    if isinstance(exc, caldav_error.AuthorizationError):
        return CaldavError("The CalDAV server refused the username or password.")
    if isinstance(exc, caldav_error.NotFoundError):
        return CaldavError("The CalDAV server has no calendar at this address.")
    if isinstance(exc, caldav_error.DAVError):
        # No promise of a retry: adding a calendar and discovery are never retried.
        return CaldavError("The CalDAV server answered with an error; check the address.")
    return CaldavError("Could not reach the CalDAV server; check the address and that it is up.")


def discover(
    *, url: str, username: str, password: str, allow_private_network: bool
) -> list[tuple[str, str]]:
    """The account's calendars as (path, display name), so the user can pick one."""
    url = _check_url(url, allow_private_network=allow_private_network)
    guard = GuardedResolver(allow_private_network=allow_private_network)
    try:
        with _client(url, username, password, guard) as client:
            calendars = client.principal().calendars()
            found = []
            for calendar in calendars:
                name = calendar.get_display_name() or urlsplit(str(calendar.url)).path
                found.append((urlsplit(str(calendar.url)).path, str(name)[:200]))
    except CaldavError:
        raise
    except Exception as exc:
        raise _safe_error(exc, guard) from None
    refused = _refused(guard)
    if refused is not None:
        raise refused
    return found


def _calendars_to_read(client: Any, url: str) -> list[str]:
    """No calendar picked: the URL itself if it is one of the account's calendars (or
    discovery fails), else every calendar of the account."""
    try:
        calendars = [str(c.url) for c in client.principal().calendars()]
    except Exception:
        return [url]
    wanted = urlsplit(url).path.rstrip("/")
    for candidate in calendars:
        if urlsplit(candidate).path.rstrip("/") == wanted:
            return [candidate]
    return calendars or [url]


def _sync_token(collection: Any) -> str | None:
    try:
        tag = collection.get_property(dav.SyncToken())
    except caldav_error.DAVError:
        return None
    return str(tag) if tag else None


def fetch_events(
    *,
    url: str,
    username: str,
    password: str,
    calendar: str | None,
    start: datetime,
    end: datetime,
    known_ctag: str | None,
    allow_private_network: bool,
) -> CaldavFetch:
    """The objects overlapping [start, end), or None when the change tag is unchanged."""
    url = _check_url(url, allow_private_network=allow_private_network)
    calendar_url = urljoin(url, calendar) if calendar else url
    if urlsplit(calendar_url).hostname != urlsplit(url).hostname:
        raise CaldavError("The calendar must be on the same server as the CalDAV account.")
    guard = GuardedResolver(allow_private_network=allow_private_network)
    try:
        with _client(url, username, password, guard) as client:
            urls = [calendar_url] if calendar else _calendars_to_read(client, url)
            collections = [client.calendar(url=u) for u in urls]
            tokens = [_sync_token(c) for c in collections]
            tag = "|".join(t for t in tokens if t) if all(tokens) else None
            if known_ctag and tag == known_ctag:
                result = CaldavFetch(texts=None, ctag=tag)
            else:
                texts = [
                    str(obj.data)
                    for collection in collections
                    for obj in collection.search(start=start, end=end, event=True, expand=False)
                    if obj.data
                ]
                result = CaldavFetch(texts=texts, ctag=tag)
    except CaldavError:
        raise
    except Exception as exc:
        raise _safe_error(exc, guard) from None
    refused = _refused(guard)
    if refused is not None:
        raise refused
    return result


# --- writing: only the week ahead's held-time events (docs/week-ahead.md) ------------------


def _writable_calendar(url: str, calendar: str) -> str:
    calendar_url = urljoin(url, calendar)
    if urlsplit(calendar_url).hostname != urlsplit(url).hostname:
        raise CaldavError("The calendar must be on the same server as the CalDAV account.")
    return calendar_url


def put_event(
    *,
    url: str,
    username: str,
    password: str,
    calendar: str,
    ics: str,
    allow_private_network: bool,
) -> None:
    """Create or replace (same UID) one event in ``calendar``, a path on the account's server.

    The caller builds ``ics``; the only caller writes a fixed "Break (Interlude)" event."""
    url = _check_url(url, allow_private_network=allow_private_network)
    calendar_url = _writable_calendar(url, calendar)
    guard = GuardedResolver(allow_private_network=allow_private_network)
    try:
        with _client(url, username, password, guard) as client:
            client.calendar(url=calendar_url).add_event(ics)
    except CaldavError:
        raise
    except Exception as exc:
        raise _safe_error(exc, guard) from None
    refused = _refused(guard)
    if refused is not None:
        raise refused


def delete_event(
    *,
    url: str,
    username: str,
    password: str,
    calendar: str,
    uid: str,
    allow_private_network: bool,
) -> None:
    """Delete the event with ``uid`` from ``calendar``; an event already gone is no error."""
    url = _check_url(url, allow_private_network=allow_private_network)
    calendar_url = _writable_calendar(url, calendar)
    guard = GuardedResolver(allow_private_network=allow_private_network)
    try:
        with _client(url, username, password, guard) as client:
            try:
                event = client.calendar(url=calendar_url).get_event_by_uid(uid)
            except caldav_error.NotFoundError:
                return
            event.delete()
    except CaldavError:
        raise
    except caldav_error.NotFoundError:
        return
    except Exception as exc:
        raise _safe_error(exc, guard) from None
    refused = _refused(guard)
    if refused is not None:
        raise refused
