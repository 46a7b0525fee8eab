"""Trace the atlas's railways along OpenStreetMap track (data/sources/geometry/railways.geojson).

    python data/sources/trace_railways.py [--osm DIR] [--out FILE]

Inputs
  DIR (default ROOT/../shared/osm-rail): the raw OpenStreetMap railway extract described in
      its README (railway ways per country bounding box, named stations with OSM node ids).
      A way that crosses a bounding box is kept whole, so railways/azerbaijan.json also holds
      Armenia's Yeraskh–Aygavan track and Turkey's Kars–Dilucu construction track; the
      stations of Armenia are in stations/turkey.json. The files read are checked against the
      README's sha256 sums before use.
  railways.toml (next to me): per route, the ordered stops (OSM station node ids, the end of
      an OSM way, or a place of data/layers/places.geojson) and the track types allowed.
  data/layers/places.geojson: gazetteer coordinates for the few schematic stops.
  data/base/countries-detail.geojson: country land, for legs that must keep to one side of
      a border river (``inside``).

Method
  The track of one extract file becomes a graph: a node per way vertex, an edge per way
  segment weighted by its geodesic length (pyproj.Geod), tagged with the OSM way id. Way
  ends within SNAP_WAY_END_M of another way's vertex are joined, because OSM splits lines
  without always sharing the node. Each stop snaps to the nearest track vertex within
  ``snap_km`` (railways.toml); between two snapped stops the line is the shortest path on
  the graph (networkx Dijkstra) -> a "traced" part. Between OSM stations off the extract's
  track the line is straight from station to station -> "station_routed"; a leg touching a
  gazetteer place is straight -> "schematic", and so is a leg marked ``inside = ISO3``,
  drawn along that country's outline INSIDE_OFFSET_DEG inside it (where a line kept to one
  bank of a border river but neither track nor gazetteer point exists). Each part is
  simplified by SIMPLIFY_DEG (shapely, topology preserving) and its geodesic length reported.

Output is deterministic: features in railways.toml order, sorted keys, coordinates rounded
to 5 decimals, no timestamps. The build and the tests only read the committed output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
from pyproj import Geod
from scipy.spatial import cKDTree
from shapely import ops
from shapely.geometry import LineString, Point, shape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_OSM = ROOT.parent / "shared" / "osm-rail"
DEFAULT_OUT = HERE / "geometry" / "railways.geojson"
CONFIG = HERE / "railways.toml"
PLACES = ROOT / "data" / "layers" / "places.geojson"
COUNTRIES = ROOT / "data" / "base" / "countries-detail.geojson"

GEOD = Geod(ellps="WGS84")
EXTRACT = "OpenStreetMap railway extract of 2026-04-01 (Overpass, via njfinney/Asia_Railway_Calculator d44c7e5)"
REPOSITORY_URL = "https://github.com/njfinney/Asia_Railway_Calculator/tree/d44c7e5656aa80d987bd6f5cf7a7f3ad80af4f4d/data"
ATTRIBUTION = "Railway track and stations: © OpenStreetMap contributors (ODbL)"
NDIGITS = 5
#: OSM often splits a line into ways that end a few metres from each other without a shared
#: node; 20 m joins those and stays below the spacing of separate lines (parallel tracks of
#: one line, ~4-5 m apart, may join too, which does not change the drawn alignment).
SNAP_WAY_END_M = 20.0
#: ~20 m at these latitudes: invisible at atlas scales, shrinks the file tenfold.
SIMPLIFY_DEG = 0.0002
#: How far inside a country a leg that must keep to one bank of a border river runs.
INSIDE_OFFSET_DEG = 0.005
STATION_FILES = ("azerbaijan", "iran", "kazakhstan", "russia", "turkey", "turkmenistan")
ACCURACY_RANK = {"traced": 0, "station_routed": 1, "schematic": 2}

#: sha256 of the extract files, as published in the extract's README.
CHECKSUMS = {
    "railways/azerbaijan.json": "0c55cb0262b5a176c6efd4dbcab9557318e9c5ed2abae3ca18c4f63c24975ba8",
    "railways/turkmenistan.json": "947f23acb85d2d20e0697c0795e4f666874202b31fccb57209ddf6d221aa06ad",
    "stations/azerbaijan.json": "942a6c981ff7be11fa883b51584154da86778a87c7ec9543876a94af17d6477e",
    "stations/iran.json": "a5f6502054a94252ccac87bcbb317fc043b2d857acab693d764c09a938110cb4",
    "stations/kazakhstan.json": "c53e6cd6e334967892618affe16ff695b3d1bc569560d35bc2bae341c4a2bf40",
    "stations/russia.json": "2247a48e411a8c2d334cd5831288bcfdd05e21f3b8bb7a143672f115a1d6433b",
    "stations/turkey.json": "d11211150b4770f99ebb30e045a4144f89d56a26febc97b6af80b339d62e0432",
    "stations/turkmenistan.json": "9e6c23e352e43998404bdbff9d8e80b44630c16c43c44e1b06c3d3b7ff9603e2",
}


class TraceError(Exception):
    pass


# ---------------------------------------------------------------- inputs


def verify_extract(osm_dir: Path) -> dict[str, str]:
    """Check every file this script reads against the README's sha256; fail clearly."""
    if not osm_dir.is_dir():
        raise TraceError(f"OSM extract folder not found: {osm_dir} (pass --osm DIR)")
    for rel, expected in CHECKSUMS.items():
        path = osm_dir / rel
        if not path.is_file():
            raise TraceError(f"missing extract file: {path}")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise TraceError(f"sha256 mismatch for {path}: {actual}, expected {expected}")
    return dict(CHECKSUMS)


