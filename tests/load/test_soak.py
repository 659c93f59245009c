"""The CI variant of the soak (bench/soak.py; `make soak` runs the 30-minute one): two
minutes of therapists' traffic against real `interlude serve` and `interlude worker`
processes on loopback, with a local feed server and the local Web Push service.

PostgreSQL (when INTERLUDE_TEST_POSTGRES_URL is set, as in CI): 2 API processes and 2
workers sharing the outbox. SQLite otherwise: 1 and 1 (one writer).

Asserts: zero 5xx; every reminder that fell due during the run delivered exactly once
(none lost, none duplicated, also across the calendar re-syncs the clients trigger); memory
reported at start and end (printed; the long run is where a leak would show).
"""

from __future__ import annotations

import os

import pytest
from bench.soak import run_soak

SECONDS = 120
THERAPISTS = 60


@pytest.mark.timeout(900)
def test_two_minute_soak() -> None:
    pg_url = os.environ.get("INTERLUDE_TEST_POSTGRES_URL", "").strip() or None
    processes = 2 if pg_url else 1
    report = run_soak(
        seconds=SECONDS,
        therapists=THERAPISTS,
        pg_url=pg_url,
        api_processes=processes,
        workers=processes,
        clients=4,
    )
    print("\nsoak:", report.summary())
    assert report.requests > 200, report.summary()
    assert report.server_errors == 0, report.summary()
    assert report.due >= THERAPISTS // 2, report.summary()  # the dispatcher had work
    assert report.lost == [], report.summary()
    assert report.duplicated == 0, report.summary()
