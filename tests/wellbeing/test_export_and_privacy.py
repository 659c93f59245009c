"""Export (CSV, JSON, /me/export) and encryption at rest of every free-text field."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import text

from interlude.core.security import Keyring
from tests.conftest import TEST_SECRET

INSIGHT = "Insight-7f3a: walking between sessions clears my head"
GRATITUDE = "Gratitude-9c1e: my supervisor's patience"
FULFILLMENT = "Fulfillment-42bd: a family laughed together in session"
NOTE = "Note-5e77: slower month"


def _seed(client, auth):
    checkin = client.post(
        "/api/v1/wellbeing/checkins",
        json={"energy": 5, "emotions": ["calm"], "insight": INSIGHT, "gratitude": GRATITUDE},
        headers=auth,
    )
    assert checkin.status_code == 201
    review = client.post(
        "/api/v1/wellbeing/weekly-reviews",
        json={"warning_signs": ["cynicism"], "fulfillment": FULFILLMENT},
        headers=auth,
    )
    assert review.status_code == 201
    items = client.get(
        "/api/v1/wellbeing/self-checks/instruments/interlude-reflection-v1", headers=auth
    ).json()["items"]
    check = client.post(
        "/api/v1/wellbeing/self-checks",
        json={"answers": {i["id"]: 2 for i in items}, "note": NOTE},
        headers=auth,
    )
    assert check.status_code == 201
    commitment = client.post(
        "/api/v1/wellbeing/commitments",
        json={"kind": "peer", "label": "=cmd|' /C calc'!A0", "weekday": 4, "start_time": "08:00"},
        headers=auth,
    )
    assert commitment.status_code == 201


def test_free_text_is_encrypted_at_rest(client, auth, db, db_backend, settings):
    _seed(client, auth)
    stored = db.execute(
        text(
            "SELECT insight_encrypted, gratitude_encrypted FROM wellbeing_checkins "
            "UNION ALL SELECT fulfillment_encrypted, NULL FROM wellbeing_weekly_reviews "
            "UNION ALL SELECT note_encrypted, NULL FROM wellbeing_self_checks"
        )
    ).all()
    keyring = Keyring(TEST_SECRET)
    values = [v for row in stored for v in row if v is not None]
    assert sorted(keyring.decrypt(v) for v in values) == sorted(
        [INSIGHT, GRATITUDE, FULFILLMENT, NOTE]
    )
    # Whole tags, not their 4 hex digits: those turn up by chance in the file's random UUIDs.
    for marker in ("Insight-7f3a", "Gratitude-9c1e", "Fulfillment-42bd", "Note-5e77"):
        assert not any(marker in v for v in values)
    if db_backend == "sqlite":
        db.close()
        path = Path(settings.database_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert b"calm" in raw  # the file really holds this user's rows...
        for marker in (b"Insight-7f3a", b"Gratitude-9c1e", b"Fulfillment-42bd", b"Note-5e77"):
            assert marker not in raw  # ...but none of the free text
        assert b"walking between" not in raw


def test_json_export_holds_everything_decrypted(client, auth):
    _seed(client, auth)
    response = client.get("/api/v1/wellbeing/export", params={"format": "json"}, headers=auth)
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["checkins"][0]["insight"] == INSIGHT
    assert body["weekly_reviews"][0]["fulfillment"] == FULFILLMENT
    assert body["self_checks"][0]["note"] == NOTE
    assert body["commitments"][0]["kind"] == "peer"


def test_csv_export_one_dataset_at_a_time_and_formula_safe(client, auth):
    _seed(client, auth)
    response = client.get("/api/v1/wellbeing/export", params={"format": "csv"}, headers=auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["insight"] == INSIGHT and rows[0]["energy"] == "5"
    assert rows[0]["emotions"] == "calm"
    commitments = client.get(
        "/api/v1/wellbeing/export", params={"format": "csv", "dataset": "commitments"}, headers=auth
    )
    [row] = list(csv.DictReader(io.StringIO(commitments.text)))
    assert row["label"].startswith("'=")


def test_empty_csv_still_has_a_header(client, auth):
    response = client.get(
        "/api/v1/wellbeing/export",
        params={"format": "csv", "dataset": "weekly_reviews"},
        headers=auth,
    )
    assert response.text.strip() == "id,week_start,warning_signs,commitments_kept,fulfillment"


def test_account_export_includes_wellbeing(client, auth):
    _seed(client, auth)
    response = client.get("/api/v1/me/export", headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["wellbeing"]["checkins"][0]["gratitude"] == GRATITUDE


def test_export_bad_input_auth_and_isolation(client, auth, other_auth):
    _seed(client, auth)
    url = "/api/v1/wellbeing/export"
    assert client.get(url, params={"format": "xml"}, headers=auth).status_code == 422
    assert (
        client.get(url, params={"format": "csv", "dataset": "secrets"}, headers=auth).status_code
        == 422
    )
    assert client.get(url).status_code == 401
    other = client.get(url, params={"format": "json"}, headers=other_auth).json()
    assert other["checkins"] == [] and other["weekly_reviews"] == []


def test_deleting_the_account_deletes_its_wellbeing_data(client, auth, db):
    from tests.factories import DEFAULT_PASSWORD

    _seed(client, auth)
    client.post("/api/v1/wellbeing/signals/caseload/mute", headers=auth)
    response = client.request(
        "DELETE", "/api/v1/me", json={"password": DEFAULT_PASSWORD}, headers=auth
    )
    assert response.status_code == 204, response.text
    for table in (
        "wellbeing_checkins",
        "wellbeing_weekly_reviews",
        "wellbeing_self_checks",
        "wellbeing_commitments",
        "wellbeing_settings",
    ):
        assert db.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0, table
