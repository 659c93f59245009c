"""Well-being and Auto-reply screens in headless Chromium at a phone's size.

Well-being: check-in -> weekly review -> month view with its charts -> monthly self-check with the
month's review notes -> edit a past check-in -> CSV/JSON export. Auto-reply: change the tone,
preview SMS and Sieve, copy with one tap, download the server's file, a broken custom template
shows its line number. Both screens are scanned by axe-core in light and dark, checked for
44 px touch targets and photographed (test-artifacts/e2e/ and docs/screenshots/).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import api, assert_accessible, phone, small_targets, snap
from tests.e2e.conftest import LiveApp, Scenario

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-passphrase-42"


def sign_up(page: Page, timezone: str) -> None:
    email = f"wb-{uuid.uuid4().hex[:8]}@example.com"
    page.goto("/welcome")
    user = {"email": email, "password": PASSWORD, "display_name": "Jo Park", "timezone": timezone}
    assert api(page, "POST", "/api/v1/auth/register", user)["status"] == 201
    login = {"email": email, "password": PASSWORD}
    assert api(page, "POST", "/api/v1/auth/login", login)["status"] == 200
    sample = api(page, "POST", "/api/v1/calendars", {"kind": "sample", "name": "Sample"})
    assert sample["status"] == 201, sample


def open_all_details(page: Page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def check_screen(page: Page, name: str, focus: str | None = None) -> None:
    """axe in light and dark, touch targets, a dark screenshot (scrolled to ``focus``)."""
    open_all_details(page)
    page.wait_for_timeout(300)
    assert small_targets(page) == []
    assert_accessible(page, name)
    page.emulate_media(color_scheme="dark")
    if focus:
        page.get_by_test_id(focus).scroll_into_view_if_needed()
    else:
        page.evaluate("window.scrollTo(0, 0)")
    snap(page, f"{name}-dark")
    page.emulate_media(color_scheme="light")


def test_wellbeing_and_autoreply(
    live_app: LiveApp, scenario: Scenario, artifacts: Path, tmp_path: Path
) -> None:
    with phone(tmp_path / "profile", timezone=scenario.timezone, base_url=live_app.base_url) as ctx:
        ctx.grant_permissions(
            ["notifications", "clipboard-read", "clipboard-write"], origin=live_app.base_url
        )
        page = ctx.new_page()
        try:
            sign_up(page, scenario.timezone)
            wellbeing(page, artifacts)
            autoreply(page)
        except Exception:
            page.screenshot(path=str(artifacts / "failure-wellbeing-autoreply.png"))
            (artifacts / "failure-wellbeing-autoreply.html").write_text(page.content())
            raise


def wellbeing(page: Page, artifacts: Path) -> None:
    page.goto("/wellbeing")
    expect(page.get_by_role("heading", name="Well-being", exact=True)).to_be_visible()

    # --- a 20-second check-in -------------------------------------------------------------
    page.get_by_role("button", name="Energy 4 of 10").click()
    page.get_by_role("button", name="tired").click()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Thanks for checking in.")).to_be_visible()

    # --- the weekly review: warning signs and a meaningful moment -----------------------------
    page.get_by_text("Weekly review", exact=True).click()
    page.get_by_label("Clock-watching", exact=False).check()
    page.get_by_label("Persistent exhaustion", exact=False).check()
    page.get_by_label(re.compile("meaningful moment")).fill("A quiet lunch outside")
    page.get_by_role("button", name="Save weekly review").click()
    expect(page.get_by_text("Weekly review saved.")).to_be_visible()
    reviews = api(page, "GET", "/api/v1/wellbeing/weekly-reviews")["body"]
    assert [r["warning_sign_count"] for r in reviews] == [2]

    # --- the month view with its charts ------------------------------------------------------
    page.get_by_role("button", name="This month").click()
    trends = page.get_by_test_id("trends")
    expect(trends.get_by_role("heading", name="This month: trends")).to_be_visible()
    for chart in (
        r"^Energy .* 7-day average$",
        r"^Sessions per week$",
        r"^Breaks taken and planned, per week$",
        r"^Warning signs per week",
    ):
        expect(trends.get_by_role("img", name=re.compile(chart))).to_be_visible()
    signs_chart = trends.get_by_role("img", name=re.compile("^Warning signs per week"))
    expect(signs_chart.locator("rect")).not_to_have_count(0)  # this week's 2 signs
    expect(trends.locator(".s1 circle").first).to_be_attached()  # today's energy point
    expect(page.get_by_test_id("month-review")).to_contain_text("Month in review")

    # --- the monthly self-check, with what went well and one adjustment ------------------------
    page.get_by_text("Monthly self-check", exact=True).click()
    expect(page.get_by_text("A reflection aid, not a validated instrument.")).to_be_visible()
    instruments = api(page, "GET", "/api/v1/wellbeing/self-checks/instruments")["body"]
    count = len(instruments[0]["items"])
    for i in range(count):
        page.locator(".card.details fieldset.scale").nth(i).locator("button").nth(1).click()
    page.get_by_label("What went well this month").fill("Kept my lunch break")
    page.get_by_label("One adjustment to try next month").fill("Ten minutes after the 3 pm session")
    page.get_by_role("button", name="Save self-check").click()
    expect(page.get_by_label("Your scores")).to_be_visible()
    checks = api(page, "GET", "/api/v1/wellbeing/self-checks")["body"]
    assert checks[0]["note"] == (
        "What went well: Kept my lunch break\n"
        "One adjustment to try next month: Ten minutes after the 3 pm session"
    )

    # --- edit a past check-in ---------------------------------------------------------------
    page.get_by_text("Past check-ins", exact=True).click()
    page.get_by_role("button", name=re.compile("^Edit check-in of ")).click()
    page.get_by_role("spinbutton", name=re.compile(r"^Energy \(1.10\)$")).fill("6")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Check-in updated.")).to_be_visible()
    assert [c["energy"] for c in api(page, "GET", "/api/v1/wellbeing/checkins")["body"]] == [6]

    # --- export -----------------------------------------------------------------------------
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    csv_path = artifacts / "wellbeing-export.csv"
    csv_download.value.save_as(csv_path)
    assert csv_download.value.suggested_filename.endswith(".csv")
    assert len(csv_path.read_text().strip().splitlines()) == 2  # header + the one check-in
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Download JSON").click()
    json_path = artifacts / "wellbeing-export.json"
    json_download.value.save_as(json_path)
    assert json.loads(json_path.read_text())

    # --- accessibility, targets, screenshots --------------------------------------------------
    page.reload()
    page.get_by_role("button", name="This month").click()
    expect(page.get_by_test_id("month-review")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("trends").scroll_into_view_if_needed()
    snap(page, "wellbeing-month")
    check_screen(page, "wellbeing-month", focus="month-review")


def autoreply(page: Page) -> None:
    page.goto("/auto-reply")
    expect(page.get_by_role("heading", name="Auto-reply", exact=True)).to_be_visible()
    preview = page.get_by_test_id("autoreply-preview")

    # --- tone ---------------------------------------------------------------------------------
    expect(page.get_by_role("button", name="Warm")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Brief").click()
    expect(page.get_by_role("button", name="Brief")).to_have_attribute("aria-pressed", "true")
    assert api(page, "GET", "/api/v1/autoresponder/profile")["body"]["tone"] == "brief"

    # --- SMS: preview, copy with one tap ----------------------------------------------------------
    page.get_by_role("group", name="Channel").get_by_role("button", name="SMS").click()
    expect(page.get_by_text(re.compile(r"^\d+ of 160 characters$"))).to_be_visible()
    sms_text = preview.inner_text()
    assert "988" in sms_text  # the US crisis line is always there
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").strip() == sms_text.strip()

    # --- Sieve (under Advanced): preview and download the server's file --------------------------
    main_channels = page.get_by_role("group", name="Channel").get_by_role("button")
    expect(main_channels).to_have_text(["Email", "Portal", "SMS", "Voicemail"])
    page.get_by_text("Advanced: mail filters, Gmail, Outlook and templates").click()
    page.get_by_role("group", name="Advanced channel").get_by_role("button", name="Sieve").click()
    expect(preview).to_contain_text("require")
    expect(preview).to_contain_text("vacation")
    expect(page.get_by_role("heading", name="How to use it")).to_be_visible()
    with page.expect_download() as sieve_download:
        page.get_by_role("link", name="Download").click()
    assert sieve_download.value.suggested_filename.endswith(".sieve")
    saved = Path(sieve_download.value.path()).read_text()
    assert saved.startswith("require") or "require [" in saved

    # --- a chosen moment ----------------------------------------------------------------------
    page.get_by_role("group", name="Channel").get_by_role("button", name="SMS").click()
    page.get_by_label(re.compile("Preview as a client would read it at")).fill("2026-12-25T03:00")
    expect(preview).to_contain_text("988")

    # --- a broken custom template shows its line ------------------------------------------------
    page.get_by_text("Custom templates", exact=True).click()
    page.get_by_label("Template", exact=True).select_option("sms")
    page.locator("#tpl-source").fill("Thanks.\n{{ emergency_short }\n")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_test_id("template-problem")).to_contain_text(re.compile(r"Line \d+"))

    # --- the emergency switch needs the acknowledgement -----------------------------------------
    page.get_by_text("Your reply details", exact=True).click()
    page.get_by_label("Include the crisis line in every reply").uncheck()
    expect(page.get_by_text(re.compile("gets no next step"))).to_be_visible()
    page.get_by_role("button", name="Save reply details").click()
    expect(page.get_by_role("alert").filter(has_text="acknowledge")).to_be_visible()
    assert api(page, "GET", "/api/v1/autoresponder/profile")["body"]["emergency_enabled"] is True
    page.get_by_label("Include the crisis line in every reply").check()

    page.get_by_role("group", name="Advanced channel").get_by_role("button", name="Sieve").click()
    page.get_by_label(re.compile("Preview as a client would read it at")).fill("")
    expect(preview).to_contain_text("require")
    page.evaluate("window.scrollTo(0, 0)")
    snap(page, "auto-reply-sieve")
    check_screen(page, "auto-reply-full")
