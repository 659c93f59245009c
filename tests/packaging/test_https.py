"""HTTPS for real: the installed wheel behind Debian's Caddy running deploy/Caddyfile, opened by
Chromium at a name that is not localhost, so only https makes it a secure context.

Caddy issues the certificate from its own local CA (``local_certs``: the deploy Caddyfile
unchanged, imported under test-only global options: free ports, private storage, no admin
endpoint, nothing installed into the system's trust store). Chromium trusts that CA through
an NSS database in its private HOME, as a phone trusts a public CA: no certificate errors are
ignored. The name resolves to 127.0.0.1 inside Chromium only (--host-resolver-rules).

Push: headless Chromium cannot subscribe at a real push service, so the device's subscription
comes from the local push service (tests/support/push_service.py), saved through the app over
https as the PWA saves its own; the app's test push is sent to it for real (VAPID, aes128gcm),
and what it decrypted is handed to the service worker over CDP, which shows the notification.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import CDPSession, Page, sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.packaging.conftest import ROOT, Installed, free_port, running
from tests.support.push_service import LocalPushService

pytestmark = [pytest.mark.slow, pytest.mark.browser]

HOST = "interlude.test"
LAN_HOST = "interlude.lan.test"  # the app itself over plain http, by a name
PASSWORD = "a-long-passphrase-42"
FAILURES_PER_ADDRESS = 3


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is not installed: apt-get install -y {package} (make system-deps)"
    return found


@dataclass(frozen=True)
class Proxied:
    origin: str  # https://interlude.test:<port>
    port: int
    root_cert: Path  # Caddy's local CA
    push_service: LocalPushService
    upstream: str  # the app itself, plain http on 127.0.0.1 (what Caddy proxies to)


@pytest.fixture(scope="module")
def push_service() -> Iterator[LocalPushService]:
    with LocalPushService() as service:
        yield service


@pytest.fixture(scope="module")
def proxied(
    installed: Installed, tmp_path_factory: pytest.TempPathFactory, push_service: LocalPushService
) -> Iterator[Proxied]:
    https_port, http_port = free_port(), free_port()
    origin = f"https://{HOST}:{https_port}"
    caddy_home = tmp_path_factory.mktemp("caddy")
    storage = caddy_home / "storage"
    storage.mkdir(parents=True)
    config = caddy_home / "Caddyfile"
    config.write_text(
        "{\n"
        "\tadmin off\n"
        "\tlocal_certs\n"
        "\tskip_install_trust\n"
        f"\thttp_port {http_port}\n"
        f"\thttps_port {https_port}\n"
        f"\tstorage file_system {storage}\n"
        "}\n"
        f"import {ROOT / 'deploy' / 'Caddyfile'}\n"
    )
    # The local push service listens on 127.0.0.1: the app may post there in this test only.
    # Forwarded headers are believed from Caddy's address only (INTERLUDE_TRUSTED_PROXIES).
    with running(
        installed,
        public_url=origin,
        vapid_subject="mailto:ops@quiet-practice.net",
        allow_private_network="true",
        trusted_proxies="127.0.0.1",
        login_max_failures_per_address=str(FAILURES_PER_ADDRESS),
    ) as (local, _data):
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(caddy_home),
            "XDG_CONFIG_HOME": str(caddy_home / "config"),
            "XDG_DATA_HOME": str(caddy_home / "data"),
            "INTERLUDE_DOMAIN": f"{HOST}:{https_port}",
            "INTERLUDE_UPSTREAM": local.removeprefix("http://"),
        }
        log_path = caddy_home / "caddy.log"
        with log_path.open("w") as log:
            caddy = subprocess.Popen(
                [_tool("caddy", "caddy"), "run", "--adapter", "caddyfile", "--config", str(config)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            root = storage / "pki" / "authorities" / "local" / "root.crt"
            leaf = storage / "certificates" / "local" / HOST / f"{HOST}.crt"
            deadline = time.monotonic() + 30
            while not (root.is_file() and leaf.is_file()):
                if caddy.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"caddy did not issue its certificate:\n{log_path.read_text()}")
                time.sleep(0.1)
            yield Proxied(origin, https_port, root, push_service, local)
        finally:
            caddy.terminate()
            caddy.wait(timeout=10)


def _nss_home(root_cert: Path, home: Path) -> Path:
    """A HOME whose NSS database trusts Caddy's local CA (Chromium on Linux reads it)."""
    certutil = _tool("certutil", "libnss3-tools")
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(
        [certutil, "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True, capture_output=True
    )
    subprocess.run(
        [certutil, "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "caddy-local-ca", "-i",
         str(root_cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return home


def _call(page: Page, method: str, path: str, body: object = None) -> tuple[int, object]:
    """A request from the page, as the PWA makes it (cookie session, CSRF header)."""
    return tuple(  # type: ignore[return-value]
        page.evaluate(
            """async ([method, path, body]) => {
                const csrf = document.cookie.match(/(?:^|; )interlude_csrf=([^;]*)/);
                const response = await fetch(path, {
                    method, credentials: 'same-origin',
                    headers: {'Content-Type': 'application/json',
                              'X-CSRF-Token': csrf ? decodeURIComponent(csrf[1]) : ''},
                    body: body === null ? undefined : JSON.stringify(body),
                });
                const text = await response.text();
                return [response.status, text ? JSON.parse(text) : null];
            }""",
            [method, path, body],
        )
    )


def _notifications(page: Page) -> list[dict[str, object]]:
    return list(
        page.evaluate(
            """() => navigator.serviceWorker.ready
                .then(r => r.getNotifications())
                .then(ns => ns.map(n => ({title: n.title, body: n.body})))"""
        )
    )


def _show_push(page: Page, cdp: CDPSession, origin: str, data: str) -> list[dict[str, object]]:
    """Hand a push to the service worker over CDP and wait for its notification. Headless
    Chromium on a loaded machine now and then drops a CDP push unseen; a real push service
    retries too, and the notification's tag makes a repeat replace it."""
    registrations: dict[str, str] = {}

    def seen(event: dict[str, list[dict[str, str]]]) -> None:
        for registration in event["registrations"]:
            if not registration.get("isDeleted"):
                registrations[registration["scopeURL"]] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    for _ in range(100):
        if f"{origin}/" in registrations:
            break
        page.wait_for_timeout(100)
    registration_id = registrations[f"{origin}/"]
    for _attempt in range(3):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": origin, "registrationId": registration_id, "data": data},
        )
        for _ in range(50):
            if shown := _notifications(page):
                return shown
            page.wait_for_timeout(100)
    return []


def test_the_pwa_over_https_behind_caddy(proxied: Proxied, tmp_path: Path):
    assert Path(CHROMIUM).exists(), "Chromium is missing: apt-get install -y chromium"
    home = _nss_home(proxied.root_cert, tmp_path / "home")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                f"--host-resolver-rules=MAP {HOST} 127.0.0.1,MAP {LAN_HOST} 127.0.0.1",
            ],
            env={**os.environ, "HOME": str(home)},
            headless=True,
            base_url=proxied.origin,
            permissions=["notifications"],
        )
        try:
            page = context.new_page()
            response = page.goto("/")
            assert response is not None and response.ok
            # A valid certificate (nothing ignored) at a name that is not localhost.
            assert page.evaluate("window.isSecureContext") is True
            assert response.url.startswith(f"{proxied.origin}/")
            security = response.security_details()
            assert security is not None
            assert security.get("issuer", "").startswith("Caddy Local Authority")
            headers = response.all_headers()
            assert headers["strict-transport-security"].startswith("max-age=")
            assert page.get_by_test_id("insecure-banner").count() == 0

            # The service worker registers and takes control: offline use and push work here.
            script = page.evaluate(
                "() => navigator.serviceWorker.ready.then(r => r.active.scriptURL)"
            )
            assert script == f"{proxied.origin}/sw.js"
            page.reload()
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")

            # Signed in through the proxy: the session cookies are Secure (base URL is https).
            status = page.evaluate(
                """async ([password]) => {
                    const post = (path, body) => fetch(path, {
                        method: 'POST', credentials: 'same-origin',
                        headers: {'Content-Type': 'application/json'},
                        body: JSON.stringify(body),
                    }).then(r => r.status);
                    const account = {email: 'sam@quiet-practice.net', password,
                                     display_name: 'Sam', timezone: 'Europe/London'};
                    return [await post('/api/v1/auth/register', account),
                            await post('/api/v1/auth/login', {email: account.email, password})];
                }""",
                [PASSWORD],
            )
            assert status == [201, 200]
            cookies = {c["name"]: c for c in context.cookies(proxied.origin)}
            assert cookies["interlude_session"]["secure"] is True
            assert cookies["interlude_session"]["httpOnly"] is True
            assert cookies["interlude_csrf"]["secure"] is True
            status, me = _call(page, "GET", "/api/v1/me")
            assert status == 200 and me["email"] == "sam@quiet-practice.net"  # type: ignore[index]

            # A device's push subscription is saved over https; the app's test push reaches
            # the push service, and the service worker shows what arrived.
            _, key = _call(page, "GET", "/api/v1/push/vapid-public-key")
            device = proxied.push_service.subscribe(application_server_key=key["public_key"])  # type: ignore[index]
            status, saved = _call(page, "POST", "/api/v1/push/subscriptions", device.info)
            assert status == 201, saved
            status, result = _call(page, "POST", "/api/v1/push/test")
            assert status == 200, result
            [push] = proxied.push_service.wait_for(1, sub=device, timeout=30)
            assert push.claims["sub"] == "mailto:ops@quiet-practice.net"
            shown = _show_push(
                page, context.new_cdp_session(page), proxied.origin, push.plaintext.decode()
            )
            sent = push.payload["notification"]  # Declarative Web Push's shape
            assert shown == [{"title": sent["title"], "body": sent["body"]}]

            # The same app opened over plain http by name, as a phone on the LAN would: not a
            # secure context, and the app says why reminders cannot work there. (Another name:
            # HSTS now sends the browser to https for HOST, whatever the port.)
            port = proxied.upstream.rsplit(":", 1)[1]
            plain = context.new_page()
            plain.goto(f"http://{LAN_HOST}:{port}/welcome")
            assert plain.evaluate("window.isSecureContext") is False
            banner = plain.get_by_test_id("insecure-banner")
            banner.wait_for()
            assert "not HTTPS" in banner.inner_text()
        finally:
            context.close()


def _sign_in_from(proxied: Proxied, address: str, attempt: int, **headers: str) -> int:
    """A failed sign-in (unknown email, so only the per-address limit counts) from a client
    whose connection to Caddy comes from ``address`` (any 127.x.y.z is this machine)."""
    context = ssl.create_default_context(cafile=str(proxied.root_cert))
    transport = httpx.HTTPTransport(local_address=address, verify=context)
    with httpx.Client(transport=transport, timeout=10) as client:
        response = client.post(
            f"https://127.0.0.1:{proxied.port}/api/v1/auth/login",
            json={"email": f"nobody-{attempt}@quiet-practice.net", "password": "wrong" * 3},
            headers={"Host": f"{HOST}:{proxied.port}", **headers},
            extensions={"sni_hostname": HOST},
        )
    return response.status_code


def test_behind_the_proxy_each_client_address_has_its_own_sign_in_limit(proxied: Proxied):
    first, second = "127.0.0.2", "127.0.0.3"
    attempts = iter(range(1000))
    refused = [_sign_in_from(proxied, first, next(attempts)) for _ in range(FAILURES_PER_ADDRESS)]
    assert refused == [401] * FAILURES_PER_ADDRESS
    assert _sign_in_from(proxied, first, next(attempts)) == 429
    # A forged X-Forwarded-For does not move the first client out of its limit (Caddy
    # replaces the header with the address it sees)...
    assert _sign_in_from(proxied, first, next(attempts), **{"X-Forwarded-For": "10.9.8.7"}) == 429
    # ... and another client, forging or not, is counted on its own.
    assert _sign_in_from(proxied, second, next(attempts)) == 401
    assert _sign_in_from(proxied, second, next(attempts), **{"X-Forwarded-For": first}) == 401
