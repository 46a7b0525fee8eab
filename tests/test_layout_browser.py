"""Compact layout for embeds (issue 11), measured in the browser at the sizes readers see.

Page furniture = the title bar, the legend, the layer control, the credits (attribution and its
(i) toggle), the zoom buttons and the scale bar. Its cover of the map is the area of the union of
those elements' bounding boxes, intersected with the map container, over the container's area.

One Chromium for the module; each test opens its own page. Headless Debian Chromium, never skipped.
"""

from __future__ import annotations

import pytest

from .browser import browser, open_page
from .real_site import MAP_IDS, built_site  # noqa: F401  (fixture)

SIZES = [(1280, 800), (680, 510), (375, 700), (343, 320)]
EMBED = (680, 510)
SMALL_PHONE = (343, 320)
POPUP_SIZES = [(375, 700), (343, 320)]
MIN_UNOBSCURED_AT_EMBED = 0.75
ROUTE_SAMPLE_PX = 3  # a route is checked every 3 px along its drawn (clipped) path
PLACE_MARKER_HALF_PX = 5  # a place marker's dot is drawn 8–14 px wide around its point

FURNITURE = ("header.atlas-title, .atlas-legend, .leaflet-control-layers, .leaflet-control-attribution, "
             ".atlas-credits-toggle, .atlas-credit-line, .leaflet-control-zoom, .leaflet-control-scale, .atlas-time, .atlas-locator")

# Boxes (client coordinates) of the furniture that is drawn, and the map container's box.
BOXES_JS = """(sel) => {
  const shown = e => { const s = getComputedStyle(e), r = e.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  const box = r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  return {
    map: box(atlas.map.getContainer().getBoundingClientRect()),
    furniture: [...document.querySelectorAll(sel)].filter(shown).map(e =>
      Object.assign(box(e.getBoundingClientRect()), {name: e.className.split(' ')[0] || e.tagName})),
  };
}"""

# What must stay uncovered, in client coordinates:
# - routes: every line drawn on the map (visible layers, polygons excluded), sampled every `step` px
#   along the path Leaflet actually drew (its clipped `_parts`), points outside the map box dropped;
# - labelled places: point markers whose permanent label is shown (not hidden by decluttering), as the
#   square of `half` px around the point plus the label's own box;
# - callouts that are shown, as their boxes.
TARGETS_JS = """([step, half]) => {
  const map = atlas.map, origin = map.getContainer().getBoundingClientRect();
  const routes = [], places = [];
  Object.values(atlas.layers).forEach(g => { if (map.hasLayer(g)) g.eachLayer(l => {
    const name = l.feature && l.feature.properties.name;
    if (l instanceof L.Polyline && !(l instanceof L.Polygon) && l._parts) {
      const points = [];
      l._parts.forEach(part => { for (let i = 1; i < part.length; i++) {
        const a = map.layerPointToContainerPoint(part[i - 1]), b = map.layerPointToContainerPoint(part[i]);
        const n = Math.max(1, Math.ceil(a.distanceTo(b) / step));
        for (let k = 0; k <= n; k++) {
          const x = origin.left + a.x + (b.x - a.x) * k / n, y = origin.top + a.y + (b.y - a.y) * k / n;
          if (x >= origin.left && x <= origin.right && y >= origin.top && y <= origin.bottom) points.push([x, y]);
        }
      } });
      routes.push({name, points});
    }
    if (l instanceof L.Marker && l.getTooltip() && l.getTooltip().options.permanent) {
      const label = l.getTooltip().getElement();
      if (!label || label.style.visibility === 'hidden') return;
      const p = map.latLngToContainerPoint(l.getLatLng());
      const x = origin.left + p.x, y = origin.top + p.y;
      if (x < origin.left || x > origin.right || y < origin.top || y > origin.bottom) return;
      const r = label.getBoundingClientRect();
      places.push({name, boxes: [{left: x - half, top: y - half, right: x + half, bottom: y + half},
                                  {left: r.left, top: r.top, right: r.right, bottom: r.bottom}]});
    }
  }); });
  const callouts = [...document.querySelectorAll('.leaflet-tooltip.atlas-callout')]
    .filter(e => e.style.visibility !== 'hidden')
    .map(e => { const r = e.getBoundingClientRect();
      return {name: e.textContent, boxes: [{left: r.left, top: r.top, right: r.right, bottom: r.bottom}]}; });
  return {routes, places, callouts};
}"""


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def clip(box: dict, frame: dict) -> dict | None:
    left, top = max(box["left"], frame["left"]), max(box["top"], frame["top"])
    right, bottom = min(box["right"], frame["right"]), min(box["bottom"], frame["bottom"])
    return {"left": left, "top": top, "right": right, "bottom": bottom} if right > left and bottom > top else None


