"""Where callouts, route labels and sea labels go, decided at build time (issue 11).

A page's script only knows pixels once it runs; the build knows the data, so it works out
what a reader sees at the default view on the reference screens (Web Mercator, as Leaflet
draws it): the zoom and centre `fitBounds` picks, every drawn line and place marker in
pixels, and each label's box estimated from the font sizes in atlas.css. Then

* each callout gets the anchor (a point on its feature) and side that covers nothing it
  must not: its own feature's line, a place marker, a key place's label, another callout,
  the page furniture, the edge of the map; candidates along the feature × 4 sides, scored;
* each route gets a short label beside it, at a point clear of places and callouts;
* each sea or lake gets an italic label where its water is widest, only at zooms where the
  label fits inside the water;
* whatever cannot be placed cleanly, and every key-place label the page's runtime
  declutter would hide at the default view, becomes a build warning (advice.Advice) that
  names the map, the label and what is in the way.

Screens: the desktop page (1280×800, the map fills it) and the compact layout of atlas.css
(680×510 less the title bar); phones use the compact layout on a narrower map (375×700, and
343×320 for a small phone or a short embed), placed for too; there a callout that cannot be
placed cleanly is a warning, labels hidden by the declutter are not (a phone shows fewer).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import LineString, Point, box, shape
from shapely.ops import polylabel

from .advice import Advice

TILE = 256
MAX_LAT = 85.0511287798


@dataclass(frozen=True)
class Screen:
    """A reference screen: the map's size in CSS pixels and the furniture drawn over it."""

    name: str  # the layout atlas.js picks by media query (layoutName): wide, compact, phone, small
    label: str  # as a reader would say it: the window size
    width: int
    height: int
    furniture: tuple[tuple[str, tuple[float, float, float, float]], ...]  # (what, (left, top, right, bottom)) in map pixels
    warn: bool = True  # a reference screen: what cannot be placed on it is a build warning


# Furniture boxes measured in Chromium on the built pages (tests/test_layout_browser.py draws
# the same elements; tests/test_labels_browser.py checks the zoom buttons and the scale bar lie
# inside these boxes, on left-to-right and, mirrored, right-to-left pages); the title and
# legend heights are the tallest of the four maps.
WIDE = Screen("wide", "1280×800", 1280, 800, (
    ("the zoom buttons", (10, 10, 44, 75)),
    ("the title block", (54, 10, 534, 180)),
    ("the legend", (10, 198, 280, 760)),
    ("the layer control", (990, 10, 1270, 155)),
    ("the credits", (502, 780, 1280, 800)),  # one line on a wide page (atlas.css), whole on hover or focus
    ("the scale bar", (5, 770, 90, 800)),
    ("the locator inset", (1110, 638, 1272, 780)),
))
COMPACT_MAX_PX = 760  # atlas.css: the compact layout below this width
LEGEND_SHIFT_PX = 140  # atlas.js clearOfTheLegend: half the open legend's width
COMPACT_BAR_PX = 33
CREDIT_LINE_PX = 13  # atlas.css .atlas-credit-line: the licences' credits on a line under a compact page's map
COMPACT_CHROME_PX = COMPACT_BAR_PX + CREDIT_LINE_PX  # a compact page's height less its map's
TIME_BAR_PX = 33  # timeline.css: the time control's bar under it, on maps with one  # atlas.css: the title bar above the map in the compact layout
# On a wide page the time control sits on the map, under the layer control (timeline.js), so as
# high as that is short: measured in Chromium on the maps that have one, from under the shortest
# layer control (karabakh's) to under the tallest (the story's).
WIDE_TIME_CONTROL = ("the time control", (1000, 110, 1270, 230))
# The compact layouts' buttons: 6 px from the left edge, 10 px from the right one (right to left)
COMPACT_ZOOM_BUTTONS = ("the zoom buttons", (6, 6, 44, 71))
COMPACT = Screen("compact", "680×510", 680, 510 - COMPACT_CHROME_PX, (
    COMPACT_ZOOM_BUTTONS,
    ("the scale bar", (4, 510 - COMPACT_CHROME_PX - 26, 90, 510 - COMPACT_CHROME_PX)),
))
# Phones use the compact layout on a narrower map (a small phone, or an embed, on a short one too):
# placed for as well; a callout that cannot be placed cleanly there is a warning too (hidden labels are not: a phone shows fewer).
PHONE = Screen("phone", "375×700", 375, 700 - COMPACT_CHROME_PX, (
    COMPACT_ZOOM_BUTTONS,
    ("the scale bar", (4, 700 - COMPACT_CHROME_PX - 26, 90, 700 - COMPACT_CHROME_PX)),
), warn=False)
SMALL = Screen("small", "343×320", 343, 320 - COMPACT_CHROME_PX, (
    COMPACT_ZOOM_BUTTONS,
    ("the scale bar", (4, 320 - COMPACT_CHROME_PX - 26, 90, 320 - COMPACT_CHROME_PX)),
), warn=False)
SCREENS = (WIDE, COMPACT, PHONE, SMALL)


def layout_screens(time_bar: bool = False, rtl: bool = False) -> tuple[Screen, ...]:
    """The reference screens as a map's page lays them out: mirrored on a right-to-left page; with
    a time control, the compact layouts' map is its bar shorter (the scale bar moves up with the
    map's foot) and the wide layout has the control on the map, under the layer control."""
    out = []
    for screen in (tuple(mirrored(s) for s in SCREENS) if rtl else SCREENS):
        if time_bar and screen.width <= COMPACT_MAX_PX:
            furniture = tuple((what, (x0, y0 - TIME_BAR_PX, x1, y1 - TIME_BAR_PX) if y0 >= screen.height / 2 else (x0, y0, x1, y1))
                              for what, (x0, y0, x1, y1) in screen.furniture)
            screen = dataclasses.replace(screen, height=screen.height - TIME_BAR_PX, furniture=furniture)
        elif time_bar:
            what, (x0, y0, x1, y1) = WIDE_TIME_CONTROL
            where = (screen.width - x1, y0, screen.width - x0, y1) if rtl else (x0, y0, x1, y1)  # mirrored, as the rest
            screen = dataclasses.replace(screen, furniture=screen.furniture + ((what, where),))
        out.append(screen)
    return tuple(out)


def mirrored(screen: Screen) -> Screen:
    """The screen of a right-to-left page (fa, ar, he): atlas.js/atlas.css put every piece of
    furniture on the other side (title, legend, zoom and scale right; layers, credits, locator left)."""
    return dataclasses.replace(screen, furniture=tuple((what, (screen.width - x1, y0, screen.width - x0, y1))
                                                       for what, (x0, y0, x1, y1) in screen.furniture))

