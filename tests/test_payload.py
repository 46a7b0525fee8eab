"""The page payload is compact but loses nothing: encoded lines decode to the prepared
geometry, every source a popup lists is in the shared table, and no property is shipped
that the page's scripts never read."""

import json
import re
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from corridor_atlas.codec import (ALPHABET, compact_layers, pack_layers, decode_geometry, decode_polygons, encode_geometry, encode_polygons,
                                  COARSER, _arc_text, arc_steps, expand_layers, share_borders, share_repeated, text_varints, unpack_layers,
                                  unshare_borders, varint_text)
from corridor_atlas.pipeline import build_site, load_inputs
from corridor_atlas.prepare import prepare_map
from corridor_atlas.render import payload
from corridor_atlas.simplify import decimals_for_zoom

from .conftest import SOURCE, write_project

STATIC = Path(__file__).resolve().parent.parent / "corridor_atlas" / "static"


def page_payload(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', html, re.S)
    assert match, "page has no data payload"
    return unpack_layers(json.loads(match.group(1)))  # codec.pack_layers: the layers as GeoJSON again


@pytest.mark.parametrize("geometry", [
    {"type": "LineString", "coordinates": [[44.125, 40.5], [44.25, 40.375], [45.0, 39.875]]},
    {"type": "MultiLineString", "coordinates": [[[44.125, 40.5], [44.25, 40.375]], [[-1.5, -2.25], [0.0, 0.125]]]},
    {"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]],
                                        [[0.25, 0.125], [0.5, 0.125], [0.5, 0.25], [0.25, 0.125]]]},
    {"type": "MultiPolygon", "coordinates": [[[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]],
                                             [[[5.0, 5.0], [6.0, 5.0], [6.0, 6.0], [5.0, 5.0]]]]},
])
def test_encode_geometry__round_trip_on_the_grid_is_exact(geometry):
    encoded = encode_geometry(geometry, 3)
    assert "coordinates" not in encoded and encoded["type"] == geometry["type"]
    assert decode_geometry(encoded, 3) == geometry


def test_encode_geometry__integers_are_steps_from_the_previous_vertex():
    encoded = encode_geometry({"type": "LineString", "coordinates": [[44.1, 40.2], [44.15, 40.05]]}, 3)
    assert [text_varints(line) for line in encoded["q"]] == [[44100, 40200, 50, -150]]


@pytest.mark.parametrize("values", [[0, -1, 1, -2, 15, 16, -16, 31, 32], [180_000_000, -180_000_000, 90_000_000], []])
def test_varint_text__round_trip_and_one_character_per_small_step(values):
    text = varint_text(values)
    assert text_varints(text) == values
    assert set(text) <= set(ALPHABET) and not set(text) & set('\\"<>&')  # nothing JSON or HTML escapes
    assert len(varint_text([5, -7, 0, 15, -16])) == 5


@pytest.mark.parametrize("geometry", [{"type": "Point", "coordinates": [44.1, 40.2]}, None])
def test_encode_geometry__leaves_points_as_they_are(geometry):
    assert encode_geometry(geometry, 3) == geometry
    assert decode_geometry(geometry, 3) == geometry


def test_compact_layers__each_source_once_and_expand_restores_the_layers():
    other = {"title": "Other", "url": "https://example.org/other"}
    features = [{"type": "Feature", "properties": {"id": f"f{i}", "sources": sources},
                 "geometry": {"type": "LineString", "coordinates": [[40.0 + i, 40.0], [41.0, 40.5]]}}
                for i, sources in enumerate([[SOURCE], [SOURCE, other], [other]])]
    layers = [{"name": "l", "title": "L", "shown": True, "geojson": {"type": "FeatureCollection", "features": features}}]
    compacted, table = compact_layers(layers, 1)
    assert table == [SOURCE, other]
    assert [f["properties"]["sources"] for f in compacted[0]["geojson"]["features"]] == [[0], [0, 1], [1]]
    assert expand_layers(compacted, table, 1) == layers
    assert features[0]["properties"]["sources"] == [SOURCE]  # the input is not changed


