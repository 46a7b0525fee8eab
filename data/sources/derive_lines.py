"""Derive route geometry from base data: sea legs that stay at sea, lines that keep to a bank.

    python data/sources/derive_lines.py

Why: a sea leg drawn straight between two ports cuts headlands (Absheron, Hormozgan, the
Volga delta), and a road drawn as a chord along a border river clips the far bank. Both are
computed here from the committed base data, deterministically, and written to

- data/sources/geometry/sea-legs.geojson  shortest paths at sea between the ports
- data/sources/geometry/banks.geojson     the Aras corridor along the Iranian bank
- data/sources/geometry/land-paths.geojson pipelines through their waypoints, each chord that
  would cross a lake or the sea replaced by the shortest path on land

for data/sources/assemble_layers.py to splice into the layers. Inputs: data/base/water.geojson
(OSM-derived seas and lakes), data/base/countries-detail.geojson (OSM-derived land), the
gazetteer places in data/layers/places.geojson and the routes' waypoints in
data/sources/routes.toml. Nothing is typed in but the route/place ids and the method
parameters below.
"""

from __future__ import annotations

import json
import math
import sys
import tomllib
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from shapely import ops
from shapely.geometry import LineString, Point, box, shape

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from corridor_atlas.measure import _local_aeqd, _reproject, densify, geodesic_length_km, km_by_country  # noqa: E402

GEOD = Geod(ellps="WGS84")
WATER = ROOT / "data" / "base" / "water.geojson"
DETAIL = ROOT / "data" / "base" / "countries-detail.geojson"
PLACES = ROOT / "data" / "layers" / "places.geojson"
ROUTES = ROOT / "data" / "sources" / "routes.toml"
OUT_DIR = ROOT / "data" / "sources" / "geometry"
DECIMALS = 5

# route id -> (port of departure, port of arrival): place ids of data/layers/places.geojson.
SEA_LEGS = {
    "aktau-baku-tankers": ("aktau", "sangachal-terminal"),
    "ceyhan-ashkelon-tankers": ("ceyhan-marine-terminal", "ashkelon"),
    "ceyhan-haifa-tankers": ("ceyhan-marine-terminal", "haifa"),
    "instc-caspian-route": ("astrakhan", "amirabad"),
    "instc-sea-leg-bandar-abbas-mumbai": ("bandar-abbas", "mumbai"),
}
CELL_KM = 2.0          # grid cell of the shortest-path search
CLEARANCE_KM = 2.0     # the path keeps this far off the OSM-derived shore (a ship's offing, and
                       # a margin against the coarser Natural Earth coast used for km per country)
SEARCH_PAD_KM = 150.0  # the search box: the ports' bounding box grown by this much

ARAS = {
    "id": "aras-corridor",
    "bank": "IRN",
    "across": ("AZE", "ARM"),
    "start_place": "zangilan",   # the crossing is the point of the bank line nearest to it
    "bank_end_place": "jolfa-ir",
    "then": ("jolfa-ir", "julfa-az", "nakhchivan-city"),
    "offset_m": 1000.0,
    "border_tolerance_m": 500.0,
}

BANK_SIMPLIFY_M = 20.0  # Douglas-Peucker tolerance of a bank line, metres

# Land routes drawn through their waypoints (routes.toml) whose straight chords would run over
# a lake or the sea: such a chord becomes the shortest path on land between its waypoints.
LAND_PATH_ROUTES = ("btc-pipeline", "cpc-pipeline")
MAX_WATER_STRETCH_KM = 1.0  # as corridor_atlas/geocheck.py: a longer stretch over water is misdrawn
WATER_STEP_KM = 0.25        # geodesic sampling of a line tested against water (as geocheck.py)
LAND_CELL_KM = 1.0          # grid cell of the shortest path on land
LAND_SAMPLE_KM = 0.05       # spacing of the points that measure an edge's length over water
SHORE_MARGIN_KM = 0.2       # the path keeps this far off the water, except where it crosses a
                            # river narrower than 1 km (or starts at a waypoint on the shore)
