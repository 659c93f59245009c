"""Reading a calendar in a child process with a time and a memory budget.

Parsing and expanding are pure Python in libraries we do not control: a 700-byte calendar
can make them loop for ever or allocate without bound, and a thread cannot be stopped.
A process can. Each read runs in its own process forked from a ``forkserver`` that has
icalendar and recurring-ical-events imported already (a fork costs ~10-30 ms; a fresh
interpreter ~0.5 s), with an address-space limit (``RLIMIT_AS``) and a CPU limit set
inside it; the caller waits at most ``seconds`` and then kills it. Nothing from the
caller's process (database connections, threads) is copied into it.

Only what is stored crosses back: per instance a keyed identity hash (the UID is hashed in
the child), times and flags, plus warnings written by Interlude. Titles, descriptions,
attendees and UIDs never leave the child.
"""

from __future__ import annotations

import functools
import logging
import math
import multiprocessing
import os
import resource
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from multiprocessing import process as mp_process
from multiprocessing.connection import Connection
from typing import Any

from interlude.calendars import classify
from interlude.calendars.parse import (
    Busy,
    BusyRead,
    CalendarParseError,
    Window,
    identify,
    read_calendars,
)
from interlude.core.security import keyed_identity_hash
from interlude.core.settings import Settings

log = logging.getLogger("interlude.calendars")

# Imported once in the fork server, not again in every child: this module (its target and
# everything it imports: icalendar, recurring-ical-events, settings).
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload([__name__])
_MAIN_PATH = "INTERLUDE_PARSE_MAIN_PATH"


