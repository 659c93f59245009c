"""Today and Break right to the minute, on small phones, light and dark; shared phones; offline.

The browser's clock is fixed with Playwright's ``page.clock`` to 13:52 in New York on a day
whose sessions are 13:00, 14:00 and 15:00 (50 minutes each), uploaded as an .ics file:
- the Today header says "Next client 2:00 PM · in 8 min" and ticks to 7 min a minute later
  (390x844 and 360x640, light and dark, axe-clean);
- the Break screen counts down to the next session from now, and its Done/Snooze/Skip are on
  screen at 360x640 without scrolling;
- an ack made offline shows at once, marked pending, then is applied on reconnect;
- signing out leaves nothing of the user in IndexedDB, Cache Storage or localStorage, and the
  signed-out app, offline, shows none of their data.

One Chromium for the module (contexts are cheap); the app server is the session's.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    expect,
)

from tests.e2e.browser import assert_accessible, snap
from tests.e2e.conftest import LiveApp

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ZONE = "America/New_York"
PASSWORD = "a-long-passphrase-42"
SMALL: ViewportSize = {"width": 360, "height": 640}
PHONE: ViewportSize = {"width": 390, "height": 844}
BREAK_CLASSES = ", ".join(
    f".kind-{k}"
    for k in ("micro_break", "transition_ritual", "end_of_day", "fixed_break", "interval_break")
)


@pytest.fixture(scope="module")
def day() -> datetime:
    """Tomorrow in New York (the planner plans ahead of the server's real clock), at midnight."""
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(ZoneInfo(ZONE)).date()
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=ZoneInfo(ZONE))


def at(day: datetime, hh: int, mm: int) -> datetime:
    return day.replace(hour=hh, minute=mm)


def ics(day: datetime) -> bytes:
    def stamp(value: datetime) -> str:
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    events = []
    for i, hour in enumerate((13, 14, 15)):
        start = at(day, hour, 0)
        events += [
            "BEGIN:VEVENT",
            f"UID:live-{i}@interlude.test",
            f"DTSTAMP:{stamp(start)}",
            f"DTSTART:{stamp(start)}",
            f"DTEND:{stamp(start + timedelta(minutes=50))}",
            "SUMMARY:Client",
            "END:VEVENT",
        ]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Interlude live//EN", *events]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def new_phone(
    browser: Browser, live_app: LiveApp, *, size: ViewportSize = PHONE, dark: bool = False
) -> BrowserContext:
    return browser.new_context(
        base_url=live_app.base_url,
        viewport=size,
        screen=size,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        timezone_id=ZONE,
        locale="en-US",
        color_scheme="dark" if dark else "light",
    )


def csrf(context: BrowserContext) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "interlude_csrf")


def sign_in(context: BrowserContext, email: str) -> None:
    r = context.request.post("/api/v1/auth/login", data={"email": email, "password": PASSWORD})
    assert r.ok, r.text()


def api_get(context: BrowserContext, path: str) -> Any:
    r = context.request.get(path)
    assert r.ok, r.text()
    return r.json()


@pytest.fixture(scope="module")
def account(browser: Browser, live_app: LiveApp, day: datetime) -> str:
    """A New York therapist with three sessions on `day`, and their planned breaks."""
    email = f"live-{uuid.uuid4().hex[:8]}@example.com"
    context = new_phone(browser, live_app)
    try:
        user = {"email": email, "password": PASSWORD, "display_name": "Ana", "timezone": ZONE}
        assert context.request.post("/api/v1/auth/register", data=user).status == 201
        sign_in(context, email)
        upload = context.request.post(
            "/api/v1/calendars/upload",
            multipart={
                "file": {"name": "day.ics", "mimeType": "text/calendar", "buffer": ics(day)},
                "name": "Practice",
            },
            headers={"X-CSRF-Token": csrf(context)},
        )
        assert upload.status == 201, upload.text()
        start = day.astimezone(UTC).isoformat().replace("+00:00", "Z")
        end = (day + timedelta(days=1)).astimezone(UTC).isoformat().replace("+00:00", "Z")
        reminders = api_get(context, f"/api/v1/reminders?start={start}&end={end}")
        breaks = [r for r in reminders if r["kind"] == "micro_break" and r["state"] != "cancelled"]
        assert breaks, f"no break planned: {reminders}"
    finally:
        context.close()
    return email


