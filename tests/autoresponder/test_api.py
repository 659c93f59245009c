"""Every autoresponder endpoint: happy path, bad input, 401, and one user never sees another's."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.autoresponder.helpers import API, FORMATS, full_profile, generate, patch_profile

ENDPOINTS = [
    ("GET", f"{API}/profile", None),
    ("PATCH", f"{API}/profile", {"tone": "brief"}),
    ("GET", f"{API}/crisis-lines", None),
    ("GET", f"{API}/templates", None),
    ("PUT", f"{API}/templates/sms", {"source": "Hi {{ emergency_short }}"}),
    ("DELETE", f"{API}/templates/sms", None),
    *[("GET", f"{API}/{fmt}", None) for fmt in FORMATS],
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_every_endpoint_requires_sign_in(
    client: TestClient, method: str, path: str, body: object
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_profile_is_created_with_safe_defaults(client: TestClient, auth: dict[str, str]) -> None:
    body = client.get(f"{API}/profile", headers=auth).json()
    assert body["tone"] == "warm"
    assert body["language"] == "en"
    assert body["country"] == "US"  # the test user lives in America/New_York
    assert body["emergency_enabled"] is True
    assert "988" in body["emergency"]["text"] and "911" in body["emergency"]["text"]
    assert body["reader_timezone"] == "America/New_York"
    assert body["reader_timezone_is_default"] is True
    assert body["email_not_secure_note"] is True
    assert body["warnings"] == []


def test_profile_country_defaults_from_the_zone(
    client: TestClient, other_auth: dict[str, str]
) -> None:
    body = client.get(f"{API}/profile", headers=other_auth).json()
    assert body["country"] == "GB"
    assert "999" in body["emergency"]["text"] and "116 123" in body["emergency"]["text"]


def test_patch_profile_updates_and_persists(client: TestClient, auth: dict[str, str]) -> None:
    body = full_profile(client, auth)
    assert body["practice_name"] == "Harbor Counseling"
    body = patch_profile(
        client, auth, tone="professional", country="ca", reader_timezone="Europe/London"
    )
    assert body["country"] == "CA" and "9-8-8" in body["emergency"]["text"]
    again = client.get(f"{API}/profile", headers=auth).json()
    assert again["tone"] == "professional"
    assert again["reader_timezone"] == "Europe/London"
    assert again["covering_name"] == "Dr. Sam Lee"
    reset = patch_profile(client, auth, reader_timezone=None)
    assert reset["reader_timezone"] == "America/New_York"


@pytest.mark.parametrize(
    "body",
    [
        {"tone": "sarcastic"},
        {"language": "xx"},
        {"country": "ZZ"},
        {"reader_timezone": "Mars/Olympus"},
        {"secure_channel_url": "javascript:alert(1)"},
        {"secure_channel_url": "http://insecure.example.com"},
        {"practice_name": "Line one\nline two"},
        {"practice_name": "x" * 161},
        {"emergency_text": "Call someone"},
        {"mail_addresses": ["not-an-address"]},
        {"sieve_days": 0},
        {"sieve_seconds": 5},
        {"unknown_field": 1},
        {"tone": None},
        {"emergency_enabled": False},
    ],
)
def test_patch_profile_rejects_bad_input(
    client: TestClient, auth: dict[str, str], body: dict[str, object]
) -> None:
    response = client.patch(f"{API}/profile", json=body, headers=auth)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"]


def test_switching_the_emergency_line_off_needs_acknowledgement_and_warns(
    client: TestClient, auth: dict[str, str]
) -> None:
    refused = client.patch(f"{API}/profile", json={"emergency_enabled": False}, headers=auth)
    assert refused.status_code == 422
    assert "acknowledge_no_emergency_line" in refused.json()["error"]["message"]
    body = patch_profile(client, auth, emergency_enabled=False, acknowledge_no_emergency_line=True)
    assert body["emergency_enabled"] is False
    assert body["warnings"] and "emergency" in body["warnings"][0]
    reply = generate(client, auth, "sms")
    assert reply["emergency_included"] is False
    assert reply["warnings"] and "emergency line is switched off" in reply["warnings"][0]
    assert "988" not in reply["content"]["text"]


def test_emergency_wording_override(client: TestClient, auth: dict[str, str]) -> None:
    patch_profile(
        client,
        auth,
        emergency_text="In a crisis call the county line at 555-0911 or dial 911.",
        emergency_text_short="Crisis: 555-0911. Emergency: 911.",
    )
    assert "555-0911" in generate(client, auth, "email")["content"]["text"]
    assert "Crisis: 555-0911. Emergency: 911." in generate(client, auth, "sms")["content"]["text"]


def test_crisis_lines_table(client: TestClient, auth: dict[str, str]) -> None:
    body = client.get(f"{API}/crisis-lines", headers=auth).json()
    numbers = {(line["country"], line["number"]) for line in body["lines"]}
    for expected in [
        ("US", "988"), ("US", "911"), ("CA", "9-8-8"), ("CA", "911"), ("GB", "999"),
        ("GB", "116 123"), ("AU", "000"), ("AU", "13 11 14"), ("EU", "112"),
    ]:  # fmt: skip
        assert expected in numbers
    us_988 = next(line for line in body["lines"] if line["number"] == "988")
    assert us_988["call"] and us_988["text"]
    assert all(line["source"].startswith("https://") for line in body["lines"])
    assert body["selected"] == "US"
    only_au = client.get(f"{API}/crisis-lines", params={"country": "au"}, headers=auth).json()
    assert {line["country"] for line in only_au["lines"]} == {"AU"}
    bad = client.get(f"{API}/crisis-lines", params={"country": "QQ"}, headers=auth)
    assert bad.status_code == 422


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_carries_the_emergency_line_by_default(
    client: TestClient, auth: dict[str, str], fmt: str
) -> None:
    for at in ("2026-11-23T09:10:00-05:00", "2026-11-27T17:05:00-05:00"):
        body = generate(client, auth, fmt, at=at)
        assert body["format"] == fmt
        assert body["emergency_included"] is True, body
        assert body["warnings"] == []


@pytest.mark.parametrize(
    ("fmt", "extension", "media"),
    [
        ("email", ".txt", "text/plain"),
        ("portal", ".txt", "text/plain"),
        ("sms", ".txt", "text/plain"),
        ("voicemail", ".txt", "text/plain"),
        ("sieve", ".sieve", "application/sieve"),
        ("gmail", ".json", "application/json"),
        ("graph", ".json", "application/json"),
        ("ics", ".ics", "text/calendar"),
    ],
)
def test_download_variant(
    client: TestClient, auth: dict[str, str], fmt: str, extension: str, media: str
) -> None:
    response = client.get(f"{API}/{fmt}", params={"download": "true"}, headers=auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f'{extension}"' in disposition
    if extension == ".json":
        json.loads(response.text)
    assert response.text.strip()
    as_json = generate(client, auth, fmt)
    assert as_json["download"] == response.text
    assert as_json["filename"].endswith(extension) and as_json["media_type"].startswith(media)


@pytest.mark.parametrize(
    "params",
    [
        {"at": "2026-11-23T09:10:00"},  # no offset
        {"at": "yesterday"},
        {"at": "2031-01-01T00:00:00Z"},  # too far from now
        {"tone": "angry"},
        {"language": "tlh"},
        {"country": "XX"},
        {"zone": "Not/AZone"},
        {"days": 0},
        {"days": 1000},
    ],
)
def test_generate_rejects_bad_query(
    client: TestClient, auth: dict[str, str], params: dict[str, str]
) -> None:
    response = client.get(f"{API}/email", params=params, headers=auth)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


def test_unknown_format_is_a_clear_4xx(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get(f"{API}/fax", headers=auth)
    assert response.status_code == 422
    assert "format" in response.json()["error"]["message"]


def test_preview_overrides_do_not_change_the_profile(
    client: TestClient, auth: dict[str, str]
) -> None:
    body = generate(
        client, auth, "email", tone="brief", zone="Europe/London", at="2026-11-27T17:05:00-05:00"
    )
    assert body["tone"] == "brief"
    assert body["reader_timezone"] == "Europe/London"
    assert "Monday, 30 November, between 14:00 and 14:30 GMT" in body["content"]["text"]
    assert client.get(f"{API}/profile", headers=auth).json()["tone"] == "warm"
    au = generate(client, auth, "sms", country="AU")
    assert "000" in au["content"]["text"]


def test_templates_list_put_delete(client: TestClient, auth: dict[str, str]) -> None:
    listed = client.get(f"{API}/templates", headers=auth).json()
    slots = {t["slot"]: t for t in listed["templates"]}
    assert set(slots) == {"email_subject", "email", "portal", "sms", "voicemail", "sieve"}
    assert not any(t["custom"] for t in slots.values())
    assert "emergency" in slots["email"]["source"]
    source = (
        "Got it! I'll reply {{ next_window.short if next_window else typical_reply }}. "
        "{{ emergency_short }}"
    )
    saved = client.put(f"{API}/templates/sms", json={"source": source}, headers=auth)
    assert saved.status_code == 200, saved.text
    assert saved.json()["custom"] is True
    reply = generate(client, auth, "sms", at="2026-11-27T17:05:00-05:00")
    assert reply["content"]["text"].startswith("Got it! I'll reply Mon 30 Nov 09:00-09:30 EST.")
    profile = client.get(f"{API}/profile", headers=auth).json()
    assert profile["custom_templates"] == ["sms"]
    assert client.delete(f"{API}/templates/sms", headers=auth).status_code == 204
    assert client.delete(f"{API}/templates/sms", headers=auth).status_code == 404
    reply = generate(client, auth, "sms", at="2026-11-27T17:05:00-05:00")
    assert not reply["content"]["text"].startswith("Got it!")


def test_another_users_templates_are_invisible(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    source = "Mine only. {{ emergency_short }}"
    assert (
        client.put(f"{API}/templates/portal", json={"source": source}, headers=auth).status_code
        == 200
    )
    theirs = client.get(f"{API}/templates", headers=other_auth).json()
    portal = next(t for t in theirs["templates"] if t["slot"] == "portal")
    assert portal["custom"] is False and "Mine only" not in portal["source"]
    assert client.delete(f"{API}/templates/portal", headers=other_auth).status_code == 404
    assert "Mine only" not in generate(client, other_auth, "portal")["content"]["text"]
    assert "Mine only" in generate(client, auth, "portal")["content"]["text"]


@pytest.mark.parametrize(
    "body", [{"source": ""}, {}, {"source": "x" * 5000}, {"source": 3}, {"source": "ok", "x": 1}]
)
def test_put_template_bad_body(client: TestClient, auth: dict[str, str], body: object) -> None:
    response = client.put(f"{API}/templates/email", json=body, headers=auth)
    assert response.status_code == 422


def test_put_template_unknown_slot(client: TestClient, auth: dict[str, str]) -> None:
    response = client.put(f"{API}/templates/fax", json={"source": "hi"}, headers=auth)
    assert response.status_code == 422


def test_export_includes_the_profile(client: TestClient, auth: dict[str, str]) -> None:
    full_profile(client, auth)
    response = client.get("/api/v1/me/export", headers=auth)
    assert response.status_code == 200, response.text
    exported = response.json()["autoresponder"]
    assert exported["practice_name"] == "Harbor Counseling"
    assert exported["covering_contact"] == "(555) 010-0199"


def test_ics_lists_upcoming_closed_periods(client: TestClient, auth: dict[str, str]) -> None:
    from icalendar import Calendar

    body = generate(client, auth, "ics", at="2026-11-27T17:05:00-05:00", days=7)
    calendar = Calendar.from_ical(body["content"]["calendar"])
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == len(body["content"]["periods"]) > 0
    first = events[0]
    assert first.decoded("dtend").isoformat() == "2026-11-30T14:00:00+00:00"  # Mon 09:00 EST
    assert "988" in str(first.get("description"))
    uids = {str(e.get("uid")) for e in events}
    assert len(uids) == len(events)