# Text boxes, from atlas.css (12 px text, body line-height 1.4) and glyph widths measured in
# Chromium on the built pages (Debian's fallback sans-serif): the widest average per character
# of any label of each kind there, so an estimate is rarely smaller than the real box.
LINE_PX = 12 * 1.4
CALLOUT_CHAR_PX, CALLOUT_MAX_TEXT_PX, CALLOUT_PAD = 6.4, 220, (7, 4)
PHONE_MAX_PX, PHONE_CALLOUT_MAX_TEXT_PX = 480, 150  # atlas.css: narrower callouts on phones, so they fit a small map
CALLOUT_GAP_PX = 14  # atlas.js offset (8) + the tooltip's arrow margin (6)
# Where no spot beside its line is clean (a short line in a crowded corner of a phone's map), a
# callout may stand off: moved this much farther out (ALONG) and sideways (ACROSS) from where it
# would sit beside its anchor, a leader line joining the two (atlas.js, atlas.css
# .atlas-callout-leader). The cleanest wins, then the shortest leader.
LEADER_ALONG_PX = (0, 20, 40, 70, 110, 160)
LEADER_ACROSS_PX = (-90, -45, 0, 45, 90)
LEADER_SKIP_PX = 8  # the leader's first pixels lie on its own line (its stroke, its marks, a marker at its end)
LEADER_PX_COST = 0.5  # per px of leader, among equally clean spots
LABEL_CHAR_PX, LABEL_GAP_PX = 7.8, 8  # bold place label, 6 px tooltip margin + 2 px padding
ROUTE_CHAR_PX = 7.0  # .atlas-route-label: 11 px, semi-bold
ROUTE_LINE_PX = 11 * 1.4
SEA_CHAR_PX = 7.6  # .atlas-sea-label: 12 px italic, letter-spacing 0.05 em
COUNTRY_CHAR_PX = 8.6  # .atlas-country-label: 11 px capitals, letter-spacing 0.08 em
MARKER_HALF_PX = 7  # the largest marker (the capital's star) is 14 px
LINE_HALF_PX = 3  # a route is drawn up to 5 px wide
EDGE_PX = 4  # a box this close to the map's edge is cut off
CANDIDATES = 20  # anchor points tried along a feature
SIDES = ("top", "right", "bottom", "left")

# Ranks for the runtime declutter (atlas.js: lower wins): places are 1–7 (prepare.LABEL_RANK).
ROUTE_LABEL_RANK, SEA_LABEL_RANK = 8, 9

# Which water body is which: the polygons in data/base/water.geojson carry no names, so a
# documented point (or, for the Mediterranean, its documented extent) names the piece of
# water it falls in. The label itself goes where that piece is widest on screen.
WATER_NAMES = (
    ("Caspian Sea", (50.667, 41.667), "http://piglix.com/piglix/Caspian_sea"),
    ("Black Sea", (35.0, 44.0), "https://solarspell-dls.sfis.asu.edu/mea/wikipedia/wp/b/Black_Sea.htm"),
    ("Persian Gulf", (52.0, 26.0), "https://www.answers.com/Q/Is_a_tiny_state_located_at_the_north_end_of_the_Persian_Gulf"),
    ("Lake Urmia", (45.317, 37.7), "http://piglix.com/piglix/Lake_Matianus"),
    ("Lake Van", (42.817, 38.633), "https://wiki.studentb.eu/view_html.php?lang=en&q=Lake_Van&sq=Google"),
    ("Lake Sevan", (45.35, 40.317), "https://en.m.wiki.x.io/wiki/Sevan_Lake"),
)
# "It lies between latitudes 30° and 46° N and longitudes 6° W and 36° E" (west, south, east, north)
WATER_EXTENTS = (("Mediterranean Sea", (-6.0, 30.0, 36.0, 46.0), "https://landioustravel.com/egypt/mediterranean-sea/"),)


# ----------------------------------------------------------------------------- projection


def world_px(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web Mercator (EPSG:3857) pixel coordinates at `zoom`, as Leaflet's CRS computes them."""
    scale = TILE * 2 ** zoom
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    s = math.sin(math.radians(lat))
    return scale * (lon + 180) / 360, scale * (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi))


def lonlat(x: float, y: float, zoom: float) -> tuple[float, float]:
    scale = TILE * 2 ** zoom
    return x / scale * 360 - 180, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))


def to_px(geom, zoom: float):
    """A lon/lat geometry in world pixels at `zoom`."""
    scale = TILE * 2 ** zoom

    def f(coords):
        lon, lat = coords[:, 0], coords[:, 1].clip(-MAX_LAT, MAX_LAT)
        s = np.sin(np.radians(lat))
        return np.column_stack([scale * (lon + 180) / 360, scale * (0.5 - np.log((1 + s) / (1 - s)) / (4 * math.pi))])

    return shapely.transform(geom, f)


@dataclass(frozen=True)
class View:
    """What a screen shows at the default view: the zoom and the map's box in world pixels."""

    screen: Screen
    zoom: int
    left: float
    top: float

    @cached_property  # (made once per view: every label and callout placed asks for them)
    def frame(self):
        return box(self.left, self.top, self.left + self.screen.width, self.top + self.screen.height)

    def furniture(self) -> list[tuple[str, object]]:
        return list(self._furniture)

    @cached_property
    def _furniture(self) -> tuple[tuple[str, object], ...]:
        return tuple((what, box(self.left + x0, self.top + y0, self.left + x1, self.top + y1))
                     for what, (x0, y0, x1, y1) in self.screen.furniture)


def _rebound(left: float, right: float) -> float:
    """Leaflet's Map._rebound: how far to shift a view so it stays inside its max bounds."""
    if left + right > 0:
        return round(left - right) / 2
    return max(0, math.ceil(left)) - max(0, math.floor(right))


def default_view(screen: Screen, bounds, center, zoom, min_zoom: int, max_zoom: int, max_bounds, rtl: bool = False) -> View:
    """The view Leaflet shows first: fitBounds (zoom snapped down to a whole level) or
    setView, clamped to the zoom range, the centre kept inside maxBounds (_limitCenter).
    `rtl`: a right-to-left page, whose legend is on the right: the bounds move left of it."""
    if bounds:
        (south, west), (north, east) = bounds
        x0, y0 = world_px(west, north, 0)
        x1, y1 = world_px(east, south, 0)
        fit = math.log2(min(screen.width / max(x1 - x0, 1e-9), screen.height / max(y1 - y0, 1e-9)))
        z = math.floor(round(fit * 100) / 100)
        z = max(min_zoom, min(max_zoom, z))
        a, b = world_px(west, north, z), world_px(east, south, z)
        cx, cy = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        if screen.width > COMPACT_MAX_PX:  # atlas.js clearOfTheLegend: the bounds move right of the legend
            shift = min(LEGEND_SHIFT_PX, max(0, math.floor((screen.width - (b[0] - a[0])) / 2)))
            cx += shift if rtl else -shift
    else:
        z = max(min_zoom, min(max_zoom, int(zoom)))
        cx, cy = world_px(center[1], center[0], z)
    (msouth, mwest), (mnorth, meast) = max_bounds
    mx0, my0 = world_px(mwest, mnorth, z)
    mx1, my1 = world_px(meast, msouth, z)
    half_w, half_h = screen.width / 2, screen.height / 2
    dx = _rebound(mx0 - (cx - half_w), -(mx1 - (cx + half_w)))
    dy = _rebound(my0 - (cy - half_h), -(my1 - (cy + half_h)))
    if abs(dx) > 1 or abs(dy) > 1:
        cx, cy = cx + dx, cy + dy
    return View(screen, z, cx - half_w, cy - half_h)


# ----------------------------------------------------------------------------- text boxes


def wrap(text: str, char_px: float, max_px: float) -> list[str]:
    """Greedy word wrap at `max_px`, as the browser wraps a max-width box."""
    lines: list[str] = []
    for word in text.split():
        if lines and (len(lines[-1]) + 1 + len(word)) * char_px <= max_px:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def callout_size(text: str, max_text_px: float = CALLOUT_MAX_TEXT_PX) -> tuple[float, float]:
    """A callout's box: atlas.css gives it `width: max-content; max-width`, so a text that wraps
    takes the whole max-width, however short its longest line (the browser does not shrink the
    box to the lines it wrapped into)."""
    lines = wrap(text, CALLOUT_CHAR_PX, max_text_px)
    width = max_text_px if len(lines) > 1 else min(max_text_px, len(lines[0]) * CALLOUT_CHAR_PX)
    return width + 2 * CALLOUT_PAD[0], len(lines) * LINE_PX + 2 * CALLOUT_PAD[1]


