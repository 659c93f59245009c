"""POST /push/test is bounded per account: 3 a minute and 30 a day (each call posts to every
device, up to 20), answered 429 with Retry-After and the wait in words."""

from __future__ import annotations

from datetime import timedelta

from interlude.push.testsend import TEST_LIMITS
from tests.push.factories import register_device

TEST = "/api/v1/push/test"
BURST, DAY = TEST_LIMITS


def test_limits_are_a_few_a_minute_and_a_daily_cap() -> None:
    assert (BURST.count, BURST.window) == (3, timedelta(minutes=1))
    assert (DAY.count, DAY.window) == (30, timedelta(days=1))


def test_a_fourth_test_within_a_minute_waits_and_nothing_is_sent(client, auth, push_service, clock):
    phone, _ = register_device(client, auth, push_service, label="Phone")
    for _ in range(3):
        assert client.post(TEST, headers=auth).status_code == 200
        clock.advance(seconds=10)
    refused = client.post(TEST, headers=auth)
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    # The first test was 30 s ago: the minute ends in 30 s (plus the rounding second).
    assert refused.headers["Retry-After"] == "31"
    assert error["details"] == {"retry_after_seconds": 31}
    assert error["message"] == (
        "You sent 3 test notifications in the last minute. Wait 31 seconds and try again."
    )
    assert len(push_service.received(phone)) == 3  # the refused call posted nothing

    clock.advance(seconds=31)
    assert client.post(TEST, headers=auth).status_code == 200
    assert len(push_service.received(phone)) == 4


def test_thirty_tests_a_day_then_the_cap_says_when(client, auth, push_service, clock):
    register_device(client, auth, push_service, label="Phone")
    for _ in range(30):
        assert client.post(TEST, headers=auth).status_code == 200
        clock.advance(minutes=1)  # never more than one a minute: only the day's cap is left
    refused = client.post(TEST, headers=auth)
    assert refused.status_code == 429
    retry_after = int(refused.headers["Retry-After"])
    assert 23 * 3600 < retry_after <= 24 * 3600 - 30 * 60 + 1
    message = refused.json()["error"]["message"]
    assert "30 test notifications in the last 24 hours" in message
    assert "another in 24 hours" in message and "break reminders keep arriving" in message

    clock.advance(seconds=retry_after)
    assert client.post(TEST, headers=auth).status_code == 200


def test_the_limit_is_per_account(client, auth, other_auth, clock):
    for _ in range(3):
        assert client.post(TEST, headers=auth).status_code == 200
    assert client.post(TEST, headers=auth).status_code == 429
    assert client.post(TEST, headers=other_auth).status_code == 200