WATER_COST = 20.0           # a km over water or within SHORE_MARGIN_KM of it costs as much as this
                            # many km on land: the path goes round a lake and crosses a river where
                            # it is narrowest
LAND_PAD_KM = 30.0          # search box: the chord's bounding box grown by this much ...
LAND_PAD_FRACTION = 0.5     # ... or by this fraction of the chord, if more

ATTRIBUTION = ("Derived from © OpenStreetMap contributors (ODbL) water and land polygons "
               "(geo-maps 0.6.0) and GeoNames places (CC BY 4.0)")


# --------------------------------------------------------------------------- inputs


def load_places() -> dict[str, Point]:
    fc = json.loads(PLACES.read_text(encoding="utf-8"))
    return {f["properties"]["id"]: shape(f["geometry"]) for f in fc["features"]}


def load_sea():
    fc = json.loads(WATER.read_text(encoding="utf-8"))
    return shapely.unary_union([shape(f["geometry"]) for f in fc["features"] if f["properties"]["kind"] == "sea"])


def load_countries(path: Path = DETAIL) -> dict:
    fc = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["iso_a3"]: shape(f["geometry"]) for f in fc["features"]}


def explode(geom) -> list:
    return list(geom.geoms) if hasattr(geom, "geoms") else [geom]


def km(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def _round_coords(coords) -> list[list[float]]:
    out = []
    for x, y in coords:
        p = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or p != out[-1]:
            out.append(p)
    return out


# --------------------------------------------------------------------------- sea legs


def grid_path(navigable_m, start_m, end_m, cell_m: float, inv) -> list[tuple[float, float]]:
    """Shortest 16-neighbour path over grid cells whose centres lie in ``navigable_m``.

    Edge weights are geodesic (cell centres taken back to lon/lat with ``inv``). Returns
    the path's cell centres in projected metres, from the cell nearest ``start_m`` to the
    cell nearest ``end_m``.
    """
    minx, miny, maxx, maxy = navigable_m.bounds
    xs = np.arange(math.floor(minx / cell_m), math.ceil(maxx / cell_m) + 1) * cell_m
    ys = np.arange(math.floor(miny / cell_m), math.ceil(maxy / cell_m) + 1) * cell_m
    X, Y = np.meshgrid(xs, ys)
    shapely.prepare(navigable_m)
    ok = shapely.contains_xy(navigable_m, X, Y)
    ny, nx = ok.shape
    index = -np.ones(ok.shape, dtype=np.int64)
    index[ok] = np.arange(ok.sum())
    lon, lat = inv.transform(X[ok], Y[ok])
    rows, cols = np.nonzero(ok)
    src, dst = [], []
    steps = [(1, 0), (0, 1), (1, 1), (1, -1), (2, 1), (1, 2), (2, -1), (1, -2)]
    for dr, dc in steps:
        r2, c2 = rows + dr, cols + dc
        inside = (r2 >= 0) & (r2 < ny) & (c2 >= 0) & (c2 < nx)
        r1, c1, r2, c2 = rows[inside], cols[inside], r2[inside], c2[inside]
        good = ok[r2, c2]
        if max(abs(dr), abs(dc)) == 2:
            # A knight's move passes between two cells: both must be water too.
            if abs(dr) == 2:
                good &= ok[r1 + dr // 2, c1] & ok[r1 + dr // 2, c1 + dc]
            else:
                good &= ok[r1, c1 + dc // 2] & ok[r1 + dr, c1 + dc // 2]
        src.append(index[r1[good], c1[good]])
        dst.append(index[r2[good], c2[good]])
    src, dst = np.concatenate(src), np.concatenate(dst)
    w = GEOD.inv(lon[src], lat[src], lon[dst], lat[dst])[2]
    n = int(ok.sum())
    graph = coo_matrix((np.concatenate([w, w]), (np.concatenate([src, dst]), np.concatenate([dst, src]))),
                       shape=(n, n)).tocsr()
    cx, cy = X[ok], Y[ok]

    def nearest(p):
        return int(np.argmin((cx - p[0]) ** 2 + (cy - p[1]) ** 2))

    a, b = nearest(start_m), nearest(end_m)
    _, pred = dijkstra(graph, indices=a, return_predecessors=True)
    if pred[b] < 0:
        raise SystemExit("no path at sea between the ports")
    path = [b]
    while path[-1] != a:
        path.append(int(pred[path[-1]]))
    return [(float(cx[i]), float(cy[i])) for i in reversed(path)]


def pull_string(points, free_m) -> list[tuple[float, float]]:
    """Drop path vertices while each straight piece stays inside ``free_m`` (greedy).

    From each kept vertex the line goes to the furthest later vertex reachable by a
    straight segment before the first one that is not: the result never leaves the water.
    """
    shapely.prepare(free_m)
    out = [points[0]]
    i = 0
    while i < len(points) - 1:
        j = i + 1
        while j + 1 < len(points) and free_m.contains(LineString([points[i], points[j + 1]])):
            j += 1
        out.append(points[j])
        i = j
    return out


def sea_leg(sea, a: Point, b: Point, cell_km=CELL_KM, clearance_km=CLEARANCE_KM, pad_km=SEARCH_PAD_KM):
    """Shortest path at sea from port ``a`` to port ``b``: (LineString, approach km, to-water km).

    Each port joins the path by a straight approach to the nearest point of the navigable
    water (the sea shrunk by ``clearance_km``).
    """
    fwd, inv = _local_aeqd(LineString([a, b]))
    am, bm = _reproject(a, fwd), _reproject(b, fwd)
    pad = pad_km * 1000.0
    span = box(min(am.x, bm.x) - pad, min(am.y, bm.y) - pad, max(am.x, bm.x) + pad, max(am.y, bm.y) + pad)
    # Clip in lon/lat with a generous box, then exactly in metres.
    lon, lat = inv.transform(*span.exterior.xy)
    sea_near = shapely.clip_by_rect(sea, min(lon) - 1, min(lat) - 1, max(lon) + 1, max(lat) + 1)
    sea_m = _reproject(sea_near, fwd).intersection(span)
    # One connected body of navigable water, the one nearest to both ports (then the
    # largest): shrinking the sea cuts off shallow inlets that a path could not leave.
    navigable = min(explode(sea_m.buffer(-clearance_km * 1000.0)),
                    key=lambda p: (round(p.distance(am) + p.distance(bm)), -p.area))
    ends = [p if navigable.contains(p) else ops.nearest_points(navigable, p)[0] for p in (am, bm)]
    path = grid_path(navigable, (ends[0].x, ends[0].y), (ends[1].x, ends[1].y), cell_km * 1000.0, inv)
    path = pull_string([(ends[0].x, ends[0].y)] + path + [(ends[1].x, ends[1].y)], navigable)
    at_sea = _reproject(LineString(path), inv)
    line = LineString(_round_coords([a.coords[0], *at_sea.coords, b.coords[0]]))
    approach, to_water = {}, {}
    for key, port, pm, q in (("start", a, am, ends[0]), ("end", b, bm, ends[1])):
        # Rounded up, so that the whole approach is excused when the ends are cut off.
        approach[key] = math.ceil(round(km(port.coords[0], _reproject(q, inv).coords[0]) * 10, 6)) / 10
        shore = pm if sea_m.contains(pm) else ops.nearest_points(sea_m, pm)[0]
        to_water[key] = round(km(port.coords[0], _reproject(shore, inv).coords[0]), 1)
    return line, approach, to_water


# --------------------------------------------------------------------------- banks


def bank_line(countries: dict, bank: str, across, start: Point, end: Point,
              offset_m: float = 1000.0, tolerance_m: float = 500.0, pad_km: float = 30.0) -> LineString:
    """The line ``offset_m`` inside ``bank`` along its border with ``across``, start to end.

    The shared border is the part of the bank country's boundary within ``tolerance_m`` of
    the neighbours (two datasets rarely share vertices). The line is the boundary of the
    bank country shrunk by ``offset_m`` (in metres, local azimuthal equidistant projection),
    from its point nearest ``start`` to its point nearest ``end``, going the way that keeps
    to the shared border.
    """
    fwd, inv = _local_aeqd(LineString([start, end]))
    sm, em = _reproject(start, fwd), _reproject(end, fwd)
    pad = pad_km * 1000.0
    work = box(min(sm.x, em.x) - pad, min(sm.y, em.y) - pad, max(sm.x, em.x) + pad, max(sm.y, em.y) + pad)
    lon, lat = inv.transform(*work.exterior.xy)
    degbox = (min(lon) - 0.5, min(lat) - 0.5, max(lon) + 0.5, max(lat) + 0.5)
    bank_m = _reproject(shapely.clip_by_rect(countries[bank], *degbox), fwd).intersection(work)
    across_m = _reproject(shapely.clip_by_rect(shapely.unary_union([countries[c] for c in across]), *degbox), fwd)
    shared = bank_m.boundary.intersection(across_m.buffer(tolerance_m))
    if shared.is_empty:
        raise ValueError(f"{bank} shares no border with {across} here")
    inner = bank_m.buffer(-offset_m)
    parts = list(inner.geoms) if inner.geom_type == "MultiPolygon" else [inner]
    ring = min((p.exterior for p in parts), key=lambda r: r.distance(sm) + r.distance(em))
    d1, d2 = ring.project(sm), ring.project(em)
    length = ring.length
    if d1 <= d2:
        forward = ops.substring(ring, d1, d2)
        backward = ops.linemerge([ops.substring(ring, d2, length), ops.substring(ring, 0, d1)])
        backward = LineString(list(backward.coords)[::-1])
    else:
        forward = ops.linemerge([ops.substring(ring, d1, length), ops.substring(ring, 0, d2)])
        backward = LineString(list(ops.substring(ring, d2, d1).coords)[::-1])
    near_border = shared.buffer(offset_m + tolerance_m + 1.0)

    def along_border(line):
        return line.intersection(near_border).length / line.length

    best = max((forward, backward), key=along_border)
    # The buffer's arcs carry a vertex every few metres; BANK_SIMPLIFY_M keeps the line
    # within that distance of the offset (topology-preserving on a line: no self-crossing).
    return _reproject(best.simplify(BANK_SIMPLIFY_M), inv)


def aras_corridor(countries, places) -> tuple[dict, dict]:
    """The Aras corridor feature and its figures for the report."""
    cfg = ARAS
    start, bank_end = places[cfg["start_place"]], places[cfg["bank_end_place"]]
    bank = bank_line(countries, cfg["bank"], cfg["across"], start, bank_end,
                     cfg["offset_m"], cfg["border_tolerance_m"])
    coords = [tuple(start.coords[0])] + list(bank.coords) + [tuple(places[p].coords[0]) for p in cfg["then"]]
    line = LineString(_round_coords(coords))
    crossing = bank.coords[0]
    props = {
        "id": cfg["id"],
        "geometry_accuracy": "schematic",
        "waypoints_used": [cfg["start_place"], *cfg["then"]],
        "method": (f"straight from Zangilan to the nearest point of a line drawn {cfg['offset_m'] / 1000:g} km "
                   "inside Iran along the OSM-derived Azerbaijan/Armenia–Iran border (the Aras), along that line "
                   "to its point nearest Jolfa, then straight through Jolfa, across the Aras to Julfa (the towns "
                   "face each other at the bridge; the crossing point is schematic) and to Nakhchivan"),
    }
    figures = {
        "km": geodesic_length_km(line),
        "km_by_country": km_by_country(line, countries, step_km=0.5),
        "crossing": [round(c, DECIMALS) for c in crossing],
        "zangilan_to_crossing_km": km(start.coords[0], crossing),
        "bank_km": geodesic_length_km(bank),
    }
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in line.coords]}}, figures