def _side_offset(side: str, w: float, h: float, gap: float) -> tuple[float, float]:
    return {"center": (-w / 2, -h / 2), "top": (-w / 2, -gap - h), "bottom": (-w / 2, gap),
            "left": (-gap - w, -h / 2), "right": (gap, -h / 2)}[side]


def side_box(x: float, y: float, side: str, w: float, h: float, gap: float):
    """A label's box beside (x, y): 'center' on it, or on one side at `gap` px (as a Leaflet
    tooltip opened there in that direction)."""
    dx, dy = _side_offset(side, w, h, gap)
    return box(x + dx, y + dy, x + dx + w, y + dy + h)


def side_boxes(options: list, w: float, h: float, gap: float) -> np.ndarray:
    """side_box of every (…, point, side) option, made in one call (the same boxes: creating
    thousands of candidate boxes one by one in Python was a tenth of a build)."""
    offset = {side: _side_offset(side, w, h, gap) for side in {side for *_, side in options}}
    offsets = np.array([offset[side] for *_, side in options], dtype=float).reshape(-1, 2)
    points = np.array([point for _, point, _ in options], dtype=object).reshape(-1)
    x0, y0 = shapely.get_x(points) + offsets[:, 0], shapely.get_y(points) + offsets[:, 1]
    return shapely.box(x0, y0, x0 + w, y0 + h)


def callout_box(x: float, y: float, side: str, size: tuple[float, float]):
    """The box of a callout opened at (x, y) on `side` (atlas.js offsets)."""
    return side_box(x, y, side, size[0], size[1], CALLOUT_GAP_PX)


def short_label(name: str) -> str:
    """A compact route name for a label on the map (the popup keeps the full one): an
    acronym the name gives in brackets ('Baku–Tbilisi–Ceyhan (BTC) pipeline' → 'BTC
    pipeline'), else the name without its prefix before a colon and its brackets."""
    acronym = re.search(r"\(([A-Z]{2,6})\)", name)
    if acronym:
        rest = name[acronym.end():].strip(" ,")
        return f"{acronym.group(1)} {rest}".strip() if len(rest.split()) <= 2 else acronym.group(1)
    text = name.split(":", 1)[1] if ":" in name else name
    text = re.sub(r"\s*\([^)]*\)", "", text).strip(" ,")
    return text or name


# ----------------------------------------------------------------------------- the scene


@dataclass
class Obstacle:
    what: str  # as a warning names it: 'Baku', 'the "BTC pipeline" label'
    geom: object  # in world pixels
    weight: float  # cost per pixel of length (lines) or per px² (areas), or per hit (points)
    hard: bool = True  # covering it makes a placement unclean (a warning)
    kind: str = "area"  # "area" (an axis-aligned box: a label, a callout, the furniture), "line", "point"


@dataclass
class Scene:
    """What is drawn at one default view, in world pixels."""

    view: View
    lines: dict[str, tuple[str, object]] = field(default_factory=dict)  # id → (name, px geometry)
    places: list[tuple[str, str, object]] = field(default_factory=list)  # (id, name, px point) of each marker
    labels: list[dict] = field(default_factory=list)  # {"id", "name", "rank", "box"} feature labels, DOM order
    placed: list[Obstacle] = field(default_factory=list)  # callouts and labels placed so far
    countries: list[Obstacle] = field(default_factory=list)  # country names: better not covered (soft)


def label_box_for_feature(geom_px, name: str, is_point: bool):
    """Where atlas.js draws a feature's permanent label: right of a point, centred on a
    line's or area's centre (Leaflet's getCenter)."""
    w, h = len(name) * LABEL_CHAR_PX + 2, LINE_PX
    if is_point:
        return side_box(geom_px.x, geom_px.y, "right", w, h, LABEL_GAP_PX - 2)
    if geom_px.geom_type in ("Polygon", "MultiPolygon"):
        first = shapely.get_parts(geom_px)[0]
        c = shapely.Polygon(first.exterior).centroid
    else:
        line = max(shapely.get_parts(geom_px), key=lambda g: g.length)
        c = line.interpolate(0.5, normalized=True)
    return side_box(c.x, c.y, "center", w, h, 0)


def projected(features: list[dict], shown_layers: set[str], zoom: int) -> list:
    """Each shown feature's geometry in world pixels at `zoom` (None for one not shown), a line
    drawn beside a shared track moved as the page moves it: the same for every screen that
    opens at this zoom, so place_map projects once per zoom."""
    out = []
    for feat in features:
        if feat["layer"] not in shown_layers:
            out.append(None)
            continue
        geom = to_px(shape(feat["geometry"]), zoom)
        offset = feat["properties"].get("offset")
        if offset and "LineString" in geom.geom_type:
            # drawn beside a shared track (shared_track.py) as Leaflet.PolylineOffset draws it: in pixel
            # coordinates its offset and shapely's offset_curve agree (measured on the Aras corridor
            # against the line the page draws)
            shifted = geom.offset_curve(offset)
            geom = geom if shifted.is_empty else shifted
        out.append(geom)
    return out


def build_scene(view: View, features: list[dict], shown_layers: set[str], country_labels=(),
                geoms: list | None = None) -> Scene:
    """Project what a reader sees at `view`: the layers shown by default, their lines,
    place markers and permanent labels, and the country names. `geoms`: `projected` at the
    view's zoom, if already known."""
    scene = Scene(view)
    for c in country_labels:
        x, y = world_px(c["lon"], c["lat"], view.zoom)
        name_box = side_box(x, y, "center", len(c["name"]) * COUNTRY_CHAR_PX, 11 * 1.4, 0)
        scene.countries.append(Obstacle(f"the country name {c['name']!r}", name_box, 0.3, False))
    for feat, geom in zip(features, geoms if geoms is not None else projected(features, shown_layers, view.zoom)):
        if geom is None:
            continue
        p = feat["properties"]
        if geom.geom_type == "Point":
            scene.places.append((p["id"], p["name"], geom))
        elif "LineString" in geom.geom_type:
            scene.lines[p["id"]] = (p["name"], geom)
        if p.get("label"):
            scene.labels.append({"id": p["id"], "name": p["name"], "rank": p.get("rank", 0),
                                 "box": label_box_for_feature(geom, p["name"], geom.geom_type == "Point"),
                                 "mirror_x": geom.x if geom.geom_type == "Point" else None})
    return scene


def obstacles(scene: Scene, own_id: str | None) -> list[Obstacle]:
    """Everything a new label or callout must not cover, with how much each matters: lines
    by the length covered, place markers by count, boxes (labels, callouts, furniture) by area."""
    out: list[Obstacle] = []
    for fid, (name, geom) in scene.lines.items():
        if fid == own_id:
            out.append(Obstacle(f"its own line ({name})", geom, 40, True, "line"))
        else:
            out.append(Obstacle(name, geom, 0.5, False, "line"))
    for fid, name, point in scene.places:
        if fid != own_id:
            out.append(Obstacle(name, point, 200, True, "point"))
    for label in scene.labels:
        if label["id"] != own_id:
            out.append(Obstacle(f"the label {label['name']!r}", label["box"], 2, True))
    out.extend(scene.placed)
    out.extend(scene.countries)
    out.extend(Obstacle(what, geom, 2, True) for what, geom in scene.view.furniture())
    return out


KIND_REACH = {"line": LINE_HALF_PX, "point": MARKER_HALF_PX, "area": 0.0}  # how far past its geometry a thing is drawn


@lru_cache(maxsize=64)
def _inset(frame, by: float):
    """The map's frame less `by` px all round (a box too), once per view."""
    return frame.buffer(-by, join_style="mitre")


