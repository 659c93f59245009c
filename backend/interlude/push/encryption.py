"""aes128gcm (RFC 8291) encryption of push messages, in this process or in a process pool.

Encryption is the CPU-bound half of a push (a fresh ephemeral P-256 key and an ECDH per
message, ~0.15 ms of one core); the other half is the HTTP exchange on the event loop. In one
Python process the two take turns under the GIL, so a burst of thousands of reminders is
bound by their sum. ``EncryptionPool`` moves the encryption of large batches to other
processes (other cores) in chunks, so the event loop only posts; small batches — a lone
reminder, a test notification — are encrypted in place, where the hop to another process
would cost more than it saves.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import NamedTuple

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec

log = logging.getLogger("interlude.push")

# Below this many messages a batch is encrypted in place; at or above, in the pool.
POOL_THRESHOLD = 32
# Messages per task sent to a pool process: big enough that pickling and the process hop are
# a few percent of the work, small enough that the first posts start within a few ms.
CHUNK_SIZE = 100


class EncryptionJob(NamedTuple):
    """What one message needs: the JSON payload and the device's keys (base64url). A tuple:
    it crosses to the pool processes pickled, and tuples pickle far lighter than objects."""

    data: bytes
    p256dh: str
    auth: str


class EncryptionError(ValueError):
    """The device's stored keys cannot be used (malformed key or auth secret)."""


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt(job: EncryptionJob) -> bytes:
    """aes128gcm exactly as pywebpush does it: a fresh ephemeral P-256 key per message, ECDH
    with the device key and its auth secret, all inside http_ece."""
    try:
        body: bytes = http_ece.encrypt(
            job.data,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            dh=_b64url_decode(job.p256dh),
            auth_secret=_b64url_decode(job.auth),
            version="aes128gcm",
        )
    except Exception as exc:  # a malformed stored key must not fail its neighbours
        raise EncryptionError(type(exc).__name__) from exc
    return body


def encrypt_chunk(jobs: Sequence[EncryptionJob]) -> list[bytes | str]:
    """Runs in a pool process: each body, or the error's name for that message alone."""
    out: list[bytes | str] = []
    for job in jobs:
        try:
            out.append(encrypt(job))
        except EncryptionError as exc:
            out.append(str(exc))
    return out


def _exit_with_parent(parent_pid: int) -> None:
    """Pool-process initializer: leave when the worker that started us is gone.

    A worker killed with SIGKILL cannot shut its pool down, and the pool's queue keeps its
    processes waiting forever; re-parenting (``getppid`` changes) tells them to go.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _warm_up() -> int:
    # Importing this module in the child loads cryptography and http_ece: do it before the
    # first burst rather than during it.
    return len(encrypt_chunk([]))


class EncryptionPool:
    """A pool of ``processes`` encryption processes, started on first use (or ``start()``).

    ``processes=0`` encrypts everything in the calling process. Processes are spawned (not
    forked): the worker holds database connections and scheduler threads a fork would copy.
    """

    def __init__(self, processes: int) -> None:
        if processes < 0:
            raise ValueError("processes must be 0 or more")
        self.processes = processes
        self._executor: Executor | None = None

    def start(self) -> None:
        """Spawn the processes now and load their imports in the background."""
        if self.processes and self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
            for _ in range(self.processes):
                self._executor.submit(_warm_up)

    async def encrypt_many(self, jobs: Sequence[EncryptionJob]) -> list[bytes | str]:
        """Every job's body (or error name), in order."""
        chunks = await asyncio.gather(*(bodies for _, bodies in self.submit_chunks(jobs)))
        return [body for chunk in chunks for body in chunk]

    def submit_chunks(
        self, jobs: Sequence[EncryptionJob]
    ) -> list[tuple[int, asyncio.Future[list[bytes | str]]]]:
        """Submit every chunk now; (offset, future) pairs complete as the pool gets to them,
        so the caller can post the first chunk while later ones are still being encrypted.
        Below ``POOL_THRESHOLD`` jobs (or without processes) they are encrypted in place."""
        loop = asyncio.get_running_loop()
        use_pool = bool(self.processes) and len(jobs) >= POOL_THRESHOLD
        if use_pool:
            self.start()
        pairs: list[tuple[int, asyncio.Future[list[bytes | str]]]] = []
        for offset in range(0, len(jobs), CHUNK_SIZE):
            chunk = jobs[offset : offset + CHUNK_SIZE]
            future: asyncio.Future[list[bytes | str]]
            if use_pool:
                assert self._executor is not None
                future = loop.run_in_executor(self._executor, encrypt_chunk, chunk)
            else:
                future = loop.create_future()
                future.set_result(encrypt_chunk(chunk))
            pairs.append((offset, future))
        return pairs

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
