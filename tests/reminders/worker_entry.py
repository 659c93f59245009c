"""A dispatch-only worker process for the multi-process tests.

``python -m tests.reminders.worker_entry BATCH LEASE_SECONDS`` with the ``INTERLUDE_*``
environment: the real ``DispatchAlarm`` on a real ``BackgroundScheduler``, without the
re-plan job (the tests' reminders belong to no calendar). On SIGTERM it prints what it did as
JSON on stdout and exits.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from interlude.core.runtime import Runtime
from interlude.core.settings import Settings
from interlude.reminders.dispatcher import Dispatcher, DispatchReport
from interlude.reminders.jobs import register_dispatch


def main() -> None:
    batch, lease = int(sys.argv[1]), float(sys.argv[2])
    runtime = Runtime.from_settings(Settings())
    dispatcher = Dispatcher(runtime, batch_size=batch, lease=timedelta(seconds=lease))
    totals = DispatchReport()
    original = dispatcher.dispatch_due

    async def counting(**kwargs):  # type: ignore[no-untyped-def]
        report = await original(**kwargs)
        totals.claimed += report.claimed
        totals.sent += report.sent
        return report

    dispatcher.dispatch_due = counting  # type: ignore[method-assign]
    scheduler = BackgroundScheduler(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1}
    )
    alarm = register_dispatch(scheduler, runtime, dispatcher)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    scheduler.start()
    print("ready", flush=True)
    stopped.wait()
    scheduler.shutdown(wait=True)
    alarm.close()
    print(json.dumps({"claimed": totals.claimed, "sent": totals.sent}), flush=True)


if __name__ == "__main__":
    main()
