"""The railway tracer (data/sources/trace_railways.py) and its committed output.

Unit tests run the graph and tracing functions on small synthetic track; they never read
../shared/osm-rail. The output tests check data/sources/geometry/railways.geojson as
committed: continuous lines, stations within the stated snap tolerance, provenance present.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, box

from .regen_scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "sources" / "geometry" / "railways.geojson"
CONFIG = ROOT / "data" / "sources" / "railways.toml"
GEOD = Geod(ellps="WGS84")


T = load_script("trace_railways")


def way(way_id, lonlats, kind="rail"):
    """A synthetic OSM way in the extract's format ([lat, lon] pairs)."""
    return {"id": way_id, "type": kind, "geometry": [[lat, lon] for lon, lat in lonlats]}


def station(node_id, lon, lat, name):
    return T.Stop(name, (lon, lat), "station", node_id)


# ---------------------------------------------------------------- graph


def test_ways_sharing_a_node_are_connected_and_edges_keep_their_way():
    graph = T.build_track_graph([way(1, [(47.0, 40.0), (47.1, 40.0)]), way(2, [(47.1, 40.0), (47.2, 40.0)])], {"rail"})
    nodes, ways = T.track_path(graph, (47.0, 40.0), (47.2, 40.0))
    assert nodes == [(47.0, 40.0), (47.1, 40.0), (47.2, 40.0)]
    assert ways == {1, 2}


def test_way_ends_a_few_metres_apart_are_joined_but_not_beyond_the_snap_distance():
    # 0.0001° of longitude at 40°N is about 8.5 m; 0.0005° about 43 m
    near = T.build_track_graph([way(1, [(47.0, 40.0), (47.1, 40.0)]), way(2, [(47.1001, 40.0), (47.2, 40.0)])], {"rail"})
    assert T.track_path(near, (47.0, 40.0), (47.2, 40.0)) is not None
    far = T.build_track_graph([way(1, [(47.0, 40.0), (47.1, 40.0)]), way(2, [(47.1005, 40.0), (47.2, 40.0)])], {"rail"})
    assert T.track_path(far, (47.0, 40.0), (47.2, 40.0)) is None


def test_only_allowed_track_types_enter_the_graph():
    ways = [
        way(1, [(47.0, 40.0), (47.1, 40.0)]),
        way(2, [(47.1, 40.0), (47.2, 40.0)], "construction"),
        way(3, [(47.2, 40.0), (47.3, 40.0)], "monorail"),
    ]
    rail_only = T.build_track_graph(ways, {"rail"})
    assert (47.2, 40.0) not in rail_only
    with_construction = T.build_track_graph(ways, {"rail", "construction"})
    assert T.track_path(with_construction, (47.0, 40.0), (47.2, 40.0))[1] == {1, 2}
    assert (47.3, 40.0) not in with_construction


def test_shortest_path_prefers_the_shorter_branch():
    ways = [
        way(1, [(47.0, 40.0), (47.1, 40.0), (47.2, 40.0)]),  # straight
        way(2, [(47.0, 40.0), (47.1, 40.2), (47.2, 40.0)]),  # detour north
    ]
    nodes, ways_used = T.track_path(T.build_track_graph(ways, {"rail"}), (47.0, 40.0), (47.2, 40.0))
    assert ways_used == {1}


def test_nearest_vertex_respects_the_maximum_distance():
    index = T.NodeIndex([(47.0, 40.0), (47.1, 40.0)])
    assert index.nearest((47.001, 40.001), 2000) == (47.0, 40.0)  # ~140 m away
    assert index.nearest((47.05, 40.1), 2000) is None  # ~11 km away


# ---------------------------------------------------------------- tracing


def test_legs_on_track_are_traced_and_others_straight_with_the_right_accuracy():
    graph = T.build_track_graph([way(7, [(47.0, 40.0), (47.05, 40.01), (47.1, 40.0)])], {"rail"})
    stops = [
        station(1, 47.0, 40.001, "A"),  # ~110 m off the track
        station(2, 47.1, 40.0, "B"),
        station(3, 47.5, 40.5, "C"),  # no track near: straight from B
        T.Stop("Town", (47.6, 40.6), "place"),
    ]
    parts = T.trace_route(stops, graph, 2000.0)
    assert [(p.start, p.end, p.accuracy) for p in parts] == [
        ("A", "B", "traced"),
        ("B", "C", "station_routed"),
        ("C", "Town", "schematic"),
    ]
    assert parts[0].ways == {7}
    assert parts[0].coords[0] == (47.0, 40.0)  # starts on the track, not at the station node
    feature = T.route_feature("demo", stops, parts)
    props = feature["properties"]
    assert props["geometry_accuracy"] == "schematic"
    assert props["trace"]["osm_way_ids"] == [7]
    assert props["trace"]["osm_node_ids"] == [1, 2, 3]
    assert set(props["trace"]["km"]) == {"traced", "station_routed", "schematic"}
    coords = feature["geometry"]["coordinates"]
    assert coords[0] == [47.0, 40.0] and coords[-1] == [47.6, 40.6]


