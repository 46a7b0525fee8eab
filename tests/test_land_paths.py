"""Land paths of data/sources/derive_lines.py: a chord that would run over water goes round it on land.

The derivation is tested on a small synthetic map near the equator: a lake between two
points, and a river across the whole search box, 2.2 km wide except at a 556 m neck. The
committed output (data/sources/geometry/land-paths.geojson) is checked against the routes'
waypoints.
"""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import LineString, Point, box

from corridor_atlas.measure import geodesic_length_km

from .regen_scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
LAND_PATHS = ROOT / "data" / "sources" / "geometry" / "land-paths.geojson"

LAKE = box(0.2, -0.05, 0.3, 0.05)  # ~11 km square, across the chord from A to B
NECK = box(0.3975, 0.09, 0.4025, 0.11)  # 0.005° ≈ 556 m wide, 0.02° ≈ 2.2 km long
RIVER = shapely.union_all([box(0.39, -1.0, 0.41, 0.09), NECK, box(0.39, 0.11, 0.41, 1.0)])  # 2.2 km wide elsewhere
WATER = shapely.union_all([LAKE, RIVER])
A, B = Point(0.0, 0.0), Point(0.5, 0.0)
DRY = Point(0.0, 0.2)  # due north of A: the chord A–DRY touches no water


def derive():
    return load_script("derive_lines")


@lru_cache(maxsize=1)
def synthetic_path() -> LineString:
    return derive().land_path(WATER, A, B)


def test_land_path_keeps_its_ends_and_goes_round_the_lake():
    line = synthetic_path()
    assert tuple(line.coords[0]) == (A.x, A.y) and tuple(line.coords[-1]) == (B.x, B.y)
    assert not line.intersects(LAKE)
    # ~200 m off the lake shore (0.0017° ≈ 190 m: the margin less the buffer's facets)
    assert line.distance(LAKE) >= 0.0017
    # round the lake: longer than the chord, but not by more than a detour past its corner
    detour = geodesic_length_km(LineString([A, (0.2, 0.05), (0.3, 0.05), (0.4, 0.1), B]))
    assert geodesic_length_km(LineString([A, B])) < geodesic_length_km(line) <= detour * 1.05


def test_land_path_crosses_the_river_once_at_its_narrowest():
    d = derive()
    line = synthetic_path()
    stretches = d.water_stretches_km(line, WATER)
    assert len(stretches) == 1
    assert stretches[0] <= d.MAX_WATER_STRETCH_KM
    crossing = line.intersection(RIVER)
    assert crossing.geom_type == "LineString"
    assert NECK.buffer(1e-9).contains(crossing)


def test_route_over_land_replaces_only_the_chords_over_water():
    d = derive()
    places = {"dry": DRY, "a": A, "b": B}
    line, replaced = d.route_over_land(WATER, places, ["dry", "a", "b"])
    coords = [tuple(c) for c in line.coords]
    # the dry chord stays exactly straight: its two waypoints are consecutive vertices
    assert coords[:2] == [(DRY.x, DRY.y), (A.x, A.y)]
    assert coords[-1] == (B.x, B.y) and len(coords) > 3
    assert [(r["from"], r["to"]) for r in replaced] == [("a", "b")]
    assert max(replaced[0]["straight_water_km"]) > d.MAX_WATER_STRETCH_KM
    assert replaced[0]["path_km"] > replaced[0]["straight_km"]


def test_land_path_is_deterministic():
    d = derive()
    assert list(d.land_path(WATER, A, B).coords) == list(synthetic_path().coords)


def test_committed_land_paths_keep_every_waypoint_as_a_vertex_in_order():
    routes_toml = tomllib.loads((ROOT / "data" / "sources" / "routes.toml").read_text("utf-8"))
    routes = {r["id"]: r for r in routes_toml["route"]}
    places = {f["properties"]["id"]: f["geometry"]["coordinates"]
              for f in json.loads((ROOT / "data" / "layers" / "places.geojson").read_text("utf-8"))["features"]}
    features = json.loads(LAND_PATHS.read_text("utf-8"))["features"]
    assert sorted(f["properties"]["id"] for f in features) == sorted(derive().LAND_PATH_ROUTES)
    for feature in features:
        route = routes[feature["properties"]["id"]]
        assert route.get("geometry") == "land-paths"
        assert feature["properties"]["waypoints_used"] == route["waypoints"]
        coords = feature["geometry"]["coordinates"]
        at = [coords.index(places[w]) for w in route["waypoints"]]
        assert at == sorted(at) and at[0] == 0 and at[-1] == len(coords) - 1
