"""Password hashing, opaque tokens and encryption at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Argon2id with the library's RFC 9106 "low memory" profile: ~50 ms on this class of machine.
_hasher = PasswordHasher()
# Verified against when the account does not exist, so a missing account costs the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _derive(secret_key: str, purpose: str, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode()).derive(
        secret_key.encode()
    )


class Keyring:
    """Keys derived from the one root secret, one per purpose."""

    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 16:
            raise ValueError("INTERLUDE_SECRET_KEY must be at least 16 characters")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, "encryption-at-rest")))
        self._token_key = _derive(secret_key, "token-hash")
        self._identity_key = _derive(secret_key, "calendar-identity")

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("stored secret cannot be decrypted with this SECRET_KEY") from exc

    def hash_token(self, token: str) -> str:
        """Keyed hash for looking tokens up without storing them."""
        return hmac.new(self._token_key, token.encode(), hashlib.sha256).hexdigest()

    def identity_hash(self, *parts: str) -> str:
        """Keyed hash for calendar identities (UID + RECURRENCE-ID): stable, not reversible."""
        return hmac.new(self._identity_key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
