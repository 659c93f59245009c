"""``interlude run`` keeps its long-running process small (issue 16): Alembic runs in a
short-lived child, and libraries used only by a rarely used path load when it is used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# What the embedded default imports up to serving: the app, the worker and its job modules.
_SERVING_IMPORTS = """
import sys
import interlude.app, interlude.cli, interlude.worker
import interlude.calendars.jobs, interlude.reminders.jobs
from interlude import migrations
migrations.script_heads()
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_the_serving_process_does_not_import_rarely_used_libraries(tmp_path: Path) -> None:
    # The calendar parser's fork-server hand-over (parse_process.py), set in this process by
    # its import, would make the probe act as the fork server and warm up the parser.
    env = {k: v for k, v in os.environ.items() if k != "INTERLUDE_PARSE_MAIN_PATH"}
    out = subprocess.run(
        [sys.executable, "-c", _SERVING_IMPORTS],
        env={**env, "INTERLUDE_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "interlude" in out and "fastapi" in out  # the probe did import the app
    # Jinja2: the autoresponder's templates; icalendar & co.: reading or writing a calendar.
    # aiosmtplib: only a server with SMTP settings sends mail.
    rarely_used = ("alembic", "mako", "caldav", "niquests", "lxml", "jinja2", "icalendar")
    rarely_used += ("aiosmtplib",)
    for heavy in (*rarely_used, "recurring_ical_events", "x_wr_timezone"):
        assert heavy not in out, f"{heavy} is imported before it is needed"


def test_run_stops_when_the_migration_fails(tmp_path: Path) -> None:
    # A database file where a directory is expected: the migration child cannot open it.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    env = {
        **os.environ,
        "INTERLUDE_DATA_DIR": str(tmp_path / "data"),
        "INTERLUDE_DATABASE_URL": f"sqlite:///{blocker / 'interlude.db'}",
        "INTERLUDE_SECRET_KEY": "a-secret-key-long-enough-for-the-test-0123456789",
    }
    result = subprocess.run(
        [sys.executable, "-m", "interlude.cli", "run", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "the migration failed" in result.stderr
