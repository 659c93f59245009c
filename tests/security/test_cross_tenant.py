"""Generated from the live route table, so a new endpoint cannot be forgotten: for every
operation whose path names an object by id, user B asking for user A's object gets 404 and
changes nothing (A's full export reads back identical, and A's object still answers).

A path parameter is either an object id (a factory below must create A's object through
the API) or a name that is not owned by anyone (``NOT_OBJECT_IDS``, with the reason). A new
id-taking path with neither fails the test with "add a factory for <path>".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.security import factories

Factory = Callable[[TestClient, dict[str, str]], str]

# The templated path up to and including the id -> creates A's object, returns its id.
FACTORIES: dict[str, Factory] = {
    "/api/v1/care-plan/micro-breaks/{item_id}": factories.micro_break,
    "/api/v1/care-plan/response-windows/{item_id}": factories.response_window,
    "/api/v1/care-plan/time-off/{item_id}": factories.time_off,
    "/api/v1/care-plan/rituals/{item_id}": factories.ritual,
    "/api/v1/reminders/{reminder_id}": factories.reminder,
    "/api/v1/calendars/{source_id}": factories.calendar,
    "/api/v1/appointments/{appointment_id}": factories.appointment,
    "/api/v1/push/subscriptions/{subscription_id}": factories.push_subscription,
    "/api/v1/wellbeing/checkins/{checkin_id}": factories.checkin,
    "/api/v1/wellbeing/weekly-reviews/{review_id}": factories.weekly_review,
    "/api/v1/wellbeing/self-checks/{check_id}": factories.self_check,
    "/api/v1/wellbeing/commitments/{commitment_id}": factories.commitment,
    "/api/v1/week-ahead/held-time/{held_id}": factories.held_time,
    "/api/v1/week-ahead/calendars/{source_id}": factories.calendar,
}
# Path parameters that name something nobody owns: the same value means the caller's own
# thing (or public reference data), so there is no "A's object" for B to reach.
NOT_OBJECT_IDS = {
    "slot": "an auto-reply template slot name; each user has their own (see the slot test)",
    "format": "an auto-reply output format name",
    "code": "a well-being signal code; muting is per user",
    "instrument_id": "a built-in self-check instrument: public reference data",
}
# A body valid enough to pass validation, so the ownership check is what answers.
BODIES: dict[tuple[str, str], Any] = {
    ("post", "/api/v1/reminders/{reminder_id}/ack"): {"action": "done"},
    ("patch", "/api/v1/reminders/{reminder_id}/session"): {"notes_done": True},
    ("patch", "/api/v1/appointments/{appointment_id}"): {"intense": True},
    ("patch", "/api/v1/calendars/{source_id}"): {"name": "Taken over"},
    ("patch", "/api/v1/push/subscriptions/{subscription_id}"): {"label": "Taken over"},
    ("patch", "/api/v1/care-plan/micro-breaks/{item_id}"): {"duration_minutes": 3},
    ("patch", "/api/v1/care-plan/response-windows/{item_id}"): {"end_time": "10:45"},
    ("patch", "/api/v1/care-plan/time-off/{item_id}"): {"label": "Taken over"},
    ("patch", "/api/v1/care-plan/rituals/{item_id}"): {"name": "Taken over"},
    ("patch", "/api/v1/wellbeing/checkins/{checkin_id}"): {"energy": 1},
    ("patch", "/api/v1/wellbeing/weekly-reviews/{review_id}"): {"warning_signs": []},
    ("patch", "/api/v1/wellbeing/self-checks/{check_id}"): {"note": "Taken over"},
    ("patch", "/api/v1/wellbeing/commitments/{commitment_id}"): {"active": False},
    ("put", "/api/v1/week-ahead/calendars/{source_id}"): {"calendar": "/taken/over/"},
}
_PARAM = re.compile(r"{([^}]+)}")


def _id_operations(client: TestClient) -> list[tuple[str, str, str]]:
    """(method, path, the templated prefix naming the object) for every id-taking operation."""
    spec = client.get("/openapi.json").json()
    found = []
    for path, item in spec["paths"].items():
        params = _PARAM.findall(path)
        if not params or all(p in NOT_OBJECT_IDS for p in params):
            continue
        assert len(params) == 1, f"two ids in {path}: extend this test"
        prefix = path[: path.index("{" + params[0] + "}") + len(params[0]) + 2]
        for method in item:
            found.append((method, path, prefix))
    return found


def _export(client: TestClient, auth: dict[str, str]) -> Any:
    response = client.get("/api/v1/me/export", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_id_operation_has_a_factory(client: TestClient) -> None:
    missing = sorted({p for _, _, p in _id_operations(client) if p not in FACTORIES})
    assert not missing, "\n".join(f"add a factory for {path}" for path in missing)
    # A factory for a path that is gone must go too.
    assert set(FACTORIES) <= {p for _, _, p in _id_operations(client)}


def test_other_users_objects_are_404_and_unchanged(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    operations = _id_operations(client)
    objects = {}
    for _, _, prefix in operations:
        if prefix not in objects:
            assert prefix in FACTORIES, f"add a factory for {prefix}"
            objects[prefix] = FACTORIES[prefix](client, auth)
    before = _export(client, auth)
    b_before = _export(client, other_auth)
    # Reads and writes first, deletes last: a leaked delete must not hide a leaked read.
    ordered = sorted(operations, key=lambda op: op[0] == "delete")
    for method, path, prefix in ordered:
        url = path.replace(prefix, prefix.split("{")[0] + objects[prefix])
        body = BODIES.get((method, path))
        response = client.request(
            method.upper(), url, json=body if method != "get" else None, headers=other_auth
        )
        assert response.status_code == 404, (
            f"{method.upper()} {path} as another user: {response.status_code} {response.text}"
        )
        assert response.json()["error"]["code"].endswith("not_found"), (method, path)
        assert objects[prefix] not in response.text, (method, path)
    assert _export(client, auth) == before, "user B's requests changed user A's data"
    # B's own data is untouched too (no write landed on B's side with A's ids).
    assert _export(client, other_auth) == b_before
    # And A still reaches every object it owns.
    for prefix, object_id in objects.items():
        if ("get", prefix) in {(m, p) for m, p, _ in operations}:
            url = prefix.split("{")[0] + object_id
            assert client.get(url, headers=auth).status_code == 200, url


def test_template_slots_are_per_user(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    """Slots are names, not ids: B writing or deleting "sms" touches only B's template."""
    base = "/api/v1/autoresponder/templates"
    mine = "A's own words. {{ emergency_short }}"
    assert client.put(f"{base}/sms", json={"source": mine}, headers=auth).status_code == 200
    before = client.get(base, headers=auth).json()
    client.delete(f"{base}/sms", headers=other_auth)
    client.put(f"{base}/sms", json={"source": "B: {{ emergency_short }}"}, headers=other_auth)
    assert client.get(base, headers=auth).json() == before
    assert "A's own words" not in client.get(base, headers=other_auth).text
