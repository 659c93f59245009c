"""Adding, uploading, syncing and freshening a calendar read it (network, parse) before taking a
database session: calendars that stall hold no connection and no request-session place, so the
rest of the API keeps answering (issue 17).

Before: the endpoints took the request session (SessionDep) first and held it, with its
connection, while the feed was fetched; a handful of stalled feeds held as many connections,
and 20 of them every request-session place. Here eleven requests stall on their feeds while
other requests are answered and no connection is checked out.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from interlude.app import create_app
from interlude.calendars import fetch
from interlude.calendars.router import CALENDAR_READS
from interlude.core.runtime import Runtime

from .conftest import add_feed
from .feedserver import FIXTURES, FeedServer, Route

BODY = (FIXTURES / "overrides.ics").read_bytes()
DAY = {"start": "2026-11-23T05:00:00Z", "end": "2026-11-24T05:00:00Z"}
ADDS = 10


@pytest.fixture(autouse=True)
def patient_fetch_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The feeds stall until the test lets them go: no fetch deadline within the test."""
    monkeypatch.setattr(
        fetch, "DEFAULT_LIMITS", fetch.FetchLimits(read_timeout=60.0, total_seconds=60.0)
    )


def test_calendars_that_stall_hold_no_database_session(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    runtime: Runtime,
) -> None:
    gate = threading.Event()
    existing = Route(body=BODY)
    source = add_feed(client, auth, feeds.add("/existing.ics", existing))
    existing.gate = gate  # from now on, syncing it stalls too
    stalled = [Route(body=BODY, gate=gate) for _ in range(ADDS)]
    urls = [feeds.add(f"/stall{i}.ics", route) for i, route in enumerate(stalled)]
    app = create_app(runtime)

    def reading() -> int:
        return sum(r.hits for r in stalled) + existing.hits - 1

    async def run() -> tuple[list[int], list[int], int, float]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", timeout=90
        ) as http:
            readers = [
                asyncio.ensure_future(
                    http.post(
                        "/api/v1/calendars", json={"kind": "ics_url", "url": url}, headers=auth
                    )
                )
                for url in urls
            ]
            readers.append(
                asyncio.ensure_future(
                    http.post(f"/api/v1/calendars/{source['id']}/sync", headers=auth)
                )
            )
            try:
                deadline = time.monotonic() + 20
                while reading() < CALENDAR_READS:  # that many stall at the feed server
                    assert time.monotonic() < deadline, reading()
                    await asyncio.sleep(0.05)
                held = runtime.engine.pool.checkedout()  # type: ignore[attr-defined]
                # Meanwhile the rest of the API answers (each of these needs a session).
                started = time.monotonic()
                others = await asyncio.wait_for(
                    asyncio.gather(
                        *(
                            http.get(path, params=params, headers=auth)
                            for path, params in [
                                ("/api/v1/appointments", DAY),
                                ("/api/v1/calendars", {}),
                                ("/api/v1/me", {}),
                            ]
                            * 10
                        )
                    ),
                    timeout=20,
                )
                answered_in = time.monotonic() - started
            finally:
                gate.set()
            done = await asyncio.gather(*readers)
        return [r.status_code for r in others], [r.status_code for r in done], held, answered_in

    others, done, held, answered_in = asyncio.run(run())
    assert held == 0  # the stalled reads hold no database connection
    assert others == [200] * 30
    assert answered_in < 15
    assert done == [201] * ADDS + [200]  # and once the feeds answer, every read completes
    listed = client.get("/api/v1/calendars", headers=auth).json()
    assert len(listed) == ADDS + 1
