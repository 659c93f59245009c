"""Many requests at once against one app: every one is answered, none waits for a database
connection that the waiting requests themselves hold.

FastAPI runs sync endpoints and the sync request-session dependency on AnyIO's threads
(40). A request takes a connection in one thread hop and gives it back in a later one (the
commit in the dependency's exit). With more requests inside than the pool has connections
(PostgreSQL 10 + 20), every thread could end up blocked on the pool while the requests
holding the connections wait for a thread, until the pool timeout turned them into 500s:
bench/bench_api.py saw no answer at all for 15 s at 100 clients. core/admission.py now
admits at most as many requests as the pool has connections.

This reproduced the stall in-process before that fix (60 requests, SQLite pool 5 + 10: half
of them 500 after the pool timeout). A 3 s pool timeout keeps a regression quick to show.
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


async def _burst(app: Any, headers: dict[str, str]) -> list[int]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", timeout=60
    ) as client:
        # /me takes the general path (sync session dependency, several thread hops); the
        # reminder list the lean one (accounts/reads.py: one hop).
        paths = ["/api/v1/me", "/api/v1/reminders"]
        responses = await asyncio.gather(
            *(client.get(paths[n % 2], headers=headers) for n in range(CONCURRENT))
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
