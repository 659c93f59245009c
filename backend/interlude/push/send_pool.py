"""Sending large batches from other processes: each encrypts and posts its share.

A push costs two things in Python: aes128gcm encryption (a fresh ECDH per message) and the
HTTP exchange (asyncio + ``transport.py``). In one process both take turns under one GIL, so a burst
of thousands of reminders is bound by their sum on one core. ``SendPool`` hands chunks of
messages to ``processes`` spawned processes; each encrypts and posts them on its own event
loop over its own connection pool and sends back every message's ``PushResult``. The
worker's event loop keeps the database work: claim, device look-up, outcome writes.

A process keeps taking chunks while earlier ones wait for answers, so a slow or hanging push
service holds up only its own chunk. Small batches (a lone reminder, a test notification)
never come here: the hop would cost more than it saves.

Processes are spawned, not forked (the worker holds database connections and scheduler
threads a fork would copy), and each leaves as soon as its pipe to the worker closes, which
the kernel does when the worker dies, even by SIGKILL.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, NamedTuple

import uvloop

from interlude.core.clock import Clock, SystemClock
from interlude.core.gc_tuning import tune_for_serving
from interlude.push.answers import PushResult, exchange, unprepared
from interlude.push.encryption import EncryptionError, EncryptionJob, encrypt
from interlude.push.transport import PushTransport, post_bound

# Below this many messages a batch is sent from the calling process; at or above, from the
# pool's processes.
POOL_THRESHOLD = 32
# Messages per chunk handed to a process: big enough that pickling and the hop are a few
# percent of the work, small enough that the first posts start within a few ms.
CHUNK_SIZE = 100


class SendJob(NamedTuple):
    """One message as it crosses to a send process (a tuple: it pickles light)."""

    data: bytes  # the JSON payload, before encryption
    p256dh: str
    auth: str
    endpoint: str
    headers: dict[str, str]  # VAPID, TTL, Urgency, Topic: signed in the worker


@dataclass(frozen=True)
class TransportOptions:
    timeout: float
    max_connections: int
    allow_private_network: bool


class SendProcessStoppedError(RuntimeError):
    """A send process died (or stopped answering) with chunks in hand; their messages are
    to be retried."""


def batch_deadline(options: TransportOptions, messages: int, processes: int) -> float:
    """How long a batch may take in the send processes before the worker gives up on what
    is unanswered: every post is bounded (``post_bound``: connecting, then the answer), and
    each process posts its share in waves of ``max_connections``; plus room for a loaded
    machine."""
    share = -(-messages // max(processes, 1))
    waves = max(1, -(-share // options.max_connections))
    return post_bound(options.timeout) * waves + 30.0


async def post_job(job: SendJob, transport: PushTransport, clock: Clock) -> PushResult:
    """One message: encrypted right before its post (so posting starts with the first of a
    batch), then posted once the transport has a slot free. Both paths, in place and pooled."""
    try:
        body = encrypt(EncryptionJob(job.data, job.p256dh, job.auth))
    except EncryptionError as exc:
        return unprepared(str(exc))
    return await exchange(transport, job.endpoint, body, job.headers, clock)


# --- in a send process ---------------------------------------------------------------------


def _serve(conn: Connection, options: TransportOptions) -> None:
    """A send process's life: take chunks from ``conn`` until the worker closes it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the worker to handle
    tune_for_serving()
    try:
        # uvloop: measured ~10 % less CPU per push than asyncio's loop.
        uvloop.run(_ChunkPoster(conn, options).run())
    finally:
        os._exit(0)  # also when the loop broke: never outlive a broken pipe to the worker


