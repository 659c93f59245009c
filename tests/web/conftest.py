"""A small fake build of the PWA, so the web tests do not depend on npm."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from interlude.core.settings import Settings

INDEX = (
    '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script>'
    '<link rel="manifest" href="/manifest.webmanifest"></head><body><div id="app"></div>'
    "</body></html>"
)
APP_JS = "console.log('interlude');\n" * 40


def write_dist(root: Path) -> Path:
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "icons").mkdir()
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "index-abc123.js").write_text(APP_JS)
    (dist / "assets" / "index-abc123.js.gz").write_bytes(gzip.compress(APP_JS.encode()))
    (dist / "sw.js").write_text("self.addEventListener('push', () => {});")
    (dist / "manifest.webmanifest").write_text('{"name": "Interlude"}')
    (dist / "icons" / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    return dist


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"frontend_dist": write_dist(tmp_path)})