def _grown(boxes: np.ndarray, by: float) -> np.ndarray:
    if not by:
        return boxes
    b = shapely.bounds(boxes)
    return shapely.box(b[:, 0] - by, b[:, 1] - by, b[:, 2] + by, b[:, 3] + by)


def _overlap_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Area of the overlap of axis-aligned boxes given by their bounds (rows of x0, y0, x1, y1),
    pairwise. GEOS clips one box by another to a four-cornered ring of the same coordinates,
    whose shoelace area is exactly (x1 − x0)·(y1 − y0) in doubles: the same number, without a
    GEOS call per pair."""
    w = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
    h = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
    return np.where((w > 0) & (h > 0), w * h, 0.0)


def _covered(boxes: np.ndarray, rects: np.ndarray, group: list[Obstacle]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(candidate index, cost, hard?) of each obstacle of one kind a candidate box covers, in
    the tree's order (the order costs add up in)."""
    kind = group[0].kind
    geoms = np.asarray([o.geom for o in group], dtype=object)
    grown = _grown(boxes, KIND_REACH[kind])
    # the pairs whose envelopes meet: a box or a point meets a box exactly when their envelopes
    # do, and a line that misses a box it is near covers none of it (below the 0.5 px kept)
    ci, oi = shapely.STRtree(geoms).query(grown)
    if kind == "line":
        # every box is axis-aligned: clipping a line by its rectangle is exact and
        # far cheaper than a general intersection with a many-vertex route
        rect = shapely.bounds(grown[ci])
        # (the same GEOS call as shapely.clip_by_rect, broadcast over every pair at once: the
        # public function takes one rectangle per call, ~10M calls at 10x the features)
        amount = shapely.length(shapely.lib.clip_by_rect(geoms[oi], rect[:, 0], rect[:, 1], rect[:, 2], rect[:, 3]))
    else:
        amount = np.ones(len(ci)) if kind == "point" else _overlap_area(rects[ci], shapely.bounds(geoms)[oi])
    if kind != "point":
        keep = amount > 0.5
        ci, oi, amount = ci[keep], oi[keep], amount[keep]
    return ci, amount * np.array([o.weight for o in group])[oi], np.array([o.hard for o in group], dtype=bool)[oi]


def _off_the_map(rects: np.ndarray, anchors: list, frame) -> tuple[np.ndarray, np.ndarray]:
    """(px² of each box outside the map less its EDGE_PX rim, is its anchor outside that rim?)"""
    inner = _inset(frame, EDGE_PX).bounds
    outside = (rects[:, 2] - rects[:, 0]) * (rects[:, 3] - rects[:, 1]) - _overlap_area(rects, np.array([inner]))
    anchors = np.array(anchors, dtype=object).reshape(-1)
    ax, ay = shapely.get_x(anchors), shapely.get_y(anchors)
    return outside, ~((ax > inner[0]) & (ax < inner[2]) & (ay > inner[1]) & (ay < inner[3]))  # contains_xy of a box