def load_stations(osm_dir: Path) -> dict[int, dict]:
    """All named OSM station nodes by id (the country files overlap at their bbox edges)."""
    stations: dict[int, dict] = {}
    for name in STATION_FILES:
        for node in json.loads((osm_dir / "stations" / f"{name}.json").read_text(encoding="utf-8")):
            stations.setdefault(node["id"], node)
    return stations


def load_places(path: Path = PLACES) -> dict[str, dict]:
    """Gazetteer places of the atlas by id: name and [lon, lat]."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        f["properties"]["id"]: {"name": f["properties"]["name"], "lonlat": tuple(f["geometry"]["coordinates"])}
        for f in data["features"]
        if f["geometry"]["type"] == "Point"
    }


# ---------------------------------------------------------------- track graph


def geodesic_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lon, lat) points."""
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


class NodeIndex:
    """Nearest-vertex look-ups on a local equirectangular plane (candidates only: every
    distance that decides anything is then measured geodesically)."""

    def __init__(self, nodes: list[tuple[float, float]]):
        self.nodes = nodes
        self.lat0 = float(np.radians(np.mean([n[1] for n in nodes]))) if nodes else 0.0
        self.tree = cKDTree(self._plane(nodes)) if nodes else None

    def _plane(self, points) -> np.ndarray:
        arr = np.asarray(points, dtype=float).reshape(-1, 2)
        return np.column_stack([arr[:, 0] * 111.32 * np.cos(self.lat0), arr[:, 1] * 110.57])

    def within(self, point: tuple[float, float], radius_m: float) -> list[tuple[float, float]]:
        """Vertices within ``radius_m`` (geodesic) of ``point``, nearest first."""
        if self.tree is None:
            return []
        # the plane underestimates distances away from lat0 by < 2 %: widen the search
        hits = self.tree.query_ball_point(self._plane([point])[0], radius_m / 1000.0 * 1.1)
        found = [(geodesic_m(point, self.nodes[i]), self.nodes[i]) for i in hits]
        return [node for dist, node in sorted(found) if dist <= radius_m]

    def nearest(self, point: tuple[float, float], max_m: float) -> tuple[float, float] | None:
        """The nearest vertex within ``max_m``, or None."""
        if self.tree is None:
            return None
        _, i = self.tree.query(self._plane([point])[0])
        node = self.nodes[int(i)]
        if geodesic_m(point, node) > max_m * 1.1:
            return None
        near = self.within(point, max_m)
        return near[0] if near else None


def build_track_graph(ways: list[dict], types: set[str], snap_m: float = SNAP_WAY_END_M) -> nx.Graph:
    """Graph of the ways of the given ``railway=*`` types: nodes (lon, lat), edges tagged ``way``.

    A way end that no other way shares is joined to the vertices of other ways within
    ``snap_m`` by an edge tagged ``way=None`` (OSM splits lines without always sharing the
    end node).
    """
    graph = nx.Graph()
    way_of: dict[tuple[float, float], set[int]] = {}
    ends: list[tuple[tuple[float, float], int]] = []
    for way in ways:
        if way["type"] not in types or len(way["geometry"]) < 2:
            continue
        coords = [(round(lon, NDIGITS), round(lat, NDIGITS)) for lat, lon in way["geometry"]]
        for a, b in zip(coords, coords[1:]):
            if a == b:
                continue
            weight = geodesic_m(a, b)
            if not graph.has_edge(a, b) or graph[a][b]["weight"] > weight:
                graph.add_edge(a, b, weight=weight, way=way["id"])
        for c in coords:
            way_of.setdefault(c, set()).add(way["id"])
        ends += [(coords[0], way["id"]), (coords[-1], way["id"])]
    index = NodeIndex(sorted(graph.nodes))
    for end, way_id in ends:
        if end not in graph or len(way_of[end]) > 1:
            continue  # already joined through a shared node
        for other in index.within(end, snap_m):
            if way_id not in way_of[other] and not graph.has_edge(end, other):
                graph.add_edge(end, other, weight=geodesic_m(end, other), way=None)
    return graph


