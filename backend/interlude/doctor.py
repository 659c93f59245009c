"""``interlude doctor``: checks what breaks real deployments, and says how to fix each.

Every check reads only: it never creates the database, the key file or the data directory.
The exit status is 1 when any check finds a problem, so a deploy script can stop on it.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from interlude.core.clock import Clock
from interlude.core.settings import Settings, default_frontend_dist

# The database's clock decides leases and session expiry, the server's plans and sends
# reminders: a few seconds apart is already visible as a reminder at the wrong moment.
MAX_CLOCK_SKEW = timedelta(seconds=5)
MIN_SECRET_KEY_LENGTH = 32
PWA_FILES = ("index.html", "sw.js", "manifest.webmanifest")
# Reserved for documentation (RFC 2606/6761): a subject there reaches nobody.
_PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net", "example")
_NEW_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _placeholder(host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in _PLACEHOLDER_DOMAINS)


def check_base_url(settings: Settings) -> Finding:
    name, url = "base URL", settings.base_url
    parts = urlsplit(url)
    host = parts.hostname or ""
    fix = (
        "put Interlude behind an HTTPS reverse proxy (deploy/Caddyfile, docs/deployment.md) "
        "and set INTERLUDE_BASE_URL=https://<your domain>"
    )
    if parts.scheme != "https":
        return Finding(
            name,
            False,
            f"{url} is not https: phones will not install the app, run it offline or receive "
            "reminders (browsers allow service workers and push only over https, or on "
            "localhost for the same computer)",
            fix,
        )
    if not host or _loopback(host):
        return Finding(name, False, f"{url} names no address a phone can reach", fix)
    if parts.path not in ("", "/"):
        return Finding(
            name,
            False,
            f"{url} has a path: the PWA and its service worker are served at the root",
            "give Interlude its own (sub)domain and set INTERLUDE_BASE_URL=https://<host>",
        )
    return Finding(name, True, url)


def check_vapid_subject(settings: Settings) -> Finding:
    name, subject = "VAPID subject", settings.vapid_subject
    fix = (
        "set INTERLUDE_VAPID_SUBJECT=mailto:<a mailbox you read> (or https://<your site>): "
        "push services write there when something is wrong with your pushes"
    )
    why = "Apple's push service refuses pushes with 403 BadJwtToken"
    if subject.startswith("mailto:"):
        address = subject.removeprefix("mailto:")
        try:
            domain = validate_email(address, check_deliverability=False).domain
        except EmailNotValidError as error:
            return Finding(name, False, f"{subject} is not a real address ({error}): {why}", fix)
        if _placeholder(domain.lower()):
            return Finding(name, False, f"{subject} is a placeholder address: {why}", fix)
        return Finding(name, True, subject)
    if subject.startswith("https://"):
        host = (urlsplit(subject).hostname or "").lower()
        if "." not in host or _loopback(host) or _placeholder(host):
            return Finding(name, False, f"{subject} is not a public address: {why}", fix)
        return Finding(name, True, subject)
    return Finding(name, False, f"{subject!r} is neither mailto: nor https:: {why}", fix)


def check_email(settings: Settings) -> Finding:
    """Information when email is off (not a failure); a failure only when the SMTP password
    would cross the network in the clear."""
    name = "email"
    if not settings.email_enabled:
        return Finding(
            name,
            True,
            "off (no INTERLUDE_SMTP_HOST): no password reset by link, no device-health "
            "emails; people who forget their password ask you",
        )
    host, port = settings.smtp_host, settings.resolved_smtp_port
    security = "TLS" if settings.smtp_tls else "STARTTLS" if settings.smtp_starttls else "plain"
    detail = f"via {host}:{port} ({security}), from {settings.smtp_from}"
    if settings.smtp_username and security == "plain" and not _loopback(host):
        return Finding(
            name,
            False,
            detail + ": the SMTP password would cross the network unencrypted",
            "set INTERLUDE_SMTP_STARTTLS=true (port 587) or INTERLUDE_SMTP_TLS=true (port 465)",
        )
    return Finding(name, True, detail)


def check_secret_key(settings: Settings) -> Finding:
    name = "secret key"
    key_file = settings.data_dir.resolve() / "secret.key"
    if settings.secret_key:
        if len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
            return Finding(
                name,
                False,
                f"INTERLUDE_SECRET_KEY has {len(settings.secret_key)} characters: too short to "
                "protect what is encrypted at rest",
                f"generate one with {_NEW_KEY}; stored secrets (calendar URLs, CalDAV "
                "passwords, push keys) were encrypted with the old key and must be re-entered",
            )
        return Finding(name, True, "set in INTERLUDE_SECRET_KEY")
    if not settings.resolved_database_url.startswith("postgresql"):
        if key_file.is_file():
            return Finding(name, True, f"{key_file} (back it up with the database)")
        return Finding(name, True, f"generated into {key_file} on first start; back it up")
    if key_file.is_file():
        fix = (
            f"set INTERLUDE_SECRET_KEY to the contents of {key_file} in every API and worker "
            "process: what is stored was encrypted with it"
        )
    else:
        fix = f"generate one with {_NEW_KEY} and set INTERLUDE_SECRET_KEY to it in every process"
    return Finding(
        name,
        False,
        "INTERLUDE_SECRET_KEY is not set while the database is PostgreSQL: each API and worker "
        "process would use its own data directory's key and fail to read what another wrote",
        fix,
    )


def check_data_dir(settings: Settings) -> Finding:
    """The SQLite database and the generated key live there: the service's user must write it
    (run the doctor as that user)."""
    name, data_dir = "data directory", settings.data_dir.resolve()
    if settings.secret_key and not settings.resolved_database_url.startswith("sqlite"):
        return Finding(name, True, "not used (PostgreSQL and INTERLUDE_SECRET_KEY)")
    fix = (
        "set INTERLUDE_DATA_DIR to a directory this user owns, or give it to this user "
        "(chown); it holds the SQLite database and secret.key"
    )
    existing = next(p for p in (data_dir, *data_dir.parents) if p.exists())
    if not existing.is_dir():
        return Finding(name, False, f"{existing} is a file, not a directory", fix)
    if not os.access(existing, os.W_OK | os.X_OK):
        return Finding(name, False, f"{existing} is not writable by this user", fix)
    if existing != data_dir:
        return Finding(name, True, f"{data_dir} (created on first start)")
    return Finding(name, True, str(data_dir))


def check_pwa(settings: Settings) -> Finding:
    name, dist = "PWA files", settings.frontend_dist
    missing = [f for f in PWA_FILES if not (dist / f).is_file()]
    index = dist / "index.html"
    if index.is_file():
        linked = re.findall(r'(?:src|href)="/([^"?#]+)"', index.read_text(errors="replace"))
        missing += [f for f in linked if not (dist / f).is_file()]
    if not missing:
        return Finding(name, True, str(dist))
    if "frontend_dist" in settings.model_fields_set:
        fix = (
            "INTERLUDE_FRONTEND_DIST points there: build the PWA into it, or unset it to serve "
            "the copy packed into the wheel"
        )
    elif dist != default_frontend_dist() or (dist.parent / "package.json").is_file():
        fix = "run `make frontend` in the checkout"
    else:
        fix = "this install has no PWA: install a wheel built after `make frontend`"
    return Finding(name, False, f"{dist} lacks {', '.join(missing)}", fix)


def check_database(settings: Settings, clock: Clock) -> list[Finding]:
    """Reachable, at the migration head, and on the same time as this server."""
    from alembic.migration import MigrationContext

    from interlude import migrations
    from interlude.core.db import make_engine

    url = settings.resolved_database_url
    shown = make_url(url).render_as_string(hide_password=True)
    migrate = "run `interlude migrate` (`interlude run` migrates when it starts)"
    sqlite_file = make_url(url).database if url.startswith("sqlite") else None
    if sqlite_file is not None and not Path(sqlite_file).is_file():
        return [Finding("database", False, f"no database at {sqlite_file} yet", migrate)]
    options = {} if sqlite_file is not None else {"connect_args": {"connect_timeout": 5}}
    engine = make_engine(url, **options)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            skew = _clock_skew(conn, clock) if conn.dialect.name == "postgresql" else None
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return [
            Finding(
                "database",
                False,
                f"cannot reach {shown}: {reason}",
                "check INTERLUDE_DATABASE_URL, that the server runs and accepts this host",
            )
        ]
    finally:
        engine.dispose()
    return [_revision_finding(shown, current, migrations.head_revision()), _clock_finding(skew)]


def _revision_finding(shown: str, current: str | None, head: str | None) -> Finding:
    name = "migrations"
    if current == head:
        return Finding(name, True, f"{shown} at {head} (the newest)")
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from interlude import migrations

    scripts = ScriptDirectory.from_config(migrations.alembic_config(""))
    try:
        known = current is None or scripts.get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        return Finding(
            name,
            False,
            f"{shown} is at {current}, which this release ({head}) does not know",
            "a newer release migrated it: run that release, or restore the backup taken before",
        )
    return Finding(
        name,
        False,
        f"{shown} is at {current or 'no revision (empty)'}, this release needs {head}",
        "run `interlude migrate` once, before any process of this release starts",
    )


def _clock_skew(conn: Connection, clock: Clock) -> timedelta:
    before = clock.now()
    database: datetime = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
    after = clock.now()
    return database.astimezone(UTC) - (before + (after - before) / 2)


def _clock_finding(skew: timedelta | None) -> Finding:
    name = "clock"
    if skew is None:
        return Finding(name, True, "SQLite: the database uses this machine's clock")
    seconds = skew.total_seconds()
    direction = "ahead of" if seconds > 0 else "behind"
    detail = f"the database's clock is {abs(seconds):.1f} s {direction} this server's"
    if abs(skew) <= MAX_CLOCK_SKEW:
        return Finding(name, True, detail)
    return Finding(
        name,
        False,
        detail + ": reminders would fire early or late and sign-ins expire at the wrong time",
        "keep both machines on NTP time (systemd-timesyncd or chrony)",
    )


def run_checks(settings: Settings, clock: Clock) -> list[Finding]:
    return [
        check_base_url(settings),
        check_vapid_subject(settings),
        check_secret_key(settings),
        check_data_dir(settings),
        check_pwa(settings),
        check_email(settings),
        *check_database(settings, clock),
    ]


def report(findings: list[Finding], out: TextIO) -> int:
    width = max(len(f.check) for f in findings)
    for finding in findings:
        mark = "ok  " if finding.ok else "FAIL"
        out.write(f"{mark}  {finding.check:<{width}}  {finding.detail}\n")
        if finding.fix:
            out.write(f"      {'':<{width}}  fix: {finding.fix}\n")
    problems = sum(not f.ok for f in findings)
    out.write(
        f"{problems} problem{'s' if problems != 1 else ''} found.\n" if problems else "All good.\n"
    )
    return 1 if problems else 0
