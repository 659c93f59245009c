"""Monthly self-checks through the HTTP API."""

from __future__ import annotations

import uuid

BASE = "/api/v1/wellbeing/self-checks"


def _answers(client, auth, ex=3, de=1, ac=2):
    instrument = client.get(f"{BASE}/instruments/interlude-reflection-v1", headers=auth).json()
    values = {"exhaustion": ex, "detachment": de, "accomplishment": ac}
    return {item["id"]: values[item["dimension"]] for item in instrument["items"]}


def test_instruments_are_listed_with_the_disclaimer(client, auth):
    response = client.get(f"{BASE}/instruments", headers=auth)
    assert response.status_code == 200
    [builtin] = [i for i in response.json() if i["id"] == "interlude-reflection-v1"]
    assert builtin["validated"] is False
    assert "not a validated instrument" in builtin["disclaimer"]
    assert len(builtin["items"]) == 9
    assert client.get(f"{BASE}/instruments/mbi", headers=auth).status_code == 404


def test_create_scores_and_compares_with_last_month(client, auth):
    october = client.post(
        BASE, json={"month": "2026-10-15", "answers": _answers(client, auth, 2, 1, 3)}, headers=auth
    )
    assert october.status_code == 201, october.text
    assert october.json()["month"] == "2026-10-01"
    assert october.json()["change_since_previous"] is None
    november = client.post(
        BASE,
        json={"answers": _answers(client, auth, 3, 1, 2), "note": "Heavy month."},
        headers=auth,
    )
    assert november.status_code == 201
    body = november.json()
    assert body["month"] == "2026-11-01"
    scores = {s["dimension"]: s for s in body["scores"]}
    assert scores["exhaustion"]["score"] == 3.0 and scores["exhaustion"]["band"] == "strong"
    assert body["change_since_previous"] == {
        "exhaustion": 1.0,
        "detachment": 0.0,
        "accomplishment": -1.0,
    }
    assert body["note"] == "Heavy month."
    assert "not a validated instrument" in body["disclaimer"]
    listed = client.get(BASE, headers=auth).json()
    assert [c["month"] for c in listed] == ["2026-11-01", "2026-10-01"]


def test_one_per_month_edit_and_delete(client, auth):
    created = client.post(BASE, json={"answers": _answers(client, auth)}, headers=auth).json()
    assert (
        client.post(BASE, json={"answers": _answers(client, auth)}, headers=auth).status_code == 409
    )
    url = f"{BASE}/{created['id']}"
    patched = client.patch(url, json={"answers": _answers(client, auth, 0, 0, 4)}, headers=auth)
    assert patched.status_code == 200
    assert {s["dimension"]: s["band"] for s in patched.json()["scores"]} == {
        "exhaustion": "light",
        "detachment": "light",
        "accomplishment": "high",
    }
    assert client.get(url, headers=auth).json()["answers"] == _answers(client, auth, 0, 0, 4)
    assert client.delete(url, headers=auth).status_code == 204
    assert client.get(url, headers=auth).status_code == 404


def test_bad_input(client, auth):
    answers = _answers(client, auth)
    missing = dict(list(answers.items())[:-1])
    for payload in (
        {"answers": missing},
        {"answers": {**answers, "ex1": 9}},
        {"answers": {**answers, "extra": 1}},
        {"answers": answers, "instrument": "mini-z"},
        {"answers": answers, "month": "2027-01-01"},
        {"answers": answers, "month": "9999-12-31"},
        {"answers": "all good"},
    ):
        response = client.post(BASE, json=payload, headers=auth)
        assert response.status_code == 422, payload
        assert response.json()["error"]["message"]


def test_unauthenticated_and_other_users(client, auth, other_auth):
    assert client.get(f"{BASE}/instruments").status_code == 401
    assert client.post(BASE, json={}).status_code == 401
    assert client.get(f"{BASE}/{uuid.uuid4()}").status_code == 401
    created = client.post(BASE, json={"answers": _answers(client, auth)}, headers=auth).json()
    url = f"{BASE}/{created['id']}"
    assert client.get(url, headers=other_auth).status_code == 404
    assert client.patch(url, json={"note": "x"}, headers=other_auth).status_code == 404
    assert client.delete(url, headers=other_auth).status_code == 404
