"""The week-ahead push: sent once per review at the user's local day and time, through the
push sending path, moved out of quiet hours and out of sessions, never sent stale."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.week_ahead import jobs
from interlude.week_ahead.models import HeldTime
from tests.calendars.factories import add_appointments
from tests.factories import make_user
from tests.planner.factories import at
from tests.reminders.factories import add_device
from tests.support.push_service import LocalPushService

SUNDAY = date(2026, 11, 29)  # default review day; 18:00 in New York is 23:00 UTC
TUESDAY = date(2026, 12, 1)


@pytest.fixture
def push(clock: FrozenClock) -> Iterator[LocalPushService]:
    with LocalPushService(clock=clock) as service:
        yield service


def test_the_review_push_comes_on_sunday_at_six_pm_local_once(
    runtime: Runtime, clock: FrozenClock, db: Session, user, push: LocalPushService
) -> None:
    device, _ = add_device(runtime, push, user.id)
    # The next week's Tuesday has a run of three: the push counts it (no times in the text).
    add_appointments(db, user.id, [at(TUESDAY, t) for t in ("13:00", "13:55", "14:50")])
    clock.set(at(SUNDAY, "17:59"))
    assert jobs.send_due_reviews(runtime) == 0
    clock.set(at(SUNDAY, "18:00"))
    assert jobs.send_due_reviews(runtime) == 1
    [message] = push.wait_for(1, sub=device)
    payload = message.payload
    assert payload["kind"] == "week_ahead" and payload["url"] == "/week"
    assert payload["notification"]["navigate"] == "http://testserver/week"
    assert payload["notification"]["title"] == "Your week ahead"
    assert payload["notification"]["body"] == (
        "Next 7 days: 3 sessions, 1 day without a 10-minute break, 1 back-to-back run. "
        "Tap to hold time for breaks."
    )
    assert message.topic == "interlude-week"
    clock.set(at(SUNDAY, "18:05"))
    assert jobs.send_due_reviews(runtime) == 0  # one push per review
    assert len(push.received(device)) == 1


def test_the_review_push_counts_the_sessions_whose_notes_will_not_fit(
    client: TestClient,
    runtime: Runtime,
    clock: FrozenClock,
    db: Session,
    user,
    auth: dict[str, str],
    push: LocalPushService,
) -> None:
    device, _ = add_device(runtime, push, user.id)
    add_appointments(db, user.id, [at(TUESDAY, t) for t in ("13:00", "13:55", "14:50")])
    response = client.patch("/api/v1/care-plan/settings", json={"notes_minutes": 10}, headers=auth)
    assert response.status_code == 200, response.text
    clock.set(at(SUNDAY, "18:00"))
    week = client.get("/api/v1/week-ahead", headers=auth).json()
    left_over = week["totals"]["expected_notes_backlog"]
    assert left_over == 2  # 5-minute gaps hold the break but not 10 minutes of notes
    assert jobs.send_due_reviews(runtime) == 1
    [message] = push.wait_for(1, sub=device)
    assert "2 sessions with no time for notes" in message.payload["notification"]["body"]


def test_quiet_hours_and_a_session_move_the_push(
    client: TestClient,
    runtime: Runtime,
    clock: FrozenClock,
    db: Session,
    user,
    auth: dict[str, str],
    push: LocalPushService,
) -> None:
    add_device(runtime, push, user.id)
    response = client.patch(
        "/api/v1/care-plan/settings",
        json={"quiet_start": "17:00", "quiet_end": "19:00"},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    # A Sunday session from 18:30 to 19:20: the push waits for quiet hours, then for it.
    add_appointments(db, user.id, [at(SUNDAY, "18:30")])
    for local in ("18:00", "18:59", "19:00", "19:19"):
        clock.set(at(SUNDAY, local))
        assert jobs.send_due_reviews(runtime) == 0, local
    clock.set(at(SUNDAY, "19:20"))
    assert jobs.send_due_reviews(runtime) == 1


def test_a_changed_day_and_time_and_the_off_switch(
    client: TestClient,
    runtime: Runtime,
    clock: FrozenClock,
    user,
    auth: dict[str, str],
    push: LocalPushService,
) -> None:
    add_device(runtime, push, user.id)
    client.patch("/api/v1/week-ahead/settings", json={"weekday": 4, "time": "16:30"}, headers=auth)
    friday = date(2026, 11, 27)
    clock.set(at(friday, "16:29"))
    assert jobs.send_due_reviews(runtime) == 0
    clock.set(at(friday, "16:30"))
    assert jobs.send_due_reviews(runtime) == 1
    client.patch("/api/v1/week-ahead/settings", json={"enabled": False}, headers=auth)
    clock.set(at(date(2026, 12, 4), "16:30"))
    assert jobs.send_due_reviews(runtime) == 0


def test_a_review_the_worker_missed_by_half_a_day_is_skipped_not_sent_late(
    runtime: Runtime, clock: FrozenClock, user, push: LocalPushService
) -> None:
    device, _ = add_device(runtime, push, user.id)
    clock.set(at(date(2026, 11, 30), "06:30"))  # Monday morning, 12.5 hours late
    assert jobs.send_review(runtime, user.id) == "skipped"
    assert jobs.send_due_reviews(runtime) == 0
    assert push.received(device) == []


def test_holds_ninety_days_past_are_forgotten(
    client: TestClient, runtime: Runtime, clock: FrozenClock, db: Session, auth: dict[str, str]
) -> None:
    hold = {"start": "2026-11-24T21:35:00Z", "end": "2026-11-24T21:45:00Z"}
    assert client.post("/api/v1/week-ahead/held-time", json=hold, headers=auth).status_code == 201
    clock.set(at(date(2027, 2, 22), "16:44"))  # a minute short of 90 days after it ended
    jobs.sync_all_writes(runtime)
    assert len(db.scalars(select(HeldTime)).all()) == 1
    clock.set(at(date(2027, 2, 22), "16:46"))
    jobs.sync_all_writes(runtime)
    db.expire_all()
    assert db.scalars(select(HeldTime)).all() == []


def test_a_pass_looks_no_further_than_the_users_whose_review_is_open(
    runtime: Runtime, clock: FrozenClock, db: Session, user, push: LocalPushService, monkeypatch
) -> None:
    """Once this week's review is claimed, a pass reads the user's row and does nothing more:
    the job runs every minute for every user with a device."""
    add_device(runtime, push, user.id)
    clock.set(at(SUNDAY, "18:00"))
    assert jobs.send_due_reviews(runtime) == 1
    examined: list[object] = []
    monkeypatch.setattr(jobs, "send_review", lambda rt, user_id: examined.append(user_id) or "")
    for minute in ("18:01", "23:59"):
        clock.set(at(SUNDAY, minute))
        assert jobs.send_due_reviews(runtime) == 0
    assert examined == []
    clock.set(at(date(2026, 12, 6), "18:00"))  # next Sunday: open again
    jobs.send_due_reviews(runtime)
    assert examined == [user.id]


def test_no_review_of_a_week_that_began_before_the_account(
    runtime: Runtime, clock: FrozenClock, db: Session, push: LocalPushService
) -> None:
    clock.set(at(SUNDAY, "20:00"))  # two hours after this Sunday's review instant
    newcomer = make_user(db, now=clock.now())
    device, _ = add_device(runtime, push, newcomer.id)
    assert jobs.send_due_reviews(runtime) == 0
    clock.set(at(date(2026, 12, 6), "18:00"))  # their first Sunday with the app
    assert jobs.send_due_reviews(runtime) == 1
    assert len(push.received(device)) == 1


def test_each_user_is_reviewed_in_their_own_zone_and_a_new_zone_counts(
    client: TestClient,
    runtime: Runtime,
    clock: FrozenClock,
    db: Session,
    user,
    auth: dict[str, str],
    push: LocalPushService,
    monkeypatch,
) -> None:
    """Users on the default setting share its day and time, not its instant: each is looked
    at and reviewed at Sunday 18:00 in their own zone, and a changed zone takes effect."""
    tokyo = ZoneInfo("Asia/Tokyo")
    in_tokyo = make_user(db, now=clock.now(), timezone="Asia/Tokyo")
    new_yorker = make_user(db, now=clock.now())
    devices = {u.id: add_device(runtime, push, u.id)[0] for u in (user, in_tokyo, new_yorker)}
    examined: list[object] = []
    send_review = jobs.send_review
    monkeypatch.setattr(
        jobs,
        "send_review",
        lambda rt, user_id: examined.append(user_id) or send_review(rt, user_id),
    )

    def review_pass(now: datetime) -> set[object]:
        examined.clear()
        clock.set(now)
        jobs.send_due_reviews(runtime)
        return set(examined)

    assert review_pass(at(SUNDAY, "17:59", tokyo)) == set()
    assert review_pass(at(SUNDAY, "18:00", tokyo)) == {in_tokyo.id}
    assert review_pass(at(SUNDAY, "18:00")) == {user.id, new_yorker.id}  # New York
    response = client.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"}, headers=auth)
    assert response.status_code == 200, response.text
    next_sunday = date(2026, 12, 6)
    assert review_pass(at(next_sunday, "18:00", tokyo)) == {in_tokyo.id, user.id}
    assert review_pass(at(next_sunday, "18:00")) == {new_yorker.id}
    assert [len(push.received(d)) for d in devices.values()] == [2, 2, 2]
