"""Fetching calendar feeds over HTTP(S), defensively.

- The SSRF guard lives in the connection layer: every TCP connection (the first request and
  every redirect hop) resolves the host itself, refuses non-public addresses unless private
  networks are allowed, and connects to the address it checked (no DNS rebinding window).
- One overall deadline covers every connection, TLS handshake, request, response header
  and body byte of a fetch (redirects included): each socket operation waits at most what
  is left of it, so a server that trickles its headers cannot hold a sync either.
- Bodies are streamed with a size cap; redirects are followed by hand (at most 5) so each
  hop's scheme is checked too.
- Conditional requests (ETag / Last-Modified) and a body hash let an unchanged feed skip parsing.
- 429 and 503 raise ``Throttled`` with the server's Retry-After (the caller backs off).
- Error messages are written for the therapist and never include the feed's body or full URL.
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
import logging
import socket
import ssl
import time
import typing
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import httpcore
import httpx

from interlude.core.netguard import BlockedAddressError, check_host, check_resolved

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
_USER_AGENT = "Interlude calendar sync (+https://github.com/interlude)"


TOO_SLOW = "The calendar server is sending too slowly: the calendar did not arrive in time."


class FetchError(Exception):
    """A feed could not be fetched; ``message`` is safe to show and to store."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Throttled(FetchError):
    """The server asked us to slow down (429, or 503 "come back later"): ``retry_after``
    is how long it asked for, when it said (Retry-After), in seconds."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# A Retry-After further away than this is read as this: a server cannot stop a feed for good.
MAX_RETRY_AFTER_SECONDS = 24 * 3600


def parse_retry_after(value: str | None, *, date: str | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP-date (measured from the
    response's own Date header when it has one, so the two clocks need not agree)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), MAX_RETRY_AFTER_SECONDS))
    try:
        when = email.utils.parsedate_to_datetime(value)
        base = email.utils.parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    if base is None or base.tzinfo is None:
        base = datetime.now(UTC)
    seconds = (when - base).total_seconds()
    return float(min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS))


@dataclass(frozen=True)
class FetchLimits:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_seconds: float = 60.0
    max_bytes: int = MAX_BYTES


# Module-level so an operator (or a test) can tune them in one place.
DEFAULT_LIMITS = FetchLimits()


@dataclass(frozen=True)
class FetchResult:
    not_modified: bool
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


# --- URL checks ---------------------------------------------------------------------------


def normalize_feed_url(
    url: str, *, allow_private_network: bool, allow_http: bool | None = None
) -> str:
    """``webcal://`` means https; ``http://`` only where private networks are allowed."""
    if allow_http is None:
        allow_http = allow_private_network
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        parts = parts._replace(scheme="https")
    elif scheme == "http":
        if not allow_http:
            raise FetchError(
                "Use an https:// (or webcal://) address: plain http:// feeds are not accepted."
            )
    elif scheme != "https":
        raise FetchError("The calendar address must start with https:// or webcal://.")
    if not parts.hostname:
        raise FetchError("The calendar address has no host name.")
    try:
        check_host(parts.hostname, allow_private_network=allow_private_network)
    except BlockedAddressError as exc:
        raise FetchError(exc.message) from exc
    return urlunsplit(parts)


def mask_url(url: str) -> str:
    """``https://example.com/…/abc…``: enough to recognise a feed, not enough to reuse it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    tail = f"/…/{last[:3]}…" if last else "/…"
    return f"{parts.scheme}://{host}{tail}"


class _RedactUrls(logging.Filter):
    """httpx logs every request's full URL at INFO; feed URLs are secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                mask_url(str(a)) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_RedactUrls())


