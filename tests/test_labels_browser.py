"""Labels and callouts on the built pages (issue 11), measured in Chromium at the reference
screens: callouts cover neither a place marker nor their own line, no two labels overlap,
sea and lake names lie on water.

One Chromium for the module; each test opens its own page. Headless Debian Chromium, never skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point, box

from corridor_atlas.placement import water_polygons

from .browser import browser, open_page, within
from .real_site import MAP_IDS, REPO, built_site  # noqa: F401  (fixture)

SCREENS = [(1280, 800), (680, 510)]
SIZES = SCREENS + [(375, 700), (343, 320)]  # the phones too: one page load per map and size, in `scenes`
MARKER_HALF_PX = 5  # a place marker's dot is drawn 8–14 px wide around its point
SLACK_PX = 1  # sub-pixel rounding of the boxes the browser reports

# In client pixels: each shown callout's box and the points of its own line (every 3 px);
# the shown place markers; every shown label's and callout's box; each sea label's corners
# and centre as lat/lon.
SCENE_JS = """() => {
  const map = atlas.map, origin = map.getContainer().getBoundingClientRect();
  const box = r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  const shown = e => e.style.visibility !== 'hidden' && getComputedStyle(e).display !== 'none';
  const linePoints = id => { const pts = [];
    Object.values(atlas.layers).forEach(g => { if (map.hasLayer(g)) g.eachLayer(l => {
      if (!l.feature || l.feature.properties.id !== id || !l._parts) return;
      l._parts.forEach(part => { for (let i = 1; i < part.length; i++) {
        const a = part[i - 1], b = part[i], n = Math.max(1, Math.ceil(a.distanceTo(b) / 3));
        for (let k = 0; k <= n; k++) { const p = map.layerPointToContainerPoint(L.point(a.x + (b.x - a.x) * k / n, a.y + (b.y - a.y) * k / n));
          pts.push([origin.left + p.x, origin.top + p.y]); } } });
    }); });
    return pts; };
  const texts = [...document.querySelectorAll('.leaflet-tooltip.atlas-callout')];
  const callouts = atlas.data.callouts.map((c, i) => ({at: c.at, text: c.text, box: box(texts[i].getBoundingClientRect()),
                                                        shown: shown(texts[i]), line: linePoints(c.at)}));
  const markers = [];
  Object.values(atlas.layers).forEach(g => { if (map.hasLayer(g)) g.eachLayer(l => {
    if (!(l instanceof L.Marker)) return;
    const p = map.latLngToContainerPoint(l.getLatLng());
    markers.push({name: l.feature.properties.name, x: origin.left + p.x, y: origin.top + p.y});
  }); });
  const labels = [...document.querySelectorAll('.leaflet-tooltip.atlas-label, .leaflet-tooltip.atlas-callout')]
    .filter(shown).map(e => Object.assign(box(e.getBoundingClientRect()), {name: e.textContent,
                                                                          callout: e.classList.contains('atlas-callout')}));
  const seas = [...document.querySelectorAll('.leaflet-tooltip.atlas-sea-label')].filter(shown).map(e => {
    const r = e.getBoundingClientRect();
    return {name: e.textContent, points: [[r.left, r.top], [r.right, r.top], [r.left, r.bottom], [r.right, r.bottom],
      [(r.left + r.right) / 2, (r.top + r.bottom) / 2]].map(([x, y]) => {
        const ll = map.containerPointToLatLng([x - origin.left, y - origin.top]); return [ll.lng, ll.lat]; })};
  });
  // each callout's anchor and, standing off its line, the far end of its leader (atlas.css ::after)
  const leaders = atlas.callouts.getLayers().map(tip => {
    const e = tip.getElement(), r = e.getBoundingClientRect(), a = map.latLngToContainerPoint(tip.getLatLng());
    const style = getComputedStyle(e), length = parseFloat(style.getPropertyValue('--atlas-leader-length'));
    const angle = parseFloat(style.getPropertyValue('--atlas-leader-angle'));
    const side = ['top', 'bottom', 'left', 'right'].find(s => e.classList.contains('leaflet-tooltip-' + s));
    const start = {top: [(r.left + r.right) / 2, r.bottom], bottom: [(r.left + r.right) / 2, r.top],
                   left: [r.right, (r.top + r.bottom) / 2], right: [r.left, (r.top + r.bottom) / 2]}[side];
    return {text: e.textContent, anchor: [origin.left + a.x, origin.top + a.y], leader: e.classList.contains('atlas-callout-leader'),
            end: isNaN(length) ? null : [start[0] + length * Math.cos(angle), start[1] + length * Math.sin(angle)],
            width: r.width};
  });
  const control = s => box(map.getContainer().querySelector(s).getBoundingClientRect());
  const controls = {zoom: control('.leaflet-control-zoom'), scale: control('.leaflet-control-scale'),
                    timeControl: !!document.querySelector('.atlas-time')};
  const time = map.getContainer().querySelector('.atlas-time');  // on the map on a wide page only
  return {frame: box(origin), callouts, markers, labels, seas, leaders, controls, time: time ? box(time.getBoundingClientRect()) : null};
}"""


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.fixture(scope="module")
def water():
    return shapely.union_all([geom for _, geom in water_polygons(REPO / "data" / "base")])


def inner(b: dict, by: float = SLACK_PX):
    return box(b["left"] + by, b["top"] + by, b["right"] - by, b["bottom"] - by)


@pytest.fixture(scope="module")
def scenes(chromium, built_site):
    out = {}
    for map_id in MAP_IDS:
        for width, height in SIZES:
            page, log = open_page(chromium, (Path(built_site) / f"{map_id}.html").as_uri(), width, height)
            try:
                page.wait_for_timeout(100)
                out[map_id, width] = page.evaluate(SCENE_JS)
                assert log.page_errors == []
            finally:
                page.context.close()
    return out


@pytest.mark.parametrize("width", [w for w, _ in SCREENS])
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_callouts__cover_no_place_marker_and_not_their_own_line(scenes, map_id, width):
    scene = scenes[map_id, width]
    for callout in scene["callouts"]:
        assert callout["shown"], f"{map_id} {width}: callout {callout['text']!r} hidden"
        body = inner(callout["box"])
        under = [m["name"] for m in scene["markers"]
                 if body.intersects(Point(m["x"], m["y"]).buffer(MARKER_HALF_PX, cap_style="square"))]
        assert under == [], f"{map_id} {width}: callout {callout['text']!r} covers {under}"
        own = [p for p in callout["line"] if body.contains(Point(p))]
        assert own == [], f"{map_id} {width}: callout {callout['text']!r} covers its own line at {own[:3]}"


@pytest.mark.parametrize("width", [w for w, _ in SIZES])
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_callouts__whole_on_the_map_at_every_size(scenes, map_id, width):
    """No callout is cut by the map's edge, on a phone either: where no spot beside its line is
    whole on the map, the build stands it off with a leader (placement._with_leader)."""
    frame = scenes[map_id, width]["frame"]
    cut = [(c["text"][:30], {k: round(v) for k, v in c["box"].items()}) for c in scenes[map_id, width]["callouts"]
           if c["box"]["left"] < frame["left"] - SLACK_PX or c["box"]["right"] > frame["right"] + SLACK_PX
           or c["box"]["top"] < frame["top"] - SLACK_PX or c["box"]["bottom"] > frame["bottom"] + SLACK_PX]
    assert cut == [], f"{map_id} {width}: cut by the map's edge {frame}"


@pytest.mark.parametrize("width", [w for w, _ in SIZES])
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_callouts__a_leader_runs_from_its_box_to_its_anchor_and_no_box_is_wider_than_the_build_thought(scenes, map_id, width):
    """The build places each box from its estimated size (placement.callout_size): a wrapped text
    takes the whole max-width in the browser, so the estimate must never be narrower."""
    from corridor_atlas import placement

    max_text = placement.CALLOUT_MAX_TEXT_PX if width > placement.PHONE_MAX_PX else placement.PHONE_CALLOUT_MAX_TEXT_PX
    for leader in scenes[map_id, width]["leaders"]:
        assert leader["width"] <= placement.callout_size(leader["text"], max_text)[0] + SLACK_PX, (map_id, width, leader["text"])
        if leader["leader"]:
            assert leader["end"] is not None and Point(leader["end"]).distance(Point(leader["anchor"])) < 1.5, (map_id, width, leader)
        else:
            assert leader["end"] is None


def test_callouts__the_phone_layouts_use_leaders_where_the_build_found_them(scenes):
    """The maps that need one today (build warnings before leaders: a callout cut at a phone's edge)."""
    assert any(leader["leader"] for leader in scenes["instc", 375]["leaders"])
    assert any(leader["leader"] for leader in scenes["instc", 343]["leaders"])


@pytest.mark.parametrize("width", [w for w, _ in SCREENS])
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_labels__no_two_shown_labels_overlap(scenes, map_id, width):
    labels = scenes[map_id, width]["labels"]
    clashes = [(a["name"], b["name"]) for i, a in enumerate(labels) for b in labels[i + 1:] if inner(a).intersects(inner(b))]
    assert clashes == []


@pytest.mark.parametrize("width", [w for w, _ in SIZES])
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_labels__none_cut_by_the_edge_of_the_map(scenes, map_id, width):
    """A place, route or sea label the map's edge would cut moves to its marker's other side or
    is hidden (atlas.js declutter). Callouts are left out: the build places them, and warns
    (placement.py) where one finds no clean place."""
    frame = scenes[map_id, width]["frame"]
    cut = [(label["name"], [round(label[k]) for k in ("left", "top", "right", "bottom")])
           for label in scenes[map_id, width]["labels"] if not label["callout"]
           and (label["left"] < frame["left"] - SLACK_PX or label["right"] > frame["right"] + SLACK_PX
                or label["top"] < frame["top"] - SLACK_PX or label["bottom"] > frame["bottom"] + SLACK_PX)]
    assert cut == [], f"{map_id} {width}: cut by the map's edge {frame}"


@pytest.mark.parametrize("width", [w for w, _ in SIZES])
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_labels__none_under_the_time_control(scenes, map_id, width):
    """Where the time control sits on the map (a wide page), no label is drawn under it (atlas.js
    declutter; placement.ALWAYS_THERE): the story's Tengiz field label was, half hidden."""
    time = scenes[map_id, width]["time"]
    if time is None:
        return
    under = [label["name"] for label in scenes[map_id, width]["labels"] if inner(label).intersects(inner(time))]
    assert under == [], f"{map_id} {width}: under the time control {time}"


@pytest.mark.parametrize("width", [w for w, _ in SIZES])
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_controls__inside_the_furniture_boxes_the_build_places_around(scenes, map_id, width):
    """The zoom buttons, the scale bar and (wide) the time control lie inside placement's boxes for
    them (placement.layout_screens): labels and callouts placed clear of those boxes are clear of
    the controls (the zoom buttons had grown 11 px past theirs)."""
    from corridor_atlas import placement

    scene = scenes[map_id, width]
    frame, controls = scene["frame"], scene["controls"]
    [screen] = [s for s in placement.layout_screens(controls["timeControl"]) if s.width == width]
    measured = {"the zoom buttons": controls["zoom"], **({"the time control": scene["time"]} if scene["time"] else {})}
    # Known gap: in the compact layouts the story's step panel takes the map's foot, by as much as its
    # text needs, and placement does not model it (the story has no callouts; its route labels are
    # decluttered on the page): there only the map's top is where placement expects it.
    if not (map_id == "story" and width <= placement.COMPACT_MAX_PX):
        assert round(frame["bottom"] - frame["top"]) == screen.height
        measured["the scale bar"] = controls["scale"]
    furniture = dict(screen.furniture)
    for what, b in measured.items():
        local = [b["left"] - frame["left"], b["top"] - frame["top"], b["right"] - frame["left"], b["bottom"] - frame["top"]]
        assert within(local, furniture[what]), (what, local, furniture[what])


def test_labels__the_time_control_is_on_the_map_of_the_wide_pages_that_have_one(scenes):
    assert all(scenes[m, 1280]["time"] is not None for m in ("karabakh", "nakhchivan", "story"))


@pytest.mark.parametrize("width", [w for w, _ in SCREENS])
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_sea_labels__lie_on_water(scenes, water, map_id, width):
    for sea in scenes[map_id, width]["seas"]:
        on_land = [p for p in sea["points"] if not water.contains(Point(p))]
        assert on_land == [], f"{map_id} {width}: {sea['name']} over land at {on_land}"


def test_sea_labels__the_seas_the_issue_names_are_labelled(scenes):
    names = {s["name"] for key, scene in scenes.items() if key[1] == 1280 for s in scene["seas"]}
    assert {"Caspian Sea", "Black Sea", "Mediterranean Sea"} <= names


COUNTRY_CLASHES_JS = """() => {
  const shown = sel => [...document.querySelectorAll(sel)].filter(n => getComputedStyle(n).visibility !== 'hidden')
    .map(n => ({name: n.textContent, r: n.getBoundingClientRect()}));
  const countries = shown('.atlas-country-label span'), others = shown('.leaflet-tooltip.atlas-callout');
  const hit = (a, b) => a.r.left < b.r.right - 1 && a.r.right > b.r.left + 1 && a.r.top < b.r.bottom - 1 && a.r.bottom > b.r.top + 1;
  const out = [];
  countries.forEach((c, i) => {
    countries.slice(i + 1).forEach(d => { if (hit(c, d)) out.push([c.name, d.name]); });
    others.forEach(o => { if (hit(c, o)) out.push([c.name, o.name]); });
  });
  return [countries.length, out];
}"""


@pytest.mark.parametrize("width,height", SCREENS)
@pytest.mark.parametrize("map_id", MAP_IDS)
def test_country_names__shown_ones_overlap_neither_each_other_nor_a_callout(chromium, built_site, map_id, width, height):
    page, log = open_page(chromium, (Path(built_site) / f"{map_id}.html").as_uri(), width, height)
    try:
        page.wait_for_timeout(100)
        shown, clashes = page.evaluate(COUNTRY_CLASHES_JS)
        assert shown >= 3 and clashes == [], (shown, clashes)
    finally:
        page.context.close()
