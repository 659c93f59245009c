"""The daily email to a therapist whose every device is silent or gone (push/alerts.py),
sent to a real local SMTP server."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session

from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from interlude.push import jobs
from interlude.push.alerts import SUBJECT, claim, send_alerts
from interlude.push.models import HealthAlert, PushSubscription
from tests.conftest import with_smtp
from tests.support.smtp import LocalSmtp


@pytest.fixture
def settings(settings: Settings, smtp_server: LocalSmtp) -> Settings:
    return with_smtp(settings, smtp_server)


def _device(
    db: Session,
    user_id: uuid.UUID,
    now: datetime,
    *,
    label: str,
    state: str,
    since: timedelta = timedelta(hours=3),
) -> None:
    endpoint = f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}"
    row = PushSubscription(
        user_id=user_id,
        endpoint=endpoint,
        endpoint_hash=hashlib.sha256(endpoint.encode()).hexdigest(),
        p256dh="p" * 87,
        auth="a" * 22,
        label=label,
        created_at=now - timedelta(days=30),
        updated_at=now - timedelta(days=30),
        push_service="fcm",
        last_accepted_at=now - timedelta(hours=1),
        last_receipt_at=now - since - timedelta(hours=1),
    )
    if state == "silent":
        row.unconfirmed_count = 3
        row.unconfirmed_since = now - since
    elif state == "gone":
        row.gone_at = now - since
    else:
        row.last_receipt_at = now - timedelta(hours=1)
    db.add(row)
    db.commit()


def test_every_device_silent_or_gone_gets_one_mail_a_day(
    runtime: Runtime, db: Session, user, clock, smtp_server: LocalSmtp
) -> None:
    now = clock.now()  # Monday 14:00 UTC = 09:00 in New York
    _device(db, user.id, now, label="iPhone · Safari", state="silent")
    _device(db, user.id, now, label="Android · Chrome", state="gone", since=timedelta(hours=5))

    assert send_alerts(runtime) == 1
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == [user.email]
    assert received.message["Subject"] == SUBJECT
    text = received.text
    # Since the last working device stopped (11:00 New York), in the user's own time zone.
    assert "any of your devices since\nMonday 23 November, 6:00 AM:" in text
    assert "not shown since Monday 23 November, 6:00 AM" in text
    assert (
        "has ended (the push service no longer knows it) since Monday 23 November, 4:00 AM" in text
    )
    assert "iPhone · Safari: notifications are accepted by its push service but not shown" in text
    assert "Android · Chrome: its push subscription has ended" in text
    assert "http://testserver/" in received.links()
    assert "http://testserver/settings/devices" in received.links()
    assert "Repair reminders" in text and "Home Screen" in text

    # The same day: nothing more, even from a "restarted" process with its own runtime.
    clock.advance(hours=23)
    assert send_alerts(runtime) == 0
    restarted = Runtime.from_settings(runtime.settings, clock)
    try:
        assert send_alerts(restarted) == 0
        clock.advance(hours=1, seconds=1)
        assert send_alerts(restarted) == 1
    finally:
        restarted.dispose()
    assert len(smtp_server.wait_for(2)) == 2


def test_one_working_device_means_no_mail(
    runtime: Runtime, db: Session, user, clock, smtp_server: LocalSmtp
) -> None:
    now = clock.now()
    _device(db, user.id, now, label="Phone", state="silent")
    _device(db, user.id, now, label="Laptop", state="ok")
    assert send_alerts(runtime) == 0
    assert smtp_server.messages == []


def test_no_device_at_all_means_no_mail(runtime: Runtime, user, smtp_server) -> None:
    assert send_alerts(runtime) == 0


def test_only_for_a_week_after_the_last_device_stopped(
    runtime: Runtime, db: Session, user, clock, smtp_server: LocalSmtp
) -> None:
    _device(db, user.id, clock.now(), label="Phone", state="gone", since=timedelta(days=8))
    assert send_alerts(runtime) == 0


def test_a_silent_device_within_the_receipt_grace_is_not_yet_silent(
    runtime: Runtime, db: Session, user, clock, smtp_server: LocalSmtp
) -> None:
    now = clock.now()
    _device(db, user.id, now, label="Phone", state="silent")
    with runtime.session() as session:
        device = session.query(PushSubscription).one()
        device.last_accepted_at = now - timedelta(minutes=5)  # the third miss is too fresh
    assert send_alerts(runtime) == 0


def test_a_failed_mail_is_tried_again_on_the_next_pass(
    runtime: Runtime, db: Session, user, clock, smtp_server: LocalSmtp
) -> None:
    _device(db, user.id, clock.now(), label="Phone", state="silent")
    working = runtime.settings
    runtime.settings = working.model_copy(update={"smtp_port": 9})  # nothing listens
    assert send_alerts(runtime) == 0
    with runtime.session() as session:
        assert session.get(HealthAlert, user.id) is None
    runtime.settings = working
    clock.advance(minutes=30)
    assert send_alerts(runtime) == 1
    smtp_server.wait_for(1)


def test_the_job_is_scheduled_only_with_smtp(runtime: Runtime) -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    jobs.register(scheduler, runtime)
    assert [job.id for job in scheduler.get_jobs()] == [jobs.ALERT_JOB_ID]
    without = BackgroundScheduler(timezone="UTC")
    runtime.settings = runtime.settings.model_copy(update={"smtp_host": ""})
    jobs.register(without, runtime)
    assert without.get_jobs() == []
    assert send_alerts(runtime) == 0


def test_two_processes_claiming_at_once_send_one_mail(
    runtime: Runtime, db: Session, user, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second claimer did not see the first one's row yet: its insert collides on the
    primary key, and it backs off without breaking its transaction."""
    now = clock.now()
    with runtime.session() as session:
        assert claim(session=session, user_id=user.id, now=now) == (True, None)
    with runtime.session() as session:
        monkeypatch.setattr(session, "get", lambda *args, **kwargs: None)
        assert claim(session=session, user_id=user.id, now=now) == (False, None)
        monkeypatch.undo()
        assert session.get(HealthAlert, user.id) is not None  # the session still works
    with runtime.session() as session:
        # A day later the row is there to take again, once.
        later = now + timedelta(days=1)
        assert claim(session=session, user_id=user.id, now=later) == (True, now)
        assert claim(session=session, user_id=user.id, now=later)[0] is False
