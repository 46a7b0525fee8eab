"""The land a reader sees around a map, at every zoom the map allows.

Leaflet keeps the view on the map's extent (maxBounds), but a screen larger than the
extent at a low zoom shows the extent with the world around it. That surround is drawn
too, in rings: the ring seen only at zoom z is simplified to one pixel at z, so zooming
out never shows the edge of the data, and the page does not carry detail nobody can see.
The rings are cut from Natural Earth (countries.geojson in the region, world.geojson
beyond it) and joined to the map's own basemap country by country, so no clip edge is
ever stroked as a border.

A story (a map with steps) is read at the zooms its steps fly to, not zoomed to max_zoom
everywhere: its basemap is simplified region by region, each part to one pixel at the deepest
zoom the default view or a step shows it at on the design screen (story_tiers,
tiered_coverage), so the Indian Ocean leg weighs what the corridor-wide step shows of it.

Also the locator inset: the map's place in the wider region, as SVG path data.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from .cache import prepared_coverage
from .layers import BaseLayer
from .simplify import TILE_SIZE, Extent, degrees_per_pixel

# The largest map the land is drawn for, in CSS pixels: a desktop browser window. A larger
# screen gets a higher minimum zoom in the page (atlas.js), so it never sees past the land.
DESIGN_SCREEN = (1280, 800)
MARGIN_PX = 8  # Leaflet rounds the view to whole pixels
MAX_LAT = 85.0511  # Web Mercator's limit
# The rings are background: simplified to the pixel of this many zooms below the zoom they
# are seen at (1: two screen pixels), which halves their weight.
RING_COARSENING = 1
# world.geojson is Natural Earth at 1:50 million: inside the extent it is simplified to this
# many zooms below the deepest (2: four pixels at max_zoom, 0.09° of longitude at zoom 6),
# still finer than the scale the data is made for, at well under half its weight.
WORLD_COARSENING = 2
# Base files the surround is cut from: Natural Earth in the region, then beyond it.
SURROUND_FILES = ("countries", "world")
# How far into its hole a ring is still simplified, in pixels of its zoom (_cut): where an edge is
# cut, the simplifier keeps other vertices along it for some pixels. With 16, a border beside the
# cut moved by a pixel on two of the six maps; with 32 every map draws the very land of a ring
# simplified whole (a few rings start at another of the same vertices).
RING_HOLE_MARGIN_PX = 32


def _y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _lat(y: float) -> float:
    return math.degrees(math.atan(math.sinh(y)))


def seen_box(extent: Extent, zoom: int, screen: tuple[int, int] = DESIGN_SCREEN) -> Extent:
    """Everything a screen can show at `zoom` while Leaflet holds it on `extent`: when the
    screen is the larger, Leaflet centres the extent on it, half the excess each side."""
    world_px = TILE_SIZE * 2**zoom
    width_px = (extent.east - extent.west) / 360 * world_px
    height_px = (_y(extent.north) - _y(extent.south)) / (2 * math.pi) * world_px
    excess_x, excess_y = screen[0] - width_px, screen[1] - height_px
    if excess_x <= 0 and excess_y <= 0:
        return extent

    def grow(excess_px: float) -> float:  # in world widths
        return (excess_px / 2 + MARGIN_PX) / world_px if excess_px > 0 else 0.0

    dx, dy = grow(excess_x) * 360, grow(excess_y) * 2 * math.pi
    return Extent(
        max(extent.west - dx, -180.0), _lat(max(_y(extent.south) - dy, _y(-MAX_LAT))),
        min(extent.east + dx, 180.0), _lat(min(_y(extent.north) + dy, _y(MAX_LAT))),
    )


def surround_rings(extent: Extent, min_zoom: int, max_zoom: int) -> list[tuple[int, Extent, Extent]]:
    """(zoom, outer box, inner box): the ring between the boxes is seen at `zoom` and below only."""
    boxes = []
    for zoom in range(min_zoom, max_zoom + 1):
        seen = seen_box(extent, zoom)
        if seen == extent:
            break
        boxes.append((zoom, seen))
    inner = [b for _, b in boxes[1:]] + [extent]
    return [(zoom, outer, inside) for (zoom, outer), inside in zip(boxes, inner)]


def _grown(box_: Extent, degrees: float) -> Extent:
    return Extent(max(box_.west - degrees, -180.0), max(box_.south - degrees, -MAX_LAT),
                  min(box_.east + degrees, 180.0), min(box_.north + degrees, MAX_LAT))


def _overlap(zoom: int) -> float:
    """How far a tier reaches into the coarser ring around it (seen at `zoom` and below):
    two of that ring's pixels, more than the rounding and simplification that could open a
    hairline gap between the two, which the page would stroke as a border."""
    return 2 * degrees_per_pixel(zoom - RING_COARSENING)


def land_extent(extent: Extent, min_zoom: int, max_zoom: int) -> Extent:
    """The box the map's detailed basemap is clipped to: its extent, reaching a little into
    the first ring around it (see _overlap), so the two join without a seam."""
    rings = surround_rings(extent, min_zoom, max_zoom)
    return _grown(extent, _overlap(rings[-1][0])) if rings else extent


# --- detail by region: a story's steps --------------------------------------------------

# The story panel (story.css: 330 px and its margin) floats over one side of a wide screen and
# story.js shifts the step's bounds into the part it leaves free: the screen may reach this
# much farther on either side than a centred view would.
STORY_PANEL_PX = 354


def fit_zoom(bounds: Extent, min_zoom: int, max_zoom: int, screen: tuple[int, int] = DESIGN_SCREEN) -> int:
    """The zoom Leaflet's fitBounds gives `bounds` on `screen` (getBoundsZoom, zoomSnap 1),
    without the story panel's padding, which can only lower it."""
    width_rad = math.radians(bounds.east - bounds.west)
    height_rad = _y(bounds.north) - _y(bounds.south)
    world_px = min(screen[0] * 2 * math.pi / width_rad, screen[1] * 2 * math.pi / height_rad)
    zoom = math.floor(round(math.log2(world_px / TILE_SIZE) * 100) / 100)  # Leaflet rounds to 1/100 first
    return max(min_zoom, min(max_zoom, zoom))


