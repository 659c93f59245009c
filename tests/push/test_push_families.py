"""The push service family: the only part of an endpoint that metrics may carry."""

from __future__ import annotations

import pytest

from interlude.push.families import push_service_family


@pytest.mark.parametrize(
    ("endpoint", "family"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", "fcm"),
        ("https://android.googleapis.com/gcm/send/abc", "fcm"),
        ("https://web.push.apple.com/QGx", "apple"),
        ("https://updates.push.services.mozilla.com/wpush/v2/x", "mozilla"),
        ("https://wns2-par02p.notify.windows.com/w/?token=x", "wns"),
        # Look-alikes are not the service they imitate.
        ("https://push.apple.com.example.net/x", "other"),
        ("https://evilfcm.googleapis.com.attacker.test/x", "other"),
        ("https://notpush.apple.com/x", "other"),
        ("http://127.0.0.1:8443/push/1", "other"),
        ("not a url at all", "other"),
        ("https://[::1/x", "other"),
    ],
)
def test_family_of_an_endpoint(endpoint: str, family: str) -> None:
    assert push_service_family(endpoint) == family
