"""Real-browser smoke test: every map of the real site, opened from file:// in Chromium.

No console error, no network request, and the layers its definition names are drawn
(checked through Leaflet's API in the page). Runs in CI; never skipped.
"""

from __future__ import annotations

import tomllib

import pytest

from .browser import browser, open_page
from .real_site import MAP_IDS, REPO, built_site  # noqa: F401  (fixture)


# One pixel of the basemap's canvas under each country label and sea label in view, with the
# land fills the payload styles it with (as [r, g, b]).
BASEMAP_PIXELS_JS = """
() => {
  const m = atlas.map, d = atlas.data, size = m.getSize(), mapBox = m.getContainer().getBoundingClientRect();
  const canvas = document.querySelector('.leaflet-atlas-base-pane canvas');
  const out = {canvases: document.querySelectorAll('.leaflet-atlas-base-pane canvas').length,
               paths: document.querySelectorAll('.leaflet-atlas-base-pane path').length, land: [], sea: []};
  const rgb = hex => [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
  out.fills = [d.styles.__land.fillColor].concat(Object.values(d.landFills || {})).map(rgb);
  if (!canvas) return out;
  const box = canvas.getBoundingClientRect(), ctx = canvas.getContext('2d');
  function pixel(lat, lon) {
    const p = m.latLngToContainerPoint([lat, lon]);
    if (p.x < 0 || p.y < 0 || p.x >= size.x || p.y >= size.y) return null;
    const x = Math.floor((mapBox.left + p.x - box.left) * canvas.width / box.width);
    const y = Math.floor((mapBox.top + p.y - box.top) * canvas.height / box.height);
    return Array.from(ctx.getImageData(x, y, 1, 1).data);
  }
  d.countryLabels.forEach(c => { const px = pixel(c.lat, c.lon); if (px) out.land.push([c.name, px]); });
  (d.seaLabels || []).forEach(s => { const px = pixel(s.lat, s.lon); if (px) out.sea.push([s.name, px]); });
  return out;
}
"""


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.mark.parametrize("map_id", MAP_IDS)
def test_map_page__renders_offline_with_its_layers(chromium, built_site, map_id):
    spec = tomllib.loads((REPO / "maps" / f"{map_id}.toml").read_text())
    page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri())
    try:
        assert log.console_errors == [] and log.page_errors == []
        assert log.network_requests() == []
        drawn = page.evaluate(
            """() => Object.fromEntries(Object.entries(window.atlas.layers).map(([name, group]) => {
                   let paths = 0, markers = 0;
                   group.eachLayer(l => { if (l instanceof L.Marker) markers++; else paths++; });
                   return [name, {onMap: window.atlas.map.hasLayer(group), paths, markers}];
               }))"""
        )
        for ref in spec["layers"]:
            name = ref["name"]
            assert name in drawn, f"{map_id}: layer {name} not drawn"
            assert drawn[name]["paths"] + drawn[name]["markers"] > 0, f"{map_id}: layer {name} is empty"
            assert drawn[name]["onMap"] == ref.get("shown", True)
        # the basemap is drawn from the bundled borders, on one canvas: land colour at the
        # country labels' points, the sea (the map's background) showing through at the sea labels'
        base = page.evaluate(BASEMAP_PIXELS_JS)
        assert base["canvases"] == 1 and base["paths"] == 0
        assert base["land"], f"{map_id}: no country label point in view"
        assert [name for name, rgba in base["land"] if rgba[3] != 255 or rgba[:3] not in base["fills"]] == []
        assert [name for name, rgba in base["sea"] if rgba[3] != 0] == []
        # title, legend and scale bar are visible; the credit names the data
        assert page.locator("h1").inner_text() == spec["title"]
        assert page.locator(".atlas-legend li").count() > 0
        assert page.locator(".leaflet-control-scale-line").count() >= 1
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        assert "Natural Earth" in attribution or "OpenStreetMap" in attribution
        # every line feature's popup opens with a source link
        popup_links = page.evaluate(
            """() => { const out = [];
                 Object.values(window.atlas.layers).forEach(g => g.eachLayer(l => {
                   if (!(l instanceof L.Polyline)) return;
                   l.openPopup(); const el = l.getPopup().getElement();
                   out.push(el ? el.querySelectorAll('.atlas-popup-sources a[href^="http"]').length : 0);
                   l.closePopup(); }));
                 return out; }"""
        )
        assert popup_links and min(popup_links) >= 1
    finally:
        page.context.close()


