"""The worker's alarm clock: which jobs it registers and when the dispatcher wakes."""

from __future__ import annotations

import importlib.util
from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select
from sqlalchemy.orm import Session

from interlude import worker as worker_module
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.reminders.jobs import (
    DISPATCH_JOB_ID,
    REPLAN_JOB_ID,
    SAFETY_INTERVAL,
    DispatchAlarm,
    replan_all,
)
from interlude.reminders.models import CANCELLED, SENDING, SENT, Reminder
from interlude.worker import JOB_MODULES, Worker
from tests.reminders.factories import add_device, make_reminder
from tests.support.push_service import LocalPushService


def _paused_scheduler() -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start(paused=True)  # jobs are armed but never run on their own
    return scheduler


def test_worker_registers_dispatch_and_replan(runtime: Runtime) -> None:
    worker = Worker(runtime, background=True)
    modules = worker.register_jobs()
    assert "interlude.reminders.jobs" in modules
    ids = {job.id for job in worker.scheduler.get_jobs()}
    assert {DISPATCH_JOB_ID, REPLAN_JOB_ID} <= ids


def test_every_listed_job_module_exists() -> None:
    for name in JOB_MODULES:
        assert importlib.util.find_spec(name) is not None, name


def test_a_listed_job_module_that_is_missing_fails_loudly(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo or a moved module must stop the worker, not leave its jobs silently unscheduled."""
    monkeypatch.setattr(
        worker_module, "JOB_MODULES", (*JOB_MODULES, "interlude.no_such_domain.jobs")
    )
    worker = Worker(runtime, background=True)
    with pytest.raises(ModuleNotFoundError) as raised:
        worker.register_jobs()
    assert raised.value.name == "interlude.no_such_domain"
    assert not worker.scheduler.running


def test_alarm_wakes_at_the_next_due_time_or_after_the_safety_interval(
    db: Session, runtime: Runtime, user, clock: FrozenClock
) -> None:
    scheduler = _paused_scheduler()
    alarm = DispatchAlarm(scheduler, runtime)
    try:
        now = clock.now()
        assert alarm.wake_at() == now + SAFETY_INTERVAL  # nothing planned
        far = make_reminder(db, user_id=user.id, due_at=now + timedelta(hours=1))
        assert alarm.wake_at() == now + SAFETY_INTERVAL
        make_reminder(db, user_id=user.id, due_at=now + timedelta(seconds=2))
        assert alarm.wake_at() == now + timedelta(seconds=2)
        make_reminder(db, user_id=user.id, due_at=now - timedelta(seconds=3))
        assert alarm.wake_at() == now  # overdue: at once
        # A worker's lease running out is a wake-up too (its rows are reclaimed then).
        db.query(Reminder).where(Reminder.due_at <= now + timedelta(seconds=2)).delete()
        far.state, far.lease_until = SENDING, now + timedelta(seconds=3)
        db.commit()
        assert alarm.wake_at() == now + timedelta(seconds=3)

        alarm.arm()
        job = scheduler.get_job(DISPATCH_JOB_ID)
        assert job is not None and job.next_run_time == now + timedelta(seconds=3)
    finally:
        scheduler.shutdown(wait=False)
        alarm.close()


def test_alarm_fire_sends_what_is_due_and_rearms(
    db: Session, runtime: Runtime, user, clock: FrozenClock
) -> None:
    scheduler = _paused_scheduler()
    alarm = DispatchAlarm(scheduler, runtime)
    with LocalPushService(clock=clock) as push:
        try:
            device, _ = add_device(runtime, push, user.id)
            now = clock.now()
            due = make_reminder(db, user_id=user.id, due_at=now)
            make_reminder(db, user_id=user.id, due_at=now + timedelta(seconds=4))

            alarm.fire()

            assert [m.payload["id"] for m in push.received(device)] == [str(due.id)]
            db.expire_all()
            assert db.get(Reminder, due.id).state == SENT  # type: ignore[union-attr]
            job = scheduler.get_job(DISPATCH_JOB_ID)
            assert job is not None and job.next_run_time == now + timedelta(seconds=4)
        finally:
            scheduler.shutdown(wait=False)
            alarm.close()


def test_periodic_replan_repairs_the_outbox(
    db: Session, runtime: Runtime, user, other_user, clock: FrozenClock
) -> None:
    # A planned row no plan wants any more (its calendar is gone) ...
    stale = make_reminder(db, user_id=user.id, due_at=clock.now() + timedelta(hours=2))

    assert replan_all(runtime) == 2

    db.expire_all()
    state = db.scalar(select(Reminder.state).where(Reminder.id == stale.id))
    assert state == CANCELLED


def test_worker_starts_and_shuts_down_cleanly(runtime: Runtime) -> None:
    worker = Worker(runtime, background=True)
    worker.start()
    assert worker.scheduler.running
    worker.shutdown()
    assert not worker.scheduler.running
    worker.shutdown()  # twice is harmless


def test_embedded_worker_starts_and_stops_cleanly_inside_the_server_loop(runtime, caplog):
    """`interlude run` stops the worker from uvicorn's running event loop (the lifespan)."""
    import logging

    from fastapi.testclient import TestClient

    from interlude.app import create_app

    app = create_app(runtime, embedded_worker=True)
    with caplog.at_level(logging.INFO, logger="interlude.worker"), TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
    assert "worker started" in caplog.text and "worker stopped" in caplog.text
    assert "closing a job module failed" not in caplog.text


def test_stopping_while_the_alarm_re_arms_does_not_deadlock(runtime: Runtime) -> None:
    """APScheduler's shutdown holds its job-store lock while it waits for running jobs; a
    dispatch that re-arms in that moment needs the same lock. The worker disarms first."""
    import threading

    worker = Worker(runtime, background=True)
    worker.start()  # the dispatch alarm fires at once
    alarm = next(d.__self__ for d in worker._disarms if isinstance(d.__self__, DispatchAlarm))
    in_wake_at, release = threading.Event(), threading.Event()
    real_wake_at = alarm.wake_at

    def slow_wake_at():  # type: ignore[no-untyped-def]
        in_wake_at.set()  # re-arming, past the "still running?" check (a slow next_wake query)
        release.wait(10)
        return real_wake_at()

    alarm.wake_at = slow_wake_at  # type: ignore[method-assign]
    assert in_wake_at.wait(10), "the alarm did not re-arm"
    stopping = threading.Thread(target=worker.shutdown, daemon=True)
    stopping.start()
    stopping.join(0.5)  # the scheduler's shutdown begins while the alarm is re-arming
    release.set()
    stopping.join(15)
    assert not stopping.is_alive(), "worker.shutdown() deadlocked"


def test_starting_and_stopping_at_once_raises_nothing_in_the_scheduler_thread(
    runtime: Runtime,
) -> None:
    """Stopping right after the start catches the scheduler mid-pass over its due jobs."""
    import threading

    errors: list[str] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: errors.append(f"{args.thread}: {args.exc_type}")
    try:
        for _ in range(15):
            worker = Worker(runtime, background=True)
            worker.start()
            worker.shutdown()
    finally:
        threading.excepthook = previous
    assert errors == []
