"""Local times of day carry no UTC offset, and instants in query parameters stay within the
years 1900-2200 (core/validation.py: ``LocalTime`` and ``Instant``).

Before: ``"00:00:00Z"`` in the care-plan hours was a 500 (an aware time compared with a naive
one), ``"22:00:00+02:00"`` as quiet hours was stored and broke re-planning, and
``start=0001-01-01T00:00:00+23:59`` was a 500 on both databases (before year 1 in UTC).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

OFFSETS = ["00:00:00Z", "09:00:00+01:00", "22:00:00+02:00", "09:00-05:00"]

TIME_FIELDS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("PATCH", "/api/v1/care-plan/settings", "working_start", {}),
    ("PATCH", "/api/v1/care-plan/settings", "working_end", {}),
    ("PATCH", "/api/v1/care-plan/settings", "quiet_start", {"quiet_end": "06:00"}),
    ("PATCH", "/api/v1/care-plan/settings", "quiet_end", {"quiet_start": "22:00"}),
    (
        "POST",
        "/api/v1/care-plan/response-windows",
        "start_time",
        {"weekday": 0, "end_time": "23:00"},
    ),
    (
        "POST",
        "/api/v1/care-plan/response-windows",
        "end_time",
        {"weekday": 0, "start_time": "08:00"},
    ),
    (
        "POST",
        "/api/v1/care-plan/micro-breaks",
        "at_time",
        {"trigger": "fixed_time", "activity": "box_breathing"},
    ),
    (
        "POST",
        "/api/v1/wellbeing/commitments",
        "start_time",
        {"kind": "supervision", "weekday": 2},
    ),
    ("PATCH", "/api/v1/week-ahead/settings", "time", {"weekday": 6}),
]


def _errors_name(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"].startswith(f"{field}:"), error["message"]
    assert "without a UTC offset" in error["message"]
    assert [d["field"] for d in error["details"]] == [field]


@pytest.mark.parametrize("value", OFFSETS)
@pytest.mark.parametrize(
    ("method", "path", "field", "rest"), TIME_FIELDS, ids=[f"{p} {f}" for _, p, f, _ in TIME_FIELDS]
)
def test_a_local_time_of_day_with_an_offset_is_a_422_naming_the_field(
    client: TestClient,
    auth: dict[str, str],
    method: str,
    path: str,
    field: str,
    rest: dict[str, Any],
    value: str,
) -> None:
    response = client.request(method, path, json={**rest, field: value}, headers=auth)
    _errors_name(response, field)


def test_nothing_is_stored_and_planning_still_follows_the_plan(
    client: TestClient, auth: dict[str, str]
) -> None:
    before = client.get("/api/v1/care-plan/settings", headers=auth).json()
    response = client.patch(
        "/api/v1/care-plan/settings",
        json={"quiet_start": "22:00:00+02:00", "quiet_end": "06:00"},
        headers=auth,
    )
    _errors_name(response, "quiet_start")
    assert client.get("/api/v1/care-plan/settings", headers=auth).json() == before
    # The same hours without an offset are saved as the local times they are.
    ok = client.patch(
        "/api/v1/care-plan/settings",
        json={"quiet_start": "22:00", "quiet_end": "06:00"},
        headers=auth,
    )
    assert ok.status_code == 200, ok.text
    assert (ok.json()["quiet_start"], ok.json()["quiet_end"]) == ("22:00:00", "06:00:00")


def test_the_whole_week_editor_refuses_offsets_too(
    client: TestClient, auth: dict[str, str]
) -> None:
    windows = [{"weekday": 0, "start_time": "09:00", "end_time": "09:30:00+01:00"}]
    response = client.put("/api/v1/care-plan/response-windows", json=windows, headers=auth)
    assert response.status_code == 422, response.text
    assert "end_time" in response.json()["error"]["message"]


def test_local_times_are_documented_without_an_offset(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    start = schemas["ResponseWindowCreate"]["properties"]["start_time"]
    assert start["type"] == "string" and "format" not in start
    assert start["pattern"].startswith("^([01][0-9]|2[0-3])")


# --- instants in query parameters ----------------------------------------------------------

FAR_INSTANTS = [
    ("start", "0001-01-01T00:00:00+23:59", "0001-01-02T00:00:00Z"),
    ("start", "1850-01-01T00:00:00Z", "1850-01-02T00:00:00Z"),
    ("end", "2200-12-31T12:00:00Z", "2201-01-01T12:00:00Z"),
    ("end", "2200-12-31T12:00:00Z", "9999-12-31T23:59:59-23:59"),
    ("start", "2500-01-01T00:00:00Z", "2500-01-02T00:00:00Z"),
]


@pytest.mark.parametrize(("field", "start", "end"), FAR_INSTANTS)
@pytest.mark.parametrize("path", ["/api/v1/appointments", "/api/v1/reminders"])
def test_instants_outside_the_years_1900_to_2200_are_a_422_naming_the_parameter(
    client: TestClient, auth: dict[str, str], path: str, field: str, start: str, end: str
) -> None:
    response = client.get(path, params={"start": start, "end": end}, headers=auth)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["message"].startswith(f"{field}:"), error["message"]
    assert "between the years 1900 and 2200" in error["message"]


def test_the_auto_reply_preview_instant_is_bounded_too(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.get(
        "/api/v1/autoresponder/sms",
        params={"at": "0001-01-01T00:00:00+23:59"},
        headers=auth,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith("at:")


def test_instants_need_their_offset(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get(
        "/api/v1/appointments",
        params={"start": "2026-11-23T00:00:00", "end": "2026-11-24T00:00:00Z"},
        headers=auth,
    )
    assert response.status_code == 422
    assert "UTC offset" in response.json()["error"]["message"]


def test_ordinary_instants_still_work(client: TestClient, auth: dict[str, str]) -> None:
    for path in ("/api/v1/appointments", "/api/v1/reminders"):
        response = client.get(
            path,
            params={"start": "2026-11-23T00:00:00-05:00", "end": "2026-11-24T00:00:00Z"},
            headers=auth,
        )
        assert response.status_code == 200, response.text
