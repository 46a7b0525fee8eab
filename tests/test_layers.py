"""Layer loading: valid features load; every broken one is named by file, feature and field."""

import json
import math

import pytest

from corridor_atlas.errors import Problems
from corridor_atlas.layers import load_base_layer, load_layer, load_layers

from .conftest import COUNTRIES, ROUTES


def load(tmp_path, data, name="routes"):
    path = tmp_path / f"{name}.geojson"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    problems = Problems()
    layer = load_layer(path, problems)
    return layer, [str(p).split(": ", 1)[1] for p in problems.items]


def test_load_layer__valid_layer(tmp_path, routes):
    layer, problems = load(tmp_path, routes)
    assert problems == []
    assert [f.id for f in layer.features] == ["alpha-town", "beta-port", "test-pipeline", "test-rail"]
    pipeline = layer.features[2]
    assert pipeline.geometry.geom_type == "LineString"
    assert pipeline.props.reported_value("length").value == 680
    assert layer.title == "Test routes"


def test_load_layer__problem_names_the_file(tmp_path, routes):
    routes["features"][2]["properties"]["status"] = "planned"
    path = tmp_path / "routes.geojson"
    path.write_text(json.dumps(routes))
    problems = Problems()
    assert load_layer(path, problems) is None
    assert str(problems.items[0]).startswith(str(path))


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda f: f["properties"].update(status="planned"),
         "feature 'test-pipeline': properties.status: 'planned' is not allowed"),
        (lambda f: f["properties"].update(kind="canal"), "feature 'test-pipeline': properties.kind: 'canal' is not allowed"),
        (lambda f: f["properties"].update(sources=[]), "feature 'test-pipeline': properties.sources: List should have at least 1 item"),
        (lambda f: f["properties"].pop("sources"), "feature 'test-pipeline': properties.sources: required property is missing"),
        (lambda f: f["properties"]["sources"][0].update(url="javascript:alert(1)"),
         "feature 'test-pipeline': properties.sources.0.url: 'javascript:alert(1)' is not an http(s) URL"),
        (lambda f: f["properties"].update(colour="red"), "feature 'test-pipeline': properties.colour: unknown property 'colour'"),
        (lambda f: f["properties"].update(name=7), "feature 'test-pipeline': properties.name: Input should be a valid string"),
        (lambda f: f["properties"].update(dates={"opened": "13 July 2006"}), "feature 'test-pipeline': properties.dates.opened: String should match pattern"),
        (lambda f: f.update(geometry=None), "feature 'test-pipeline': geometry: missing geometry"),
        (lambda f: f.update(geometry={"type": "LineString", "coordinates": []}), "feature 'test-pipeline': geometry: geometry is empty"),
        (lambda f: f.update(geometry={"type": "Point", "coordinates": [41, 40]}),
         "feature 'test-pipeline': geometry: a pipeline must be a LineString or MultiLineString, not a Point"),
        (lambda f: f["geometry"].update(coordinates=[[40.0, 70.0], [41.0, 75.0]]),
         "feature 'test-pipeline': geometry: coordinates look swapped: GeoJSON order is [longitude, latitude]"),
        (lambda f: f["geometry"].update(coordinates=[[-100.0, 40.0], [-99.0, 40.0]]),
         "feature 'test-pipeline': geometry: lies outside the region the data covers"),
        (lambda f: f["geometry"].update(coordinates=[[41, 40], [45, 41], [45, 39], [43, 41.5]]),
         "feature 'test-pipeline': geometry: line crosses itself"),
        (lambda f: f["properties"].update(countries=[]),
         "feature 'test-pipeline': properties.countries: a route must list the countries"),
        (lambda f: f["properties"].update(waypoints=["alpha-town"]),
         "feature 'test-pipeline': properties.waypoints: a schematic line is drawn through at least two"),
        (lambda f: f["properties"].update(geometry_accuracy="traced"),
         "feature 'test-pipeline': properties: a traced line needs trace.osm_way_ids"),
        (lambda f: f["properties"].update(geometry_accuracy="station_routed", trace={"extract": "x", "osm_way_ids": [5]}),
         "feature 'test-pipeline': properties: a station-routed line needs trace.osm_node_ids"),
        (lambda f: f["properties"].update(geometry_accuracy="traced", trace={"extract": "x", "osm_way_ids": [-5]}),
         "feature 'test-pipeline': properties.trace.osm_way_ids.0: Input should be greater than 0"),
        (lambda f: f["properties"].update(geometry_accuracy="traced", trace={"extract": "x", "osm_way_ids": [5], "km": {"traced": -1.0}}),
         "feature 'test-pipeline': properties.trace.km.traced: Input should be greater than or equal to 0"),
    ],
)
def test_load_layer__broken_feature_is_named(tmp_path, routes, mutate, expected):
    mutate(routes["features"][2])
    layer, problems = load(tmp_path, routes)
    assert layer is None
    assert any(p.startswith(expected) for p in problems), problems