def test_share_borders__a_border_is_written_once_and_rings_decode_exactly():
    west, east = shapely.box(40.0, 38.0, 41.0, 39.0), shapely.box(41.0, 38.0, 42.5, 39.0)  # they share x = 41
    countries = [{"iso_a3": "AAA", "q": encode_polygons(west, 2)}, {"iso_a3": "BBB", "q": encode_polygons(east, 2)}]
    shared, arcs = share_borders(countries)
    assert unshare_borders(shared, arcs) == countries
    assert all(set(arc.lstrip(COARSER)) <= set(ALPHABET) for arc in arcs) and "," not in ALPHABET + COARSER  # the page joins the arcs with ","
    east_steps = text_varints(shared[1]["a"][0][0])
    assert any(step & 1 for step in east_steps)  # the east ring cites the west ring's border, backwards
    assert shapely.equals(shape(decode_polygons(unshare_borders(shared, arcs)[1]["q"], 2)), east)


def test_arc_text__steps_sharing_a_power_of_ten_are_written_in_it():
    coarse = [3, -7] + [100, -200, 300, 0] * 5  # a story's coarse tier: whole hundreds of grid steps after the first vertex
    assert _arc_text(coarse).startswith(COARSER * 2) and arc_steps(_arc_text(coarse)) == coarse
    assert len(_arc_text(coarse)) < len(varint_text(coarse))
    for steps in ([3, -7, 10, 20], [0, 0, 5, 10, 15, -20], [1, 2, 0, 0]):  # too short to pay, no common factor, no step
        assert _arc_text(steps) == varint_text(steps) and arc_steps(_arc_text(steps)) == steps


def test_share_repeated__a_value_two_features_carry_is_written_once():
    figure = {"quantity": "length", "value": 1768, "unit": "km", "source": "https://example.org/btc"}
    features = [{"type": "Feature", "geometry": None,
                 "properties": {"id": f"f{i}", "sources": [], "note": note, "reported": [figure]}}
                for i, note in enumerate(["Shared note.", "Shared note.", "Own note."])]
    layers = [{"name": "l", "title": "L", "shown": True, "geojson": {"type": "FeatureCollection", "features": features}}]
    compacted, table = share_repeated(layers)
    assert table == ["Shared note.", figure]
    assert [f["properties"]["note"] for f in compacted[0]["geojson"]["features"]] == [0, 0, "Own note."]
    assert expand_layers(compacted, [], 1, table) == layers


def test_page__lines_and_areas_decode_to_the_prepared_geometry_within_the_rounding(project, tmp_path):
    build_site(project, tmp_path / "site")
    data = page_payload((tmp_path / "site" / "test-map.html").read_text(encoding="utf-8"))
    inputs = load_inputs(project)
    prepared = prepare_map(inputs.specs[0], inputs.layers, inputs.base)
    expected = {f["properties"]["id"]: f["geometry"] for layer in prepared.layers for f in layer.features}
    decimals = data["decimals"]
    assert decimals == decimals_for_zoom(inputs.specs[0].view.max_zoom)
    lines = 0
    for layer in expand_layers(data["layers"], data["sources"], decimals):
        for f in layer["geojson"]["features"]:
            want = shape(expected[f["properties"]["id"]])
            got = shape(f["geometry"])
            assert shapely.equals_exact(got, want, tolerance=0.5 * 10 ** -decimals)
            lines += "Line" in got.geom_type
    assert lines == 2
    encoded = [f["geometry"] for layer in data["layers"] for f in layer["geojson"]["features"]
               if f["geometry"]["type"] != "Point"]
    assert encoded and all("q" in g and "coordinates" not in g for g in encoded)


def test_page__sources_table_is_exactly_what_the_popups_cite(project, tmp_path):
    build_site(project, tmp_path / "site")
    data = page_payload((tmp_path / "site" / "test-map.html").read_text(encoding="utf-8"))
    cited = [i for layer in data["layers"] for f in layer["geojson"]["features"] for i in f["properties"]["sources"]]
    assert sorted(set(cited)) == list(range(len(data["sources"])))  # every entry cited, no index out of range
    assert len({(s["title"], s["url"]) for s in data["sources"]}) == len(data["sources"])  # no duplicates
    assert data["sources"] == [SOURCE]  # four features cite one source: written once


