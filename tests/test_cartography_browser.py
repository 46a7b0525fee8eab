"""Cartography measured in the browser (issue 11): zoom limits, tap targets, print output.

One Chromium for the module; each test opens its own page. Headless Debian Chromium, never skipped.
"""

from __future__ import annotations

import tomllib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from corridor_atlas.pipeline import load_inputs
from corridor_atlas.prepare import prepare_map

from .browser import browser, open_page
from .conftest import MAP_TOML, write_project
from .real_site import MAP_IDS, REPO, built_site  # noqa: F401  (fixture)

PHONE = (375, 700)
TAPS_PER_MAP = 20
TAP_OFFSET_PX = 3


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def view_spec(map_id: str) -> dict:
    return tomllib.loads((REPO / "maps" / f"{map_id}.toml").read_text())["view"]


# --- zoom limits, bounds, permalinks -------------------------------------------------------

@pytest.mark.parametrize("map_id", MAP_IDS)
def test_zoom_limits__from_the_definition_and_enforced(chromium, built_site, map_id):
    view = view_spec(map_id)
    page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), *PHONE)
    try:
        limits = page.evaluate("[atlas.map.getMinZoom(), atlas.map.getMaxZoom(), atlas.map.options.maxBoundsViscosity]")
        assert limits == [view["min_zoom"], view["max_zoom"], 1]
        page.evaluate("() => { atlas.map.setZoom(0, {animate: false}); }")
        assert page.evaluate("atlas.map.getZoom()") == view["min_zoom"]
        page.evaluate("() => { atlas.map.setZoom(18, {animate: false}); }")
        assert page.evaluate("atlas.map.getZoom()") == view["max_zoom"]
        # a drag far off the land is pulled back inside the bounds
        page.evaluate("() => { atlas.map.panBy([5000, 5000], {animate: false}); }")
        assert page.evaluate("atlas.map.options.maxBounds.contains(atlas.map.getCenter())")
        assert log.page_errors == []
    finally:
        page.context.close()


def test_permalink__out_of_range_zoom_and_centre_are_clamped(chromium, built_site):
    view = view_spec("nakhchivan")
    assert view["min_zoom"] == 6
    page, log = open_page(chromium, (built_site / "nakhchivan.html").as_uri() + "#3/0/0/", *PHONE)
    try:
        zoom, inside, url_hash = page.evaluate(
            "[atlas.map.getZoom(), atlas.map.options.maxBounds.contains(atlas.map.getCenter()), location.hash]")
        assert zoom == 6
        assert inside
        assert url_hash.startswith("#6/")  # the link now says what is shown
        assert log.page_errors == []
    finally:
        page.context.close()
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri() + "#15/39.2/45.4/", *PHONE)
    try:
        assert page.evaluate("atlas.map.getZoom()") == view["max_zoom"]
    finally:
        page.context.close()


# --- tap targets ------------------------------------------------------------------------------

