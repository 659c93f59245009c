"""Admit at most as many requests as the database pool has connections.

Sync endpoints and the request's session dependency run on AnyIO's worker threads (40). A
request may hold a pooled connection while it waits for a thread for its next step (the
endpoint, then the commit in the dependency's exit). If more requests are inside than the
pool has connections, every thread can end up blocked on the pool while the requests holding
the connections wait for a thread: nothing moves until the pool timeout. Waiting here, on the
event loop, costs no thread and no connection.

The limit is the pool's steady size (10), not size + overflow: the trade-off is that ten slow
requests at once (logins hashing passwords, a calendar added and fetched) make the rest wait
their turn here, which is what the pool would have made them do anyway.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

# Static assets are answered without the database.
_UNLIMITED_PREFIXES = ("/assets/", "/icons/")


def pool_size(engine: Engine) -> int:
    """The pool's steady connections. Overflow connections are opened and closed per use,
    which under load meant a new PostgreSQL backend per request (measured: 6 % of an API
    process's time in connect, and 15 % more Today-view throughput without it); the
    overflow stays as slack for what runs outside a request."""
    pool = engine.pool
    size: int = getattr(pool, "size", lambda: 10)()
    return max(1, size)


class AdmissionLimit:
    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_UNLIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.limit)
        async with self._semaphore:
            await self.app(scope, receive, send)
