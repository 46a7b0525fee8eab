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
Last, each layer is written by column (``pack_layers``: property names once a layer, points
as one text). `atlas.js` (expandLayers) restores plain GeoJSON before anything draws.
"""

from __future__ import annotations

import json
import math

import numpy as np
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
    """x0, y0, dx1, dy1, ...: grid steps from the previous vertex, as text (varint_text).

    With numpy, a ring at a time: np.rint rounds half to even on the same doubles as
    Python's round, so the text is the same as a vertex-by-vertex loop gives."""
    xy = np.asarray(coords, dtype=float)
    if xy.size == 0:
        return ""
    steps = np.rint(xy[:, :2] * scale).astype(np.int64)
    steps[1:] -= steps[:-1].copy()
    return _varint_text_array(steps.ravel())


_ALPHABET_CODES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)


def _varint_text_array(values: np.ndarray) -> str:
    """varint_text of an int64 array, all values at once."""
    zigzag = np.where(values < 0, ~(values << 1), values << 1)
    groups = [zigzag & 31]
    rest = zigzag >> 5
    while rest.any():
        groups.append(rest & 31)
        rest = rest >> 5
    digits = np.stack(groups, axis=1)  # five bits a column, low bits first
    count = np.ones(len(values), dtype=np.int64)
    for k in range(1, digits.shape[1]):
        count += (zigzag >> (5 * k)) > 0
    column = np.arange(digits.shape[1])
    digits = digits + 32 * (column < count[:, None] - 1)  # the continuation bit on all but a number's last
    return _ALPHABET_CODES[digits[column < count[:, None]]].tobytes().decode("ascii")


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


def decode_polygons(encoded: list[list], decimals: int) -> dict:
    """The inverse, as a GeoJSON MultiPolygon (the same algorithm atlas.js runs). A ring is its
    text, or already [[lon, lat], ...] (what atlas.js leaves in atlas.data.countries: share_borders)."""
    scale = 10**decimals
    return {"type": "MultiPolygon", "coordinates": [[_unflat(ring, scale) if isinstance(ring, str) else ring for ring in rings]
                                                    for rings in encoded]}


def _grid_points(text: str) -> list[tuple[int, int]]:
    """A ring's text (_flat) → its vertices in grid steps."""
    flat, x, y, points = text_varints(text), 0, 0, []
    for i in range(0, len(flat), 2):
        x += flat[i]
        y += flat[i + 1]
        points.append((x, y))
    return points


def share_borders(countries: list[dict]) -> tuple[list[dict], list[str]]:
    """The basemap with each border written once (TopoJSON's arcs, without its quantisation).
    Two neighbours' rings run along the same vertices (simplify.prepare_coverage simplifies them
    as one coverage), so a ring is cut where the set of rings sharing its edges changes, each
    piece is an arc stored once, and the neighbour cites it backwards. Returns ({"iso_a3", "a":
    [[ring's arcs (ref_text) per ring] per polygon]}, arcs as _flat texts). Rings decode to
    exactly their vertices (arcs joined, each next arc's first vertex dropped): atlas.js
    (decodeCountries), unshare_borders."""
    rings = [[_grid_points(text) for text in polygon] for c in countries for polygon in c["q"]]
    owners: dict[tuple, set] = {}
    for ring_id, ring in enumerate(r for polygon in rings for r in polygon):
        for a, b in zip(ring, ring[1:]):
            owners.setdefault((a, b) if a <= b else (b, a), set()).add(ring_id)
    arcs: list[str] = []  # each arc's first vertex in steps from the previous arc's last: mostly (0, 0)
    index: dict[tuple, int] = {}
    last = [(0, 0)]

    def arc_ref(points: list) -> int:
        key = tuple(points)
        if key in index:
            return index[key]
        if key[::-1] in index:
            return ~index[key[::-1]]
        index[key] = len(arcs)
        arcs.append(_arc_text([v for (x, y), (px, py) in zip(points, [last[0], *points]) for v in (x - px, y - py)]))
        last[0] = points[-1]
        return index[key]

    owners = {edge: frozenset(ids) for edge, ids in owners.items()}

    def pieces(ring: list) -> list[int]:
        sharing = [owners[(a, b) if a <= b else (b, a)] for a, b in zip(ring, ring[1:])]
        cuts = [0] + [i for i in range(1, len(sharing)) if sharing[i] != sharing[i - 1]] + [len(ring) - 1]
        return [arc_ref(ring[start:end + 1]) for start, end in zip(cuts, cuts[1:])]

    previous = [0]

    def ref_text(refs: list[int]) -> str:
        """A ring's arcs as text: per arc (index - the previous arc's index) * 2, plus 1 if backwards."""
        steps = []
        for ref in refs:
            i, backwards = (ref, 0) if ref >= 0 else (~ref, 1)
            steps.append((i - previous[0]) * 2 + backwards)
            previous[0] = i
        return varint_text(steps)

    out, polygons = [], iter(rings)
    for c in countries:
        out.append({"iso_a3": c["iso_a3"], "a": [[ref_text(pieces(ring)) for ring in next(polygons)] for _ in c["q"]]})
    return out, arcs


