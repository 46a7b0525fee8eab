"""Issue 15: the build's cache (corridor_atlas/cache.py) of line verdicts and basemaps.

A cache may only save time: a damaged cache is recomputed and gives the same bytes, and an
edit to what a verdict reads is a miss, so a line moved over water still fails. Behaviour
only, never timings (those are in bench/ and docs/benchmark.md).
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from .conftest import ROUTES, square, write_project

from corridor_atlas import cache
from corridor_atlas.cli import main
from corridor_atlas.errors import InvalidInput
from corridor_atlas.pipeline import ProjectPaths, build_site

LAKE_WATER = {"type": "FeatureCollection", "attribution": "Test water", "features": [
    {"type": "Feature", "properties": {"kind": "lake", "name": "Test Lake"}, "geometry": square(46.0, 39.0, 47.0, 39.5)}]}


def lake_project(root: Path) -> ProjectPaths:
    paths = write_project(root)
    (paths.base / "water.geojson").write_text(json.dumps(LAKE_WATER), encoding="utf-8")
    return paths


def _site(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _entries(out: Path) -> list[Path]:
    return sorted(cache.cache_dir_for(out).rglob("*.json"))


def test_cache__lives_beside_the_output_never_in_it_or_in_data(tmp_path):
    paths = lake_project(tmp_path / "project")
    out = tmp_path / "site"
    build_site(paths, out, workers=1)
    names = {p.parent.name for p in _entries(out)}
    assert names == {"geocheck", "basemap", "placement", "water", "base-valid", "base-layer"}
    assert cache.cache_dir_for(out) == tmp_path / ".site.cache"
    assert not any(".cache" in p.name for p in out.iterdir())
    assert not list((paths.root / "data").rglob("*.cache"))


def test_damaged_cache__is_recomputed_and_gives_the_same_bytes(tmp_path):
    paths = lake_project(tmp_path / "project")
    out = tmp_path / "site"
    build_site(paths, out, workers=1)
    first = _site(out)
    entries = _entries(out)
    assert len(entries) >= 4
    for i, entry in enumerate(entries):  # every way an entry can go bad
        data = entry.read_bytes()
        damage = i % 4
        if damage == 0:
            entry.write_bytes(data[: len(data) // 2])  # truncated
        elif damage == 1:  # valid JSON, value changed, checksum kept
            doc = json.loads(data)
            doc["value"] = [] if doc["value"] != [] else ["invented problem"]
            entry.write_text(json.dumps(doc), encoding="utf-8")
        elif damage == 2:
            entry.write_bytes(b"\x00\xff not json")
        else:  # another entry's content under this name: a different key
            entry.write_bytes(entries[(i + 1) % len(entries)].read_bytes())
    shutil.rmtree(out)
    build_site(paths, out, workers=1)
    assert _site(out) == first
    forced = tmp_path / "forced"
    build_site(paths, forced, workers=1, incremental=False)  # --force: no cache at all
    assert _site(forced) == first


def test_warm_cache__a_line_moved_over_water_still_fails(tmp_path, capsys):
    paths = lake_project(tmp_path / "project")
    out = tmp_path / "site"
    build_site(paths, out, workers=1)
    assert _entries(out)  # the verdicts of both lines are cached
    routes = copy.deepcopy(ROUTES)
    rail = next(f for f in routes["features"] if f["properties"]["id"] == "test-rail")
    rail["geometry"]["coordinates"] = [[45.5, 39.25], [47.5, 39.25]]  # across the lake, inside BBB
    rail["properties"]["countries"] = ["BBB"]
    (paths.layers / "routes.geojson").write_text(json.dumps(routes), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        build_site(paths, out, workers=1)
    assert any("feature 'test-rail'" in str(p) and "runs over water (lake 'Test Lake')" in str(p) for p in caught.value.problems)
    assert main(["--root", str(paths.root), "check"]) == 2
    assert "runs over water" in capsys.readouterr().err


def test_warm_cache__a_broken_water_file_is_still_reported(tmp_path):
    paths = lake_project(tmp_path / "project")
    out = tmp_path / "site"
    build_site(paths, out, workers=1)
    broken = copy.deepcopy(LAKE_WATER)
    broken["features"][0]["properties"]["kind"] = "ocean"
    (paths.base / "water.geojson").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        build_site(paths, out, workers=1)
    assert any("water.geojson" in str(p) and "kind" in str(p) for p in caught.value.problems)


def test_warm_cache__an_invalid_base_polygon_is_still_reported(tmp_path):
    paths = lake_project(tmp_path / "project")
    out = tmp_path / "site"
    build_site(paths, out, workers=1)
    countries = json.loads((paths.base / "countries.geojson").read_text(encoding="utf-8"))
    countries["features"][0]["geometry"]["coordinates"] = [[[40, 38], [45, 42], [45, 38], [40, 42], [40, 38]]]  # a bow tie
    (paths.base / "countries.geojson").write_text(json.dumps(countries), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        build_site(paths, out, workers=1)
    assert any("countries.geojson" in str(p) and "invalid geometry" in str(p) for p in caught.value.problems)


def test_store__round_trip_and_an_unwritable_cache_is_ignored(tmp_path):
    store = cache.Store(tmp_path / "store")
    store.put("ns", "k", {"a": [1, None]})
    assert store.get("ns", "k") == {"a": [1, None]} and store.get("ns", "other") is None
    (tmp_path / "blocked").write_text("a file where the cache folder would be")
    blocked = cache.Store(tmp_path / "blocked")
    blocked.put("ns", "k", [1])  # not an error: the cache is optional
    assert blocked.get("ns", "k") is None
    assert cache.digest("a", b"b") == cache.digest("a", b"b") != cache.digest("a", b"c")
