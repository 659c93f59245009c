"""The calendars API: every endpoint's happy path, bad input, 401 and another user's 404."""

from __future__ import annotations

import json
import uuid

from fastapi.testclient import TestClient

from .conftest import ScheduleRecorder, add_feed, appointments, slots
from .feedserver import FIXTURES, FeedServer, Route

ZERO = str(uuid.UUID(int=0))


def test_create_masks_the_url_and_reports_the_first_sync(
    client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    url = feeds.fixture("busy_rules.ics") + "?token=SECRETTOKEN123"
    created = add_feed(client, auth, url, name="Practice")
    assert created["name"] == "Practice"
    assert created["kind"] == "ics_url"
    assert created["url"] == f"http://127.0.0.1:{url.split(':')[2].split('/')[0]}/…/bus…"
    assert "SECRETTOKEN123" not in str(created)
    assert created["last_sync"]["counts"] == {"added": 3, "changed": 0, "removed": 0}
    assert created["appointment_count"] == 3
    assert created["session_count"] == 2
    listed = client.get("/api/v1/calendars", headers=auth).json()
    assert [s["id"] for s in listed] == [created["id"]]
    assert (
        "SECRETTOKEN123" not in client.get(f"/api/v1/calendars/{created['id']}", headers=auth).text
    )


def test_webcal_means_https(client: TestClient, auth: dict[str, str]) -> None:
    # webcal:// becomes https://; nothing listens on port 9 so the first read fails clearly.
    response = client.post(
        "/api/v1/calendars",
        json={"kind": "ics_url", "url": "webcal://127.0.0.1:9/feed.ics"},
        headers=auth,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "calendar_unreadable"
    assert "connect" in response.json()["error"]["message"].lower()


def test_bad_input_is_a_clear_4xx(client: TestClient, auth: dict[str, str]) -> None:
    cases = [
        ({"kind": "ics_url"}, 422),
        ({"kind": "ics_url", "url": "ftp://example.com/x.ics"}, 400),
        ({"kind": "ics_url", "url": "not a url"}, 400),
        ({"kind": "nope", "url": "https://example.com"}, 422),
        ({"kind": "caldav", "url": "https://example.com"}, 422),
        ({"kind": "sample", "rule": {"mode": "keywords"}}, 422),
        (
            {"kind": "sample", "rule": {"mode": "duration", "min_minutes": 60, "max_minutes": 30}},
            422,
        ),
        ({"kind": "sample", "surprise": 1}, 422),
    ]
    for body, code in cases:
        response = client.post("/api/v1/calendars", json=body, headers=auth)
        assert response.status_code == code, (body, response.text)
        assert response.json()["error"]["message"]
    bad_ranges = [
        {"start": "2026-11-23T00:00:00", "end": "2026-11-24T00:00:00Z"},  # no offset
        {"start": "2026-11-24T00:00:00Z", "end": "2026-11-23T00:00:00Z"},  # reversed
        {"start": "yesterday", "end": "2026-11-24T00:00:00Z"},
        {"start": "2020-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"},  # too long
    ]
    for params in bad_ranges:
        response = client.get("/api/v1/appointments", params=params, headers=auth)
        assert response.status_code == 422, params


def test_unreadable_first_sync_creates_nothing(
    client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    url = feeds.add(
        "/page", Route(body=b"<html><body>Login</body></html>", content_type="text/html")
    )
    response = client.post("/api/v1/calendars", json={"kind": "ics_url", "url": url}, headers=auth)
    assert response.status_code == 422
    assert "web page" in response.json()["error"]["message"]
    assert client.get("/api/v1/calendars", headers=auth).json() == []


def test_unauthenticated_is_401(client: TestClient) -> None:
    for method, path in [
        ("post", "/api/v1/calendars"),
        ("get", "/api/v1/calendars"),
        ("get", f"/api/v1/calendars/{ZERO}"),
        ("patch", f"/api/v1/calendars/{ZERO}"),
        ("delete", f"/api/v1/calendars/{ZERO}"),
        ("post", f"/api/v1/calendars/{ZERO}/sync"),
        ("post", "/api/v1/calendars/caldav/discover"),
        ("post", "/api/v1/calendars/upload"),
        ("get", "/api/v1/appointments?start=2026-11-23T00:00:00Z&end=2026-11-24T00:00:00Z"),
        ("patch", f"/api/v1/appointments/{ZERO}"),
    ]:
        response = client.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)


def test_another_users_calendar_and_appointments_are_404(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str], feeds: FeedServer
) -> None:
    created = add_feed(client, auth, feeds.fixture("busy_rules.ics"))
    source = f"/api/v1/calendars/{created['id']}"
    appointment = appointments(client, auth)[0]["id"]
    assert client.get(source, headers=other_auth).status_code == 404
    assert client.patch(source, json={"name": "x"}, headers=other_auth).status_code == 404
    assert client.post(f"{source}/sync", headers=other_auth).status_code == 404
    assert client.delete(source, headers=other_auth).status_code == 404
    response = client.patch(
        f"/api/v1/appointments/{appointment}", json={"intense": True}, headers=other_auth
    )
    assert response.status_code == 404
    assert appointments(client, other_auth) == []
    assert client.get("/api/v1/calendars", headers=other_auth).json() == []
    assert client.get(f"/api/v1/calendars/{ZERO}", headers=auth).status_code == 404
    assert client.get("/api/v1/calendars/not-a-uuid", headers=auth).status_code == 422


def test_sync_now_counts_changes_and_keeps_intense(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    schedule_changes: ScheduleRecorder,
) -> None:
    route = Route(body=(FIXTURES / "overrides.ics").read_bytes())
    url = feeds.add("/practice.ics", route)
    created = add_feed(client, auth, url)
    assert len(schedule_changes.calls) == 1
    rows = appointments(client, auth)
    first = rows[0]
    response = client.patch(
        f"/api/v1/appointments/{first['id']}", json={"intense": True}, headers=auth
    )
    assert response.status_code == 200 and response.json()["intense"] is True
    assert len(schedule_changes.calls) == 2
    assert (
        client.patch(
            f"/api/v1/appointments/{first['id']}", json={"intense": "very"}, headers=auth
        ).status_code
        == 422
    )

    # Unchanged feed: nothing changes, nobody re-plans.
    result = client.post(f"/api/v1/calendars/{created['id']}/sync", headers=auth).json()
    assert result["status"] == "ok"
    assert result["counts"] == {"added": 0, "changed": 0, "removed": 0}
    assert len(schedule_changes.calls) == 2

    # The practice moves the 2 Dec session and cancels the 3 Dec one.
    text = route.body.decode()
    text = text.replace("20261202T150000", "20261202T160000").replace(
        "20261202T155000", "20261202T165000"
    )
    text = text.replace(
        "EXDATE;TZID=America/New_York:20261126T130000",
        "EXDATE;TZID=America/New_York:20261126T130000,20261203T130000",
    )
    route.body = text.encode()
    result = client.post(f"/api/v1/calendars/{created['id']}/sync", headers=auth).json()
    assert result["counts"] == {"added": 0, "changed": 1, "removed": 1}
    assert result["error"] is None
    assert len(schedule_changes.calls) == 3
    after = appointments(client, auth)
    assert [r["id"] for r in after if r["intense"]] == [first["id"]]
    assert ("2026-12-02T21:00Z", "2026-12-02T21:50Z", "session", False, False) in slots(after)


def test_patch_and_delete(
    client: TestClient, auth: dict[str, str], feeds: FeedServer, schedule_changes: ScheduleRecorder
) -> None:
    created = add_feed(client, auth, feeds.fixture("busy_rules.ics"))
    path = f"/api/v1/calendars/{created['id']}"
    response = client.patch(
        path,
        json={"name": "Renamed", "rule": {"mode": "keywords", "exclude": ["intake"]}},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Renamed"
    assert response.json()["status"] == "pending"
    assert client.patch(path, json={"password": "x"}, headers=auth).status_code == 400
    assert client.patch(path, json={"url": "gopher://x"}, headers=auth).status_code == 400
    assert client.patch(path, json={"name": ""}, headers=auth).status_code == 422
    # The new rule applies at the next sync: the intake (description) is no longer a session.
    result = client.post(f"{path}/sync", headers=auth).json()
    assert result["counts"]["changed"] == 1
    kinds = [r["kind"] for r in appointments(client, auth)]
    assert kinds == ["other", "session", "other"]

    calls = len(schedule_changes.calls)
    assert client.delete(path, headers=auth).status_code == 204
    assert client.get(path, headers=auth).status_code == 404
    assert appointments(client, auth) == []
    assert len(schedule_changes.calls) == calls + 1


def test_duration_rule(client: TestClient, auth: dict[str, str], feeds: FeedServer) -> None:
    add_feed(
        client,
        auth,
        feeds.fixture("windows_zones.ics"),
        rule={"mode": "duration", "min_minutes": 45, "max_minutes": 60},
    )
    assert [r["kind"] for r in appointments(client, auth)] == ["session", "session", "other"]


def test_upload(client: TestClient, auth: dict[str, str]) -> None:
    body = (FIXTURES / "overrides.ics").read_bytes()
    response = client.post(
        "/api/v1/calendars/upload",
        files={"file": ("ZZSENTINEL Client.ics", body, "text/calendar")},
        data={"name": "My export"},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["kind"] == "upload" and created["name"] == "My export"
    assert created["url"] is None
    # An upload is read once over the next year (it cannot be re-read later).
    assert len(appointments(client, auth, end="2026-12-08T14:00:00Z")) == 5
    assert (
        slots(appointments(client, auth, start="2027-11-01T00:00:00Z", end="2027-12-01T00:00:00Z"))[
            0
        ][0]
        == "2027-11-01T14:00Z"
    )
    total = len(appointments(client, auth))
    # Nothing to re-read for an upload: a sync is a no-op that keeps everything.
    result = client.post(f"/api/v1/calendars/{created['id']}/sync", headers=auth).json()
    assert result["status"] == "ok" and result["unchanged"] is True
    assert len(appointments(client, auth)) == total

    bad = client.post(
        "/api/v1/calendars/upload",
        files={"file": ("x.ics", b"\x00\x01garbage", "text/calendar")},
        headers=auth,
    )
    assert bad.status_code == 422
    assert "not an iCalendar" in bad.json()["error"]["message"]
    missing = client.post("/api/v1/calendars/upload", headers=auth)
    assert missing.status_code == 422


def test_upload_with_a_session_rule(client: TestClient, auth: dict[str, str]) -> None:
    body = (FIXTURES / "overrides.ics").read_bytes()
    response = client.post(
        "/api/v1/calendars/upload",
        files={"file": ("export.ics", body, "text/calendar")},
        data={"name": "Export", "rule": json.dumps({"mode": "duration", "min_minutes": 120})},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    # No event in the file lasts two hours: none is a client session.
    kinds = {r["kind"] for r in appointments(client, auth, end="2026-12-08T14:00:00Z")}
    assert kinds == {"other"}
    for rule in ("not json", '{"mode": "keywords"}', '{"mode": "all_timed", "extra": 1}'):
        bad = client.post(
            "/api/v1/calendars/upload",
            files={"file": ("export.ics", body, "text/calendar")},
            data={"rule": rule},
            headers=auth,
        )
        assert bad.status_code == 422, (rule, bad.text)
        assert bad.json()["error"]["message"] == "The session rule is not valid."


def test_sample_calendar_always_has_sessions_today(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post("/api/v1/calendars", json={"kind": "sample"}, headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Sample calendar"
    # Today (Monday 23 Nov in New York) 09:00..17:00 local = 14:00..22:00 UTC
    today = appointments(client, auth, "2026-11-23T05:00:00Z", "2026-11-24T05:00:00Z")
    assert [r[0] for r in slots(today)] == [
        "2026-11-23T14:00Z",
        "2026-11-23T15:00Z",
        "2026-11-23T16:00Z",
        "2026-11-23T19:00Z",
        "2026-11-23T20:00Z",
        "2026-11-23T21:00Z",
    ]
    assert [r[3] for r in slots(today)] == [False, True, False, False, True, False]
    tomorrow = appointments(client, auth, "2026-11-24T05:00:00Z", "2026-11-25T05:00:00Z")
    assert len(tomorrow) == 6


def test_appointments_are_sorted_and_filtered_by_range(
    client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    add_feed(client, auth, feeds.fixture("windows_zones.ics"))
    add_feed(client, auth, feeds.fixture("overrides.ics"))
    rows = appointments(client, auth)
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)
    assert len(rows) == 8
    window = appointments(client, auth, "2026-11-24T12:00:00-05:00", "2026-11-25T09:00:00-05:00")
    assert [r[0] for r in slots(window)] == ["2026-11-24T17:00Z", "2026-11-25T13:00Z"]
    assert set(rows[0]) == {
        "id",
        "source_id",
        "start",
        "end",
        "all_day",
        "kind",
        "telehealth",
        "intense",
        "notes_done",
        "ran_over",
    }


def test_sync_of_a_missing_calendar_is_404(client: TestClient, auth: dict[str, str]) -> None:
    assert client.post(f"/api/v1/calendars/{ZERO}/sync", headers=auth).status_code == 404
    assert (
        client.patch(
            f"/api/v1/appointments/{ZERO}", json={"intense": True}, headers=auth
        ).status_code
        == 404
    )


def test_a_new_time_zone_moves_floating_times_at_the_next_sync(
    client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    created = add_feed(client, auth, feeds.fixture("floating_and_xwr.ics", etag='"same"'))
    assert slots(appointments(client, auth))[0][0] == "2026-11-24T16:00Z"  # 11:00 New York
    response = client.patch("/api/v1/me", json={"timezone": "Europe/London"}, headers=auth)
    assert response.status_code == 200, response.text
    # The feed answers 304, but the appointments were computed for another zone: re-read.
    result = client.post(f"/api/v1/calendars/{created['id']}/sync", headers=auth).json()
    assert result["unchanged"] is False
    assert result["counts"]["changed"] == 1
    rows = slots(appointments(client, auth))
    assert [r[0] for r in rows] == ["2026-11-24T11:00Z", "2026-11-25T18:00Z"]  # UTC one stays