def test_consecutive_legs_of_one_accuracy_merge_into_one_part():
    stops = [station(i, 47.0 + i / 10, 40.0, f"S{i}") for i in range(4)]
    parts = T.trace_route(stops, None, 2000.0)
    assert len(parts) == 1 and parts[0].start == "S0" and parts[0].end == "S3"
    feature = T.route_feature("straight", stops, parts)
    assert feature["properties"]["geometry_accuracy"] == "station_routed"
    assert list(feature["properties"]["trace"]["km"]) == ["station_routed"]


def test_inside_path_keeps_to_the_country_side_of_its_border():
    country = box(46.0, 38.9, 46.6, 39.3)  # border along 38.9°N, the neighbour to the south
    path = T.inside_path((46.05, 38.89), (46.55, 38.89), country)
    interior = LineString(path[1:-1])
    assert country.contains(interior)
    assert all(abs(lat - 38.905) < 1e-6 for _, lat in path[1:-1])


def test_simplify_keeps_both_ends_and_rounds():
    coords = [(47.0, 40.0), (47.000011, 40.000001), (47.1, 40.000003), (47.2, 40.0)]
    out = T.simplify(coords)
    assert out[0] == (47.0, 40.0) and out[-1] == (47.2, 40.0)
    assert len(out) == 2


def test_extract_folder_missing_or_altered_fails_clearly(tmp_path):
    with pytest.raises(T.TraceError, match="not found"):
        T.verify_extract(tmp_path / "absent")
    for rel in T.CHECKSUMS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("[]", encoding="utf-8")
    with pytest.raises(T.TraceError, match="sha256 mismatch"):
        T.verify_extract(tmp_path)


# ---------------------------------------------------------------- committed output


@pytest.fixture(scope="module")
def output():
    return json.loads(OUTPUT.read_text(encoding="utf-8"))


def _distance_km(point, line: LineString) -> float:
    nearest = line.interpolate(line.project(Point(point)))
    return GEOD.inv(point[0], point[1], nearest.x, nearest.y)[2] / 1000.0


def test_output_is_canonical_and_small(output):
    assert OUTPUT.read_text(encoding="utf-8") == T.dumps(output)
    assert OUTPUT.stat().st_size < 300_000


def test_output_carries_licence_attribution_and_checksums(output):
    assert "OpenStreetMap contributors" in output["attribution"]
    assert output["licence"] == "ODbL 1.0"
    assert output["source"]["sha256"] == T.CHECKSUMS


def test_features_follow_railways_toml(output):
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert [f["properties"]["id"] for f in output["features"]] == [r["id"] for r in config["route"]]


@pytest.mark.parametrize("index", range(len(tomllib.loads(CONFIG.read_text(encoding="utf-8"))["route"])))
def test_each_line_is_continuous_and_passes_its_stations(output, index):
    feature = output["features"][index]
    props, geom = feature["properties"], feature["geometry"]
    trace = props["trace"]
    assert geom["type"] == "LineString" and len(geom["coordinates"]) >= 2
    for lon, lat in geom["coordinates"]:
        assert round(lon, 5) == lon and round(lat, 5) == lat
    line = LineString(geom["coordinates"])
    assert line.is_valid
    # continuous: the parts add up to the drawn line (each part shares its end with the next)
    drawn_km = GEOD.geometry_length(line) / 1000.0
    assert sum(p["km"] for p in trace["parts"]) == pytest.approx(drawn_km, abs=0.1 * len(trace["parts"]))
    assert sum(trace["km"].values()) == pytest.approx(drawn_km, abs=0.2)
    for a, b in zip(trace["parts"], trace["parts"][1:]):
        assert a["to"] == b["from"]
    # every station the line was routed through lies within the stated snap tolerance
    assert trace["osm_node_ids"], "every route is routed through OSM stations"
    for node_id in trace["osm_node_ids"]:
        node = output["stations"][str(node_id)]
        assert _distance_km(node["coordinates"], line) <= output["snap_km"], node["name"]
    # provenance matches the accuracy
    rank = {"traced": 0, "station_routed": 1, "schematic": 2}
    assert props["geometry_accuracy"] == max((p["accuracy"] for p in trace["parts"]), key=rank.get)
    if any(p["accuracy"] == "traced" for p in trace["parts"]):
        assert trace["osm_way_ids"] == sorted(set(trace["osm_way_ids"])) and trace["osm_way_ids"]
    assert trace["extract"].startswith("OpenStreetMap railway extract of 2026-04-01")


