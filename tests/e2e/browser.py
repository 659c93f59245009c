"""Helpers for the browser tests: launching Chromium, axe-core scans, screenshots."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, sync_playwright

from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, FRONTEND, SCREENSHOTS

PHONE = {"width": 390, "height": 844}
AXE_SOURCE = (FRONTEND / "node_modules" / "axe-core" / "axe.min.js").read_text()


@contextmanager
def phone(profile: Path, *, timezone: str, base_url: str) -> Iterator[BrowserContext]:
    """A persistent (not incognito) phone-sized Chromium profile with notifications allowed."""
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=PHONE,
            screen=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            timezone_id=timezone,
            locale="en-US",
            permissions=["notifications"],
            base_url=base_url,
        )
        context.grant_permissions(["notifications"], origin=base_url)
        try:
            yield context
        finally:
            context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core violations on the current page: WCAG 2.x A/AA rules, of any impact, plus the
    heading order (a best practice Lighthouse's accessibility score counts).

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern, so
    the strict policy stays on during the test.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return list(
        page.evaluate(
            """() => axe.run(document, {
                runOnly: {
                    type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'],
                },
                rules: {'heading-order': {enabled: true}},
            }).then(r => r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            })))"""
        )
    )


def assert_accessible(page: Page, name: str) -> None:
    """No axe violation on the screen as it is now, in light and in dark.

    The page is left in the colour scheme it was in.
    """
    was_dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            found[scheme] = axe_violations(page)
    finally:
        page.emulate_media(color_scheme="dark" if was_dark else "light")
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(found, indent=2))
    assert found == {"light": [], "dark": []}, f"axe found issues on {name}: {found}"


def snap(page: Page, name: str) -> None:
    """Save a screenshot as a test artifact and as the README's current one."""
    toast = page.locator(".toast")
    if toast.count():
        toast.get_by_role("button", name="Dismiss").click()
    page.wait_for_timeout(150)  # let transitions settle
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def fits_at_double_text(page: Page) -> bool:
    """At 200 % text, nothing scrolls sideways (WCAG 1.4.4 / 1.4.10)."""
    return bool(
        page.evaluate(
            """() => {
                document.documentElement.style.fontSize = '200%';
                const ok = document.documentElement.scrollWidth <= window.innerWidth + 1;
                document.documentElement.style.fontSize = '';
                return ok;
            }"""
        )
    )


_SMALL_TARGETS_JS = """() => {
    const selector = 'button, a.btn, .tabbar a, input, select, summary';
    return [...document.querySelectorAll(selector)]
        .filter(el => el.offsetParent !== null && el.type !== 'checkbox')
        .map(el => [el, el.getBoundingClientRect()])
        .filter(([el, r]) => r.width > 0 && (r.height < 43.5 || r.width < 43.5))
        .map(([el, r]) => {
            const text = (el.textContent || el.name || '').trim().slice(0, 30);
            return `${el.tagName} "${text}" ${Math.round(r.width)}x${Math.round(r.height)}`;
        });
}"""


def small_targets(page: Page) -> list[str]:
    """Visible buttons, links and inputs smaller than 44x44 CSS px (WCAG 2.5.5 AAA / 2.5.8)."""
    return list(page.evaluate(_SMALL_TARGETS_JS))


def api(page: Page, method: str, path: str, body: Any = None) -> Any:
    """Same-origin fetch from the page, with the CSRF double-submit header like the app."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const csrf = (document.cookie.match(/(?:^|; )interlude_csrf=([^;]*)/) || [])[1];
            const headers = {Accept: 'application/json', 'Content-Type': 'application/json'};
            if (csrf) headers['X-CSRF-Token'] = decodeURIComponent(csrf);
            const r = await fetch(path, {
                method, headers, credentials: 'same-origin',
                body: body === null ? undefined : JSON.stringify(body),
            });
            const text = await r.text();
            return {status: r.status, body: text ? JSON.parse(text) : null};
        }""",
        [method, path, body],
    )
