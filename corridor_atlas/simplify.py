"""Prepare geometry for one map: clip to its extent, simplify for its deepest zoom, round.

The error budget is one screen pixel at the map's maximum zoom: below that nobody can see
the difference, above it a border visibly moves. Base polygons are simplified together
with shapely's `coverage_simplify`, so neighbouring countries keep sharing one edge (no
gaps, no overlaps). Coordinates are then rounded to the decimals that pixel needs, and
parts smaller than a few pixels are dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

TILE_SIZE = 256


def degrees_per_pixel(zoom: int) -> float:
    """Longitude degrees covered by one screen pixel at `zoom` (Web Mercator, equator)."""
    return 360.0 / (TILE_SIZE * 2**zoom)


def decimals_for_zoom(zoom: int) -> int:
    """Decimal places that keep rounding error under half a pixel at `zoom`."""
    return max(0, math.ceil(-math.log10(degrees_per_pixel(zoom) / 2)))


@dataclass(frozen=True)
class Extent:
    """The part of the world a map may show: its view padded, so panning finds land."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def around(cls, west: float, south: float, east: float, north: float, pad: float = 0.2) -> "Extent":
        dx, dy = (east - west) * pad, (north - south) * pad
        return cls(max(west - dx, -180), max(south - dy, -85), min(east + dx, 180), min(north + dy, 85))

    @property
    def polygon(self) -> BaseGeometry:
        return box(self.west, self.south, self.east, self.north)

    def leaflet_bounds(self) -> list[list[float]]:
        return [[self.south, self.west], [self.north, self.east]]

    def within(self, other: tuple[float, float, float, float]) -> bool:
        w, s, e, n = other
        return self.west >= w and self.south >= s and self.east <= e and self.north <= n


def round_coordinates(geom: BaseGeometry, decimals: int) -> BaseGeometry:
    """Snap to a grid of 10^-decimals degrees, keeping the geometry valid."""
    return shapely.set_precision(geom, 10.0 ** -decimals, mode="valid_output")


def _as_multipolygon(parts: list) -> BaseGeometry | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.multipolygons(parts)


# Base polygons clipped by a region they lie strictly inside, per process: id → (polygon, clip).
_UNCUT: dict[int, tuple[BaseGeometry, BaseGeometry]] = {}
_UNCUT_MAX = 4096


def _uncut(polygon: BaseGeometry) -> BaseGeometry:
    """`polygon` clipped by any region it lies strictly inside. GEOS rebuilds its rings the same
    way whatever the region (tests/test_ring_hole.py), so the maps a worker prepares and the
    rings of one map clip each such polygon once (issue 15: shared work in one build)."""
    hit = _UNCUT.get(id(polygon))
    if hit is not None and hit[0] is polygon:
        return hit[1]
    west, south, east, north = polygon.bounds
    clipped = shapely.intersection(polygon, box(west - 1, south - 1, east + 1, north + 1))
    if not shapely.is_valid(clipped):
        clipped = shapely.make_valid(clipped)
    if len(_UNCUT) >= _UNCUT_MAX:  # a long `serve` session reloads the base files
        _UNCUT.clear()
    _UNCUT[id(polygon)] = (polygon, clipped)
    return clipped


# A coverage with more vertices than steps of this fraction of the tolerance along its
# borders is snapped to a grid of that step before it is simplified (_thinned).
THIN_STEP = 1 / 8


def _thinned(polygons: list[BaseGeometry], tolerance: float) -> list[BaseGeometry]:
    """`polygons` snapped to a grid of tolerance/8 when they are far denser than that grid.

    GEOS's coverage simplification slows superlinearly with the number of vertices per unit
    length of border (docs/benchmark.md, fifth pass: 0.02 s, 0.21 s, 3.6 s for 1x, 10x, 100x
    the vertices of the same borders); snapping is O(n log n), keeps neighbours' shared edges
    shared (the same coordinates snap to the same grid point) and moves no vertex by more than
    0.09 of the tolerance. The open data behind the maps is nowhere that dense at the zooms a
    map is simplified for, so its output is unchanged (tests/test_ring_hole.py checks it)."""
    if not polygons:
        return polygons
    step = tolerance * THIN_STEP
    geoms = np.asarray(polygons, dtype=object)
    if shapely.get_num_coordinates(geoms).sum() <= shapely.length(geoms).sum() / step:
        return polygons
    return list(shapely.set_precision(geoms, step, mode="valid_output"))


