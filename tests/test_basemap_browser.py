"""The basemap looks finished at every zoom and on every screen (issue 11), and the locator inset.

For every map, at four viewports, at the default view and at every allowed zoom panned to
each corner of the bounds, the corners and edge midpoints of the map must show land where
the world has land and sea where it has sea: never "nothing" where the land's data ended.

Expected answer: Natural Earth land (data/base countries.geojson in the region, world.geojson
beyond it) less the seas and lakes of water.geojson. Drawn answer: the page's own basemap
polygons (its payload, decoded as atlas.js does). A point is compared only where the
drawn and the expected coastline cannot honestly disagree: farther from the expected coast
than the drawn land may be off, which is MAX_SHIFT_PX screen pixels at the zoom it is seen
(rings simplified to two pixels, rounded to half a pixel, the detailed OSM-derived basemap
differing from Natural Earth by up to a few km, i.e. a few pixels at the zooms that show both).
"""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
import shapely
from shapely.geometry import shape

from corridor_atlas.codec import decode_polygons

from .browser import browser, open_page
from .real_site import MAP_IDS, REPO, built_site  # noqa: F401  (fixture)

VIEWPORTS = [(1280, 800), (680, 510), (375, 700), (343, 320)]
BIG_SCREEN = (2560, 1440)  # larger than the land is drawn for: the page starts deeper
MAX_SHIFT_PX = 8
BASE = REPO / "data" / "base"

SAMPLE_JS = """
() => {
  const m = atlas.map, out = [];
  const s = m.getSize();
  const spots = [[1, 1], [s.x / 2, 1], [s.x - 2, 1], [1, s.y / 2], [s.x - 2, s.y / 2],
                 [1, s.y - 2], [s.x / 2, s.y - 2], [s.x - 2, s.y - 2]];
  function sample(where) {
    spots.forEach(p => { const ll = m.containerPointToLatLng(p); out.push([where, m.getZoom(), ll.lat, ll.lng]); });
  }
  sample("default view");
  for (let z = m.getMinZoom(); z <= m.getMaxZoom(); z++) {
    m.setZoom(z, {animate: false});
    sample("centred");
    for (const [dx, dy] of [[-1e5, -1e5], [1e5, -1e5], [-1e5, 1e5], [1e5, 1e5]]) {
      m.panBy([dx, dy], {animate: false});
      sample("panned " + dx + "," + dy);
    }
  }
  return out;
}
"""


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def _polygons(name: str) -> list:
    data = json.loads((BASE / name).read_text(encoding="utf-8"))
    return [shape(f["geometry"]) for f in data["features"]]


@lru_cache(maxsize=None)
def world() -> tuple:
    """(land, water, OSM-derived land, coasts) as STRtrees: the expected geography.

    The OSM-derived countries-detail is real geography too (and the one drawn where a map
    fits its box): its coasts and lake shores count as coasts, and where it and Natural
    Earth disagree on a point, the point is not judged."""
    land = [p for g in _polygons("countries.geojson") + _polygons("world.geojson") for p in shapely.get_parts(g)]
    water = [p for g in _polygons("water.geojson") for p in shapely.get_parts(g)]
    detail = [p for g in _polygons("countries-detail.geojson") for p in shapely.get_parts(g)]
    coasts = [p.boundary for p in land + water + detail]
    return shapely.STRtree(land), shapely.STRtree(water), shapely.STRtree(detail), shapely.STRtree(coasts)


@lru_cache(maxsize=None)
def detail_box():
    return shapely.box(*shapely.total_bounds(_polygons("countries-detail.geojson")))


def inside(tree: shapely.STRtree, points) -> set[int]:
    hits = tree.query(points, predicate="within")
    return set(int(i) for i in hits[0])


def degrees_per_px(zoom: int) -> float:
    return 360.0 / (256 * 2**zoom)


def check_samples(samples: list, drawn_polygons: list, label: str) -> list[str]:
    land_tree, water_tree, detail_tree, coast_tree = world()
    points = shapely.points([(lon, lat) for _, _, lat, lon in samples])
    expected_land = inside(land_tree, points) - inside(water_tree, points)
    in_detail_box = {i for i, p in enumerate(points) if detail_box().contains(p)}
    osm_land = inside(detail_tree, points)
    sources_disagree = {i for i in in_detail_box if (i in osm_land) != (i in expected_land)}
    drawn = inside(shapely.STRtree(drawn_polygons), points)
    _, distances = coast_tree.query_nearest(points, return_distance=True, all_matches=False)
    problems = []
    for i, (where, zoom, lat, lon) in enumerate(samples):
        if distances[i] <= MAX_SHIFT_PX * degrees_per_px(zoom) or i in sources_disagree:
            continue  # the drawn coast may honestly be on either side of this point
        if (i in drawn) != (i in expected_land):
            problems.append(f"{label} zoom {zoom} {where}: ({lat:.3f}, {lon:.3f}) drawn "
                            f"{'land' if i in drawn else 'nothing'}, the world has {'land' if i in expected_land else 'sea'}")
    return problems


def drawn_land(page) -> list:
    countries, decimals = page.evaluate("[atlas.data.countries, atlas.data.decimals]")
    return [p for c in countries for p in shapely.get_parts(shape(decode_polygons(c["q"], decimals)))]