class _ChunkPoster:
    def __init__(self, conn: Connection, options: TransportOptions) -> None:
        self.conn = conn
        self.options = options
        self.clock = SystemClock()
        # At most ``max_connections`` posts open: more wait for a slot, uncounted by the
        # timeouts, so a hanging push service cannot make the others time out.
        self.transport = PushTransport(
            timeout=options.timeout,
            max_connections=options.max_connections,
            allow_private_network=options.allow_private_network,
        )

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        inbox: asyncio.Queue[tuple[int, list[SendJob]] | None] = asyncio.Queue()
        threading.Thread(target=self._read, args=(loop, inbox), daemon=True).start()
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while (chunk := await inbox.get()) is not None:
                task = asyncio.create_task(self._post_chunk(*chunk))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
        finally:
            await self.transport.aclose()

    def _read(self, loop: asyncio.AbstractEventLoop, inbox: asyncio.Queue[Any]) -> None:
        """Blocking reads on a thread of their own. EOF (the worker closed the pipe or died)
        or anything unreadable ends the process."""
        while True:
            try:
                chunk = self.conn.recv()
            except BaseException:
                chunk = None
            loop.call_soon_threadsafe(inbox.put_nowait, chunk)
            if chunk is None:
                return

    async def _post_chunk(self, chunk_id: int, jobs: list[SendJob]) -> None:
        results = await asyncio.gather(*(self._post(job) for job in jobs))
        try:
            self.conn.send((chunk_id, results))
        except BaseException:
            os._exit(1)  # cannot answer: the worker sees the pipe close and retries the chunk

    async def _post(self, job: SendJob) -> PushResult:
        try:
            return await post_job(job, self.transport, self.clock)
        except Exception as exc:  # anything else: this message alone is retried
            return PushResult("retry", None, None, f"could not send ({type(exc).__name__})")


# --- in the worker -------------------------------------------------------------------------


