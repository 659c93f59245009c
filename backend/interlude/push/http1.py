"""One keep-alive HTTP/1.1 connection to a push service: one exchange at a time.

A push is the narrowest HTTP there is: a POST with a small body, and an answer whose status
and ``Retry-After`` header decide everything (the body is read only for a failure's reason).
httptools, the C parser under uvicorn, reads the answers; this protocol writes the request
bytes ``transport.py`` prepared and hands back an ``Answer``. A POST this way costs about
50 µs of CPU against 115-130 µs through aiohttp's client (``bench/bench_push.py``, same run),
which was a fifth of a burst's whole cost per message (docs/push.md, "Decisions").
"""

from __future__ import annotations

import asyncio
from typing import NamedTuple

import httptools


class Answer(NamedTuple):
    status: int
    retry_after: str | None
    excerpt: bytes  # the first bytes of the body, for a failure's reason


class ExchangeError(ConnectionError):
    """The connection closed, or the answer could not be read, before a status arrived."""


class Http1Connection(asyncio.Protocol):
    """A connection's state between ``exchange`` calls. Not for concurrent use: the pool in
    ``transport.py`` lends it to one post at a time."""

    def __init__(self, excerpt_limit: int) -> None:
        self._excerpt_limit = excerpt_limit
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[Answer] | None = None
        self._status = 0
        self._retry_after: str | None = None
        self._excerpt = b""
        self.closed = False  # the connection is gone
        self.closing = False  # we closed it, or are closing it
        self.received = False  # any byte of the current exchange's answer has arrived
        self.reusable = False  # the last answer was complete and the server keeps the connection
        self.idle_since = 0.0
        self.exchanges = 0  # numbers the exchanges, so a late timer can tell its own

    # --- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.received = True
        if self._waiter is None:
            self.close()  # bytes nobody asked for: the connection is out of step
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.fail(ExchangeError("the push service switched protocols"))
        except httptools.HttpParserError:
            self.fail(ExchangeError("the push service's answer is not valid HTTP/1.1"))

    def eof_received(self) -> bool:
        return False  # half-closed by the server: close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = self.closing = True
        self.reusable = False
        if self._status >= 200:  # the status arrived; the body ended with the connection
            self._finish(keep_alive=False)
        else:
            self.fail(ExchangeError("the push service closed the connection"))

    # --- httptools callbacks -------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._waiter is None:  # a second answer in the same bytes: out of step
            self.close()

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._waiter is not None and name.lower() == b"retry-after":
            self._retry_after = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        if self._waiter is not None:
            self._status = self._parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        if self._waiter is None:
            return  # already answered (the excerpt was full)
        room = self._excerpt_limit - len(self._excerpt)
        self._excerpt += body[:room]
        if len(body) > room:
            # More than we read: answer now and drop the connection rather than drain it (the
            # size of a push service's answer is not trusted).
            self._finish(keep_alive=False)

    def on_message_complete(self) -> None:
        if self._waiter is None:
            return
        if 100 <= self._status < 200:  # informational: the real answer follows
            self._status, self._retry_after, self._excerpt = 0, None, b""
            return
        self._finish(keep_alive=self._parser.should_keep_alive())

    # --- for the pool --------------------------------------------------------------------

    def exchange(self, request: bytes, body: bytes) -> asyncio.Future[Answer]:
        """Write one request; the future resolves with its answer or fails."""
        if self._transport is None or self.closing:
            raise ExchangeError("the connection is closed")
        self._waiter = asyncio.get_running_loop().create_future()
        self.exchanges += 1
        self._status, self._retry_after, self._excerpt = 0, None, b""
        self.received = self.reusable = False
        self._transport.writelines((request, body))
        return self._waiter

    @property
    def waiting(self) -> bool:
        return self._waiter is not None

    @property
    def usable(self) -> bool:
        """Kept alive by the server after a complete answer, and not closing."""
        return self.reusable and not self.closing

    def fail(self, error: BaseException) -> None:
        """End the exchange with ``error`` (a timeout, a broken answer) and the connection."""
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        self.abort()

    def close(self) -> None:
        self.reusable = False
        self.closing = True
        if self._transport is not None and not self.closed:
            self._transport.close()

    def abort(self) -> None:
        self.reusable = False
        self.closing = True
        if self._transport is not None and not self.closed:
            self._transport.abort()

    def _finish(self, *, keep_alive: bool) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is None:
            return
        if not waiter.done():
            waiter.set_result(Answer(self._status, self._retry_after, self._excerpt))
        if keep_alive and not self.closed:
            self.reusable = True
        else:
            self.close()
