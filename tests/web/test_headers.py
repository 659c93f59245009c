"""Security headers on every response: strict CSP, nosniff, referrer policy, HSTS on https."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi.testclient import TestClient

from interlude.app import create_app
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from tests.conftest import DEFAULT_NOW


def _directives(csp: str) -> dict[str, str]:
    out = {}
    for part in csp.split(";"):
        name, _, value = part.strip().partition(" ")
        out[name] = value
    return out


def test_app_csp_is_strict(client: TestClient) -> None:
    csp = _directives(client.get("/").headers["content-security-policy"])
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in " ".join(csp.values())
    assert "unsafe-eval" not in " ".join(csp.values())
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["default-src"] == "'self'"
    assert csp["connect-src"] == "'self'"
    assert csp["worker-src"] == "'self'"


def test_common_headers_everywhere(client: TestClient) -> None:
    for path in ("/", "/assets/index-abc123.js", "/healthz", "/api/v1/me", "/nope.js"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert response.headers["x-frame-options"] == "DENY", path
        assert "content-security-policy" in response.headers, path
        # The test base_url is http: no HSTS (it would pin browsers to https on localhost).
        assert "strict-transport-security" not in response.headers, path


def test_api_responses_are_not_stored(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["cache-control"] == "no-store"


def test_docs_allow_only_their_cdn_and_hashed_inline_script(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    csp = _directives(response.headers["content-security-policy"])
    script_src = csp["script-src"]
    assert "https://cdn.jsdelivr.net" in script_src
    assert "'sha256-" in script_src
    assert "'unsafe-inline'" not in script_src
    # The hash is of the very script /docs serves, so the page works under the policy.
    for script in re.findall(r"<script>(.*?)</script>", response.text, flags=re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
    assert csp["frame-ancestors"] == "'none'"


def test_hsts_when_base_url_is_https(db_url: str, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        base_url="https://interlude.example",
        frontend_dist=tmp_path / "none",
        _env_file=None,  # type: ignore[call-arg]
    )
    runtime = Runtime.from_settings(settings, FrozenClock(DEFAULT_NOW))
    try:
        with TestClient(create_app(runtime), base_url="https://testserver") as client:
            response = client.get("/healthz")
    finally:
        runtime.dispose()
    assert response.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"


def test_unbuilt_frontend_says_so(client: TestClient, settings: Settings) -> None:
    (settings.frontend_dist / "index.html").unlink()
    response = client.get("/")
    assert response.status_code == 200
    assert "not built" in response.text
