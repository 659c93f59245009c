"""Large batches from the send processes: encrypted and posted there, every body decrypts on
its device, a hanging push service holds up only its own chunk, and the processes die with
their worker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from interlude.core.clock import FrozenClock
from interlude.push.send_pool import (
    CHUNK_SIZE,
    POOL_THRESHOLD,
    SendJob,
    SendPool,
    TransportOptions,
)
from interlude.push.sender import PushMessage, PushResult, PushSender, PushTarget
from interlude.push.vapid import VapidIdentity
from tests.support.push_service import LocalPushService, LocalSubscription

ROOT = Path(__file__).resolve().parents[2]
SUBJECT = "mailto:ops@interlude.example"


def make_pool(processes: int = 1, *, timeout: float = 5.0) -> SendPool:
    return SendPool(
        processes,
        TransportOptions(timeout=timeout, max_connections=64, allow_private_network=True),
    )


def messages_for(devices: list[LocalSubscription]) -> list[PushMessage]:
    return [
        PushMessage(PushTarget(uuid.uuid4(), d.endpoint, d.p256dh, d.auth), {"n": n}, 600, f"t{n}")
        for n, d in enumerate(devices)
    ]


def make_sender(pool: SendPool, clock: FrozenClock) -> PushSender:
    return PushSender(
        vapid=VapidIdentity.generate(),
        subject=SUBJECT,
        clock=clock,
        allow_private_network=True,
        pool=pool,
    )


async def send_all_async(
    pool: SendPool, clock: FrozenClock, messages: list[PushMessage]
) -> list[PushResult]:
    sender = make_sender(pool, clock)
    try:
        return await sender.send_many(messages)
    finally:
        await sender.aclose()


def send_all(pool: SendPool, clock: FrozenClock, messages: list[PushMessage]) -> list[PushResult]:
    return asyncio.run(send_all_async(pool, clock, messages))


def test_a_large_batch_is_encrypted_and_posted_by_the_pool(
    push_service: LocalPushService, clock: FrozenClock
) -> None:
    devices = [push_service.subscribe() for _ in range(POOL_THRESHOLD + 8)]
    pool = make_pool()
    try:
        results = send_all(pool, clock, messages_for(devices))
        assert any(child is not None for child in pool._children), "the pool was not used"
    finally:
        pool.shutdown()
    assert [r.outcome for r in results] == ["sent"] * len(devices)
    for n, device in enumerate(devices):
        (push,) = push_service.received(device)
        assert push.payload == {"n": n}  # decrypted with the device's own keys
        assert push.topic == f"t{n}"


def test_a_small_batch_is_sent_in_place(push_service: LocalPushService, clock: FrozenClock) -> None:
    devices = [push_service.subscribe() for _ in range(3)]
    pool = make_pool()
    results = send_all(pool, clock, messages_for(devices))
    assert pool._children == [None], "a lone message paid for a process hop"
    assert [r.outcome for r in results] == ["sent"] * 3


def test_a_malformed_device_key_fails_only_its_own_message(
    push_service: LocalPushService, clock: FrozenClock
) -> None:
    devices = [push_service.subscribe() for _ in range(POOL_THRESHOLD)]
    messages = messages_for(devices)
    broken = messages[5].target
    messages[5] = PushMessage(
        PushTarget(broken.subscription_id, broken.endpoint, "not-a-key", broken.auth),
        {"n": 5},
        600,
        None,
    )
    pool = make_pool()
    try:
        results = send_all(pool, clock, messages)
    finally:
        pool.shutdown()
    assert results[5].outcome == "failed"
    assert "could not prepare the message" in results[5].reason
    assert all(r.outcome == "sent" for n, r in enumerate(results) if n != 5)


def test_a_hanging_push_service_holds_up_only_its_own_chunk(
    push_service: LocalPushService, clock: FrozenClock
) -> None:
    """One process, two batches: the first waits on a hanging device until its timeout, the
    second (sent while the first hangs) is answered long before that."""
    slow = [push_service.subscribe() for _ in range(POOL_THRESHOLD)]
    push_service.hang(slow[0])
    fast = [push_service.subscribe() for _ in range(POOL_THRESHOLD)]
    pool = make_pool(timeout=3.0)

    async def run() -> tuple[float, float, list[PushResult]]:
        sender = make_sender(pool, clock)
        started = time.monotonic()

        async def timed(messages: list[PushMessage]) -> tuple[float, list[PushResult]]:
            results = await sender.send_many(messages)
            return time.monotonic() - started, results

        try:
            first = asyncio.create_task(timed(messages_for(slow)))
            await asyncio.sleep(0.3)
            fast_took, fast_results = await timed(messages_for(fast))
            slow_took, slow_results = await first
        finally:
            await sender.aclose()
        assert all(r.outcome == "sent" for r in fast_results)
        return fast_took, slow_took, slow_results

    try:
        pool.start()
        fast_took, slow_took, slow_results = asyncio.run(run())
    finally:
        pool.shutdown()
    assert slow_results[0].outcome == "retry" and "timed out" in slow_results[0].reason
    assert slow_took >= 3.0
    assert fast_took < 2.5, f"the second batch waited {fast_took:.1f} s behind the hang"


def test_a_dead_send_process_means_retry_and_a_replacement(
    push_service: LocalPushService, clock: FrozenClock
) -> None:
    devices = [push_service.subscribe() for _ in range(POOL_THRESHOLD)]
    push_service.hang(devices[0])  # keeps the first chunk in the process while we kill it
    pool = make_pool(timeout=30.0)

    async def run() -> list[PushResult]:
        sender = make_sender(pool, clock)
        try:
            batch = asyncio.create_task(sender.send_many(messages_for(devices)))
            deadline = time.monotonic() + 30
            while not push_service.attempts(devices[0]) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            child = pool._children[0]
            assert child is not None and child.pid is not None
            os.kill(child.pid, signal.SIGKILL)
            return await asyncio.wait_for(batch, timeout=10)
        finally:
            await sender.aclose()

    try:
        results = asyncio.run(run())
        assert len(results) == POOL_THRESHOLD
        assert results[0].outcome == "retry" and "send process stopped" in results[0].reason
        push_service.deliver_normally(devices[0])
        again = send_all(pool, clock, messages_for(devices))  # a new process takes over
    finally:
        pool.shutdown()
    assert [r.outcome for r in again] == ["sent"] * POOL_THRESHOLD


_KILLED_WORKER = """
import sys
from interlude.push.send_pool import SendPool, TransportOptions
pool = SendPool(2, TransportOptions(timeout=5, max_connections=8, allow_private_network=True))
pool.start()
print(" ".join(str(c.pid) for c in pool._children), flush=True)
sys.stdin.read()
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state  # a zombie has exited; only its parent's wait is missing


