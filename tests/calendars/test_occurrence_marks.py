"""Marks on one occurrence (intense, telehealth, notes done, ran over): set through the API,
shown in the appointments read, kept across re-syncs of the same occurrence, even one that
leaves the feed and comes back; a telehealth mark wins over what the feed suggests. And what
is counted from them: the notes backlog and the ran-over counts."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlude.accounts.models import User
from interlude.calendars import marks
from interlude.calendars.marks import NotesAppliesTo
from interlude.calendars.models import Appointment, OccurrenceMark
from tests.conftest import DEFAULT_NOW
from tests.factories import make_user
from tests.wellbeing.factories import add_session, make_source

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
    for body in (
        {},
        {"intense": None},
        {"note": "hard session"},
        {"telehealth": "yes"},
        {"notes_done": 1},
        {"ran_over": "true"},
    ):
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


def test_notes_done_and_ran_over_follow_the_occurrence(
    client: TestClient,
    auth: dict[str, str],
    feeds: FeedServer,
    schedule_changes: ScheduleRecorder,
) -> None:
    route = Route(body=feed(IN_PERSON, VIDEO))
    source = add_feed(client, auth, feeds.add("/notes.ics", route))["id"]
    first, video = appointments(client, auth)
    assert (first["notes_done"], first["ran_over"]) == (False, False)
    calls = len(schedule_changes.calls)

    response = client.patch(
        f"/api/v1/appointments/{first['id']}",
        json={"notes_done": True, "ran_over": True},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["notes_done"], body["ran_over"], body["intense"]) == (True, True, False)
    assert len(schedule_changes.calls) == calls + 1  # notes done re-plans (the backlog reminder)
    client.patch(f"/api/v1/appointments/{video['id']}", json={"ran_over": True}, headers=auth)
    client.patch(f"/api/v1/appointments/{video['id']}", json={"ran_over": False}, headers=auth)

    # An unchanged re-sync keeps them, and is no change (no re-plan) because of them.
    before = len(schedule_changes.calls)
    assert sync(client, auth, source)["counts"] == {"added": 0, "changed": 0, "removed": 0}
    rows = {a["id"]: a for a in appointments(client, auth)}
    assert (rows[first["id"]]["notes_done"], rows[first["id"]]["ran_over"]) == (True, True)
    assert (rows[video["id"]]["notes_done"], rows[video["id"]]["ran_over"]) == (False, False)
    assert len(schedule_changes.calls) == before

    # Gone from the feed and back (moved): a new row, the same marks.
    route.body = feed(VIDEO)
    sync(client, auth, source)
    route.body = feed(VIDEO, IN_PERSON.replace("T140000Z", "T133000Z"))
    sync(client, auth, source)
    back = appointments(client, auth)[0]
    assert back["id"] != first["id"]
    assert (back["notes_done"], back["ran_over"]) == (True, True)


def _seed(db: Session, user_id: uuid.UUID, now: datetime) -> dict[str, Appointment]:
    """Sessions ending 1 hour, 2 days, 6 days and 9 days before ``now``, one still to come, an
    'other' event and an all-day entry; the 2-day one is intense, the 6-day one telehealth."""
    source = make_source(db, user_id, now)
    rows = {
        "hour": add_session(db, source, now - timedelta(minutes=110)),
        "two_days": add_session(db, source, now - timedelta(days=2, minutes=50)),
        "six_days": add_session(db, source, now - timedelta(days=6, minutes=50)),
        "nine_days": add_session(db, source, now - timedelta(days=9, minutes=50)),
        "later": add_session(db, source, now + timedelta(hours=1)),
        "other": add_session(db, source, now - timedelta(hours=5), kind="other"),
        "all_day": add_session(db, source, now - timedelta(days=1), 1440, all_day=True),
    }
    rows["two_days"].intense = True
    rows["six_days"].telehealth = True
    db.flush()
    return rows


def test_unnoted_sessions_counts_the_applicable_backlog(db: Session, user: User) -> None:
    now = DEFAULT_NOW
    rows = _seed(db, user.id, now)
    since = now - timedelta(days=7)

    def backlog(applies_to: NotesAppliesTo, **extra: int) -> tuple[int, list[str]]:
        found = marks.unnoted_sessions(
            session=db, user_id=user.id, since=since, until=now, applies_to=applies_to, **extra
        )
        names = {row.id: name for name, row in rows.items()}
        return found.count, [names[a.id] for a in found.newest]

    assert backlog("every") == (3, ["hour", "two_days", "six_days"])  # newest first
    assert backlog("intense") == (1, ["two_days"])
    assert backlog("telehealth") == (1, ["six_days"])
    assert backlog("every", limit=1) == (3, ["hour"])  # the count stays whole

    rows["two_days"].notes_done = True
    db.flush()
    assert backlog("every") == (2, ["hour", "six_days"])
    assert backlog("intense") == (0, [])
    # Another therapist's sessions are theirs.
    other = make_user(db, now=now)
    assert marks.unnoted_sessions(
        session=db, user_id=other.id, since=since, until=now, applies_to="every"
    ) == marks.UnnotedSessions(count=0, newest=[])


def test_ran_over_counts_only_ended_sessions(db: Session, user: User) -> None:
    now = DEFAULT_NOW
    rows = _seed(db, user.id, now)
    rows["hour"].ran_over = True
    rows["nine_days"].ran_over = True
    rows["later"].ran_over = True  # not ended: not counted either way
    rows["other"].ran_over = True  # not a session
    db.flush()
    week = marks.ran_over_counts(
        session=db, user_id=user.id, since=now - timedelta(days=7), until=now
    )
    assert week == (3, 1)
    month = marks.ran_over_counts(
        session=db, user_id=user.id, since=now - timedelta(days=28), until=now
    )
    assert month == (4, 2)