def test_page__payload_has_no_property_the_scripts_never_read(project, tmp_path):
    """Every feature property the page ships is read by atlas.js or another page script."""
    scripts = "\n".join(p.read_text(encoding="utf-8") for p in sorted(STATIC.glob("*.js")))
    build_site(project, tmp_path / "site")
    data = page_payload((tmp_path / "site" / "test-map.html").read_text(encoding="utf-8"))
    keys = {k for layer in data["layers"] for f in layer["geojson"]["features"] for k in f["properties"]}
    assert {"id", "name", "status", "sources", "style"} <= keys
    unread = sorted(k for k in keys if not re.search(rf"\b(?:p|properties)\.{re.escape(k)}\b", scripts))
    assert unread == []


def test_payload__is_deterministic(project):
    inputs = load_inputs(project)
    first = json.dumps(payload(prepare_map(inputs.specs[0], inputs.layers, inputs.base)), sort_keys=True)
    second = json.dumps(payload(prepare_map(inputs.specs[0], inputs.layers, inputs.base)), sort_keys=True)
    assert first == second


def test_pack_layers__the_page_writes_features_by_column_and_unpacks_exactly(project, tmp_path):
    """codec.pack_layers (the page) and unpack_layers (atlas.js does the same): nothing lost, nothing changed."""
    inputs = load_inputs(project)
    data = payload(prepare_map(inputs.specs[0], inputs.layers, inputs.base))
    data["time"] = {"steps": ["2020"], "default": "2020", "features": {"test-pipeline": {"status": "operational", "dates": {"opened": "2020"}},
                                                                      "test-rail": {"status": "proposed", "dates": {"agreed": "2010"}}}}
    for f in data["layers"][0]["geojson"]["features"]:  # one dated feature whose recorded entry repeats it, one whose does not
        if f["properties"]["id"] in data["time"]["features"]:
            f["properties"]["dates"] = {"opened": "2020"}
    packed = pack_layers(data)
    layer = packed["layers"][0]
    assert "geojson" not in layer and layer["features"]["count"] == 4 and layer["features"]["points"]
    assert [g is None for g in layer["features"]["geometry"]] == [True, True, False, False]  # two places in "points"
    assert layer["features"]["properties"]["id"] == ["alpha-town", "beta-port", "test-pipeline", "test-rail"]
    assert packed["time"]["features"] == {"test-rail": {"status": "proposed", "dates": {"agreed": "2010"}}}
    assert unpack_layers(packed) == data
    data["layers"][0]["geojson"]["features"][0]["properties"]["note"] = None  # a column cannot tell null from absent
    packed = pack_layers(data)
    assert "geojson" in packed["layers"][0] and unpack_layers(packed) == data  # so that layer stays as it was


def test_pack_layers__real_pages_unpack_to_the_payload(tmp_path):
    """The map with a time control, English and Persian (localised names, dates as text)."""
    from corridor_atlas import story
    from corridor_atlas.i18n import localise_payload
    from corridor_atlas.pipeline import ProjectPaths
    from corridor_atlas.render import render_page

    inputs = load_inputs(ProjectPaths(Path(__file__).resolve().parent.parent), ["nakhchivan"])
    for spec in inputs.specs:
        prepared = prepare_map(spec, inputs.layers, inputs.base)
        for lang in ("en", "fa"):
            packed = json.loads(re.search(r'id="atlas-data">(.*?)</script>', render_page(prepared, lang=lang), re.S).group(1))
            expected = payload(prepared)
            if lang != "en":
                expected = {**localise_payload(expected, lang, {}, {}, spec, prepared), "story": story.page_payload(spec)}
            assert unpack_layers(packed) == json.loads(json.dumps(expected))  # as the page's JSON has it
            assert packed["time"]["features"] == {}  # every recorded status and date is the feature's own
