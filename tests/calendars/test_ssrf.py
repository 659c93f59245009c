"""The SSRF guard: with private networks not allowed, no fetch reaches a loopback, private,
link-local, multicast or metadata address, however it is written, on any redirect hop."""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlude.app import create_app
from interlude.calendars import fetch
from interlude.core import netguard
from interlude.core.runtime import Runtime
from interlude.core.settings import Settings

from .feedserver import FIXTURES, FeedServer, Route

REFUSED_LITERALS = [
    "https://127.0.0.1/feed.ics",
    "https://2130706433/feed.ics",  # decimal 127.0.0.1
    "https://0177.0.0.1/feed.ics",  # octal
    "https://0x7f.0.0.1/feed.ics",  # hex
    "https://127.1/feed.ics",  # short form
    "https://[::1]/feed.ics",
    "https://[::ffff:127.0.0.1]/feed.ics",  # IPv4-mapped IPv6
    "https://[::ffff:169.254.169.254]/latest",
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "https://[fd00:ec2::254]/latest",  # AWS metadata over IPv6 (ULA)
    "https://10.1.2.3/feed.ics",
    "https://172.16.0.1/feed.ics",
    "https://192.168.1.10/feed.ics",
    "https://100.64.0.1/feed.ics",  # carrier-grade NAT
    "https://[fe80::1]/feed.ics",
    "https://224.0.0.1/feed.ics",
    "https://0.0.0.0/feed.ics",
    "https://[2002:7f00:1::1]/feed.ics",  # 6to4 wrapping 127.0.0.1
]


@pytest.mark.parametrize("url", REFUSED_LITERALS)
def test_private_literals_are_refused_before_any_connection(url: str) -> None:
    with pytest.raises(fetch.FetchError) as info:
        fetch.fetch_feed(url, allow_private_network=False)
    assert "private or local network" in info.value.message
    assert isinstance(info.value.__cause__, netguard.BlockedAddressError)


def test_names_that_resolve_to_loopback_are_refused_at_connect(
    feeds: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == "feed.evil.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    port = feeds.httpd.server_address[1]
    feeds.fixture("overrides.ics")
    for host in ("localhost", "feed.evil.example"):
        with pytest.raises(fetch.FetchError) as info:
            fetch.fetch_feed(
                f"http://{host}:{port}/overrides.ics", allow_private_network=False, allow_http=True
            )
        assert isinstance(info.value.__cause__, netguard.BlockedAddressError)
    assert feeds.httpd.routes["/overrides.ics"].hits == 0


def test_plain_http_is_refused_unless_private_networks_are_allowed() -> None:
    with pytest.raises(fetch.FetchError) as info:
        fetch.normalize_feed_url("http://example.com/feed.ics", allow_private_network=False)
    assert "https://" in info.value.message
    assert fetch.normalize_feed_url("webcal://example.com/a.ics", allow_private_network=False) == (
        "https://example.com/a.ics"
    )
    assert fetch.normalize_feed_url("http://example.com/a.ics", allow_private_network=True) == (
        "http://example.com/a.ics"
    )


def test_public_addresses_pass_the_check() -> None:
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert netguard.is_public_address(ipaddress.ip_address(address))


def test_every_redirect_hop_is_checked(feeds: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first hop is a "public" server (127.0.0.1 treated as public for this test only);
    redirects from it to private addresses are refused, by literal and by resolution."""
    real = netguard.is_public_address

    def only_first_hop_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return str(ip) == "127.0.0.1" or real(ip)

    monkeypatch.setattr(netguard, "is_public_address", only_first_hop_public)
    port = feeds.httpd.server_address[1]
    target = feeds.fixture("overrides.ics")
    assert fetch.fetch_feed(target, allow_private_network=False, allow_http=True).body
    for location in (
        "http://169.254.169.254/latest/meta-data/",
        f"http://127.0.0.2:{port}/overrides.ics",
        f"http://[::1]:{port}/overrides.ics",
        f"http://2130706434:{port}/overrides.ics",
    ):
        url = feeds.add("/bounce", Route(redirect_to=location))
        with pytest.raises(fetch.FetchError) as info:
            fetch.fetch_feed(url, allow_private_network=False, allow_http=True)
        assert isinstance(info.value.__cause__, netguard.BlockedAddressError)
    assert feeds.httpd.routes["/overrides.ics"].hits == 1


@pytest.fixture
def strict_client(runtime: Runtime, settings: Settings) -> Iterator[TestClient]:
    strict = settings.model_copy(update={"allow_private_network": False})
    strict_runtime = dataclasses.replace(runtime, settings=strict)
    with TestClient(create_app(strict_runtime), base_url="http://testserver") as client:
        yield client


def test_the_api_refuses_private_feeds(
    strict_client: TestClient, auth: dict[str, str], feeds: FeedServer
) -> None:
    feeds.fixture("overrides.ics")
    port = feeds.httpd.server_address[1]
    for url, status in (
        (f"https://2130706433:{port}/overrides.ics", 400),
        (f"http://127.0.0.1:{port}/overrides.ics", 400),
        (f"https://localhost:{port}/overrides.ics", 400),  # refused by name, before a look-up
    ):
        response = strict_client.post(
            "/api/v1/calendars", json={"kind": "ics_url", "url": url}, headers=auth
        )
        assert response.status_code == status, (url, response.text)
        message = response.json()["error"]["message"]
        assert "private or local network" in message or "https://" in message
    assert feeds.httpd.routes["/overrides.ics"].hits == 0
    assert (FIXTURES / "overrides.ics").exists()