# Marks an arc whose steps (after its first vertex) are written in tens of grid steps, once per
# factor of ten: not in ALPHABET, nor "," (the page joins the arcs with it), nor escaped in JSON or HTML.
COARSER = "!"


def _arc_text(steps: list[int]) -> str:
    """An arc's steps as text; where they all share a factor 10^k (a story's basemap is coarser
    away from where its steps zoom in, basemap.story_tiers), the steps after the first vertex are
    written divided by it behind k COARSER marks ("!3" for 30 grid steps) when that is two or more
    characters shorter: about 15% fewer gzipped bytes on the story's basemap."""
    first, rest = steps[:2], steps[2:]
    common, k = math.gcd(*rest), 0
    while k < 9 and common and common % 10 ** (k + 1) == 0:
        k += 1
    plain = varint_text(steps)
    if k == 0:
        return plain
    coarse = COARSER * k + varint_text(first + [v // 10**k for v in rest])
    return coarse if len(coarse) <= len(plain) - 2 else plain


def arc_steps(text: str) -> list[int]:
    """The inverse of _arc_text: an arc's steps in grid units (atlas.js: decodeCountries)."""
    coarse = text.lstrip(COARSER)
    unit = 10 ** (len(text) - len(coarse))
    steps = text_varints(coarse)
    return steps[:2] + [v * unit for v in steps[2:]]


def unshare_borders(countries: list[dict], arcs: list[str]) -> list[dict]:
    """The inverse of share_borders: {"iso_a3", "q": ring texts} again."""
    decoded, last = [], (0, 0)
    for text in arcs:
        flat = arc_steps(text)
        flat[:2] = [flat[0] + last[0], flat[1] + last[1]]
        decoded.append(_grid_points(varint_text(flat)))
        last = decoded[-1][-1]

    previous = 0

    def ring(text: str) -> str:
        nonlocal previous
        points: list = []
        for step in text_varints(text):
            previous += step >> 1
            piece = decoded[previous][::-1] if step & 1 else decoded[previous]
            points += piece[1:] if points else piece
        return varint_text([v for (x, y), (px, py) in zip(points, [(0, 0), *points]) for v in (x - px, y - py)])

    return [{"iso_a3": c["iso_a3"], "q": [[ring(refs) for refs in polygon] for polygon in c["a"]]} for c in countries]


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


def expand_layers(layers: list[dict], sources: list[dict], decimals: int, shared: list | None = None) -> list[dict]:
    """The inverse of compact_layers (and of share_repeated with its table): plain GeoJSON layers, as
    atlas.js sees them after expandLayers."""
    return [{**layer, "geojson": {**layer["geojson"], "features": [
        {**f, "geometry": decode_geometry(f["geometry"], decimals),
         "properties": _unshared({**f["properties"], "sources": [sources[i] for i in f["properties"]["sources"]]}, shared or [])}
        for f in layer["geojson"]["features"]]}} for layer in layers]


# Feature properties whose text several features may carry alike: written once when they do.
SHARED_VALUES = ("note", "method", "operator", "sponsor", "trace")  # a string or an object: never a number
SHARED_ITEMS = ("reported",)  # lists: each entry (a reported figure with its source) on its own


def share_repeated(layers: list[dict]) -> tuple[list[dict], list]:
    """(layers, table): a value of SHARED_VALUES, or an entry of SHARED_ITEMS, that two or more
    features of the page carry is written once in the table and cited by index (a number, which
    none of these values is otherwise); a value carried once stays where it is. Two routes that
    share a pipeline's notes or a reported figure, or the bench's copies of every feature, pay
    for the text once. atlas.js (expandLayers) restores it."""
    def key(value) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    props = [f["properties"] for layer in layers for f in layer["geojson"]["features"]]
    counts: dict[str, int] = {}
    for p in props:
        for value in [p[k] for k in SHARED_VALUES if k in p] + [v for k in SHARED_ITEMS for v in p.get(k) or []]:
            counts[key(value)] = counts.get(key(value), 0) + 1
    table: list = []
    index: dict[str, int] = {}

    def ref(value):
        k = key(value)
        if counts[k] < 2:
            return value
        if k not in index:
            index[k] = len(table)
            table.append(value)
        return index[k]

    def compact(p: dict) -> dict:
        out = {k: ref(v) if k in SHARED_VALUES else v for k, v in p.items()}
        out.update({k: [ref(v) for v in p[k]] for k in SHARED_ITEMS if isinstance(p.get(k), list)})
        return out

    return [{**layer, "geojson": {**layer["geojson"], "features": [{**f, "properties": compact(f["properties"])}
                                                                   for f in layer["geojson"]["features"]]}}
            for layer in layers], table


def _unshared(p: dict, table: list) -> dict:
    out = {k: table[v] if k in SHARED_VALUES and isinstance(v, int) else v for k, v in p.items()}
    out.update({k: [table[v] if isinstance(v, int) else v for v in p[k]] for k in SHARED_ITEMS if isinstance(p.get(k), list)})
    return out


def pack_layers(data: dict) -> dict:
    """The payload with each layer's features written by column (the page's last step: after
    i18n.localise_payload). A layer's {"geojson": FeatureCollection} becomes {"features":
    {"count", "properties": {key: [value per feature, null where a feature has none]},
    "geometry": [encoded geometry, or null for the next point of "points"], "points": the
    layer's points as one text (grid steps from the previous point, varint_text)}}. Property
    names are written once a layer instead of once a feature, values of a kind sit together
    (gzip finds "operational" or "place" next to each other), and a point costs a few characters.
    Entries of time.features that only repeat a feature's status and dates are dropped (the page
    restores them). atlas.js (expandLayers) and unpack_layers undo it exactly."""
    scale = 10 ** data["decimals"]
    out = dict(data)
    out["layers"] = [_pack_layer(layer, scale) for layer in data["layers"]]
    if data.get("time") and data["time"].get("features"):
        restored = _time_features([f["properties"] for layer in data["layers"] for f in layer["geojson"]["features"]], {})
        out["time"] = {**data["time"], "features": {k: v for k, v in data["time"]["features"].items() if restored.get(k) != v}}
    return out


def _pack_layer(layer: dict, scale: int) -> dict:
    features = layer["geojson"]["features"]
    keys = sorted({k for f in features for k in f["properties"]})
    if any(v is None for f in features for v in f["properties"].values()):
        return layer  # a column's null means "absent": such a layer stays as it was (the page reads both)
    geometry, points, last = [], [], (0, 0)
    for f in features:
        g = f["geometry"]
        xy = [round(c * scale) for c in g["coordinates"]] if g and g.get("type") == "Point" and len(g["coordinates"]) == 2 else None
        if xy and [v / scale for v in xy] == g["coordinates"]:
            points += [xy[0] - last[0], xy[1] - last[1]]
            last = tuple(xy)
            geometry.append(None)
        else:
            geometry.append(g)
    packed = {"count": len(features), "properties": {k: [f["properties"].get(k) for f in features] for k in keys},
              "geometry": geometry, "points": varint_text(points)}
    return {**{k: v for k, v in layer.items() if k != "geojson"}, "features": packed}


def _time_features(props: list[dict], recorded: dict) -> dict:
    """time.features as the page has it: `recorded`, plus each dated feature's status and dates."""
    out = dict(recorded)
    for p in props:
        if p.get("dates") and p["id"] not in out:
            out[p["id"]] = {"status": p["status"], "dates": dict(p["dates"])}
    return out


def unpack_layers(data: dict) -> dict:
    """The inverse of pack_layers: the payload as render.payload and i18n.localise_payload made it."""
    scale = 10 ** data["decimals"]
    out = dict(data)
    out["layers"] = []
    for layer in data["layers"]:
        if "features" not in layer:  # left as it was (_pack_layer)
            out["layers"].append(layer)
            continue
        packed = layer["features"]
        points = iter(_unflat(packed["points"], scale))
        features = [{"type": "Feature",
                     "properties": {k: column[i] for k, column in packed["properties"].items() if column[i] is not None},
                     "geometry": g if g is not None else {"type": "Point", "coordinates": next(points)}}
                    for i, g in enumerate(packed["geometry"])]
        out["layers"].append({**{k: v for k, v in layer.items() if k != "features"},
                              "geojson": {"type": "FeatureCollection", "features": features}})
    if data.get("time") and "features" in data["time"]:
        props = [f["properties"] for layer in out["layers"] for f in layer["geojson"]["features"]]
        out["time"] = {**data["time"], "features": _time_features(props, data["time"]["features"])}
    return out
