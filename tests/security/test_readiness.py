"""/readyz says ready only when the database answers with the schema this code was written
for (the alembic_version row equals the scripts' head, and the tables are there). Before,
a database whose tables had been dropped was "ready" while every call answered 500."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from interlude import migrations
from interlude.app import create_app
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from tests.conftest import _pg_execute, _pg_url_for


@pytest.fixture
def runtime(  # these tests break their database: each gets one of its own, migrated
    db_backend: str, settings: Settings, clock: FrozenClock, tmp_path: object
) -> Iterator[Runtime]:
    if db_backend == "postgres":
        name = f"interlude_readyz_{os.getpid()}"
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_execute(f'CREATE DATABASE "{name}"')
        url = _pg_url_for(name)
    else:
        url = f"sqlite:///{settings.data_dir.parent / 'readyz.db'}"
    migrations.upgrade(url)
    runtime = Runtime.from_settings(settings.model_copy(update={"database_url": url}), clock)
    yield runtime
    runtime.dispose()
    if db_backend == "postgres":
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime)) as test_client:
        yield test_client


def _not_ready(client: TestClient) -> str:
    response = client.get("/readyz")
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    return str(error["message"])


def test_ready_at_the_migration_head(client: TestClient, runtime: Runtime) -> None:
    with runtime.engine.connect() as conn:
        stored = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
    assert stored == migrations.script_heads()
    assert client.get("/readyz").json() == {"status": "ok"}


def test_an_older_schema_is_not_ready(client: TestClient, runtime: Runtime) -> None:
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'an_older_one'"))
    assert "run `interlude migrate`" in _not_ready(client)


def test_a_missing_version_row_is_not_ready(client: TestClient, runtime: Runtime) -> None:
    with runtime.engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    assert "does not match" in _not_ready(client)


def test_dropped_tables_are_not_ready(client: TestClient, runtime: Runtime) -> None:
    assert client.get("/readyz").status_code == 200
    cascade = " CASCADE" if runtime.engine.dialect.name == "postgresql" else ""
    with runtime.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE users{cascade}"))
    assert "run `interlude migrate`" in _not_ready(client)


def test_every_table_dropped_is_not_ready(client: TestClient, runtime: Runtime) -> None:
    with runtime.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    _not_ready(client)
