"""Bounded request bodies: a size limit checked before anything is buffered, and a time limit
for receiving the body.

- A ``Content-Length`` over the limit is answered 413 before one byte of the body is read.
- A body sent without a length (chunked) is counted as it arrives; the chunk that crosses the
  limit is answered 413 and nothing more is read.
- A body that stops arriving (the client sent the headers and part of the body, then
  nothing) is answered 408 once ``body_timeout`` seconds have passed since the first read.

Either way the answer carries ``Connection: close``, so the server drops the connection and
its half-sent body. What the app downstream reads after that is ``http.disconnect`` (it stops
at once), and whatever it tries to answer is dropped: the client already has its 413/408.

Request *headers* are bounded before the app runs, by the server's protocol
(core/http_protocol.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interlude.core.errors import error_body

log = logging.getLogger("interlude.request_limits")

_DISCONNECT: Message = {"type": "http.disconnect"}


def _megabytes(limit: int) -> str:
    if limit < 1024 * 1024:
        return f"{limit // 1024} KB"
    return f"{limit / (1024 * 1024):.2g} MB"


def too_large_message(limit: int) -> str:
    return (
        f"The request is larger than {_megabytes(limit)}, the most this address accepts; "
        "send less at once."
    )


def too_slow_message(seconds: float) -> str:
    return (
        f"The request body did not arrive within {seconds:g} seconds, so the server stopped "
        "waiting. Check the connection and send it again."
    )


class RequestLimits:
    """``max_body``: the default limit in bytes; ``larger``: exact paths allowed more (the
    calendar upload); ``body_timeout``: seconds to receive the whole body."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        body_timeout: float,
        larger: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_body)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _answer(send, 413, "payload_too_large", too_large_message(limit))
            return
        await _BodyGuard(self, scope, receive, send, limit).run()


class _BodyGuard:
    """One request: counts and times its body, and answers for the app when it must."""

    def __init__(
        self, limits: RequestLimits, scope: Scope, receive: Receive, send: Send, limit: int
    ) -> None:
        self.limits = limits
        self.scope = scope
        self.receive = receive
        self.send = send
        self.limit = limit
        self.received = 0
        self.body_done = False
        self.deadline: float | None = None
        self.answered = False  # we answered 408/413: the app's answer is dropped
        self.started = False  # the app started its own answer

    async def run(self) -> None:
        try:
            await self.limits.app(self.scope, self.guarded_receive, self.guarded_send)
        except Exception:
            if not self.answered:
                raise
            # The app failed on the disconnect we gave it after answering: nothing to add.
            log.debug("after a %s answer the app stopped", self.scope.get("path"))

    async def guarded_receive(self) -> Message:
        if self.answered:
            return _DISCONNECT
        if self.body_done:
            return await self.receive()  # waits for the client to go; no body left to limit
        loop = asyncio.get_running_loop()
        if self.deadline is None:
            self.deadline = loop.time() + self.limits.body_timeout
        try:
            async with asyncio.timeout_at(self.deadline):
                message = await self.receive()
        except TimeoutError:
            await self._refuse(408, "request_timeout", too_slow_message(self.limits.body_timeout))
            return _DISCONNECT
        if message["type"] != "http.request":
            return message
        self.received += len(message.get("body", b""))
        if self.received > self.limit:
            await self._refuse(413, "payload_too_large", too_large_message(self.limit))
            return _DISCONNECT
        self.body_done = not message.get("more_body", False)
        return message

    async def guarded_send(self, message: Message) -> None:
        if self.answered:
            return
        self.started = True
        await self.send(message)

    async def _refuse(self, status: int, code: str, message: str) -> None:
        log.warning("%s %s: answered %d", self.scope.get("method"), self.scope.get("path"), status)
        if not self.started:
            await _answer(self.send, status, code, message)
        self.answered = True


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before the app runs
    return None


async def _answer(send: Send, status: int, code: str, message: str) -> None:
    response = JSONResponse(
        error_body(code, message), status_code=status, headers={"Connection": "close"}
    )
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})
