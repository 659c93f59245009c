"""Marking a session on Today, and the Break screen before and after its break begins.

The browser's clock is fixed with ``page.clock`` on a New York day whose sessions are 13:00,
14:00 and 15:00 (50 minutes each, uploaded as an .ics file), for a therapist whose care plan
has an "after intense sessions" ritual:
- tapping the 1:00 PM session opens a sheet with its gaps; marking it intense puts the ritual
  on the timeline, merged with the 1:50 PM break (390x844 light, 360x640 dark, axe-clean);
- before 1:50 PM the Break screen offers no Done (nor Snooze), only Skip; once the break has
  begun it shows the ritual's steps first with a timer as long as the ritual, and Done /
  Snooze / Skip are on screen at 360x640 without scrolling;
- the breathing circle's first "Breathe in" grows (a transition, not a jump).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, ViewportSize, expect

from tests.e2e.browser import assert_accessible, snap
from tests.e2e.conftest import LiveApp
from tests.e2e.test_today_live import (
    BREAK_CLASSES,
    PASSWORD,
    PHONE,
    SMALL,
    ZONE,
    api_get,
    at,
    csrf,
    ics,
    new_phone,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RITUAL = {
    "name": "Heavy reset",
    "steps": ["Wash your hands slowly", "Name three things you can see"],
    "trigger": "after_intense",
    "duration_minutes": 4,
}


@pytest.fixture(scope="module")
def day() -> datetime:
    """Tomorrow in New York (the planner plans ahead of the server's real clock), at midnight."""
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(ZoneInfo(ZONE)).date()
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=ZoneInfo(ZONE))


def utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def account(browser: Browser, live_app: LiveApp, day: datetime) -> str:
    """A fresh New York therapist (each test marks sessions) with the day's three sessions and
    an "after intense sessions" ritual."""
    email = f"marks-{uuid.uuid4().hex[:8]}@example.com"
    context = new_phone(browser, live_app)
    try:
        user = {"email": email, "password": PASSWORD, "display_name": "Ana", "timezone": ZONE}
        assert context.request.post("/api/v1/auth/register", data=user).status == 201
        sign_in(context, email)
        headers = {"X-CSRF-Token": csrf(context)}
        upload = context.request.post(
            "/api/v1/calendars/upload",
            multipart={
                "file": {"name": "day.ics", "mimeType": "text/calendar", "buffer": ics(day)},
                "name": "Practice",
            },
            headers=headers,
        )
        assert upload.status == 201, upload.text()
        ritual = context.request.post("/api/v1/care-plan/rituals", data=RITUAL, headers=headers)
        assert ritual.status == 201, ritual.text()
    finally:
        context.close()
    return email


def day_reminders(context: BrowserContext, day: datetime) -> list[dict[str, Any]]:
    path = f"/api/v1/reminders?start={utc(day)}&end={utc(day + timedelta(days=1))}"
    return [r for r in api_get(context, path) if r["state"] != "cancelled"]


def break_at(context: BrowserContext, day: datetime, hh: int, mm: int) -> dict[str, Any]:
    due = at(day, hh, mm).astimezone(UTC)
    return next(
        r
        for r in day_reminders(context, day)
        if r["kind"] == "micro_break" and datetime.fromisoformat(r["due_at"]) == due
    )


def mark_first_session_intense(context: BrowserContext, day: datetime) -> None:
    path = f"/api/v1/appointments?start={utc(day)}&end={utc(day + timedelta(days=1))}"
    first = api_get(context, path)[0]
    r = context.request.patch(
        f"/api/v1/appointments/{first['id']}",
        data={"intense": True},
        headers={"X-CSRF-Token": csrf(context)},
    )
    assert r.ok, r.text()


