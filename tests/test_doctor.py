"""``interlude doctor`` through the command line: a good set-up passes; each misconfiguration
that breaks a real deployment fails the run (exit 1) and says how to fix it."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from interlude import migrations
from interlude.cli import main
from interlude.core.db import make_engine
from interlude.core.settings import get_settings
from tests.conftest import TEST_SECRET, _pg_execute, _pg_url_for
from tests.support.faketime import run_faked

DOMAIN = "breaks.quiet-practice.net"
INDEX = (
    '<!doctype html><link rel="manifest" href="/manifest.webmanifest">'
    '<script type="module" src="/assets/app-1a2b.js"></script>'
)


def _dist(root: Path) -> Path:
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app-1a2b.js").write_text("console.log(1)")
    (dist / "sw.js").write_text("self.addEventListener('push', () => {});")
    (dist / "manifest.webmanifest").write_text('{"name": "Interlude"}')
    return dist


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str) -> Iterator[dict[str, str]]:
    """A deployment that passes every check; tests change one setting each."""
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    for name in list(os.environ):
        if name.startswith("INTERLUDE_") and name != "INTERLUDE_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    values = {
        "INTERLUDE_BASE_URL": f"https://{DOMAIN}",
        "INTERLUDE_VAPID_SUBJECT": "mailto:ops@quiet-practice.net",
        "INTERLUDE_SECRET_KEY": TEST_SECRET,
        "INTERLUDE_DATABASE_URL": db_url,
        "INTERLUDE_DATA_DIR": str(tmp_path / "data"),
        "INTERLUDE_FRONTEND_DIST": str(_dist(tmp_path)),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def doctor(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, **changes: str):  # type: ignore[no-untyped-def]
    for name, value in changes.items():
        if value is None:
            monkeypatch.delenv(f"INTERLUDE_{name}", raising=False)
        else:
            monkeypatch.setenv(f"INTERLUDE_{name}", value)
    get_settings.cache_clear()
    code = main(["doctor"])
    return code, capsys.readouterr().out


def line(out: str, check: str) -> str:
    """The check's line and its fix line."""
    lines = out.splitlines()
    for i, row in enumerate(lines):
        if row[6:].startswith(check + " "):
            fix = lines[i + 1] if i + 1 < len(lines) and "fix:" in lines[i + 1] else ""
            return row + "\n" + fix
    raise AssertionError(f"no {check!r} line in:\n{out}")


def test_a_good_setup_passes(env, capsys, monkeypatch):
    code, out = doctor(capsys, monkeypatch)
    assert code == 0, out
    assert "FAIL" not in out and out.rstrip().endswith("All good.")
    checks = ("base URL", "VAPID subject", "secret key", "data directory", "PWA files")
    for check in (*checks, "migrations", "clock"):
        assert line(out, check).startswith("ok  "), out
    assert migrations.head_revision() in line(out, "migrations")


def test_email_off_is_information_not_a_failure(env, capsys, monkeypatch):
    code, out = doctor(capsys, monkeypatch)
    assert code == 0, out
    assert line(out, "email").startswith("ok  ")
    assert "no password reset by link" in line(out, "email")


def test_email_on_says_where_it_goes(env, capsys, monkeypatch):
    code, out = doctor(
        capsys,
        monkeypatch,
        SMTP_HOST="smtp.quiet-practice.net",
        SMTP_FROM="Interlude <breaks@quiet-practice.net>",
        SMTP_USERNAME="breaks",
        SMTP_PASSWORD="smtp-password-never-shown",
    )
    assert code == 0, out
    assert "via smtp.quiet-practice.net:587 (STARTTLS)" in line(out, "email")
    assert "smtp-password-never-shown" not in out


