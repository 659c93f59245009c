"""split_endpoint cuts where urllib.parse.urlsplit cuts, and endpoint_origin is unchanged by
caching per origin."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlude.push.endpoints import split_endpoint
from interlude.push.sender import endpoint_origin

_HOST = st.from_regex(r"[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?", fullmatch=True)
_PORT = st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}"))
_REST = st.text(alphabet="abcXYZ019-._~/?#=&%:@", max_size=40)


@given(st.sampled_from(["https", "http"]), _HOST, _PORT, _REST)
def test_split_endpoint_cuts_where_urlsplit_does(
    scheme: str, host: str, port: str, rest: str
) -> None:
    endpoint = f"{scheme}://{host}{port}{rest}"
    parts = urlsplit(endpoint)
    authority, after = split_endpoint(endpoint)
    assert authority == f"{parts.scheme}://{parts.netloc}"
    assert authority + after == endpoint


@pytest.mark.parametrize(
    ("endpoint", "origin"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc:def", "https://fcm.googleapis.com"),
        ("https://Web.Push.Apple.com:443/QGu?x=1", "https://web.push.apple.com"),
        ("http://127.0.0.1:8080/push/1", "http://127.0.0.1:8080"),
        ("https://[2001:db8::1]:8443/p", "https://[2001:db8::1]:8443"),
        ("https://updates.push.services.mozilla.com", "https://updates.push.services.mozilla.com"),
    ],
)
def test_endpoint_origin(endpoint: str, origin: str) -> None:
    assert endpoint_origin(endpoint) == origin


def test_endpoint_origin_refuses_what_is_not_http() -> None:
    with pytest.raises(ValueError, match="not an http"):
        endpoint_origin("ftp://example.org/x")
