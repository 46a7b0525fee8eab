"""Comparison sets and their figures: known answers on the synthetic AAA/BBB project, the
CLI contract (table, JSON, CSV, exit codes), the page in the build, and the real data.

The measures themselves are measure.py's (tested in test_measure.py); here they are
checked as compare uses them: against the base polygons, rounded to whole km, with the
border rule of compare.py (a stretch exactly on a border is in neither country).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pytest
from shapely.geometry import LineString

from corridor_atlas import compare
from corridor_atlas.cli import main
from corridor_atlas.layers import Feature, FeatureProperties
from corridor_atlas.pipeline import build_site

from .conftest import SOURCE, write_project

REPO = Path(__file__).resolve().parent.parent

# WGS84, for expected values computed here without pyproj
A = 6378137.0
F = 1 / 298.257223563


def meridian_arc_km(lat1: float, lat2: float) -> float:
    """Distance along a meridian (Helmert's series in n, good to well under a millimetre)."""
    n = F / (2 - F)

    def m(lat: float) -> float:
        p = math.radians(lat)
        return A / (1 + n) * (1 + n**2 / 4 + n**4 / 64) * (
            p
            - (3 * n / 2 - 9 * n**3 / 16) * math.sin(2 * p)
            + (15 * n**2 / 16 - 15 * n**4 / 32) * math.sin(4 * p)
            - 35 * n**3 / 48 * math.sin(6 * p)
            + 315 * n**4 / 512 * math.sin(8 * p)
        )

    return abs(m(lat2) - m(lat1)) / 1000.0


def equator_km(lon1: float, lon2: float) -> float:
    """Along the equator the geodesic is the equator itself: a × Δλ."""
    return A * math.radians(abs(lon2 - lon1)) / 1000.0


SET_TOML = '''
title = "Test comparison"
description = "Two synthetic routes"
routes = ["test-pipeline", "test-rail"]
bounds = [[38.5, 40.5], [41.5, 49.5]]
'''


def add_set(paths, text: str = SET_TOML, name: str = "test-set") -> Path:
    folder = paths.root / "data" / "comparisons"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def base(project):
    return compare.load_data(project.root)[1]


def row_for(coords, base, **props) -> dict:
    raw = {"id": "probe", "name": "Probe", "kind": "rail", "status": "proposed", "geometry_accuracy": "schematic",
           "sources": [dict(SOURCE)], **props}
    return compare.route_row(Feature("probe", FeatureProperties.model_validate(raw), LineString(coords)), base)


# ----------------------------------------------------------------------------- figures


def test_length__equator_matches_a_times_longitude_difference(base):
    row = row_for([(10.0, 0.0), (30.0, 0.0)], base)
    assert abs(row["length_km"] - equator_km(10, 30)) <= 0.5  # 2226.39 km
    assert row["countries"] == [] and row["km_by_country"] == {} and row["border_crossings"] == 0


def test_length__meridian_inside_one_country(base):
    row = row_for([(42.0, 38.5), (42.0, 41.5)], base)
    expected = meridian_arc_km(38.5, 41.5)  # ≈ 333.1 km
    assert abs(row["length_km"] - expected) <= 0.5
    assert row["countries"] == ["AAA"]
    assert row["border_crossings"] == 0
    assert abs(row["km_by_country"]["AAA"] - expected) <= 0.5
    assert row["borders_from"] == "countries"


def test_crossing_once__splits_km_and_counts_one(base):
    # symmetric about 45°E, so the geodesic crosses the AAA/BBB border at its midpoint
    row = row_for([(41.0, 40.0), (49.0, 40.0)], base)
    assert row["countries"] == ["AAA", "BBB"]
    assert row["border_crossings"] == 1
    assert set(row["km_by_country"]) == {"AAA", "BBB"}
    assert abs(row["km_by_country"]["AAA"] - row["length_km"] / 2) <= 1
    assert abs(row["km_by_country"]["BBB"] - row["length_km"] / 2) <= 1


def test_along_border__is_no_crossing_and_counts_for_neither(base):
    # AAA, then 2° exactly along the AAA/BBB border (45°E), then back into AAA
    row = row_for([(42.0, 39.0), (45.0, 39.0), (45.0, 41.0), (42.0, 41.0)], base)
    assert row["countries"] == ["AAA"]
    assert row["border_crossings"] == 0
    assert "BBB" not in row["km_by_country"]
    on_border = meridian_arc_km(39, 41)
    assert abs(row["km_by_country"]["AAA"] - (row["length_km"] - on_border)) <= 1.5


def test_along_border_then_into_the_neighbour__one_crossing(base):
    row = row_for([(42.0, 39.0), (45.0, 39.0), (45.0, 41.0), (48.0, 41.0)], base)
    assert row["countries"] == ["AAA", "BBB"]
    assert row["border_crossings"] == 1


def test_leave_and_reenter__two_crossings(base):
    row = row_for([(41.0, 39.0), (47.0, 39.0), (47.0, 41.0), (41.0, 41.0)], base)
    assert row["countries"] == ["AAA", "BBB", "AAA"]
    assert row["border_crossings"] == 2
    assert abs(sum(row["km_by_country"].values()) - row["length_km"]) <= 2


def test_reported_figures__new_existing_length_and_not_stated(base):
    reported = [
        {"quantity": "length", "value": 500, "unit": "km", "source": "https://example.org/len"},
        {"quantity": "new_construction", "value": 120.4, "unit": "km", "source": "https://example.org/new"},
        {"quantity": "existing", "value": 380, "unit": "km", "source": "https://example.org/old"},
    ]
    row = row_for([(41.0, 40.0), (49.0, 40.0)], base, reported=reported, sponsor="Somebody",
                  dates={"opened": "2001", "proposed": "1995-03"})
    assert row["reported_length_km"] == 500 and row["reported_length_source"] == "https://example.org/len"
    assert row["ratio_drawn_to_reported"] == round(row["length_km"] / 500, 2)
    assert (row["new_construction_km"], row["existing_km"]) == (120, 380)
    assert row["sponsor"] == "Somebody" and row["operator"] is None
    assert list(row["dates"]) == ["proposed", "opened"]  # DATE_KEYS order
    bare = row_for([(41.0, 40.0), (49.0, 40.0)], base)
    assert bare["new_construction_km"] is None and bare["existing_km"] is None and bare["reported_length_km"] is None
    assert bare["ratio_drawn_to_reported"] is None


FACTS_TOML = SET_TOML + '''
[[fact]]
route = "test-rail"
field = "border_regime"
text = "Each side checks its own border"
source = "https://example.org/regime"
'''


def test_analyst_fields__reported_capacity_and_cost_and_set_facts(project, capsys):
    """capacity / cost come from the route's reported entries, financing / completion / regime
    from the set's [[fact]] entries; each with its source, an empty list where none says."""
    routes = json.loads((project.layers / "routes.geojson").read_text(encoding="utf-8"))
    pipeline = next(f for f in routes["features"] if f["properties"]["id"] == "test-pipeline")
    pipeline["properties"]["reported"] += [
        {"quantity": "capacity", "value": 1200000, "unit": "barrels/day", "source": "https://example.org/cap"},
        {"quantity": "cost", "value": 3.6, "unit": "billion USD", "source": "https://example.org/cost", "note": "IFC"},
    ]
    (project.layers / "routes.geojson").write_text(json.dumps(routes), encoding="utf-8")
    add_set(project, FACTS_TOML)
    code, out, _ = run(capsys, "compare", "test-set", "--format", "json", "--root", str(project.root))
    assert code == 0
    pipe, rail = json.loads(out)
    assert pipe["capacity"] == [{"text": "1,200,000 barrels/day", "source": "https://example.org/cap", "note": ""}]
    assert pipe["cost"] == [{"text": "3.6 billion USD", "source": "https://example.org/cost", "note": "IFC"}]
    assert pipe["border_regime"] == [] and pipe["financing"] == [] and pipe["expected_completion"] == []
    assert rail["border_regime"] == [{"text": "Each side checks its own border", "source": "https://example.org/regime", "note": ""}]
    assert rail["capacity"] == [] and rail["cost"] == []
    code, out, _ = run(capsys, "compare", "test-set", "--format", "csv", "--root", str(project.root))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["capacity"] == "1,200,000 barrels/day <https://example.org/cap>" and rows[1]["capacity"] == ""
    assert rows[1]["border_regime"] == "Each side checks its own border <https://example.org/regime>"


@pytest.mark.parametrize(
    "text, location, message",
    [
        (FACTS_TOML.replace('route = "test-rail"', 'route = "other-route"'), "(top level)", "fact about a route not in routes: other-route"),
        (FACTS_TOML.replace('field = "border_regime"', 'field = "price"'), "fact[0].field", "border_regime"),
        (FACTS_TOML.replace("https://example.org/regime", "ftp://example.org/regime"), "fact[0].source", "http"),
        (FACTS_TOML.replace('text = "Each side checks its own border"', 'text = "  "'), "fact[0].text", "blank"),
    ],
)
def test_analyst_facts__invalid_entries_exit_2_naming_the_key(project, capsys, text, location, message):
    add_set(project, text)
    code, _, err = run(capsys, "compare", "test-set", "--root", str(project.root))
    assert code == 2
    assert location in err and message in err, err


# ----------------------------------------------------------------------------- CLI


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json__fields_and_types(project, capsys):
    add_set(project)
    code, out, _ = run(capsys, "compare", "test-set", "--format", "json", "--root", str(project.root))
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == ["test-pipeline", "test-rail"]
    types = {"id": str, "name": str, "status": str, "length_km": int, "countries": list, "km_by_country": dict,
             "border_crossings": int, "geometry_accuracy": str, "dates": dict}
    for r in rows:
        for key, kind in types.items():
            assert isinstance(r[key], kind), key
        for key in ("reported_length_km", "reported_length_source", "ratio_drawn_to_reported", "sponsor", "operator"):
            assert key in r
        assert all(re.fullmatch(r"[A-Z]{3}", c) for c in r["countries"])
        assert all(isinstance(v, int) for v in r["km_by_country"].values())
    pipeline = rows[0]
    assert pipeline["countries"] == ["AAA", "BBB"] and pipeline["border_crossings"] == 1
    assert pipeline["reported_length_km"] == 680 and isinstance(pipeline["ratio_drawn_to_reported"], float)


def test_cli_csv__header_and_rows(project, capsys):
    add_set(project)
    code, out, _ = run(capsys, "compare", "test-set", "--format", "csv", "--root", str(project.root))
    assert code == 0
    reader = csv.DictReader(io.StringIO(out))
    assert tuple(reader.fieldnames) == compare.CSV_FIELDS
    rows = list(reader)
    assert [r["id"] for r in rows] == ["test-pipeline", "test-rail"]
    assert rows[0]["countries"] == "AAA;BBB" and rows[0]["border_crossings"] == "1"


def test_cli_table__lists_every_route(project, capsys):
    add_set(project)
    code, out, _ = run(capsys, "compare", "test-set", "--root", str(project.root))
    assert code == 0
    assert "Test comparison" in out and "Test Pipeline" in out and "Test Rail" in out and "not stated" in out


def test_cli__default_set_is_nakhchivan(project, capsys):
    add_set(project, name="nakhchivan")
    code, out, _ = run(capsys, "compare", "--format", "json", "--root", str(project.root))
    assert code == 0 and len(json.loads(out)) == 2


def test_cli__unknown_set_exits_2(project, capsys):
    add_set(project)
    code, out, err = run(capsys, "compare", "no-such-set", "--root", str(project.root))
    assert code == 2 and out == ""
    assert "no-such-set: no such comparison set" in err


@pytest.mark.parametrize(
    "text, location, message",
    [
        (SET_TOML.replace('routes = ["test-pipeline", "test-rail"]', 'routes = ["test-pipeline", "tets-rail"]'),
         "routes[1]", "no route with id 'tets-rail' (did you mean 'test-rail'?)"),
        (SET_TOML.replace('"test-rail"]', '"alpha-town"]'), "routes[1]", "'alpha-town' is a place, not a route"),
        (SET_TOML + 'colour = "red"\n', "colour", "unknown key 'colour'"),
        (SET_TOML.replace("title =", "titel ="), "titel", "unknown key 'titel' (did you mean 'title'?)"),
        (SET_TOML.replace("[[38.5, 40.5], [41.5, 49.5]]", "[[41.5, 40.5], [38.5, 49.5]]"), "(top level)", "south < north"),
        (SET_TOML.replace('routes = ["test-pipeline", "test-rail"]', "routes = []"), "routes", "at least 1"),
        (SET_TOML.replace('"test-rail"]', '"test-pipeline"]'), "routes", "route listed twice: test-pipeline"),
        ("title = [", "", "invalid TOML"),
    ],
)
def test_cli__bad_set_file_exits_2_naming_file_and_key(project, capsys, text, location, message):
    add_set(project, text)
    code, out, err = run(capsys, "compare", "test-set", "--root", str(project.root))
    assert code == 2 and out == ""
    line = next(line for line in err.splitlines() if "test-set.toml" in line)
    assert f"test-set.toml: {location + ': ' if location else ''}" in line
    assert message in err


def test_build__bad_set_file_stops_the_build(project, tmp_path, capsys):
    add_set(project, SET_TOML.replace('"test-rail"]', '"missing-route"]'))
    code, _, err = run(capsys, "--root", str(project.root), "--out", str(tmp_path / "site"))
    assert code == 2 and "no route with id 'missing-route'" in err
    assert not (tmp_path / "site").exists()


# ----------------------------------------------------------------------------- page


def page_payload(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="compare-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_build__writes_compare_page_linked_from_index(project, tmp_path):
    add_set(project)
    out = tmp_path / "site"
    build_site(project, out)
    html = (out / "compare-test-set.html").read_text()
    assert not re.search(r"<script[^>]+src=", html) and not re.search(r"<link[^>]+href=", html)
    data = page_payload(html)
    assert [r["id"] for r in data["routes"]] == ["test-pipeline", "test-rail"]
    assert data["routes"][0]["row"]["countries"] == ["AAA", "BBB"]
    assert data["countries"]["features"]
    assert "geodesic on the WGS84 ellipsoid" in html and "run short of the real track" in html
    index = (out / "index.html").read_text()
    assert "Comparisons" in index and 'href="compare-test-set.html"' in index


def test_build__compare_page_deterministic_and_escaped(tmp_path):
    from .conftest import ROUTES
    import copy

    routes = copy.deepcopy(ROUTES)
    routes["features"][2]["properties"]["name"] = "</script><img src=x onerror=alert(1)> & \u2028"
    paths = write_project(tmp_path / "p", routes=routes)
    add_set(paths, SET_TOML.replace('"Test comparison"', '"<b>Bold</b> title"'))
    build_site(paths, tmp_path / "a", incremental=False)
    build_site(paths, tmp_path / "b", incremental=False)
    a = (tmp_path / "a" / "compare-test-set.html").read_bytes()
    assert a == (tmp_path / "b" / "compare-test-set.html").read_bytes()
    html = a.decode()
    assert "<img src=x" not in html and "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert page_payload(html)["routes"][0]["row"]["name"].startswith("</script><img")


# ----------------------------------------------------------------------------- real data

@pytest.fixture(scope="module")
def nakhchivan_rows():
    return {r["id"]: r for r in compare.compare_set(REPO, "nakhchivan")[1]}


def test_real_sets__valid_against_the_layers():
    layers, _ = compare.load_data(REPO)
    sets = compare.load_and_check_sets(REPO, layers)
    assert {s.id for s in sets} >= {"nakhchivan", "crude"}
    nakh = next(s for s in sets if s.id == "nakhchivan")
    proposals = {f.id for f in layers["nakhchivan-corridors"].features} - {"lachin-road"}
    assert set(nakh.routes) == proposals


def test_real_nakhchivan__every_proposal_with_km_per_country_and_crossings(nakhchivan_rows):
    for rid, row in nakhchivan_rows.items():
        assert row["length_km"] > 0, rid
        assert row["km_by_country"], rid
        assert isinstance(row["border_crossings"], int) and row["border_crossings"] == len(row["countries"]) - 1, rid
        assert set(row["countries"]) <= set(row["km_by_country"]), rid


def test_real_nakhchivan__zangezur_crosses_armenia_and_aras_crosses_iran(nakhchivan_rows):
    zangezur = nakhchivan_rows["zangezur-corridor"]
    assert zangezur["km_by_country"].get("ARM", 0) > 0 and "ARM" in zangezur["countries"]
    assert zangezur["countries"][0] == "AZE" and zangezur["countries"][-1] == "AZE"
    aras = nakhchivan_rows["aras-corridor"]
    assert aras["km_by_country"].get("IRN", 0) > 0 and "IRN" in aras["countries"]


def test_real_comparison_page__credits_osm_for_its_traced_lines(tmp_path):
    """The comparison pages draw traced railways and derived lines: OSM is credited there too."""
    from corridor_atlas.compare_page import page_payload

    layers, base = compare.load_data(REPO)
    cset = compare.load_and_check_sets(REPO, layers, ["nakhchivan"])[0]
    data = page_payload(cset, compare.compare_rows(cset, layers, base), layers, base)
    assert "Traced and derived lines: © OpenStreetMap contributors (ODbL)" in data["attribution"]
