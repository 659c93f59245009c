"""Engine, session and ORM base shared by every domain."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    DateTime,
    MetaData,
    TypeDecorator,
    Uuid,
    any_,
    bindparam,
    create_engine,
    event,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back aware UTC datetimes, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite has no zone type: store naive UTC so string comparison orders correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid.uuid4)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# A pooled connection unused for this long is pinged before it is handed out; one in steady
# use is not (see _ping_if_idle).
PING_AFTER_IDLE_SECONDS = 1.0


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(engine: Engine) -> Any:
    """Pessimistic disconnect handling that costs nothing under load.

    ``pool_pre_ping`` sends ``SELECT 1`` on every checkout: a network round trip (and, for a
    request on a worker thread, one more wait for the GIL) before every request's first
    query. A connection that went back to the pool less than a second ago was fine then, so
    only older ones are pinged; a dead one is replaced before use (``DisconnectionError``
    makes the pool retry with a fresh connection). If the server restarts while connections
    are in steady use, the statements already on their way fail once, and SQLAlchemy then
    invalidates the whole pool, as it would have with ``pool_pre_ping``.
    """

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
            return  # brand new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("pooled connection failed its ping") from exc

    return checkout


# Requests that hold a database session at once (``SessionDep``'s ``max_concurrency`` in
# core/deps.py), and the pool sized to them. A request takes its connection in one
# worker-thread hop and gives it back in a later one, so with more sessions than connections
# every thread could wait for a connection that only a thread can return (the stall
# tests/load/test_concurrency.py reproduces). With fewer sessions than connections a
# connection is always free or about to be: the pool's steady size serves every session (no
# connection opened per request), and the overflow is slack for what holds one outside a
# session (/readyz, a second short session inside a request, the embedded worker).
# docs/scaling.md, "Threads, sessions and connections".
REQUEST_SESSIONS = 20
POOL_SIZE = REQUEST_SESSIONS
POOL_OVERFLOW = 10


def _private_sqlite_file(path: str | None) -> Any:
    """Create the database file readable by its owner only (0600) before SQLite does (with
    0644 under the usual umask). SQLite gives its -wal and -shm files the database file's
    mode, so they are private too. An existing file keeps its mode."""

    def do_connect(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        if not path or path == ":memory:" or path.startswith("file:"):
            return
        with contextlib.suppress(FileExistsError, FileNotFoundError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))

    return do_connect


def make_engine(url: str, **kwargs: Any) -> Engine:
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    if kwargs["pool_size"] + kwargs["max_overflow"] <= REQUEST_SESSIONS:
        raise ValueError(
            f"the pool needs more than {REQUEST_SESSIONS} connections (core/deps.py's "
            "request-session limit), or requests can wait on each other for ever"
        )
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **kwargs
        )
        event.listen(engine, "do_connect", _private_sqlite_file(engine.url.database))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "checkout", _ping_if_idle(engine))
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Unit of work: commit when the block succeeds, roll back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def one_of(
    session: Session, column: ColumnElement[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``column = ANY(array)``: one parameter instead of
    one per value, which for a batch of 500 ids is ~10 µs less of Python per id."""
    if is_postgres(session):
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


RowT = TypeVar("RowT", bound=Base)


def get_or_create(session: Session, model: type[RowT], key: Any, values: dict[str, Any]) -> RowT:
    """The row with primary key ``key``, inserted from ``values`` if missing.

    Safe when two requests create it at once (INSERT ... ON CONFLICT DO NOTHING, then read),
    where a plain check-then-insert would fail one of them with a unique violation.
    """
    row = session.get(model, key)
    if row is not None:
        return row
    insert = postgresql_insert if is_postgres(session) else sqlite_insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())
    row = session.get(model, key, populate_existing=True)
    if row is None:  # pragma: no cover - the insert or the concurrent one must have landed
        raise RuntimeError(f"{model.__name__} row missing after insert")
    return row