def _settle(
    future: concurrent.futures.Future[list[PushResult]],
    results: list[PushResult] | None = None,
    error: BaseException | None = None,
) -> None:
    """Resolve ``future`` unless its caller already gave up on it (cancelled)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(results or [])


class SendPool:
    """``processes`` send processes, started on first use (or ``start()``); 0 = none, every
    batch is sent from the calling process."""

    def __init__(self, processes: int, options: TransportOptions) -> None:
        if processes < 0:
            raise ValueError("processes must be 0 or more")
        self.processes = processes
        self.options = options
        self._lock = threading.Lock()
        self._conns: list[Connection | None] = [None] * processes
        self._children: list[BaseProcess | None] = [None] * processes
        # One sender at a time per pipe (several event loops may share the pool).
        self._send_locks = [threading.Lock() for _ in range(processes)]
        # Per process: chunk id -> the future its results resolve.
        self._pending: list[dict[int, concurrent.futures.Future[list[PushResult]]]] = [
            {} for _ in range(processes)
        ]
        self._ids = itertools.count()
        self._next = 0
        self._wake_r: Connection | None = None
        self._wake_w: Connection | None = None
        self._reader: threading.Thread | None = None

    def takes(self, count: int) -> bool:
        """Whether a batch of ``count`` messages is worth the hop to the pool."""
        return bool(self.processes) and count >= POOL_THRESHOLD

    def start(self) -> None:
        """Spawn the processes not running; their imports load in the background. A process
        that died is replaced once the reader has taken what it had already answered."""
        if not self.processes:
            return
        with self._lock:
            context = multiprocessing.get_context("spawn")
            spawned = False
            for index, child in enumerate(self._children):
                if child is not None:
                    continue
                ours, theirs = context.Pipe(duplex=True)
                process = context.Process(
                    target=_serve, args=(theirs, self.options), name="interlude-send", daemon=True
                )
                process.start()
                theirs.close()  # the child holds its end now; ours alone tells it we are gone
                self._children[index] = process
                self._conns[index] = ours
                spawned = True
            if self._reader is None:
                self._wake_r, self._wake_w = context.Pipe(duplex=False)
                self._reader = threading.Thread(
                    target=self._read_results, name="interlude-send-results", daemon=True
                )
                self._reader.start()
            elif spawned:
                self._wake()  # the reader waits on the new pipes from now on

    async def send_many(self, jobs: Sequence[SendJob]) -> list[PushResult]:
        """Every job's result, in order. A chunk whose process died, or still unanswered at
        the ``batch_deadline``, comes back as ``retry`` results."""
        self.start()
        offsets = range(0, len(jobs), CHUNK_SIZE)
        futures = [
            asyncio.wrap_future(self._submit(list(jobs[o : o + CHUNK_SIZE]))) for o in offsets
        ]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + batch_deadline(self.options, len(jobs), self.processes)
        results: list[PushResult] = []
        for future, offset in zip(futures, offsets, strict=True):
            size = len(jobs[offset : offset + CHUNK_SIZE])
            left = max(0.0, deadline - loop.time())
            try:
                results.extend(await asyncio.wait_for(future, timeout=left))
            except SendProcessStoppedError as exc:
                results.extend(PushResult("retry", None, None, str(exc)) for _ in range(size))
            except TimeoutError:
                reason = "the send process did not answer in time"
                results.extend(PushResult("retry", None, None, reason) for _ in range(size))
        return results

    def _submit(self, chunk: list[SendJob]) -> concurrent.futures.Future[list[PushResult]]:
        """Hand ``chunk`` to the next running process (round robin)."""
        future: concurrent.futures.Future[list[PushResult]] = concurrent.futures.Future()
        with self._lock:
            index, conn = self._next_running()
            chunk_id = next(self._ids)
            if conn is not None:
                self._pending[index][chunk_id] = future
        if conn is None:
            _settle(future, error=SendProcessStoppedError("no send process is running"))
            return future
        try:
            with self._send_locks[index]:
                conn.send((chunk_id, chunk))
        except (OSError, ValueError):
            with self._lock:
                self._pending[index].pop(chunk_id, None)
            _settle(future, error=SendProcessStoppedError("the send process stopped"))
        return future

    def _next_running(self) -> tuple[int, Connection | None]:
        """The next process in turn that is alive (caller holds the lock)."""
        for _ in range(self.processes):
            index = self._next
            self._next = (self._next + 1) % self.processes
            child, conn = self._children[index], self._conns[index]
            if child is not None and conn is not None and child.is_alive():
                return index, conn
        return 0, None

    def _read_results(self) -> None:
        """The pool's reader thread: resolves each chunk's future as its results arrive."""
        while True:
            with self._lock:
                conns = [c for c in self._conns if c is not None]
                wake = self._wake_r
            if wake is None:
                return
            try:
                ready_list = wait([*conns, wake])
            except (OSError, ValueError):  # a pipe was closed under us: look again
                continue
            for ready in ready_list:
                if ready is wake:
                    try:
                        wake.recv()
                    except (EOFError, OSError):
                        return  # shut down
                    continue
                if isinstance(ready, Connection):
                    self._receive(ready)

    def _receive(self, conn: Connection) -> None:
        with self._lock:
            index = self._conns.index(conn) if conn in self._conns else None
        if index is None:
            return
        try:
            chunk_id, results = conn.recv()
        except (EOFError, OSError):  # answered everything it had, then died
            self._lost(index, conn)
            return
        with self._lock:
            future = self._pending[index].pop(chunk_id, None)
        if future is not None:
            _settle(future, results)

    def _lost(self, index: int, conn: Connection) -> None:
        """Process ``index`` died: its unanswered chunks fail (to be retried), and it is
        replaced on next use."""
        with self._lock:
            if self._conns[index] is not conn:
                return  # already replaced
            self._conns[index] = None
            pending, self._pending[index] = self._pending[index], {}
            child, self._children[index] = self._children[index], None
        conn.close()
        for future in pending.values():
            _settle(future, error=SendProcessStoppedError("the send process stopped"))
        if child is not None:
            child.join(timeout=0)

    def _wake(self) -> None:
        if self._wake_w is not None:
            self._wake_w.send(None)

    def shutdown(self) -> None:
        """Close every pipe: the processes finish (their unanswered posts are dropped).
        Blocks up to a few seconds: call it from a thread in async code."""
        with self._lock:
            conns, self._conns = self._conns, [None] * self.processes
            children, self._children = self._children, [None] * self.processes
            pending = self._pending
            self._pending = [{} for _ in range(self.processes)]
            wake_w, self._wake_w = self._wake_w, None
            wake_r, self._wake_r = self._wake_r, None
            reader, self._reader = self._reader, None
        if wake_w is not None:
            wake_w.close()  # the reader sees EOF and returns
        if reader is not None:
            reader.join(timeout=5)
        if wake_r is not None:
            wake_r.close()
        for conn in conns:
            if conn is not None:
                conn.close()
        for futures in pending:
            for future in futures.values():
                _settle(future, error=SendProcessStoppedError("the worker is shutting down"))
        for child in children:
            if child is not None:
                child.join(timeout=5)
                if child.is_alive():
                    child.kill()
