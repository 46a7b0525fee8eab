"""`python build.py export`: every curated layer as GeoPackage and GeoJSON, every comparison
as CSV, read back with geopandas + pyogrio and compared with the validated layers they came
from (same ids, properties, geometry); the notebook API; the CLI contract; determinism.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from corridor_atlas import api, compare
from corridor_atlas.cli import main
from corridor_atlas.errors import Problems
from corridor_atlas.export import GPKG_NAME, MARKER, export
from corridor_atlas.layers import load_layers

from .test_compare import add_set

REPO = Path(__file__).resolve().parent.parent
# coordinates in data/layers/ have at most 6 decimals (~0.1 m); GeoJSON and GeoPackage store
# IEEE doubles, so a read-back coordinate must equal the source one exactly, or within 1e-9°
COORD_TOLERANCE_DEG = 1e-9


@pytest.fixture(scope="module")
def real_export(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "out"
    export(REPO, out)
    return out


@pytest.fixture(scope="module")
def real_layers():
    problems = Problems()
    layers = load_layers(REPO / "data" / "layers", problems)
    assert not problems, problems.items
    return layers


def _expected_properties(feature) -> dict:
    """What every export must carry for a feature: its properties, nested ones as JSON text."""
    props = feature.props.model_dump(mode="json", by_alias=True, exclude_none=True)
    out = {"layer": feature.layer}
    for key in api.TEXT_COLUMNS[1:]:
        out[key] = props.get(key)
    for key in api.JSON_COLUMNS:
        out[key] = props.get(key)
    return out


def _read_back_properties(row) -> dict:
    out = {}
    for key in api.TEXT_COLUMNS:
        value = row[key]
        out[key] = None if value is None or (isinstance(value, float) and value != value) else value
    for key in api.JSON_COLUMNS:
        value = row[key]
        out[key] = None if value is None or (isinstance(value, float) and value != value) else json.loads(value)
    out["label"] = bool(out["label"])
    return out


def mixes_polygons(layer) -> bool:
    return {f.geometry.geom_type for f in layer.features} >= {"Polygon", "MultiPolygon"}


def _check_frame(frame: gpd.GeoDataFrame, layer) -> None:
    assert list(frame["id"]) == [f.id for f in layer.features]
    assert frame.crs.to_epsg() == 4326
    for (_, row), feature in zip(frame.iterrows(), layer.features):
        assert _read_back_properties(row) == _expected_properties(feature), feature.id
        got, want = row.geometry, feature.geometry
        if want.geom_type == "Polygon" and got.geom_type == "MultiPolygon":
            # a GeoPackage layer has one geometry type: GDAL promotes a layer that mixes Polygon
            # and MultiPolygon to MultiPolygon, the Polygon then being its only part
            assert mixes_polygons(layer) and len(got.geoms) == 1, feature.id
            got = got.geoms[0]
        assert got.geom_type == want.geom_type, feature.id
        assert shapely.equals_exact(got, want, tolerance=COORD_TOLERANCE_DEG), feature.id


def test_geopackage__one_layer_per_curated_layer_with_every_feature(real_export, real_layers):
    listed = {name for name, _ in pyogrio.list_layers(real_export / GPKG_NAME)}
    assert listed == set(real_layers)
    for name, layer in real_layers.items():
        frame = gpd.read_file(real_export / GPKG_NAME, layer=name, engine="pyogrio")
        _check_frame(frame, layer)


def test_geojson__same_features_properties_and_geometry(real_export, real_layers):
    for name, layer in real_layers.items():
        frame = gpd.read_file(real_export / f"{name}.geojson", engine="pyogrio")
        _check_frame(frame, layer)


def test_geopackage_and_geojson__same_computed_figures(real_export, real_layers):
    for name in real_layers:
        gpkg = gpd.read_file(real_export / GPKG_NAME, layer=name, engine="pyogrio")
        geojson = gpd.read_file(real_export / f"{name}.geojson", engine="pyogrio")
        for column in api.FIGURE_COLUMNS:
            a = [None if v is None or v != v else v for v in gpkg[column]]
            b = [None if v is None or v != v else v for v in geojson[column]]
            assert a == b, (name, column)


def test_export__figures_are_the_comparisons(real_export):
    """A route's drawn km, km by country and km by accuracy in the export are compare.py's."""
    _, rows = compare.compare_set(REPO, "crude")
    frame = gpd.read_file(real_export / "oil-routes.geojson", engine="pyogrio").set_index("id")
    for row in rows:
        got = frame.loc[row["id"]]
        assert got["length_km"] == row["length_km"]
        assert json.loads(got["km_by_country"]) == row["km_by_country"]
        assert json.loads(got["km_by_accuracy"]) == row["km_by_accuracy"]
        assert json.loads(got["countries_measured"]) == row["countries"]
        assert got["border_crossings"] == row["border_crossings"]


def test_export__comparison_csv_per_set_equals_compare_csv(real_export):
    sets = sorted(p.stem for p in (REPO / "data" / "comparisons").glob("*.toml"))
    assert sets
    for set_id in sets:
        _, rows = compare.compare_set(REPO, set_id)
        assert (real_export / f"comparison-{set_id}.csv").read_text(encoding="utf-8") == compare.to_csv(rows)


def test_export__deterministic_bytes(real_export, tmp_path):
    """GeoJSON, CSV and (with GDAL's date pinned) the GeoPackage are byte-identical across runs."""
    again = tmp_path / "again"
    export(REPO, again)
    names = sorted(p.name for p in real_export.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (real_export / name).read_bytes() == (again / name).read_bytes(), name


def test_export__marker_lists_every_file_digest(real_export):
    import hashlib

    listed = json.loads((real_export / MARKER).read_text(encoding="utf-8"))["files"]
    files = sorted(p.name for p in real_export.iterdir() if p.name != MARKER)
    assert sorted(listed) == files
    for name in files:
        assert listed[name] == hashlib.sha256((real_export / name).read_bytes()).hexdigest()


# --------------------------------------------------------------------------- CLI, synthetic project


def test_cli_export__writes_into_dir_and_rewrites_it(project, tmp_path, capsys):
    add_set(project)
    out = tmp_path / "exported"
    assert main(["export", str(out), "--root", str(project.root)]) == 0
    assert {p.name for p in out.iterdir()} == {GPKG_NAME, "routes.geojson", "comparison-test-set.csv", MARKER}
    assert main(["export", "--out", str(out), "--root", str(project.root)]) == 0  # an earlier export: replaced
    frame = gpd.read_file(out / "routes.geojson", engine="pyogrio")
    assert list(frame["id"]) == ["alpha-town", "beta-port", "test-pipeline", "test-rail"]
    _, rows = compare.compare_set(project.root, "test-set")
    assert frame.set_index("id").loc["test-pipeline", "length_km"] == rows[0]["length_km"] == 683  # 8° of longitude at 40°N


@pytest.mark.parametrize("where", ["inside-data", "the-project", "not-ours"])
def test_cli_export__refused_folders_exit_2_and_write_nothing(project, tmp_path, capsys, where):
    out = {"inside-data": project.root / "data" / "export", "the-project": project.root, "not-ours": tmp_path / "mine"}[where]
    if where == "not-ours":
        out.mkdir()
        (out / "notes.txt").write_text("keep", encoding="utf-8")
    before = sorted(p.relative_to(project.root) for p in project.root.rglob("*"))
    assert main(["export", str(out), "--root", str(project.root)]) == 2
    assert "cannot use the output folder" in capsys.readouterr().err
    assert sorted(p.relative_to(project.root) for p in project.root.rglob("*")) == before
    if where == "not-ours":
        assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_cli_export__invalid_data_exits_2_and_writes_nothing(project, tmp_path, capsys):
    (project.layers / "routes.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    out = tmp_path / "exported"
    assert main(["export", str(out), "--root", str(project.root)]) == 2
    assert "routes.geojson" in capsys.readouterr().err
    assert not out.exists()


def test_cli_export__too_many_arguments_exit_2(project, tmp_path, capsys):
    assert main(["export", str(tmp_path / "a"), str(tmp_path / "b"), "--root", str(project.root)]) == 2
    assert "usage: python build.py export" in capsys.readouterr().out


# --------------------------------------------------------------------------- notebook API


def test_api__routes_places_and_compare(project):
    add_set(project)
    routes = api.routes(project.root)
    assert list(routes["id"]) == ["test-pipeline", "test-rail"] and routes.crs.to_epsg() == 4326
    assert list(api.places(project.root)["id"]) == ["alpha-town", "beta-port"]
    table = api.compare("test-set", project.root)
    assert list(table["id"]) == ["test-pipeline", "test-rail"]
    assert list(api.layers(project.root)) == ["routes"]


def test_api__package_call_and_cheap_import():
    """`corridor_atlas.compare(set)` works, and importing the package pulls in no pandas/geopandas."""
    code = ("import sys, corridor_atlas, corridor_atlas.cli; "
            "assert 'pandas' not in sys.modules and 'geopandas' not in sys.modules, 'heavy import'; "
            "frame = corridor_atlas.compare('crude'); assert list(frame['id'])[0] == 'btc-pipeline'; "
            "assert len(corridor_atlas.routes()) >= 4; "
            "from corridor_atlas import compare; assert compare.DEFAULT_SET == 'nakhchivan'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# --------------------------------------------------------------------------- each map page's download


def _page_feature_ids(html: str) -> list[str]:
    """Ids of the features the page draws, from its JSON payload (the layers atlas.js draws)."""
    import re

    ids = []
    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        for layer in data.get("layers", []) if isinstance(data, dict) else []:
            ids += layer["features"]["properties"]["id"]  # codec.pack_layers: the layer's ids in one column
    return ids


def test_build__each_map_page_links_its_data_with_exactly_the_features_drawn(project, tmp_path):
    from corridor_atlas.pipeline import build_site

    toml = (project.maps / "test-map.toml").read_text(encoding="utf-8")
    (project.maps / "test-map.toml").write_text(
        toml.replace('name = "routes"\n', 'name = "routes"\nfilter = { exclude_ids = ["test-rail"] }\n', 1), encoding="utf-8")
    out = tmp_path / "site"
    build_site(project, out)
    html = (out / "test-map.html").read_text(encoding="utf-8")
    assert 'href="data/test-map.geojson"' in html and "Download data (GeoJSON)" in html
    data = json.loads((out / "data" / "test-map.geojson").read_text(encoding="utf-8"))
    ids = [f["properties"]["id"] for f in data["features"]]
    assert ids == ["alpha-town", "beta-port", "test-pipeline"]  # the filter's exclusion holds
    drawn = _page_feature_ids(html)
    assert sorted(drawn) == sorted(ids)
    pipeline = data["features"][2]
    assert pipeline["properties"]["layer"] == "routes" and pipeline["properties"]["sources"][0]["url"].startswith("https://")
    assert pipeline["properties"]["reported"][0]["value"] == 680
    assert pipeline["geometry"] == {"type": "LineString", "coordinates": [[41.0, 40.0], [49.0, 40.0]]}
    # the file is part of the build's manifest: removed, it is rebuilt (with its page) on the next build
    (out / "data" / "test-map.geojson").unlink()
    assert [m.spec.id for m in build_site(project, out)] == ["test-map"]
    assert json.loads((out / "data" / "test-map.geojson").read_text(encoding="utf-8")) == data
