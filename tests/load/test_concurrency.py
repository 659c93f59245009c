"""Many requests at once against one app: every one is answered, none waits for a database
connection that the waiting requests themselves hold.

FastAPI runs sync endpoints and the sync request-session dependency on AnyIO's threads
(40). A request takes a connection in one thread hop (signing in) and gives it back in a
later one (the commit in the dependency's exit, after the endpoint's hop). With more
requests holding a session than the pool has connections, every thread can end up blocked
on the pool while the requests holding the connections wait for a thread, until the pool
timeout turns them into 500s. Sizing the thread limiter to the pool does not prevent it
(the holders are between hops, on no thread); ``SessionDep``'s ``max_concurrency``, below
the pool's size (core/db.py, REQUEST_SESSIONS), does.

Without that limit this fails on both databases (SQLite and PostgreSQL): part of the 100
answers are 500 after the pool timeout. A 3 s pool timeout keeps a regression quick to show.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx

from interlude.app import create_app
from interlude.core.db import make_engine, make_session_factory
from interlude.core.runtime import Runtime

CONCURRENT = 100
DAY = {"start": "2026-11-23T05:00:00Z", "end": "2026-11-24T05:00:00Z"}


async def _burst(app: Any, headers: dict[str, str]) -> list[int]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", timeout=60
    ) as client:
        # The Today view's two lists and /me: sync endpoints behind the sign-in dependency,
        # each a session taken in one thread hop and given back in a later one.
        calls = [
            ("/api/v1/appointments", DAY),
            ("/api/v1/reminders", DAY),
            ("/api/v1/me", {}),
        ]
        responses = await asyncio.gather(
            *(
                client.get(calls[n % 3][0], params=calls[n % 3][1], headers=headers)
                for n in range(CONCURRENT)
            )
        )
    return [r.status_code for r in responses]


def test_a_hundred_concurrent_requests_are_all_answered(
    runtime: Runtime, auth: dict[str, str]
) -> None:
    engine = make_engine(runtime.settings.resolved_database_url, pool_timeout=3)
    quick = dataclasses.replace(
        runtime, engine=engine, session_factory=make_session_factory(engine)
    )
    try:
        statuses = asyncio.run(_burst(create_app(quick), auth))
    finally:
        engine.dispose()
    assert statuses == [200] * CONCURRENT, sorted(set(statuses))
