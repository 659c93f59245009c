"""Notes time in a phone-sized Chromium (issue 21): Care plan → Today's backlog → zero → Break.

A therapist in a zone where it is early evening now had a back-to-back afternoon today
(13:00, 13:55, 14:50; 50 minutes each, over) and has two sessions tomorrow with a 10-minute gap
(13:00, 14:00), uploaded as an .ics file:
- on Care plan they turn notes time on (5 minutes after every session) in the "Notes time"
  section; "Ending on time" says the cue is silent;
- Today shows "Notes open: 3 sessions" (axe-clean, light and dark); one "Notes done" on the
  card, one from the session sheet's "Notes done" switch, the last on the card: the backlog
  goes down to zero and the card disappears;
- tomorrow's 1:50 PM break keeps notes time: the timeline says "break 2 min, then notes 5 min",
  and the Break screen has a notes segment with its own timer, "Notes done" and a one-tap
  "Ran over" (recorded on the 1:00 PM session), its buttons in view at 360x640.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, ViewportSize, expect

from tests.e2e.browser import assert_accessible, snap
from tests.e2e.conftest import LiveApp

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-passphrase-42"
PHONE: ViewportSize = {"width": 390, "height": 844}
SMALL: ViewportSize = {"width": 360, "height": 640}
TODAY_STARTS = ((13, 0), (13, 55), (14, 50))  # back to back: 5-minute gaps
TOMORROW_STARTS = ((13, 0), (14, 0))  # a 10-minute gap: a 2-minute break and 5 of notes


def _zone(now: datetime) -> tuple[str, int]:
    """A fixed-offset zone where it is 18:xx now: today's afternoon is over (whatever the
    real time), and tomorrow is still ahead of the planner."""
    offset = ((18 - now.hour + 12) % 24) - 12
    if not offset:
        return "UTC", 0
    return "Etc/GMT" + ("-" if offset > 0 else "+") + str(abs(offset)), offset


def _ics(today: date, zone: ZoneInfo) -> bytes:
    def stamp(value: datetime) -> str:
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Interlude notes//EN"]
    days = ((today, TODAY_STARTS), (today + timedelta(days=1), TOMORROW_STARTS))
    for d, starts in days:
        for h, m in starts:
            start = datetime(d.year, d.month, d.day, h, m, tzinfo=zone)
            lines += [
                "BEGIN:VEVENT",
                f"UID:notes-{d.isoformat()}-{h}{m}@interlude.test",
                f"DTSTAMP:{stamp(start)}",
                f"DTSTART:{stamp(start)}",
                f"DTEND:{stamp(start + timedelta(minutes=50))}",
                "SUMMARY:Client Notes Person",
                "END:VEVENT",
            ]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _csrf(context: BrowserContext) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "interlude_csrf")


def _get(context: BrowserContext, path: str) -> Any:
    response = context.request.get(path)
    assert response.ok, response.text()
    return response.json()


class Therapist:
    def __init__(self, email: str, zone: str, today: date) -> None:
        self.email = email
        self.zone = zone
        self.tz = ZoneInfo(zone)
        self.today = today

    def at(self, day_offset: int, hh: int, mm: int) -> datetime:
        d = self.today + timedelta(days=day_offset)
        return datetime(d.year, d.month, d.day, hh, mm, tzinfo=self.tz)


def _phone(browser: Browser, live_app: LiveApp, zone: str, size: ViewportSize) -> BrowserContext:
    return browser.new_context(
        base_url=live_app.base_url,
        viewport=size,
        screen=size,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        timezone_id=zone,
        locale="en-US",
    )


@pytest.fixture
def therapist(browser: Browser, live_app: LiveApp) -> Iterator[Therapist]:
    zone, offset = _zone(datetime.now(UTC))
    today = (datetime.now(UTC) + timedelta(hours=offset)).date()
    email = f"notes-{uuid.uuid4().hex[:8]}@example.com"
    context = _phone(browser, live_app, zone, PHONE)
    try:
        user = {"email": email, "password": PASSWORD, "display_name": "Ana", "timezone": zone}
        assert context.request.post("/api/v1/auth/register", data=user).status == 201
        login = {"email": email, "password": PASSWORD}
        assert context.request.post("/api/v1/auth/login", data=login).ok
        upload = context.request.post(
            "/api/v1/calendars/upload",
            multipart={
                "file": {
                    "name": "notes.ics",
                    "mimeType": "text/calendar",
                    "buffer": _ics(today, ZoneInfo(zone)),
                },
                "name": "Practice",
            },
            headers={"X-CSRF-Token": _csrf(context)},
        )
        assert upload.status == 201, upload.text()
    finally:
        context.close()
    yield Therapist(email, zone, today)


def _sign_in(context: BrowserContext, email: str) -> None:
    r = context.request.post("/api/v1/auth/login", data={"email": email, "password": PASSWORD})
    assert r.ok, r.text()


def test_notes_backlog_down_to_zero_and_the_break_notes_segment(
    browser: Browser, live_app: LiveApp, therapist: Therapist
) -> None:
    context = _phone(browser, live_app, therapist.zone, PHONE)
    try:
        _sign_in(context, therapist.email)
        page = context.new_page()

        # Care plan: notes time on, 5 minutes after every session, break first.
        page.goto("/care-plan")
        notes = page.get_by_test_id("notes-settings")
        expect(notes.get_by_role("heading", name="Notes time")).to_be_visible()
        expect(page.get_by_test_id("wrap-up-settings")).to_contain_text("no sound and no vibration")
        notes.get_by_label("Minutes of notes after a session (0 = off)").fill("5")
        expect(notes.get_by_label("Order in the gap")).to_have_value("break_first")
        notes.get_by_role("button", name="Save notes time").click()
        expect(page.get_by_text("Notes time saved.")).to_be_visible()
        settings = _get(context, "/api/v1/care-plan/settings")
        assert settings["notes_minutes"] == 5, settings
        assert_accessible(page, "care-plan-notes")

        # Today: three sessions of this afternoon wait for their notes.
        page.goto("/")
        card = page.get_by_test_id("notes-backlog")
        expect(card.get_by_role("heading")).to_have_text("Notes open: 3 sessions")
        expect(card.get_by_test_id("backlog-session")).to_have_count(3)
        expect(page.get_by_test_id("session")).to_have_count(3)
        assert "Client Notes Person" not in page.content()
        assert_accessible(page, "today-notes-backlog")
        page.evaluate("window.scrollTo(0, 0)")  # Today opened at the now line, below the card
        snap(page, "today-notes-backlog")

        # One from the card (newest first: the 2:50 PM session).
        card.get_by_role("button", name=re.compile(r"^Notes done.*2:50\sPM$")).click()
        expect(card.get_by_role("heading")).to_have_text("Notes open: 2 sessions")

        # One from the session sheet: the 1:55 PM session.
        page.get_by_test_id("session").nth(1).get_by_role("button").click()
        sheet = page.get_by_test_id("session-sheet")
        expect(sheet.get_by_role("heading")).to_have_text(re.compile(r"^Session 1:55\sPM"))
        done = sheet.get_by_role("checkbox", name=re.compile("^Notes done"))
        expect(done).not_to_be_checked()
        assert_accessible(page, "session-sheet-notes")
        done.check()
        expect(done).to_be_checked()
        expect(card.get_by_role("heading")).to_have_text("Notes open: 1 session")
        sheet.get_by_role("button", name="Close").click()
        expect(sheet).to_have_count(0)

        # The last one from the card: zero, and the card is gone.
        card.get_by_role("button", name=re.compile(r"^Notes done")).click()
        expect(card).to_have_count(0)
        load = _get(context, "/api/v1/wellbeing/notes")
        assert load["backlog"] == 0 and load["enabled"], load
        page.reload()
        expect(page.get_by_test_id("session")).to_have_count(3)
        expect(page.get_by_test_id("notes-backlog")).to_have_count(0)
    finally:
        context.close()

    # Tomorrow's 1:50 PM break keeps 5 minutes of notes after it.
    small = _phone(browser, live_app, therapist.zone, SMALL)
    try:
        _sign_in(small, therapist.email)
        start, end = therapist.at(1, 0, 0), therapist.at(2, 0, 0)
        reminders = _get(small, f"/api/v1/reminders?start={_utc(start)}&end={_utc(end)}")
        due = therapist.at(1, 13, 50)
        brk = next(
            r
            for r in reminders
            if r["state"] != "cancelled" and datetime.fromisoformat(r["due_at"]) == due
        )
        assert brk["notes_minutes"] == 5, brk

        page = small.new_page()
        page.clock.install(time=therapist.at(1, 13, 51))
        page.goto("/")  # the browser's clock says it is tomorrow, 1:51 PM, already
        split = page.get_by_test_id("break").filter(has_text="1:50").get_by_test_id("gap-split")
        expect(split).to_have_text(" · break 2 min, then notes 5 min")

        page.goto(f"/break/{brk['id']}")
        segment = page.get_by_role("button", name="Notes · 5 min")
        expect(segment).to_have_attribute("aria-pressed", "false")
        segment.click()
        notes_phase = page.get_by_test_id("notes-phase")
        expect(notes_phase.get_by_role("heading")).to_have_text("Notes time")
        expect(page.get_by_test_id("notes-timer")).to_have_text(re.compile(r"^(5:00|4:5\d) left$"))
        for name in ("Notes done", "Ran over", "Done", "Skip"):
            expect(page.get_by_role("button", name=name, exact=True)).to_be_in_viewport()
        assert_accessible(page, "break-notes-360")
        snap(page, "break-notes-360")
        page.get_by_role("button", name="Ran over", exact=True).click()
        expect(page.get_by_role("button", name="✓ Ran over")).to_have_attribute(
            "aria-pressed", "true"
        )
        day = f"start={_utc(therapist.at(1, 0, 0))}&end={_utc(therapist.at(2, 0, 0))}"
        for _ in range(50):  # the tap shows at once; the PATCH lands a moment later
            first = next(
                a
                for a in _get(small, f"/api/v1/appointments?{day}")
                if datetime.fromisoformat(a["start"]) == therapist.at(1, 13, 0)
            )
            if first["ran_over"]:
                break
            page.wait_for_timeout(100)
        assert first["ran_over"] is True, first
    finally:
        small.close()