def screen_box(bounds: Extent, zoom: int, screen: tuple[int, int] = DESIGN_SCREEN) -> Extent:
    """All a `screen` can show with `bounds` fitted at `zoom`: centred on them, shifted by the
    story panel either way."""
    world_px = TILE_SIZE * 2**zoom
    half_x = (screen[0] / 2 + STORY_PANEL_PX / 2 + MARGIN_PX) / world_px * 360
    half_y = (screen[1] / 2 + MARGIN_PX) / world_px * 2 * math.pi
    cx, cy = (bounds.west + bounds.east) / 2, (_y(bounds.south) + _y(bounds.north)) / 2
    return Extent(max(min(bounds.west, cx - half_x), -180.0), _lat(max(min(_y(bounds.south), cy - half_y), _y(-MAX_LAT))),
                  min(max(bounds.east, cx + half_x), 180.0), _lat(min(max(_y(bounds.north), cy + half_y), _y(MAX_LAT))))


def story_tiers(views: list[tuple[Extent, int | None]], land: Extent, min_zoom: int, max_zoom: int) -> list[tuple[int, BaseGeometry]]:
    """(zoom, region) from the deepest zoom out: the parts of `land` a story shows at that zoom
    and no deeper. `views`: the default view and every step, as bounds fitted on the design
    screen (zoom None) or a centre (a point) at its zoom; what none shows gets the coarsest zoom."""
    seen: dict[int, list[BaseGeometry]] = defaultdict(list)
    for bounds, given in views:
        zoom = fit_zoom(bounds, min_zoom, max_zoom) if given is None else max(min_zoom, min(max_zoom, given))
        seen[zoom].append(screen_box(bounds, zoom).polygon)
    zooms = sorted(seen, reverse=True)
    tiers, covered = [], None
    for zoom in zooms[:-1]:
        region = shapely.union_all(seen[zoom] + ([covered] if covered is not None else [])).intersection(land.polygon)
        tiers.append((zoom, region if covered is None else region.difference(covered)))
        covered = region
    tiers.append((zooms[-1], land.polygon if covered is None else land.polygon.difference(covered)))
    return [(zoom, region) for zoom, region in tiers if not region.is_empty]