@pytest.mark.parametrize("index", range(len(tomllib.loads(CONFIG.read_text(encoding="utf-8"))["route"])))
def test_stations_come_in_line_order(output, index):
    """Each station projects further along the drawn line than the one before: no leg runs back."""
    feature = output["features"][index]
    line = LineString(feature["geometry"]["coordinates"])
    ids = feature["properties"]["trace"]["osm_node_ids"]
    along = [line.project(Point(output["stations"][str(i)]["coordinates"])) for i in ids]
    assert along == sorted(along), feature["properties"]["id"]


def _feature(output, fid):
    return next(f for f in output["features"] if f["properties"]["id"] == fid)


#: The lines across Armenia and eastern Turkey, routed through the OSM stations the line's
#: route diagram or station pages name, in line order (railways.toml cites them).
ARMENIA_TURKEY_STATIONS = {
    "crossroads-gyumri-kars-railway": [
        10778863051,  # Gyumri
        13382347659,  # Doğukapı
        13247813127,  # Akyaka
        13031810391, 1514128635, 2691654097, 6067508752, 134974766,  # halts of the Kars–Akyaka line
        2691661812,  # Mezra
        2005962642,  # Kars
    ],
    "crossroads-yeraskh-nakhchivan-railway": [
        7564242877, 10782858977, 11368513438, 10780676055, 11368513437, 11368513436, 3065361683,  # Yerevan … Ararat
        11368513435,  # Yeraskh
        3963722257, 3082864534, 8631252675,  # Sədərək, Sharur, Nakhchivan
    ],
    "kars-igdir-dilucu-railway": [2005962642, 3963722257],  # Kars, Sədərək
}
#: A turn sharper than this at a station would mean a station out of order (the sharpest on
#: these lines is 77°, at the Şahnalar halt of the Kars–Akyaka line).
MAX_TURN_DEG = 90.0


@pytest.mark.parametrize("fid", sorted(ARMENIA_TURKEY_STATIONS))
def test_lines_across_armenia_and_turkey_follow_osm_stations_not_gazetteer_points(output, fid):
    props = _feature(output, fid)["properties"]
    trace = props["trace"]
    assert trace["osm_node_ids"] == ARMENIA_TURKEY_STATIONS[fid]
    assert props["geometry_accuracy"] in ("traced", "station_routed")
    assert "schematic" not in trace["km"]
    stations = [output["stations"][str(i)] for i in trace["osm_node_ids"]]
    for a, b, c in zip(stations, stations[1:], stations[2:]):
        (ax, ay), (bx, by), (cx, cy) = a["coordinates"], b["coordinates"], c["coordinates"]
        turn = abs((GEOD.inv(bx, by, cx, cy)[0] - GEOD.inv(ax, ay, bx, by)[0] + 180) % 360 - 180)
        assert turn <= MAX_TURN_DEG, (fid, b["name"], round(turn))


def test_soviet_line_reaches_yerevan_station_and_is_schematic_only_across_meghri(output):
    props = _feature(output, "soviet-baku-julfa-yerevan-railway")["properties"]
    trace = props["trace"]
    assert trace["osm_node_ids"][-1] == 7564242877  # Yerevan station, not the gazetteer point
    schematic = [p for p in trace["parts"] if p["accuracy"] == "schematic"]
    assert [p["to"] for p in schematic] == ["Meghri", "Salamalik"]


def test_kars_dilucu_line_follows_the_osm_construction_track_for_its_reported_length(output):
    """Turkey's line is traced along the OSM ways mapped as under construction; the traced part
    alone matches the 224 km the ministry reported (Trend via MENAFN, routes.toml)."""
    from corridor_atlas.geocheck import TRACED_LENGTH_RANGE

    trace = _feature(output, "kars-igdir-dilucu-railway")["properties"]["trace"]
    assert trace["osm_way_ids"] == [1329000251]
    low, high = TRACED_LENGTH_RANGE
    assert low * 224 <= trace["km"]["traced"] <= high * 224
