"""Notes time and the wrap-up cue in the care plan settings (issue 21)."""

from __future__ import annotations

import pytest

from interlude.care_plan import service

SETTINGS = "/api/v1/care-plan/settings"
DEFAULTS = {
    "notes_minutes": 0,
    "notes_applies_to": "every",
    "notes_order": "break_first",
    "notes_backlog_days": 7,
    "notes_end_of_day": True,
    "wrap_up_minutes": 0,
    "wrap_up_applies_to": "every",
}


def test_a_new_account_has_notes_time_and_the_wrap_up_cue_off(client, auth):
    settings = client.get(SETTINGS, headers=auth).json()
    assert {name: settings[name] for name in DEFAULTS} == DEFAULTS
    whole = client.get("/api/v1/care-plan", headers=auth).json()["settings"]
    assert {name: whole[name] for name in DEFAULTS} == DEFAULTS


def test_the_settings_are_saved_and_reach_the_planner(client, auth, db, user):
    change = {
        "notes_minutes": 10,
        "notes_applies_to": "intense",
        "notes_order": "notes_first",
        "notes_backlog_days": 14,
        "notes_end_of_day": False,
        "wrap_up_minutes": 5,
        "wrap_up_applies_to": "telehealth",
    }
    response = client.patch(SETTINGS, json=change, headers=auth)
    assert response.status_code == 200, response.text
    assert {name: response.json()[name] for name in change} == change
    # A later partial change keeps them.
    response = client.patch(SETTINGS, json={"daily_cap": 9}, headers=auth)
    assert {name: response.json()[name] for name in change} == change

    plan = service.load_plan_input(session=db, user_id=user.id)
    assert (plan.notes_minutes, plan.notes_applies_to, plan.notes_order) == (
        10,
        "intense",
        "notes_first",
    )
    assert (plan.notes_backlog_days, plan.notes_end_of_day) == (14, False)
    assert (plan.wrap_up_minutes, plan.wrap_up_applies_to) == (5, "telehealth")


def test_the_export_lists_them(client, auth):
    client.patch(SETTINGS, json={"notes_minutes": 15, "wrap_up_minutes": 3}, headers=auth)
    exported = client.get("/api/v1/me/export", headers=auth)
    assert exported.status_code == 200, exported.text
    settings = exported.json()["care_plan"]["settings"]
    assert (settings["notes_minutes"], settings["wrap_up_minutes"]) == (15, 3)


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"notes_minutes": 61}, "notes_minutes", "less than or equal to 60"),
        ({"notes_minutes": -1}, "notes_minutes", "greater than or equal to 0"),
        ({"notes_minutes": "ten"}, "notes_minutes", "valid integer"),
        ({"notes_backlog_days": 0}, "notes_backlog_days", "greater than or equal to 1"),
        ({"notes_backlog_days": 31}, "notes_backlog_days", "less than or equal to 30"),
        ({"wrap_up_minutes": 16}, "wrap_up_minutes", "less than or equal to 15"),
        ({"notes_applies_to": "some"}, "notes_applies_to", "'every', 'intense' or 'telehealth'"),
        ({"wrap_up_applies_to": "late"}, "wrap_up_applies_to", "'every', 'intense'"),
        ({"notes_order": "random"}, "notes_order", "'break_first' or 'notes_first'"),
        ({"notes_end_of_day": "maybe"}, "notes_end_of_day", "valid boolean"),
        ({"notes_minutes": None}, "notes_minutes", "valid integer"),
        ({"notes_time": 10}, "notes_time", "Extra inputs are not permitted"),
    ],
)
def test_bad_values_are_a_422_that_names_the_field(client, auth, change, field, says):
    response = client.patch(SETTINGS, json=change, headers=auth)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"][0]["field"] == field
    assert says in error["message"] and error["message"].startswith(f"{field}: ")
    # Nothing was stored.
    settings = client.get(SETTINGS, headers=auth).json()
    assert {name: settings[name] for name in DEFAULTS} == DEFAULTS


def test_the_limits_themselves_are_accepted(client, auth):
    for change in (
        {"notes_minutes": 60, "notes_backlog_days": 30, "wrap_up_minutes": 15},
        {"notes_minutes": 0, "notes_backlog_days": 1, "wrap_up_minutes": 0},
    ):
        response = client.patch(SETTINGS, json=change, headers=auth)
        assert response.status_code == 200, response.text
        assert {name: response.json()[name] for name in change} == change