def open_today(context: BrowserContext, now: datetime) -> Page:
    page = context.new_page()
    page.clock.install(time=now)
    page.goto("/")
    expect(page.get_by_test_id("session")).to_have_count(3)
    return page


def first_break(context: BrowserContext, day: datetime) -> dict[str, Any]:
    """The day's first planned micro-break (the planner decides which gap gets one)."""
    start = day.astimezone(UTC).isoformat().replace("+00:00", "Z")
    end = (day + timedelta(days=1)).astimezone(UTC).isoformat().replace("+00:00", "Z")
    reminders = api_get(context, f"/api/v1/reminders?start={start}&end={end}")
    return next(r for r in reminders if r["kind"] == "micro_break" and r["state"] != "cancelled")


@pytest.mark.parametrize(
    ("size", "dark"),
    [(PHONE, False), (PHONE, True), (SMALL, False), (SMALL, True)],
    ids=["390-light", "390-dark", "360-light", "360-dark"],
)
def test_today_header_at_1352_before_a_2pm_client(
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
        page = open_today(context, at(day, 13, 52))
        status = page.get_by_test_id("day-status")
        expect(status).to_contain_text("Next client 2:00 PM · in 8 min")
        expect(status).to_contain_text(
            # the break after the 13:00 session is still running at 13:52
            re.compile(r"^(Break · \d+ min left|Free until 2:00 PM)")
        )
        expect(status).to_be_in_viewport()
        expect(page.get_by_test_id("now-line")).to_be_in_viewport()
        expect(page.locator(".session.past")).to_have_count(1)
        # The summary counts exactly the breaks the timeline shows.
        shown = page.locator(f"[data-testid=break]:is({BREAK_CLASSES})").count()
        plural = "" if shown == 1 else "s"
        expect(page.get_by_test_id("day-summary")).to_have_text(
            f"3 sessions · {shown} break{plural} planned"
        )
        name = f"today-live-{size['width']}{'-dark' if dark else ''}"
        assert_accessible(page, name)
        snap(page, name)
        # A minute later, without a reload.
        page.clock.fast_forward("01:00")
        expect(status).to_contain_text("Next client 2:00 PM · in 7 min")
        # At 14:00 the client is in session.
        page.clock.fast_forward("07:00")
        expect(status).to_contain_text("In session until 2:50 PM")
        expect(status).to_contain_text("Next client 3:00 PM · in 1 h 00 min")
    finally:
        context.close()


def test_break_counts_down_to_the_next_session(
    browser: Browser, live_app: LiveApp, account: str, day: datetime
) -> None:
    context = new_phone(browser, live_app, size=SMALL)
    try:
        sign_in(context, account)
        reminder = first_break(context, day)
        due = datetime.fromisoformat(reminder["due_at"]).astimezone(ZoneInfo(ZONE))
        assert due.minute == 50, reminder  # right after a session; the next one is at :00
        following = f"{(due.hour + 1) % 12 or 12}:00 PM"
        page = context.new_page()
        page.clock.install(time=due + timedelta(minutes=2))
        page.goto(f"/break/{reminder['id']}")
        countdown = page.get_by_test_id("next-session")
        expect(countdown).to_have_text(f"Next session in 8 min · {following}")
        expect(page.get_by_text("Next session in 1 hour")).to_have_count(0)
        # Done / Snooze / Skip are on screen at 360x640 without scrolling.
        for name in ("Done", "Snooze 5", "Skip"):
            expect(page.get_by_role("button", name=name, exact=True)).to_be_in_viewport()
        assert_accessible(page, "break-360")
        snap(page, "break-360")
        page.clock.fast_forward("03:00")
        expect(countdown).to_have_text(f"Next session in 5 min · {following}")
    finally:
        context.close()


def test_offline_ack_shows_pending_then_applies(
    browser: Browser, live_app: LiveApp, account: str, day: datetime
) -> None:
    context = new_phone(browser, live_app)
    try:
        sign_in(context, account)
        reminder = first_break(context, day)
        due = datetime.fromisoformat(reminder["due_at"])
        page = open_today(context, due + timedelta(minutes=1))
        expect(page.get_by_test_id("day-status")).to_contain_text("Break · 1 min left")
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        context.set_offline(True)
        page.evaluate("window.dispatchEvent(new Event('offline'))")
        page.locator(f"a[href='/break/{reminder['id']}']").first.click()
        # Skip: the server refuses a Done ahead of its own clock, which the page's fixed clock
        # is a day ahead of (tests/reminders covers Done before due).
        page.get_by_role("button", name="Skip", exact=True).click()
        expect(page.get_by_text("Saved; it will be sent when you are back online.")).to_be_visible()
        link = page.locator(f"a[href='/break/{reminder['id']}']")
        row = page.get_by_test_id("break").filter(has=link)
        expect(row).to_contain_text("Skipped")
        expect(row.get_by_test_id("pending")).to_be_visible()
        expect(page.locator(".banner-offline")).to_have_count(1)  # one offline banner, not two
        assert_accessible(page, "today-pending")  # the done break, its pending mark, the banner
        snap(page, "today-pending")
        context.set_offline(False)
        page.get_by_role("button", name="Refresh").click()  # headless fires no "online" event
        expect(page.get_by_text("1 change sent.")).to_be_visible(timeout=10_000)
        expect(row.get_by_test_id("pending")).to_have_count(0)
        expect(row).to_contain_text("Skipped")
        assert api_get(context, f"/api/v1/reminders/{reminder['id']}")["ack_action"] == "skip"
    finally:
        context.close()


_LEFT_BEHIND = """async () => {
    const dbs = (await indexedDB.databases()).map(d => d.name);
    const rows = await new Promise((resolve) => {
        const open = indexedDB.open('interlude');
        open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(['kv', 'queue'], 'readonly');
            const kv = tx.objectStore('kv').getAllKeys();
            const queue = tx.objectStore('queue').getAll();
            tx.oncomplete = () => resolve({kv: kv.result, queue: queue.result});
        };
    });
    const caches_ = await caches.keys();
    const cached = [];
    for (const name of caches_) {
        const cache = await caches.open(name);
        for (const req of await cache.keys()) cached.push(new URL(req.url).pathname);
    }
    const local = Object.keys(localStorage).filter(k => k.startsWith('interlude.'));
    return {dbs, ...rows, cached, local};
}"""


def test_sign_out_leaves_nothing_of_the_user(
    browser: Browser, live_app: LiveApp, account: str, day: datetime
) -> None:
    context = new_phone(browser, live_app)
    try:
        sign_in(context, account)
        page = open_today(context, at(day, 13, 52))
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
        expect(page.get_by_text(account)).to_be_visible()
        before = page.evaluate(_LEFT_BEHIND)
        assert any(k.startswith("cache:") for k in before["kv"]), before  # there was something
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/welcome$"))
        left = page.evaluate(_LEFT_BEHIND)
        assert left["kv"] == [] and left["queue"] == [], left
        assert left["local"] == [], left
        assert all(not path.startswith("/api/") for path in left["cached"]), left
        # Offline, the signed-out app shows the welcome screen and nothing of theirs.
        context.set_offline(True)
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/welcome$"))
        expect(page.get_by_role("heading", name="Welcome to Interlude")).to_be_visible()
        body = page.content()
        assert account not in body and "Session" not in body
        page.goto("/settings")
        expect(page).to_have_url(re.compile(r"/welcome"))
        assert account not in page.content()
    finally:
        context.close()


def test_landing_page_is_quiet(browser: Browser, live_app: LiveApp) -> None:
    """A first visit: no /me call (so no 401 in the console), no icon downloaded by the worker."""
    context = new_phone(browser, live_app)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        requests: list[str] = []
        by_worker: list[str] = []
        context.on("request", lambda r: requests.append(r.url.removeprefix(live_app.base_url)))
        context.on(
            "request",
            lambda r: (
                by_worker.append(r.url.removeprefix(live_app.base_url))
                if r.service_worker
                else None
            ),
        )
        page.goto("/")
        expect(page.get_by_role("heading", name="Welcome to Interlude")).to_be_visible()
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        assert errors == [], errors
        assert not [u for u in requests if u.startswith("/api/v1/me")], requests
        # The worker precaches the shell but no icon: the page and the manifest fetch those
        # already (Chromium asks for the favicon twice at once, for the tab and as a touch
        # icon; that is the browser's own doing, and the second is a cache hit).
        assert any(u.startswith("/index.html") for u in by_worker), by_worker
        assert not [u for u in by_worker if u.startswith("/icons/")], by_worker
    finally:
        context.close()