# --------------------------------------------------------------------------- land paths


def load_water():
    """All water, seas and lakes, as corridor_atlas/geocheck.py judges a land route against it."""
    fc = json.loads(WATER.read_text(encoding="utf-8"))
    return shapely.unary_union([shape(f["geometry"]) for f in fc["features"]])


def water_stretches_km(line, water) -> list[float]:
    """Km of each stretch of ``line`` (lon/lat, along geodesics) over ``water``, measured as geocheck.py does."""
    dense = densify(line, WATER_STEP_KM)
    minx, miny, maxx, maxy = dense.bounds
    wet = dense.intersection(shapely.clip_by_rect(water, minx - 0.01, miny - 0.01, maxx + 0.01, maxy + 0.01))
    pieces = [piece for piece in explode(wet) if piece.geom_type == "LineString" and not piece.is_empty]
    return [geodesic_length_km(piece) for piece in pieces]


def land_grid_path(shore_m, extent_m, start_m, end_m, cell_m: float, inv,
                   sample_m: float = LAND_SAMPLE_KM * 1000.0) -> list[tuple[float, float]]:
    """Cheapest 16-neighbour path over grid cells in ``extent_m``, water allowed at a price.

    An edge costs its geodesic length times 1 + WATER_COST × its share over ``shore_m``
    (the water and its margin), the share measured at points ``sample_m`` apart: a crossing
    costs in proportion to its length, so a river is crossed where it is narrowest and a
    lake is gone round. Returns cell centres in projected metres, from the cell nearest
    ``start_m`` to the cell nearest ``end_m``.
    """
    minx, miny, maxx, maxy = extent_m.bounds
    xs = np.arange(math.floor(minx / cell_m), math.ceil(maxx / cell_m) + 1) * cell_m
    ys = np.arange(math.floor(miny / cell_m), math.ceil(maxy / cell_m) + 1) * cell_m
    X, Y = np.meshgrid(xs, ys)
    ny, nx = X.shape
    cx, cy = X.ravel(), Y.ravel()
    lon, lat = inv.transform(cx, cy)
    # An edge (at most √5 cells long) whose ends both lie further than 1.2 cells from the
    # shore band cannot touch it: only the others are sampled.
    shapely.prepare(shore_m)
    near_band = shore_m.buffer(1.2 * cell_m)
    shapely.prepare(near_band)
    near = shapely.contains_xy(near_band, X, Y).ravel()
    rows, cols = np.divmod(np.arange(nx * ny), nx)
    src, dst, cost = [], [], []
    for dr, dc in [(1, 0), (0, 1), (1, 1), (1, -1), (2, 1), (1, 2), (2, -1), (1, -2)]:
        r2, c2 = rows + dr, cols + dc
        inside = (r2 >= 0) & (r2 < ny) & (c2 >= 0) & (c2 < nx)
        a, b = rows[inside] * nx + cols[inside], r2[inside] * nx + c2[inside]
        length = GEOD.inv(lon[a], lat[a], lon[b], lat[b])[2]
        factor = np.ones(len(a))
        n = math.ceil(cell_m * math.hypot(dr, dc) / sample_m)
        t = (np.arange(n) + 0.5) / n  # midpoints of n equal pieces
        probed = np.flatnonzero(near[a] | near[b])
        if len(probed):
            ia, ib = a[probed], b[probed]
            px = cx[ia, None] + (cx[ib] - cx[ia])[:, None] * t
            py = cy[ia, None] + (cy[ib] - cy[ia])[:, None] * t
            factor[probed] += WATER_COST * shapely.contains_xy(shore_m, px, py).mean(axis=1)
        src.append(a)
        dst.append(b)
        cost.append(length * factor)
    src, dst, cost = np.concatenate(src), np.concatenate(dst), np.concatenate(cost)
    n = nx * ny
    graph = coo_matrix((np.concatenate([cost, cost]), (np.concatenate([src, dst]), np.concatenate([dst, src]))),
                       shape=(n, n)).tocsr()

    def nearest(p):
        return int(np.argmin((cx - p[0]) ** 2 + (cy - p[1]) ** 2))

    a, b = nearest(start_m), nearest(end_m)
    _, pred = dijkstra(graph, indices=a, return_predecessors=True)
    path = [b]
    while path[-1] != a:
        path.append(int(pred[path[-1]]))
    return [(float(cx[i]), float(cy[i])) for i in reversed(path)]


