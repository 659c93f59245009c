"""The worker side: due sources are claimed with leases, so several workers never sync one
source at once; a crashed worker's lease expires; failures back off."""

from __future__ import annotations

import itertools
import threading
import uuid
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from fastapi.testclient import TestClient

from interlude.calendars import jobs, sync
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime

from .conftest import add_feed
from .feedserver import FIXTURES, FeedServer, Route

BODY = (FIXTURES / "overrides.ics").read_bytes()


def _sources(client: TestClient, auth: dict[str, str], feeds: FeedServer, n: int) -> list[Route]:
    routes = []
    for i in range(n):
        route = Route(body=BODY)
        add_feed(client, auth, feeds.add(f"/feed{i}.ics", route))
        routes.append(route)
    return routes


def test_two_workers_never_sync_the_same_source(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    runtime: Runtime,
    clock: FrozenClock,
) -> None:
    routes = _sources(client, auth, feeds, 6)
    assert all(r.hits == 1 for r in routes)
    now = clock.advance(minutes=20)
    results: dict[str, int] = {}
    barrier = threading.Barrier(2)

    def worker(owner: str) -> None:
        barrier.wait()
        results[owner] = sync.run_due_syncs(runtime, now=now, owner=owner, limit=10)

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["a"] + results["b"] == 6
    assert [r.hits for r in routes] == [2] * 6  # each fetched exactly once more
    # Nothing is due again until the interval has passed.
    assert sync.run_due_syncs(runtime, now=now, owner="c") == 0
    listed = client.get("/api/v1/calendars", headers=auth).json()
    assert {s["status"] for s in listed} == {"ok"}


def test_a_source_synced_after_another_worker_listed_it_is_not_synced_twice(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    runtime: Runtime,
    clock: FrozenClock,
) -> None:
    """SQLite lists due sources, then claims them one by one: a source another worker synced
    in between (lease released, due again later) must not be claimed on the stale list."""
    (route,) = _sources(client, auth, feeds, 1)
    source_id = uuid.UUID(client.get("/api/v1/calendars", headers=auth).json()[0]["id"])
    now = clock.advance(minutes=20)
    assert sync.run_due_syncs(runtime, now=now, owner="a") == 1
    assert not sync.claim(runtime, source_id, owner="b", now=now, due=True)
    assert route.hits == 2
    assert sync.claim(runtime, source_id, owner="api", now=now)  # "sync now" still may


def test_a_crashed_workers_lease_expires(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    runtime: Runtime,
    clock: FrozenClock,
) -> None:
    (route,) = _sources(client, auth, feeds, 1)
    source_id = uuid.UUID(client.get("/api/v1/calendars", headers=auth).json()[0]["id"])
    now = clock.advance(minutes=20)
    assert sync.claim_due(runtime, owner="crashed", now=now, limit=10) == [source_id]
    # While the lease holds, nobody else (worker or "sync now") takes the source.
    assert sync.claim_due(runtime, owner="other", now=now + timedelta(minutes=1), limit=10) == []
    response = client.post(f"/api/v1/calendars/{source_id}/sync", headers=auth)
    assert response.status_code == 409
    assert "already syncing" in response.json()["error"]["message"]
    # After the lease runs out, another worker picks it up.
    later = now + sync.LEASE + timedelta(seconds=1)
    assert sync.run_due_syncs(runtime, now=later, owner="other") == 1
    assert route.hits == 2
    # The crashed worker's late result is discarded: it no longer holds the lease.
    assert sync.sync_claimed(runtime, source_id, owner="crashed", now=later) is None


def test_failures_back_off_in_the_worker(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    runtime: Runtime,
    clock: FrozenClock,
) -> None:
    _sources(client, auth, feeds, 1)
    failing = Route(status=500)
    feeds.add("/feed0.ics", failing)
    start = clock.now()
    synced_at = []
    for minute in range(0, 24 * 60):  # a day of one-minute worker ticks
        now = start + timedelta(minutes=minute)
        if sync.run_due_syncs(runtime, now=now, owner="w"):
            synced_at.append(minute)
    # A new feed is checked again within 2 minutes (it just changed: added), then failures
    # back off exponentially from the 4-minute interval, each wait jittered between half
    # and the whole step (plus up to a tick): 4, 8, 16, 32, 64, 128, 256, 512 minutes.
    assert synced_at[0] in (1, 2)
    gaps = [b - a for a, b in itertools.pairwise(synced_at)]
    steps = [4 * 2**n for n in range(len(gaps))]
    assert len(gaps) >= 8
    for gap, step in zip(gaps, steps, strict=True):
        assert step / 2 <= gap <= step + 1, (gaps, steps)
    assert len(set(g / s for g, s in zip(gaps, steps, strict=True))) > 1  # jittered
    source = client.get("/api/v1/calendars", headers=auth).json()[0]
    assert source["status"] == "error" and source["consecutive_failures"] == len(synced_at)


def test_register_adds_an_interval_job_and_tick_syncs_what_is_due(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    runtime: Runtime,
    clock: FrozenClock,
) -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    jobs.register(scheduler, runtime)
    (job,) = scheduler.get_jobs()
    assert job.id == "calendars.sync"
    assert job.trigger.interval == timedelta(seconds=30)
    assert job.trigger.jitter == 5

    routes = _sources(client, auth, feeds, 3)
    assert jobs.tick(runtime, "tick-owner") == 0  # nothing due yet
    clock.advance(minutes=20)
    assert jobs.tick(runtime, "tick-owner") == 3
    assert [r.hits for r in routes] == [2, 2, 2]
