"""Flow arrows and routes drawn side by side (issue 11), in headless Chromium on the real site.

Arrows: every operational crude line (pipelines and tanker legs of `oil-routes`) carries a
flow in its data and draws arrowheads that point the documented way at every zoom; lines
without a flow draw none. Shared track: where routes share the Meghri stretch each is drawn
at its own offset, and clicking a route's own drawn pixel opens its popup.
"""

from __future__ import annotations

import json

import pytest

from .browser import browser, open_page
from .real_site import REPO, built_site  # noqa: F401  (fixture)

DESKTOP = (1280, 800)


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def crude_lines() -> dict[str, str]:
    """Operational oil-route lines and their documented flow, from the layer file."""
    data = json.loads((REPO / "data" / "layers" / "oil-routes.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"].get("flow") for f in data["features"]
            if f["properties"]["status"] == "operational"}


def test_flow__every_operational_crude_line_documents_its_flow():
    missing = [fid for fid, flow in crude_lines().items() if flow is None]
    assert not missing, f"no flow in data/sources/routes.toml for {missing}"


ARROWS_VS_LINE = """() => {
  const out = {};
  Object.values(atlas.layers).forEach(g => g.eachLayer(l => {
    const p = l.feature && l.feature.properties;
    if (!p || !/LineString$/.test(l.feature.geometry.type)) return;
    const parts = L.LineUtil.isFlat(l.getLatLngs()) ? [l.getLatLngs()] : l.getLatLngs();
    const a = atlas.map.latLngToLayerPoint(parts[0][0]), b = atlas.map.latLngToLayerPoint(parts[parts.length - 1].slice(-1)[0]);
    out[p.id] = {flow: p.flow || null, line: [b.x - a.x, b.y - a.y], arrows: (atlas.flowArrows[p.id] || []).slice()};
  }));
  out.__drawn = document.querySelectorAll('path.atlas-flow-arrow').length;
  out.__size = Array.from(document.querySelectorAll('path.atlas-flow-arrow')).slice(0, 5).map(e => {
    const r = e.getBoundingClientRect(); return Math.max(r.width, r.height); });
  return out;
}"""


@pytest.mark.parametrize("zoom", ["default", "min", "max"])
def test_flow__arrows_point_the_documented_way_at_every_zoom(chromium, built_site, zoom):
    page, log = open_page(chromium, (built_site / "caspian-crude.html").as_uri(), *DESKTOP)
    try:
        if zoom != "default":
            page.evaluate(f"() => atlas.map.setZoom(atlas.map.get{zoom.capitalize()}Zoom(), {{animate: false}})")
            page.wait_for_timeout(200)
        seen = page.evaluate(ARROWS_VS_LINE)
        drawn, sizes = seen.pop("__drawn"), seen.pop("__size")
        expected = crude_lines()
        assert {fid for fid, s in seen.items() if s["flow"]} == set(expected)
        for fid, s in seen.items():
            if not s["flow"]:
                assert not s["arrows"], f"{fid} has no flow but draws arrows"
                continue
            assert s["arrows"], f"{fid}: no arrow at zoom {zoom}"
            first, (lx, ly) = s["arrows"][0], s["line"]
            along = first["dx"] * lx + first["dy"] * ly  # > 0: the first arrow points from the line's start to its end
            if s["flow"] == "forward":
                assert along > 0, (fid, first, s["line"])
            elif s["flow"] == "reverse":
                assert along < 0, (fid, first, s["line"])
            else:  # both ways: arrows in opposite pairs
                second = s["arrows"][1]
                assert first["dx"] * second["dx"] + first["dy"] * second["dy"] < 0, fid
        assert drawn == sum(len(s["arrows"]) for s in seen.values())
        assert sizes and all(9 <= size <= 18 for size in sizes), sizes  # the same size on screen at every zoom
        assert not log.console_errors and not log.page_errors
    finally:
        page.context.close()


def test_flow__no_arrows_on_a_map_without_flow(chromium, built_site):
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri(), *DESKTOP)
    try:
        assert page.evaluate("() => document.querySelectorAll('path.atlas-flow-arrow').length") == 0
    finally:
        page.context.close()


# --- shared track: side by side, each clickable -------------------------------------------------