def test_an_smtp_password_in_the_clear_fails(env, capsys, monkeypatch):
    code, out = doctor(
        capsys,
        monkeypatch,
        SMTP_HOST="smtp.quiet-practice.net",
        SMTP_FROM="breaks@quiet-practice.net",
        SMTP_USERNAME="breaks",
        SMTP_PASSWORD="smtp-password-never-shown",
        SMTP_STARTTLS="false",
    )
    assert code == 1
    assert line(out, "email").startswith("FAIL")
    assert "INTERLUDE_SMTP_STARTTLS=true" in line(out, "email")
    assert "smtp-password-never-shown" not in out


def test_version_is_the_installed_distributions(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    from importlib.metadata import version

    assert capsys.readouterr().out.strip() == f"interlude {version('interlude')}"


@pytest.mark.parametrize(
    ("base_url", "says"),
    [
        ("http://127.0.0.1:8000", "is not https: phones will not install the app"),
        (f"http://{DOMAIN}", "is not https"),
        ("https://localhost:8443", "names no address a phone can reach"),
        (f"https://{DOMAIN}/interlude", "has a path"),
    ],
)
def test_a_base_url_phones_cannot_use_fails(env, capsys, monkeypatch, base_url, says):
    code, out = doctor(capsys, monkeypatch, BASE_URL=base_url)
    assert code == 1
    found = line(out, "base URL")
    assert found.startswith("FAIL") and says in found
    assert "fix:" in found and "https://" in found.split("fix:")[1]
    assert out.rstrip().endswith("1 problem found.")


@pytest.mark.parametrize(
    "subject",
    [
        "mailto:admin@localhost",  # the default
        "mailto:ops@example.org",  # the documentation's placeholder
        "mailto:ops@practice.test",
        "ops@quiet-practice.net",  # no scheme
        "https://localhost",
        "mailto:",
    ],
)
def test_a_vapid_subject_apple_refuses_fails(env, capsys, monkeypatch, subject):
    code, out = doctor(capsys, monkeypatch, VAPID_SUBJECT=subject)
    assert code == 1
    found = line(out, "VAPID subject")
    assert found.startswith("FAIL") and "403 BadJwtToken" in found
    assert "fix: set INTERLUDE_VAPID_SUBJECT=mailto:" in found


def test_an_https_vapid_subject_passes(env, capsys, monkeypatch):
    code, out = doctor(capsys, monkeypatch, VAPID_SUBJECT=f"https://{DOMAIN}/contact")
    assert code == 0, out


def test_no_secret_key_fails_only_when_processes_share_postgresql(
    env, capsys, monkeypatch, db_backend, tmp_path
):
    code, out = doctor(capsys, monkeypatch, SECRET_KEY=None)
    found = line(out, "secret key")
    key_file = tmp_path / "data" / "secret.key"
    if db_backend == "sqlite":
        assert code == 0 and found.startswith("ok") and str(key_file) in found
    else:
        assert code == 1 and found.startswith("FAIL") and "PostgreSQL" in found
        assert "fix: generate one with" in found and "INTERLUDE_SECRET_KEY" in found
        key_file.parent.mkdir()
        key_file.write_text("a-key-an-earlier-single-process-install-generated-0123456789\n")
        code, out = doctor(capsys, monkeypatch)
        assert code == 1 and f"the contents of {key_file}" in line(out, "secret key")
    assert not key_file.exists() or db_backend == "postgres"  # the doctor never writes it


def test_a_short_secret_key_fails(env, capsys, monkeypatch):
    code, out = doctor(capsys, monkeypatch, SECRET_KEY="hunter2")
    assert code == 1
    found = line(out, "secret key")
    assert "7 characters" in found and "hunter2" not in out


def test_a_data_directory_that_cannot_be_made_fails(env, capsys, monkeypatch, tmp_path):
    (tmp_path / "taken").write_text("a file where the directory should be")
    for data_dir in (tmp_path / "taken", tmp_path / "taken" / "data"):
        code, out = doctor(capsys, monkeypatch, DATA_DIR=str(data_dir), SECRET_KEY=None)
        assert code == 1
        found = line(out, "data directory")
        assert f"{tmp_path / 'taken'} is a file" in found and "fix: set INTERLUDE_DATA_DIR" in found


def test_an_unreachable_database_fails_without_showing_its_password(env, capsys, monkeypatch):
    with socket_closed_port() as port:
        code, out = doctor(
            capsys,
            monkeypatch,
            DATABASE_URL=f"postgresql://interlude:hunter2@127.0.0.1:{port}/interlude",
        )
    assert code == 1
    found = line(out, "database")
    assert found.startswith("FAIL") and "cannot reach" in found and f":{port}" in found
    assert "hunter2" not in out and "fix: check INTERLUDE_DATABASE_URL" in found


def test_a_sqlite_database_that_does_not_exist_yet_fails_and_is_not_created(
    env, capsys, monkeypatch, tmp_path
):
    path = tmp_path / "nowhere" / "interlude.db"
    code, out = doctor(capsys, monkeypatch, DATABASE_URL=f"sqlite:///{path}")
    assert code == 1
    assert "no database at" in line(out, "database") and "interlude migrate" in out
    assert not path.exists() and not path.parent.exists()


class socket_closed_port:
    """A local port nothing listens on."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def own_db_url(db_backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own (the shared test database keeps the newest schema)."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'own.db'}"
        return
    name = f"interlude_doctor_{uuid.uuid4().hex[:12]}"
    _pg_execute(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url_for(name)
    finally:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_behind_the_migration_head_fails(env, capsys, monkeypatch, own_db_url):
    migrations.upgrade(own_db_url, "0005")
    code, out = doctor(capsys, monkeypatch, DATABASE_URL=own_db_url)
    assert code == 1
    found = line(out, "migrations")
    assert f"is at 0005, this release needs {migrations.head_revision()}" in found
    assert "fix: run `interlude migrate`" in found

    migrations.upgrade(own_db_url)
    code, out = doctor(capsys, monkeypatch, DATABASE_URL=own_db_url)
    assert code == 0, out


def test_a_database_migrated_by_a_newer_release_fails(env, capsys, monkeypatch, own_db_url):
    migrations.upgrade(own_db_url)
    engine = make_engine(own_db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    code, out = doctor(capsys, monkeypatch, DATABASE_URL=own_db_url)
    assert code == 1
    found = line(out, "migrations")
    assert "is at 9999, which this release" in found and "newer release" in found


def test_missing_pwa_files_fail(env, capsys, monkeypatch, tmp_path):
    code, out = doctor(capsys, monkeypatch, FRONTEND_DIST=str(tmp_path / "not-built"))
    assert code == 1
    found = line(out, "PWA files")
    assert "lacks index.html, sw.js, manifest.webmanifest" in found
    assert "fix: INTERLUDE_FRONTEND_DIST points there" in found

    (tmp_path / "dist" / "assets" / "app-1a2b.js").unlink()  # a half-copied build
    code, out = doctor(capsys, monkeypatch, FRONTEND_DIST=env["INTERLUDE_FRONTEND_DIST"])
    assert code == 1 and "lacks assets/app-1a2b.js" in line(out, "PWA files")


def test_a_server_clock_far_from_the_databases_fails(env, db_backend):
    """The real clock of another process: libfaketime moves this server 30 s ahead."""
    interlude = Path(sys.executable).with_name("interlude")
    run = run_faked([str(interlude), "doctor"], "+30s", env={**os.environ, **env}, timeout=60)
    found = line(run.stdout, "clock")
    if db_backend == "sqlite":  # one machine, one clock
        assert run.returncode == 0, run.stdout + run.stderr
        assert "this machine's clock" in found
    else:
        assert run.returncode == 1, run.stdout + run.stderr
        assert found.startswith("FAIL") and "s behind this server's" in found
        seconds = float(found.split("clock is ")[1].split(" s ")[0])
        assert 25 < seconds < 35
        assert "fix: keep both machines on NTP time" in found
