"""The care plan through the API: defaults, settings, and CRUD on each list."""

from __future__ import annotations

import uuid
from datetime import time

import pytest

from interlude.care_plan import service
from interlude.core import hooks

BASE = "/api/v1/care-plan"

# (path, a valid new item, a valid change, an invalid change and the field it must name)
LISTS = {
    "micro-breaks": (
        {"trigger": "fixed_time", "at_time": "12:30", "activity": "water"},
        {"duration_minutes": 3},
        ({"trigger": "interval"}, "every_minutes"),
    ),
    "response-windows": (
        {"weekday": 5, "start_time": "10:00", "end_time": "10:20"},
        {"end_time": "10:45"},
        ({"end_time": "09:00"}, "start_time must be before end_time"),
    ),
    "time-off": (
        {
            "start_date": "2026-12-24",
            "end_date": "2027-01-02",
            "kind": "holiday",
            "label": "Winter",
        },
        {"label": "Winter break"},
        ({"end_date": "2026-12-01"}, "start_date must be on or before end_date"),
    ),
    "rituals": (
        {"name": "Walk", "steps": ["Walk around the block"], "trigger": "after_intense"},
        {"steps": ["Walk around the block", "Wash hands"]},
        ({"steps": []}, "steps"),
    ),
}


def test_new_account_has_the_default_plan(client, auth):
    plan = client.get(BASE, headers=auth).json()
    [rule] = plan["micro_breaks"]
    assert rule["trigger"] == "after_session" and rule["min_gap_minutes"] == 5
    assert rule["duration_minutes"] == 2 and rule["activity"] == "box_breathing"
    windows = {(w["weekday"], w["start_time"], w["end_time"]) for w in plan["response_windows"]}
    assert windows == {
        (day, start, end)
        for day in range(5)
        for start, end in (("09:00:00", "09:30:00"), ("16:30:00", "17:00:00"))
    }
    [ritual] = plan["rituals"]
    assert ritual["trigger"] == "end_of_day"
    assert any("done for the day" in step for step in ritual["steps"])
    assert plan["settings"]["typical_reply_time"] == "within 1 business day"
    assert plan["time_off"] == []


def test_settings_update_and_validation(client, auth):
    response = client.patch(
        f"{BASE}/settings",
        json={"quiet_start": "20:00", "quiet_end": "06:30", "daily_cap": 8},
        headers=auth,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["quiet_start"], body["quiet_end"], body["daily_cap"]) == (
        "20:00:00",
        "06:30:00",
        8,
    )

    only_one = client.patch(f"{BASE}/settings", json={"quiet_start": None}, headers=auth)
    assert only_one.status_code == 422
    assert "quiet_start and quiet_end" in only_one.json()["error"]["message"]
    backwards = client.patch(f"{BASE}/settings", json={"working_start": "19:00"}, headers=auth)
    assert backwards.status_code == 422
    assert "working_start must be before working_end" in backwards.json()["error"]["message"]
    cap = client.patch(f"{BASE}/settings", json={"daily_cap": 0}, headers=auth)
    assert cap.status_code == 422 and cap.json()["error"]["details"][0]["field"] == "daily_cap"
    # Nothing stored was lost by the rejected changes.
    assert client.get(f"{BASE}/settings", headers=auth).json()["daily_cap"] == 8


@pytest.mark.parametrize("path", LISTS)
def test_list_crud(client, auth, path):
    new, change, _ = LISTS[path]
    created = client.post(f"{BASE}/{path}", json=new, headers=auth)
    assert created.status_code == 201, created.text
    item = created.json()
    url = f"{BASE}/{path}/{item['id']}"
    assert client.get(url, headers=auth).json() == item
    assert item["id"] in {i["id"] for i in client.get(f"{BASE}/{path}", headers=auth).json()}

    updated = client.patch(url, json=change, headers=auth)
    assert updated.status_code == 200, updated.text
    for key, value in change.items():
        assert updated.json()[key] == value or updated.json()[key] == f"{value}:00"

    assert client.delete(url, headers=auth).status_code == 204
    assert client.get(url, headers=auth).status_code == 404


