"""data/sources/places.toml and routes.toml: every mistake is a `file: location: message` line.

Each case writes a small valid pair of files, breaks one thing, and checks the exact line
`check_sources` reports (and that the valid pair reports nothing). The real files are
checked too: they must be valid.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor_atlas.cli import main
from corridor_atlas.source_tomls import check_sources

from .conftest import COUNTRIES

ROOT = Path(__file__).resolve().parent.parent

PLACES = '''
[[place]]
id = "tbilisi"
name = "Tbilisi"
gz_name = "Tbilisi"
gz_country = "GE"
gz_admin1 = "51"
place_type = "capital"
country = "AAA"
role = [["Why it is here", "https://example.org/role"]]

[[place]]
id = "ceyhan"
name = "Ceyhan"
gz_name = "Ceyhan"
gz_country = "TR"
gz_admin1 = "81"
place_type = "port"
country = "BBB"

[[place]]
id = "crossing"
name = "A crossing"
on_border = ["AAA", "BBB"]
place_type = "border_crossing"
country = "AAA"
'''

ROUTES = '''
[[layer]]
name = "oil-routes"
title = "Oil"
description = "Pipelines"

[[route]]
id = "btc-pipeline"
layer = "oil-routes"
name = "BTC"
kind = "pipeline"
status = "operational"
dates = { opened = "2006-07-13" }
reported = [{ quantity = "length", value = 1768, unit = "km", source = "https://example.org/length", country = "AAA" }]
countries = ["AAA", "BBB"]
waypoints = ["tbilisi", "crossing", "ceyhan"]
sources = [["A source", "https://example.org/source"]]

[[point]]
id = "tbilisi-point"
layer = "oil-routes"
name = "A point"
place = "tbilisi"
kind = "place"
place_type = "capital"
status = "operational"
sources = [["A source", "https://example.org/source"]]
'''


def write_sources(tmp_path: Path, places: str = PLACES, routes: str = ROUTES) -> Path:
    sources = tmp_path / "data" / "sources"
    base = tmp_path / "data" / "base"
    sources.mkdir(parents=True, exist_ok=True)
    base.mkdir(parents=True, exist_ok=True)
    (sources / "places.toml").write_text(places, encoding="utf-8")
    (sources / "routes.toml").write_text(routes, encoding="utf-8")
    (base / "countries.geojson").write_text(json.dumps(COUNTRIES), encoding="utf-8")
    return sources


def problems_for(tmp_path: Path, monkeypatch, **files: str) -> list[str]:
    sources = write_sources(tmp_path, **files)
    monkeypatch.chdir(tmp_path)
    return [str(p) for p in check_sources(sources).items]


def test_valid_sources__no_problems(tmp_path, monkeypatch):
    assert problems_for(tmp_path, monkeypatch) == []


def test_real_sources__valid():
    assert [str(p) for p in check_sources(ROOT / "data" / "sources").items] == []


@pytest.mark.parametrize(
    "file, old, new, expected",
    [
        ("routes", 'waypoints = ["tbilisi", "crossing", "ceyhan"]', 'waypoints = ["tbilisi", "crossing", "ceyhn"]',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): waypoints[2]: unknown place 'ceyhn' (did you mean 'ceyhan'?)"),
        ("routes", 'countries = ["AAA", "BBB"]', 'countries = ["AAA", "BBB"]\nwaypionts = []',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): waypionts: unknown key 'waypionts' (did you mean 'waypoints'?)"),
        ("routes", 'unit = "km", source', 'unti = "km", source',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): reported[0].unti: unknown key 'unti' (did you mean 'unit'?)"),
        ("routes", 'countries = ["AAA", "BBB"]', 'countries = ["AAA", "Bbb"]',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): countries[1]: String should match pattern '^[A-Z]{3}$'"),
        ("routes", 'countries = ["AAA", "BBB"]', 'countries = ["AAA", "BBX"]',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): countries[1]: unknown country 'BBX' (did you mean 'BBB'?) "
         "(not an ISO alpha-3 code in data/base/countries.geojson)"),
        ("routes", 'id = "tbilisi-point"', 'id = "btc-pipeline"',
         "data/sources/routes.toml: point 'btc-pipeline' (#1): id: duplicate id 'btc-pipeline' (also route 'btc-pipeline' (#1))"),
        ("routes", 'id = "tbilisi-point"', 'id = "ceyhan"',
         "data/sources/routes.toml: point 'ceyhan' (#1): id: duplicate id 'ceyhan' (also place 'ceyhan' (#2) in places.toml)"),
        ("routes", 'layer = "oil-routes"\nname = "BTC"', 'layer = "oil-route"\nname = "BTC"',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): layer: unknown layer 'oil-route' (did you mean 'oil-routes'?)"),
        ("routes", 'status = "operational"\ndates', 'status = "operating"\ndates',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): status: 'operating' is not allowed; expected 'operational'"),
        ("routes", "value = 1768", 'value = "1768"',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): reported[0].value: Input should be a valid number (got str '1768')"),
        ("routes", 'country = "AAA" }', 'country = "CCC" }',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): reported[0].country: 'CCC' is not one of the route's countries (AAA, BBB)"),
        ("routes", 'countries = ["AAA", "BBB"]', 'countries = ["AAA", "BBB"]\ngeometry = "railways"',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): geometry: no file geometry/railways.geojson"),
        ("routes", 'dates = { opened = "2006-07-13" }', 'dates = { opened = "2006-02-30" }',
         "data/sources/routes.toml: route 'btc-pipeline' (#1): dates.opened: '2006-02-30' is not a real date"),
        ("routes", '[[point]]', '[[poinst]]',
         "data/sources/routes.toml: poinst: unknown table 'poinst' (did you mean [[point]]?)"),
        ("routes", 'name = "BTC"', 'name = "BTC',
         "data/sources/routes.toml: line 10 column 12: invalid TOML: Illegal character '\\n'"),
        ("places", 'gz_admin1 = "81"', '',
         "data/sources/places.toml: place 'ceyhan' (#2): a place needs gz_name, gz_country and gz_admin1"),
        ("places", 'place_type = "port"', 'place_type = "harbour"',
         "data/sources/places.toml: place 'ceyhan' (#2): place_type: 'harbour' is not allowed"),
        ("places", 'id = "ceyhan"', 'id = "tbilisi"',
         "data/sources/places.toml: place 'tbilisi' (#2): id: duplicate id 'tbilisi' (also place 'tbilisi' (#1))"),
        ("places", 'role = [["Why it is here", "https://example.org/role"]]', 'role = [["Why it is here", "file:///etc/passwd"]]',
         "data/sources/places.toml: place 'tbilisi' (#1): role[0][1]: 'file:///etc/passwd' is not an http(s) URL"),
        ("places", 'on_border = ["AAA", "BBB"]', 'on_border = ["AAA"]',
         "data/sources/places.toml: place 'crossing' (#3): on_border: too few items: expected a pair [first, second]"),
    ],
)
def test_broken_source__reported(tmp_path, monkeypatch, file, old, new, expected):
    texts = {"places": PLACES, "routes": ROUTES}
    assert old in texts[file]
    texts[file] = texts[file].replace(old, new, 1)
    problems = problems_for(tmp_path, monkeypatch, **texts)
    assert any(line.startswith(expected) for line in problems), "\n".join(problems)


@pytest.mark.parametrize("places, expected", [
    ("\ufeff" + PLACES, "data/sources/places.toml: line 1 column 1: invalid TOML: the file starts with a UTF-8 byte order mark"),
    (PLACES + "\nx = [", "data/sources/places.toml: end of file: invalid TOML: Invalid value (an unclosed array, table or string?)"),
    ("place = [1]", "data/sources/places.toml: place #1: Input should be a valid dictionary"),
    ("[place]\nid = 'a'", "data/sources/places.toml: place: must be an array of tables ([[place]]), not dict"),
])
def test_broken_places_file__reported_without_traceback(tmp_path, monkeypatch, places, expected):
    problems = problems_for(tmp_path, monkeypatch, places=places)
    assert any(line.startswith(expected) for line in problems), "\n".join(problems)


def test_missing_files__nothing_to_check(tmp_path):
    assert not check_sources(tmp_path)


def test_check_command__lists_source_problems(tmp_path, monkeypatch, capsys):
    """`python build.py check` on a project whose routes.toml names an unknown place: exit 2."""
    from .conftest import write_project

    paths = write_project(tmp_path / "project")
    write_sources(tmp_path / "project", routes=ROUTES.replace('"ceyhan"]', '"ceyhn"]'))
    monkeypatch.chdir(paths.root)
    code = main(["check", "--root", str(paths.root)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "data/sources/routes.toml: route 'btc-pipeline' (#1): waypoints[2]: unknown place 'ceyhn'" in err
