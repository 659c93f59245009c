"""The per-address sign-in limit counts the real client: X-Forwarded-For is believed only
from a configured proxy (``INTERLUDE_TRUSTED_PROXIES``, default none).

Before, ``interlude serve`` let uvicorn trust forwarded headers from 127.0.0.1 by default:
anything on the host (or a proxy that passes the header through) could name any client
address per request and never reach the limit. Served here as ``interlude serve`` serves
(``cli.uvicorn_options``), over a real connection from 127.0.0.1.
"""

from __future__ import annotations

import httpx
import pytest

from interlude.cli import uvicorn_options
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from tests.factories import user_payload
from tests.security.live import serve

LIMIT = 20  # login_max_failures_per_address (default)


def _failed_sign_ins(base: str, forwarded: list[str]) -> list[int]:
    statuses = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for n, address in enumerate(forwarded):
            response = client.post(
                "/api/v1/auth/login",
                json={"email": f"nobody{n}@example.org", "password": "wrong password 123"},
                headers={"X-Forwarded-For": address},
            )
            statuses.append(response.status_code)
    return statuses


def _run(settings: Settings, clock: FrozenClock, forwarded: list[str]) -> list[int]:
    runtime = Runtime.from_settings(settings, clock)
    try:
        with serve(runtime, **uvicorn_options(settings)) as (host, port):
            return _failed_sign_ins(f"http://{host}:{port}", forwarded)
    finally:
        runtime.dispose()


def test_by_default_forwarded_addresses_are_ignored(settings: Settings, clock: FrozenClock) -> None:
    assert settings.trusted_proxies == ""
    varied = [f"203.0.113.{n}" for n in range(LIMIT + 1)]
    statuses = _run(settings, clock, varied)
    assert statuses[:LIMIT] == [401] * LIMIT
    assert statuses[LIMIT] == 429  # one client, however it names itself


def test_a_trusted_proxy_names_each_client(settings: Settings, clock: FrozenClock) -> None:
    behind_proxy = settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    # Clients behind the proxy are counted one by one, not all together...
    varied = [f"203.0.113.{n}" for n in range(LIMIT + 5)]
    assert set(_run(behind_proxy, clock, varied)) == {401}
    # ...and one client behind it still reaches its own limit.
    same = ["203.0.113.77"] * (LIMIT + 1)
    assert _run(behind_proxy, clock, same)[LIMIT] == 429


def test_a_proxy_that_is_not_trusted_is_not_believed(
    settings: Settings, clock: FrozenClock
) -> None:
    elsewhere = settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"})
    varied = [f"203.0.113.{n}" for n in range(LIMIT + 1)]
    assert _run(elsewhere, clock, varied)[LIMIT] == 429


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        Settings(trusted_proxies="proxy.example.org", _env_file=None)  # type: ignore[call-arg]
    assert Settings(trusted_proxies=" 10.0.0.1 , ::1 ", _env_file=None).trusted_proxies == (  # type: ignore[call-arg]
        "10.0.0.1,::1"
    )


# --- sign-up: the same address, counted the same way ----------------------------------------

SIGNUPS = 3  # signup_max_per_address_per_hour, lowered for speed


def _sign_ups(settings: Settings, clock: FrozenClock, forwarded: list[str]) -> list[int]:
    limited = settings.model_copy(update={"signup_max_per_address_per_hour": SIGNUPS})
    runtime = Runtime.from_settings(limited, clock)
    try:
        with (
            serve(runtime, **uvicorn_options(limited)) as (host, port),
            httpx.Client(base_url=f"http://{host}:{port}", timeout=30) as client,
        ):
            return [
                client.post(
                    "/api/v1/auth/register",
                    json=user_payload(),
                    headers={"X-Forwarded-For": address},
                ).status_code
                for address in forwarded
            ]
    finally:
        runtime.dispose()


def test_sign_ups_by_default_count_the_connecting_address(
    settings: Settings, clock: FrozenClock
) -> None:
    varied = [f"203.0.113.{n}" for n in range(SIGNUPS + 1)]
    assert _sign_ups(settings, clock, varied) == [201] * SIGNUPS + [429]


def test_sign_ups_behind_a_trusted_proxy_count_each_client(
    settings: Settings, clock: FrozenClock
) -> None:
    behind_proxy = settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    varied = [f"203.0.113.{n}" for n in range(SIGNUPS + 2)]
    assert set(_sign_ups(behind_proxy, clock, varied)) == {201}
    same = ["198.51.100.9"] * (SIGNUPS + 1)
    assert _sign_ups(behind_proxy, clock, same) == [201] * SIGNUPS + [429]