@pytest.mark.parametrize("path", LISTS)
def test_list_update_revalidates_the_merged_item(client, auth, path):
    new, _, (bad_change, message) = LISTS[path]
    item = client.post(f"{BASE}/{path}", json=new, headers=auth).json()
    response = client.patch(f"{BASE}/{path}/{item['id']}", json=bad_change, headers=auth)
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]
    assert client.get(f"{BASE}/{path}/{item['id']}", headers=auth).json() == item


@pytest.mark.parametrize("path", LISTS)
def test_other_users_items_are_404_and_unchanged(client, auth, other_auth, path):
    new, change, _ = LISTS[path]
    item = client.post(f"{BASE}/{path}", json=new, headers=auth).json()
    url = f"{BASE}/{path}/{item['id']}"
    assert client.get(url, headers=other_auth).status_code == 404
    assert client.patch(url, json=change, headers=other_auth).status_code == 404
    assert client.delete(url, headers=other_auth).status_code == 404
    assert client.get(url, headers=auth).json() == item
    assert item["id"] not in {
        i["id"] for i in client.get(f"{BASE}/{path}", headers=other_auth).json()
    }


@pytest.mark.parametrize("path", LISTS)
def test_lists_need_authentication(client, path):
    assert client.get(f"{BASE}/{path}").status_code == 401
    assert client.post(f"{BASE}/{path}", json=LISTS[path][0]).status_code == 401
    assert client.delete(f"{BASE}/{path}/{uuid.uuid4()}").status_code == 401


def test_malformed_ids_are_a_clear_4xx(client, auth):
    response = client.get(f"{BASE}/rituals/not-a-uuid", headers=auth)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "item_id"


def test_micro_break_rule_validation(client, auth):
    cases = [
        ({"trigger": "fixed_time"}, "at_time"),
        ({"activity": "custom"}, "custom_text"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"activity": "juggling"}, "activity"),
    ]
    for payload, expected in cases:
        response = client.post(f"{BASE}/micro-breaks", json=payload, headers=auth)
        assert response.status_code == 422, payload
        assert expected in response.text


def test_overlapping_response_windows_conflict(client, auth):
    response = client.post(
        f"{BASE}/response-windows",
        json={"weekday": 0, "start_time": "09:15", "end_time": "09:45"},
        headers=auth,
    )
    assert response.status_code == 409
    assert "09:00-09:30" in response.json()["error"]["message"]


def test_replace_week_of_windows(client, auth):
    week = [
        {"weekday": 1, "start_time": "12:00", "end_time": "12:30"},
        {"weekday": 3, "start_time": "08:00", "end_time": "08:15"},
    ]
    response = client.put(f"{BASE}/response-windows", json=week, headers=auth)
    assert response.status_code == 200
    listed = client.get(f"{BASE}/response-windows", headers=auth).json()
    assert [(w["weekday"], w["start_time"]) for w in listed] == [(1, "12:00:00"), (3, "08:00:00")]

    overlapping = [*week, {"weekday": 1, "start_time": "12:10", "end_time": "13:00"}]
    assert client.put(f"{BASE}/response-windows", json=overlapping, headers=auth).status_code == 409
    assert len(client.get(f"{BASE}/response-windows", headers=auth).json()) == 2


def test_changes_announce_schedule_changed(client, auth, user, monkeypatch):
    calls = []
    monkeypatch.setattr(hooks, "_schedule_listeners", [lambda **kw: calls.append(kw["user_id"])])
    client.patch(f"{BASE}/settings", json={"daily_cap": 5}, headers=auth)
    client.post(f"{BASE}/rituals", json=LISTS["rituals"][0], headers=auth)
    assert calls == [user.id, user.id]


def test_plan_input_for_the_planner(db, user):
    plan = service.load_plan_input(session=db, user_id=user.id)
    assert plan.daily_cap == 12 and plan.working_days == (0, 1, 2, 3, 4)
    assert plan.quiet_start == time(21, 0) and plan.quiet_end == time(7, 0)
    assert [r.trigger for r in plan.rules] == ["after_session"]
    assert len(plan.windows) == 10 and plan.rituals[0].trigger == "end_of_day"
