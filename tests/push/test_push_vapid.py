"""The deployment's VAPID identity: created once, encrypted at rest, race-safe."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from interlude.push.models import VapidKey
from interlude.push.vapid import VapidIdentity, load_or_create_vapid


def test_created_once_and_loaded_after(runtime, clock):
    with runtime.session() as session:
        first = load_or_create_vapid(session=session, keyring=runtime.keyring, now=clock.now())
    with runtime.session() as session:
        again = load_or_create_vapid(session=session, keyring=runtime.keyring)
        row = session.get(VapidKey, 1)
    assert again.public_key == first.public_key
    assert again.private_pem() == first.private_pem()
    assert row is not None and row.created_at == clock.now()
    assert first.private_pem() not in row.private_key_encrypted


def test_the_public_key_endpoint_uses_the_same_identity(client, auth, runtime):
    key = client.get("/api/v1/push/vapid-public-key", headers=auth).json()["public_key"]
    with runtime.session() as session:
        assert load_or_create_vapid(session=session, keyring=runtime.keyring).public_key == key


def test_concurrent_first_use_yields_one_identity(runtime):
    barrier = threading.Barrier(4)
    keys: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            with runtime.session() as session:
                keys.append(
                    load_or_create_vapid(session=session, keyring=runtime.keyring).public_key
                )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(keys)) == 1 and len(keys) == 4
    with runtime.session() as session:
        assert session.scalar(select(func.count()).select_from(VapidKey)) == 1
        stored = session.get(VapidKey, 1)
        assert stored is not None and stored.public_key == keys[0]


def test_identity_round_trips_through_pem():
    identity = VapidIdentity.generate()
    assert VapidIdentity.from_pem(identity.private_pem()).public_key == identity.public_key
