"""Compact encodings for the page payload: quantised, delta-encoded integers, one sources table.

Basemap polygons are most of a page's bytes. After rounding to the grid the map's zoom
needs, each coordinate is an integer number of grid steps; storing the first vertex of a
ring and then only the step from one vertex to the next turns "44.8127,40.1532" into
"3,-2". Each ring's integers are then written as one string of printable characters, five
bits a character with a continuation bit (Google's encoded polyline scheme, with an
alphabet that JSON and HTML never escape), so a small step costs one character instead
of two or three: about 11% fewer gzipped bytes than the integers as JSON numbers.
`atlas.js` (decodeCountries) turns it back into GeoJSON in the browser. Same idea
as TopoJSON's quantisation, without the topology. Curated lines and areas get the same encoding
(``compact_layers``: ``{"type": "LineString", "q": [flat]}``), and their sources, which many
features cite alike, are written once in a table that features point into by index.
`atlas.js` (expandLayers) restores plain GeoJSON before anything draws.
"""

from __future__ import annotations

import json

import shapely
from shapely.geometry.base import BaseGeometry


def encode_polygons(geom: BaseGeometry, decimals: int) -> list[list[str]]:
    """[[ring, ...] per polygon], each ring x0, y0, dx1, dy1, ... in units of 10^-decimals, as text (_flat)."""
    scale = 10**decimals
    return [[_flat(ring.coords, scale) for ring in [polygon.exterior, *polygon.interiors]]
            for polygon in shapely.get_parts(geom) if polygon.geom_type == "Polygon"]


# 64 printable characters that need no escaping in JSON or HTML: "?" to "~" without "\\", and "#"
ALPHABET = "".join(chr(c) for c in range(63, 127) if chr(c) != "\\") + "#"
VALUE_OF = {ch: i for i, ch in enumerate(ALPHABET)}


def _flat(coords, scale: int) -> str:
    """x0, y0, dx1, dy1, ...: grid steps from the previous vertex, as text (varint_text)."""
    flat: list[int] = []
    px = py = 0
    for x, y, *_ in coords:
        ix, iy = round(x * scale), round(y * scale)
        flat += [ix - px, iy - py]
        px, py = ix, iy
    return varint_text(flat)


def _unflat(text: str, scale: int) -> list[list[float]]:
    flat = text_varints(text)
    x = y = 0
    coords = []
    for i in range(0, len(flat), 2):
        x += flat[i]
        y += flat[i + 1]
        coords.append([x / scale, y / scale])
    return coords


def varint_text(values: list[int]) -> str:
    """Each integer zigzagged (0, -1, 1, -2 … → 0, 1, 2, 3 …), then five bits a character,
    low bits first, the sixth bit set on every character but a number's last."""
    out = []
    for v in values:
        v = ~(v << 1) if v < 0 else v << 1
        while v >= 32:
            out.append(ALPHABET[32 | (v & 31)])
            v >>= 5
        out.append(ALPHABET[v])
    return "".join(out)


def text_varints(text: str) -> list[int]:
    """The inverse of varint_text (atlas.js: textVarints)."""
    values, v, shift = [], 0, 0
    for ch in text:
        b = VALUE_OF[ch]
        v |= (b & 31) << shift
        shift += 5
        if b < 32:
            values.append(~(v >> 1) if v & 1 else v >> 1)
            v = shift = 0
    return values


def decode_polygons(encoded: list[list[list[int]]], decimals: int) -> dict:
    """The inverse, as a GeoJSON MultiPolygon (the same algorithm atlas.js runs)."""
    scale = 10**decimals
    return {"type": "MultiPolygon", "coordinates": [[_unflat(flat, scale) for flat in rings] for rings in encoded]}


def encode_geometry(geometry: dict, decimals: int) -> dict:
    """A GeoJSON line or area as {"type", "q"}: q holds a flat list per line or ring (per
    polygon for a MultiPolygon; a LineString's one line in a list of one). Points as they are."""
    if not geometry or geometry["type"] not in DEPTH:
        return geometry
    scale = 10**decimals

    def encode(value, depth):
        return _flat(value, scale) if depth == 0 else [encode(v, depth - 1) for v in value]

    coordinates = geometry["coordinates"]
    return {"type": geometry["type"], "q": encode([coordinates] if geometry["type"] == "LineString" else coordinates,
                                                  DEPTH[geometry["type"]])}


def decode_geometry(geometry: dict, decimals: int) -> dict:
    """The inverse of encode_geometry (the same algorithm atlas.js runs)."""
    if not geometry or "q" not in geometry:
        return geometry
    scale = 10**decimals

    def decode(value, depth):
        return _unflat(value, scale) if depth == 0 else [decode(v, depth - 1) for v in value]

    coordinates = decode(geometry["q"], DEPTH[geometry["type"]])
    return {"type": geometry["type"], "coordinates": coordinates[0] if geometry["type"] == "LineString" else coordinates}


# nesting of "q" above the flat lists: a list of lines, of rings, or of polygons' rings
DEPTH = {"LineString": 1, "MultiLineString": 1, "Polygon": 1, "MultiPolygon": 2}


def compact_layers(layers: list[dict], decimals: int) -> tuple[list[dict], list[dict]]:
    """(layers with encoded lines and areas and sources as indices, the sources table in first-cited order)."""
    table: list[dict] = []
    index: dict[str, int] = {}

    def ref(source: dict) -> int:
        key = json.dumps(source, sort_keys=True, ensure_ascii=False)
        if key not in index:
            index[key] = len(table)
            table.append(source)
        return index[key]

    out = []
    for layer in layers:
        features = [{**f, "geometry": encode_geometry(f["geometry"], decimals),
                     "properties": {**f["properties"], "sources": [ref(s) for s in f["properties"].get("sources", [])]}}
                    for f in layer["geojson"]["features"]]
        out.append({**layer, "geojson": {**layer["geojson"], "features": features}})
    return out, table


def expand_layers(layers: list[dict], sources: list[dict], decimals: int) -> list[dict]:
    """The inverse of compact_layers: plain GeoJSON layers, as atlas.js sees them after expandLayers."""
    return [{**layer, "geojson": {**layer["geojson"], "features": [
        {**f, "geometry": decode_geometry(f["geometry"], decimals),
         "properties": {**f["properties"], "sources": [sources[i] for i in f["properties"]["sources"]]}}
        for f in layer["geojson"]["features"]]}} for layer in layers]
