"""The deployment's VAPID identity (RFC 8292) and the signed headers made from it.

One P-256 key pair per deployment, generated on first use and stored in ``push_vapid_keys``
with the private key encrypted by the keyring. Every browser subscription is bound to its
public key (the ``applicationServerKey``), so it must never change once devices subscribed.

Signing is delegated to py_vapid; this module only decides *what* is signed and caches the
result per push-service origin, because an ES256 signature per message is wasted work.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02, VapidException
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from interlude.core.clock import Clock, SystemClock
from interlude.core.security import Keyring
from interlude.push.models import VAPID_ROW_ID, VapidKey

# RFC 8292 allows 24 h; we sign for 12 h (some services reject more) and re-sign when less
# than an hour is left, so a header is never used close to its expiry.
JWT_LIFETIME = timedelta(hours=12)
JWT_REFRESH_MARGIN = timedelta(hours=1)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decodes base64url with or without padding; also tolerates the standard alphabet."""
    cleaned = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))


@dataclass(frozen=True)
class VapidIdentity:
    """The private key that signs pushes and its public half as an applicationServerKey."""

    private_key: ec.EllipticCurvePrivateKey
    public_key: str  # base64url of the 65-byte uncompressed point

    @classmethod
    def generate(cls) -> VapidIdentity:
        return cls.from_private_key(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_private_key(cls, key: ec.EllipticCurvePrivateKey) -> VapidIdentity:
        point = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return cls(private_key=key, public_key=b64url(point))

    @classmethod
    def from_pem(cls, pem: str) -> VapidIdentity:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the stored VAPID key is not an EC key")
        return cls.from_private_key(key)

    def private_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")


def load_or_create_vapid(
    *, session: Session, keyring: Keyring, now: datetime | None = None
) -> VapidIdentity:
    """The deployment's identity, creating it on first use.

    ``now`` only stamps ``created_at`` (bookkeeping, never used for a decision); pass the
    injected clock's instant when you have one.

    Safe when several processes start at once: the row has a fixed primary key and the insert
    is ``ON CONFLICT DO NOTHING``, so the loser of a race reads the winner's key. The caller's
    unit of work commits it.
    """
    row = session.get(VapidKey, VAPID_ROW_ID)
    if row is None:
        fresh = VapidIdentity.generate()
        values = {
            "id": VAPID_ROW_ID,
            "public_key": fresh.public_key,
            "private_key_encrypted": keyring.encrypt(fresh.private_pem()),
            "created_at": now if now is not None else SystemClock().now(),
        }
        session.execute(_insert_if_absent(session, values))
        row = session.scalars(
            select(VapidKey)
            .where(VapidKey.id == VAPID_ROW_ID)
            .execution_options(populate_existing=True)
        ).one()
    return VapidIdentity.from_pem(keyring.decrypt(row.private_key_encrypted))


def _insert_if_absent(session: Session, values: dict[str, Any]) -> Executable:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(VapidKey).values(values).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(VapidKey).values(values).on_conflict_do_nothing()
    return insert(VapidKey).values(values)  # other databases: a race surfaces as an error


def application_server_key(
    *, session: Session, keyring: Keyring, now: datetime | None = None
) -> str:
    """The public key browsers pass to ``pushManager.subscribe`` (creates the pair if needed)."""
    row = session.get(VapidKey, VAPID_ROW_ID)
    if row is not None:
        return row.public_key
    return load_or_create_vapid(session=session, keyring=keyring, now=now).public_key


class VapidSubjectError(ValueError):
    """settings.vapid_subject is not a mailto: or https: URL; push services would reject us."""


@dataclass
class _CachedHeader:
    value: str
    expires_at: datetime


@dataclass
class VapidHeaderCache:
    """Signed ``Authorization: vapid t=…,k=…`` headers, one per push-service origin.

    ``aud`` is the origin (scheme://host[:port]) of the endpoint, exactly; Apple rejects any
    other audience. Claims are built fresh for every signature, never shared between origins.
    """

    identity: VapidIdentity
    subject: str
    clock: Clock
    lifetime: timedelta = JWT_LIFETIME
    refresh_margin: timedelta = JWT_REFRESH_MARGIN
    _signer: Vapid02 = field(init=False, repr=False)
    _cache: dict[str, _CachedHeader] = field(init=False, default_factory=dict, repr=False)
    signatures: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._signer = Vapid02(private_key=self.identity.private_key)

    def header_for(self, origin: str) -> str:
        now = self.clock.now()
        cached = self._cache.get(origin)
        if cached is not None and now < cached.expires_at - self.refresh_margin:
            return cached.value
        exp = int((now + self.lifetime).timestamp())
        claims: dict[str, str | int] = {"aud": origin, "sub": self.subject, "exp": exp}
        try:
            signed = self._signer.sign(claims)
        except VapidException as exc:
            raise VapidSubjectError(
                "VAPID could not sign: set INTERLUDE_VAPID_SUBJECT to a mailto: or https: URL"
            ) from exc
        self.signatures += 1
        value = str(signed["Authorization"])
        # The token's own exp is whole seconds; never trust the cache past it.
        self._cache[origin] = _CachedHeader(value, datetime.fromtimestamp(exp, tz=now.tzinfo))
        return value

    def invalidate(self, origin: str) -> None:
        """Forget an origin's header (after a 401/403, the next attempt signs anew)."""
        self._cache.pop(origin, None)
