"""A care-plan edit made offline shows at once, marked pending, under one offline banner.

Today's offline ack has its own test (test_today_live.py); this is the care plan's list edit:
add a micro-break rule offline -> the rule is listed at once with "pending", the app-wide
"You are offline" banner has stepped aside for the screen's "showing data from" one -> back
online, the queue is sent and the rule is the server's, without the mark.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import PHONE, assert_accessible
from tests.e2e.conftest import LiveApp

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-passphrase-42"


def test_offline_care_plan_edit_shows_pending_then_applies(
    browser: Browser, live_app: LiveApp
) -> None:
    context = browser.new_context(
        base_url=live_app.base_url, viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US"
    )
    try:
        email = f"offline-{uuid.uuid4().hex[:8]}@example.com"
        user = {"email": email, "password": PASSWORD, "display_name": "Jo", "timezone": "UTC"}
        assert context.request.post("/api/v1/auth/register", data=user).status == 201
        login = {"email": email, "password": PASSWORD}
        assert context.request.post("/api/v1/auth/login", data=login).ok
        page = context.new_page()
        page.goto("/care-plan")
        expect(page.get_by_role("heading", name="Micro-breaks")).to_be_visible()
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")

        context.set_offline(True)
        page.evaluate("window.dispatchEvent(new Event('offline'))")
        expect(page.locator(".banner-offline")).to_have_count(1)
        page.get_by_text("Add a micro-break rule").click()
        page.get_by_label("After a session, if the gap is at least (minutes)").fill("37")
        page.get_by_role("button", name="Add rule").click()
        row = page.locator("li").filter(has_text="when the gap is 37+ min")
        expect(row).to_be_visible()
        expect(row.get_by_test_id("pending")).to_be_visible()
        expect(page.get_by_test_id("offline-banner")).to_have_count(1)  # one banner, not two
        expect(page.get_by_test_id("offline-banner")).to_contain_text("showing data from")
        assert_accessible(page, "care-plan-pending")

        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")  # headless fires none
        expect(page.get_by_text("1 change sent.")).to_be_visible(timeout=10_000)
        expect(row.get_by_test_id("pending")).to_have_count(0)
        expect(row).to_be_visible()
        expect(page.get_by_test_id("offline-banner")).to_have_count(0)
        rules = context.request.get("/api/v1/care-plan").json()["micro_breaks"]
        assert [r["min_gap_minutes"] for r in rules].count(37) == 1
    finally:
        context.close()
