"""Requests holding a session, the pool and AnyIO's threads are sized to each other.

tests/load/test_concurrency.py shows what happens when they are not (every thread waits for
a connection only a thread can give back); these hold the sizes that prevent it.
"""

from __future__ import annotations

from typing import Any, get_args

import anyio
import anyio.to_thread
import pytest
from fastapi.params import Depends

from interlude.core.db import REQUEST_SESSIONS, make_engine
from interlude.core.deps import SessionDep

URLS = ["sqlite:///never-opened.db", "postgresql://nobody@127.0.0.1:1/none"]  # never connected


def _session_limit() -> Any:
    (depends,) = [m for m in get_args(SessionDep)[1:] if isinstance(m, Depends)]
    return depends.max_concurrency


@pytest.mark.parametrize("url", URLS)
def test_the_pool_has_more_connections_than_requests_hold_sessions(url: str) -> None:
    engine = make_engine(url)
    try:
        pool: Any = engine.pool
        assert _session_limit() == REQUEST_SESSIONS
        # Every session on a steady connection (none opened per request), and slack beside.
        assert pool.size() == REQUEST_SESSIONS
        assert pool.size() + pool._max_overflow > REQUEST_SESSIONS
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", URLS)
def test_a_pool_too_small_for_the_sessions_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="more than"):
        make_engine(url, pool_size=REQUEST_SESSIONS - 5, max_overflow=5)


def test_every_request_holding_a_session_can_be_on_a_thread_at_once() -> None:
    async def tokens() -> float:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    assert anyio.run(tokens) >= REQUEST_SESSIONS
