"""Single-statement reads on PostgreSQL, on the event loop: the Today view's hot path.

The general read runs SQLAlchemy on a worker thread: the hop to the thread and back, the
pool checkout and the statement's execution machinery cost ~210 µs of CPU per read. Here a
read is a psycopg ``AsyncConnection`` on the event loop running a server-side prepared
statement: ~56 µs (docs/benchmarks.md, "API"). Only statements that are already SQLAlchemy
Core go through it; they are compiled once for psycopg, so the SQL, the bind values and the
column types (UTC datetimes, UUIDs, JSON) are SQLAlchemy's own.

The pool keeps the semantics of the engine's pool rather than psycopg_pool's: a missing
connection is opened on demand and a database that is down fails the request at once (503)
instead of making it wait while a background task retries. A pooled connection found dead
(PostgreSQL restarted while it sat idle) is dropped and the read retried once on a fresh
one; reads are idempotent. At most ``size`` connections stay idle; the admission limit
(core/admission.py) already bounds how many requests use it at once.

Errors come out as SQLAlchemy's DBAPI error classes, so the app's handlers answer them
exactly as on the thread path (e.g. 503 with Retry-After when PostgreSQL is unreachable).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import psycopg
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

T = TypeVar("T")
Processor = Callable[[Any], Any]


class PerCallStatement(ValueError):
    """The statement's SQL depends on its values (expanding IN lists): not precompiled."""


class CompiledRead:
    """A Core statement compiled once for psycopg, with its bind and result processors."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise PerCallStatement("expanding (IN-list) parameters are rendered per call")
        self.sql = compiled.string
        self._compiled = compiled
        self._binds: dict[str, Processor] = {}
        for bind, name in compiled.bind_names.items():  # the names construct_params uses
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self._binds[compiled.escaped_bind_names.get(name, name)] = process
        self._results: list[tuple[int, Processor]] = []
        for index, column in enumerate(getattr(statement, "selected_columns", ())):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                self._results.append((index, process))

    def params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        params = dict(self._compiled.construct_params(dict(values)) or {})
        for name, process in self._binds.items():
            params[name] = process(params[name])
        return params

    def rows(self, raw: Sequence[tuple[Any, ...]]) -> list[Sequence[Any]]:
        if not self._results:
            return list(raw)
        rows: list[Sequence[Any]] = []
        for row in raw:
            values = list(row)
            for index, process in self._results:
                values[index] = process(values[index])
            rows.append(values)
        return rows


class AsyncReadPool:
    """psycopg async connections in autocommit mode, opened on demand, for one event loop."""

    def __init__(self, url: URL, dialect: Dialect, *, size: int) -> None:
        # Connect exactly as the engine does: the same parameters (options, encoded
        # passwords) and the same psycopg adapters.
        self._connect_args, self._connect_kwargs = dialect.create_connect_args(url)
        self._dialect = dialect
        self._closed = False
        self._size = size
        self._idle: list[psycopg.AsyncConnection[tuple[Any, ...]]] = []
        self._compiled: dict[int, tuple[ClauseElement, CompiledRead | None]] = {}

    def can_run(self, statement: ClauseElement) -> bool:
        """False for statements rendered per call (expanding IN lists): the thread path."""
        return self._compile(statement) is not None

    def _compile(self, statement: ClauseElement) -> CompiledRead | None:
        # Keyed by identity: the statements are module-level constants, kept alive here.
        entry = self._compiled.get(id(statement))
        if entry is None or entry[0] is not statement:
            try:
                read: CompiledRead | None = CompiledRead(statement, self._dialect)
            except PerCallStatement:
                read = None
            entry = (statement, read)
            self._compiled[id(statement)] = entry
        return entry[1]

    def compiled(self, statement: ClauseElement) -> CompiledRead:
        read = self._compile(statement)
        if read is None:
            raise PerCallStatement("this statement is rendered per call: use the thread path")
        return read

    async def run(self, work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]]) -> T:
        """``work`` on a pooled connection; once more on a fresh one if the pooled one was
        dead. psycopg errors come out as SQLAlchemy's (``DBAPIError.instance``)."""
        try:
            while self._idle:
                conn = self._idle.pop()
                if conn.closed or conn.broken:
                    continue
                try:
                    return await self._use(conn, work)
                except psycopg.OperationalError:
                    if not conn.broken:
                        raise
                    # Died while idle (a restart): the read is idempotent, try a new one.
            conn = await psycopg.AsyncConnection.connect(
                *self._connect_args, **self._connect_kwargs, autocommit=True
            )
            return await self._use(conn, work)
        except psycopg.Error as exc:
            raise DBAPIError.instance(
                None, None, exc, psycopg.Error, dialect=self._dialect
            ) from exc

    async def _use(
        self,
        conn: psycopg.AsyncConnection[Any],
        work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]],
    ) -> T:
        try:
            return await work(conn)
        finally:
            await self._release(conn)

    async def _release(self, conn: psycopg.AsyncConnection[Any]) -> None:
        idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        if self._closed or conn.closed or conn.broken or not idle or len(self._idle) >= self._size:
            await conn.close()
        else:
            self._idle.append(conn)

    async def fetch(
        self,
        conn: psycopg.AsyncConnection[Any],
        statement: ClauseElement,
        values: Mapping[str, Any],
    ) -> list[Sequence[Any]]:
        read = self.compiled(statement)
        cursor = await conn.execute(read.sql, read.params(values), prepare=True)
        return read.rows(await cursor.fetchall())

    async def execute(
        self,
        conn: psycopg.AsyncConnection[Any],
        statement: ClauseElement,
        values: Mapping[str, Any],
    ) -> None:
        read = self.compiled(statement)
        await conn.execute(read.sql, read.params(values), prepare=True)

    async def close(self) -> None:
        """Close the idle connections; those still in use are closed when they come back."""
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()