def test_load_layer__traced_line_with_its_provenance_loads(tmp_path, routes):
    props = routes["features"][2]["properties"]
    props.update(geometry_accuracy="traced", trace={
        "extract": "OpenStreetMap railway extract of 2026-04-01", "osm_way_ids": [17505517, 17505518],
        "osm_node_ids": [235460157], "km": {"traced": 12.5, "schematic": 3.0},
        "parts": [{"from": "A", "to": "B", "accuracy": "traced", "km": 12.5}]})
    layer, problems = load(tmp_path, routes)
    assert problems == []
    trace = layer.features[2].props.trace
    assert trace.osm_way_ids == [17505517, 17505518] and trace.parts[0].start == "A" and trace.km["schematic"] == 3.0


def test_load_layer__non_finite_coordinate(tmp_path, routes):
    text = json.dumps(routes).replace("[49.0, 40.0]]", "[NaN, 40.0]]", 1)
    layer, problems = load(tmp_path, text)
    assert layer is None
    assert any("coordinates must all be finite numbers" in p for p in problems)


def test_load_layer__invalid_polygon(tmp_path, routes):
    bowtie = {"type": "Polygon", "coordinates": [[[41, 39], [43, 41], [43, 39], [41, 41], [41, 39]]]}
    routes["features"].append({"type": "Feature", "geometry": bowtie, "properties": {
        "id": "bowtie", "name": "Bowtie", "kind": "area", "status": "operational", "geometry_accuracy": "approximate",
        "sources": [{"title": "t", "url": "https://example.org"}]}})
    _, problems = load(tmp_path, routes)
    assert any(p.startswith("feature 'bowtie': geometry: invalid geometry: Self-intersection") for p in problems)


def test_load_layer__duplicate_id(tmp_path, routes):
    routes["features"][3]["properties"]["id"] = "test-pipeline"
    _, problems = load(tmp_path, routes)
    assert any("properties.id: duplicate id (also features[2])" in p for p in problems)


def test_load_layer__all_problems_reported_at_once(tmp_path, routes):
    routes["features"][0]["properties"]["status"] = "x"
    routes["features"][2]["properties"]["kind"] = "y"
    routes["features"][3]["geometry"] = None
    _, problems = load(tmp_path, routes)
    assert len(problems) == 3


def test_load_layer__invalid_json_gives_line_and_column(tmp_path):
    _, problems = load(tmp_path, '{"type": "FeatureCollection", "features": [}')
    assert problems[0].startswith("line 1 column 44: invalid JSON")


def test_load_layer__wrong_top_level_type(tmp_path):
    _, problems = load(tmp_path, [1, 2])
    assert problems == ["(top level): expected a GeoJSON FeatureCollection, got 'list'"]


def test_load_layer__other_crs_refused(tmp_path, routes):
    routes["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    _, problems = load(tmp_path, routes)
    assert problems[0].startswith("crs: coordinates must be WGS84")


def test_load_layer__name_must_match_file(tmp_path, routes):
    routes["name"] = "other"
    _, problems = load(tmp_path, routes)
    assert problems == ["name: layer name must equal the file name 'routes' (got 'other')"]


def test_load_layers__id_unique_across_files(tmp_path, routes):
    (tmp_path / "routes.geojson").write_text(json.dumps(routes))
    other = dict(routes, name="other", features=[routes["features"][0]])
    (tmp_path / "other.geojson").write_text(json.dumps(other))
    problems = Problems()
    load_layers(tmp_path, problems)
    assert any("id already used in layer" in str(p) for p in problems.items)


def test_load_base_layer__needs_attribution(tmp_path):
    data = dict(COUNTRIES)
    data.pop("attribution")
    path = tmp_path / "countries.geojson"
    path.write_text(json.dumps(data))
    problems = Problems()
    assert load_base_layer(path, problems) is None
    assert "base geography must say whom to credit" in str(problems.items[0])


def test_load_base_layer__valid(tmp_path):
    path = tmp_path / "countries.geojson"
    path.write_text(json.dumps(COUNTRIES))
    problems = Problems()
    layer = load_base_layer(path, problems)
    assert not problems
    assert [f.props.iso_a3 for f in layer.features] == ["AAA", "BBB"]
    assert math.isclose(layer.features[0].geometry.area, 20.0)