def union_area(boxes: list[dict]) -> float:
    """Exact area of a union of rectangles, on the grid of their edges."""
    xs = sorted({b[k] for b in boxes for k in ("left", "right")})
    ys = sorted({b[k] for b in boxes for k in ("top", "bottom")})
    area = 0.0
    for x0, x1 in zip(xs, xs[1:]):
        for y0, y1 in zip(ys, ys[1:]):
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if any(b["left"] <= cx <= b["right"] and b["top"] <= cy <= b["bottom"] for b in boxes):
                area += (x1 - x0) * (y1 - y0)
    return area


def covered_share(boxes: dict) -> float:
    frame = boxes["map"]
    inside = [c for c in (clip(b, frame) for b in boxes["furniture"]) if c]
    return union_area(inside) / ((frame["right"] - frame["left"]) * (frame["bottom"] - frame["top"]))


def overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def covered_targets(boxes: dict, targets: dict) -> list[str]:
    """Names of routes, labelled places and callouts that some furniture box covers, with the box:
    the part of the box on the map (a bar above or below the map covers nothing on it)."""
    found = []
    for whole in boxes["furniture"]:
        furniture = clip(whole, boxes["map"])
        if furniture is None:
            continue
        furniture["name"] = whole["name"]
        for route in targets["routes"]:
            hits = [p for p in route["points"]
                    if furniture["left"] <= p[0] <= furniture["right"] and furniture["top"] <= p[1] <= furniture["bottom"]]
            if hits:
                found.append(f"route {route['name']} under {furniture['name']} ({len(hits)} points)")
        for kind in ("places", "callouts"):
            for target in targets[kind]:
                if any(overlaps(furniture, b) for b in target["boxes"]):
                    found.append(f"{kind[:-1]} {target['name']!r} under {furniture['name']}")
    return found


@pytest.mark.parametrize("width,height", SIZES)
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_furniture__share_of_the_map_it_covers_and_what_it_hides(chromium, built_site, map_id, width, height):
    page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), width, height)
    try:
        page.wait_for_timeout(100)
        boxes = page.evaluate(BOXES_JS, FURNITURE)
        share = covered_share(boxes)
        hidden = covered_targets(boxes, page.evaluate(TARGETS_JS, [ROUTE_SAMPLE_PX, PLACE_MARKER_HALF_PX]))
        print(f"{map_id} {width}x{height}: {1 - share:.1%} of the map unobscured; covered: {hidden or 'nothing'}")
        assert log.page_errors == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if (width, height) == EMBED:
            assert 1 - share >= MIN_UNOBSCURED_AT_EMBED, f"{map_id}: furniture covers {share:.1%} of the map"
        if (width, height) == SMALL_PHONE:
            assert hidden == []
        if width > 760:  # the wide page's default view moves the bounds clear of the open legend
            assert [h for h in hidden if "under atlas-legend" in h] == []
            # and no labelled place sits under the title block, the legend or the (one-line) credits
            assert [h for h in hidden if h.startswith("place ")
                    and any(h.endswith(f"under {name}") for name in ("atlas-title", "atlas-legend", "leaflet-control-attribution"))] == []
    finally:
        page.context.close()


