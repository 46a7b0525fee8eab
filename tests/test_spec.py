"""Map definitions: valid TOML becomes a MapSpec; every mistake is named by file and key."""

from pathlib import Path

import pytest

from corridor_atlas.errors import Problems
from corridor_atlas.spec import load_specs, parse_spec

from .conftest import MAP_TOML


def parse(text: str, name: str = "test-map"):
    problems = Problems()
    spec = parse_spec(Path(f"maps/{name}.toml"), text, problems)
    return spec, [str(p) for p in problems.items]


def test_parse_spec__valid_definition_gives_model():
    spec, problems = parse(MAP_TOML)
    assert problems == []
    assert spec.id == "test-map"
    assert spec.title == "Test map"
    assert spec.view.bounds == ((38.5, 40.5), (41.5, 49.5))
    assert [layer.name for layer in spec.layers] == ["routes"]
    assert spec.callouts[0].at == "test-pipeline"
    assert spec.basemap == "bundled" and not spec.uses_online_tiles


def test_parse_spec__invalid_toml_names_file():
    spec, problems = parse('title = "x\n')
    assert spec is None
    assert problems[0].startswith("maps/test-map.toml: invalid TOML")


def test_parse_spec__unknown_key_suggests_the_right_one():
    spec, problems = parse(MAP_TOML.replace("subtitle =", "subtitel ="))
    assert spec is None
    assert "maps/test-map.toml: subtitel: unknown key 'subtitel' (did you mean 'subtitle'?)" in problems


def test_parse_spec__missing_title_is_named():
    text = "\n".join(line for line in MAP_TOML.splitlines() if not line.startswith("title"))
    _, problems = parse(text)
    assert "maps/test-map.toml: title: required key is missing" in problems


def test_parse_spec__wrong_type_names_key_and_value():
    _, problems = parse(MAP_TOML.replace("max_zoom = 8", 'max_zoom = "eight"'))
    assert any(p.startswith("maps/test-map.toml: view.max_zoom:") and "'eight'" in p for p in problems)


def test_parse_spec__zoom_out_of_range():
    _, problems = parse(MAP_TOML.replace("max_zoom = 8", "max_zoom = 25"))
    assert any(p.startswith("maps/test-map.toml: view.max_zoom:") and "18" in p for p in problems)


def test_parse_spec__min_zoom_above_max_zoom():
    _, problems = parse(MAP_TOML.replace("min_zoom = 4", "min_zoom = 9"))
    assert any("min_zoom (9) is greater than max_zoom (8)" in p for p in problems)


def test_parse_spec__bounds_reversed():
    _, problems = parse(MAP_TOML.replace("bounds = [[38.5, 40.5], [41.5, 49.5]]", "bounds = [[41.5, 49.5], [38.5, 40.5]]"))
    assert any("south < north" in p for p in problems)


def test_parse_spec__view_needs_bounds_or_center_and_zoom():
    _, problems = parse(MAP_TOML.replace("bounds = [[38.5, 40.5], [41.5, 49.5]]", "center = [40.0, 45.0]"))
    assert any("give either bounds" in p for p in problems)


def test_parse_spec__center_and_zoom_accepted():
    spec, problems = parse(MAP_TOML.replace("bounds = [[38.5, 40.5], [41.5, 49.5]]", "center = [40.0, 45.0]\nzoom = 6"))
    assert problems == []
    assert spec.view.center == (40.0, 45.0) and spec.view.zoom == 6


def test_parse_spec__id_must_match_file_name():
    _, problems = parse('id = "other"\n' + MAP_TOML)
    assert problems == ["maps/test-map.toml: id: id 'other' must match the file name 'test-map'"]


def test_parse_spec__unknown_status_in_filter():
    text = MAP_TOML.replace('name = "routes"', 'name = "routes"\nfilter = { status = ["planned"] }')
    _, problems = parse(text)
    assert any(p.startswith("maps/test-map.toml: layers[0].filter.status[0]: 'planned' is not allowed") for p in problems)


def test_parse_spec__duplicate_layer():
    text = MAP_TOML + '\n[[layers]]\nname = "routes"\n'
    _, problems = parse(text)
    assert any("layer listed twice: routes" in p for p in problems)


def test_load_specs__unknown_map_name_is_reported(tmp_path):
    (tmp_path / "test-map.toml").write_text(MAP_TOML)
    problems = Problems()
    specs = load_specs(tmp_path, problems, only=["test-mop"])
    assert specs == []
    assert "did you mean 'test-map'?" in str(problems.items[0])


@pytest.mark.parametrize("basemap", ["bundled", "CartoDB.Positron"])
def test_parse_spec__basemap_choices(basemap):
    spec, problems = parse(f'basemap = "{basemap}"\n' + MAP_TOML)
    assert problems == []
    assert spec.uses_online_tiles == (basemap != "bundled")
