"""HTTPS for real: the installed wheel behind Debian's Caddy running deploy/Caddyfile, opened by
Chromium at a name that is not localhost, so only https makes it a secure context.

Caddy issues the certificate from its own local CA (``local_certs``: the deploy Caddyfile
unchanged, imported under test-only global options: free ports, private storage, no admin
endpoint, nothing installed into the system's trust store). Chromium trusts that CA through
an NSS database in its private HOME, as a phone trusts a public CA: no certificate errors are
ignored. The name resolves to 127.0.0.1 inside Chromium only (--host-resolver-rules).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.packaging.conftest import ROOT, Installed, free_port, running

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
HOST = "interlude.test"
PASSWORD = "a-long-passphrase-42"


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is not installed: apt-get install -y {package} (make system-deps)"
    return found


@dataclass(frozen=True)
class Proxied:
    origin: str  # https://interlude.test:<port>
    root_cert: Path  # Caddy's local CA


@pytest.fixture
def proxied(installed: Installed, tmp_path: Path) -> Iterator[Proxied]:
    https_port, http_port = free_port(), free_port()
    origin = f"https://{HOST}:{https_port}"
    caddy_home = tmp_path / "caddy"
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
    with running(installed, public_url=origin) as (local, _data):
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
            yield Proxied(origin, root)
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


def test_the_pwa_over_https_behind_caddy(proxied: Proxied, tmp_path: Path):
    assert Path(CHROMIUM).exists(), "Chromium is missing: apt-get install -y chromium"
    home = _nss_home(proxied.root_cert, tmp_path / "home")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"],
            env={**os.environ, "HOME": str(home)},
            headless=True,
            base_url=proxied.origin,
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
            me = page.evaluate("() => fetch('/api/v1/me').then(r => r.json())")
            assert me["email"] == "sam@quiet-practice.net"
        finally:
            context.close()