@pytest.mark.parametrize("width,height", [EMBED, SMALL_PHONE])
def test_compact_layout__title_bar_above_the_map_and_furniture_folded(chromium, built_site, width, height):
    page, _ = open_page(chromium, (built_site / "nakhchivan.html").as_uri(), width, height)
    try:
        bar_bottom, map_top = page.evaluate("[document.querySelector('.atlas-bar').getBoundingClientRect().bottom,"
                                            " atlas.map.getContainer().getBoundingClientRect().top]")
        assert map_top >= bar_bottom  # the map starts under the title bar
        assert page.evaluate("document.querySelector('.atlas-legend').open") is False
        assert page.evaluate("!!document.querySelector('.atlas-bar .leaflet-control-layers:not(.leaflet-control-layers-expanded)')")
        assert not page.locator(".leaflet-control-attribution").is_visible()
        # the (i) shows the credits and hides them again
        page.click(".atlas-credits-toggle")
        assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
        page.click(".atlas-credits-toggle")
        assert not page.locator(".leaflet-control-attribution").is_visible()
        # the legend opens as a sheet that fits the screen; its summary (on the sheet) closes it
        page.click(".atlas-legend summary")
        sheet = page.locator(".atlas-legend").bounding_box()
        assert sheet["x"] >= 0 and sheet["y"] >= 0
        assert sheet["x"] + sheet["width"] <= width and sheet["y"] + sheet["height"] <= height
        page.click(".atlas-legend summary")
        assert page.evaluate("document.querySelector('.atlas-legend').open") is False
    finally:
        page.context.close()


# Opens every route's popup without panning and returns the route with the tallest content.
TALLEST_POPUP_JS = """() => {
  let best = null, bestHeight = -1;
  Object.values(atlas.layers).forEach(g => { if (atlas.map.hasLayer(g)) g.eachLayer(l => {
    if (!(l instanceof L.Polyline) || !l.getPopup()) return;
    l.getPopup().options.autoPan = false;
    l.openPopup();
    const h = l.getPopup().getElement().querySelector('.leaflet-popup-content').scrollHeight;
    l.closePopup();
    l.getPopup().options.autoPan = true;
    if (h > bestHeight) { bestHeight = h; best = l.feature.properties.id; }
  }); });
  return best;
}"""

# Opens that route's popup as a reader would (with the pan that brings it into view) once the pan is over.
OPEN_POPUP_JS = """(id) => new Promise(resolve => {
  let layer = null;
  Object.values(atlas.layers).forEach(g => g.eachLayer(l => { if (l.feature && l.feature.properties.id === id && l.getPopup()) layer = l; }));
  atlas.map.once('popupopen', () => setTimeout(resolve, 600));
  layer.openPopup();
})"""

POPUP_BOXES_JS = """() => {
  const popup = document.querySelector('.leaflet-popup'), close = popup.querySelector('.leaflet-popup-close-button');
  const content = popup.querySelector('.leaflet-popup-content');
  const b = e => { const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const c = b(close), x = (c.left + c.right) / 2, y = (c.top + c.bottom) / 2;
  return {popup: b(popup.querySelector('.leaflet-popup-content-wrapper')), close: c,
          closeOnTop: close.contains(document.elementFromPoint(x, y)), onTop: document.elementFromPoint(x, y).outerHTML.slice(0, 120),
          scrolls: content.scrollHeight > content.clientHeight, sideways: content.scrollWidth > content.clientWidth + 1, overflowY: getComputedStyle(content).overflowY};
}"""


@pytest.mark.parametrize("width,height", POPUP_SIZES)
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_popup__fits_the_phone_screen_with_its_close_button(chromium, built_site, map_id, width, height):
    page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), width, height)
    try:
        route = page.evaluate(TALLEST_POPUP_JS)
        page.evaluate(OPEN_POPUP_JS, route)
        boxes = page.evaluate(POPUP_BOXES_JS)
        screen = {"left": 0, "top": 0, "right": width, "bottom": height}
        print(f"{map_id} {width}x{height}: tallest popup ({route}) {boxes['popup']}, scrolls inside: {boxes['scrolls']}")
        for name in ("popup", "close"):
            assert clip(boxes[name], screen) == boxes[name], f"{map_id}: {name} {boxes[name]} outside {width}x{height}"
        assert boxes["closeOnTop"], f"{map_id}: the close button is under {boxes['onTop']}"
        furniture = page.evaluate(BOXES_JS, FURNITURE)["furniture"]
        assert [f["name"] for f in furniture if overlaps(f, boxes["popup"])] == []  # no button over the popup
        assert not boxes["sideways"], f"{map_id}: the popup's text is cut at its right edge"
        if boxes["scrolls"]:
            assert boxes["overflowY"] in ("auto", "scroll")
        assert log.page_errors == []
    finally:
        page.context.close()


