"""aes128gcm (RFC 8291) encryption of one push message, by http_ece.

The CPU-bound half of a push: a fresh ephemeral P-256 key and an ECDH per message, 0.15-0.3
ms of one core. ``PushSender`` encrypts in its own process, or, where a worker is given
encryption processes (``push_encryption_processes``), hands batches to ``encrypt_many`` in a
``ProcessPoolExecutor``: bytes in, bytes out.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import NamedTuple

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec


class EncryptionJob(NamedTuple):
    """What one message needs: the JSON payload and the device's keys (base64url)."""

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


def encrypt_many(jobs: Sequence[EncryptionJob]) -> list[bytes | str]:
    """Each job's body, or the name of the error its keys raised (picklable both ways)."""
    bodies: list[bytes | str] = []
    for job in jobs:
        try:
            bodies.append(encrypt(job))
        except EncryptionError as exc:
            bodies.append(str(exc))
    return bodies