@pytest.mark.parametrize("map_id", MAP_IDS)
def test_land__every_corner_at_every_zoom_and_screen_shows_what_the_world_has(chromium, built_site, map_id):
    problems, counted = [], 0
    for width, height in VIEWPORTS:
        page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), width, height)
        try:
            samples = page.evaluate(SAMPLE_JS)
            counted += len(samples)
            problems += check_samples(samples, drawn_land(page), f"{width}x{height}")
            assert log.page_errors == []
        finally:
            page.context.close()
    assert counted > 200
    assert problems == [], f"{len(problems)} of {counted} samples:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("map_id", MAP_IDS)
def test_land__a_screen_larger_than_the_land_starts_deeper_and_never_sees_its_edge(chromium, built_site, map_id):
    page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), *BIG_SCREEN)
    try:
        samples = page.evaluate(SAMPLE_JS)
        land_bounds = page.evaluate("atlas.data.view.landBounds")
        (south, west), (north, east) = land_bounds
        outside = [s for s in samples if not (south <= s[2] <= north and west <= s[3] <= east)]
        assert outside == []
        assert page.evaluate("atlas.map.getMinZoom()") >= page.evaluate("atlas.data.view.minZoom")
    finally:
        page.context.close()


RING_SIZES_JS = """
() => {
  // the rings on the basemap's canvas at this zoom (basemap.js drawnRings), measured again here
  // from the payload: Web Mercator pixels at the current zoom, unrounded, as the canvas draws them
  const m = atlas.map, countries = atlas.data.countries;
  let rings = 0, small = 0;
  atlas.basemap.drawnRings.forEach(([c, p, r]) => {
    const xy = countries[c].q[p][r].map(([lon, lat]) => m.project(L.latLng(lat, lon)));
    let a = 0;
    for (let i = 0, j = xy.length - 1; i < xy.length; j = i++) a += (xy[j].x + xy[i].x) * (xy[j].y - xy[i].y);
    rings += 1;
    if (Math.abs(a / 2) < 4) small += 1;
  });
  return [rings, small];
}
"""


@pytest.mark.parametrize("map_id", MAP_IDS)
def test_specks__no_ring_under_two_by_two_pixels_is_drawn_at_the_minimum_zoom(chromium, built_site, map_id):
    """Lake holes and islets that would draw as dots (a dotted line reads as a proposed route)."""
    page, _ = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), 1280, 800)
    try:
        page.evaluate("() => atlas.map.setZoom(atlas.map.getMinZoom(), {animate: false})")
        rings, small = page.evaluate(RING_SIZES_JS)
        assert rings > 10
        assert small == 0
    finally:
        page.context.close()


# --- locator inset ------------------------------------------------------------------------

def declares_locator(map_id: str) -> bool:
    import tomllib

    return tomllib.loads((REPO / "maps" / f"{map_id}.toml").read_text(encoding="utf-8")).get("locator", False)


def test_locator__declared_on_nakhchivan():
    assert declares_locator("nakhchivan")


@pytest.mark.parametrize("map_id", MAP_IDS)
def test_locator__present_where_declared_with_the_view_box_inside(chromium, built_site, map_id):
    page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), 1280, 800)
    try:
        count = page.locator(".atlas-locator").count()
        if not declares_locator(map_id):
            assert count == 0
            return
        assert count == 1
        assert page.locator(".atlas-locator").is_visible()
        inset = page.evaluate("""() => {
          const svg = document.querySelector('.atlas-locator svg'), box = svg.querySelector('.atlas-locator-view');
          const n = k => parseFloat(box.getAttribute(k));
          return {w: parseFloat(svg.getAttribute('width')), h: parseFloat(svg.getAttribute('height')),
                  x: n('x'), y: n('y'), bw: n('width'), bh: n('height'),
                  land: svg.querySelector('.atlas-locator-land').getAttribute('d').length};
        }""")
        assert inset["land"] > 100
        assert 0 <= inset["x"] and inset["x"] + inset["bw"] <= inset["w"]
        assert 0 <= inset["y"] and inset["y"] + inset["bh"] <= inset["h"]
        assert inset["bw"] < inset["w"] / 2  # the map's view is a small part of the region shown
        # the box follows the reader: zooming in makes it smaller
        page.evaluate("() => atlas.map.setZoom(atlas.map.getMaxZoom(), {animate: false})")
        smaller = page.evaluate("parseFloat(document.querySelector('.atlas-locator-view').getAttribute('width'))")
        assert smaller < inset["bw"]
        assert log.page_errors == []
    finally:
        page.context.close()


COVERED_JS = """
() => {
  const inset = document.querySelector('.atlas-locator');
  if (!inset) return null;
  const r = inset.getBoundingClientRect();
  if (r.width === 0 || getComputedStyle(inset).display === 'none') return [];
  inset.style.visibility = 'hidden';
  const under = [];
  for (let x = r.left + 2; x < r.right; x += 6) {
    for (let y = r.top + 2; y < r.bottom; y += 6) {
      const e = document.elementFromPoint(x, y);
      if (e && e.closest('.leaflet-overlay-pane, .leaflet-atlas-hit-pane, .leaflet-marker-pane, .leaflet-tooltip-pane')) under.push([x, y]);
    }
  }
  inset.style.visibility = '';
  return under;
}
"""


@pytest.mark.parametrize("size", [(343, 320), (375, 700), (680, 510), (1280, 800)])
def test_locator__covers_no_route_place_or_label(chromium, built_site, size):
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri(), *size)
    try:
        covered = page.evaluate(COVERED_JS)
        assert covered is not None
        assert covered == [], f"routes or places under the locator at {size}: {covered[:5]}"
        if size[0] <= 760:
            assert not page.locator(".atlas-locator").is_visible()  # compact layout: left out
    finally:
        page.context.close()
