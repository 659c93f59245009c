"""Marks on one occurrence (intense, telehealth): set through the API, shown in the
appointments read, kept across re-syncs of the same occurrence, even one that leaves the
feed and comes back; a telehealth mark wins over what the feed suggests."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlude.calendars.models import OccurrenceMark

from .conftest import ScheduleRecorder, add_feed, appointments
from .feedserver import FeedServer, Route

EVENT = """BEGIN:VEVENT
UID:{uid}@example.test
DTSTAMP:20261101T000000Z
DTSTART:20261202T{hour}0000Z
DTEND:20261202T{hour}5000Z
SUMMARY:Client
{extra}END:VEVENT
"""


def feed(*events: str) -> bytes:
    body = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Marks//EN\n" + "".join(events)
    return (body + "END:VCALENDAR\n").replace("\n", "\r\n").encode()


IN_PERSON = EVENT.format(uid="a", hour="14", extra="")
VIDEO = EVENT.format(uid="b", hour="15", extra="LOCATION:https://us02web.zoom.us/j/1234567890\n")


def sync(client: TestClient, auth: dict[str, str], source: str) -> dict[str, object]:
    response = client.post(f"/api/v1/calendars/{source}/sync", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_marks_follow_the_occurrence_across_re_syncs(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    schedule_changes: ScheduleRecorder,
) -> None:
    route = Route(body=feed(IN_PERSON, VIDEO))
    source = add_feed(client, auth, feeds.add("/marks.ics", route))["id"]
    first, video = appointments(client, auth)
    assert (first["intense"], first["telehealth"]) == (False, False)
    assert video["telehealth"] is True  # the feed's video link
    calls = len(schedule_changes.calls)

    response = client.patch(
        f"/api/v1/appointments/{first['id']}", json={"intense": True}, headers=auth
    )
    assert response.status_code == 200, response.text
    assert response.json()["intense"] is True and response.json()["telehealth"] is False
    response = client.patch(
        f"/api/v1/appointments/{video['id']}", json={"telehealth": False}, headers=auth
    )
    assert response.json()["telehealth"] is False
    assert len(schedule_changes.calls) == calls + 2  # each mark re-plans
    # Setting what is already so re-plans nothing.
    client.patch(f"/api/v1/appointments/{first['id']}", json={"intense": True}, headers=auth)
    assert len(schedule_changes.calls) == calls + 2

    # A re-sync of an unchanged feed keeps both marks (the feed still says "video").
    route.body = feed(IN_PERSON, VIDEO, EVENT.format(uid="c", hour="16", extra=""))
    assert sync(client, auth, source)["counts"] == {"added": 1, "changed": 0, "removed": 0}
    rows = {a["id"]: a for a in appointments(client, auth)}
    assert rows[first["id"]]["intense"] is True
    assert rows[video["id"]]["telehealth"] is False

    # The occurrence leaves the feed, then comes back (a new row): its mark comes back too.
    route.body = feed(VIDEO)
    assert sync(client, auth, source)["counts"]["removed"] == 2
    route.body = feed(VIDEO, IN_PERSON.replace("T140000Z", "T133000Z"))  # and it moved
    assert sync(client, auth, source)["counts"]["added"] == 1
    back, again = appointments(client, auth)
    assert back["id"] != first["id"] and back["start"].startswith("2026-12-02T13:30")
    assert back["intense"] is True
    assert again["telehealth"] is False


def test_marks_are_checked(
    client: TestClient,
    auth: dict[str, str],
    other_auth: dict[str, str],
    feeds: FeedServer,
    db: Session,
) -> None:
    add_feed(client, auth, feeds.add("/one.ics", Route(body=feed(IN_PERSON))))
    [row] = appointments(client, auth)
    path = f"/api/v1/appointments/{row['id']}"
    for body in ({}, {"intense": None}, {"note": "hard session"}, {"telehealth": "yes"}):
        response = client.patch(path, json=body, headers=auth)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["message"]
    assert client.patch(path, json={"intense": True}, headers=other_auth).status_code == 404
    unknown = f"/api/v1/appointments/{uuid.uuid4()}"
    assert client.patch(unknown, json={"intense": True}, headers=auth).status_code == 404
    assert db.scalar(select(func.count()).select_from(OccurrenceMark)) == 0

    both = client.patch(path, json={"intense": True, "telehealth": True}, headers=auth).json()
    assert (both["intense"], both["telehealth"]) == (True, True)
    marks = db.scalars(select(OccurrenceMark).order_by(OccurrenceMark.mark)).all()
    assert [(m.mark, m.value) for m in marks] == [("intense", True), ("telehealth", True)]
    # Only flags: the identity hash, never the UID or any text of the event.
    assert all(len(m.identity_hash) == 64 and "example.test" not in m.identity_hash for m in marks)
    exported = client.get("/api/v1/me/export", headers=auth).json()
    assert {m["mark"] for m in exported["calendars"]["occurrence_marks"]} == {
        "intense",
        "telehealth",
    }


def test_removing_the_calendar_removes_its_marks(
    client: TestClient, auth: dict[str, str], feeds: FeedServer, db: Session
) -> None:
    source = add_feed(client, auth, feeds.add("/gone.ics", Route(body=feed(IN_PERSON))))["id"]
    [row] = appointments(client, auth)
    client.patch(f"/api/v1/appointments/{row['id']}", json={"intense": True}, headers=auth)
    assert client.delete(f"/api/v1/calendars/{source}", headers=auth).status_code == 204
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(OccurrenceMark)) == 0
