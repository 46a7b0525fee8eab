"""Geodesic measures: lengths, areas, km per country, border crossings, shared borders.

Why geodesic: every figure the atlas prints next to a route ("1,768 km, 3 countries")
is compared with a reported figure from a source. Planar measures on longitude/latitude
are wrong by a factor that changes with latitude (a degree of longitude is 111 km at the
equator, 56 km at 60°N), so all lengths and areas here are computed on the WGS84
ellipsoid with ``pyproj.Geod`` (Karney's algorithms, exact to a few nanometres).

Inputs are shapely geometries in longitude/latitude degrees (RFC 7946 order).

How "which country is this point of the line in" is decided: by planar point-in-polygon
in longitude/latitude, which is how the base polygons themselves are defined (their edges
are straight in lon/lat). A long straight route segment, however, is a geodesic on the
ground, so before testing membership every segment is densified along its geodesic
(``densify``, default every 5 km): the line is then judged along its real path, not along
a lon/lat chord that may cut a different corner of a border.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely import ops
from shapely.geometry import LineString, MultiLineString, Point, box
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

GEOD = Geod(ellps="WGS84")

#: Pieces of a line shorter than this inside a country are treated as artefacts of coarse
#: borders (a port or terminal digitised a few hundred metres on the wrong side of a
#: 1:10m border), not as passing through that country.
DEFAULT_SLIVER_KM = 1.0

#: Default spacing when densifying along the geodesic before judging membership.
DEFAULT_STEP_KM = 5.0


def _lines(geom: BaseGeometry) -> list[LineString]:
    """The LineStrings inside ``geom`` (empty list for points, polygons, empties)."""
    if geom.is_empty:
        return []
    if geom.geom_type in ("LineString", "LinearRing"):
        return [LineString(geom.coords)]
    if hasattr(geom, "geoms"):
        out: list[LineString] = []
        for part in geom.geoms:
            out.extend(_lines(part))
        return out
    return []


def geodesic_length_km(geom: BaseGeometry) -> float:
    """Length in km of a (Multi)LineString on the WGS84 ellipsoid.

    Each segment is taken as the geodesic between its two vertices. Non-line parts of a
    collection (points, from an intersection) contribute nothing.
    """
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        raise TypeError("geodesic_length_km expects lines; use geom.boundary for a perimeter")
    return sum(GEOD.geometry_length(line) for line in _lines(geom)) / 1000.0


def geodesic_area_km2(geom: BaseGeometry) -> float:
    """Area in km² of a (Multi)Polygon on the WGS84 ellipsoid.

    ``Geod.geometry_area_perimeter`` returns a *signed* area (negative for clockwise
    exterior rings), so rings are oriented first (exterior counter-clockwise, holes
    clockwise): holes are then subtracted and the result is positive whatever winding the
    source data used.
    """
    if geom.is_empty:
        return 0.0
    if geom.geom_type == "Polygon":
        parts = [geom]
    elif geom.geom_type == "MultiPolygon":
        parts = list(geom.geoms)
    elif geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return sum(geodesic_area_km2(g) for g in parts)
    else:
        raise TypeError(f"geodesic_area_km2 expects polygons, got {geom.geom_type}")
    total = 0.0
    for poly in parts:
        area, _ = GEOD.geometry_area_perimeter(orient(poly, sign=1.0))
        total += area
    return total / 1e6


def densify(line: BaseGeometry, step_km: float = DEFAULT_STEP_KM) -> BaseGeometry:
    """Insert points along each segment's geodesic so that no piece exceeds ``step_km``.

    Uses ``Geod.npts`` (points on the geodesic), so the result follows the ground path of
    the route. Returns a LineString, or a MultiLineString for multi-part input.
    """
    if step_km <= 0:
        raise ValueError("step_km must be positive")
    return _densified(shapely.to_wkb(line), float(step_km))


@lru_cache(maxsize=1024)
def _densified(wkb: bytes, step_km: float) -> BaseGeometry:
    """densify, once per line and step in a process: the rules, the border choice and the
    comparison measures densify the same route several times (geometries are immutable)."""
    out = []
    for part in _lines(shapely.from_wkb(wkb)):
        coords = list(part.coords)
        xy = np.asarray(coords, dtype=float)[:, :2]
        dists = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2]  # every segment at once: the same numbers
        dense = [coords[0][:2]]
        for (x1, y1, *_), (x2, y2, *_), dist in zip(coords, coords[1:], dists):
            n = math.ceil(float(dist) / 1000.0 / step_km) - 1
            if n > 0:
                dense.extend(GEOD.npts(x1, y1, x2, y2, n))
            dense.append((x2, y2))
        out.append(LineString(dense))
    if len(out) == 1:
        return out[0]
    return MultiLineString(out)


def km_by_country(
    line: BaseGeometry,
    countries: Mapping[str, BaseGeometry],
    step_km: float = DEFAULT_STEP_KM,
) -> dict[str, float]:
    """Geodesic km of ``line`` inside each country polygon (countries it never enters omitted).

    The line is densified along its geodesic first (see module docstring). A stretch lying
    exactly on a shared border belongs to the closure of both polygons and is counted in
    both; stretches outside every polygon (sea) are counted in none, so the values need not
    add up to the line's length.
    """
    dense = densify(line, step_km)
    out: dict[str, float] = {}
    for code in sorted(countries):
        poly = countries[code]
        if not dense.intersects(poly):
            continue
        km = geodesic_length_km(dense.intersection(poly))
        if km > 0:
            out[code] = km
    return out


def _pieces_along(
    line: BaseGeometry,
    countries: Mapping[str, BaseGeometry],
    min_km: float,
    step_km: float,
) -> list[tuple[float, str]]:
    """(position along the line, country) for every piece of the line inside a country."""
    dense = densify(line, step_km)
    # Position along the line: planar distance along the densified lon/lat path, which is
    # monotonic along the line and so good for ordering (not for measuring).
    merged = dense if dense.geom_type == "LineString" else ops.linemerge(dense)
    pieces: list[tuple[float, str]] = []
    for code in sorted(countries):
        poly = countries[code]
        if not dense.intersects(poly):
            continue
        inside = _lines(dense.intersection(poly))
        for piece in _lines(ops.linemerge(inside)) if inside else []:
            if geodesic_length_km(piece) < min_km:
                continue
            start = merged.project(Point(piece.coords[0]))
            end = merged.project(Point(piece.coords[-1]))
            pieces.append((min(start, end), code))
    pieces.sort()
    return pieces


def countries_along(
    line: BaseGeometry,
    countries: Mapping[str, BaseGeometry],
    min_km: float = DEFAULT_SLIVER_KM,
    step_km: float = DEFAULT_STEP_KM,
) -> list[str]:
    """Ordered codes of the countries ``line`` passes through, from its first vertex on.

    Pieces shorter than ``min_km`` inside a country are dropped as border slivers;
    consecutive repeats are merged (A, sea, A is just A). A line that doubles back over
    itself is ordered by where each piece first starts, which is ambiguous: draw such
    routes as separate features.
    """
    seq: list[str] = []
    for _, code in _pieces_along(line, countries, min_km, step_km):
        if not seq or seq[-1] != code:
            seq.append(code)
    return seq


DEFAULT_CHORD_SLACK_KM = 12.0


def countries_along_waypoints(
    stops: Sequence[tuple[str, tuple[float, float]]],
    countries: Mapping[str, BaseGeometry],
    min_km: float = 3.0,
    chord_slack_km: float = DEFAULT_CHORD_SLACK_KM,
) -> tuple[list[str], list[str]]:
    """Countries a schematic route passes through, judged chord by chord; and the chords that stray.

    A schematic line is a chain of straight chords between documented stops (country code,
    (lon, lat)). A chord between two stops in the same country stands for a track inside
    that country: where it cuts the bend of a border river it may clip a neighbour, which
    is drawing, not geography, so it counts as that country alone, provided the clipped
    km stay within ``chord_slack_km`` (otherwise it is returned as a stray). A chord
    between two countries contributes the countries it crosses (slivers under ``min_km``
    ignored), starting and ending with its stops' countries.
    """
    seq: list[str] = []
    strays: list[str] = []
    for (ca, a), (cb, b) in zip(stops, stops[1:]):
        chord = LineString([a, b])
        if ca == cb:
            foreign = {k: v for k, v in km_by_country(chord, countries).items() if k != ca}
            if sum(foreign.values()) > chord_slack_km:
                strays.append(f"{a}→{b}: {', '.join(f'{k} {v:.1f} km' for k, v in sorted(foreign.items()))}")
            part = [ca]
        else:
            part = countries_along(chord, countries, min_km=min_km)
            if not part or part[0] != ca:
                part.insert(0, ca)
            if part[-1] != cb:
                part.append(cb)
        for code in part:
            if not seq or seq[-1] != code:
                seq.append(code)
    return seq, strays


def border_crossings(
    line: BaseGeometry,
    countries: Mapping[str, BaseGeometry],
    min_km: float = DEFAULT_SLIVER_KM,
    step_km: float = DEFAULT_STEP_KM,
) -> int:
    """Number of changes of country along ``line`` (``len(countries_along) - 1``).

    Rule: a change from country A to a different country B counts once, whether the two
    touch or a stretch of sea (or any area outside every polygon) lies between them; going
    from A out to sea and back to A counts zero. Slivers under ``min_km`` are ignored as in
    :func:`countries_along`.
    """
    return max(0, len(countries_along(line, countries, min_km, step_km)) - 1)


def _local_aeqd(geom: BaseGeometry) -> tuple[Transformer, Transformer]:
    c = geom.centroid
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m")
    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return fwd, inv


def shared_border_km(a: BaseGeometry, b: BaseGeometry, tolerance_m: float = 500.0) -> float:
    """Geodesic km of ``a``'s boundary lying within ``tolerance_m`` metres of polygon ``b``.

    Two datasets (or two generalised polygons of one dataset) rarely share vertices
    exactly, so the shared border is taken as the part of a's boundary inside b buffered by
    ``tolerance_m``. The buffer is built in metres in an azimuthal equidistant projection
    centred on ``a`` (a metre is a metre in every direction there), the clipped boundary is
    taken back to lon/lat and measured on the ellipsoid. Near a three-country junction up to
    about ``tolerance_m`` may be counted for both neighbours.
    """
    if a.is_empty or b.is_empty:
        return 0.0
    minx, miny, maxx, maxy = a.bounds
    pad = 0.1 + tolerance_m / 50_000.0  # degrees; generous, only limits work
    b_near = b.intersection(box(minx - pad, miny - pad, maxx + pad, maxy + pad))
    if b_near.is_empty:
        return 0.0
    fwd, inv = _local_aeqd(a)
    a_m = _reproject(a.boundary, fwd)
    b_m = _reproject(b_near, fwd).buffer(tolerance_m)
    shared = a_m.intersection(b_m)
    if shared.is_empty:
        return 0.0
    return geodesic_length_km(_reproject(shared, inv))


def _reproject(geom: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    def xy(coords):
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, xy)
