"""Turning reminders on and keeping the subscription in step, in headless Chromium.

1. Reconcile on open: the page re-reads its PushSubscription on every open; when the
   endpoint changed (iOS drops subscriptions without an event), the server ends up with the
   new endpoint and without the old one. Headless Chromium cannot reach FCM, so each page's
   ``getSubscription()`` answers with a browser-shaped subscription of the test's choosing.
2. "Turn on break reminders" never hangs: permission denied, the push service unreachable
   (the real Chromium subscribing without FCM), and a subscribe that never answers (the
   step's 15 s limit, fast-forwarded with Playwright's clock) each end with the button usable
   again and a message saying what to do.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.browser import phone
from tests.e2e.conftest import LiveApp, Scenario
from tests.e2e.test_delivery import _subscription_json
from tests.e2e.test_wellbeing_autoreply import api, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UNREACHABLE = "push service could not be reached"
DENIED = "Notifications are blocked"


def _page_with_subscription(context: BrowserContext, subscription: dict[str, object]) -> Page:
    page = context.new_page()
    page.add_init_script(
        "(() => { const json = "
        + json.dumps(subscription)
        + """;
            const sub = {endpoint: json.endpoint, expirationTime: null,
                         toJSON: () => json, unsubscribe: async () => true};
            PushManager.prototype.getSubscription = async () => sub;
        })()"""
    )
    return page


def _endpoints(page: Page) -> list[str]:
    answer = api(page, "GET", "/api/v1/push/subscriptions")
    assert answer["status"] == 200, answer
    return sorted(d["endpoint"] for d in answer["body"])


def _wait_for_endpoints(page: Page, expected: list[str]) -> list[str]:
    found: list[str] = []
    for _ in range(100):
        found = _endpoints(page)
        if found == sorted(expected):
            break
        page.wait_for_timeout(100)
    return found


def test_reconcile_on_open_replaces_the_old_endpoint(
    live_app: LiveApp, scenario: Scenario, tmp_path: Path
) -> None:
    with phone(tmp_path / "profile", timezone=scenario.timezone, base_url=live_app.base_url) as (
        context
    ):
        setup = context.new_page()
        sign_up(setup, scenario.timezone)
        assert _endpoints(setup) == []
        old = _subscription_json(f"http://127.0.0.1:9/push/old-{uuid.uuid4().hex}")
        new = _subscription_json(f"http://127.0.0.1:9/push/new-{uuid.uuid4().hex}")

        # First open: this browser's subscription is saved on the server.
        first = _page_with_subscription(context, old)
        first.goto("/")
        expect(first.get_by_role("heading", name="Today")).to_be_visible()
        assert _wait_for_endpoints(first, [str(old["endpoint"])]) == [old["endpoint"]]
        [before] = api(first, "GET", "/api/v1/push/subscriptions")["body"]
        first.close()

        # The push service handed the browser a new endpoint, without any event: the next
        # open saves the new one and removes the old one.
        second = _page_with_subscription(context, new)
        second.goto("/")
        expect(second.get_by_role("heading", name="Today")).to_be_visible()
        assert _wait_for_endpoints(second, [str(new["endpoint"])]) == [new["endpoint"]]
        # The same phone under its new endpoint: a new device row that keeps the name.
        [after] = api(second, "GET", "/api/v1/push/subscriptions")["body"]
        assert after["id"] != before["id"]
        assert after["label"] == before["label"]


def _settings_button(page: Page) -> None:
    page.goto("/settings")
    expect(page.get_by_role("button", name="Turn on break reminders")).to_be_visible()


def test_turn_on_says_why_it_failed_and_never_hangs(
    live_app: LiveApp, scenario: Scenario, tmp_path: Path
) -> None:
    with phone(tmp_path / "profile", timezone=scenario.timezone, base_url=live_app.base_url) as (
        context
    ):
        setup = context.new_page()
        sign_up(setup, scenario.timezone)
        setup.close()

        # --- permission denied --------------------------------------------------------
        denied = context.new_page()
        denied.add_init_script("Notification.requestPermission = () => Promise.resolve('denied');")
        _settings_button(denied)
        # Without SMTP, the device list says no email will tell about a silent phone.
        expect(denied.get_by_test_id("email-alerts")).to_contain_text("sends no email")
        button = denied.get_by_role("button", name="Turn on break reminders")
        button.click()
        expect(denied.get_by_role("alert")).to_contain_text(DENIED)
        expect(button).to_be_enabled()
        denied.close()

        # --- the push service is unreachable: Chromium itself, with no FCM to talk to ---
        real = context.new_page()
        _settings_button(real)
        button = real.get_by_role("button", name="Turn on break reminders")
        button.click()
        expect(real.get_by_role("alert")).to_contain_text(UNREACHABLE, timeout=25_000)
        expect(button).to_be_enabled()
        assert _endpoints(real) == []
        real.close()

        # --- a subscribe that never answers: the step's time limit ends it ---------------
        hung = context.new_page()
        hung.clock.install()
        hung.add_init_script(
            """PushManager.prototype.getSubscription = async () => null;
               PushManager.prototype.subscribe = () => {
                   window.__subscribing = true;
                   return new Promise(() => {});
               };"""
        )
        _settings_button(hung)
        button = hung.get_by_role("button", name="Turn on break reminders")
        button.click()
        expect(button).to_be_disabled()  # busy, waiting on the push service
        hung.wait_for_function("() => window.__subscribing === true")
        hung.clock.run_for(14_000)
        expect(button).to_be_disabled()
        hung.clock.run_for(2_000)
        expect(hung.get_by_role("alert")).to_contain_text(UNREACHABLE)
        expect(button).to_be_enabled()
