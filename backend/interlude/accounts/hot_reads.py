"""The Today view's two list reads, answered in front of FastAPI's routing.

``GET /api/v1/appointments`` and ``GET /api/v1/reminders`` are most of what the PWA asks
for. After their reads became one prepared statement on the event loop
(``accounts/reads.py``), FastAPI's own per-request machinery (routing, dependency solving,
the exception wrappers around every endpoint) was a third of their CPU: measured with
``bench/bench_api.py``, 0.42 ms per request through the routes against 0.27-0.28 ms here,
and at 100 connections a p99 of 67 ms against 38-41 ms.

This pure ASGI layer answers only what is plainly valid: a GET on the exact path whose
query holds at most ``start`` and ``end``, once each, that parse with the route's own
parameter type and pass the route's own window checks (``HotRead.window``, which the route
calls too), with a token of a live login session. Everything else goes on to the route,
unchanged: bad input and missing tokens (422, 401), parameters the route knows and this
layer does not (``state=``), anything odd. Once the read has run, its errors (a session that
ended, the database down) are answered by the app's own exception handlers, as the route's
would be. So the routes stay the documented API (OpenAPI), errors are worded in one place,
and tests/accounts/test_hot_reads.py holds the two paths' answers equal for a matrix of
requests.

It sits inside the other middleware (admission, security headers, the NUL check, the 500
catch-all), so its answers carry the same headers and limits as the routes'.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Select
from starlette.datastructures import QueryParams
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from interlude.accounts.auth import request_token
from interlude.accounts.reads import Encoder, read_signed_in

_PARAMETERS = frozenset({"start", "end"})


@dataclass(frozen=True)
class HotRead:
    """A list route this layer may answer.

    ``parameter``: the type ``start`` and ``end`` have in the route (parsed by pydantic as
    FastAPI parses them); ``required``: whether the route requires both; ``window``: the
    route's own function from (start, end, now) to the statement's parameters, raising the
    route's 4xx; ``statement`` and ``encode``: what the route passes to ``signed_in_read``.
    """

    path: str
    parameter: Any
    required: bool
    window: Callable[[Any, Any, datetime], Mapping[str, Any]]
    statement: Select[Any]
    encode: Encoder
    adapter: TypeAdapter[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "adapter", TypeAdapter(self.parameter))


class HotReads:
    def __init__(self, app: ASGIApp, *, reads: Iterable[HotRead]) -> None:
        self.app = app
        self.reads = {read.path: read for read in reads}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read = None
        if scope["type"] == "http" and scope["method"] == "GET":
            read = self.reads.get(scope["path"])
        response = None if read is None else await self._answer(read, scope)
        if response is None:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)

    async def _answer(self, read: HotRead, scope: Scope) -> Response | None:
        """The route's answer, or None for the route to give it."""
        window = _start_end(scope)
        if window is None or (read.required and len(window) < 2):
            return None
        connection = HTTPConnection(scope)
        state = connection.app.state
        now: datetime = state.runtime.clock.now()
        try:
            start, end = (
                read.adapter.validate_python(window[name]) if name in window else None
                for name in ("start", "end")
            )
            params = read.window(start, end, now)
            token, _ = request_token(connection)
        except Exception:
            return None  # bad input, no token: the route words the error (422, 401)
        try:
            _, body = await read_signed_in(
                state, token, read.statement, params, read.encode, now=now
            )
        except Exception as exc:
            # The read ran: answer as the app's handlers do (a session that ended, 401; the
            # database down, 503) rather than run it again in the route. Anything without a
            # handler goes on to the catch-all outside, as it would from the route.
            handler = _handler_for(connection.app.exception_handlers, exc)
            if handler is None:
                raise
            answer = handler(Request(scope), exc)
            return await answer if inspect.isawaitable(answer) else answer
        return Response(body, media_type="application/json")


def _handler_for(handlers: Mapping[Any, Any], exc: Exception) -> Any:
    """The app's handler for ``exc`` by its classes, nearest first, as Starlette's exception
    middleware finds it (the handler for ``Exception`` itself belongs to the outermost
    middleware, so it is not one of these)."""
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            return handlers[cls]
    return None


def _start_end(scope: Scope) -> dict[str, str] | None:
    """``start`` and ``end`` from the query, as Starlette decodes it; None when it holds
    anything else or either twice."""
    found: dict[str, str] = {}
    for name, value in QueryParams(scope["query_string"]).multi_items():
        if name not in _PARAMETERS or name in found:
            return None
        found[name] = value
    return found