# Points 3 px beside each route (alternating sides, every 3 px along it), as LatLngs, where that tap is not
# ambiguous: on the map (not under the title, legend or a control), not within 14 px of a place marker,
# and at least 15 px from every other route (two routes closer than that share their targets).
TAP_POINTS = """(args) => {
  const [wanted, offset] = args;
  const map = atlas.map, box = map.getContainer().getBoundingClientRect();
  const routes = [], markers = [];
  Object.values(atlas.layers).forEach(g => { if (map.hasLayer(g)) g.eachLayer(l => {
    if (l instanceof L.Marker) markers.push(map.latLngToContainerPoint(l.getLatLng()));
    if (l instanceof L.Polyline && !(l instanceof L.Polygon) && l._parts) {
      routes.push({name: l.feature.properties.name, parts: l._parts.map(part => part.map(p => map.layerPointToContainerPoint(p)))});
    }
  }); });
  function distToSeg(p, a, b) {
    const dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
    const t = len2 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0;
    return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
  }
  function distToRoute(p, r) {
    let d = Infinity;
    r.parts.forEach(part => { for (let i = 1; i < part.length; i++) d = Math.min(d, distToSeg(p, part[i - 1], part[i])); });
    return d;
  }
  const candidates = [];
  routes.forEach((r, ri) => r.parts.forEach(part => {
    for (let i = 1; i < part.length; i++) {
      const a = part[i - 1], b = part[i], len = Math.hypot(b.x - a.x, b.y - a.y);
      if (len < 1) continue;
      const nx = -(b.y - a.y) / len, ny = (b.x - a.x) / len;
      for (let k = 0; 6 + 3 * k < len - 6; k++) {
        const s = 6 + 3 * k, side = k % 2 ? 1 : -1;  // every 3 px along the line, left and right by turns
        const p = {x: a.x + (b.x - a.x) * s / len + side * offset * nx, y: a.y + (b.y - a.y) * s / len + side * offset * ny};
        if (p.x < 20 || p.y < 20 || p.x > box.width - 20 || p.y > box.height - 20) continue;
        if (routes.some((o, oi) => oi !== ri && distToRoute(p, o) < 15)) continue;
        if (markers.some(m => Math.hypot(m.x - p.x, m.y - p.y) < 14)) continue;
        const x = box.left + p.x, y = box.top + p.y;
        const top = document.elementFromPoint(x, y);
        if (!top || !top.closest('.leaflet-overlay-pane, .leaflet-atlas-hit-pane, .leaflet-atlas-base-pane, .leaflet-tile-pane')
            && top !== map.getContainer()) continue;
        const at = map.containerPointToLatLng([p.x, p.y]);
        candidates.push({name: r.name, lat: at.lat, lng: at.lng});
      }
    }
  }));
  if (candidates.length <= wanted) return candidates;
  const step = candidates.length / wanted;
  return Array.from({length: wanted}, (_, i) => candidates[Math.floor(i * step)]);
}"""


def tap_hit_rate(chromium, site, map_id: str) -> tuple[int, int, list]:
    context = chromium.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        page.goto((site / f"{map_id}.html").as_uri())
        page.wait_for_selector("html[data-atlas-ready=true]")
        page.wait_for_selector("html[data-atlas-complete=true]", state="attached")  # the tap targets are in
        page.wait_for_timeout(300)
        # popups neither pan the map nor fade out here, and two quick taps do not zoom: that changes
        # where no tap lands, only how long the test waits between taps
        page.evaluate("() => { L.Popup.prototype.options.autoPan = false; atlas.map._fadeAnimated = false;"
                      " atlas.map.doubleClickZoom.disable(); }")
        view = page.evaluate("[atlas.map.getCenter(), atlas.map.getZoom()]")
        points = page.evaluate(TAP_POINTS, [TAPS_PER_MAP, TAP_OFFSET_PX])
        misses = []
        for point in points:
            x, y = page.evaluate("""(a) => { const [v, p] = a; atlas.map.setView(v[0], v[1], {animate: false});
                const c = atlas.map.latLngToContainerPoint([p.lat, p.lng]), box = atlas.map.getContainer().getBoundingClientRect();
                return [box.left + c.x, box.top + c.y]; }""", [view, point])
            page.touchscreen.tap(x, y)
            try:
                opened = page.wait_for_selector(".leaflet-popup .atlas-popup h3", timeout=600).text_content()
            except PlaywrightTimeout:
                opened = None
            if opened != point["name"]:
                misses.append((point["name"], round(x), round(y), opened))
            page.evaluate("() => { atlas.map.closePopup(); }")
        return len(points) - len(misses), len(points), misses
    finally:
        context.close()


