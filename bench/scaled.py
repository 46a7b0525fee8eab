"""Densified copies of the project's inputs for the bench's scale runs (issue 15).

The scale run measures how the cold build grows with input vertices (1x, 10x, 100x), so
the base countries files and curated layers are rewritten with ~k times the vertices.
Generating them is not what is measured, so it is vectorised: every segment of a file is
cut in one numpy pass (no Python loop over vertices, no shapely round trip through Python
lists) and the file is written by orjson straight from the arrays. A 100x root of the real
data (22 million vertices) takes ~12 s of CPU instead of ~31 s (docs/benchmark.md).

What a densified file keeps: every original vertex, exactly and in order (documented
waypoints stay where they were); each segment is cut into ceil(length / s) equal pieces,
with one segment length s per file found by bisection so that the file has about k times
its vertices; an inserted vertex moves by a deterministic jitter of at most JITTER degrees
(below the 5-decimal source precision and the output rounding) computed from the vertex
itself. An edge that two countries share is cut from its lexicographically smaller end on
both sides, so both get bit-identical inserted vertices and the same jitter. A feature
whose jittered geometry is invalid (or a curated line that is no longer simple: a
near-touching spot) keeps its inserted vertices unjittered. Points are never changed.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import orjson
import shapely

from corridor_atlas.layers import BASE_FILES  # the basemap's geometry files: the others are read as they are

JITTER = 2e-6  # degrees: below the 5-decimal source precision and far below any output rounding
LINEAR = ("LineString", "MultiLineString", "Polygon", "MultiPolygon")


def _parts(geometry: dict) -> list:
    """The lines and rings of a GeoJSON geometry, in order (points and collections: none)."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "LineString":
        return [coords]
    if kind in ("MultiLineString", "Polygon"):
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def _regroup(geometry: dict, parts: list[np.ndarray]):
    """`parts` (new arrays, in the order `_parts` gave) nested as `geometry`'s coordinates."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "LineString":
        return parts[0]
    if kind in ("MultiLineString", "Polygon"):
        return parts
    it = iter(parts)
    return [[next(it) for _ in polygon] for polygon in coords]


def _shape(kind: str, parts: list[np.ndarray]):
    """The shapely geometry of `kind` from its lines or rings, for the validity check."""
    if kind == "LineString":
        return shapely.linestrings(parts[0])
    if kind == "MultiLineString":
        return shapely.multilinestrings([shapely.linestrings(p) for p in parts])
    if kind == "Polygon":
        return _polygon(parts)
    raise ValueError(kind)


def _polygon(rings: list[np.ndarray]):
    return shapely.polygons(shapely.linearrings(rings[0]), [shapely.linearrings(r) for r in rings[1:]] or None)


def _multipolygon(geometry: dict, parts: list[np.ndarray]):
    polygons, at = [], 0
    for polygon in geometry["coordinates"]:
        polygons.append(_polygon(parts[at:at + len(polygon)]))
        at += len(polygon)
    return shapely.multipolygons(polygons)


def _jitter(coords: np.ndarray) -> np.ndarray:
    """Deterministic offsets in [-JITTER, JITTER] from the coordinate itself, so an edge two
    countries share gets the same inserted vertices on both sides."""
    q = np.round(coords, 9)
    h = np.sin(q[:, 0] * 12.9898e3 + q[:, 1] * 78.233e3) * 43758.5453
    h2 = np.sin(q[:, 0] * 39.3468e3 + q[:, 1] * 11.135e3) * 24634.6345
    return np.stack([(h - np.floor(h)) * 2 - 1, (h2 - np.floor(h2)) * 2 - 1], axis=1) * JITTER


def segment_length_for(lengths: np.ndarray, fixed: int, target: float) -> float:
    """The smallest segment length s (bisection on a log scale) with which cutting every segment
    into ceil(length / s) pieces (at least one) gives at most `target` vertices; `fixed` are the
    vertices that do not depend on s (points, and the last vertex of every line and ring)."""
    def count(s: float) -> int:
        return fixed + int(np.maximum(1, np.ceil(lengths / s)).sum())

    lo, hi = 1e-9, float(lengths.max()) * 2
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if count(mid) > target:
            lo = mid
        else:
            hi = mid
    return hi


def densify_arrays(parts: list[np.ndarray], seg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every line or ring of `parts` with each segment cut into max(1, ceil(length / seg)) equal
    pieces, in one pass: (all vertices concatenated, True where inserted, where each part starts
    (len(parts) + 1 offsets))."""
    sizes = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    coords = np.concatenate(parts)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    last = np.zeros(len(coords), dtype=bool)
    last[starts[1:] - 1] = True  # a part's last vertex starts no segment
    a, b = coords[~last], coords[np.flatnonzero(~last) + 1]
    seg_part = np.repeat(np.arange(len(parts)), sizes - 1)
    # canonical direction: from the lexicographically smaller end, so a shared edge walked the
    # other way round gets bit-identical inserted vertices
    flip = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(flip[:, None], b, a)
    hi = np.where(flip[:, None], a, b)
    pieces = np.maximum(1, np.ceil(np.hypot(*(hi - lo).T) / seg)).astype(np.int64)
    seg_of = np.repeat(np.arange(len(a)), pieces)  # the segment of each output vertex but the parts' last
    step = np.arange(len(seg_of)) - np.repeat(np.cumsum(pieces) - pieces, pieces)  # 0 .. pieces-1
    towards = np.where(flip[seg_of], pieces[seg_of] - step, step) / pieces[seg_of]
    cut = lo[seg_of] + (hi[seg_of] - lo[seg_of]) * towards[:, None]
    cut[step == 0] = a[seg_of[step == 0]]  # the original vertex, exactly
    per_part = np.zeros(len(parts), dtype=np.int64)
    np.add.at(per_part, seg_part, pieces)
    out_starts = np.concatenate([[0], np.cumsum(per_part + 1)])
    out = np.empty((out_starts[-1], 2))
    inserted = np.zeros(len(out), dtype=bool)
    body = np.ones(len(out), dtype=bool)
    body[out_starts[1:] - 1] = False
    out[body] = cut
    inserted[body] = step > 0
    out[out_starts[1:] - 1] = coords[starts[1:] - 1]
    return out, inserted, out_starts


