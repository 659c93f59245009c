"""Process settings, read from the environment (prefix ``INTERLUDE_``) and ``.env``."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTERLUDE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(default=Path("./var"), description="Where SQLite, keys and logs live.")
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty means SQLite at <DATA_DIR>/interlude.db."
    )
    secret_key: str = Field(
        default="",
        description="Root secret for encryption at rest and token hashing; empty means "
        "generated once into <DATA_DIR>/secret.key (mode 0600).",
    )
    base_url: str = Field(default="http://127.0.0.1:8000", description="Public URL of the app.")
    allow_private_network: bool = Field(
        default=False,
        description="Let calendar fetches reach loopback/private addresses (development, tests).",
    )
    sync_interval_minutes: int = Field(
        default=4,
        ge=1,
        le=24 * 60,
        description="The longest wait between two checks of a calendar (feeds that changed "
        "recently are checked twice as often): a change reaches the plan within about this.",
    )
    sync_past_days: int = Field(default=1, ge=0, le=31)
    sync_future_days: int = Field(default=14, ge=1, le=366)
    calendar_parse_seconds: float = Field(
        default=60.0,
        ge=1,
        le=600,
        description="Wall-clock budget for reading one calendar (parse + expand, in a child "
        "process that is killed past it).",
    )
    calendar_parse_memory_mb: int = Field(
        default=512,
        ge=64,
        le=16 * 1024,
        description="Memory a calendar read may use on top of the interpreter (RLIMIT_AS).",
    )
    calendar_parse_processes: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Calendar reads running at once per server or worker process.",
    )
    vapid_subject: str = Field(
        default="mailto:admin@localhost",
        description="VAPID 'sub' claim: a mailto: or https: URL where push services reach you.",
    )
    push_encryption_processes: int = Field(
        default=0,
        ge=0,
        le=16,
        description="Processes that encrypt large reminder bursts for a standalone "
        "`interlude worker` (other cores; the posts stay in the worker). 0, the default, "
        "encrypts in the worker itself; `interlude run` always does.",
    )
    # The reminder burst's pipeline, per worker process. `interlude run` (one therapist) uses
    # a narrow one: what a burst holds at its peak stays in the process's heap afterwards.
    dispatch_batch_size: int = Field(
        default=500, ge=1, le=10_000, description="Due reminders claimed per batch."
    )
    dispatch_batches_in_flight: int = Field(
        default=3, ge=1, le=16, description="Claimed batches being delivered at once."
    )
    push_max_concurrency: int = Field(
        default=64, ge=1, le=1024, description="Pushes posted at once (pooled connections)."
    )
    session_days: int = Field(default=30, ge=1, le=365, description="Login lifetime in days.")
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window_minutes: int = Field(default=15, ge=1)
    signup_max_per_address_per_hour: int = Field(
        default=10,
        ge=1,
        description="Accounts created from one client address within an hour before 429.",
    )
    argon2_time_cost: int = Field(default=3, ge=1, le=20)
    argon2_memory_kib: int = Field(default=65536, ge=8, le=4 * 1024 * 1024)
    max_request_body_bytes: int = Field(
        default=1024 * 1024,
        ge=64 * 1024,
        le=100 * 1024 * 1024,
        description="Largest request body in bytes (the calendar upload takes 10 MB); larger "
        "ones are answered 413 before they are read.",
    )
    request_body_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="Seconds a client has to send a request's body; a slower one is answered "
        "408 and its connection closed.",
    )
    request_header_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="Seconds a client has to send a request's headers (from connecting, or "
        "from the request's first byte on a kept-alive connection); a slower one is answered "
        "408 and its connection closed.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks (e.g. 127.0.0.1, 10.0.0.0/8) of the "
        "reverse proxies whose X-Forwarded-For and X-Forwarded-Proto headers are believed; "
        "empty: none, the connecting address is the client's.",
    )
    smtp_host: str = Field(
        default="",
        description="SMTP server for email (password reset, device alerts); empty: no email.",
    )
    smtp_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="0: 465 with SMTP_TLS, else 587 with SMTP_STARTTLS, else 25.",
    )
    smtp_username: str = Field(default="", description="Empty: send without logging in.")
    smtp_password: SecretStr = Field(default=SecretStr(""), description="Never logged.")
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the connection with STARTTLS (required when true)."
    )
    smtp_tls: bool = Field(default=False, description="Implicit TLS from the first byte (465).")
    smtp_from: str = Field(
        default="", description="The From: of every mail, e.g. Interlude <interlude@example.org>."
    )
    smtp_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    log_level: str = Field(default="INFO")
    frontend_dist: Path = Field(
        default_factory=lambda: default_frontend_dist(),
        description="Built PWA served at /; by default the copy packed into the wheel, or "
        "frontend/dist of the checkout an editable install runs from.",
    )

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {entry!r} is not an IP address or network"
                ) from None
        return ",".join(entries)

    @model_validator(mode="after")
    def _smtp_complete(self) -> Settings:
        if self.smtp_host and not self.smtp_from.strip():
            raise ValueError("smtp_from: set INTERLUDE_SMTP_FROM when INTERLUDE_SMTP_HOST is set")
        if self.smtp_tls and self.smtp_starttls:
            # Implicit TLS already encrypts: STARTTLS on top of it is refused by servers.
            self.smtp_starttls = False
        return self

    @property
    def email_enabled(self) -> bool:
        """Whether Interlude sends email (password reset, device alerts)."""
        return bool(self.smtp_host)

    @property
    def resolved_smtp_port(self) -> int:
        if self.smtp_port:
            return self.smtp_port
        return 465 if self.smtp_tls else 587 if self.smtp_starttls else 25

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'interlude.db').resolve()}"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The configured key, or the one generated once into ``<DATA_DIR>/secret.key``."""
        if self.secret_key:
            return self.secret_key
        return _read_or_create_key_file(self.data_dir / "secret.key")


def default_frontend_dist() -> Path:
    """``interlude/static`` in an installed wheel (setup.py packs the PWA there), else the
    checkout's ``frontend/dist`` (``make frontend``) that an editable install serves."""
    packaged = Path(str(resources.files("interlude") / "static"))
    if (packaged / "index.html").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "frontend"
    return checkout / "dist" if (checkout / "package.json").is_file() else packaged


def _read_or_create_key_file(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not both write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
