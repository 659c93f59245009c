"""The week ahead in a phone-sized Chromium: see the week → hold a suggestion → it shows as
held (and is in the planner's busy time) → release it. Reached from Today's link.

A New York therapist has four sessions in a row (13:00, 13:55, 14:50, 15:45; 50 minutes
each) the day after tomorrow, uploaded as an .ics file; the week ahead starts tomorrow.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.browser import assert_accessible, fits_at_double_text, small_targets, snap
from tests.e2e.conftest import LiveApp

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ZONE = "America/New_York"
PASSWORD = "a-long-passphrase-42"
PHONE = {"width": 390, "height": 844}
STARTS = ((13, 0), (13, 55), (14, 50), (15, 45))


def _day() -> datetime:
    """The day after tomorrow in New York, at midnight: inside the coming week."""
    local = (datetime.now(UTC) + timedelta(days=2)).astimezone(ZoneInfo(ZONE)).date()
    return datetime(local.year, local.month, local.day, tzinfo=ZoneInfo(ZONE))


def _ics(day: datetime) -> bytes:
    def stamp(value: datetime) -> str:
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Interlude week//EN"]
    for i, (h, m) in enumerate(STARTS):
        start = day.replace(hour=h, minute=m)
        lines += [
            "BEGIN:VEVENT",
            f"UID:week-{i}@interlude.test",
            f"DTSTAMP:{stamp(start)}",
            f"DTSTART:{stamp(start)}",
            f"DTEND:{stamp(start + timedelta(minutes=50))}",
            "SUMMARY:Client Zed Quux",
            "END:VEVENT",
        ]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def _csrf(context: BrowserContext) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "interlude_csrf")


def _get(context: BrowserContext, path: str) -> Any:
    response = context.request.get(path)
    assert response.ok, response.text()
    return response.json()


@pytest.fixture
def context(browser: Browser, live_app: LiveApp) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_app.base_url,
        viewport=PHONE,  # type: ignore[arg-type]
        screen=PHONE,  # type: ignore[arg-type]
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        timezone_id=ZONE,
        locale="en-US",
    )
    email = f"week-{uuid.uuid4().hex[:8]}@example.com"
    user = {"email": email, "password": PASSWORD, "display_name": "Ana", "timezone": ZONE}
    assert context.request.post("/api/v1/auth/register", data=user).status == 201
    login = context.request.post("/api/v1/auth/login", data={"email": email, "password": PASSWORD})
    assert login.ok, login.text()
    upload = context.request.post(
        "/api/v1/calendars/upload",
        multipart={
            "file": {"name": "week.ics", "mimeType": "text/calendar", "buffer": _ics(_day())},
            "name": "Practice",
        },
        headers={"X-CSRF-Token": _csrf(context)},
    )
    assert upload.status == 201, upload.text()
    try:
        yield context
    finally:
        context.close()


def test_see_the_week_hold_a_suggestion_then_release_it(context: BrowserContext) -> None:
    page = context.new_page()
    page.goto("/")
    page.get_by_test_id("week-link").click()
    expect(page).to_have_url(re.compile(r"/week$"))
    expect(page.get_by_role("heading", name="The week ahead")).to_be_visible()
    expect(page.get_by_test_id("week-summary")).to_contain_text("4 sessions")
    expect(page.get_by_test_id("week-summary")).to_contain_text("1 day without a 10-minute break")
    card = page.get_by_test_id("suggestion")
    expect(card).to_have_count(1)
    weekday = _day().strftime("%A")
    # Worded on the client, in the user's zone and the locale's 12-hour clock.
    expect(card).to_contain_text(f"{weekday} 1:00 PM\u20134:35 PM has 4 sessions in a row")
    expect(card).to_contain_text("a 10-minute buffer after the 3:45 PM session gives you a break")
    assert "Zed Quux" not in page.content()
    assert_accessible(page, "week-ahead")
    assert fits_at_double_text(page)
    assert small_targets(page) == []

    card.get_by_role("button", name="Hold this time").click()
    expect(card).to_have_attribute("data-held", "true")
    expect(card.get_by_test_id("held-badge")).to_be_visible()
    held = page.get_by_test_id("held")
    expect(held).to_have_count(1)
    expect(held).to_contain_text("Break (Interlude) · 4:35 PM\u20134:45 PM")
    [row] = _get(context, "/api/v1/week-ahead/held-time")
    start = _day().replace(hour=16, minute=35).astimezone(UTC)
    assert datetime.fromisoformat(row["start"].replace("Z", "+00:00")) == start
    assert_accessible(page, "week-ahead-held")
    expect(page.locator(".toast")).to_have_count(0, timeout=8000)  # "Held." goes after 4 s
    card.scroll_into_view_if_needed()
    snap(page, "week-ahead")

    card.get_by_role("button", name="Release").click()
    expect(card).to_have_attribute("data-held", "false")
    expect(card.get_by_role("button", name="Hold this time")).to_be_visible()
    expect(page.get_by_test_id("held")).to_have_count(0)
    assert _get(context, "/api/v1/week-ahead/held-time") == []


def test_the_review_setting_saves_a_local_day_and_time(context: BrowserContext) -> None:
    page = context.new_page()
    page.goto("/week")
    form = page.locator("form[aria-labelledby=review-title]")
    expect(form.get_by_label("Day")).to_have_value("6")  # Sunday
    expect(form.get_by_label("Time")).to_have_value("18:00")
    form.get_by_label("Day").select_option("4")
    form.get_by_label("Time").fill("16:30")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("Saved.")
    body = _get(context, "/api/v1/week-ahead/settings")
    assert (body["weekday"], body["time"], body["timezone"]) == (4, "16:30:00", ZONE)
