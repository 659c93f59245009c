"""Factories and tools for the autoresponder tests: data goes in through the real API."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.support.faketime import run_faked

API = "/api/v1/autoresponder"
FORMATS = ("email", "portal", "sms", "voicemail", "sieve", "gmail", "graph", "ics")


def set_windows(
    client: TestClient, auth: dict[str, str], windows: list[tuple[int, str, str]]
) -> None:
    body = [{"weekday": d, "start_time": a, "end_time": b} for d, a, b in windows]
    response = client.put("/api/v1/care-plan/response-windows", json=body, headers=auth)
    assert response.status_code == 200, response.text


def add_time_off(
    client: TestClient, auth: dict[str, str], start: str, end: str, kind: str = "pto"
) -> None:
    body = {"start_date": start, "end_date": end, "kind": kind, "label": "private label"}
    response = client.post("/api/v1/care-plan/time-off", json=body, headers=auth)
    assert response.status_code == 201, response.text


def patch_profile(client: TestClient, auth: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.patch(f"{API}/profile", json=changes, headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


def full_profile(client: TestClient, auth: dict[str, str]) -> dict[str, Any]:
    return patch_profile(
        client,
        auth,
        credentials="LCSW",
        practice_name="Harbor Counseling",
        covering_name="Dr. Sam Lee",
        covering_contact="(555) 010-0199",
        secure_channel_name="the Harbor client portal",
        secure_channel_url="https://portal.example.com/harbor",
    )


def generate(client: TestClient, auth: dict[str, str], fmt: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/{fmt}", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


# --- Pigeonhole ------------------------------------------------------------------------


def sieve_tool(name: str) -> str:
    """The path of a Pigeonhole tool; a missing tool fails the test (never a skip)."""
    path = shutil.which(name)
    assert path, (
        f"{name} is not installed: apt-get install -y dovecot-sieve dovecot-core faketime "
        "(make test does this)"
    )
    return path


class SieveLab:
    """A world-readable scratch directory where sieve-test (running as nobody) can work."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="interlude-sieve-"))
        self.root.chmod(0o777)
        (self.root / "mail").mkdir(mode=0o777)
        # sieve-test re-executes itself through doveconf, which drops the environment unless
        # it is imported: libfaketime needs LD_PRELOAD and FAKETIME to survive that.
        self.config = self._write(
            "dovecot.conf",
            "import_environment = TZ LD_PRELOAD FAKETIME FAKETIME_NO_CACHE\n"
            f"mail_location = maildir:{self.root / 'mail'}\n",
        )
        self.message = self._write(
            "message.eml",
            "From: Client <client@example.org>\r\nTo: therapist@example.org\r\n"
            "Subject: a question\r\nMessage-ID: <q1@example.org>\r\n"
            "Date: Mon, 23 Nov 2026 14:00:00 +0000\r\n\r\nHello!\r\n",
        )

    def _write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        path.chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
        return path

    def compile(self, script: str, extensions: str = "") -> subprocess.CompletedProcess[str]:
        path = self._write("script.sieve", script)
        options = ["-x", extensions] if extensions else []
        return subprocess.run(
            [
                sieve_tool("sievec"),
                "-c",
                str(self.config),
                *options,
                str(path),
                str(self.root / "x.svbin"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def run_at(self, script: str, instant_utc: str, recipient: str) -> str:
        """sieve-test's report for the sample message delivered at ``instant_utc``."""
        path = self._write("script.sieve", script)
        command = [
            sieve_tool("sieve-test"),
            "-c",
            str(self.config),
            "-a",
            recipient,
            "-f",
            "client@example.org",
        ]
        if os.geteuid() == 0:
            command += ["-o", "mail_uid=nobody", "-o", "mail_gid=nogroup"]
        command += [str(path), str(self.message)]
        result = run_faked(command, f"@{instant_utc}", env={**os.environ, "TZ": "UTC"}, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
