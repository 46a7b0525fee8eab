"""Shared fixtures: a tiny synthetic project (two square countries, a few features, one map).

Unit tests build on it so they do not depend on the real data; the real data has its own
tests (test_base_geography, test_curated_layers, test_build_real).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from corridor_atlas.pipeline import ProjectPaths

SOURCE = {"title": "Example source", "url": "https://example.org/source"}


def square(west, south, east, north):
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}


COUNTRIES = {
    "type": "FeatureCollection",
    "attribution": "Test borders (public domain)",
    "licence": "public domain",
    "features": [
        {"type": "Feature", "properties": {"iso_a3": "AAA", "name": "Alphaland"}, "geometry": square(40, 38, 45, 42)},
        {"type": "Feature", "properties": {"iso_a3": "BBB", "name": "Betaland"}, "geometry": square(45, 38, 50, 42)},
    ],
}


def feature(fid, kind, status, geometry, **extra):
    props = {"id": fid, "name": extra.pop("name", fid.replace("-", " ").title()), "kind": kind, "status": status,
             "geometry_accuracy": extra.pop("geometry_accuracy", "schematic"), "sources": [dict(SOURCE)]}
    props.update(extra)
    return {"type": "Feature", "properties": props, "geometry": geometry}


WATER = {"type": "FeatureCollection", "attribution": "Test water (none)", "features": []}

ROUTES = {
    "type": "FeatureCollection",
    "name": "routes",
    "title": "Test routes",
    "description": "Synthetic routes for tests",
    "features": [
        feature("alpha-town", "place", "operational", {"type": "Point", "coordinates": [41.0, 40.0]},
                place_type="town", country="AAA", label=True, geometry_accuracy="approximate"),
        feature("beta-port", "place", "operational", {"type": "Point", "coordinates": [49.0, 40.0]},
                place_type="port", country="BBB", geometry_accuracy="approximate"),
        feature("test-pipeline", "pipeline", "operational",
                {"type": "LineString", "coordinates": [[41.0, 40.0], [49.0, 40.0]]},
                countries=["AAA", "BBB"], waypoints=["alpha-town", "beta-port"],
                reported=[{"quantity": "length", "value": 680, "unit": "km", "source": "https://example.org/length"}]),
        feature("test-rail", "rail", "proposed",
                {"type": "LineString", "coordinates": [[41.0, 40.0], [44.0, 41.0]]},
                countries=["AAA"], waypoints=["alpha-town", "beta-port"]),
    ],
}

MAP_TOML = '''
title = "Test map"
subtitle = "Two squares"
credit = "Test credit"
source_line = "Sources: tests"

[[layers]]
name = "routes"

[view]
bounds = [[38.5, 40.5], [41.5, 49.5]]
min_zoom = 4
max_zoom = 8

[[callouts]]
at = "test-pipeline"
text = "A callout"
'''


def write_project(root: Path, *, map_toml: str = MAP_TOML, routes: dict | None = None, countries: dict | None = None,
                  map_id: str = "test-map") -> ProjectPaths:
    paths = ProjectPaths(root)
    paths.maps.mkdir(parents=True, exist_ok=True)
    paths.layers.mkdir(parents=True, exist_ok=True)
    paths.base.mkdir(parents=True, exist_ok=True)
    (paths.maps / f"{map_id}.toml").write_text(map_toml, encoding="utf-8")
    (paths.layers / "routes.geojson").write_text(json.dumps(routes if routes is not None else ROUTES), encoding="utf-8")
    (paths.base / "countries.geojson").write_text(json.dumps(countries if countries is not None else COUNTRIES), encoding="utf-8")
    # no seas or lakes in the two squares; the land and sea rules (geocheck.py) need the file
    (paths.base / "water.geojson").write_text(json.dumps(WATER), encoding="utf-8")
    return paths


@pytest.fixture
def project(tmp_path) -> ProjectPaths:
    return write_project(tmp_path / "project")


@pytest.fixture
def routes() -> dict:
    return copy.deepcopy(ROUTES)