def prepare_coverage(
    geometries: list[BaseGeometry], extent: Extent, max_zoom: int, hole: Extent | None = None
) -> list[BaseGeometry | None]:
    """Clip, simplify as one coverage, round and de-speck polygons; None where nothing is left.

    `hole`: a box strictly inside `extent` whose land the caller throws away (basemap._cut: what
    an inner ring draws). It is left out before simplifying, which costs in proportion to the
    vertices: most of a ring's lie in its hole. A polygon wholly inside it is not clipped at all,
    one wholly inside the region is clipped once per process (_uncut)."""
    pixel = degrees_per_pixel(max_zoom)
    items = np.asarray(geometries, dtype=object)
    clipped = np.full(len(items), None, dtype=object)
    if len(items):
        west, south, east, north = shapely.bounds(items).T
        region, unused = extent.polygon, np.zeros(len(items), dtype=bool)
        inside = (west > extent.west) & (south > extent.south) & (east < extent.east) & (north < extent.north)
        if hole is not None:
            region = Polygon(region.exterior, [hole.polygon.exterior])
            unused = (west > hole.west) & (south > hole.south) & (east < hole.east) & (north < hole.north)
            inside &= (west > hole.east) | (east < hole.west) | (south > hole.north) | (north < hole.south)
        cut = ~inside & ~unused
        clipped[cut] = shapely.intersection(items[cut], region)  # one call, the same GEOS work
        invalid = cut & ~shapely.is_valid(clipped)
        clipped[invalid] = shapely.make_valid(clipped[invalid])
        clipped[unused] = shapely.Polygon()
        for i in np.flatnonzero(inside):
            clipped[i] = _uncut(items[i])
    clipped = [shapely.get_parts(g) for g in clipped]
    # parts of one clipped valid polygon never overlap: gather them, no union needed
    polygons = [_as_multipolygon([p for p in parts if p.geom_type == "Polygon"]) for parts in clipped]
    present = [i for i, g in enumerate(polygons) if g is not None and not g.is_empty]
    simplified = shapely.coverage_simplify(_thinned([polygons[i] for i in present], pixel), tolerance=pixel)
    out: list[BaseGeometry | None] = [None] * len(geometries)
    speck = (2 * pixel) ** 2
    decimals = decimals_for_zoom(max_zoom)
    for i, geom in zip(present, simplified):
        parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area >= speck]
        if not parts:
            continue
        rounded = round_coordinates(_as_multipolygon(parts), decimals)
        out[i] = rounded if not rounded.is_empty else None
    return out


def prepare_line_or_point(geom: BaseGeometry, max_zoom: int) -> BaseGeometry:
    """Curated lines and points are few-vertex already: only round them."""
    decimals = decimals_for_zoom(max_zoom)
    if geom.geom_type == "Point":
        return shapely.Point(round(geom.x, decimals), round(geom.y, decimals))
    simplified = shapely.simplify(geom, degrees_per_pixel(max_zoom) / 2, preserve_topology=True)
    return round_coordinates(simplified, decimals)


def prepare_line_for_story(geom: BaseGeometry, tiers: list[tuple[int, BaseGeometry]] | None, max_zoom: int) -> BaseGeometry:
    """A story's line, each stretch simplified for the deepest zoom the story shows it at.

    `tiers` (basemap.story_tiers): disjoint regions, each with the deepest zoom the default
    view or a step shows it at on the design screen. Each segment takes the deepest zoom of
    the regions it touches; a run of segments of one zoom is simplified to half a pixel at
    that zoom, its end vertices kept, so the runs join where they met. The grid stays the
    map's (max_zoom), like the basemap's tiers: a reader who zooms past a step sees a line
    as coarse as the land around it, and the page does not carry the Indian Ocean leg's
    bends to the metre. Points and areas, and every feature of a map without tiers (None: no
    steps), are prepared as on any map (prepare_line_or_point)."""
    if geom.geom_type not in ("LineString", "MultiLineString") or not tiers:
        return prepare_line_or_point(geom, max_zoom)
    coarsest = min(zoom for zoom, _ in tiers)
    shapely.prepare([region for _, region in tiers])
    lines = []
    for part in shapely.get_parts(geom):
        xy = shapely.get_coordinates(part)
        if len(xy) < 3:
            lines.append(part)
            continue
        segments = shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))
        zoom = np.full(len(segments), coarsest)
        for tier_zoom, region in tiers:
            zoom = np.where(shapely.intersects(segments, region), np.maximum(zoom, tier_zoom), zoom)
        runs = np.flatnonzero(np.diff(zoom)) + 1  # first segment of each run after the first
        coords: list[np.ndarray] = []
        for start, end in zip([0, *runs], [*runs, len(segments)]):
            run = shapely.linestrings(xy[start:end + 1])
            kept = shapely.get_coordinates(shapely.simplify(run, degrees_per_pixel(int(zoom[start])) / 2, preserve_topology=True))
            coords.append(kept if not coords else kept[1:])
        lines.append(shapely.linestrings(np.concatenate(coords)))
    joined = lines[0] if geom.geom_type == "LineString" else shapely.multilinestrings(lines)
    return round_coordinates(joined, decimals_for_zoom(max_zoom))


def geojson_geometry(geom: BaseGeometry) -> dict:
    """GeoJSON dict with plain lists (stable JSON serialisation)."""
    def listify(value):
        if isinstance(value, (list, tuple)):
            return [listify(v) for v in value]
        return value

    data = mapping(geom)
    return {"type": data["type"], "coordinates": listify(data["coordinates"])}


def vertex_count(geom: BaseGeometry) -> int:
    return int(shapely.get_num_coordinates(geom))
