"""A forgotten password, the whole journey in headless Chromium, with the mail delivered to a
real local SMTP server: sign-in → "Forgot password?" → the request → "Check your email" →
the link from the mail → a new password → signed in with it. Without SMTP, the sign-in
screen offers no reset and says to ask the operator."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from interlude.accounts import service as accounts
from interlude.accounts.schemas import UserCreate
from tests.conftest import with_smtp
from tests.e2e.browser import assert_accessible, phone
from tests.e2e.conftest import LiveApp, Scenario
from tests.support.smtp import LocalSmtp

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OLD = "my old passphrase 1"
NEW = "a new passphrase for me 2"


def test_forgotten_password_journey(
    live_app: LiveApp, scenario: Scenario, smtp_server: LocalSmtp, tmp_path: Path, artifacts: Path
) -> None:
    email = f"reset-{uuid.uuid4().hex[:8]}@example.com"
    runtime = live_app.runtime
    with runtime.session() as session:
        accounts.register_user(
            session=session,
            passwords=runtime.passwords,
            data=UserCreate(
                email=email, password=OLD, display_name="Sam Reyes", timezone=scenario.timezone
            ),
            now=runtime.clock.now(),
        )
    with phone(tmp_path / "profile", timezone=scenario.timezone, base_url=live_app.base_url) as (
        context
    ):
        page = context.new_page()
        # --- without SMTP: no reset offered, the operator is named ----------------------
        page.goto("/welcome?signin=1")
        expect(page.get_by_test_id("no-reset")).to_contain_text("ask whoever runs your")
        expect(page.get_by_role("link", name="Forgot password?")).to_have_count(0)

        # --- with SMTP ---------------------------------------------------------------------
        original = runtime.settings
        runtime.settings = with_smtp(original, smtp_server)
        try:
            page.goto("/welcome?signin=1")
            page.get_by_role("link", name="Forgot password?").click()
            expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
            assert_accessible(page, "forgot-password")
            page.get_by_label("Email").fill(email.upper())
            page.get_by_role("button", name="Send the link").click()
            expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

            [received] = smtp_server.wait_for(1)
            assert received.rcpt_tos == [email]
            [link] = [link for link in received.links() if "/reset-password#token=" in link]
            assert link.startswith(live_app.base_url)

            page.goto(link)
            expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
            assert_accessible(page, "reset-password")
            page.get_by_label("New password", exact=True).fill(NEW)
            page.get_by_label("New password again").fill(NEW)
            page.get_by_role("button", name="Set the new password").click()
            expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
            assert "token" not in page.url  # the token leaves the address bar

            page.get_by_role("button", name="Sign in").click()
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(NEW)
            page.locator("form").get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Today")).to_be_visible()
            page.goto("/settings")
            expect(page.get_by_test_id("email-alerts")).to_contain_text("Interlude emails you")

            # The link worked once: used again, it is refused with a way forward.
            page.goto(link)
            page.get_by_label("New password", exact=True).fill("third passphrase 333")
            page.get_by_label("New password again").fill("third passphrase 333")
            page.get_by_role("button", name="Set the new password").click()
            expect(page.get_by_role("alert")).to_contain_text("expired or was already used")
        finally:
            runtime.settings = original


def test_the_answer_does_not_wait_for_the_mail(live_app: LiveApp, scenario: Scenario) -> None:
    """The mail is handed to SMTP after the response: a slow mail server never shows in the
    answer (which would tell an existing account from an unknown one)."""
    email = f"slow-{uuid.uuid4().hex[:8]}@example.com"
    runtime = live_app.runtime
    with runtime.session() as session:
        accounts.register_user(
            session=session,
            passwords=runtime.passwords,
            data=UserCreate(
                email=email, password=OLD, display_name="Sam", timezone=scenario.timezone
            ),
            now=runtime.clock.now(),
        )
    hold = threading.Event()
    original = runtime.settings
    with LocalSmtp(hold=hold) as slow:
        runtime.settings = with_smtp(original, slow)
        try:
            answers = [
                httpx.post(
                    f"{live_app.base_url}/api/v1/auth/password-reset",
                    json={"email": address},
                    timeout=10,
                )
                for address in (email, f"nobody-{uuid.uuid4().hex[:8]}@example.com")
            ]
            assert [a.status_code for a in answers] == [202, 202]
            assert answers[0].json() == answers[1].json()
            assert slow.messages == []  # answered while the mail server was still busy
            hold.set()
            [received] = slow.wait_for(1)
            assert received.rcpt_tos == [email]
        finally:
            hold.set()
            runtime.settings = original
