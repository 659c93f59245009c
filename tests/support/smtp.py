"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message Interlude sends.

``LocalSmtp(username=..., password=...)`` also requires AUTH LOGIN/PLAIN with those
credentials (over plain TCP: ``auth_require_tls=False``, loopback only).
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

_LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content()).replace("\r\n", "\n")

    def links(self) -> list[str]:
        return _LINK.findall(self.text)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalSmtp:
    def __init__(
        self, *, username: str = "", password: str = "", hold: threading.Event | None = None
    ) -> None:
        """``hold``: each message is accepted only once the event is set (a slow server)."""
        self.messages: list[Received] = []
        self._hold = hold
        self.logins: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._credentials = (username, password)
        self.port = _free_port()
        kwargs: dict[str, Any] = {}
        if username:
            kwargs.update(
                authenticator=self._authenticate, auth_required=True, auth_require_tls=False
            )
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self.host = "127.0.0.1"

    # aiosmtpd handler hook
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self._hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._hold.wait, 30)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = (data.login.decode(), data.password.decode())
        self.logins.append(login)
        ok = login == self._credentials
        # handled=False: aiosmtpd answers 535 itself.
        return AuthResult(success=ok, handled=ok)

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} mail(s), the SMTP server got {len(self.messages)}")

    def __enter__(self) -> LocalSmtp:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()
