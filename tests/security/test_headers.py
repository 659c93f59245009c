"""Security headers on every kind of response, beyond tests/web/test_headers.py (which
checks the app CSP, the common headers on a few paths, /docs and HSTS on /healthz):
API JSON, API errors, the PWA shell and an unexpected 500, over http and https; and the
500 handler's log line carries no exception message (it may quote user data)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interlude.app import create_app
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from tests.conftest import DEFAULT_NOW, TEST_SECRET
from tests.factories import DEFAULT_PASSWORD, make_user

SENTINEL = "ZZQUILLFEATHER-in-an-exception"
PATHS = ("/", "/today", "/healthz", "/api/v1/me", "/api/v1/nope", "/openapi.json")


def _app_with_a_crash(runtime: Runtime) -> FastAPI:
    app = create_app(runtime)

    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError(f"client {SENTINEL} broke it")

    # The catch-all PWA route was registered first; put the crash route in front of it.
    app.router.routes.insert(0, app.router.routes.pop())
    return app


@pytest.fixture
def https_runtime(db_url: str, tmp_path: Path) -> Iterator[Runtime]:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>Interlude</title>")
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        secret_key=TEST_SECRET,
        base_url="https://interlude.example",
        frontend_dist=dist,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        _env_file=None,
    )
    runtime = Runtime.from_settings(settings, FrozenClock(DEFAULT_NOW))
    yield runtime
    runtime.dispose()


def _check_common(response: object, path: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, path
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[-1].split(";")[0], path
    assert headers.get("x-content-type-options") == "nosniff", path
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", path


def test_headers_on_every_kind_of_response_over_http(runtime: Runtime) -> None:
    with TestClient(_app_with_a_crash(runtime), raise_server_exceptions=False) as client:
        for path in PATHS:
            response = client.get(path)
            _check_common(response, path)
            assert "strict-transport-security" not in response.headers, path


def test_hsts_and_secure_cookies_everywhere_over_https(https_runtime: Runtime) -> None:
    app = _app_with_a_crash(https_runtime)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        for path in PATHS:
            response = client.get(path)
            _check_common(response, path)
            assert response.headers.get("strict-transport-security", "").startswith(
                "max-age=63072000"
            ), path
        with https_runtime.session() as session:
            user = make_user(session, now=DEFAULT_NOW)
            email = user.email
        login = client.post(
            "/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}
        )
        assert login.status_code == 200, login.text
        cookies = login.headers.get_list("set-cookie")
        assert len(cookies) == 2
        assert all("Secure" in cookie and "SameSite=lax" in cookie for cookie in cookies)
        logout = client.post(
            "/api/v1/auth/logout", headers={"X-CSRF-Token": login.json()["csrf_token"]}
        )
        assert all("Secure" in cookie for cookie in logout.headers.get_list("set-cookie"))


def test_api_json_is_never_cached_or_sniffed(client: TestClient, auth: dict[str, str]) -> None:
    for path in ("/api/v1/me", "/api/v1/me/export", "/api/v1/care-plan"):
        response = client.get(path, headers=auth)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store", path
        assert response.headers["content-type"].startswith("application/json"), path


def test_headers_on_an_unexpected_500(https_runtime: Runtime) -> None:
    app = _app_with_a_crash(https_runtime)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    _check_common(response, "/boom")
    assert "strict-transport-security" in response.headers


def test_unexpected_errors_log_no_exception_message(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with TestClient(_app_with_a_crash(runtime), raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert SENTINEL not in response.text
    formatter = logging.Formatter()
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "RuntimeError" in logged
    assert SENTINEL not in logged
