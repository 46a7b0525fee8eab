"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright.

Never downloads a browser. Every request the page makes is recorded so a test can assert
that a page opened from file:// asks the network for nothing.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import sync_playwright

from corridor_atlas.snapshot import CHROMIUM_ARGS, SnapshotUnavailable, chromium_executable


def chromium_path() -> str:
    try:
        return chromium_executable()
    except SnapshotUnavailable as exc:
        raise RuntimeError(f"{exc} (scripts/test.sh installs it)") from exc


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def network_requests(self) -> list[str]:
        """Requests that would leave the machine (file: and data: URLs stay local)."""
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:", "blob:"))]


@contextmanager
def browser():
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


# atlas.js sets data-atlas-complete; other pages (compare.js) have nothing to add after ready
COMPLETE = "!window.CorridorAtlas || document.documentElement.getAttribute('data-atlas-complete') === 'true'"


def open_page(instance, url: str, width: int = 1280, height: int = 800, wait_ready: bool = True):
    """A new page at `url` with its log; waits until atlas.js marks the map ready and complete."""
    context = instance.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log = PageLog()
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("request", lambda r: log.requests.append(r.url))

    def on_dialog(dialog):
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    if wait_ready:
        page.wait_for_selector("html[data-atlas-ready=true]", timeout=15000)
        # a map page (atlas.js) adds, once drawn and idle, what the first frame does not show (tap targets, keyboard stops)
        page.wait_for_function(COMPLETE, timeout=15000)
    return page, log


@contextmanager
def clean_map_page(instance, path):
    """The built page at `path`, open and drawn; on leaving, it must have raised no error and
    asked the network for nothing."""
    page, log = open_page(instance, path.as_uri())
    yield page
    assert not log.page_errors and not log.network_requests()
    page.context.close()


def within(box, outer, slack: float = 1.0) -> bool:
    """Whether `box` (left, top, right, bottom) lies inside `outer`, give or take `slack` px of
    sub-pixel rounding: a control measured in the browser inside placement.py's box for it."""
    return outer[0] - slack <= box[0] and outer[1] - slack <= box[1] and box[2] <= outer[2] + slack and box[3] <= outer[3] + slack
