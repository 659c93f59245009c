"""A local Web Push service for tests and benchmarks: real HTTP, real crypto.

``LocalPushService`` runs an HTTP server on 127.0.0.1 (port picked by the OS) in a thread and
behaves like FCM / Mozilla autopush towards a sender:

- it hands out subscriptions (``subscribe()``): a fresh P-256 key pair and 16-byte auth
  secret per device, and the ``PushSubscription`` JSON a browser would give the app, whose
  endpoint points at this server;
- for every POST it checks the VAPID ``Authorization: vapid t=<JWT>,k=<key>`` header (ES256
  signature verified with PyJWT against ``k``, ``aud`` == this server's origin, ``exp`` in the
  future and at most 24 h ahead, ``sub`` a mailto:/https: URL, and ``k`` equal to the
  subscription's applicationServerKey when one was given), the ``TTL``/``Urgency``/``Topic``/
  ``Content-Encoding`` headers and the 4096-byte limit, then decrypts the aes128gcm body
  with the device's private key (http_ece) and records what arrived;
- it can be told, per subscription, to answer 410, 429 + Retry-After, 500 (any status), or
  to hang, for the next N requests or until told otherwise.

Usage::

    with LocalPushService() as service:
        device = service.subscribe(application_server_key=public_key)
        ...  # register device.info with the app, send
        [push] = service.wait_for(1)
        assert push.payload["kind"] == "micro_break"

Pass ``clock=`` (anything with ``now()``) when the sender runs on a frozen clock: the JWT
``exp`` check and ``received_at`` then use it. Import it with
``from tests.support.push_service import LocalPushService``; tests/push/conftest.py has a
``push_service`` fixture you can copy.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

import http_ece
import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

MAX_BODY = 4096
MAX_EXP_AHEAD = timedelta(hours=24)
_TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_URGENCIES = frozenset({"very-low", "low", "normal", "high"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _Clock(Protocol):
    def now(self) -> datetime: ...


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Behaviour:
    """What the service answers instead of delivering: a status (with headers) or a hang."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    hang: bool = False
    remaining: int | None = None  # None: until changed


@dataclass(frozen=True)
class PushAttempt:
    """One POST as the service saw it, whatever it answered."""

    subscription_id: str
    status: int
    reason: str
    headers: dict[str, str]
    received_at: datetime
    peer: str = ""  # the sender's address and port: one per connection it opened


@dataclass
class ReceivedPush:
    """A delivered message, decrypted as the device's service worker would see it.

    With ``decrypt="on_read"`` the body is kept encrypted until ``plaintext`` is first read.
    """

    subscription_id: str
    ttl: int
    urgency: str | None
    topic: str | None
    content_encoding: str
    claims: dict[str, Any]
    vapid_key: str
    received_at: datetime
    body: bytes = field(repr=False)
    _subscription: LocalSubscription = field(repr=False)
    _plaintext: bytes | None = field(default=None, repr=False)

    @property
    def plaintext(self) -> bytes:
        if self._plaintext is None:
            self._plaintext = self._subscription.decrypt(self.body)
        return self._plaintext

    @property
    def payload(self) -> Any:
        return json.loads(self.plaintext)


