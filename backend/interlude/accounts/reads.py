"""The lean read path of the hot list endpoints (the Today view's two calls).

The general path (``SessionDep`` + ``CurrentUser`` + a sync endpoint) costs four
worker-thread hops (the session dependency's enter and exit, the sign-in dependency, the
endpoint), four database round trips (BEGIN, the login session with its user, the query,
COMMIT), an ORM object and a pydantic validation per row; the two lists behind the Today
view took ~4.4 ms of CPU per request that way. Here a signed-in list read is:

- on PostgreSQL, no hop at all: the statement runs on the event loop through
  ``core.async_reads`` (psycopg's async connections, a prepared statement); elsewhere, one
  hop to a worker thread. Either way one connection in autocommit mode (no BEGIN or
  COMMIT: a single SELECT is its own consistent snapshot) runs **one** statement: the
  login session (by its keyed token hash, not revoked, not expired, user present) LEFT
  JOINed to the rows asked for. No row back means "not signed in"; one row of NULLs after
  the session's columns means an empty list. Revocation stays immediate: every request
  reads the session row.
- rows go straight to JSON through pydantic-core's serializer over plain dicts
  (``TypeAdapter(list[SomeTypedDict]).dump_json``): the same bytes FastAPI writes from the
  response model, without building and validating a model per row. The endpoints keep
  ``response_model=`` so OpenAPI (and the schema fuzz tests) still describe the answer.

Only safe methods use it: cookie sign-ins need no CSRF check for a GET. One difference from
``CurrentUser``: a call without any token is refused (401) before its parameters are checked,
as before, but one with a token that is no longer valid *and* bad parameters is told about
the parameters (422) first, since the session is only read together with the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Request, Response
from pydantic import TypeAdapter
from sqlalchemy import CTE, Select, bindparam, select, update

from interlude.accounts.auth import SESSION_ENDED, TOUCH_INTERVAL, request_token
from interlude.accounts.models import AuthSession, User
from interlude.core.async_reads import AsyncReadPool
from interlude.core.errors import Unauthorized
from interlude.core.runtime import Runtime

# The statement a read builds: the login-session CTE's ``id`` and ``last_used_at`` first,
# then the row's columns, LEFT OUTER JOINed on ``signed_in.c.user_id``.
StatementFor = Callable[[CTE], Select[Any]]
Encoder = Callable[[Sequence[Sequence[Any]]], bytes]
AUTH_COLUMNS = 2


def signed_in() -> CTE:
    """The live login session for ``:token_hash`` at ``:now`` (zero or one row)."""
    return (
        select(AuthSession.id, AuthSession.user_id, AuthSession.last_used_at)
        .join(User, User.id == AuthSession.user_id)
        .where(
            AuthSession.token_hash == bindparam("token_hash"),
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > bindparam("now"),
        )
        .cte("signed_in")
    )


def signed_in_statement(build: StatementFor) -> Select[Any]:
    """Built once per endpoint at import: the compiled form is cached by SQLAlchemy."""
    auth = signed_in()
    statement = build(auth)
    names = [c.name for c in statement.selected_columns][:AUTH_COLUMNS]
    if names != ["id", "last_used_at"]:  # pragma: no cover - a programming error
        raise ValueError("a signed-in read must select the session's id and last_used_at first")
    return statement


def row_encoder(shape: type[Any]) -> Encoder:
    """JSON for rows of (session columns, then ``shape``'s fields in order): pydantic-core
    serializes the plain dicts against the TypedDict ``shape``, no validation."""
    fields = tuple(shape.__annotations__)
    adapter = TypeAdapter(list[shape])  # type: ignore[valid-type]

    def encode(rows: Sequence[Sequence[Any]]) -> bytes:
        items = [dict(zip(fields, row[AUTH_COLUMNS:], strict=True)) for row in rows]
        return adapter.dump_json(items)

    return encode


_TOUCH = (
    update(AuthSession)
    .where(AuthSession.id == bindparam("auth_id"))
    .values(last_used_at=bindparam("touched_at"))
)


def _session_of(rows: Sequence[Sequence[Any]], now: datetime) -> tuple[Any, bool]:
    """The login session's id, and whether its ``last_used_at`` is due for a touch."""
    if not rows:
        raise Unauthorized(SESSION_ENDED)
    auth_id, last_used_at = rows[0][0], rows[0][1]
    return auth_id, now - last_used_at > TOUCH_INTERVAL


def _body(rows: Sequence[Sequence[Any]], encode: Encoder) -> bytes:
    if rows[0][AUTH_COLUMNS] is None:  # the LEFT JOIN found nothing: an empty list
        return encode([])
    return encode(rows)


def _read_in_thread(
    runtime: Runtime,
    now: datetime,
    statement: Select[Any],
    values: Mapping[str, Any],
    encode: Encoder,
) -> tuple[Any, bytes]:
    with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        rows = conn.execute(statement, values).all()
        auth_id, touch = _session_of(rows, now)
        if touch:
            conn.execute(_TOUCH, {"auth_id": auth_id, "touched_at": now})
    return auth_id, _body(rows, encode)


async def _read_on_loop(
    pool: AsyncReadPool,
    now: datetime,
    statement: Select[Any],
    values: Mapping[str, Any],
    encode: Encoder,
) -> tuple[Any, bytes]:
    async def read(conn: Any) -> tuple[Any, bytes]:
        rows = await pool.fetch(conn, statement, values)
        auth_id, touch = _session_of(rows, now)
        if touch:
            await pool.execute(conn, _TOUCH, {"auth_id": auth_id, "touched_at": now})
        return auth_id, _body(rows, encode)

    return await pool.run(read)


def request_runtime(request: Request) -> Runtime:
    """The app's runtime, as ``core.deps.get_runtime`` gives it; read directly, because every
    dependency FastAPI resolves costs the hot path measurably."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def bearer_or_cookie(request: Request) -> str:
    """The session token, or 401 before the query parameters are looked at (as with
    ``CurrentUser``: an anonymous call is refused, not told what its parameters lack).
    Whether the session is live is read with the rows, in ``signed_in_read``."""
    token, _ = request_token(request)
    return token


SessionToken = Annotated[str, Depends(bearer_or_cookie)]


async def read_signed_in(
    app_state: Any,
    token: str,
    statement: Select[Any],
    params: Mapping[str, Any],
    encode: Encoder,
    *,
    now: datetime,
) -> tuple[Any, bytes]:
    """The login session's id and the rows of ``statement`` as JSON; ``Unauthorized`` when
    the session is not live. ``app_state`` is the app's ``state`` (its runtime and, on
    PostgreSQL, its event-loop read pool)."""
    runtime: Runtime = app_state.runtime
    values = {**params, "token_hash": runtime.keyring.hash_token(token), "now": now}
    pool: AsyncReadPool | None = app_state.async_reads
    if pool is not None and pool.can_run(statement):
        return await _read_on_loop(pool, now, statement, values, encode)
    return await anyio.to_thread.run_sync(_read_in_thread, runtime, now, statement, values, encode)


async def signed_in_read(
    request: Request,
    token: str,
    statement: Select[Any],
    params: Mapping[str, Any],
    encode: Encoder,
    *,
    now: datetime,
) -> Response:
    """Authenticate the request and answer the rows of ``statement`` as JSON, in one hop."""
    auth_id, body = await read_signed_in(
        request.app.state, token, statement, params, encode, now=now
    )
    request.state.auth_session_id = auth_id
    return Response(body, media_type="application/json")