def test_compact_layout__follows_the_page_across_the_breakpoint(chromium, built_site):
    page, log = open_page(chromium, (built_site / "overview.html").as_uri(), 1280, 800)
    in_bar = "!!document.querySelector('.atlas-bar .leaflet-control-layers')"
    try:
        assert page.evaluate(in_bar) is False
        page.set_viewport_size({"width": 680, "height": 510})
        page.wait_for_timeout(100)
        assert page.evaluate(in_bar) is True
        assert page.evaluate("document.querySelector('.atlas-legend').open") is False
        page.set_viewport_size({"width": 1280, "height": 800})
        page.wait_for_timeout(100)
        assert page.evaluate("!!document.querySelector('.leaflet-top.leaflet-right .leaflet-control-layers-expanded')")
        assert page.evaluate("document.querySelector('.atlas-legend').open") is True
        assert log.page_errors == []
    finally:
        page.context.close()


# Where each credit a licence asks for sits in the one-line credits strip, and the strip's box
# (client px): a credit the ellipsis cuts ends past the strip's right edge (less the ellipsis).
CREDIT_SPANS_JS = """(needles) => {
  const strip = document.querySelector('.leaflet-control-attribution'), box = strip.getBoundingClientRect();
  const walker = document.createTreeWalker(strip, NodeFilter.SHOW_TEXT), found = {};
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    needles.forEach(n => { const at = node.data.indexOf(n); if (at < 0 || found[n]) return;
      const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + n.length);
      found[n] = range.getBoundingClientRect().right; });
  }
  return {right: box.right, text: strip.textContent, found};
}"""
REQUIRED_CREDITS = ("© OpenStreetMap contributors (ODbL)", "GeoNames (CC BY 4.0)")
ELLIPSIS_PX = 12


@pytest.mark.parametrize("map_id", MAP_IDS)
def test_credits__every_credit_a_licence_asks_for_shows_on_the_wide_pages_one_line(chromium, built_site, map_id):
    """The wide page's credits are one line cut with an ellipsis, whole on hover (atlas.css): the
    credits OpenStreetMap's ODbL and GeoNames' CC BY ask for are inside the part shown
    (prepare.by_licence_duty; on the nakhchivan and karabakh maps GeoNames' was cut)."""
    page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), 1280, 800)
    try:
        seen = page.evaluate(CREDIT_SPANS_JS, list(REQUIRED_CREDITS))
    finally:
        page.context.close()
    needed = [n for n in REQUIRED_CREDITS if n in seen["text"]]
    assert needed, seen["text"]  # every map credits at least one of them
    assert {n: seen["found"][n] <= seen["right"] - ELLIPSIS_PX for n in needed} == {n: True for n in needed}, seen


CREDIT_LINE_JS = """() => {
  const line = document.querySelector('.atlas-credit-line'), map = atlas.map.getContainer().getBoundingClientRect();
  const shown = line && getComputedStyle(line).display !== 'none';
  const r = line ? line.getBoundingClientRect() : null;
  return {shown, text: line ? line.textContent : null, top: r && r.top, bottom: r && r.bottom, mapBottom: map.bottom,
          cut: line ? line.scrollWidth > line.clientWidth : null, attribution: atlas.data.attribution,
          viewport: window.innerHeight};
}"""


@pytest.mark.parametrize("width,height", SIZES)
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_credits__a_compact_page_shows_what_the_licences_ask_for_under_its_map(chromium, built_site, map_id, width, height):
    """OpenStreetMap asks for its credit where a reader sees the map, without a click: a compact
    page (phones, an article column) keeps the full list behind its (i) but shows the licences'
    credits, whole, on a line of its own under the map, covering nothing (credits.credit_line); a
    wide page has its strip."""
    page, log = open_page(chromium, (built_site / f"{map_id}.html").as_uri(), width, height)
    try:
        seen = page.evaluate(CREDIT_LINE_JS)
    finally:
        page.context.close()
    assert log.page_errors == []
    if width > 760:
        assert seen["shown"] is False
        return
    assert seen["shown"] and not seen["cut"], seen
    assert abs(seen["top"] - seen["mapBottom"]) < 1 and seen["bottom"] <= seen["viewport"] + 0.5, seen  # right under the map, on screen
    credits = " ".join(seen["attribution"])
    for needle in ("© OpenStreetMap contributors (ODbL)", "GeoNames (CC BY 4.0)"):
        assert (needle in seen["text"]) is (needle in credits), (needle, seen["text"])
