"""The pool pings a connection only after it sat idle, and replaces one that died meanwhile.

``pool_pre_ping`` cost a round trip before every request; core/db.py pings only connections
that went back to the pool more than PING_AFTER_IDLE_SECONDS ago (PostgreSQL only: SQLite
connections do not go away under the process).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from interlude.core import db as core_db
from interlude.core.runtime import Runtime
from tests.conftest import POSTGRES_URL


@pytest.mark.parametrize("db_backend", ["postgres"] if POSTGRES_URL else [])
def test_busy_connections_are_not_pinged_idle_ones_are_and_dead_ones_replaced(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = runtime.engine
    with engine.connect() as conn:
        first_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    pings: list[object] = []
    original = engine.dialect.do_ping

    def counting_ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return original(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting_ping)

    # Used a moment ago: handed out without a ping.
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == first_pid
    assert pings == []

    # The server ends the connection while it sits in the pool, and it stays idle long enough.
    other = create_engine(engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with other.connect() as killer:
        killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
    other.dispose()
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert pings, "an idle connection must be pinged before use"
    assert pid != first_pid
