"""Delivery receipts and the Today banner in headless Chromium (the real service worker).

1. A push delivered to the service worker (CDP ``ServiceWorker.deliverPushMessage``) shows a
   notification, and the worker posts its receipt: the reminder becomes ``delivered``.
   Offline, the receipt waits in Workbox's Background Sync queue (IndexedDB) and is replayed
   by the ``sync`` event (CDP ``ServiceWorker.dispatchSyncEvent``) once back online.
2. Once the server holds this phone's device as silent, Today says since when, with a repair
   button. Headless Chromium cannot reach FCM to subscribe, so this page's
   ``getSubscription()`` answers with a subscription registered at the API (the one part of
   the browser that cannot exist on this machine).
"""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import Page, expect

from interlude.push.models import PushSubscription
from interlude.reminders.dispatcher import payload_for
from interlude.reminders.models import DELIVERED, SENT, Reminder
from interlude.reminders.outbox import Claimed
from tests.e2e.browser import phone
from tests.e2e.conftest import LiveApp, Scenario
from tests.e2e.test_pwa import deliver_push, service_worker_registration_id
from tests.e2e.test_wellbeing_autoreply import api, sign_up
from tests.reminders.factories import make_reminder

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _subscription_json(endpoint: str) -> dict[str, object]:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {"endpoint": endpoint, "keys": {"p256dh": _b64(point), "auth": _b64(os.urandom(16))}}


def _wait_for_state(live_app: LiveApp, reminder_id: uuid.UUID, page: Page) -> str:
    for _ in range(100):
        with live_app.runtime.session() as session:
            row = session.get(Reminder, reminder_id)
            assert row is not None
            if row.state == DELIVERED:
                return row.state
        page.wait_for_timeout(100)
    return row.state


def test_receipt_on_a_shown_push_and_the_banner_once_silent(
    live_app: LiveApp, scenario: Scenario, tmp_path: Path
) -> None:
    base = live_app.base_url
    with phone(tmp_path / "profile", timezone=scenario.timezone, base_url=base) as context:
        page = context.new_page()
        sign_up(page, scenario.timezone)
        user_id = uuid.UUID(api(page, "GET", "/api/v1/me")["body"]["id"])
        page.goto("/")  # the app copies the CSRF token where the worker reads it
        expect(page.get_by_role("heading", name="Today")).to_be_visible()

        # --- 1. the worker's receipt ---------------------------------------------------
        now = datetime.now(UTC)
        with live_app.runtime.session() as session:
            row = make_reminder(session, user_id=user_id, due_at=now, state=SENT)
            claimed = Claimed(
                id=row.id,
                user_id=user_id,
                kind=row.kind,
                title=row.title,
                body=row.body,
                due_at=row.due_at,
                expires_at=row.expires_at,
                attempts=1,
                activity=row.activity,
                duration_minutes=row.duration_minutes,
            )
        cdp = context.new_cdp_session(page)
        registration_id = service_worker_registration_id(cdp, page, base)
        payload = payload_for(claimed, base_url=base)
        shown = deliver_push(cdp, page, base, registration_id, payload)
        assert [n["title"] for n in shown] == [row.title]
        assert _wait_for_state(live_app, claimed.id, page) == DELIVERED

        # --- 1b. offline: the receipt waits in the Background Sync queue, then is replayed
        with live_app.runtime.session() as session:
            offline_row = make_reminder(
                session, user_id=user_id, due_at=now, state=SENT, key="offline"
            )
            offline_id = offline_row.id
        cdp.send("Network.enable")
        context.set_offline(True)
        payload = payload_for(
            Claimed(**{**claimed.__dict__, "id": offline_id, "title": "Offline break"}),
            base_url=base,
        )
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": base, "registrationId": registration_id, "data": json.dumps(payload)},
        )
        queued = 0
        for _ in range(50):
            queued = page.evaluate(
                """() => new Promise((resolve) => {
                    const open = indexedDB.open('workbox-background-sync');
                    open.onerror = () => resolve(0);
                    open.onsuccess = () => {
                        const db = open.result;
                        if (!db.objectStoreNames.contains('requests')) return resolve(0);
                        const count = db.transaction('requests').objectStore('requests').count();
                        count.onsuccess = () => resolve(count.result);
                    };
                })"""
            )
            if queued:
                break
            page.wait_for_timeout(100)
        assert queued == 1
        with live_app.runtime.session() as session:
            waiting = session.get(Reminder, offline_id)
            assert waiting is not None and waiting.state == SENT
        context.set_offline(False)
        cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": base,
                "registrationId": registration_id,
                "tag": "workbox-background-sync:interlude-receipts",
                "lastChance": False,
            },
        )
        assert _wait_for_state(live_app, offline_id, page) == DELIVERED

        # --- 2. this phone is silent: Today says so --------------------------------------
        endpoint = f"http://127.0.0.1:9/push/{uuid.uuid4().hex}"
        subscription = _subscription_json(endpoint)
        registered = api(
            page, "POST", "/api/v1/push/subscriptions", {**subscription, "label": "This phone"}
        )
        assert registered["status"] == 201, registered
        first_missed = now - timedelta(hours=2)
        with live_app.runtime.session() as session:
            device = session.get(PushSubscription, uuid.UUID(registered["body"]["id"]))
            assert device is not None
            device.unconfirmed_count = 3
            device.unconfirmed_since = first_missed
            device.last_accepted_at = now - timedelta(hours=1)
        silent = context.new_page()
        fake = "const json = " + json.dumps(subscription) + ";"
        silent.add_init_script(
            "(() => {"
            + fake
            + """
                const sub = {endpoint: json.endpoint, expirationTime: null,
                             toJSON: () => json, unsubscribe: async () => true};
                PushManager.prototype.getSubscription = async () => sub;
            })()"""
        )
        silent.goto("/")
        banner = silent.get_by_test_id("delivery-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text(
            re.compile(r"not reaching this phone since \w+day \d{1,2}:\d{2}\s?[AP]M")
        )
        expect(banner.get_by_role("button", name="Repair reminders")).to_be_visible()
        # Settings lists the device with its health.
        silent.goto("/settings")
        health = silent.locator('[data-health="silent"]')
        expect(health).to_contain_text("accepted but not shown")