def test_send_processes_leave_when_their_worker_is_killed() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "backend")}
    worker = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WORKER],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    children = [int(pid) for pid in worker.stdout.readline().split()]
    assert len(children) == 2 and not any(_gone(pid) for pid in children)

    worker.send_signal(signal.SIGKILL)  # no chance to shut the pool down
    worker.wait(timeout=10)
    deadline = time.monotonic() + 60  # generous: CI machines can be loaded
    while time.monotonic() < deadline and not all(_gone(pid) for pid in children):
        time.sleep(0.2)
    assert all(_gone(pid) for pid in children), "send processes outlived their worker"


def test_chunks_are_spread_over_the_processes(
    push_service: LocalPushService, clock: FrozenClock
) -> None:
    devices = [push_service.subscribe() for _ in range(2 * CHUNK_SIZE)]
    pool = make_pool(2)
    try:
        results = send_all(pool, clock, messages_for(devices))
        pids = {child.pid for child in pool._children if child is not None}
    finally:
        pool.shutdown()
    assert len(pids) == 2
    assert [r.outcome for r in results] == ["sent"] * len(devices)


def _job(device: LocalSubscription, headers: dict[str, str]) -> SendJob:
    return SendJob(b'{"n": 1}', device.p256dh, device.auth, device.endpoint, headers)


def test_an_unexpected_error_in_a_send_process_retries_only_its_own_message(
    push_service: LocalPushService, clock: FrozenClock
) -> None:
    """A header value that is not text at all raises an error the exchange does not expect:
    that message comes back ``retry``, its chunk is still answered, the process lives on."""
    devices = [push_service.subscribe() for _ in range(POOL_THRESHOLD)]
    sender = PushSender(vapid=VapidIdentity.generate(), subject=SUBJECT, clock=clock)
    headers = sender._build_headers(
        PushTarget(uuid.uuid4(), devices[0].endpoint, "", ""), 600, None, "high"
    )
    jobs = [_job(device, headers) for device in devices]
    jobs[3] = _job(devices[3], {**headers, "X-Broken": 5})  # type: ignore[dict-item]
    pool = make_pool()
    try:
        results = asyncio.run(pool.send_many(jobs))
        again = asyncio.run(pool.send_many(jobs[:POOL_THRESHOLD]))
    finally:
        pool.shutdown()
    assert results[3].outcome == "retry" and "could not send" in results[3].reason
    assert [r.outcome for n, r in enumerate(results) if n != 3] == ["sent"] * (len(jobs) - 1)
    assert again[0].outcome == "sent"
    assert push_service.attempts(devices[3]) == []  # the broken message never left


def test_a_caller_that_gives_up_does_not_break_the_pool(
    push_service: LocalPushService, clock: FrozenClock
) -> None:
    devices = [push_service.subscribe() for _ in range(POOL_THRESHOLD)]
    push_service.hang(devices[0], times=1)
    pool = make_pool(timeout=2.0)

    async def run() -> list[PushResult]:
        abandoned = asyncio.create_task(send_all_async(pool, clock, messages_for(devices)))
        await asyncio.sleep(1.0)
        abandoned.cancel()  # e.g. the worker shutting down mid-batch
        await asyncio.sleep(2.5)  # the process answers the abandoned chunk meanwhile
        return await send_all_async(pool, clock, messages_for(devices))

    try:
        results = asyncio.run(run())
    finally:
        pool.shutdown()
    assert [r.outcome for r in results] == ["sent"] * len(devices)