def land_path(water, a: Point, b: Point, cell_km: float = LAND_CELL_KM, margin_km: float = SHORE_MARGIN_KM,
              pad_km: float = LAND_PAD_KM, pad_fraction: float = LAND_PAD_FRACTION) -> LineString:
    """Shortest path on land from ``a`` to ``b`` (lon/lat), round the water, straightened.

    The grid path (:func:`land_grid_path`) is pulled straight (:func:`pull_string`) inside
    the land kept ``margin_km`` off the water, widened by the grid path's own stretches
    nearer the water than that (its river crossings, and the ends if a waypoint lies by the
    shore): the straightened line crosses water only where the grid path does.
    """
    fwd, inv = _local_aeqd(LineString([a, b]))
    am, bm = _reproject(a, fwd), _reproject(b, fwd)
    pad = max(pad_km * 1000.0, pad_fraction * am.distance(bm))
    extent = box(min(am.x, bm.x) - pad, min(am.y, bm.y) - pad, max(am.x, bm.x) + pad, max(am.y, bm.y) + pad)
    lon, lat = inv.transform(*extent.exterior.xy)
    water_near = shapely.clip_by_rect(water, min(lon) - 1, min(lat) - 1, max(lon) + 1, max(lat) + 1)
    wet = _reproject(water_near, fwd).intersection(extent.buffer(5 * cell_km * 1000.0))
    shore = wet.buffer(margin_km * 1000.0)
    cells = land_grid_path(shore, extent, (am.x, am.y), (bm.x, bm.y), cell_km * 1000.0, inv)
    path = [(am.x, am.y)] + cells + [(bm.x, bm.y)]
    near_water = LineString(path).intersection(shore)
    free = shapely.union_all([extent.difference(shore), near_water.buffer(1.0)])
    straight = pull_string(path, free)
    return LineString([a.coords[0], *(inv.transform(x, y) for x, y in straight[1:-1]), b.coords[0]])