def tiered_coverage(geometries: list[BaseGeometry], tiers: list[tuple[int, BaseGeometry]], decimals: int) -> list[BaseGeometry | None]:
    """Each polygon simplified for the zoom of every tier region it reaches, the pieces joined.

    Each tier's coverage is simplified whole (cache.prepared_coverage: neighbours keep one
    shared edge) and cut by the tier's region. The edges of all the pieces are then noded
    once, together, on the map's grid, and the faces they enclose given back to the polygon
    whose piece holds them: rounding one polygon at a time would bend its border where only
    it has a vertex nearby and open a hairline gap beside its neighbour. So two neighbours
    always meet exactly; where the detail changes, a border may step along the cut by a
    pixel of the coarser tier."""
    grid = 10.0**-decimals
    owners, pieces = [], []
    for zoom, region in tiers:
        # clipped a few pixels wide of the region: the simplifier moves the clip's own corners
        simplified = prepared_coverage(geometries, _grown(Extent(*region.bounds), 4 * degrees_per_pixel(zoom)), zoom)
        for i, geom in enumerate(simplified):
            if geom is not None and geom.intersects(region):
                # on the map's grid: a tier's polygons carry their own, coarser one, which the cut would keep
                polygons = [p for p in shapely.get_parts(shapely.intersection(geom, region, grid_size=grid)) if p.geom_type == "Polygon"]
                if polygons:  # the cut may leave lines and points where a border runs along it
                    owners.append(i)
                    pieces.append(shapely.multipolygons(polygons))
    out: list[BaseGeometry | None] = [None] * len(geometries)
    if not pieces:
        return out
    edges = shapely.union_all(shapely.boundary(np.asarray(pieces, dtype=object)), grid_size=grid)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
    tree = shapely.STRtree(pieces)
    spots = shapely.point_on_surface(faces)
    owner_of: dict[int, int] = {}
    for face, piece in sorted(zip(*tree.query(spots, predicate="within").tolist())):
        owner_of.setdefault(face, owners[piece])
    for face in (f for f in range(len(faces)) if f not in owner_of):  # a float hairline between two pieces
        near = tree.query(spots[face], predicate="dwithin", distance=grid)
        if len(near):
            owner_of[face] = owners[int(min(near))]
    by_owner: dict[int, list[BaseGeometry]] = defaultdict(list)
    for face, owner in sorted(owner_of.items()):
        by_owner[owner].append(faces[face])
    for owner, parts in by_owner.items():
        merged = shapely.coverage_union_all(parts)
        polygons = [p for p in shapely.get_parts(merged) if p.geom_type == "Polygon"]
        out[owner] = polygons[0] if len(polygons) == 1 else shapely.multipolygons(polygons)
    return out


def _without_small_holes(geom: BaseGeometry, min_area: float) -> BaseGeometry:
    """Lakes and river slivers below `min_area` filled: at the map's deepest zoom they would be a dot."""
    parts = []
    for polygon in shapely.get_parts(geom):
        holes = [ring for ring in polygon.interiors if Polygon(ring).area >= min_area]
        parts.append(Polygon(polygon.exterior, holes) if len(holes) != len(polygon.interiors) else polygon)
    return parts[0] if len(parts) == 1 else shapely.multipolygons(parts)


def _shrunk(box_: Extent, degrees: float) -> Extent | None:
    """`box_` less `degrees` on every side, or None if nothing is left."""
    inner = Extent(box_.west + degrees, box_.south + degrees, box_.east - degrees, box_.north - degrees)
    return inner if inner.west < inner.east and inner.south < inner.north else None


