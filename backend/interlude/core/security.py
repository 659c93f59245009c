"""Password hashing, opaque tokens and encryption at rest."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Passwords:
    """Argon2id hashing. Defaults are argon2-cffi's RFC 9106 low-memory profile; operators on
    small machines (and the test suite) may lower the cost through settings."""

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4):
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )

    @functools.cached_property
    def _dummy_hash(self) -> str:
        """Verified against when the account does not exist: a miss costs the same time.
        Made by the first sign-in (whether or not its account exists, so the first miss is
        not slower than the first hit), not at start-up: one Argon2 hash, 64 MiB and
        ~0.3 s of CPU that ``interlude run`` would otherwise pay before it is ready."""
        return self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        dummy = self._dummy_hash  # on every call: the first sign-in pays for it either way
        try:
            matched = self._hasher.verify(password_hash or dummy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return matched and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _derive(secret_key: str, purpose: str, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode()).derive(
        secret_key.encode()
    )


def keyed_identity_hash(key: bytes, *parts: str) -> str:
    """``Keyring.identity_hash`` given the identity key (calendars' parse process uses it)."""
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


class Keyring:
    """Keys derived from the one root secret, one per purpose."""

    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 16:
            raise ValueError("INTERLUDE_SECRET_KEY must be at least 16 characters")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, "encryption-at-rest")))
        self._token_key = _derive(secret_key, "token-hash")
        self._identity_key = _derive(secret_key, "calendar-identity")
        self._link_fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, "signed-links")))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("stored secret cannot be decrypted with this SECRET_KEY") from exc

    def seal_link(self, data: bytes, *, now: datetime) -> str:
        """An encrypted, authenticated, timestamped token for a link sent by email (Fernet:
        the time of sealing is inside it, so ``open_link`` can refuse it once too old)."""
        return self._link_fernet.encrypt_at_time(data, int(now.timestamp())).decode()

    def open_link(self, token: str, *, now: datetime, max_age: timedelta) -> bytes | None:
        """The sealed data, or ``None`` when the token is forged, damaged or too old."""
        try:
            return self._link_fernet.decrypt_at_time(
                token.encode(), int(max_age.total_seconds()), int(now.timestamp())
            )
        except (InvalidToken, ValueError, TypeError):
            return None

    def hash_token(self, token: str) -> str:
        """Keyed hash for looking tokens up without storing them."""
        return hmac.new(self._token_key, token.encode(), hashlib.sha256).hexdigest()

    def identity_hash(self, *parts: str) -> str:
        """Keyed hash for calendar identities (UID + RECURRENCE-ID): stable, not reversible."""
        return keyed_identity_hash(self._identity_key, *parts)

    @property
    def identity_key(self) -> bytes:
        """The calendar identity key alone, for a parse process that hashes UIDs itself."""
        return self._identity_key
