"""The PWA is served at / with caching that keeps phones up to date and assets cached."""

from __future__ import annotations

import gzip

from fastapi.testclient import TestClient

from tests.web.conftest import APP_JS, INDEX


def test_root_serves_index_revalidated(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


def test_app_routes_fall_back_to_the_shell(client: TestClient) -> None:
    for path in ("/break/0b6a4a38-1b47-4a8e-9b0e-3f4c2f7f0a11", "/care-plan", "/welcome"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert response.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_immutable(client: TestClient) -> None:
    response = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.text == APP_JS
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in response.headers


def test_gzip_twin_served_to_clients_that_accept_it(client: TestClient) -> None:
    response = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    # httpx decodes transparently: the body is the original script.
    assert response.text == APP_JS
    assert int(response.headers["content-length"]) == len(gzip.compress(APP_JS.encode()))


def test_service_worker_and_manifest_are_revalidated(client: TestClient) -> None:
    sw = client.get("/sw.js")
    assert sw.status_code == 200
    assert sw.headers["cache-control"] == "no-cache"
    assert sw.headers["content-type"].startswith("text/javascript")
    manifest = client.get("/manifest.webmanifest")
    assert manifest.headers["cache-control"] == "no-cache"
    assert manifest.headers["content-type"].startswith("application/manifest+json")


def test_icons_cached_for_a_day(client: TestClient) -> None:
    response = client.get("/icons/icon-192.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "public, max-age=86400"


def test_missing_file_is_404_not_the_shell(client: TestClient) -> None:
    response = client.get("/assets/index-missing.js")
    assert response.status_code == 404
    assert "<html" not in response.text


def test_gz_files_are_not_served_directly(client: TestClient) -> None:
    assert client.get("/assets/index-abc123.js.gz").status_code == 404


def test_path_traversal_does_not_escape_dist(client: TestClient) -> None:
    for path in ("/../conftest.py", "/assets/../../conftest.py", "/%2e%2e/conftest.py"):
        response = client.get(path)
        assert "write_dist" not in response.text, path


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_head_request_for_the_shell(client: TestClient) -> None:
    response = client.head("/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
