"""The Sieve script, compiled by Pigeonhole's sievec and run with sieve-test at chosen instants.

The tools are required: a missing sievec, sieve-test or libfaketime fails these tests
(never a skip).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.autoresponder.helpers import (
    API,
    SieveLab,
    add_time_off,
    full_profile,
    generate,
    patch_profile,
    set_windows,
)

ME = "therapist@example.org"


@pytest.fixture
def lab() -> Iterator[SieveLab]:
    workspace = SieveLab()
    yield workspace
    workspace.close()


def _script(client: TestClient, auth: dict[str, str]) -> str:
    return str(generate(client, auth, "sieve")["content"]["script"])


def _replied(report: str) -> str | None:
    """The vacation handle sieve-test would send, or None when no reply would go out."""
    if "send vacation message" not in report:
        return None
    for line in report.splitlines():
        if "=> handle" in line:
            return line.split(":", 1)[1].strip()
    return "?"


@pytest.fixture
def script(client: TestClient, auth: dict[str, str]) -> str:
    """Default windows (Mon-Fri 09:00-09:30, 16:30-17:00 New York) plus a week of PTO."""
    full_profile(client, auth)
    patch_profile(client, auth, mail_addresses=[ME])
    add_time_off(client, auth, "2026-12-21", "2027-01-01")
    return _script(client, auth)


def test_script_compiles_with_pigeonhole(lab: SieveLab, script: str) -> None:
    result = lab.compile(script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'require ["date", "relational", "vacation"];' in script
    for part in (":days 1", ":subject", ':addresses ["therapist@example.org"]', ":handle"):
        assert part in script


@pytest.mark.parametrize(
    ("instant_utc", "expected"),
    [
        ("2026-11-23 14:10:00", None),  # Mon 09:10 EST: inside the morning window
        ("2026-11-23 14:31:00", "interlude-message-hours"),  # Mon 09:31 EST: just closed
        ("2026-11-23 21:45:00", None),  # Mon 16:45 EST: afternoon window
        ("2026-11-27 22:00:30", "interlude-message-hours"),  # Fri 17:00:30 EST: closed
        ("2026-11-28 14:10:00", "interlude-message-hours"),  # Saturday
        ("2026-11-30 04:59:00", "interlude-message-hours"),  # Sun 23:59 EST (Mon in UTC)
        ("2026-12-22 14:10:00", "interlude-away-2026-12-21"),  # PTO, even at window time
        ("2027-01-01 23:00:00", "interlude-away-2026-12-21"),  # last PTO evening
        ("2027-01-04 14:10:00", None),  # back from PTO, Monday window
        ("2027-03-12 14:10:00", None),  # Fri 09:10 EST before the DST change
        ("2027-03-15 13:10:00", None),  # Mon 09:10 EDT after spring forward (13:10 UTC)
        ("2027-03-15 14:10:00", "interlude-message-hours"),  # Mon 10:10 EDT: closed
        ("2027-07-05 13:05:00", None),  # summer: 09:05 EDT
        ("2027-11-08 14:05:00", None),  # after fall back: 09:05 EST
        ("2027-11-08 13:05:00", "interlude-message-hours"),  # 08:05 EST: not yet open
    ],
)
def test_replies_only_outside_windows_and_during_pto(
    lab: SieveLab, script: str, instant_utc: str, expected: str | None
) -> None:
    report = lab.run_at(script, instant_utc, ME)
    assert _replied(report) == expected, report


def test_reply_text_reaches_the_client_intact(
    lab: SieveLab, client: TestClient, auth: dict[str, str]
) -> None:
    patch_profile(
        client,
        auth,
        mail_addresses=[ME],
        practice_name='The "Quiet" Room \\ Studio',
        credentials="PhD; LMFT",
    )
    script = _script(client, auth)
    assert lab.compile(script).returncode == 0
    report = lab.run_at(script, "2026-11-28 14:00:00", ME)
    assert 'The "Quiet" Room \\ Studio' in report
    assert "call or text 988" in report and "call 911" in report


def test_seconds_variant_uses_rfc6131(
    lab: SieveLab, client: TestClient, auth: dict[str, str]
) -> None:
    patch_profile(client, auth, mail_addresses=[ME], sieve_seconds=7200)
    script = _script(client, auth)
    assert '"vacation-seconds"' in script and ":seconds 7200" in script
    # Dovecot ships vacation-seconds disabled: hosts enable it with sieve_extensions.
    result = lab.compile(script, extensions="+vacation-seconds")
    assert result.returncode == 0, result.stdout + result.stderr


def test_week_edges_and_a_late_window_in_another_zone(
    lab: SieveLab, client: TestClient, auth: dict[str, str]
) -> None:
    """Sunday and late-evening windows, a zone east of UTC with its own DST dates."""
    set_windows(client, auth, [(6, "20:00", "23:59"), (0, "00:00", "00:30")])
    patch_profile(client, auth, mail_addresses=[ME])
    script = _script(client, auth)
    assert lab.compile(script).returncode == 0
    # Sunday 29 Nov 2026 20:30 EST = Monday 01:30 UTC: open (Sunday window).
    assert _replied(lab.run_at(script, "2026-11-30 01:30:00", ME)) is None
    # Monday 00:10 EST = 05:10 UTC: open (Monday's midnight window).
    assert _replied(lab.run_at(script, "2026-11-30 05:10:00", ME)) is None
    # Monday 00:40 EST: closed.
    assert _replied(lab.run_at(script, "2026-11-30 05:40:00", ME)) == "interlude-message-hours"


def test_script_without_windows_always_replies(
    lab: SieveLab, client: TestClient, auth: dict[str, str]
) -> None:
    set_windows(client, auth, [])
    patch_profile(client, auth, mail_addresses=[ME])
    script = _script(client, auth)
    assert lab.compile(script).returncode == 0
    assert _replied(lab.run_at(script, "2026-11-23 14:10:00", ME)) == "interlude-message-hours"


def test_download_is_the_same_script(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get(f"{API}/sieve", params={"download": 1}, headers=auth)
    assert response.text == _script(client, auth)


def test_every_golden_sieve_script_compiles(lab: SieveLab) -> None:
    import json
    from pathlib import Path

    goldens = sorted((Path(__file__).parent / "golden").glob("*.json"))
    assert len(goldens) == 12
    for path in goldens:
        script = json.loads(path.read_text(encoding="utf-8"))["sieve"]["content"]["script"]
        result = lab.compile(script)
        assert result.returncode == 0, (path.name, result.stdout + result.stderr)