def test_map_page__callouts_and_labels_are_drawn(chromium, built_site):
    page, log = open_page(chromium, (built_site / "nakhchivan.html").as_uri())
    try:
        assert page.locator(".atlas-callout").count() >= 1
        assert page.locator(".atlas-label").count() >= 3
        assert page.locator(".atlas-country-label").count() >= 3
    finally:
        page.context.close()


@pytest.mark.parametrize("map_id, callouts", [("nakhchivan", True), ("overview", False)])
def test_layer_control__offers_callouts_only_on_a_map_that_has_some(chromium, built_site, map_id, callouts):
    page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri())
    try:
        toggles = page.eval_on_selector_all(".leaflet-control-layers-overlays label", "els => els.map(e => e.textContent.trim())")
        assert ("Callouts" in toggles) is callouts and len(toggles) >= 3, toggles
        assert (page.evaluate("window.atlas.data.callouts.length") > 0) is callouts
    finally:
        page.context.close()


def test_index_page__lists_every_map(chromium, built_site):
    page, log = open_page(chromium, (built_site / "index.html").as_uri(), wait_ready=False)
    try:
        hrefs = page.eval_on_selector_all(".map h2 a", "els => els.map(e => e.getAttribute('href'))")
        assert sorted(hrefs) == sorted(f"{m}.html" for m in MAP_IDS)
        assert log.network_requests() == [] and log.page_errors == []
    finally:
        page.context.close()


def test_map_page__popups_say_how_each_line_is_drawn(chromium, built_site):
    """A traced railway's popup gives its km along OSM track and the extract; a schematic
    line's says schematic; the attribution credits OpenStreetMap for the traced lines."""
    page, log = open_page(chromium, (built_site / "instc.html").as_uri())
    try:
        texts = page.evaluate(
            """() => { const out = {};
                 Object.values(window.atlas.layers).forEach(g => g.eachLayer(l => {
                   if (!(l instanceof L.Polyline) || !l.feature) return;
                   l.openPopup(); const el = l.getPopup().getElement();
                   out[l.feature.properties.id] = el ? el.innerText : ""; l.closePopup(); }));
                 return out; }"""
        )
        eastern = texts["instc-eastern-route"]
        assert "km along OpenStreetMap track" in eastern and "OpenStreetMap railway extract of 2026-04-01" in eastern
        assert "straight between OpenStreetMap stations" in texts["qazvin-rasht-railway"]
        assert "shortest path at sea" in texts["instc-sea-leg-bandar-abbas-mumbai"]
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        assert "Traced and derived lines: © OpenStreetMap contributors" in attribution
    finally:
        page.context.close()


def test_map_page__the_articles_figures_are_in_the_popups_with_what_they_cover(chromium, built_site):
    page, log = open_page(chromium, (built_site / "caspian-crude.html").as_uri())
    try:
        text = page.evaluate(
            """() => { let out = "";
                 Object.values(window.atlas.layers).forEach(g => g.eachLayer(l => {
                   if (!l.feature || l.feature.properties.id !== "btc-pipeline") return;
                   l.openPopup(); out = l.getPopup().getElement().innerText; l.closePopup(); }));
                 return out; }"""
        )
        assert "Reported share of israel crude imports" in text and "60 %" in text
        assert "Azerbaijan and Kazakhstan together" in text  # the note says what the figure covers
        assert "443 km in AZE" in text
    finally:
        page.context.close()