def _main_path() -> str | None:
    """The parent's main script, as multiprocessing names it to each child."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None or getattr(getattr(main, "__spec__", None), "name", None):
        return None
    original_dir = getattr(mp_process, "ORIGINAL_DIR", None)
    if not os.path.isabs(path) and original_dir is not None:
        path = os.path.join(original_dir, path)
    return os.path.normpath(path)


def _prepare_fork_server() -> None:
    """Each child would otherwise run the parent's main script again (``pytest``, the
    ``interlude`` script and what they import: 0.1-4 s per read). Python 3.11's fork
    server never receives the main path its ``"__main__"`` preload needs, so the parent
    passes it in the environment the fork server inherits, and the fork server (importing
    this module) names its own ``__main__`` after it: the children then see the main
    module as already loaded. Their target is in this module; they need nothing from it.

    The fork server also reads the sample calendar once, so the children inherit warm
    caches (the zone list, icalendar's lazily imported parts): ~100 ms less per read."""
    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__file__", None) is None and _MAIN_PATH in os.environ:
        main.__file__ = os.environ.pop(_MAIN_PATH)  # in the fork server
        _warm_up()
    elif (path := _main_path()) is not None:
        os.environ[_MAIN_PATH] = path  # in the parent, before the fork server starts


def _warm_up() -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from interlude.calendars.sample import sample_ics

    now = datetime(2026, 1, 5, 12, tzinfo=UTC)
    zone = ZoneInfo("America/New_York")
    window = Window(now, now + timedelta(days=2), zone)
    read_calendars([sample_ics(now=now, zone=zone)], window=window, rule=classify.Rule())


_prepare_fork_server()

TOO_COSTLY = (
    "This calendar is too large or complex to read within Interlude's limits ({what}): "
    "check for events that repeat without end, or export a shorter date range."
)
_FAILED = "Interlude could not read this calendar file."


@dataclass(frozen=True)
class ParseBudget:
    seconds: float = 60.0
    memory_mb: int = 512
    processes: int = 4
    queue_seconds: float | None = None  # wait for a free process; None: up to ``seconds``

    @classmethod
    def from_settings(
        cls, settings: Settings, *, queue_seconds: float | None = None
    ) -> ParseBudget:
        return cls(
            seconds=settings.calendar_parse_seconds,
            memory_mb=settings.calendar_parse_memory_mb,
            processes=settings.calendar_parse_processes,
            queue_seconds=queue_seconds,
        )

    @property
    def series_seconds(self) -> float:
        """One series may use a twentieth of the budget (3 s of 60) before it alone is
        skipped: a real series expands in milliseconds, and a calendar can hold twenty
        never-ending ones before the whole read is over budget."""
        return max(0.5, self.seconds / 20)


class ParseBudgetExceeded(CalendarParseError):
    pass


_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def _slots_for(processes: int) -> threading.BoundedSemaphore:
    with _slots_lock:
        if processes not in _slots:
            _slots[processes] = threading.BoundedSemaphore(processes)
        return _slots[processes]


def read_isolated(
    texts: Sequence[str],
    *,
    window: Window,
    rule: classify.Rule,
    identity_key: bytes,
    budget: ParseBudget,
) -> BusyRead:
    """``read_calendars`` + ``identify`` in a child process; raises ``CalendarParseError``
    (``ParseBudgetExceeded`` when over budget) with a message fit to show and store."""
    slots = _slots_for(budget.processes)
    # At most ``processes`` reads at once per server process: memory stays bounded at
    # ``processes`` x ``memory_mb`` however many uploads and syncs arrive together.
    queue = budget.seconds if budget.queue_seconds is None else budget.queue_seconds
    if not slots.acquire(timeout=queue):
        raise CalendarParseError(
            "Interlude is busy reading other calendars right now; try again in a minute."
        )
    try:
        return _run(list(texts), window, rule, identity_key, budget)
    finally:
        slots.release()


def _run(
    texts: list[str], window: Window, rule: classify.Rule, key: bytes, budget: ParseBudget
) -> BusyRead:
    parent, child = _context.Pipe()
    process = _context.Process(
        target=_child_main,
        args=(child, budget.memory_mb, budget.seconds, budget.series_seconds),
        name="calendar-parse",
        daemon=True,
    )
    began = time.monotonic()
    process.start()
    child.close()
    answer: tuple[Any, ...] | None = None
    try:
        parent.send((texts, window, rule, key))
        if parent.poll(max(0.0, began + budget.seconds - time.monotonic())):
            answer = parent.recv()
    except (EOFError, OSError):
        answer = None  # the child died: its memory or CPU limit, or the OOM killer
    finally:
        parent.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    took = time.monotonic() - began
    if answer is None:
        timed_out = took >= budget.seconds
        log.warning(
            "a calendar read went over its %s budget after %.1f s; stopped",
            "time" if timed_out else "memory",
            took,
        )
        what = (
            f"it took longer than {budget.seconds:g} seconds"
            if timed_out
            else f"it needed more than {budget.memory_mb} MB of memory"
        )
        raise ParseBudgetExceeded(TOO_COSTLY.format(what=what))
    kind = answer[0]
    if kind == "ok":
        busy = [Busy(*row) for row in answer[1]]
        return BusyRead(busy=busy, warnings=list(answer[2]), peak_memory_kb=int(answer[3]))
    if kind == "unreadable":
        raise CalendarParseError(str(answer[1]))
    if kind == "memory":
        raise ParseBudgetExceeded(
            TOO_COSTLY.format(what=f"it needed more than {budget.memory_mb} MB of memory")
        )
    raise CalendarParseError(_FAILED)


# --- the child ------------------------------------------------------------------------------


def _limit_resources(memory_mb: int, seconds: float) -> None:
    """Cap this process's address space (above what the interpreter already maps) and its
    CPU time (a backstop: the parent kills it at ``seconds`` of wall-clock time)."""
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = mapped + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = math.ceil(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _child_main(conn: Connection, memory_mb: int, seconds: float, series_seconds: float) -> None:
    try:
        _limit_resources(memory_mb, seconds)
        texts, window, rule, key = conn.recv()
        result = read_calendars(texts, window=window, rule=rule, series_seconds=series_seconds)
        del texts
        read = identify(result, functools.partial(keyed_identity_hash, key))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        conn.send(("ok", [astuple(b) for b in read.busy], read.warnings, peak))
    except CalendarParseError as exc:
        conn.send(("unreadable", exc.message))
    except MemoryError:
        conn.send(("memory",))
    except Exception as exc:  # the library's message may quote the data: only its type
        log.warning("calendar read failed unexpectedly: %s", type(exc).__name__)
        conn.send(("failed",))
    finally:
        conn.close()