def route_over_land(water, places: dict[str, Point], waypoints: list[str]) -> tuple[LineString, list[dict]]:
    """The route through its waypoints, each chord over water for more than MAX_WATER_STRETCH_KM on land instead.

    Returns the line and, per replaced chord, its ends and km before and after.
    """
    coords, replaced = [tuple(places[waypoints[0]].coords[0])], []
    for u, v in zip(waypoints, waypoints[1:]):
        chord = LineString([places[u], places[v]])
        over = water_stretches_km(chord, water)
        if max(over, default=0.0) <= MAX_WATER_STRETCH_KM:
            coords.append(tuple(places[v].coords[0]))
            continue
        path = land_path(water, places[u], places[v])
        coords.extend(path.coords[1:])
        replaced.append({"from": u, "to": v, "straight_km": geodesic_length_km(chord),
                         "straight_water_km": [round(k, 2) for k in over],
                         "path_km": geodesic_length_km(path),
                         "path_water_km": [round(k, 2) for k in water_stretches_km(path, water)]})
    return LineString(_round_coords(coords)), replaced


def land_path_feature(route: dict, water, places: dict[str, Point],
                      names: dict[str, str]) -> tuple[dict, list[dict]]:
    """The route's feature for land-paths.geojson (refused if water remains) and its replaced chords."""
    line, replaced = route_over_land(water, places, route["waypoints"])
    worst = max(water_stretches_km(line, water), default=0.0)
    if worst > MAX_WATER_STRETCH_KM:
        raise SystemExit(f"{route['id']}: the land path still runs {worst:.2f} km over water in one stretch")
    chords = " and ".join(f"{names[r['from']]} to {names[r['to']]}" for r in replaced)
    props = {
        "id": route["id"],
        "geometry_accuracy": "schematic",
        "waypoints_used": list(route["waypoints"]),
        "method": (f"Straight between the documented waypoints, except {chords or 'none'}, each drawn as the "
                   f"shortest path on land between its two waypoints (no documented point between them) round "
                   f"the seas and lakes of data/base/water.geojson ({LAND_CELL_KM:g} km grid with 16 neighbours "
                   f"and geodesic weights, a km over water or within {SHORE_MARGIN_KM * 1000:g} m of it costing "
                   f"{WATER_COST:g} km so that a river is crossed where narrowest), then straightened where a "
                   f"straight piece stays {SHORE_MARGIN_KM * 1000:g} m off the water."),
    }
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in line.coords]}}, replaced


