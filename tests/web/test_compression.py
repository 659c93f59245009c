"""API JSON over ~1 KB is gzipped for clients that ask; the PWA's own .gz files pass untouched."""

from __future__ import annotations

import gzip
import json

from fastapi.testclient import TestClient

from interlude.app import GZIP_MINIMUM_SIZE
from tests.web.conftest import APP_JS


def test_large_api_json_is_gzipped(client: TestClient) -> None:
    response = client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    assert int(response.headers["content-length"]) < len(response.content) / 3
    assert json.loads(response.content)["info"]["title"] == "Interlude"


def test_json_unchanged_for_clients_that_do_not_ask(client: TestClient) -> None:
    response = client.get("/openapi.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content)


def test_small_responses_are_left_alone(client: TestClient) -> None:
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert len(response.content) < GZIP_MINIMUM_SIZE
    assert "content-encoding" not in response.headers


def test_signed_in_api_list_is_gzipped_and_keeps_its_headers(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.get("/api/v1/care-plan", headers={**auth, "Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert len(response.content) > GZIP_MINIMUM_SIZE
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_pwa_is_left_to_its_pre_gzipped_files(client: TestClient) -> None:
    response = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"  # once
    # httpx gunzips once: twice-compressed bytes would not be the script.
    assert response.text == APP_JS
    assert int(response.headers["content-length"]) == len(gzip.compress(APP_JS.encode()))
    # A file without a twin goes as it is, however large.
    dist = client.app.state.runtime.settings.frontend_dist  # type: ignore[attr-defined]
    (dist / "big.txt").write_text("x" * 5000)
    plain = client.get("/big.txt", headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == 200
    assert "content-encoding" not in plain.headers