def track_path(graph: nx.Graph, start, end) -> tuple[list[tuple[float, float]], set[int]] | None:
    """Shortest path on the track between two graph nodes: (vertices, OSM way ids), or None."""
    try:
        nodes = nx.dijkstra_path(graph, start, end, weight="weight")
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    ways = {graph[a][b]["way"] for a, b in zip(nodes, nodes[1:])} - {None}
    return nodes, ways


def line_km(coords: list[tuple[float, float]]) -> float:
    """Geodesic length in km of a polyline of (lon, lat) vertices."""
    if len(coords) < 2:
        return 0.0
    lons, lats = zip(*coords)
    return GEOD.line_length(lons, lats) / 1000.0


def drop_revisits(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Cut out every stretch between two visits of the same vertex.

    A station on a spur or a terminus (Baku's passenger station is one) makes the shortest
    path run in and back out along the same track: drawn, that is a line crossing itself,
    and measured, it counts the spur twice. The line keeps the through track; the station
    stays within the snap distance of it."""
    out: list[tuple[float, float]] = []
    seen: dict[tuple[float, float], int] = {}
    for point in coords:
        if point in seen:
            for dropped in out[seen[point] + 1:]:
                seen.pop(dropped, None)
            del out[seen[point] + 1:]
            continue
        seen[point] = len(out)
        out.append(point)
    return out


def simplify(coords: list[tuple[float, float]], tolerance_deg: float = SIMPLIFY_DEG) -> list[tuple[float, float]]:
    """Lightly simplified, rounded polyline that keeps both ends exactly."""
    if len(coords) > 2:
        coords = list(LineString(coords).simplify(tolerance_deg, preserve_topology=True).coords)
    out: list[tuple[float, float]] = []
    for lon, lat in coords:
        point = (round(lon, NDIGITS), round(lat, NDIGITS))
        if not out or out[-1] != point:
            out.append(point)
    return out


def inside_path(a: tuple[float, float], b: tuple[float, float], country) -> list[tuple[float, float]]:
    """From a to b along the country's outline, INSIDE_OFFSET_DEG inside it (the shorter way).

    For a line known to keep to one bank of a border river where neither track nor any
    gazetteer point is available: a straight chord would cut across the river's bends into
    the neighbouring country.
    """
    inner = country.buffer(-INSIDE_OFFSET_DEG)
    polygons = getattr(inner, "geoms", [inner])
    ring = min((poly.exterior for poly in polygons), key=lambda r: r.distance(Point(a)) + r.distance(Point(b)))
    start, end = ring.project(Point(a)), ring.project(Point(b))
    lo, hi = sorted((start, end))
    if hi - lo <= ring.length / 2:
        arc = list(ops.substring(ring, lo, hi).coords)
    else:  # the shorter way round passes the ring's start point
        arc = list(ops.substring(ring, hi, ring.length).coords) + list(ops.substring(ring, 0, lo).coords)[1:]
        arc.reverse()
    if start > end:
        arc.reverse()
    return [a, *taut(arc, country), b]


#: Tolerances tried, coarsest first, when straightening a bank line (degrees).
TAUT_TOLERANCES_DEG = (0.02, 0.01, 0.005, 0.002, 0.001)


def taut(arc: list[tuple[float, float]], country) -> list[tuple[float, float]]:
    """The bank line pulled as straight as the bank allows.

    A railway along a river keeps to its valley, not to every meander of the border line:
    the offset outline is simplified with the coarsest tolerance that keeps it inside the
    country (with a 100 m margin), so it cuts the river's bends only on its own bank."""
    line = LineString(arc)
    keep_inside = country.buffer(-INSIDE_OFFSET_DEG / 5)
    for tolerance in TAUT_TOLERANCES_DEG:
        straighter = line.simplify(tolerance, preserve_topology=False)
        if keep_inside.contains(straighter):
            return [(x, y) for x, y in straighter.coords]
    return [(x, y) for x, y in arc]


AROUND_WATER_NOTE = ("No track in the extract and no station between: the straight leg would cross water, so it is "
                     "drawn as the shortest path on land between the two stations (data/sources/derive_lines.py).")


@lru_cache(maxsize=1)
def _water():
    import derive_lines  # noqa: PLC0415  (next to this script; only needed when a leg meets water)

    return derive_lines, derive_lines.load_water()


def around_water(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]] | None:
    """The shortest path on land from a to b if the straight leg runs over water for more than
    1 km in one stretch (the rule build.py check applies), else None."""
    derive_lines, water = _water()
    if max(derive_lines.water_stretches_km(LineString([a, b]), water), default=0.0) <= derive_lines.MAX_WATER_STRETCH_KM:
        return None
    return [(x, y) for x, y in derive_lines.land_path(water, Point(a), Point(b)).coords]


def load_countries(path: Path = COUNTRIES) -> dict[str, object]:
    """Country land polygons (OpenStreetMap-derived base data) by ISO alpha-3."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["iso_a3"]: shape(f["geometry"]) for f in data["features"]}


# ---------------------------------------------------------------- routes


@dataclass
class Stop:
    """A stop of a route: an OSM station, the end of an OSM way, or a gazetteer place."""

    name: str
    lonlat: tuple[float, float]
    kind: str  # "station" | "way_end" | "place"
    osm_id: int | None = None
    leg_note: str | None = None
    inside: str | None = None  # ISO alpha-3: the leg to this stop keeps inside that country
    snapped: tuple[float, float] | None = None

    @property
    def point(self) -> tuple[float, float]:
        """Where the drawn line passes: the track vertex it snapped to, else the stop itself."""
        return self.snapped or (round(self.lonlat[0], NDIGITS), round(self.lonlat[1], NDIGITS))


@dataclass
class Part:
    """Consecutive legs of one accuracy (and one note)."""

    start: str
    end: str
    accuracy: str
    note: str | None
    coords: list[tuple[float, float]] = field(default_factory=list)
    ways: set[int] = field(default_factory=set)


def resolve_stop(spec: dict, stations: dict[int, dict], ways_by_id: dict[int, dict], places: dict[str, dict]) -> Stop:
    """Turn one railways.toml stop into a Stop with its open-data coordinates."""
    note = spec.get("leg_note")
    inside = spec.get("inside")
    if "station" in spec:
        node = stations.get(spec["station"])
        if node is None:
            raise TraceError(f"OSM station node {spec['station']} not in the extract")
        return Stop(spec.get("name", node["name"]), (node["lon"], node["lat"]), "station", node["id"], note, inside)
    if "way_end" in spec:
        way_id, which = spec["way_end"]
        way = ways_by_id.get(way_id)
        if way is None:
            raise TraceError(f"OSM way {way_id} not in the extract")
        lat, lon = way["geometry"][which]
        return Stop(spec["name"], (lon, lat), "way_end", None, note, inside)
    if "place" in spec:
        place = places.get(spec["place"])
        if place is None:
            raise TraceError(f"place {spec['place']!r} not in data/layers/places.geojson")
        return Stop(spec.get("name", place["name"]), place["lonlat"], "place", None, note, inside)
    raise TraceError(f"stop needs station, way_end or place: {spec}")


def trace_route(stops: list[Stop], graph: nx.Graph | None, snap_m: float, countries: dict | None = None,
                around=None) -> list[Part]:
    """Legs between consecutive stops, merged into parts of one accuracy.

    Both ends snapped to connected track -> "traced" along the shortest path; else straight:
    "station_routed" between OSM stops, "schematic" when a gazetteer place is involved or
    when the leg follows a country's outline (``inside``). ``around(a, b)`` may replace a
    straight leg that would cross water by a path on land (then "schematic").
    """
    if len(stops) < 2:
        raise TraceError("a route needs at least two stops")
    index = NodeIndex(sorted(graph.nodes)) if graph is not None and len(graph) else None
    for stop in stops:
        if index is not None and stop.kind != "place":
            stop.snapped = index.nearest(stop.lonlat, snap_m)
    parts: list[Part] = []
    for a, b in zip(stops, stops[1:]):
        path = track_path(graph, a.snapped, b.snapped) if a.snapped and b.snapped else None
        if path is not None:
            coords, ways, accuracy = path[0], path[1], "traced"
        elif b.inside:
            coords, ways, accuracy = inside_path(a.point, b.point, countries[b.inside]), set(), "schematic"
        else:
            coords, ways = [a.point, b.point], set()
            accuracy = "schematic" if "place" in (a.kind, b.kind) else "station_routed"
            detour = around(a.point, b.point) if around else None
            if detour is not None:  # the straight leg would cut across a bay or a lake
                coords, accuracy = detour, "schematic"
                b = Stop(b.name, b.lonlat, b.kind, b.osm_id, AROUND_WATER_NOTE, b.inside)
        if parts and parts[-1].accuracy == accuracy and parts[-1].note == b.leg_note:
            parts[-1].end = b.name
            parts[-1].coords += coords[1:]
            parts[-1].ways |= ways
        else:
            parts.append(Part(a.name, b.name, accuracy, b.leg_note, list(coords), set(ways)))
    return parts


def route_feature(route_id: str, stops: list[Stop], parts: list[Part]) -> dict:
    """One GeoJSON Feature: the simplified line and its provenance (``trace``)."""
    line: list[tuple[float, float]] = []
    part_props = []
    km_by_accuracy: dict[str, float] = {}
    for part in parts:
        coords = simplify(drop_revisits(part.coords))
        km = line_km(coords)
        line += coords[1:] if line and line[-1] == coords[0] else coords
        km_by_accuracy[part.accuracy] = km_by_accuracy.get(part.accuracy, 0.0) + km
        entry = {"from": part.start, "to": part.end, "accuracy": part.accuracy, "km": round(km, 1)}
        if part.note:
            entry["note"] = part.note
        part_props.append(entry)
    weakest = max((p.accuracy for p in parts), key=ACCURACY_RANK.__getitem__)
    trace = {
        "extract": EXTRACT,
        "osm_way_ids": sorted(set().union(*(p.ways for p in parts))),
        "osm_node_ids": [s.osm_id for s in stops if s.kind == "station"],
        "km": {k: round(v, 1) for k, v in sorted(km_by_accuracy.items()) if round(v, 1) > 0},
        "parts": part_props,
    }
    return {
        "type": "Feature",
        "properties": {"id": route_id, "geometry_accuracy": weakest, "trace": trace},
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in line]},
    }


# ---------------------------------------------------------------- main


@lru_cache(maxsize=None)
def _read_ways(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def trace_all(osm_dir: Path, config: dict, places: dict[str, dict]) -> tuple[dict, dict[str, list[Stop]]]:
    """The FeatureCollection for every route of railways.toml (and the resolved stops)."""
    checksums = verify_extract(osm_dir)
    stations = load_stations(osm_dir)
    snap_m = config["snap_km"] * 1000.0
    countries = load_countries()
    graphs: dict[tuple[str, tuple[str, ...]], nx.Graph] = {}
    features, all_stops, used_stations = [], {}, {}
    for route in config["route"]:
        ways = _read_ways(osm_dir / "railways" / f"{route['track']}.json") if route.get("track") else []
        ways_by_id = {w["id"]: w for w in ways}
        stops = [resolve_stop(s, stations, ways_by_id, places) for s in route["stop"]]
        graph = None
        if ways:
            key = (route["track"], tuple(sorted(route["types"])))
            if key not in graphs:
                graphs[key] = build_track_graph(ways, set(route["types"]))
            graph = graphs[key]
        parts = trace_route(stops, graph, snap_m, countries, around=around_water)
        features.append(route_feature(route["id"], stops, parts))
        all_stops[route["id"]] = stops
        for s in stops:
            if s.kind == "station":
                lon, lat = s.lonlat
                used_stations[str(s.osm_id)] = {"name": s.name, "coordinates": [round(lon, NDIGITS), round(lat, NDIGITS)]}
    collection = {
        "type": "FeatureCollection",
        "name": "railways",
        "attribution": ATTRIBUTION,
        "licence": "ODbL 1.0",
        "source": {
            "extract": EXTRACT,
            "url": REPOSITORY_URL,
            "sha256": checksums,
        },
        "method": (
            f"Stops snap to the nearest OSM track vertex within {config['snap_km']} km; traced parts are "
            "shortest paths on the track graph between them, station_routed parts straight between "
            "consecutive OSM stations, schematic parts straight to gazetteer places; simplified by "
            f"{SIMPLIFY_DEG} degrees. Regenerated by data/sources/trace_railways.py."
        ),
        "snap_km": config["snap_km"],
        "stations": dict(sorted(used_stations.items(), key=lambda kv: int(kv[0]))),
        "features": features,
    }
    return collection, all_stops


def dumps(collection: dict) -> str:
    return json.dumps(collection, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osm", type=Path, default=DEFAULT_OSM, help="the osm-rail extract folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    try:
        collection, stops = trace_all(args.osm.resolve(), config, load_places())
    except TraceError as exc:
        print(f"trace_railways: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dumps(collection), encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