# --- the guarded connection layer ------------------------------------------------------------


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks and connects to the checked address (SNI still uses the host name)."""

    def __init__(self, *, allow_private_network: bool) -> None:
        self.allow_private_network = allow_private_network
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"could not resolve {host}") from exc
        addresses = [str(info[4][0]).split("%", 1)[0] for info in infos]
        check_resolved(host, addresses, allow_private_network=self.allow_private_network)
        last_error: Exception | None = None
        for address in dict.fromkeys(addresses):
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        raise httpcore.ConnectError(f"could not connect to {host}") from last_error

    def connect_unix_socket(  # pragma: no cover - never used for feeds
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise FetchError("Unix sockets are not calendar feeds.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """Every read and write waits at most until the fetch's deadline (httpx's own timeouts
    are per operation: one byte every few seconds would never trip them)."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def _left(self, timeout: float | None) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise FetchError(TOO_SLOW)  # not an httpcore error: httpx passes it through
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        left = self._left(timeout)
        try:
            return self._inner.read(max_bytes, left)
        except httpcore.ReadTimeout:
            self._left(None)  # the deadline, not the server's silence: "too slowly"
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._left(timeout))
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Wraps the guarded backend: connections and their streams end at the deadline."""

    def __init__(self, inner: httpcore.NetworkBackend, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise FetchError(TOO_SLOW)
        timeout = left if timeout is None else min(timeout, left)
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(  # pragma: no cover - never used for feeds
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return self._inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """Loading the CA bundle costs tens of milliseconds: do it once per process."""
    return httpx.create_ssl_context()


def guarded_client(
    *,
    allow_private_network: bool,
    limits: FetchLimits | None = None,
    deadline: float | None = None,
) -> httpx.Client:
    """An httpx client whose every connection goes through the SSRF guard and, given a
    ``deadline`` (``time.monotonic()``), ends by then."""
    limits = limits or DEFAULT_LIMITS
    ssl_context = _ssl_context()
    transport = httpx.HTTPTransport(verify=ssl_context, trust_env=False)
    backend: httpcore.NetworkBackend = GuardedBackend(allow_private_network=allow_private_network)
    if deadline is not None:
        backend = _DeadlineBackend(backend, deadline)
    transport._pool = httpcore.ConnectionPool(  # swap in the guarded backend
        ssl_context=ssl_context,
        max_connections=20,
        max_keepalive_connections=10,
        network_backend=backend,
    )
    timeout = httpx.Timeout(
        limits.read_timeout, connect=limits.connect_timeout, pool=limits.connect_timeout
    )
    return httpx.Client(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": _USER_AGENT, "Accept": "text/calendar, */*;q=0.5"},
    )


# --- fetching ---------------------------------------------------------------------------------


def fetch_feed(
    url: str,
    *,
    allow_private_network: bool,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits | None = None,
    client: httpx.Client | None = None,
    allow_http: bool | None = None,
) -> FetchResult:
    limits = limits or DEFAULT_LIMITS
    deadline = time.monotonic() + limits.total_seconds
    own_client = client is None
    http = client or guarded_client(
        allow_private_network=allow_private_network, limits=limits, deadline=deadline
    )
    try:
        return _fetch(
            url,
            http,
            allow_private_network,
            allow_private_network if allow_http is None else allow_http,
            etag,
            last_modified,
            limits,
            deadline,
        )
    except FetchError:
        raise
    except BlockedAddressError as exc:  # the guard, at a connection (a redirect hop's too)
        raise FetchError(exc.message) from exc
    except httpx.TimeoutException as exc:
        raise FetchError(
            f"The calendar server did not answer in time ({limits.total_seconds:g} s)."
        ) from exc
    except httpx.TooManyRedirects as exc:  # pragma: no cover - redirects are followed by hand
        raise FetchError("The calendar address redirects too many times.") from exc
    except (httpx.HTTPError, httpcore.ConnectError) as exc:
        host = urlsplit(url).hostname or "the server"
        raise FetchError(f"Could not connect to {host[:80]}.") from exc
    finally:
        if own_client:
            http.close()


def _fetch(
    url: str,
    http: httpx.Client,
    allow_private: bool,
    allow_http: bool,
    etag: str | None,
    last_modified: str | None,
    limits: FetchLimits,
    deadline: float,
) -> FetchResult:
    url = normalize_feed_url(url, allow_private_network=allow_private, allow_http=allow_http)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _hop in range(MAX_REDIRECTS + 1):
        with http.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return FetchResult(not_modified=True, etag=etag, last_modified=last_modified)
            location = response.headers.get("location")
            if response.status_code in (301, 302, 303, 307, 308) and location:
                url = normalize_feed_url(
                    str(response.url.join(location)),
                    allow_private_network=allow_private,
                    allow_http=allow_http,
                )
                continue
            _check_status(response)
            body = _read_capped(response, limits, deadline)
            _check_content(response, body)
            return FetchResult(
                not_modified=False,
                body=body,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                body_hash=hashlib.sha256(body).hexdigest(),
            )
    raise FetchError(f"The calendar address redirects more than {MAX_REDIRECTS} times.")


def _check_status(response: httpx.Response) -> None:
    code = response.status_code
    if code in (401, 403):
        raise FetchError(
            f"The calendar server refused access (HTTP {code}): the link may have been "
            "revoked or regenerated; paste the current one."
        )
    if code in (429, 503):
        raise Throttled(
            f"The calendar server asked Interlude to slow down (HTTP {code}).",
            parse_retry_after(
                response.headers.get("retry-after"), date=response.headers.get("date")
            ),
        )
    if code in (404, 410):
        raise FetchError(
            f"The calendar server says this feed does not exist (HTTP {code}): check the link."
        )
    if code >= 500:
        raise FetchError(f"The calendar server had an error (HTTP {code}).")
    if code >= 300 or code < 200:
        raise FetchError(f"The calendar server answered HTTP {code} instead of a calendar.")


def _read_capped(response: httpx.Response, limits: FetchLimits, deadline: float) -> bytes:
    too_big = FetchError(
        f"The calendar is larger than {limits.max_bytes // (1024 * 1024)} MB, "
        "which Interlude does not read."
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limits.max_bytes:
            raise too_big
        if time.monotonic() > deadline:
            raise FetchError(TOO_SLOW)
        chunks.append(chunk)
    return b"".join(chunks)


def _check_content(response: httpx.Response, body: bytes) -> None:
    content_type = response.headers.get("content-type", "").lower()
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if "text/html" in content_type or head.startswith((b"<!doctype", b"<html", b"<")):
        raise FetchError(
            "The address returned a web page, not a calendar: copy the calendar's "
            "subscription (iCal/ICS) link instead."
        )
