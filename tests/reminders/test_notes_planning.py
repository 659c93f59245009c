"""Notes time, the wrap-up cue and the notes backlog, from the database to ReminderRead."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from interlude.calendars.models import Appointment
from interlude.core.clock import FrozenClock
from interlude.reminders.service import replan_user
from tests.calendars.factories import add_appointments
from tests.planner.factories import NY, TUESDAY, at

SETTINGS = "/api/v1/care-plan/settings"
MONDAY = date(2026, 11, 23)  # the test clock's day: 09:00 in New York


def _notes_done(db: Session, *starts: datetime) -> None:
    db.execute(update(Appointment).where(Appointment.start.in_(starts)).values(notes_done=True))
    db.commit()


def _reminders(client: TestClient, auth: dict[str, str], **params: str) -> list[dict]:  # type: ignore[type-arg]
    response = client.get("/api/v1/reminders", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def _local(item: dict) -> str:  # type: ignore[type-arg]
    return datetime.fromisoformat(item["due_at"]).astimezone(NY).strftime("%a %H:%M")


def _day(item: dict) -> date:  # type: ignore[type-arg]
    return datetime.fromisoformat(item["due_at"]).astimezone(NY).date()


def test_notes_time_the_wrap_up_cue_and_the_backlog_reach_the_reminders_api(
    client: TestClient, db: Session, user, auth: dict[str, str], clock: FrozenClock
) -> None:
    add_appointments(db, user.id, [at(TUESDAY, t) for t in ("09:00", "10:05", "11:00")])
    change = {"notes_minutes": 10, "wrap_up_minutes": 5}
    assert client.patch(SETTINGS, json=change, headers=auth).status_code == 200
    replan_user(session=db, user_id=user.id, now=clock.now())
    db.commit()

    rows = [r for r in _reminders(client, auth) if _day(r) == TUESDAY]
    summary = [(r["kind"], _local(r), r["notes_minutes"]) for r in rows]
    assert summary == [
        ("wrap_up", "Tue 09:45", 0),  # (the 09:00 window opens during the session: none)
        ("micro_break", "Tue 09:50", 10),  # 15-minute gap: 2-minute break + 10 of notes
        ("wrap_up", "Tue 10:50", 0),
        ("micro_break", "Tue 10:55", 0),  # 5-minute gap: the break alone
        ("wrap_up", "Tue 11:45", 0),
        ("end_of_day", "Tue 11:50", 10),  # the shutdown ritual, after 10 minutes of notes
        ("response_window_open", "Tue 16:30", 0),
        ("notes_backlog", "Tue 17:30", 0),
    ]
    split = rows[1]
    assert split["duration_minutes"] == 2
    assert split["body"].startswith("2-minute break, then notes for your 09:00 session.")
    assert rows[0]["title"] == "5 minutes left in this session"
    assert rows[5]["body"] == (
        "10 minutes of notes for your 11:00 session, then your shutdown ritual: Shutdown ritual."
    )
    assert rows[-1]["body"] == "Notes still open for 3 sessions."
    # One reminder read on its own says the same.
    one = client.get(f"/api/v1/reminders/{split['id']}", headers=auth).json()
    assert one["notes_minutes"] == 10 and one["kind"] == "micro_break"


def test_the_backlog_counts_sessions_before_the_planning_window_without_notes_done(
    client: TestClient, db: Session, user, auth: dict[str, str], clock: FrozenClock
) -> None:
    older = [at(MONDAY - timedelta(days=n), "10:00") for n in (7, 5, 4, 3)]  # Mon, Wed-Fri
    add_appointments(db, user.id, older)
    _notes_done(db, older[2])  # Thursday's notes are written
    client.patch(SETTINGS, json={"notes_minutes": 15}, headers=auth)
    replan_user(session=db, user_id=user.id, now=clock.now())
    db.commit()

    backlog = [r for r in _reminders(client, auth) if r["kind"] == "notes_backlog"]
    # Each working day at 17:30, the sessions of the 7 days before without notes done:
    # Wednesday's and Friday's (last Monday's ended more than 7 days before), then Friday's.
    assert [(_local(r), r["body"]) for r in backlog] == [
        ("Mon 17:30", "Notes still open for 2 sessions."),
        ("Tue 17:30", "Notes still open for 2 sessions."),
        ("Wed 17:30", "Notes still open for 1 session."),
        ("Thu 17:30", "Notes still open for 1 session."),
    ]

    client.patch(SETTINGS, json={"notes_backlog_days": 30}, headers=auth)
    replan_user(session=db, user_id=user.id, now=clock.now())
    db.commit()
    backlog = [r for r in _reminders(client, auth) if r["kind"] == "notes_backlog"]
    assert [r["body"] for r in backlog if _day(r) == MONDAY] == ["Notes still open for 3 sessions."]

    # Every note written: the reminder is cancelled, not sent.
    _notes_done(db, *older)
    replan_user(session=db, user_id=user.id, now=clock.now())
    db.commit()
    backlog = [r for r in _reminders(client, auth) if r["kind"] == "notes_backlog"]
    assert {r["state"] for r in backlog} == {"cancelled"}


def test_no_end_of_day_reminder_when_it_is_switched_off_or_notes_time_is(
    client: TestClient, db: Session, user, auth: dict[str, str], clock: FrozenClock
) -> None:
    add_appointments(db, user.id, [at(MONDAY - timedelta(days=3), "10:00")])
    for change in (
        {"notes_minutes": 10, "notes_end_of_day": False},
        {"notes_minutes": 0, "notes_end_of_day": True},
    ):
        client.patch(SETTINGS, json=change, headers=auth)
        replan_user(session=db, user_id=user.id, now=clock.now())
        db.commit()
        kinds = {r["kind"] for r in _reminders(client, auth) if r["state"] == "planned"}
        assert "notes_backlog" not in kinds


def test_notes_for_intense_sessions_only(
    client: TestClient, db: Session, user, auth: dict[str, str], clock: FrozenClock
) -> None:
    add_appointments(db, user.id, [at(TUESDAY, "09:00")], intense=True)
    add_appointments(db, user.id, [at(TUESDAY, "10:30"), at(TUESDAY, "12:00")])
    change = {"notes_minutes": 20, "notes_applies_to": "intense", "notes_order": "notes_first"}
    client.patch(SETTINGS, json=change, headers=auth)
    replan_user(session=db, user_id=user.id, now=clock.now())
    db.commit()
    rows = [
        r
        for r in _reminders(client, auth)
        if r["kind"] in ("micro_break", "end_of_day", "notes_backlog") and _day(r) == TUESDAY
    ]
    assert [(r["kind"], _local(r), r["notes_minutes"]) for r in rows] == [
        ("micro_break", "Tue 09:50", 20),
        ("micro_break", "Tue 11:20", 0),
        ("end_of_day", "Tue 12:50", 0),
        ("notes_backlog", "Tue 17:30", 0),
    ]
    assert rows[0]["title"] == "Time for 20 minutes of notes"
    assert rows[0]["body"].startswith(
        "20 minutes of notes for your 09:00 session, then a 2-minute break."
    )
    assert rows[-1]["body"] == "Notes still open for 1 session."
