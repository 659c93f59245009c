"""CalDAV accounts, through the ``caldav`` client library.

SSRF: the URL is checked up front (scheme, IP literals, what the name resolves to now) for a
clear early refusal, and the client's HTTP session resolves every connection through
``caldav_guard.GuardedResolver``, which connects only to the addresses it checked (no DNS
rebinding window, redirects included; see docs/calendars.md). Each sync after the first asks
the server what changed since the collection's sync token (RFC 6578 sync-collection, through
the library's ``objects_by_sync_token``): an unchanged calendar costs one small REPORT and is
not re-read; a refused token (expired, unsupported) falls back to a full read.
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
_MAX_TOKENS_LENGTH = 1000  # the column's size; longer: no token kept, the next sync reads whole


class CaldavError(Exception):
    """``message`` is safe to show and store (never server output or event text)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CaldavThrottled(CaldavError):
    """429, or 503 with Retry-After: ``retry_after`` seconds, when the server said."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class CaldavFetch:
    texts: list[str] | None  # None: unchanged since known_token
    ctag: str | None  # the collections' sync tokens, to send next time


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
        rate_limit_handle=False,  # never sleep in a sync thread: the schedule backs off instead
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
    if isinstance(exc, caldav_error.RateLimitError):
        return CaldavThrottled(
            "The CalDAV server asked Interlude to slow down (too many requests).",
            exc.retry_after_seconds,
        )
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


def _join(tokens: list[str | None]) -> str | None:
    """One stored value for the calendars read (a source may read several)."""
    if not tokens or not all(tokens):
        return None
    joined = "\n".join(t for t in tokens if t)
    return joined if len(joined) <= _MAX_TOKENS_LENGTH else None


def _changed_since(collections: list[Any], known: str | None) -> tuple[bool, str | None] | None:
    """Ask each collection what changed since its sync token (RFC 6578 sync-collection
    REPORT: hrefs and ETags only, no calendar data). ``(changed, new tokens)``, or None when
    there is nothing to compare with or the server refuses a token (expired, unsupported):
    the caller then reads in full."""
    tokens = known.split("\n") if known else []
    if len(tokens) != len(collections):
        return None
    changed = False
    new: list[str | None] = []
    for collection, token in zip(collections, tokens, strict=True):
        try:
            delta = collection.objects_by_sync_token(
                sync_token=token, load_objects=False, disable_fallback=True
            )
        except caldav_error.RateLimitError:
            raise  # "slow down" is not a refused token: no full read now
        except caldav_error.DAVError:
            return None  # refused: a full read (and a fresh token) instead
        if delta.truncated:
            return None
        changed = changed or bool(delta.objects) or bool(delta.deleted_urls)
        new.append(str(delta.sync_token) if delta.sync_token else None)
    return changed, _join(new)


def fetch_events(
    *,
    url: str,
    username: str,
    password: str,
    calendar: str | None,
    start: datetime,
    end: datetime,
    known_token: str | None,
    allow_private_network: bool,
) -> CaldavFetch:
    """The objects overlapping [start, end), or None when nothing changed since
    ``known_token`` (the collections' sync tokens, as this function returned them).

    The tokens are taken before the objects are read, so a change made during the read is
    seen (again) at the next sync, never lost. A change re-reads the window whole: the
    appointments are keyed by occurrence, not by the server's object URLs, so a removed URL
    could not be mapped to its appointments (docs/decisions.md)."""
    url = _check_url(url, allow_private_network=allow_private_network)
    calendar_url = urljoin(url, calendar) if calendar else url
    if urlsplit(calendar_url).hostname != urlsplit(url).hostname:
        raise CaldavError("The calendar must be on the same server as the CalDAV account.")
    guard = GuardedResolver(allow_private_network=allow_private_network)
    try:
        with _client(url, username, password, guard) as client:
            urls = [calendar_url] if calendar else _calendars_to_read(client, url)
            collections = [client.calendar(url=u) for u in urls]
            delta = _changed_since(collections, known_token) if known_token else None
            if delta is not None and not delta[0] and delta[1] is not None:
                result = CaldavFetch(texts=None, ctag=delta[1])
            else:
                tag = (
                    delta[1] if delta is not None else _join([_sync_token(c) for c in collections])
                )
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