def _cut(features: list[tuple[str, BaseGeometry]], clip: Extent, zoom: int, hole: Extent | None) -> list[tuple[str, BaseGeometry]]:
    """`features` clipped to `clip`, simplified for `zoom`, less the `hole` an inner tier fills.

    The hole, all but a band of RING_HOLE_MARGIN_PX along its edge, is left out before
    simplifying (simplify.prepare_coverage; issue 15): the same land as simplifying the hole
    too, from 40 % fewer vertices on the six maps (tests/test_ring_hole.py)."""
    geometries = np.asarray([g for _, g in features], dtype=object)
    nearby = [features[i] for i in np.flatnonzero(shapely.intersects(geometries, clip.polygon))] if features else []
    unused = _shrunk(hole, RING_HOLE_MARGIN_PX * degrees_per_pixel(zoom)) if hole is not None else None
    out = []
    for (iso, _), geom in zip(nearby, prepared_coverage([g for _, g in nearby], clip, zoom, unused)):
        if geom is not None and hole is not None:
            geom = geom.difference(hole.polygon)
        if geom is not None and not geom.is_empty:
            out.append((iso, geom))
    return out


# The lakes cut from Natural Earth's countries: those of 0.1 square degree or more (about 1,000 km²
# at these latitudes: Van, Urmia, Sevan, Balkhash and 28 more in water.geojson), ten pixels across
# and more at zoom 5. The 917 smaller ones are a few pixels at the zooms Natural Earth is drawn at
# (the detailed OSM-derived basemap, used closer in, carries every lake), and cutting them all
# doubled the basemap's CPU and added 11-15 KB gzipped to a page.
LARGE_LAKE_DEG2 = 0.1
# Each Natural Earth layer's countries less the large lakes, per process: (layer id, water id) →
# (layer, water, features); the objects kept to check a hit is theirs (an id is reused once freed).
_LESS_LAKES: dict[tuple[int, int], tuple[object, object, list[tuple[str, BaseGeometry]]]] = {}


def less_lakes(sources: list[BaseLayer]) -> list[tuple[str, BaseGeometry]]:
    """(iso, polygon) of these layers' countries, less the large lakes of water.geojson in them.
    Natural Earth's countries do not cut their lakes (the OSM-derived detailed basemap does),
    so a map drawn from them, and the rings around any map, drew Lake Urmia, Van or Balkhash
    as land (tests/test_basemap_browser.py). Once per layer and process."""
    from .placement import water_polygons

    out: list[tuple[str, BaseGeometry]] = []
    for layer in sources:
        water = water_polygons(layer.path.parent)
        key = (id(layer), id(water))
        hit = _LESS_LAKES.get(key)
        if hit is None or hit[0] is not layer or hit[1] is not water:
            if len(_LESS_LAKES) >= 8:  # a long `serve` session reloads the base files
                _LESS_LAKES.clear()
            hit = _LESS_LAKES[key] = (layer, water, _cut_lakes(
                [(f.props.iso_a3, f.geometry) for f in layer.features],
                [geom for kind, geom in water if kind == "lake" and geom.area >= LARGE_LAKE_DEG2]))
        out.extend(hit[2])
    return out


def _cut_lakes(features: list[tuple[str, BaseGeometry]], lakes: list[BaseGeometry]) -> list[tuple[str, BaseGeometry]]:
    if not lakes or not features:
        return features
    near = defaultdict(list)
    for c, lake in zip(*shapely.STRtree(lakes).query([g for _, g in features], predicate="intersects").tolist()):
        near[c].append(lakes[lake])
    features = list(features)
    for c, nearby in sorted(near.items()):
        iso, geom = features[c]
        features[c] = (iso, shapely.make_valid(shapely.difference(geom, shapely.union_all(nearby))))
    return features


