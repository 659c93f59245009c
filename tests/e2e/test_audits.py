"""The audits, on every screen: axe-core (light and dark) and Lighthouse's mobile preset.

One Debian Chromium for the module, started here with a DevTools port: Playwright drives it
over CDP for axe (an isolated phone-sized context per colour scheme and sign-in state), and
Lighthouse (the npm package pinned in frontend/package.json) opens its pages in it, one Node
process for all of them (frontend/scripts/lighthouse.mjs). Signed in, the session is the
browser's own cookie, set by signing in from a page of the same browser.

Lighthouse's scores (performance under simulated slow 4G and a 4x slower CPU, accessibility,
best practices, SEO) must each be at least 0.95 on Welcome, Today, Break, Care plan,
Auto-reply and Well-being; its HTML reports land in test-artifacts/e2e/.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.e2e.browser import PHONE, api, assert_accessible
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, FRONTEND, LiveApp

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-passphrase-42"
ZONE = "UTC"  # the browser's and the user's: no "your phone is elsewhere" notice
MIN_SCORE = 0.95
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LIGHTHOUSE_SCRIPT = FRONTEND / "scripts" / "lighthouse.mjs"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def devtools_port(live_app: LiveApp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Debian's Chromium, headless, listening for DevTools on a free port."""
    if not (FRONTEND / "node_modules" / "lighthouse").is_dir():
        raise pytest.UsageError("Lighthouse is missing: cd frontend && npm ci")
    port = _free_port()
    profile = tmp_path_factory.mktemp("audits-profile")
    process = subprocess.Popen(
        [
            CHROMIUM,
            *CHROMIUM_ARGS,
            f"--remote-debugging-port={port}",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TZ": ZONE},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("Chromium did not open its DevTools port") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(devtools_port: int, artifacts: Path) -> Iterator[Browser]:
    with sync_playwright() as p:
        yield p.chromium.connect_over_cdp(f"http://127.0.0.1:{devtools_port}")


def sign_up(page: Page, base: str) -> str:
    """A new therapist with the sample calendar (sessions today); returns a break's id."""
    email = f"audit-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(f"{base}/welcome")
    user = {"email": email, "password": PASSWORD, "display_name": "Jo Park", "timezone": ZONE}
    assert api(page, "POST", "/api/v1/auth/register", user)["status"] == 201
    login = api(page, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    assert login["status"] == 200, login
    sample = api(page, "POST", "/api/v1/calendars", {"kind": "sample", "name": "Sample"})
    assert sample["status"] == 201, sample
    reminders = api(page, "GET", "/api/v1/reminders")["body"]
    breaks = [r for r in reminders if r["kind"] == "micro_break" and r["state"] != "cancelled"]
    assert breaks, reminders
    return str(breaks[0]["id"])


def phone_context(browser: Browser, live_app: LiveApp) -> BrowserContext:
    return browser.new_context(
        base_url=live_app.base_url,
        viewport=PHONE,
        screen=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        timezone_id=ZONE,
        locale="en-US",
    )


def open_details(page: Page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def test_every_screen_is_axe_clean_in_light_and_dark(browser: Browser, live_app: LiveApp) -> None:
    context = phone_context(browser, live_app)
    try:
        page = context.new_page()
        # --- signed out: the landing page, both of its forms --------------------------------
        page.goto("/welcome")
        heading(page, "Welcome to Interlude")
        assert_accessible(page, "welcome")
        page.get_by_role("button", name="Sign in", exact=True).first.click()
        expect(page.get_by_role("button", name="Sign in", exact=True).last).to_be_visible()
        assert_accessible(page, "welcome-sign-in")

        # --- signed in: the rest of onboarding, then every tab ------------------------------
        break_id = sign_up(page, live_app.base_url)
        page.goto("/welcome?step=timezone")
        heading(page, "Confirm your time zone")
        assert_accessible(page, "onboarding-timezone")
        page.goto("/welcome?step=calendar")
        heading(page, "Connect your calendar")
        open_details(page)
        assert_accessible(page, "onboarding-calendar")
        for tab in ("CalDAV", "Upload file"):
            page.get_by_role("button", name=tab, exact=True).click()
            open_details(page)
            assert_accessible(page, f"onboarding-calendar-{tab.split()[0].lower()}")
        page.goto("/welcome?step=notifications")
        heading(page, "Turn on break reminders")
        assert_accessible(page, "onboarding-notifications")

        page.goto("/")
        expect(page.get_by_test_id("session").first).to_be_visible()
        assert_accessible(page, "today")

        page.goto(f"/break/{break_id}")
        # Done appears once the break has begun; Skip is there either way.
        expect(page.get_by_role("button", name="Skip", exact=True)).to_be_visible()
        assert_accessible(page, "break")

        page.goto("/care-plan")
        heading(page, "Care plan")
        expect(page.get_by_text("Loading…")).to_have_count(0)
        open_details(page)
        assert_accessible(page, "care-plan")

        page.goto("/settings")
        expect(page.get_by_test_id("calendars").locator("li")).to_have_count(1)
        assert_accessible(page, "settings")
        page.get_by_role("button", name="Connect a calendar").click()
        expect(page.get_by_test_id("connect-calendar")).to_be_visible()
        open_details(page)
        assert_accessible(page, "settings-connect-calendar")

        page.goto("/auto-reply")
        expect(page.get_by_test_id("autoreply-preview")).to_be_visible()
        assert_accessible(page, "auto-reply")
        page.get_by_test_id("autoreply-advanced").locator("summary").first.click()
        for channel, step in (("Sieve", "Download"), ("Gmail", "Vacation responder")):
            page.get_by_role("group", name="Advanced channel").get_by_role(
                "button", name=channel
            ).click()
            expect(page.get_by_test_id("autoreply-steps")).to_contain_text(step)
            open_details(page)
            assert_accessible(page, f"auto-reply-{channel.lower()}")

        page.goto("/wellbeing")
        heading(page, "Well-being")
        expect(page.get_by_test_id("energy-anchors")).to_be_visible()
        open_details(page)
        assert_accessible(page, "wellbeing")

        page.goto("/nowhere")
        heading(page, "Not found")
        assert_accessible(page, "not-found")
    finally:
        context.close()


def lighthouse(port: int, urls: list[str], out: Path) -> dict[str, dict[str, Any]]:
    node = shutil.which("node")
    assert node, "Node.js is needed to run Lighthouse"
    done = subprocess.run(
        [node, str(LIGHTHOUSE_SCRIPT), "--port", str(port), "--out", str(out), *urls],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return dict(json.loads(done.stdout))


def test_lighthouse_mobile_at_least_95_everywhere(
    browser: Browser, devtools_port: int, live_app: LiveApp, artifacts: Path
) -> None:
    base = live_app.base_url
    # Signed out first: the landing page as a newcomer gets it.
    scores = lighthouse(devtools_port, [f"{base}/welcome"], artifacts)
    # Then signed in, in the browser's default profile (the one Lighthouse's tabs share).
    page = browser.contexts[0].new_page()
    try:
        break_id = sign_up(page, base)
        page.goto(f"{base}/")
        expect(page.get_by_test_id("session").first).to_be_visible()
    finally:
        page.close()
    paths = ["/", f"/break/{break_id}", "/care-plan", "/auto-reply", "/wellbeing"]
    scores |= lighthouse(devtools_port, [base + p for p in paths], artifacts)
    (artifacts / "lighthouse-scores.json").write_text(json.dumps(scores, indent=2))

    low = {
        url.removeprefix(base): {c: s for c, s in page_scores.items() if c in CATEGORIES}
        | {k: page_scores[k] for k in ("runs", "failing", "metrics")}
        for url, page_scores in scores.items()
        if any(page_scores[c] is None or page_scores[c] < MIN_SCORE for c in CATEGORIES)
    }
    assert len(scores) == 6
    assert low == {}, f"Lighthouse below {MIN_SCORE}: {json.dumps(low, indent=2)}"
