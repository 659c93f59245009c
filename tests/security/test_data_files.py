"""The SQLite database and its -wal and -shm files are readable by their owner only (0600),
like the secret key beside them; they were created 0644 (world-readable under the usual
umask): journal text, feed URLs and CalDAV passwords are encrypted, but not everything is."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from interlude import migrations
from interlude.core.clock import FrozenClock
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_default_sqlite_files_are_private(tmp_path: Path, clock: FrozenClock) -> None:
    previous = os.umask(0o022)  # the usual umask, whatever the test runner's
    try:
        settings = Settings(
            data_dir=tmp_path / "var",
            secret_key="",
            _env_file=None,  # type: ignore[call-arg]
        )
        settings.data_dir.mkdir()
        migrations.upgrade(settings.resolved_database_url)  # what `interlude run` does first
        runtime = Runtime.from_settings(settings, clock)
        try:
            with runtime.engine.connect() as conn:
                conn.execute(text("SELECT count(*) FROM users"))
                database = settings.data_dir / "interlude.db"
                files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
                assert all(f.exists() for f in files), sorted(settings.data_dir.iterdir())
                modes = {f.name: oct(_mode(f)) for f in files}
        finally:
            runtime.dispose()
        settings.resolved_secret_key()
        modes["secret.key"] = oct(_mode(settings.data_dir / "secret.key"))
    finally:
        os.umask(previous)
    assert set(modes.values()) == {"0o600"}, modes
