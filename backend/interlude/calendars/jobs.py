"""The worker's calendar job: every 30 s, sync the sources that are due.

Each source carries its own ``next_sync_at`` (service.poll_interval: 2 to 4 minutes by default,
longer only after failures or a server's Retry-After); the job only has to wake often enough
that a due source does not wait long: 30 s adds at most that to a change's delay.
"""

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


TICK_SECONDS = 30


def register(scheduler: BaseScheduler, runtime: Runtime) -> None:
    owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    # Finding nothing due is one indexed query: cheap enough to ask twice a minute.
    scheduler.add_job(
        tick,
        "interval",
        seconds=TICK_SECONDS,
        jitter=5,
        args=(runtime, owner),
        id="calendars.sync",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
