"""The worker's calendar job: every SYNC_INTERVAL_MINUTES (with jitter) sync what is due."""

from __future__ import annotations

import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

from apscheduler.schedulers.base import BaseScheduler

from interlude.calendars.sync import run_due_syncs
from interlude.core.runtime import Runtime

# Feeds are I/O bound: a few threads overlap the waiting; the database writes stay short.
_THREADS = 4


def tick(runtime: Runtime, owner: str) -> int:
    """Sync every due source, batch by batch, until none is due."""
    total = 0
    with ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="calendar-sync") as pool:
        while True:
            synced = run_due_syncs(
                runtime, now=runtime.clock.now(), owner=owner, limit=50, map_fn=pool.map
            )
            total += synced
            if synced == 0:
                return total


def register(scheduler: BaseScheduler, runtime: Runtime) -> None:
    owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    interval = runtime.settings.sync_interval_minutes
    # Sources are due on their own next_sync_at; the job wakes often enough to honour that.
    scheduler.add_job(
        tick,
        "interval",
        minutes=max(1, min(interval, 5)),
        jitter=30,
        args=(runtime, owner),
        id="calendars.sync",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