def densify_collection(data: dict, factor: float, lines_must_be_simple: bool) -> tuple[dict, int, int]:
    """The same features with ~factor x the coordinates: (collection, vertices before, after)."""
    feats = data.get("features", [])
    owners, parts = [], []  # per line or ring: its feature's index; its coordinates
    points = 0
    for i, f in enumerate(feats):
        g = f.get("geometry")
        if not g:
            continue
        if g["type"] in LINEAR:
            for p in _parts(g):
                owners.append(i)
                parts.append(np.asarray(p, dtype=np.float64).reshape(-1, 2))
        elif g["type"] == "Point":
            points += 1
        elif g["type"] == "MultiPoint":
            points += len(g["coordinates"])
    before = points + sum(len(p) for p in parts)
    if not parts or factor <= 1:
        return data, before, before
    lengths = np.concatenate([np.hypot(*np.diff(p, axis=0).T) for p in parts])
    seg = segment_length_for(lengths, points + len(parts), factor * before)
    dense, inserted, starts = densify_arrays(parts, seg)
    jittered = dense.copy()
    jittered[inserted] += _jitter(dense[inserted])
    dense, jittered = np.round(dense, 7), np.round(jittered, 7)

    by_feature: dict[int, list[int]] = {}
    for k, i in enumerate(owners):
        by_feature.setdefault(i, []).append(k)
    out_feats = list(feats)
    for i, ks in by_feature.items():
        g = feats[i]["geometry"]
        new = [jittered[starts[k]:starts[k + 1]] for k in ks]
        geom = _multipolygon(g, new) if g["type"] == "MultiPolygon" else _shape(g["type"], new)
        ok = shapely.is_valid(geom) and (not lines_must_be_simple or "Line" not in g["type"] or shapely.is_simple(geom))
        if not ok:  # a near-touching spot: keep the densified geometry without jitter
            new = [dense[starts[k]:starts[k + 1]] for k in ks]
        out_feats[i] = {**feats[i], "geometry": {**g, "coordinates": _regroup(g, new)}}
    return {**data, "features": out_feats}, before, len(dense) + points


def write_densified(root: Path, factor: float, dest: Path) -> dict:
    """Write `root`'s base countries files and curated layers densified ~factor x into
    dest/data/base and dest/data/layers (overwriting); the other files are left to the caller."""
    before = after = 0
    for sub, simple in (("base", False), ("layers", True)):
        (dest / "data" / sub).mkdir(parents=True, exist_ok=True)
        for path in sorted((root / "data" / sub).glob("*.geojson")):
            if sub == "base" and path.stem not in BASE_FILES:
                continue  # read as it is (water, areas), never densified
            dense, b, a = densify_collection(orjson.loads(path.read_bytes()), factor, simple)
            (dest / "data" / sub / path.name).write_bytes(orjson.dumps(dense, option=orjson.OPT_SERIALIZE_NUMPY))
            before += b
            after += a
    return {"vertices_before": before, "vertices_after": after}


def make_scaled_root(root: Path, factor: float, dest: Path) -> dict:
    """A project root (maps/ and all of data/, so the same pages and comparison pages are built)
    whose base countries files and curated layers hold ~factor x the vertices."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(root / "maps", dest / "maps", ignore=ignore)  # copies: the build refuses links out of the project
    shutil.copytree(root / "data", dest / "data", ignore=ignore)
    return write_densified(root, factor, dest)


def _positions(geometry: dict | None) -> int:
    """Coordinate pairs of a GeoJSON geometry, counted per line or ring (no loop over vertices)."""
    if not geometry:
        return 0
    kind = geometry["type"]
    if kind == "GeometryCollection":
        return sum(_positions(g) for g in geometry.get("geometries", []))
    if kind == "Point":
        return 1
    if kind == "MultiPoint":
        return len(geometry["coordinates"])
    return sum(len(p) for p in _parts(geometry))


def input_vertices(root: Path) -> int:
    """Coordinate pairs in the files a scale run densifies: the base countries files and the curated layers."""
    files = [root / "data" / "base" / f"{name}.geojson" for name in BASE_FILES]
    files += sorted((root / "data" / "layers").glob("*.geojson"))
    return sum(_positions(f.get("geometry")) for path in files if path.exists()
               for f in orjson.loads(path.read_bytes()).get("features", []))


def input_limit_mb(root: Path, factor: float) -> int:
    """The --max-input-mb a root densified `factor` times needs: the default 32 MiB (limits.py) times
    the factor, so that the positions-per-feature limit, which grows with it, is as far above the
    densest feature as it is on the real data (a 100x countries-detail polygon has 1.4 million
    positions), and at least the largest file (the densified countries files are ~150 MB at 100x)."""
    largest = max(p.stat().st_size for p in (root / "data").rglob("*") if p.is_file())
    return max(math.ceil(32 * factor), math.ceil(largest / 2**20) + 1)
