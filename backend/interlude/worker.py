"""The worker: APScheduler as an alarm clock only; all state lives in database rows.

Each domain with scheduled work has ``jobs.py`` exposing ``register(scheduler, runtime)``;
jobs claim their rows with leases, so several workers can run side by side.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from interlude.core.runtime import Runtime
from interlude.wiring import connect_domains

log = logging.getLogger("interlude.worker")

JOB_MODULES = (
    "interlude.calendars.jobs",
    "interlude.reminders.jobs",
    "interlude.push.jobs",
    "interlude.week_ahead.jobs",
)


class Worker:
    def __init__(self, runtime: Runtime, *, background: bool) -> None:
        self.runtime = runtime
        self.background = background
        # A standalone worker never builds the app: re-planning on its calendar syncs needs
        # the seams connected here too.
        connect_domains()
        # The in-memory job store holds no state worth keeping: rows do.
        self.scheduler: BaseScheduler = BackgroundScheduler(
            timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1}
        )
        self._stopped = threading.Event()
        self._closers: list[Callable[[], object]] = []
        self._disarms: list[Callable[[], object]] = []
        # The dispatch alarm is re-armed every few seconds; APScheduler's per-run INFO lines
        # would flood the log. Its warnings and errors still show.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)

    def register_jobs(self) -> list[str]:
        registered = []
        for name in JOB_MODULES:
            # A listed module that cannot be imported is a broken install: fail loudly.
            module = importlib.import_module(name)
            handle = module.register(self.scheduler, self.runtime)
            # ``disarm``: stop re-scheduling before the scheduler stops (it waits for running
            # jobs while holding the lock that scheduling takes); ``close``: after it stopped.
            for hook, into in (("disarm", self._disarms), ("close", self._closers)):
                method = getattr(handle, hook, None)
                if callable(method):
                    into.append(method)
            registered.append(name)
        return registered

    def start(self) -> None:
        modules = self.register_jobs()
        self.scheduler.start()
        log.info("worker started with jobs from %s", ", ".join(modules) or "no module")

    def run_forever(self) -> None:
        """Standalone ``interlude worker``: block until SIGTERM/SIGINT."""
        self.start()
        try:
            self._stopped.wait()
        except KeyboardInterrupt:
            pass
        finally:
            self.shutdown()

    def stop(self) -> None:
        self._stopped.set()

    def _close_job_modules(self) -> None:
        for close in self._closers:
            try:
                close()  # e.g. the dispatcher's HTTP client
            except Exception as exc:
                log.warning("closing a job module failed: %s", type(exc).__name__)
        self._closers.clear()

    def shutdown(self) -> None:
        for disarm in self._disarms:
            disarm()
        if self.scheduler.running:
            # Jobs first: APScheduler's shutdown marks the scheduler stopped before it takes the
            # job-store lock, and a pass over due jobs still running then fails to remove a
            # finished date job (JobLookupError in the scheduler's thread). Removing them takes
            # that lock, so it waits for such a pass; later passes find nothing to run.
            self.scheduler.remove_all_jobs()
            self.scheduler.shutdown(wait=True)
        # Closers may run event loops of their own (the dispatcher's HTTP client); inside
        # `interlude run` this is called from uvicorn's running loop, so use a plain thread.
        closer = threading.Thread(target=self._close_job_modules, name="worker-shutdown")
        closer.start()
        closer.join(timeout=30)
        log.info("worker stopped")
