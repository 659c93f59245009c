"""Deterministic reproductions of what the fuzzer (test_fuzz_api.py) found, one per cause,
so each fix has a test that turns green on its own."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.security.factories import upload_calendar


def test_undecodable_json_body_is_a_documented_422(
    client: TestClient, auth: dict[str, str]
) -> None:
    for method, path in (("PATCH", "/api/v1/me"), ("POST", "/api/v1/wellbeing/checkins")):
        response = client.request(
            method,
            path,
            content=b"\xa3\x08\xb7",
            headers={**auth, "content-type": "application/json"},
        )
        assert response.status_code == 422, (path, response.status_code, response.text)
        assert response.json()["error"]["code"] == "validation_error"


def test_calendar_update_documents_its_400(client: TestClient, auth: dict[str, str]) -> None:
    source = upload_calendar(client, auth)
    response = client.patch(
        f"/api/v1/calendars/{source['id']}", json={"url": "https://example.org/a.ics"}, headers=auth
    )
    assert response.status_code == 400
    documented = client.get("/openapi.json").json()["paths"]["/api/v1/calendars/{source_id}"]
    assert "400" in documented["patch"]["responses"]


NUL_CASES = [
    ("POST", "/api/v1/care-plan/rituals", {"name": "A\x00B", "steps": ["x"]}),
    (
        "POST",
        "/api/v1/care-plan/time-off",
        {"start_date": "2026-12-24", "end_date": "2026-12-25", "label": "A\x00B"},
    ),
    ("POST", "/api/v1/wellbeing/checkins", {"energy": 5, "insight": "A\x00B"}),
    ("PATCH", "/api/v1/me", {"display_name": "A\x00B"}),
    ("PUT", "/api/v1/autoresponder/templates/sms", {"source": "A\x00B {{ emergency_short }}"}),
]


def test_nul_characters_in_text_are_a_clear_422(client: TestClient, auth: dict[str, str]) -> None:
    answers = {}
    for method, path, body in NUL_CASES:
        answers[path] = client.request(method, path, json=body, headers=auth).status_code
    assert set(answers.values()) == {422}, answers


def test_every_documented_error_has_the_one_error_shape(client: TestClient) -> None:
    """A route's own description of an error code must not drop the shared ErrorResponse
    model (a plain {"description": ...} entry would, and clients would lose the shape)."""
    spec = client.get("/openapi.json").json()
    missing = [
        f"{method.upper()} {path} {code}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        for code, response in operation.get("responses", {}).items()
        if code.startswith(("4", "5"))
        and response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        != "#/components/schemas/ErrorResponse"
    ]
    assert not missing, missing
