"""Keyboard and screen reader (issue 11), in headless Chromium on the real site.

The map's controls come first in Tab order (zoom, layers, legend), then every route and
area as a named stop; Enter opens a route's popup with focus inside it, Escape closes it and
focus returns to the route; the generated description reads as sentences about the
geography, not as a list.
"""

from __future__ import annotations

import re

import pytest

from .browser import browser, open_page
from .real_site import built_site  # noqa: F401  (fixture)

DESKTOP = (1280, 800)

ACTIVE = """() => {
  const a = document.activeElement;
  const kind = a.matches('.leaflet-control-zoom-in') ? 'zoom-in' : a.matches('.leaflet-control-zoom-out') ? 'zoom-out'
    : a.closest('.leaflet-control-layers') ? 'layers' : a.matches('.atlas-legend summary') ? 'legend'
    : a.matches('path.atlas-focusable') ? 'feature' : a.classList.contains('leaflet-container') ? 'map'
    : a.closest('.leaflet-marker-pane') ? 'place' : a.closest('.leaflet-control-attribution') ? 'credits' : a.tagName;
  return {kind: kind, name: a.getAttribute('aria-label') || '', role: a.getAttribute('role') || ''};
}"""

FEATURE_NAMES = """() => {
  const names = [];
  Object.values(atlas.layers).forEach(g => { if (atlas.map.hasLayer(g)) g.eachLayer(l => {
    if (l.feature && l.feature.geometry.type !== 'Point') names.push(l.feature.properties.name); }); });
  return names;
}"""


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def tab_stops(page, limit: int = 200) -> list[dict]:
    """Every Tab stop once round the page, places (named by Leaflet) left out."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(ACTIVE)
        if stops and stop == stops[0]:
            break
        if stop["kind"] != "place":
            stops.append(stop)
    return stops


@pytest.mark.parametrize("map_id", ["nakhchivan", "caspian-crude"])
def test_tab_order__controls_first_then_every_route_and_area_by_name(chromium, built_site, map_id):
    page, _ = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), *DESKTOP)
    try:
        stops = tab_stops(page)
        kinds = [s["kind"] for s in stops]
        first_feature = kinds.index("feature")
        # the map itself (arrow keys pan it) and then its controls, before any feature
        assert kinds[0] in ("map", "zoom-in"), kinds[:6]
        controls = [k for k in kinds[:first_feature] if k != "map"]
        assert controls[:2] == ["zoom-in", "zoom-out"], kinds[:first_feature]
        assert controls.index("legend") > controls.index("layers") > controls.index("zoom-out"), kinds[:first_feature]
        assert first_feature <= 12, kinds[:first_feature]  # was ~47 presses before the zoom buttons
        # no unnamed stop anywhere: the invisible 24 px tap targets are not keyboard stops
        assert all(s["kind"] not in ("path", "svg") for s in stops), [s for s in stops if s["kind"] in ("path", "svg")]
        features = [s for s in stops if s["kind"] == "feature"]
        assert all(s["role"] == "button" for s in features)
        assert sorted(s["name"] for s in features) == sorted(page.evaluate(FEATURE_NAMES))
    finally:
        page.context.close()


def test_enter_opens_the_popup_with_focus_inside_and_escape_returns_to_the_route(chromium, built_site):
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri(), *DESKTOP)
    try:
        stops = tab_stops(page)
        route = next(s["name"] for s in stops if s["kind"] == "feature" and "Zangezur" in s["name"])
        page.evaluate("(name) => Array.from(document.querySelectorAll('path.atlas-focusable'))"
                      ".find(p => p.getAttribute('aria-label') === name).focus()", route)
        page.keyboard.press("Enter")
        page.wait_for_selector(".leaflet-popup-content h3")
        page.wait_for_function("() => !!document.activeElement.closest('.leaflet-popup')", timeout=3000)
        focus = page.evaluate("() => ({inPopup: !!document.activeElement.closest('.leaflet-popup'),"
                              " title: document.querySelector('.leaflet-popup-content h3').textContent,"
                              " dialog: document.querySelector('.leaflet-popup').getAttribute('role')})")
        assert focus == {"inPopup": True, "title": route, "dialog": "dialog"}
        page.keyboard.press("Tab")  # on to the popup's links and close button, still inside it
        assert page.evaluate("() => !!document.activeElement.closest('.leaflet-popup')")
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('.leaflet-popup') || getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '0'")
        page.wait_for_function("(name) => document.activeElement.getAttribute('aria-label') === name", arg=route)
        # and Space works like Enter
        page.keyboard.press(" ")
        page.wait_for_function("() => document.activeElement.closest('.leaflet-popup')")
    finally:
        page.context.close()


def test_description__reads_as_sentences_about_the_geography(chromium, built_site):
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri(), *DESKTOP)
    try:
        text = page.locator("#atlas-description").text_content()
        routes = [n for n in page.evaluate(FEATURE_NAMES) if n]
    finally:
        page.context.close()
    sentences = [s for s in re.split(r"(?<=[.])\s+(?=[A-Z0-9\"])", text) if s]
    assert len(sentences) >= 10
    assert all(s.endswith(".") for s in sentences)
    assert not re.search(r"(; [^;]+){4,}", text), "a semicolon-separated list of names"
    assert "lies in the south" in text  # Nakhchivan: where it lies
    for verb in ("would run", "is being built to run", "ran"):
        assert verb in text
    assert re.search(r"would run (west|east|north|south)[a-z-]* from Horadiz via .+ to Nakhchivan", text)  # which way, through where
    assert "routes meet at Zangilan" in text  # what connects to what
    assert "through Azerbaijan, then Armenia, then Azerbaijan" in text  # the countries in order, by name
    for name in routes:
        assert any(s.startswith(name) for s in sentences) or name not in text, name
