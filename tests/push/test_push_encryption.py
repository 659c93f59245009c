"""aes128gcm in place and in the encryption pool: every body decrypts with its device's keys."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from interlude.push.encryption import POOL_THRESHOLD, EncryptionJob, EncryptionPool
from tests.support.push_service import LocalPushService

ROOT = Path(__file__).resolve().parents[2]


def _jobs(service: LocalPushService, count: int) -> tuple[list[EncryptionJob], list]:
    devices = [service.subscribe() for _ in range(count)]
    jobs = [
        EncryptionJob(f'{{"n": {n}}}'.encode(), device.p256dh, device.auth)
        for n, device in enumerate(devices)
    ]
    return jobs, devices


def test_a_large_batch_is_encrypted_in_the_pool_and_each_body_decrypts(
    push_service: LocalPushService,
) -> None:
    jobs, devices = _jobs(push_service, POOL_THRESHOLD + 8)
    pool = EncryptionPool(1)
    try:
        bodies = asyncio.run(pool.encrypt_many(jobs))
        assert pool._executor is not None, "the batch was not sent to the pool"
    finally:
        pool.shutdown()
    assert len(bodies) == len(jobs)
    for job, device, body in zip(jobs, devices, bodies, strict=True):
        assert isinstance(body, bytes)
        assert device.decrypt(body) == job.data


def test_a_small_batch_is_encrypted_in_place(push_service: LocalPushService) -> None:
    jobs, devices = _jobs(push_service, 3)
    pool = EncryptionPool(1)
    bodies = asyncio.run(pool.encrypt_many(jobs))
    assert pool._executor is None, "a lone message paid for a process hop"
    assert [d.decrypt(b) for d, b in zip(devices, bodies, strict=True)] == [j.data for j in jobs]


def test_a_malformed_device_key_fails_only_its_own_message(
    push_service: LocalPushService,
) -> None:
    jobs, devices = _jobs(push_service, POOL_THRESHOLD)
    jobs[5] = EncryptionJob(jobs[5].data, "not-a-key", jobs[5].auth)
    pool = EncryptionPool(1)
    try:
        bodies = asyncio.run(pool.encrypt_many(jobs))
    finally:
        pool.shutdown()
    assert isinstance(bodies[5], str)
    others = [(d, b) for n, (d, b) in enumerate(zip(devices, bodies, strict=True)) if n != 5]
    assert all(isinstance(b, bytes) and d.decrypt(b) for d, b in others)


_KILLED_WORKER = """
import asyncio, multiprocessing, sys, time
from interlude.push.encryption import EncryptionPool
pool = EncryptionPool(2)
pool.start()
# Both processes have run their initializer once they have answered a task.
asyncio.run(pool.encrypt_many([]))
pool._executor.submit(len, []).result()
print(" ".join(str(p.pid) for p in multiprocessing.active_children() if p.pid), flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state  # a zombie has exited; only its parent's wait is missing


def test_pool_processes_leave_when_their_worker_is_killed() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "backend")}
    worker = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WORKER], env=env, stdout=subprocess.PIPE, text=True
    )
    assert worker.stdout is not None
    children = [int(pid) for pid in worker.stdout.readline().split()]
    assert len(children) == 2 and not any(_gone(pid) for pid in children)

    worker.send_signal(signal.SIGKILL)  # no chance to shut the pool down
    worker.wait(timeout=10)
    deadline = time.monotonic() + 60  # generous: CI machines can be loaded
    while time.monotonic() < deadline and not all(_gone(pid) for pid in children):
        time.sleep(0.2)
    assert all(_gone(pid) for pid in children), "pool processes outlived their worker"
