"""The geographic rules of corridor_atlas.geocheck, on a tiny synthetic world.

Two countries side by side (AAA west of 45°E, BBB east of it, 38–42°N), BBB with a small
tooth reaching into AAA (a river bend, for the chord and bank rules), a lake inside AAA,
and open sea south of 38°N. Each rule is shown to fire with its message on a line that
breaks it, and to stay silent on a line that keeps it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import LineString, Point, box

from corridor_atlas import geocheck
from corridor_atlas.errors import Problems
from corridor_atlas.layers import BaseFeature, BaseLayer, BaseProperties, Feature, FeatureProperties, Layer

ROUTES = Path("data/layers/routes.geojson")
SOURCE = [{"title": "A source", "url": "https://example.org/source"}]
#: BBB's tooth into AAA: 2.2 km of latitude (a chord may clip it), or 11 km (it may not)
SMALL_TOOTH = box(44.97, 39.49, 45.0, 39.51)
BIG_TOOTH = box(44.97, 39.45, 45.0, 39.55)
LAKE = box(42.0, 40.5, 43.0, 41.0)


def world(tooth=SMALL_TOOTH) -> dict[str, BaseLayer]:
    aaa = box(40, 38, 45, 42).difference(tooth)
    bbb = box(45, 38, 50, 42).union(tooth)
    features = [BaseFeature(BaseProperties(iso_a3=code, name=code), geom) for code, geom in (("AAA", aaa), ("BBB", bbb))]
    return {"countries": BaseLayer("countries", Path("data/base/countries.geojson"), "test", "", features)}


def water() -> geocheck.Water:
    props = geocheck.WaterProperties(kind="lake", name="Test Lake")
    return geocheck.Water(Path("data/base/water.geojson"), "test", [(props, LAKE)])


def place(pid: str, lon: float, lat: float, country: str) -> Feature:
    props = FeatureProperties(id=pid, name=pid, kind="place", status="operational", geometry_accuracy="traced",
                              sources=SOURCE, place_type="town", country=country)
    return Feature("routes", props, Point(lon, lat))


def line(fid: str, coords, countries, kind="rail", accuracy="schematic", **extra) -> Feature:
    if accuracy == "traced":
        extra.setdefault("trace", {"extract": "test", "osm_way_ids": [1]})
    props = FeatureProperties.model_validate({"id": fid, "name": fid, "kind": kind, "status": "operational",
                                              "geometry_accuracy": accuracy, "sources": SOURCE,
                                              "countries": countries, **extra})
    return Feature("routes", props, LineString(coords))


def run(*features: Feature, tooth=SMALL_TOOTH, with_water=True) -> list[str]:
    layer = Layer("routes", "Routes", "", ROUTES, list(features))
    return [str(p) for p in geocheck.check_geography({"routes": layer}, world(tooth), water() if with_water else None).items]


def reported(value: float, country: str | None = None) -> list[dict]:
    figure = {"quantity": "length", "value": value, "unit": "km", "source": "https://example.org/length"}
    return [{**figure, "country": country} if country else figure]


# ---------------------------------------------------------------- (a) countries


def test_countries__declared_order_passes():
    assert run(line("east-west", [(41, 40), (49, 40)], ["AAA", "BBB"], kind="pipeline")) == []


def test_countries__wrong_list_named_with_both_sequences():
    assert run(line("east-west", [(41, 40), (49, 40)], ["AAA"], kind="pipeline")) == [
        "data/layers/routes.geojson: feature 'east-west': countries: the line passes AAA → BBB, but countries says AAA"]


def test_countries__a_border_sliver_under_1_km_is_no_country():
    # the terminus lies 0.5 km past the border: BBB is not entered
    assert run(line("to-border", [(41, 40), (45.006, 40)], ["AAA"])) == []


def test_countries__schematic_chord_may_clip_a_bend_within_3_km():
    stops = [place("north-town", 44.98, 40.0, "AAA"), place("south-town", 44.98, 39.0, "AAA")]
    route = line("along-river", [(44.98, 40.0), (44.98, 39.0)], ["AAA"], waypoints=["north-town", "south-town"])
    assert run(*stops, route) == []


def test_countries__schematic_chord_clipping_more_than_3_km_is_reported():
    stops = [place("north-town", 44.98, 40.0, "AAA"), place("south-town", 44.98, 39.0, "AAA")]
    route = line("along-river", [(44.98, 40.0), (44.98, 39.0)], ["AAA"], waypoints=["north-town", "south-town"])
    assert run(*stops, route, tooth=BIG_TOOTH) == [
        "data/layers/routes.geojson: feature 'along-river': countries: the chord 'north-town' → 'south-town' (both in AAA) "
        "leaves AAA for more than 3 km (BBB 11.1 km); add a waypoint on its own bank or trace the line"]


def test_bank__a_traced_line_gets_no_chord_slack():
    """(e) the same 2 km across the river is accepted from a chord, not from a traced line."""
    route = line("along-river", [(44.98, 40.0), (44.98, 39.0)], ["AAA"], accuracy="traced")
    assert run(route) == [
        "data/layers/routes.geojson: feature 'along-river': countries: the line passes AAA → BBB → AAA, but countries says AAA"]


def test_bank__a_traced_line_on_its_bank_passes():
    assert run(line("on-bank", [(44.96, 40.0), (44.96, 39.0)], ["AAA"], accuracy="traced")) == []


def test_countries__schematic_line_off_its_waypoints_is_judged_on_its_geometry():
    stops = [place("north-town", 44.98, 40.0, "AAA"), place("south-town", 44.98, 39.0, "AAA")]
    route = line("along-river", [(44.98, 40.0), (44.98, 39.5), (44.98, 39.0)], ["AAA"], waypoints=["north-town", "south-town"])
    assert run(*stops, route)[0].endswith("countries: the line passes AAA → BBB → AAA, but countries says AAA")


# ---------------------------------------------------------------- (b) land on land


def test_land__a_railway_across_the_lake_is_reported_with_km_and_middle():
    problems = run(line("across-lake", [(41.0, 40.75), (44.0, 40.75)], ["AAA"]))
    assert problems == [
        "data/layers/routes.geojson: feature 'across-lake': geometry: a rail line runs over water (lake 'Test Lake') for "
        "84.4 km around (42.5000, 40.7597) (lon, lat); a land route may cross at most 1 km of water in one stretch"]


def test_land__each_stretch_over_water_is_reported():
    # into the lake and out across its south shore, then in again from the south and out to the east
    route = line("zigzag", [(41.5, 40.75), (42.5, 40.75), (42.5, 40.2), (42.7, 40.2), (42.7, 40.9), (43.5, 40.9)], ["AAA"])
    problems = run(route)
    assert len(problems) == 2
    assert "for 70.0 km around" in problems[0] and "for 69.7 km around (42.7000, 40.8500)" in problems[1]


def test_land__less_than_1_km_of_water_passes():
    assert run(line("lake-corner", [(42.5, 40.0), (42.5, 40.505)], ["AAA"])) == []


def test_land__a_line_beside_the_lake_passes():
    assert run(line("lakeside", [(41.0, 40.45), (44.0, 40.45)], ["AAA"], kind="road")) == []


def test_land__a_traced_stretch_on_a_coarse_shore_passes_a_straight_one_does_not():
    """Along OSM track only water deeper than the shore's accuracy counts; a stretch drawn
    straight between stations is judged against all water."""
    # 0.55 km inside the lake all along its south shore (short steps: a long geodesic would bow north)
    shore = [(41.5 + i / 10, 40.505) for i in range(21)]
    parts = [{"from": "A", "to": "B", "accuracy": "traced", "km": 169.4}]
    traced = line("coast-traced", shore, ["AAA"], accuracy="traced",
                  trace={"extract": "test", "osm_way_ids": [1], "parts": parts})
    assert run(traced) == []
    straight = line("coast-straight", shore, ["AAA"], accuracy="station_routed",
                    trace={"extract": "test", "osm_node_ids": [1, 2], "parts": [dict(parts[0], accuracy="station_routed")]})
    assert len(run(straight)) == 1
    mixed = line("coast-mixed", [(41.0, 40.3), *shore], ["AAA"], accuracy="station_routed",
                 trace={"extract": "test", "osm_way_ids": [1], "osm_node_ids": [1],
                        "parts": [{"from": "S", "to": "A", "accuracy": "station_routed", "km": 46.9},
                                  dict(parts[0])]})
    assert run(mixed) == []


def test_land__no_water_file_skips_only_this_rule():
    assert run(line("across-lake", [(41.0, 40.75), (44.0, 40.75)], ["AAA"]), with_water=False) == []


# ---------------------------------------------------------------- (c) sea at sea


def test_sea__a_leg_at_sea_passes():
    assert run(line("at-sea", [(41, 37.5), (49, 37.5)], ["AAA", "BBB"], kind="shipping")) == []


def test_sea__a_leg_across_a_headland_names_the_country():
    leg = line("over-land", [(41, 37.5), (43, 38.5), (45, 37.5)], ["AAA"], kind="shipping")
    problems = run(leg)
    assert len(problems) == 1
    assert problems[0].startswith("data/layers/routes.geojson: feature 'over-land': geometry: the sea leg crosses land (AAA ")
    assert "beyond its port approaches (first 10 km, last 10 km)" in problems[0]


def test_sea__a_port_inland_is_excused_by_its_approach():
    # the port lies 5.5 km inland: inside the default 10 km approach, not inside a declared 0 km one
    assert run(line("from-port", [(41, 38.05), (41, 37.0)], ["AAA"], kind="shipping")) == []
    leg = line("from-port", [(41, 38.05), (41, 37.0)], ["AAA"], kind="shipping", approach_km={"start": 0.0, "end": 0.0})
    assert "the sea leg crosses land (AAA 5.5 km) beyond its port approaches (first 0 km, last 0 km)" in run(leg)[0]


# ---------------------------------------------------------------- (d) lengths


@pytest.mark.parametrize("value, accuracy, ok", [
    (256, "schematic", True),
    (400, "schematic", True),   # 0.64×: chords run short
    (450, "schematic", False),  # 0.57×
    (220, "schematic", False),  # 1.16×: a wrong waypoint
    (240, "traced", True),      # 1.07×
    (230, "traced", False),     # 1.11×
    (290, "traced", False),     # 0.88×
])
def test_length__ratio_range_by_accuracy(value, accuracy, ok):
    route = line("measured", [(41, 40), (44, 40)], ["AAA"], accuracy=accuracy, reported=reported(value))
    problems = run(route)
    assert (problems == []) is ok, problems


def test_length__message_names_the_figure_and_the_range():
    route = line("measured", [(41, 40), (44, 40)], ["AAA"], reported=reported(450))
    assert run(route) == [
        "data/layers/routes.geojson: feature 'measured': reported[0]: the line is drawn 256 km long in all, 0.57× the "
        "reported 450 km; a schematic line must be within 0.6–1.15× (check the waypoints or the figure)"]


def test_length__a_country_figure_is_compared_with_the_km_in_that_country():
    ok = line("measured", [(41, 40), (49, 40)], ["AAA", "BBB"], reported=reported(340, "AAA"))
    assert run(ok) == []
    wrong = line("measured", [(41, 40), (49, 40)], ["AAA", "BBB"], reported=reported(200, "AAA"))
    assert "drawn 341 km long in AAA, 1.71× the reported 200 km" in run(wrong)[0]


# ---------------------------------------------------------------- water file


def test_water__missing_file_says_how_to_regenerate(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    problems = Problems()
    assert geocheck.load_water(Path("data/base"), problems) is None
    assert [str(p) for p in problems.items] == [
        "data/base/water.geojson: missing: the land and sea rules need it; regenerate it with python data/sources/regenerate_water.py"]


def test_water__loads_and_refuses_unknown_kind(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = tmp_path / "data" / "base"
    base.mkdir(parents=True)
    lake = {"type": "Feature", "properties": {"kind": "lake", "name": "Test Lake"},
            "geometry": {"type": "Polygon", "coordinates": [list(LAKE.exterior.coords)]}}
    data = {"type": "FeatureCollection", "attribution": "test", "features": [lake]}
    (base / "water.geojson").write_text(json.dumps(data), encoding="utf-8")
    problems = Problems()
    loaded = geocheck.load_water(base, problems)
    assert not problems and len(loaded.bodies) == 1 and loaded.bodies[0][0].name == "Test Lake"
    lake["properties"]["kind"] = "river"
    (base / "water.geojson").write_text(json.dumps(data), encoding="utf-8")
    assert geocheck.load_water(base, problems) is None
    assert "data/base/water.geojson: features[0]: properties.kind: 'river' is not allowed; expected 'sea' or 'lake'" in [
        str(p) for p in problems.items]
