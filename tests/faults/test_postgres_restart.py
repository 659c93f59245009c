"""PostgreSQL stops mid-burst (immediate shutdown: a crash) and comes back.

Runs on a private cluster (tests/faults/private_postgres.py), only when
INTERLUDE_TEST_POSTGRES_URL is set, as in CI; then missing server binaries fail the test.
An `interlude serve` process and a worker process run against it. Expected: while the
database is down the API answers 503 with the standard error body (never 500), and
/readyz says so; when it is back both recover by themselves; every reminder of the burst is
delivered, the ones whose expiry passed during the outage are marked expired and never
sent, nothing arrives after its expiry, and duplicates stay within the batches that were
in flight.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from interlude import migrations
from interlude.core.errors import DATABASE_DOWN_MESSAGE
from interlude.core.runtime import Runtime
from interlude.reminders.models import EXPIRED
from tests.conftest import POSTGRES_URL
from tests.factories import make_user
from tests.reminders.test_worker_processes import _start_worker, _stop
from tests.support.push_service import LocalPushService

from .private_postgres import PrivatePostgres
from .support import (
    BATCHES_IN_FLIGHT,
    ApiProcess,
    login,
    move_short,
    now_utc,
    seed_burst,
    settled,
    states,
    verdict,
    wait_until,
)

pytestmark = pytest.mark.slow
BATCH = 50


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres()
    try:
        yield cluster.init()
    finally:
        cluster.destroy()


@pytest.fixture
def db_url(db_backend: str, private_pg: PrivatePostgres) -> str:
    """Overrides the shared fixture: this module's database is the private cluster's."""
    assert db_backend == "postgres"
    migrations.upgrade(private_pg.url)
    return private_pg.url


@pytest.fixture
def live_push() -> Iterator[LocalPushService]:
    with LocalPushService() as service:
        yield service


def _probe(api: ApiProcess, headers: dict[str, str]) -> list[tuple[int, dict[str, object]]]:
    """One write, one read and the readiness check."""
    answers = []
    with httpx.Client(base_url=api.base, headers=headers, timeout=15) as client:
        for method, path, body in (
            ("POST", "/api/v1/wellbeing/checkins", {"energy": 4}),
            ("GET", "/api/v1/reminders", None),
            ("GET", "/readyz", None),
        ):
            r = client.request(method, path, json=body)
            answers.append((r.status_code, r.json()))
    return answers


@pytest.mark.parametrize("db_backend", ["postgres"] if POSTGRES_URL else [])
def test_postgres_restart_mid_burst(
    db: Session,
    runtime: Runtime,
    db_url: str,
    tmp_path: Path,
    private_pg: PrivatePostgres,
    live_push: LocalPushService,
) -> None:
    user = make_user(db, now=now_utc())
    start = now_utc() + timedelta(seconds=2)
    burst = seed_burst(
        db,
        runtime,
        live_push,
        users=25,
        per_user=16,
        start=start,
        spread=timedelta(seconds=10),
        short_due=start + timedelta(hours=1),  # moved into the outage just before it
        short_count=20,
    )
    db.close()  # hold no connection across the restart
    api = ApiProcess(db_url, tmp_path)
    api.start()
    worker = None
    try:
        headers = login(api.base, user.email)
        assert {status for status, _ in _probe(api, headers)} <= {200, 201}
        worker = _start_worker(db_url, tmp_path, batch=BATCH, lease=3)
        live_push.wait_for(80, timeout=60)
        moved = now_utc()
        move_short(
            runtime, burst, due=moved + timedelta(seconds=2), expires=moved + timedelta(seconds=3)
        )
        private_pg.stop("immediate")
        down = now_utc()
        assert down < moved + timedelta(seconds=2), "the short reminders fell due before the stop"
        delivered_at_stop = len(live_push.received())
        assert delivered_at_stop < burst.total - len(burst.short), "not mid-burst"

        outage: Counter[int] = Counter()
        bodies = []
        while now_utc() < moved + timedelta(seconds=4):
            for status, body in _probe(api, headers):
                outage[status] += 1
                bodies.append(body)
        assert set(outage) == {503}, outage
        assert {"code": "unavailable", "message": DATABASE_DOWN_MESSAGE, "details": None} in [
            b.get("error") for b in bodies
        ]

        restart = private_pg.start()
        up = time.monotonic()
        outage_seconds = (now_utc() - down).total_seconds()
        delivered_at_start = len(live_push.received())
        api_back = wait_until(
            lambda: {s for s, _ in _probe(api, headers)} <= {200, 201}, timeout=30, step=0.2
        )
        worker_back = wait_until(
            lambda: len(live_push.received()) > delivered_at_start, timeout=60, step=0.1
        )
        worker_back += api_back
        wait_until(lambda: settled(runtime, burst), timeout=90, step=0.25)
        settled_after = time.monotonic() - up
        after = Counter(s for s, _ in _probe(api, headers))
    finally:
        if worker is not None:
            _stop(worker)
        api.stop()
    print(
        f"\nPostgreSQL down {outage_seconds:.1f} s (start with crash recovery {restart:.1f} s);"
        f" after it was up: API 2xx in {api_back:.1f} s, worker delivering in {worker_back:.1f} s,"
        f" burst settled in {settled_after:.1f} s; answers while down: {dict(outage)}"
    )

    assert set(after) <= {200, 201}, after
    result = verdict(runtime, burst, live_push)
    assert result.lost == [], result.lost[:5]
    assert result.late == [], "sent after its expiry"
    final = states(runtime)
    assert {final[rid] for rid in burst.short} == {EXPIRED}
    arrived = {m.payload["id"] for m in live_push.received()}
    assert not {str(rid) for rid in burst.short} & arrived
    # Re-sent at most: the batches the worker had in flight at the crash (posted, outcome not
    # yet written); nothing beyond them.
    assert result.duplicates <= BATCHES_IN_FLIGHT * BATCH, result.duplicates