SHARED_AT_MEGHRI = """() => {
  const map = atlas.map, box = map.getContainer().getBoundingClientRect();
  let meghri = null;
  const routes = [], markers = [];
  Object.values(atlas.layers).forEach(g => g.eachLayer(l => {
    const p = l.feature && l.feature.properties;
    if (!p) return;
    if (l.feature.geometry.type === 'Point') {
      const pt = map.latLngToContainerPoint(l.getLatLng()); markers.push(pt);
      if (p.id === 'meghri') meghri = pt;
    } else if (/LineString$/.test(l.feature.geometry.type)) routes.push({p: p, l: l});
  }));
  function drawn(r) {  // the route's drawn polyline on screen, its offset applied as Leaflet.PolylineOffset does
    const parts = L.LineUtil.isFlat(r.l.getLatLngs()) ? [r.l.getLatLngs()] : r.l.getLatLngs();
    return parts.map(part => {
      const pts = part.map(ll => map.latLngToContainerPoint(ll));
      return r.p.offset ? L.PolylineOffset.offsetPoints(pts, r.p.offset).map(q => L.point(q.x, q.y)) : pts;
    });
  }
  function distance(q, parts) {
    let d = Infinity;
    parts.forEach(pts => { for (let i = 1; i < pts.length; i++) d = Math.min(d, L.LineUtil.pointToSegmentDistance(q, pts[i - 1], pts[i])); });
    return d;
  }
  const drawnAll = routes.map(drawn);
  const out = [];
  routes.forEach((r, ri) => {
    const parts = drawnAll[ri];
    if (distance(meghri, parts) >= 3) return;  // not on the Meghri stretch at this zoom
    // of this route's own pixels 12-60 px from Meghri (clear of markers), the one farthest from every other route
    let pick = null;
    parts.forEach(pts => { for (let i = 1; i < pts.length; i++) {
      const len = pts[i].distanceTo(pts[i - 1]);
      for (let s = 0; s < len; s += 1) {
        // a mouse event lands on whole pixels: judge the pixel the click will really hit
        const on = pts[i - 1].add(pts[i].subtract(pts[i - 1]).multiplyBy(s / len));
        const q = L.point(Math.round(box.left + on.x) - box.left, Math.round(box.top + on.y) - box.top);
        const d = q.distanceTo(meghri);
        if (d < 12 || d > 60 || markers.some(m => m.distanceTo(q) < 12)) continue;
        const top = document.elementFromPoint(box.left + q.x, box.top + q.y);
        if (!top || !top.closest('.leaflet-atlas-hit-pane')) continue;
        const margin = Math.min(...drawnAll.filter((_, oi) => oi !== ri).map(o => distance(q, o)));
        if (!pick || margin > pick.margin) pick = {x: box.left + q.x, y: box.top + q.y, margin: margin};
      }
    } });
    out.push({id: r.p.id, name: r.p.name, offset: r.p.offset || 0, at: pick});
  });
  return out;
}"""


def test_shared_track__routes_along_meghri_each_drawn_apart_and_clickable(chromium, built_site):
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri(), *DESKTOP)
    try:
        # clicks on neighbouring pixels within half a second are a double click: no zooming in between
        page.evaluate("() => { window.__home = [atlas.map.getCenter(), atlas.map.getZoom()]; atlas.map.doubleClickZoom.disable(); }")
        shared = page.evaluate(SHARED_AT_MEGHRI)
        assert len(shared) >= 3, shared  # the Soviet railway, the Zangezur corridor, TRIPP, the Aras road
        assert len({s["offset"] for s in shared}) == len(shared), shared  # each at its own offset
        for name in [s["name"] for s in shared]:
            # an opened popup pans the map: back to the first view, then find this route's pixel again
            page.evaluate("() => { atlas.map.closePopup(); atlas.map.setView(__home[0], __home[1], {animate: false}); }")
            page.wait_for_timeout(250)  # the closed popup fades out
            route = next(s for s in page.evaluate(SHARED_AT_MEGHRI) if s["name"] == name)
            # a pixel of its own: every other route's centre line at least 2 px away. Not more: TRIPP is
            # schematic (straight from Zangilan to Meghri to Ordubad) and weaves across the traced
            # railway it shares the strip with, so no offset keeps it a full line width clear everywhere
            assert route["at"] and route["at"]["margin"] >= 2, f"no pixel of its own for {name} near Meghri: {route['at']}"
            page.mouse.click(route["at"]["x"], route["at"]["y"])
            page.wait_for_selector(".leaflet-popup-content h3", timeout=10000)
            titles = page.locator(".leaflet-popup-content h3").all_text_contents()
            assert titles == [name], (route, titles)
    finally:
        page.context.close()


# --- the offsets themselves (shared_track.py), on synthetic lines -------------------------------

def test_line_offsets__three_lines_on_one_track_get_three_sides_and_a_neighbour_keeps_its_side():
    from shapely.geometry import LineString

    from corridor_atlas.shared_track import OFFSET_STEP_PX, line_offsets

    track = [(45.0, 39.0), (45.5, 39.0), (46.0, 39.0)]  # due east
    lines = {
        "a": LineString(track),
        "b": LineString(track[:2]),
        "c": LineString(track[::-1]),  # the same track drawn westward
        "south": LineString([(x, y - 0.001) for x, y in track]),  # ~110 m south: beside it, not on it
        "crossing": LineString([(45.25, 38.5), (45.25, 39.5)]),
        "alone": LineString([(44.0, 41.0), (44.5, 41.0)]),
    }
    offsets = line_offsets(lines)
    assert "crossing" not in offsets and "alone" not in offsets  # a crossing is not a shared track
    # positions across the track, all seen in the eastward frame (a westward line's right is north)
    across = {k: offsets.get(k, 0.0) * (-1 if k == "c" else 1) for k in ("a", "b", "c", "south")}
    assert len(set(across.values())) == 4, offsets
    assert all(v % OFFSET_STEP_PX == 0 for v in across.values())
    # right of an eastward line is south: the southern line is drawn south of those it runs beside
    assert across["south"] > max(across[k] for k in ("a", "c")), offsets
