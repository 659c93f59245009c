"""Golden files: every format, tone and instant, through the API with the clock frozen.

Regenerate after an intended wording change with ``UPDATE_GOLDEN=1 pytest tests/autoresponder``
and review the diff like code.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interlude.core.clock import FrozenClock
from tests.autoresponder.helpers import FORMATS, add_time_off, full_profile, generate, patch_profile
from tests.factories import login_headers, make_user

GOLDEN = Path(__file__).parent / "golden"
INSTANTS = {
    "in_window": "2026-11-23T09:10:00-05:00",  # Monday, inside the morning window
    "friday_evening": "2026-11-27T17:00:30-05:00",  # just after Friday's last window closed
    "pto": "2026-12-22T10:00:00-05:00",  # during a week of PTO with a covering clinician
    "dst_weekend": "2027-03-12T17:30:00-05:00",  # Friday evening; clocks spring forward Sunday
}
TONES = ("warm", "professional", "brief")


@pytest.fixture
def ana(client: TestClient, db: Session, clock: FrozenClock) -> dict[str, str]:
    make_user(db, now=clock.now(), email="ana@example.org", display_name="Dr. Ana Rivera")
    auth = login_headers(client, "ana@example.org")
    full_profile(client, auth)
    add_time_off(client, auth, "2026-12-21", "2027-01-01")
    return auth


def _stable(fmt: str, content: dict[str, Any]) -> dict[str, Any]:
    if fmt == "ics":  # UIDs hash the (random) user id
        content = {**content, "calendar": re.sub(r"UID:\S+", "UID:<uid>", content["calendar"])}
    return content


@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("instant", INSTANTS)
def test_golden(client: TestClient, ana: dict[str, str], tone: str, instant: str) -> None:
    patch_profile(client, ana, tone=tone)
    produced = {}
    for fmt in FORMATS:
        body = generate(client, ana, fmt, at=INSTANTS[instant])
        assert body["emergency_included"] is True
        produced[fmt] = {
            "status": body["status"],
            "next_window": body["next_window"],
            "warnings": body["warnings"],
            "content": _stable(fmt, body["content"]),
        }
    path = GOLDEN / f"{tone}-{instant}.json"
    rendered = json.dumps(produced, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}: run with UPDATE_GOLDEN=1"
    assert rendered == path.read_text(encoding="utf-8")


def test_golden_facts_that_must_hold(client: TestClient, ana: dict[str, str]) -> None:
    """The few facts the golden files encode, asserted directly so a bad regeneration fails."""
    friday = generate(client, ana, "email", at=INSTANTS["friday_evening"])
    assert friday["status"] == "closed"
    assert "Monday, 30 November, between 09:00 and 09:30 EST" in friday["content"]["text"]
    inside = generate(client, ana, "sms", at=INSTANTS["in_window"])
    assert inside["status"] == "open"
    pto = generate(client, ana, "email", at=INSTANTS["pto"])
    assert pto["status"] == "away"
    assert "Dr. Sam Lee" in pto["content"]["text"]
    assert "Monday, 4 January, between 09:00 and 09:30 EST" in pto["content"]["text"]
    dst = generate(client, ana, "gmail", at=INSTANTS["dst_weekend"])
    settings = dst["content"]["vacation_settings"]
    # Closes Fri 17:00 EST (22:00 UTC), reopens Mon 09:00 EDT (13:00 UTC, not 14:00).
    assert settings["startTime"] == str(1_804_888_800_000)
    assert settings["endTime"] == str(1_805_115_600_000)
    assert "Monday, 15 March, between 09:00 and 09:30 EDT" in settings["responseBodyPlainText"]
