"""Compact polygon encoding for the page payload: quantised, delta-encoded integers.

Basemap polygons are most of a page's bytes. After rounding to the grid the map's zoom
needs, each coordinate is an integer number of grid steps; storing the first vertex of a
ring and then only the step from one vertex to the next turns "44.8127,40.1532" into
"3,-2". `atlas.js` (decodePolygons) turns it back into GeoJSON in the browser. Same idea
as TopoJSON's quantisation, without the topology.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry


def encode_polygons(geom: BaseGeometry, decimals: int) -> list[list[list[int]]]:
    """[[ring, ...] per polygon], each ring [x0, y0, dx1, dy1, ...] in units of 10^-decimals."""
    scale = 10**decimals
    polygons = []
    for polygon in shapely.get_parts(geom):
        if polygon.geom_type != "Polygon":
            continue
        rings = []
        for ring in [polygon.exterior, *polygon.interiors]:
            flat: list[int] = []
            px = py = 0
            for x, y in ring.coords:
                ix, iy = round(x * scale), round(y * scale)
                flat += [ix - px, iy - py]
                px, py = ix, iy
            rings.append(flat)
        polygons.append(rings)
    return polygons


def decode_polygons(encoded: list[list[list[int]]], decimals: int) -> dict:
    """The inverse, as a GeoJSON MultiPolygon (the same algorithm atlas.js runs)."""
    scale = 10**decimals
    polygons = []
    for rings in encoded:
        out_rings = []
        for flat in rings:
            x = y = 0
            coords = []
            for i in range(0, len(flat), 2):
                x += flat[i]
                y += flat[i + 1]
                coords.append([x / scale, y / scale])
            out_rings.append(coords)
        polygons.append(out_rings)
    return {"type": "MultiPolygon", "coordinates": polygons}