def drawn_land(detail: list[tuple[str, BaseGeometry | None]], base: dict[str, BaseLayer], extent: Extent,
               min_zoom: int, max_zoom: int, decimals: int,
               tiers: list[tuple[int, BaseGeometry]] | None = None) -> tuple[list[tuple[str, BaseGeometry]], list[str]]:
    """Each country's land as drawn: its detailed polygon (clipped to `land_extent`) joined with
    world.geojson where the extent leaves the region, and with the rings around the extent;
    and the attributions of the files the rings were cut from. `tiers` (story_tiers): world.geojson
    is cut tier by tier too, each at its own zoom."""
    sources = [layer for name in SURROUND_FILES if (layer := base.get(name)) is not None]
    features = less_lakes(sources)
    pieces: dict[str, list[BaseGeometry]] = defaultdict(list)
    for iso, geom in detail:
        if geom is not None:
            pieces[iso].append(geom)
    cuts = []
    if "world" in base:  # the extent may leave the region the detailed basemaps cover
        world = less_lakes([base["world"]])
        if tiers is None:
            cuts += _cut(world, land_extent(extent, min_zoom, max_zoom), max_zoom - WORLD_COARSENING, None)
        else:
            world_geoms = tiered_coverage([g for _, g in world], [(z - WORLD_COARSENING, r) for z, r in tiers], decimals)
            cuts += [(iso, g) for (iso, _), g in zip(world, world_geoms) if g is not None]
    rings = surround_rings(extent, min_zoom, max_zoom)
    for zoom, outer, inner in rings:
        reach = _grown(outer, _overlap(zoom - 1)) if zoom > min_zoom else outer
        cuts += _cut(features, reach, zoom - RING_COARSENING, inner)
    for iso, geom in cuts:
        pieces[iso].append(geom)
    grid = 10.0**-decimals
    speck = (2 * degrees_per_pixel(max_zoom)) ** 2
    land = []
    for iso in sorted(pieces):
        merged = shapely.union_all(pieces[iso], grid_size=grid)
        polygons = [p for p in shapely.get_parts(merged) if p.geom_type == "Polygon" and p.area >= speck]
        if polygons:
            land.append((iso, _without_small_holes(shapely.multipolygons(polygons), speck)))
    attributions = sorted({layer.attribution for layer in sources}) if cuts else []
    return land, attributions


# --- locator inset ------------------------------------------------------------------------

LOCATOR_WIDTH = 150  # px; the inset's height follows from its box
LOCATOR_MIN_SPAN = 36.0  # degrees of longitude: enough to hold the Caucasus, the Caspian and its neighbours
LOCATOR_SPAN_FACTOR = 6  # or six times the map's own view, if that is wider


def locator(view: tuple[float, float, float, float], base: dict[str, BaseLayer]) -> dict:
    """A small Web Mercator drawing of the region around the map's view: land as SVG path
    data in pixels, and the projection atlas.js/locator.js need to draw the current view on it."""
    west, south, east, north = view
    span = max(LOCATOR_MIN_SPAN, LOCATOR_SPAN_FACTOR * (east - west))
    cx, cy = (west + east) / 2, (_y(south) + _y(north)) / 2
    half_y = math.radians(span) / 2 * 0.75  # a 4:3 inset
    box_w, box_e = cx - span / 2, cx + span / 2
    box_s, box_n = _lat(cy - half_y), _lat(cy + half_y)
    px_per_rad = LOCATOR_WIDTH / math.radians(span)
    height = round(2 * half_y * px_per_rad)
    tolerance = span / LOCATOR_WIDTH  # one inset pixel
    region = box(box_w, box_s, box_e, box_n)
    geoms = [f.geometry for name in SURROUND_FILES if name in base for f in base[name].features]
    land = shapely.union_all([g.intersection(region) for g in geoms if g.intersects(region)])
    land = shapely.simplify(land, tolerance, preserve_topology=True)

    def project(coords) -> str:
        points = [(round((x - box_w) / 360 * 2 * math.pi * px_per_rad, 1),
                   round((cy + half_y - _y(y)) * px_per_rad, 1)) for x, y in coords]
        return "M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z"

    paths = []
    for polygon in shapely.get_parts(land):
        if polygon.geom_type == "Polygon" and polygon.area >= tolerance**2 * 4:
            paths.append("".join(project(ring.coords) for ring in [polygon.exterior, *polygon.interiors]))
    return {"width": LOCATOR_WIDTH, "height": height, "west": round(box_w, 4), "east": round(box_e, 4),
            "north": round(box_n, 4), "south": round(box_s, 4), "land": "".join(paths)}
