"""The reminders' scheduled work: APScheduler is only the alarm clock.

- ``reminders.dispatch``: a one-shot date job re-armed after every run for the earliest of
  (the next due time or lease expiry in the outbox, now + ``SAFETY_INTERVAL``). The safety
  interval catches rows another process inserted after the alarm was set.
- ``reminders.replan``: every ``REPLAN_INTERVAL``, re-plan every user, so the planning
  horizon rolls forward day by day and a missed hook is repaired.

Nothing is kept in the scheduler's job store: a restarted worker reads the outbox again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime, timedelta

from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from sqlalchemy import select

from interlude.accounts.models import User
from interlude.core.runtime import Runtime
from interlude.reminders.dispatcher import Dispatcher, DispatchReport
from interlude.reminders.service import replan_user

log = logging.getLogger("interlude.reminders.jobs")

DISPATCH_JOB_ID = "reminders.dispatch"
REPLAN_JOB_ID = "reminders.replan"
SAFETY_INTERVAL = timedelta(seconds=5)
REPLAN_INTERVAL = timedelta(minutes=30)


class DispatchAlarm:
    """Runs the dispatcher on its own event loop and re-arms the date trigger."""

    def __init__(
        self,
        scheduler: BaseScheduler,
        runtime: Runtime,
        dispatcher: Dispatcher | None = None,
        *,
        safety_interval: timedelta = SAFETY_INTERVAL,
    ) -> None:
        self.scheduler = scheduler
        self.runtime = runtime
        self.dispatcher = dispatcher or Dispatcher(runtime)
        self.dispatcher.start()
        self.safety_interval = safety_interval
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        # Held while re-arming; ``disarm`` takes it to stop re-arming for good.
        self._arming = threading.Lock()
        self._disarmed = False

    def run_once(self) -> DispatchReport:
        with self._lock:
            return self._loop.run_until_complete(self.dispatcher.dispatch_due())

    def fire(self) -> None:
        try:
            report = self.run_once()
            if report.claimed:
                log.info(
                    "dispatched %d reminders: %d sent, %d retrying, %d failed, %d expired",
                    report.claimed,
                    report.sent,
                    report.retried,
                    report.failed,
                    report.expired,
                )
        except Exception as exc:  # keep the alarm alive; the rows stay due
            log.error("dispatch failed: %s", type(exc).__name__, exc_info=exc)
        finally:
            self.arm()

    def wake_at(self) -> datetime:
        now = self.runtime.clock.now()
        latest = now + self.safety_interval
        try:
            due = self.dispatcher.next_wake()
        except Exception as exc:
            log.warning("could not read the next due time: %s", type(exc).__name__)
            due = None
        return latest if due is None else max(now, min(due, latest))

    def arm(self) -> None:
        if self._disarmed:
            return
        run_date = self.wake_at()  # a query: outside the lock, so ``disarm`` never waits on it
        with self._arming:
            if self._disarmed or self.scheduler.state == STATE_STOPPED:
                return  # shutting down: nothing to wake
            self.scheduler.add_job(
                self.fire,
                "date",
                run_date=run_date,
                id=DISPATCH_JOB_ID,
                replace_existing=True,
                misfire_grace_time=None,
                coalesce=True,
            )

    def disarm(self) -> None:
        """Stop re-arming; returns once a re-arming in progress is done. The worker calls it
        before the scheduler's shutdown, which holds the job-store lock while it waits for
        running jobs: a ``fire`` re-arming at that moment would wait for that lock forever."""
        with self._arming:
            self._disarmed = True

    def close(self) -> None:
        with self._lock:
            self._loop.run_until_complete(self.dispatcher.aclose())
            self._loop.close()


def replan_all(runtime: Runtime) -> int:
    """Re-plan every user, each in its own transaction; one user's error never stops the rest."""
    with runtime.session() as session:
        user_ids = list(session.scalars(select(User.id)))
    done = 0
    for user_id in user_ids:
        try:
            with runtime.session() as session:
                replan_user(
                    session=session,
                    user_id=user_id,
                    now=runtime.clock.now(),
                    horizon_days=runtime.settings.sync_future_days,
                )
            done += 1
        except Exception as exc:
            log.warning("re-plan failed for a user: %s", type(exc).__name__)
    return done


def register_dispatch(
    scheduler: BaseScheduler, runtime: Runtime, dispatcher: Dispatcher | None = None
) -> DispatchAlarm:
    """Only the dispatch alarm (first run at once); ``register`` adds the re-plan job."""
    alarm = DispatchAlarm(scheduler, runtime, dispatcher)
    scheduler.add_job(
        alarm.fire,
        "date",
        run_date=runtime.clock.now(),
        id=DISPATCH_JOB_ID,
        replace_existing=True,
        misfire_grace_time=None,
    )
    return alarm


def register(scheduler: BaseScheduler, runtime: Runtime) -> DispatchAlarm:
    alarm = register_dispatch(scheduler, runtime)
    now = runtime.clock.now()
    scheduler.add_job(
        replan_all,
        "interval",
        args=[runtime],
        seconds=int(REPLAN_INTERVAL.total_seconds()),
        next_run_time=now + timedelta(seconds=10),
        id=REPLAN_JOB_ID,
        replace_existing=True,
        misfire_grace_time=None,
        coalesce=True,
    )
    return alarm