@pytest.mark.parametrize(
    ("size", "dark"), [(PHONE, False), (SMALL, True)], ids=["390-light", "360-dark"]
)
def test_marking_a_session_intense_puts_its_ritual_on_the_timeline(
    browser: Browser,
    live_app: LiveApp,
    account: str,
    day: datetime,
    size: ViewportSize,
    dark: bool,
) -> None:
    context = new_phone(browser, live_app, size=size, dark=dark)
    try:
        sign_in(context, account)
        page = context.new_page()
        page.clock.install(time=at(day, 12, 30))
        page.goto("/")
        sessions = page.get_by_test_id("session")
        expect(sessions).to_have_count(3)
        # The default plan's shutdown ritual rides on the end of the day; nothing else yet.
        rituals = page.get_by_test_id("ritual")
        expect(rituals).to_have_count(1)
        expect(rituals).to_have_text(re.compile(r"Ritual: Shutdown ritual"))
        heavy = rituals.filter(has_text="Heavy reset")

        sessions.first.get_by_role("button").click()
        sheet = page.get_by_test_id("session-sheet")
        expect(sheet).to_be_visible()
        expect(sheet.get_by_role("heading")).to_have_text("Session 1:00 PM\u20131:50 PM")
        expect(sheet.get_by_test_id("gap-before")).to_have_text("First of the day")
        expect(sheet.get_by_test_id("gap-after")).to_have_text("10 min (next at 2:00 PM)")
        intense = sheet.get_by_role("checkbox", name=re.compile("^Intense session"))
        expect(intense).not_to_be_checked()
        name = f"session-sheet-{size['width']}{'-dark' if dark else ''}"
        assert_accessible(page, name)
        intense.check()
        expect(intense).to_be_checked()

        # The re-planned break after that session now carries the ritual, on the timeline.
        expect(heavy).to_have_count(1)
        expect(heavy).to_have_text("· Ritual: Heavy reset · 4 min")
        brk = page.get_by_test_id("break").filter(has=heavy)
        expect(brk).to_contain_text("1:50 PM")
        snap(page, name)
        sheet.get_by_role("button", name="Close").click()
        expect(sheet).to_have_count(0)
        expect(sessions.first.get_by_test_id("marks")).to_have_text(" · intense")
        # The counts still count what is shown: three sessions, the breaks listed.
        shown = page.locator(f"[data-testid=break]:is({BREAK_CLASSES})").count()
        expect(page.get_by_test_id("day-summary")).to_contain_text(
            f"3 sessions · {shown} break{'' if shown == 1 else 's'} planned"
        )
        assert_accessible(page, f"today-marked-{size['width']}{'-dark' if dark else ''}")

        # Kept by the server: a reload shows the mark and the ritual again.
        page.reload()
        expect(page.get_by_test_id("session").first.get_by_test_id("marks")).to_have_text(
            " · intense"
        )
        expect(page.get_by_test_id("ritual").filter(has_text="Heavy reset")).to_have_count(1)
    finally:
        context.close()


def test_break_offers_done_only_once_begun_and_starts_with_the_ritual(
    browser: Browser, live_app: LiveApp, account: str, day: datetime
) -> None:
    context = new_phone(browser, live_app, size=SMALL, dark=True)
    try:
        sign_in(context, account)
        mark_first_session_intense(context, day)
        reminder = break_at(context, day, 13, 50)
        assert reminder["ritual_name"] == "Heavy reset", reminder
        page = context.new_page()
        page.clock.install(time=at(day, 13, 45))
        page.goto(f"/break/{reminder['id']}")
        expect(page.get_by_test_id("not-yet")).to_contain_text("This break starts at 1:50 PM.")
        expect(page.get_by_role("button", name="Skip", exact=True)).to_be_in_viewport()
        expect(page.get_by_role("button", name="Done", exact=True)).to_have_count(0)
        expect(page.get_by_role("button", name="Snooze 5", exact=True)).to_have_count(0)
        assert_accessible(page, "break-early-360-dark")

        # 1:50 PM: the break has begun.
        page.clock.fast_forward("05:30")
        done = page.get_by_role("button", name="Done", exact=True)
        expect(done).to_be_visible()
        expect(page.get_by_test_id("not-yet")).to_have_count(0)
        ritual = page.get_by_test_id("ritual-phase")
        expect(ritual.get_by_role("heading")).to_have_text("Your ritual: Heavy reset")
        expect(ritual.get_by_role("listitem")).to_have_text(RITUAL["steps"])
        expect(page.get_by_test_id("ritual-timer")).to_have_text(re.compile(r"^(4:00|3:5\d) left$"))
        for name in ("Done", "Snooze 5", "Skip"):
            expect(page.get_by_role("button", name=name, exact=True)).to_be_in_viewport()
        assert_accessible(page, "break-ritual-360-dark")
        snap(page, "break-ritual-360-dark")
    finally:
        context.close()


def test_the_first_breath_grows_like_the_rest(
    browser: Browser, live_app: LiveApp, account: str, day: datetime
) -> None:
    context = new_phone(browser, live_app, size=PHONE)
    try:
        sign_in(context, account)
        reminder = break_at(context, day, 14, 50)  # no ritual: straight to box breathing
        page = context.new_page()
        page.clock.install(time=at(day, 14, 51))
        page.goto(f"/break/{reminder['id']}")
        expect(page.get_by_text("Breathe in", exact=True)).to_be_visible()
        # Mid-way through the first "Breathe in" the circle is between its small and full
        # size: it grows over four seconds instead of jumping to full size.
        page.wait_for_function(
            """() => {
                const shape = document.querySelector('.breath-shape');
                const scale = new DOMMatrix(getComputedStyle(shape).transform).a;
                return scale > 1.1 && scale < 1.7;
            }""",
            timeout=4000,
        )
    finally:
        context.close()