@pytest.mark.parametrize("map_id", MAP_IDS)
def test_routes__taps_3px_off_the_line_open_its_popup(chromium, built_site, map_id):
    hits, taps, misses = tap_hit_rate(chromium, built_site, map_id)
    print(f"{map_id}: {hits}/{taps} taps {TAP_OFFSET_PX} px off a route opened its popup")
    assert taps >= 20, f"{map_id}: only {taps} unambiguous tap points at {PHONE}"
    assert hits == taps, misses


def test_routes__hit_lines_follow_their_layer(chromium, built_site):
    page, _ = open_page(chromium, (built_site / "overview.html").as_uri())
    try:
        shown = page.evaluate("() => { const n = 'oil-routes'; atlas.map.removeLayer(atlas.layers[n]);"
                              " const off = atlas.map.hasLayer(atlas.hitLines[n]); atlas.layers[n].addTo(atlas.map);"
                              " return [off, atlas.map.hasLayer(atlas.hitLines[n])]; }")
        assert shown == [False, True]
        weights = page.evaluate("() => { const w = []; Object.values(atlas.hitLines).forEach(g => g.eachLayer(l => l.eachLayer"
                                "(p => w.push(p.options.weight)))); return w; }")
        assert weights and min(weights) >= 24
    finally:
        page.context.close()


# --- countries ---------------------------------------------------------------------------------

def test_countries__story_countries_labelled_and_filled_on_the_nakhchivan_map(chromium, built_site):
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri())
    try:
        labels = page.locator(".atlas-country-label").all_inner_texts()
        for name in ("Azerbaijan", "Armenia", "Iran", "Turkey", "Georgia"):
            assert name.upper() in [t.upper() for t in labels], (name, labels)
        fills = page.evaluate("atlas.data.landFills")
        assert len({fills[c] for c in ("AZE", "ARM", "IRN", "TUR", "GEO")}) == 5
        # drawn in those fills: the basemap canvas's colour under Armenia's and Azerbaijan's
        # labels, and under the town of Nakhchivan (it and mainland Azerbaijan are one feature,
        # so one fill)
        drawn = page.evaluate("""() => {
            const m = atlas.map, canvas = document.querySelector('.leaflet-atlas-base-pane canvas');
            const box = canvas.getBoundingClientRect(), mapBox = m.getContainer().getBoundingClientRect();
            const hex = v => '#' + v.map(c => c.toString(16).padStart(2, '0')).join('');
            function colour(lat, lon) {
              const p = m.latLngToContainerPoint([lat, lon]);
              const x = Math.floor((mapBox.left + p.x - box.left) * canvas.width / box.width);
              const y = Math.floor((mapBox.top + p.y - box.top) * canvas.height / box.height);
              return hex(Array.from(canvas.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3)));
            }
            const out = {};
            atlas.data.countryLabels.forEach(c => { out[c.name] = colour(c.lat, c.lon); });
            atlas.data.layers.forEach(l => l.geojson.features.forEach(f => {
              if (f.properties.name === 'Nakhchivan' && f.geometry.type === 'Point')
                out['Nakhchivan town'] = colour(f.geometry.coordinates[1], f.geometry.coordinates[0]);
            }));
            return out; }""")
        assert drawn["Azerbaijan"] == fills["AZE"].lower() and drawn["Armenia"] == fills["ARM"].lower()
        assert drawn["Nakhchivan town"] == fills["AZE"].lower()
    finally:
        page.context.close()


def test_country_labels__placed_inside_the_view_even_for_a_country_mostly_off_screen(tmp_path):
    # Betaland (45–50° E) shows only as a 1° strip at the view's east edge: it still gets a label, on the strip
    toml = MAP_TOML.replace("bounds = [[38.5, 40.5], [41.5, 49.5]]", "bounds = [[38.5, 40.5], [41.5, 46.0]]")
    inputs = load_inputs(write_project(tmp_path / "project", map_toml=toml))
    prepared = prepare_map(inputs.specs[0], inputs.layers, inputs.base)
    labels = {c["name"]: c for c in prepared.country_labels}
    assert set(labels) == {"Alphaland", "Betaland"}
    assert 45.0 < labels["Betaland"]["lon"] <= 46.0 + 0.1 * 5.5  # inside the view (grown by a tenth each side)
    assert 40.5 <= labels["Alphaland"]["lon"] < 45.0


