"""The push domain's scheduled work: the device-health email (push/alerts.py).

Scheduled only when SMTP is configured. Every ``ALERT_CHECK_INTERVAL`` the worker looks for
users whose every device is silent or gone; the day's limit lives in the database.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler

from interlude.core.runtime import Runtime
from interlude.push.alerts import send_alerts

log = logging.getLogger("interlude.push.jobs")

ALERT_JOB_ID = "push.health_alerts"
ALERT_CHECK_INTERVAL = timedelta(minutes=30)


def check(runtime: Runtime) -> None:
    try:
        send_alerts(runtime)
    except Exception as exc:  # the next pass tries again
        log.error("device-health alerts failed: %s", type(exc).__name__)


def register(scheduler: BaseScheduler, runtime: Runtime) -> None:
    if not runtime.settings.email_enabled:
        return
    scheduler.add_job(
        check,
        "interval",
        seconds=int(ALERT_CHECK_INTERVAL.total_seconds()),
        jitter=60,
        args=(runtime,),
        id=ALERT_JOB_ID,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
