def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_503_when_database_unreachable(tmp_path, clock):
    from fastapi.testclient import TestClient

    from interlude.app import create_app
    from interlude.core.runtime import Runtime
    from interlude.core.settings import Settings

    settings = Settings(
        data_dir=tmp_path,
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
        secret_key="x" * 32,
        _env_file=None,  # type: ignore[call-arg]
    )
    with TestClient(create_app(Runtime.from_settings(settings, clock))) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"


def test_unknown_api_path_gets_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_openapi_operation_ids_are_clean_and_unique(client):
    spec = client.get("/openapi.json").json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert all(i.replace("_", "").isalnum() for i in ids), ids