# --- print and PNG ------------------------------------------------------------------------------

def visible(page, selector: str) -> bool:
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel)].some(e => {
        const s = getComputedStyle(e), r = e.getBoundingClientRect();
        return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; })""", selector)


RAIL_PATHS = """() => {
  const marks = [], lines = {};
  atlas.map.eachLayer(l => {
    if (!l.feature || !l._path || l.feature.properties.kind !== 'rail') return;
    const seen = {d: l._path.getAttribute('d'), dash: l._path.getAttribute('stroke-dasharray'),
                  offset: l._path.getAttribute('stroke-dashoffset')};
    if (l.options.pane === 'atlas-marks-under') marks.push(Object.assign(seen, {id: l.feature.properties.id}));
    else if (l.options.pane === 'overlayPane') lines[l.feature.properties.id] = seen;
  });
  return {marks, lines};
}"""


@pytest.mark.parametrize("zoom", [6, 8])
def test_rail_ticks__drawn_along_the_very_path_of_their_line_in_its_gaps(chromium, built_site, zoom):
    """The Aras railways at zoom 6–8: each railway's ticks are a stroke of the same path as the
    line (the same `d`), patterned from its dashes (style.rail_ticks), so ticks keep to the gaps."""
    from corridor_atlas.style import rail_ticks

    page, log = open_page(chromium, (built_site / "nakhchivan.html").as_uri())
    try:
        page.evaluate(f"atlas.map.setView([39.6, 45.2], {zoom}, {{animate: false}})")
        page.wait_for_timeout(100)
        seen = page.evaluate(RAIL_PATHS)
    finally:
        page.context.close()
    assert log.page_errors == []
    dashed = [m for m in seen["marks"] if seen["lines"][m["id"]]["dash"]]
    assert len(dashed) >= 2, seen  # the proposed and under-construction railways along the Aras
    for mark in seen["marks"]:
        line = seen["lines"][mark["id"]]
        assert mark["d"] == line["d"], mark["id"]
        assert (mark["dash"], mark["offset"]) == rail_ticks(line["dash"]), mark["id"]


def test_print__markers_lines_and_legend_stay_controls_go(chromium, built_site):
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri())
    try:
        page.emulate_media(media="print")
        assert visible(page, ".atlas-legend li")
        assert visible(page, ".leaflet-overlay-pane path")
        assert not visible(page, ".leaflet-control-zoom") and not visible(page, ".leaflet-control-layers")
        # markers survive "background graphics" off: drawn by a border or a glyph, and colours forced
        markers = page.evaluate("""() => [...document.querySelectorAll('.leaflet-marker-pane .atlas-marker')].map(e => {
            const s = getComputedStyle(e, '::after');
            return {w: parseFloat(s.borderTopWidth), glyph: s.content !== '""' && s.content !== 'none',
                    hidden: s.display === 'none'}; })""")
        assert markers and all(not m["hidden"] and (m["w"] >= 1.5 or m["glyph"]) for m in markers), markers
        assert page.evaluate("getComputedStyle(document.body).printColorAdjust") == "exact"
        assert len(page.pdf(format="A4", landscape=True, print_background=False)) > 10000
    finally:
        page.context.close()


def test_snapshot_class__hides_the_map_controls(chromium, built_site):
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri())
    try:
        assert visible(page, ".leaflet-control-zoom")
        page.evaluate("document.documentElement.classList.add('atlas-snapshot')")  # what snapshot.py does
        assert not visible(page, ".leaflet-control-zoom") and not visible(page, ".leaflet-control-layers")
    finally:
        page.context.close()