# --------------------------------------------------------------------------- output


def write_fc(path: Path, features: list[dict]) -> None:
    fc = {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}
    text = json.dumps(fc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text.replace(',{"geometry":', ',\n{"geometry":').replace('[{"geometry":', '[\n{"geometry":') + "\n",
                    encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)", file=sys.stderr)


def main() -> int:
    places, sea = load_places(), load_sea()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    features = []
    for route_id, (a, b) in SEA_LEGS.items():
        line, approach, to_water = sea_leg(sea, places[a], places[b])
        coords = _round_coords(line.coords)
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                         "properties": {
                             "id": route_id, "geometry_accuracy": "schematic", "approach_km": approach,
                             "waypoints_used": [a, b],
                             "method": (f"shortest path at sea between the ports on the OSM-derived sea polygon "
                                        f"(data/base/water.geojson), {CELL_KM:g} km grid with 16 neighbours and "
                                        f"geodesic weights, kept {CLEARANCE_KM:g} km off the shore, then "
                                        "straightened where a straight piece stays at sea; straight port approaches")}})
        print(f"{route_id}: {geodesic_length_km(LineString(coords)):.1f} km, approach {approach}, "
              f"port to water {to_water}", file=sys.stderr)
    write_fc(OUT_DIR / "sea-legs.geojson", features)
    aras, figures = aras_corridor(load_countries(), places)
    write_fc(OUT_DIR / "banks.geojson", [aras])
    print(f"aras-corridor: {figures}", file=sys.stderr)
    routes = {r["id"]: r for r in tomllib.loads(ROUTES.read_text(encoding="utf-8"))["route"]}
    names = {f["properties"]["id"]: f["properties"]["name"]
             for f in json.loads(PLACES.read_text(encoding="utf-8"))["features"]}
    water, land_features = load_water(), []
    for route_id in LAND_PATH_ROUTES:
        feature, replaced = land_path_feature(routes[route_id], water, places, names)
        land_features.append(feature)
        print(f"{route_id}: {geodesic_length_km(shape(feature['geometry'])):.1f} km", file=sys.stderr)
        for r in replaced:
            print(f"  {r['from']} -> {r['to']}: straight {r['straight_km']:.1f} km (water {r['straight_water_km']}), "
                  f"on land {r['path_km']:.1f} km (water {r['path_water_km']})", file=sys.stderr)
    write_fc(OUT_DIR / "land-paths.geojson", land_features)
    return 0


if __name__ == "__main__":
    sys.exit(main())