def scores(boxes: list, anchors: list, obstacles_: list[Obstacle], frame,
           clean_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(hard cost, soft cost) of each candidate box, all at once (shapely's vectorised
    operations on an STRtree): length of line covered, markers covered, area of boxes
    covered, each times its weight; plus any part of the box outside the map or an anchor
    off it (a hard cost). Candidates, the map's frame and area obstacles are axis-aligned
    boxes, so what they share is worked out from their bounds.

    `clean_only`: the soft cost matters only where there is no hard cost (a route label takes
    a clean spot or none): if no line is a hard obstacle, lines are measured under those
    candidates alone (most of the work), and the others' soft cost is left at inf."""
    boxes = np.asarray(boxes, dtype=object)
    rects = shapely.bounds(boxes)
    outside, anchor_off = _off_the_map(rects, anchors, frame)
    hard = np.where((outside > 0.5) | anchor_off, 10 + outside, 0.0)
    groups = {kind: [o for o in obstacles_ if o.kind == kind] for kind in KIND_REACH}
    lines_later = clean_only and not any(o.hard for o in groups["line"])
    covered = {kind: _covered(boxes, rects, group) for kind, group in groups.items()
               if group and not (kind == "line" and lines_later)}
    for kind in KIND_REACH:  # costs add up kind by kind, in this order
        if kind in covered:
            ci, amount, is_hard = covered[kind]
            np.add.at(hard, ci[is_hard], amount[is_hard])
    clean = np.flatnonzero(hard == 0)
    if lines_later and groups["line"] and len(clean):  # (soft costs only: `hard` is complete)
        ci, amount, is_hard = _covered(boxes[clean], rects[clean], groups["line"])
        covered["line"] = clean[ci], amount, is_hard
    soft = np.zeros(len(boxes))
    for kind in KIND_REACH:
        if kind in covered:
            ci, amount, is_hard = covered[kind]
            np.add.at(soft, ci[~is_hard], amount[~is_hard])
    if lines_later:
        soft[hard != 0] = np.inf
    return hard, soft


def covered_by(candidate, anchor, obstacles_: list[Obstacle], frame) -> list[str]:
    """What a chosen box covers, by name, for the warning (the hard obstacles of `scores`)."""
    inner = frame.buffer(-EDGE_PX, join_style="mitre")
    out = ["the edge of the map"] if not inner.contains(candidate) or not inner.contains(anchor) else []
    for o in obstacles_:
        grown = _grown(np.array([candidate], dtype=object), KIND_REACH[o.kind])[0]
        if not o.hard or not grown.intersects(o.geom):
            continue
        inside = grown.intersection(o.geom)
        if o.kind == "point" or (inside.length if o.kind == "line" else inside.area) > 0.5:
            out.append(o.what)
    return out


def anchor_candidates(geom_px, frame, n: int = CANDIDATES) -> list[tuple[float, object]]:
    """(distance from the feature's middle, point) along the part of the feature on screen:
    `n` points evenly along a line, the point itself, or an area's pole and points around it."""
    inner = _inset(frame, EDGE_PX * 4)
    if geom_px.geom_type == "Point":
        return [(0.0, geom_px)]
    if "Polygon" in geom_px.geom_type:
        part = max(shapely.get_parts(geom_px.intersection(inner) if geom_px.intersects(inner) else geom_px),
                   key=lambda g: g.area)
        pole = polylabel(part, tolerance=1.0)
        rim = [part.exterior.interpolate(i / (n - 1), normalized=True) for i in range(n - 1)]
        around = [LineString([pole, p]).interpolate(0.5, normalized=True) for p in rim]  # halfway to the outline, all round
        return [(0.0, pole)] + [(0.5, p) for p in around if part.contains(p)]
    visible = geom_px.intersection(inner) if geom_px.intersects(inner) else geom_px
    parts = [g for g in shapely.get_parts(shapely.line_merge(visible) if "Multi" in visible.geom_type else visible)
             if g.geom_type == "LineString"]
    if not parts:
        return []
    total = sum(p.length for p in parts)
    out, walked = [], 0.0
    for part in parts:
        length = part.length
        at = [t for t in (f * total for f in _fractions(n)) if walked <= t < walked + length]
        if at:
            points = shapely.line_interpolate_point(part, [t - walked for t in at])
            out.extend((abs(t / total - 0.5), point) for t, point in zip(at, points))
        walked += length
    return out


@lru_cache(maxsize=8)
def _fractions(n: int) -> list[float]:
    """Where along a line its `n` anchors go, the middle first among equals."""
    return sorted({0.5} | {(i + 0.5) / n for i in range(n)})


def _describe(items: list[str], most: int = 6) -> str:
    seen = list(dict.fromkeys(items))
    return "; ".join(seen[:most]) + (f"; and {len(seen) - most} more" if len(seen) > most else "")


def place_callout(scene: Scene, at: str, text: str, feature_geom, preferred: str) -> tuple[dict, list[str]]:
    """The best (anchor, side) for a callout at one view, and what it covers if nothing is clean.

    Score: hard cost first (anything it must not cover, the map's edge), then soft cost
    (other routes crossed), then the anchor's distance from the feature's middle and the
    definition's own `direction` as tie-breakers."""
    geom_px = to_px(feature_geom, scene.view.zoom)
    size = callout_size(text, CALLOUT_MAX_TEXT_PX if scene.view.screen.width > PHONE_MAX_PX else PHONE_CALLOUT_MAX_TEXT_PX)
    frame = scene.view.frame
    obs = obstacles(scene, at)
    options = [(distance, point, side) for distance, point in anchor_candidates(geom_px, frame) for side in SIDES]
    shift, leader = None, None
    if options:
        boxes = side_boxes(options, size[0], size[1], CALLOUT_GAP_PX)  # callout_box of each
        hard, soft = scores(boxes, [point for _, point, _ in options], obs, frame)
        tie = np.array([30 * distance + (0 if side == preferred else 5) for distance, _, side in options])
        best = int(np.lexsort((soft + tie, hard))[0])
        _, point, side = options[best]
        candidate, clean = boxes[best], hard[best] == 0
        flaw = _flaw(boxes[best:best + 1], [point], obs, frame)[0] if not clean else NO_FLAW
        if flaw != NO_FLAW:  # cut by the edge or hiding a place: stand off, if that is less wrong
            flaw_off, cost, *standing_off = _with_leader(options, size, obs, frame, tie)
            if flaw_off < flaw:
                point, side, shift, candidate, leader = standing_off
                clean = cost == 0
    else:  # nothing of the feature on screen: point at its middle, as before
        longest = max(shapely.get_parts(geom_px), key=lambda g: g.length)
        point = longest.interpolate(0.5, normalized=True) if "Line" in longest.geom_type else longest.representative_point()
        side, candidate, clean = preferred, callout_box(point.x, point.y, preferred, size), False
    covered = [] if clean else (covered_by(candidate, point, obs, frame) + (_crossed_by(leader, obs) if leader is not None else [])
                                or ["the edge of the map (its feature is off screen)"])
    scene.placed.append(Obstacle(f"{CALLOUT_WHAT}{text[:30]!r}", candidate, 5, True))
    if leader is not None:
        scene.placed.append(Obstacle(f"the leader of the callout {text[:30]!r}", leader, 5, True, "line"))
    lon, lat = lonlat(point.x, point.y, scene.view.zoom)
    spot = {"lat": round(lat, 4), "lon": round(lon, 4), "direction": side}
    return (spot | {"leader": list(shift)} if shift else spot), covered


GAP_VECTOR = {"right": (1, 0), "left": (-1, 0), "bottom": (0, 1), "top": (0, -1)}


def leader_lines(x: np.ndarray, y: np.ndarray, gap: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """The leader from each callout's anchor (x, y) to the middle of its box's side facing the
    anchor, as atlas.css draws it, less its first LEADER_SKIP_PX (they lie on the line itself).
    `gap`: GAP_VECTOR of each callout's side, `shift`: where it stands off (rows of px)."""
    ex, ey = x + gap[:, 0] * CALLOUT_GAP_PX + shift[:, 0], y + gap[:, 1] * CALLOUT_GAP_PX + shift[:, 1]
    k = np.minimum(LEADER_SKIP_PX / np.hypot(ex - x, ey - y), 1.0)
    return shapely.linestrings(np.stack([np.stack([x + (ex - x) * k, y + (ey - y) * k], axis=1), np.stack([ex, ey], axis=1)], axis=1))


def leader_line(x: float, y: float, side: str, shift: tuple[float, float]):
    """leader_lines of one callout."""
    return leader_lines(np.array([x]), np.array([y]), np.array([GAP_VECTOR[side]], dtype=float), np.array([shift], dtype=float))[0]


LEADER_HIT_COST = {"point": 1.0, "line": 6.0, "area": 10.0}  # a marker each; a line crossed as 6 px of it; a box as 10 px² of it


def _leader_hits(leaders: np.ndarray, obs: list[Obstacle]):
    """(obstacles of a kind, leader index, obstacle index) of each marker a leader passes within
    its drawn size, each line it crosses and each box (label, callout, furniture) it runs through."""
    for kind in ("point", "line", "area"):
        group = [o for o in obs if o.kind == kind]
        if group:
            tree = shapely.STRtree(np.asarray([o.geom for o in group], dtype=object))
            li, oi = tree.query(leaders, predicate="dwithin", distance=MARKER_HALF_PX) if kind == "point" \
                else tree.query(leaders, predicate="intersects")
            yield group, li, oi


def _leader_costs(leaders: np.ndarray, obs: list[Obstacle]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hard, soft) cost of each leader line, each hit (_leader_hits) by its obstacle's weight,
    and whether it passes a place's marker."""
    hard, soft, past_a_place = np.zeros(len(leaders)), np.zeros(len(leaders)), np.zeros(len(leaders), dtype=bool)
    for group, li, oi in _leader_hits(leaders, obs):
        cost = (np.array([o.weight for o in group]) * LEADER_HIT_COST[group[0].kind])[oi]
        is_hard = np.array([o.hard for o in group], dtype=bool)[oi]
        np.add.at(hard, li[is_hard], cost[is_hard])
        np.add.at(soft, li[~is_hard], cost[~is_hard])
        if group[0].kind == "point":
            past_a_place[li[is_hard]] = True
    return hard, soft, past_a_place


def _crossed_by(leader, obs: list[Obstacle]) -> list[str]:
    """What a chosen leader crosses, by name, for the warning (its hard hits)."""
    return [f"(its leader) {group[o].what}" for group, _, oi in _leader_hits(np.array([leader], dtype=object), obs)
            for o in oi.tolist() if group[o].hard]


CUT, ON_A_PLACE, NO_FLAW = 2, 1, 0  # what is wrong with a callout's spot, worst first (_flaw)
CALLOUT_WHAT = "the callout "  # how a placed callout is named (an obstacle to the next)
CALLOUT_TUCK_PX = 3  # atlas.js: a callout running further into a control than this is hidden


def _flaw(boxes: np.ndarray, anchors: list, obs: list[Obstacle], frame) -> np.ndarray:
    """What a leader is there to mend, for each callout box: CUT by the map's edge (or its anchor
    off the map: a text cut short cannot be read) or into a control or a callout placed before
    it (the page then hides it), else ON_A_PLACE (it hides a place's marker), else NO_FLAW.
    Covering a label or a stretch of its own line beside the anchor is not mended: a callout
    beside its line reads better than one far off."""
    rects = shapely.bounds(boxes)
    outside, anchor_off = _off_the_map(rects, anchors, frame)
    flaw = np.full(len(rects), NO_FLAW)
    places = [o.geom for o in obs if o.kind == "point" and o.hard]
    if places:
        hit, _ = shapely.STRtree(np.asarray(places, dtype=object)).query(_grown(boxes, MARKER_HALF_PX))
        flaw[hit] = ON_A_PLACE
    tucked = rects + np.array([CALLOUT_TUCK_PX, CALLOUT_TUCK_PX, -CALLOUT_TUCK_PX, -CALLOUT_TUCK_PX])
    into_a_control = np.zeros(len(rects), dtype=bool)
    for control in (o for o in obs if o.what in ALWAYS_THERE or o.what.startswith(CALLOUT_WHAT)):  # (the page hides both)
        into_a_control |= _overlap_area(tucked, np.array([control.geom.bounds])) > 0
    flaw[(outside > 0.5) | into_a_control | anchor_off] = CUT
    return flaw


LEADER_SHIFTS = np.array([(along, across) for along in LEADER_ALONG_PX for across in LEADER_ACROSS_PX if along or across], dtype=float)


def _with_leader(options: list, size: tuple[float, float], obs: list[Obstacle], frame, tie: np.ndarray):
    """The best spot standing off the line, box and leader scored together: (its _flaw, hard
    cost, anchor, side, shift, box, leader). The least flawed (a leader passing a place's marker
    is ON_A_PLACE), then the cleanest, then the shortest leader and the usual tie-breaks.
    Every (option, shift) at once: rows run option by option, LEADER_SHIFTS within each."""
    index = np.repeat(np.arange(len(options)), len(LEADER_SHIFTS))
    gap = np.array([GAP_VECTOR[side] for _, _, side in options], dtype=float)[index]
    along, across = np.tile(LEADER_SHIFTS[:, 0], len(options)), np.tile(LEADER_SHIFTS[:, 1], len(options))
    # `along` farther out from the anchor, `across` sideways to that
    shift = np.stack([gap[:, 0] * along - gap[:, 1] * across, gap[:, 1] * along + gap[:, 0] * across], axis=1)
    b = shapely.bounds(side_boxes(options, size[0], size[1], CALLOUT_GAP_PX))[index]
    boxes = shapely.box(b[:, 0] + shift[:, 0], b[:, 1] + shift[:, 1], b[:, 2] + shift[:, 0], b[:, 3] + shift[:, 1])
    points = np.array([point for _, point, _ in options], dtype=object)[index]
    leaders = leader_lines(shapely.get_x(points), shapely.get_y(points), gap, shift)
    leader_hard, leader_soft, past_a_place = _leader_costs(leaders, obs)
    flaw = _flaw(boxes, list(points), obs, frame)
    flaw[past_a_place] = np.maximum(flaw[past_a_place], ON_A_PLACE)
    least = np.flatnonzero(flaw == flaw.min())  # only these can win: the full score (most of the work) for them alone
    hard, soft = scores(boxes[least], list(points[least]), obs, frame)
    hard = hard + leader_hard[least]
    order = np.lexsort((soft + leader_soft[least] + tie[index[least]] + LEADER_PX_COST * shapely.length(leaders[least]), hard))
    best, i = int(least[order[0]]), int(index[least[order[0]]])
    return (int(flaw[best]), float(hard[order[0]]), options[i][1], options[i][2],
            (round(float(shift[best, 0]), 1), round(float(shift[best, 1]), 1)), boxes[best], leaders[best])


def place_route_label(scene: Scene, fid: str, text: str) -> dict | None:
    """A route's short label beside it, clear of places, labels and callouts; None if no
    spot on screen is clean (the label is then left out at that layout)."""
    name, geom_px = scene.lines[fid]
    w, h = len(text) * ROUTE_CHAR_PX + 4, ROUTE_LINE_PX
    frame = scene.view.frame
    obs = obstacles(scene, None)  # its own line counts as any other: a label may touch it, better not cross it
    options = [(distance, point, side) for distance, point in anchor_candidates(geom_px, frame, 16)
               for side in ("top", "bottom", "right", "left")]
    if not options:
        return None
    boxes = side_boxes(options, w, h, 6)
    hard, soft = scores(boxes, [point for _, point, _ in options], obs, frame, clean_only=True)
    soft = soft + 10 * np.array([distance for distance, _, _ in options])
    if not (hard == 0).any():
        return None
    best = int(np.argmin(np.where(hard == 0, soft, np.inf)))
    _, point, side = options[best]
    scene.placed.append(Obstacle(f"the route label {text!r}", boxes[best], 2, True))
    lon, lat = lonlat(point.x, point.y, scene.view.zoom)
    return {"lat": round(lat, 4), "lon": round(lon, 4), "direction": side}


EDGE = "the edge of the map"
# On the map wherever they are furniture: atlas.js's declutter keeps labels off them (the time control
# is furniture only on a wide page: place_map)
ALWAYS_THERE = ("the zoom buttons", "the scale bar", WIDE_TIME_CONTROL[0])


def declutter(scene: Scene, callout_boxes: list, shown: dict | None = None) -> list[tuple[dict, str]]:
    """The runtime declutter of atlas.js, replayed: callouts first, then labels by rank in
    page order, a place's label moved to the left of its marker when its right is taken (by
    a label, or by the map's edge, which would cut it); returns each feature label it hides
    on screen with what won (a box, or EDGE). `shown`, if given, gets id → box of each label kept."""
    placed = [(b, f"{CALLOUT_WHAT}{t[:30]!r}") for t, b in callout_boxes]
    placed += [(b, what) for what, b in scene.view.furniture() if what in ALWAYS_THERE]
    hidden = []
    frame = scene.view.frame

    def first_hit(candidate):
        if not frame.contains(candidate):
            return EDGE
        return next((what for b, what in placed if b.intersects(candidate) and b.intersection(candidate).area > 0.5), None)

    for label in sorted(scene.labels, key=lambda lab: lab["rank"]):
        hit = first_hit(label["box"])
        if hit is not None and label.get("mirror_x") is not None:  # a place's label may move to its left
            x0, y0, x1, y1 = label["box"].bounds
            mirrored = box(2 * label["mirror_x"] - x1, y0, 2 * label["mirror_x"] - x0, y1)
            if first_hit(mirrored) is None:
                placed.append((mirrored, f"the label {label['name']!r}"))
                if shown is not None:
                    shown[label["id"]] = mirrored
                continue
        if hit is None:
            placed.append((label["box"], f"the label {label['name']!r}"))
            if shown is not None:
                shown[label["id"]] = label["box"]
        elif frame.intersects(label["box"]):
            hidden.append((label, hit))
    return hidden


COVERING = ("the title block", "the legend", "the credits")  # on every wide page (the locator inset and time control only on some)


def places_under_furniture(scene: Scene, shown: dict) -> list[str]:
    """Each labelled place whose marker or shown label the title block, the legend or the
    credits cover at this view, as "'Gyumri' (under the title block)"."""
    furniture = [(what, geom) for what, geom in scene.view.furniture() if what in COVERING]
    out = []
    for label in scene.labels:
        if label.get("mirror_x") is None or label["id"] not in shown:
            continue
        point = next(p for fid, _, p in scene.places if fid == label["id"])
        marker = point.buffer(MARKER_HALF_PX, cap_style="square")
        out.extend(f"{label['name']!r} (under {what})" for what, geom in furniture
                   if geom.intersects(marker) or geom.intersection(shown[label["id"]]).area > 0.5)
    return out


# ----------------------------------------------------------------------------- water


class _Bodies(tuple):
    """The water file's (kind, polygon) pairs, as one key of the caches below, compared by
    identity: they are read once per process, and hashing their million coordinates on every
    lookup would cost more than some lookups save."""

    __hash__ = object.__hash__

    def __eq__(self, other) -> bool:
        return self is other


def _as_key(bodies) -> tuple:
    return bodies if isinstance(bodies, tuple) else tuple(bodies)


@lru_cache(maxsize=2)
def _water(path: str, mtime: float) -> tuple[tuple[str, object], ...]:
    """(kind, polygon) of each sea and lake, read once per process by geocheck's validated
    loader (a file it refuses gives no sea labels; the build reports it through the land rules)."""
    from .errors import Problems
    from .geocheck import load_water

    water = load_water(Path(path).parent, Problems())
    return _Bodies((props.kind, geom) for props, geom in water.bodies) if water else _Bodies()


def water_polygons(base_dir: Path | None) -> tuple[tuple[str, object], ...]:
    path = base_dir / "water.geojson" if base_dir else None
    if path is None or not path.is_file():
        return ()
    return _water(str(path), path.stat().st_mtime)


def _without_specks(geom, min_px2: float = LINE_PX ** 2):
    """Water without its islands smaller than a label's height squared: they are specks at
    this zoom (the 1,732 islets of the Aegean and the Gulf made the opening take seconds)."""
    polygons = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "Polygon":
            rings = shapely.get_rings(part)  # the exterior, then the holes
            holes = rings[1:][shapely.area(shapely.polygons(rings[1:])) >= min_px2]
            polygons.append(shapely.Polygon(rings[0], holes))
    return shapely.MultiPolygon(polygons) if len(polygons) != 1 else polygons[0]


def _simplified(water_px):
    """Water in world pixels without its specks, simplified to half a pixel."""
    return shapely.make_valid(_without_specks(water_px).simplify(0.5))


@lru_cache(maxsize=64)
def _body_px(bodies: tuple[tuple[str, object], ...], b: int, zoom: int):
    """Body `b` in world pixels at `zoom`, whole, once per body and zoom in a process."""
    return _simplified(to_px(bodies[b][1], zoom))


def _water_px(bodies: tuple[tuple[str, object], ...], b: int, extent_box, zoom: int):
    """Body `b` in world pixels at `zoom` within the map's extent (_simplified).

    A body the map shows a good part of (a quarter of its bounding box or more) is simplified
    whole, once per zoom, and then clipped: the maps of a build share zooms, and clipping the
    60,000-vertex seas first costs about as much as simplifying them. A body the map shows
    only a corner of is clipped first."""
    geom = bodies[b][1]
    envelope = box(*geom.bounds)
    if envelope.intersection(extent_box).area >= envelope.area / 4:
        return _body_px(bodies, b, zoom).intersection(to_px(extent_box, zoom))  # (Mercator keeps a box a box)
    return _simplified(to_px(geom.intersection(extent_box), zoom))


def _opened(water_px, radius: float):
    """`water_px` cut apart where it is narrower than 2 × `radius` (a morphological opening).
    The opening is worked on the water simplified to a quarter of the radius, which moves a
    cut by far less than a label's size, and is then trimmed to the water itself, so what it
    keeps is never land."""
    coarse = water_px.simplify(radius / 4)
    return coarse.buffer(-radius, quad_segs=2).buffer(radius, quad_segs=2).intersection(water_px)


def _whole_name(kind: str, geom) -> str | None:
    """The name of a body that holds exactly one documented point and no documented extent
    (a lake, the Caspian), or None (the one polygon of the seas from the Black Sea to the Gulf)."""
    inside = [name for name, (lon, lat), _ in WATER_NAMES if geom.contains(Point(lon, lat))]
    spot = geom.representative_point()
    if len(inside) == 1 and not any(box(*extent).contains(spot) for _, extent, _ in WATER_EXTENTS):
        return inside[0]
    return None


@dataclass(frozen=True)
class _BodyFacts:
    """What depends on a water body's lon/lat polygon alone, worked out once per water file
    and process rather than once per map, zoom and page language."""

    geoms: np.ndarray  # each body's polygon, for one vectorised `intersects` with a map's extent
    seeded: tuple[bool, ...]  # holds a documented point
    whole: tuple[str | None, ...]  # _whole_name


@lru_cache(maxsize=8)
def _body_facts(bodies: tuple[tuple[str, object], ...]) -> _BodyFacts:
    seeds = [Point(lon, lat) for _, (lon, lat), _ in WATER_NAMES]
    return _BodyFacts(np.array([geom for _, geom in bodies], dtype=object).reshape(-1),
                      tuple(any(geom.contains(seed) for seed in seeds) for _, geom in bodies),
                      tuple(_whole_name(kind, geom) for kind, geom in bodies))


def _in_extent(facts: _BodyFacts, extent_box) -> np.ndarray:
    """Indices of the bodies that meet the map's extent."""
    return np.flatnonzero(shapely.intersects(facts.geoms, extent_box)) if len(facts.geoms) else np.zeros(0, dtype=int)


def named_water(bodies: list[tuple[str, object]], extent_box, zoom: int) -> list[tuple[str, object]]:
    """(name, polygon in world pixels) of each named sea or lake in the map's extent.

    A body is cut where it narrows below a label's height (a morphological opening), so the
    one polygon of the Black Sea, the Mediterranean and the Gulf falls apart into its seas;
    each documented point names the piece it falls in, and the documented extent of the
    Mediterranean names the largest unnamed piece of sea inside it.

    Kept per process for the exact bodies, extent and zoom: a right-to-left page of the map
    (i18n.rtl_placement) needs the same water, and clipping, simplifying and opening the seas
    is most of placing a map.
    """
    return list(_named_water(_as_key(bodies), extent_box, zoom))


@lru_cache(maxsize=32)
def _named_water(bodies: tuple[tuple[str, object], ...], extent_box, zoom: int) -> tuple[tuple[str, object], ...]:
    facts = _body_facts(bodies)
    out: list[tuple[str, object]] = []
    for b in _in_extent(facts, extent_box):
        kind, geom = bodies[b]
        if kind != "sea" and not facts.seeded[b]:
            continue
        px = _water_px(bodies, int(b), extent_box, zoom)
        if facts.whole[b]:
            out.append((facts.whole[b], px))  # one body, one name: no need to cut it
            continue
        opened = _opened(px, LINE_PX / 2)
        pieces = [g for g in shapely.get_parts(opened) if g.geom_type == "Polygon" and g.area > 0]
        names: dict[int, str] = {}
        for name, (lon, lat), _source in WATER_NAMES:
            seed = Point(world_px(lon, lat, zoom))
            hits = [i for i, g in enumerate(pieces) if g.contains(seed)]
            if hits and hits[0] not in names:
                names[hits[0]] = name
        for name, (west, south, east, north), _source in WATER_EXTENTS:
            (x0, y0), (x1, y1) = world_px(west, north, zoom), world_px(east, south, zoom)
            free = [i for i, g in enumerate(pieces)
                    if i not in names and box(x0, y0, x1, y1).contains(g.representative_point())]
            if free:
                names[max(free, key=lambda i: pieces[i].area)] = name
        out.extend((name, pieces[i]) for i, name in names.items())
    return tuple(sorted(out, key=lambda item: item[0]))


def _roomiest_spot(water_px, frame, w: float, h: float, avoid) -> tuple[float, float] | None:
    """The centre of the w × h box (with 2 px of water around it) that fits in the water on
    screen, clear of `avoid`, farthest from the shore; None if none fits (a 4 px grid)."""
    visible = water_px.intersection(frame)
    if visible.is_empty:
        return None
    x0, y0, x1, y1 = visible.bounds
    xs, ys = np.meshgrid(np.arange(x0 + w / 2, x1 - w / 2, 4.0), np.arange(y0 + h / 2, y1 - h / 2, 4.0))
    xs, ys = xs.ravel(), ys.ravel()
    if not len(xs):
        return None
    boxes = shapely.box(xs - w / 2 - 2, ys - h / 2 - 2, xs + w / 2 + 2, ys + h / 2 + 2)
    shapely.prepare(visible)
    fits = shapely.contains(visible, boxes)
    if len(avoid):  # of the boxes that fit, those touching something to avoid (envelopes first: cheaper than a predicate)
        fitting = np.flatnonzero(fits)
        near, other = shapely.STRtree(avoid).query(boxes[fitting])
        fits[fitting[near[shapely.intersects(boxes[fitting[near]], np.asarray(avoid)[other])]]] = False
    if not fits.any():
        return None
    fitting = np.flatnonzero(fits)  # the distance to the shore only where a box fits: most of the cost
    best = int(fitting[np.argmax(shapely.distance(water_px.boundary, boxes[fitting]))])
    return float(xs[best]), float(ys[best])


def _scaled(geoms: list, k: float) -> np.ndarray:
    """shapely.affinity.scale(g, k, k, origin=(0, 0)) of each, in one call (the same arithmetic)."""
    geoms = np.array(geoms, dtype=object).reshape(-1)
    if k == 1:
        return geoms
    return shapely.transform(geoms, lambda c: np.column_stack([k * c[:, 0] + 0.0 * c[:, 1] + 0.0,
                                                               0.0 * c[:, 0] + k * c[:, 1] + 0.0]))


def sea_labels(view: View, bodies: list, extent_box, min_zoom: int, max_zoom: int, scene: Scene) -> list[dict]:
    """A label per named sea or lake on screen, where its box fits in the water with the most
    room around it, clear of callouts, places and labels; from the lowest zoom at which the box
    still fits inside the water (never over land). A lake too small at the default zoom is
    tried at the zooms above it, on the same centre."""
    inner = view.frame.buffer(-EDGE_PX * 3, join_style="mitre")
    cx, cy = inner.centroid.x, inner.centroid.y
    avoid = [o.geom.buffer(KIND_REACH[o.kind]) if o.kind != "area" else o.geom for o in obstacles(scene, None) if o.hard]
    out = []
    facts = _body_facts(_as_key(bodies))
    whole = {facts.whole[b]: bodies[b] for b in _in_extent(facts, extent_box) if facts.whole[b]}
    for name, water_px in named_water(bodies, extent_box, view.zoom):
        w, h = len(name) * SEA_CHAR_PX, LINE_PX
        for zoom in range(view.zoom, max_zoom + 1 if name in whole else view.zoom + 1):
            k = 2 ** (zoom - view.zoom)
            if k > 1:  # a lake (or the Caspian) seen closer: its own polygon only
                water_px = dict(named_water([whole[name]], extent_box, zoom))[name]
            frame = shapely.affinity.translate(inner, cx * (k - 1), cy * (k - 1))  # the same centre, zoomed in
            spot = _roomiest_spot(water_px, frame, w, h, _scaled(avoid, k))
            if spot is not None:
                break
        if spot is None:
            continue
        x, y = spot
        fits_from = zoom
        for z in range(zoom - 1, min_zoom - 1, -1):  # it may fit at lower zooms too
            q = 2 ** (z - zoom)
            if not shapely.affinity.scale(water_px, q, q, origin=(0, 0)).contains(
                    box(x * q - w / 2 - 2, y * q - h / 2 - 2, x * q + w / 2 + 2, y * q + h / 2 + 2)):
                break
            fits_from = z
        if zoom == view.zoom:
            scene.placed.append(Obstacle(f"the label {name!r}", box(x - w / 2, y - h / 2, x + w / 2, y + h / 2), 2, True))
        lon, lat = lonlat(x, y, zoom)
        out.append({"name": name, "lat": round(lat, 4), "lon": round(lon, 4), "minZoom": fits_from, "rank": SEA_LABEL_RANK})
    return out


# ----------------------------------------------------------------------------- one map


@dataclass
class MapPlacement:
    callouts: list[dict]
    route_labels: list[dict]
    sea_labels: list[dict]
    advice: list[Advice]


def place_map(map_id: str, spec_view, callouts: list, features: list[dict], shown_layers: set[str],
              max_bounds, view_bounds, callout_geoms: dict, base_dir: Path | None, extent_box,
              country_labels=(), time_bar: bool = False, rtl: bool = False) -> MapPlacement:
    """Callouts, route labels and sea labels for one map at both reference screens.

    `time_bar`: the map has a time control, which the compact layouts show as a bar under the
    title bar (timeline.css), so their map is that much shorter; on a wide page it is furniture
    on the map, under the layer control.

    `features`: the prepared GeoJSON features with a "layer" key; `callouts`: the spec's;
    `callout_geoms`: id → lon/lat geometry of each callout's feature. `rtl`: placed as a
    right-to-left page lays out (mirrored furniture, the legend's shift the other way).
    """
    advice: list[Advice] = []
    layouts: list[dict] = [{} for _ in callouts]
    route_layouts: dict[str, dict] = {}
    seas: list[dict] = []
    geoms_at: dict[int, list] = {}  # zoom → projected(features): screens often share a zoom
    for screen in layout_screens(time_bar, rtl):
        view = default_view(screen, view_bounds, spec_view.center, spec_view.zoom, spec_view.min_zoom,
                            spec_view.max_zoom, max_bounds, rtl)
        if view.zoom not in geoms_at:
            geoms_at[view.zoom] = projected(features, shown_layers, view.zoom)
        scene = build_scene(view, features, shown_layers, country_labels, geoms_at[view.zoom])
        boxes = []
        for i, callout in enumerate(callouts):
            choice, covered = place_callout(scene, callout.at, callout.text, callout_geoms[callout.at], callout.direction)
            layouts[i][screen.name] = choice
            boxes.append((callout.text, scene.placed[-1].geom))
            if covered:  # on every screen: a callout cut off or covering a place is a defect on a phone too
                words = " ".join(callout.text.split()[:5])
                advice.append(Advice(map_id, f'callout at "{callout.at}" ("{words}…")',
                                     f"no clean place at the default view on a {screen.label} screen; "
                                     f"the least bad covers {_describe(covered)}"))
        shown: dict = {}
        hidden = declutter(scene, boxes, shown)
        if hidden and screen.warn:
            advice.append(Advice(map_id, f"{len(hidden)} label(s) on a {screen.label} screen",
                                 "hidden by the page's declutter at the default view: "
                                 + _describe([f"{label['name']!r} ({'cut by' if winner == EDGE else 'under'} {winner})"
                                              for label, winner in hidden], 8)))
        under = places_under_furniture(scene, shown)
        if under and screen.warn:
            advice.append(Advice(map_id, f"{len(under)} labelled place(s) on a {screen.label} screen",
                                 "under the page's furniture at the default view: " + _describe(under, 8)))
        if screen.name == WIDE.name:  # (a right-to-left page's wide screen is a mirrored copy)
            seas = sea_labels(view, water_polygons(base_dir), extent_box, spec_view.min_zoom, spec_view.max_zoom, scene)
        for fid, (name, _geom) in sorted(scene.lines.items()):
            spot = place_route_label(scene, fid, short_label(name))
            entry = route_layouts.setdefault(fid, {"id": fid, "text": short_label(name), "rank": ROUTE_LABEL_RANK, "layouts": {}})
            if spot:
                entry["layouts"][screen.name] = spot
    out_callouts = []
    for callout, layout in zip(callouts, layouts):
        wide = layout["wide"]
        out_callouts.append({"text": callout.text, "at": callout.at, "lat": wide["lat"], "lon": wide["lon"],
                             "direction": wide["direction"], "layouts": layout})
    routes = [r for r in route_layouts.values() if r["layouts"]]
    return MapPlacement(out_callouts, routes, seas, advice)


def placement_advice(inputs) -> list[Advice]:
    """The placement warnings of every map (for `check`, which renders nothing): each map
    is prepared as the build prepares it."""
    from .prepare import prepare_map

    return [item for spec in inputs.specs for item in prepare_map(spec, inputs.layers, inputs.base).advice]
