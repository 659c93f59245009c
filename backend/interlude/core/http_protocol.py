"""Bounded request headers: uvicorn's httptools protocol with a deadline and a size limit for
each request's headers (the body's are core/request_limits.py's).

uvicorn has neither with httptools (0.55): its keep-alive timer runs only between requests
and is cancelled by the first byte of the next one, so a client that connects and sends
nothing, or sends its headers a byte at a time, holds its connection (a file descriptor and
whatever header bytes it sent) for as long as it likes; and httptools accepts header lines of
any length. Here a request's headers must arrive whole within ``header_timeout`` seconds of
the connection (first request) or of the request's first byte (later ones on a keep-alive
connection) and within ``max_header_bytes``; otherwise the answer is 408 or 431 with
``Connection: close`` and the connection is dropped.

``interlude run`` and ``serve`` pass it to uvicorn as the ``http`` protocol (cli.py).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from interlude.core.errors import error_body

log = logging.getLogger("interlude.http")

MAX_HEADER_BYTES = 64 * 1024


def _answer(status: int, reason: str, code: str, message: str) -> bytes:
    body = json.dumps(error_body(code, message)).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def headers_too_slow_message(seconds: float) -> str:
    return (
        f"The request headers did not arrive within {seconds:g} seconds, so the server stopped "
        "waiting. Check the connection and send the request again."
    )


def headers_too_large_message(limit: int) -> str:
    return (
        f"The request headers are larger than {limit // 1024} KB, the most this server "
        "accepts; send fewer or shorter headers (cookies included)."
    )


class BoundedHeadersProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` whose requests must send their headers in time and in size."""

    def __init__(
        self,
        *args: Any,
        header_timeout: float,
        max_header_bytes: int = MAX_HEADER_BYTES,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.max_header_bytes = max_header_bytes
        self._header_timer: asyncio.TimerHandle | None = None
        self._in_headers = False
        self._header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_headers()  # a connection that sends nothing is timed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_headers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_headers and not self.transport.is_closing():
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                self._refuse(
                    431,
                    "Request Header Fields Too Large",
                    "headers_too_large",
                    headers_too_large_message(self.max_header_bytes),
                )

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_headers()

    def on_headers_complete(self) -> None:
        self._stop_headers()
        super().on_headers_complete()

    def _start_headers(self) -> None:
        self._in_headers = True
        self._header_bytes = 0
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _stop_headers(self) -> None:
        self._in_headers = False
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self._in_headers and not self.transport.is_closing():
            self._refuse(
                408,
                "Request Timeout",
                "request_timeout",
                headers_too_slow_message(self.header_timeout),
            )

    def _refuse(self, status: int, reason: str, code: str, message: str) -> None:
        log.warning("request headers from a client: answered %d", status)
        self._stop_headers()
        self.transport.write(_answer(status, reason, code, message))
        self.transport.close()


def bounded_headers_protocol(
    header_timeout: float, max_header_bytes: int = MAX_HEADER_BYTES
) -> Callable[..., BoundedHeadersProtocol]:
    """What uvicorn's ``http`` option takes (a picklable factory, for ``--workers``)."""
    return functools.partial(
        BoundedHeadersProtocol, header_timeout=header_timeout, max_header_bytes=max_header_bytes
    )
