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


INSTALL_HINT = "install it with 'apt-get install -y chromium' (Debian/Ubuntu)"


def _runnable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def chromium_executable() -> str:
    """The Chromium to photograph with: $CHROMIUM if set (and it must work), else Debian's."""
    chosen = os.environ.get("CHROMIUM")
    if chosen:
        if _runnable(chosen):
            return chosen
        raise SnapshotUnavailable(f"--png: CHROMIUM={chosen!r} is not an executable file; "
                                  f"unset it or point it at chromium, or {INSTALL_HINT}")
    for path in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if path and _runnable(path):
            return path
    raise SnapshotUnavailable(f"--png needs Chromium, which is not installed: {INSTALL_HINT}")


def photograph(pages: list[Path], width: int = PNG_WIDTH, height: int = PNG_HEIGHT) -> dict[Path, bytes]:
    """PNG bytes for each HTML page (opened from file://, the same way a reader would)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise SnapshotUnavailable("--png needs Playwright: python -m pip install -e '.[png]'") from exc
    executable = chromium_executable()
    shots: dict[Path, bytes] = {}
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        except Exception as exc:  # Playwright's Error: the binary is not a working Chromium
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            raise SnapshotUnavailable(f"--png: {executable} did not start as Chromium ({first_line}); {INSTALL_HINT}") from None
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
            for page_path in pages:
                page = context.new_page()
                page.goto(page_path.resolve().as_uri())
                page.wait_for_selector("html[data-atlas-ready=true]", timeout=20000)
                # a picture has no use for zoom and layer buttons (atlas.css hides them)
                page.evaluate("document.documentElement.classList.add('atlas-snapshot')")
                page.wait_for_timeout(300)  # let Leaflet finish its zoom animation
                shots[page_path] = page.screenshot(type="png", full_page=False)
                page.close()
        finally:
            browser.close()
    return shots