@dataclass
class LocalSubscription:
    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    application_server_key: str | None

    @property
    def p256dh(self) -> str:
        return _b64(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return _b64(self.auth_secret)

    def decrypt(self, body: bytes) -> bytes:
        """aes128gcm decryption with this device's private key and auth secret (http_ece)."""
        plaintext: bytes = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return plaintext

    @property
    def info(self) -> dict[str, Any]:
        """The browser's ``PushSubscription.toJSON()``."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }


class _Reject(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class LocalPushService:
    """A push service on loopback. Thread-safe: the server runs in its own thread."""

    def __init__(
        self,
        *,
        clock: _Clock | None = None,
        hang_seconds: float = 60.0,
        decrypt: Literal["on_arrival", "on_read"] = "on_arrival",
    ) -> None:
        """``decrypt="on_arrival"`` (default) answers 400 to a body that does not decrypt, as
        a device would drop it; ``"on_read"`` defers decryption to ``ReceivedPush.plaintext``
        (real push services never decrypt; benchmarks use it to keep the receiver cheap)."""
        self.clock: _Clock = clock or _SystemClock()
        self.hang_seconds = hang_seconds
        self.decrypt_on_arrival = decrypt == "on_arrival"
        self._lock = threading.Condition()
        self._subscriptions: dict[str, LocalSubscription] = {}
        self._behaviours: dict[str, Behaviour] = {}
        self._received: list[ReceivedPush] = []
        self._attempts: list[PushAttempt] = []
        self._verified_tokens: dict[str, dict[str, Any]] = {}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        self.origin = ""

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> LocalPushService:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self.origin = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            self._asgi,
            log_level="warning",
            access_log=False,
            lifespan="off",
            interface="asgi3",
            timeout_graceful_shutdown=2,
            backlog=4096,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="push-svc"
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the local push service did not start")
            time.sleep(0.01)
        return self

    def close(self) -> None:
        self.release_hangs()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> LocalPushService:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- devices and behaviour -------------------------------------------------------------

    def subscribe(self, *, application_server_key: str | None = None) -> LocalSubscription:
        """A new device. With ``application_server_key`` (the app's VAPID public key), pushes
        signed by any other key are refused with 403, as real services do."""
        sub_id = secrets.token_urlsafe(16)
        sub = LocalSubscription(
            id=sub_id,
            endpoint=f"{self.origin}/push/{sub_id}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
            application_server_key=application_server_key,
        )
        with self._lock:
            self._subscriptions[sub_id] = sub
        return sub

    def respond(
        self,
        sub: LocalSubscription,
        status: int,
        *,
        retry_after: str | None = None,
        times: int | None = None,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer ``status`` (e.g. 410, 429, 500) instead of delivering, ``times`` times or
        until changed; ``retry_after`` sets the Retry-After header (seconds or HTTP date),
        ``body`` the response body, ``headers`` any other (e.g. a redirect's location)."""
        headers = dict(headers or {})
        if retry_after is not None:
            headers["retry-after"] = retry_after
        with self._lock:
            self._behaviours[sub.id] = Behaviour(
                status=status, headers=headers, body=body, remaining=times
            )

    def hang(self, sub: LocalSubscription, *, times: int | None = None) -> None:
        """Accept the request but never answer (until ``hang_seconds`` or ``close()``)."""
        with self._lock:
            self._behaviours[sub.id] = Behaviour(hang=True, remaining=times)

    def deliver_normally(self, sub: LocalSubscription) -> None:
        with self._lock:
            self._behaviours.pop(sub.id, None)

    def release_hangs(self) -> None:
        """Lets every hanging request finish now (they answer 504)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._swap_release)

    def _swap_release(self) -> None:
        if self._release is not None:
            self._release.set()
        self._release = asyncio.Event()

    # --- what arrived ----------------------------------------------------------------------

    def received(self, sub: LocalSubscription | None = None) -> list[ReceivedPush]:
        with self._lock:
            return [m for m in self._received if sub is None or m.subscription_id == sub.id]

    def attempts(self, sub: LocalSubscription | None = None) -> list[PushAttempt]:
        with self._lock:
            return [a for a in self._attempts if sub is None or a.subscription_id == sub.id]

    def wait_for(
        self, count: int, *, sub: LocalSubscription | None = None, timeout: float = 10.0
    ) -> list[ReceivedPush]:
        """Blocks until ``count`` messages were delivered (to ``sub``), then returns them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [m for m in self._received if sub is None or m.subscription_id == sub.id]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(found)} of {count} pushes arrived in {timeout}s")
                self._lock.wait(left)

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._attempts.clear()

    # --- the HTTP side -------------------------------------------------------------------

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if self._release is None:
            self._loop = asyncio.get_running_loop()
            self._release = asyncio.Event()
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        client = scope.get("client") or ("", 0)
        status, extra, answer = await self._handle(
            scope["method"], scope["path"], headers, body, receive, f"{client[0]}:{client[1]}"
        )
        response_headers = [(b"content-length", str(len(answer)).encode())]
        response_headers += [(k.encode(), v.encode()) for k, v in extra.items()]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": answer})

    async def _handle(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        receive: Receive,
        peer: str,
    ) -> tuple[int, dict[str, str], bytes]:
        sub_id = path.removeprefix("/push/") if path.startswith("/push/") else ""
        now = self.clock.now()
        with self._lock:
            sub = self._subscriptions.get(sub_id)
        try:
            if method != "POST":
                raise _Reject(405, "only POST")
            if sub is None:
                raise _Reject(404, "unknown subscription")
            claims, key = self._check_vapid(headers.get("authorization", ""), sub, now)
            behaviour = self._take_behaviour(sub_id)
            if behaviour is not None and behaviour.hang:
                self._record_attempt(sub_id, 0, "hung", headers, now, peer)
                await self._hang(receive)
                return 504, {}, b""
            if behaviour is not None and behaviour.status is not None:
                self._record_attempt(sub_id, behaviour.status, "told to", headers, now, peer)
                return behaviour.status, dict(behaviour.headers), behaviour.body
            push = self._accept(sub, headers, body, claims, key, now)
        except _Reject as rejection:
            self._record_attempt(sub_id, rejection.status, rejection.reason, headers, now, peer)
            return rejection.status, {}, rejection.reason.encode()
        with self._lock:
            self._attempts.append(PushAttempt(sub_id, 201, "delivered", headers, now, peer))
            self._received.append(push)
            self._lock.notify_all()
        return 201, {"location": f"{self.origin}/message/{secrets.token_urlsafe(8)}"}, b""

    async def _hang(self, receive: Receive) -> None:
        """Waits for ``release_hangs()``, the client giving up, or ``hang_seconds``."""
        assert self._release is not None
        released = asyncio.ensure_future(self._release.wait())
        disconnected = asyncio.ensure_future(receive())
        _, pending = await asyncio.wait(
            {released, disconnected}, timeout=self.hang_seconds, return_when="FIRST_COMPLETED"
        )
        for task in pending:
            task.cancel()

    def _take_behaviour(self, sub_id: str) -> Behaviour | None:
        with self._lock:
            behaviour = self._behaviours.get(sub_id)
            if behaviour is None:
                return None
            if behaviour.remaining is not None:
                behaviour.remaining -= 1
                if behaviour.remaining <= 0:
                    del self._behaviours[sub_id]
            return behaviour

    def _record_attempt(
        self,
        sub_id: str,
        status: int,
        reason: str,
        headers: dict[str, str],
        now: datetime,
        peer: str,
    ) -> None:
        with self._lock:
            self._attempts.append(PushAttempt(sub_id, status, reason, headers, now, peer))
            self._lock.notify_all()

    def _check_vapid(
        self, authorization: str, sub: LocalSubscription, now: datetime
    ) -> tuple[dict[str, Any], str]:
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise _Reject(401, "missing vapid authorization")
        parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        token, key = parts.get("t", ""), parts.get("k", "")
        if not token or not key:
            raise _Reject(401, "vapid header needs t= and k=")
        if sub.application_server_key is not None and key != sub.application_server_key:
            raise _Reject(403, "signed by a key this subscription was not created with")
        claims = self._verified_tokens.get(token)
        if claims is None:
            claims = self._verify_jwt(token, key)
            self._verified_tokens[token] = claims
        exp = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
        if exp <= now:
            raise _Reject(401, "vapid token expired")
        if exp > now + MAX_EXP_AHEAD:
            raise _Reject(401, "vapid exp more than 24 h ahead")
        return claims, key

    def _verify_jwt(self, token: str, key: str) -> dict[str, Any]:
        try:
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(key))
            if jwt.get_unverified_header(token).get("alg") != "ES256":
                raise _Reject(401, "vapid token is not ES256")
            claims: dict[str, Any] = jwt.decode(
                token,
                key=public,
                algorithms=["ES256"],
                audience=self.origin,
                options={"verify_exp": False, "require": ["aud", "exp", "sub"]},
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise _Reject(401, f"vapid token rejected: {type(exc).__name__}") from None
        sub_claim = str(claims.get("sub", ""))
        if not sub_claim.startswith(("mailto:", "https://")):
            raise _Reject(401, "vapid sub must be a mailto: or https: URL")
        return claims

    def _accept(
        self,
        sub: LocalSubscription,
        headers: dict[str, str],
        body: bytes,
        claims: dict[str, Any],
        key: str,
        now: datetime,
    ) -> ReceivedPush:
        ttl_text = headers.get("ttl", "")
        if not ttl_text.isdigit():
            raise _Reject(400, "TTL header missing or not a number")
        urgency = headers.get("urgency")
        if urgency is not None and urgency not in _URGENCIES:
            raise _Reject(400, "bad Urgency")
        topic = headers.get("topic")
        if topic is not None and not _TOPIC_RE.match(topic):
            raise _Reject(400, "Topic must be at most 32 base64url characters")
        encoding = headers.get("content-encoding", "")
        if encoding != "aes128gcm":
            raise _Reject(400, "Content-Encoding must be aes128gcm")
        if len(body) > MAX_BODY:
            raise _Reject(413, "payload larger than 4096 bytes")
        push = ReceivedPush(
            subscription_id=sub.id,
            ttl=int(ttl_text),
            urgency=urgency,
            topic=topic,
            content_encoding=encoding,
            claims=dict(claims),
            vapid_key=key,
            received_at=now,
            body=body,
            _subscription=sub,
        )
        if self.decrypt_on_arrival:
            try:
                _ = push.plaintext
            except Exception as exc:
                raise _Reject(400, f"cannot decrypt: {type(exc).__name__}") from None
        return push
