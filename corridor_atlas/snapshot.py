"""Static PNG fallbacks: each built page photographed by headless Chromium at a set size.

For print, social cards and readers without JavaScript. Uses Playwright with Debian's
Chromium (never a downloaded browser); both are needed only for `--png`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PNG_WIDTH, PNG_HEIGHT = 1200, 800
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--font-render-hinting=none",
]


class SnapshotUnavailable(RuntimeError):
    """--png was asked for but Playwright or Chromium is missing; the message says how to fix it."""


def chromium_executable() -> str:
    path = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    if os.path.exists(path):
        return path
    found = shutil.which("chromium")
    if found:
        return found
    raise SnapshotUnavailable("--png needs Chromium: install it with 'apt-get install -y chromium'")


def photograph(pages: list[Path], width: int = PNG_WIDTH, height: int = PNG_HEIGHT) -> dict[Path, bytes]:
    """PNG bytes for each HTML page (opened from file://, the same way a reader would)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise SnapshotUnavailable("--png needs Playwright: python -m pip install -e '.[png]'") from exc
    executable = chromium_executable()
    shots: dict[Path, bytes] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
            for page_path in pages:
                page = context.new_page()
                page.goto(page_path.resolve().as_uri())
                page.wait_for_selector("html[data-atlas-ready=true]", timeout=20000)
                page.wait_for_timeout(300)  # let Leaflet finish its zoom animation
                shots[page_path] = page.screenshot(type="png", full_page=False)
                page.close()
        finally:
            browser.close()
    return shots
