"""Made for articles: embedded in a host page the map behaves; PNGs; permalinks; layout.

Runs in headless Chromium (Debian's), never skipped.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys

import pytest

from corridor_atlas.cli import main
from corridor_atlas.pipeline import build_site
from corridor_atlas.site import card_text, embed_snippet
from corridor_atlas.snapshot import PNG_HEIGHT, PNG_WIDTH

from .browser import browser, open_page
from .real_site import MAP_IDS, REPO, built_site  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def host_page(folder, map_file: str, spec) -> str:
    """A long article with the map embedded in the middle, using our own embed snippet."""
    paragraphs = "".join(f"<p>Paragraph {i} of a long article about corridors.</p>" for i in range(60))
    html = f"<!DOCTYPE html><html><body style='margin:0'><main style='max-width:800px;margin:auto'>{paragraphs}" \
           f"{embed_snippet(spec, map_file)}{paragraphs}</main></body></html>"
    path = folder / "article.html"
    path.write_text(html)
    return path.as_uri()


def test_embed__wheel_over_map_scrolls_the_page_not_the_map(chromium, built_site):
    from corridor_atlas.pipeline import ProjectPaths, load_inputs
    from .real_site import REPO

    spec = next(s for s in load_inputs(ProjectPaths(REPO)).specs if s.id == "nakhchivan")
    url = host_page(built_site, "nakhchivan.html", spec)
    page, log = open_page(chromium, url, wait_ready=False)
    try:
        frame_el = page.wait_for_selector("iframe")
        frame_el.scroll_into_view_if_needed()
        frame = frame_el.content_frame()
        frame.wait_for_selector("html[data-atlas-ready=true]")
        assert frame.evaluate("window.atlas.map.gestureHandling.enabled()") is True
        assert frame.evaluate("window.atlas.map.getContainer().getAttribute('data-gesture-handling-scroll-content')") \
            == "Use ctrl + scroll to zoom the map"
        zoom_before = frame.evaluate("window.atlas.map.getZoom()")
        scroll_before = page.evaluate("window.scrollY")
        box = frame_el.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(400)
        assert page.evaluate("window.scrollY") > scroll_before
        assert frame.evaluate("window.atlas.map.getZoom()") == zoom_before
        assert log.network_requests() == []
    finally:
        page.context.close()


def test_standalone__gesture_handling_off_when_not_embedded(chromium, built_site):
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri())
    try:
        assert page.evaluate("window.atlas.map.gestureHandling.enabled()") is False
    finally:
        page.context.close()


@pytest.mark.parametrize("width,height", [(320, 568), (1280, 800)])
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_layout__usable_at_phone_and_desktop_width(chromium, built_site, map_id, width, height):
    page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), width=width, height=height)
    try:
        assert log.page_errors == [] and log.console_errors == []
        # nothing overflows the viewport horizontally
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        title = page.locator(".atlas-title").bounding_box()
        assert title["x"] >= 0 and title["x"] + title["width"] <= width
        legend_open = page.evaluate("document.querySelector('.atlas-legend').open")
        assert legend_open == (width > 600)  # collapsed on phones, open on desktops
        # the legend can be opened by keyboard: focus the summary and press Enter
        page.focus(".atlas-legend summary")
        page.keyboard.press("Enter")
        assert page.evaluate("document.querySelector('.atlas-legend').open") == (not legend_open)
        # zoom controls are keyboard-reachable links/buttons
        assert page.locator(".leaflet-control-zoom-in").count() == 1
        description = page.locator("#atlas-description").text_content()
        assert description and len(description) > 40
        # the search snippet: the description's first 200 characters, cut at a word (site.card_text)
        assert page.get_attribute("meta[name=description]", "content") == card_text(description)
        assert page.get_attribute(".atlas-map", "aria-describedby") == "atlas-description"
    finally:
        page.context.close()


def test_permalink__hash_restores_view_and_layers(chromium, built_site):
    page, _ = open_page(chromium, (built_site / "overview.html").as_uri())
    try:
        # arrow functions returning nothing: serialising Leaflet's map object would take seconds
        page.evaluate("() => { window.atlas.map.setView([40.2, 45.4], 6, {animate: false}); }")
        page.evaluate("() => { window.atlas.map.removeLayer(window.atlas.layers['oil-routes']); }")
        page.wait_for_timeout(200)
        url = page.url
        assert "#6/40.2000/45.4000/" in url and "oil-routes" not in url.split("#")[1]
    finally:
        page.context.close()
    page, _ = open_page(chromium, url)
    try:
        assert page.evaluate("window.atlas.map.getZoom()") == 6  # overview's max_zoom
        center = page.evaluate("[window.atlas.map.getCenter().lat, window.atlas.map.getCenter().lng]")
        assert center == pytest.approx([40.2, 45.4], abs=1e-3)
        assert page.evaluate("window.atlas.map.hasLayer(window.atlas.layers['oil-routes'])") is False
        assert page.evaluate("window.atlas.map.hasLayer(window.atlas.layers['instc'])") is True
    finally:
        page.context.close()


def test_permalink__garbage_hash_is_ignored(chromium, built_site):
    page, log = open_page(chromium, (built_site / "nakhchivan.html").as_uri() + "#<img src=x onerror=alert(1)>/1/2/x")
    try:
        assert log.page_errors == [] and log.dialogs == []
        assert page.evaluate("window.atlas.map.getZoom()") >= 6
    finally:
        page.context.close()


def test_without_script__the_description_is_read_once_above_the_note(chromium, built_site):
    """No JavaScript: the map box is hidden and the one copy of the description (#atlas-description,
    no longer repeated in <noscript>) is shown as text, after the note that the map needs script."""
    html = (built_site / "overview.html").read_text(encoding="utf-8")
    context = chromium.new_context(viewport={"width": 680, "height": 510}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((built_site / "overview.html").as_uri())
        description = page.locator("#atlas-description")
        text = description.text_content()
        assert len(text) > 200
        assert html.count(text[-60:]) == 1  # the page carries the long text once (meta holds its first 200 characters)
        box = description.bounding_box()
        assert box["width"] > 300 and box["height"] > 40  # a visible paragraph, not the 1 px screen-reader box
        note = page.locator(".atlas-noscript-note").bounding_box()
        assert note["y"] + note["height"] <= box["y"] + 1  # the note that the map needs script first, not on top of it
        steps = page.locator(".atlas-noscript").bounding_box()
        assert steps["y"] >= box["y"] + box["height"] - 1  # then the picture and the steps
        assert page.locator(".atlas-map").bounding_box() is None  # the empty map box is hidden
    finally:
        context.close()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png__written_with_the_expected_size_and_referenced(project, tmp_path):
    out = tmp_path / "site"
    # a separate process: Playwright's sync API cannot nest inside this module's browser fixture
    result = subprocess.run([sys.executable, "build.py", "--png", "--root", str(project.root), "--out", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    data = (out / "test-map.png").read_bytes()
    assert len(data) > 5000
    assert png_size(data) == (PNG_WIDTH, PNG_HEIGHT)
    html = (out / "test-map.html").read_text()
    assert '<noscript><div class="atlas-noscript"><img src="test-map.png"' in html
    alt = re.search(r'<noscript><div class="atlas-noscript"><img src="test-map.png" alt="([^"]*)"', html).group(1)
    assert 0 < len(alt) <= 200  # a short alternative: the whole description is the paragraph above the picture
    index = (out / "index.html").read_text()
    assert 'src="test-map.png"' in index and 'href="test-map.png"' in index


def test_embed_cli__prints_iframe_snippet(project, capsys):
    assert main(["--embed", "test-map", "--root", str(project.root)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith('<iframe src="test-map.html" title="Test map"')
    assert "aspect-ratio" in out and "min-height:320px" in out


def test_index__has_embed_code_with_copy_button(chromium, built_site):
    page, log = open_page(chromium, (built_site / "index.html").as_uri(), wait_ready=False)
    try:
        assert page.locator("button[data-copy]").count() == len(MAP_IDS)
        snippet = page.locator("textarea").first.input_value()
        assert snippet.startswith("<iframe") and 'title="' in snippet
        assert log.page_errors == []
    finally:
        page.context.close()
