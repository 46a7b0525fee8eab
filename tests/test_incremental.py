"""Issue 15, first steps: --jobs, a no-change rebuild that imports no heavy library, and a
fingerprint per page (editing one layer rebuilds only the pages that read it).

Behaviour only, never timings: those are in bench/ and docs/benchmark.md.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import COUNTRIES, MAP_TOML, ROUTES, feature, write_project
from .real_site import REPO, built_site  # noqa: F401  (the session fixture)

from corridor_atlas.cli import main
from corridor_atlas.pipeline import MANIFEST, ProjectPaths, build_site

HEAVY = ("folium", "shapely", "pandas", "pyproj", "rich", "rich.progress")
BUILD_NEEDS = {"shapely", "pyproj"}  # never pandas; folium neither: render.py writes its page skeleton with jinja2

OTHER = {
    "type": "FeatureCollection",
    "name": "other",
    "title": "Other places",
    "description": "A second synthetic layer, read by the second map only",
    "features": [
        feature("gamma-town", "place", "operational", {"type": "Point", "coordinates": [42.0, 39.0]},
                place_type="town", country="AAA", label=True, geometry_accuracy="approximate"),
    ],
}

OTHER_MAP_TOML = '''
title = "Other map"
subtitle = "One town"
credit = "Test credit"
source_line = "Sources: tests"

[[layers]]
name = "other"

[view]
bounds = [[38.5, 40.5], [41.5, 49.5]]
min_zoom = 4
max_zoom = 8
'''

SET_TOML = '''
title = "Test routes compared"
description = "The synthetic pipeline"
routes = ["test-pipeline"]
bounds = [[38.5, 40.5], [41.5, 49.5]]
'''


def two_map_project(root: Path) -> ProjectPaths:
    """Map 'test-map' reads layer 'routes' (as does comparison 'pipes'); 'other-map' reads 'other'."""
    paths = write_project(root)
    (paths.maps / "other-map.toml").write_text(OTHER_MAP_TOML, encoding="utf-8")
    (paths.layers / "other.geojson").write_text(json.dumps(OTHER), encoding="utf-8")
    (paths.root / "data" / "comparisons").mkdir(parents=True, exist_ok=True)
    (paths.root / "data" / "comparisons" / "pipes.toml").write_text(SET_TOML, encoding="utf-8")
    return paths


def _pages(site: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(site.glob("*.html"))}


def _changed(before: dict, after: dict) -> set[str]:
    return {name for name in after if before.get(name) != after[name]}


def test_jobs_1_and_2__give_byte_identical_sites(tmp_path):
    paths = two_map_project(tmp_path / "project")
    for jobs in ("1", "2"):
        assert main(["--root", str(paths.root), "--out", str(tmp_path / f"site-{jobs}"), "--jobs", jobs]) == 0
    one, two = (sorted(p for p in (tmp_path / f"site-{j}").rglob("*") if p.is_file()) for j in ("1", "2"))  # data/ too
    assert [p.relative_to(tmp_path / "site-1") for p in one] == [p.relative_to(tmp_path / "site-2") for p in two]
    for a, b in zip(one, two):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_jobs_0_or_negative__exit_2_with_a_clear_message(tmp_path, capsys):
    paths = write_project(tmp_path / "project")
    for jobs in ("0", "-3"):
        assert main(["--root", str(paths.root), "--out", str(tmp_path / "site"), "--jobs", jobs]) == 2
        assert f"--jobs: must be a whole number of at least 1 (got {jobs})" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


IMPORT_PROBE = """
import json, sys
from corridor_atlas.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}))
""" % (HEAVY,)


def _build_in_subprocess(paths: ProjectPaths, site: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", IMPORT_PROBE, "--root", str(paths.root), "--out", str(site), "--jobs", "1"],
                          capture_output=True, text=True, cwd=REPO, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_no_change_rebuild__imports_no_heavy_library(tmp_path):
    paths = two_map_project(tmp_path / "project")
    site = tmp_path / "site"
    first = _build_in_subprocess(paths, site)
    assert first["code"] == 0 and BUILD_NEEDS <= set(first["loaded"]) and "pandas" not in first["loaded"]  # a real build needs them
    again = _build_in_subprocess(paths, site)
    assert again == {"code": 0, "loaded": []}
    (paths.layers / "other.geojson").write_text(json.dumps(OTHER, indent=1), encoding="utf-8")  # a change: validated again
    edited = _build_in_subprocess(paths, site)
    assert edited["code"] == 0 and BUILD_NEEDS <= set(edited["loaded"]) and "pandas" not in edited["loaded"]


def test_editing_one_layer__rebuilds_only_the_pages_that_read_it(tmp_path):
    paths = two_map_project(tmp_path / "project")
    site = tmp_path / "site"
    assert {m.spec.id for m in build_site(paths, site, workers=1)} == {"test-map", "other-map"}
    assert (site / "compare-pipes.html").is_file()
    before = _pages(site)

    other = copy.deepcopy(OTHER)
    other["features"][0]["properties"]["name"] = "Gamma City"
    (paths.layers / "other.geojson").write_text(json.dumps(other), encoding="utf-8")
    assert [m.spec.id for m in build_site(paths, site, workers=1)] == ["other-map"]
    after = _pages(site)
    assert _changed(before, after) == {"other-map.html", "index.html"}
    assert b"Gamma City" in after["other-map.html"][0]

    routes = copy.deepcopy(ROUTES)
    routes["features"][0]["properties"]["name"] = "Alpha City"
    (paths.layers / "routes.geojson").write_text(json.dumps(routes), encoding="utf-8")
    assert [m.spec.id for m in build_site(paths, site, workers=1)] == ["test-map"]
    assert _changed(after, _pages(site)) == {"test-map.html", "compare-pipes.html", "index.html"}


def test_incremental_site__is_byte_identical_to_a_forced_build(tmp_path):
    paths = two_map_project(tmp_path / "project")
    build_site(paths, tmp_path / "site", workers=1)
    routes = copy.deepcopy(ROUTES)
    routes["features"][1]["properties"]["name"] = "Beta Harbour"
    (paths.layers / "routes.geojson").write_text(json.dumps(routes), encoding="utf-8")
    build_site(paths, tmp_path / "site", workers=1)
    build_site(paths, tmp_path / "fresh", workers=1, incremental=False)
    for page in sorted(p for p in (tmp_path / "fresh").rglob("*") if p.is_file()):  # pages and their data/ files
        if page.name != MANIFEST:  # the manifest also remembers what earlier builds wrote
            name = page.relative_to(tmp_path / "fresh")
            assert page.read_bytes() == (tmp_path / "site" / name).read_bytes(), name


def test_editing_a_base_file_or_a_definition__rebuilds_what_reads_it(tmp_path):
    paths = two_map_project(tmp_path / "project")
    site = tmp_path / "site"
    build_site(paths, site, workers=1)
    (paths.maps / "other-map.toml").write_text(OTHER_MAP_TOML.replace("One town", "A town"), encoding="utf-8")
    assert [m.spec.id for m in build_site(paths, site, workers=1)] == ["other-map"]
    countries = copy.deepcopy(COUNTRIES)
    countries["features"][1]["properties"]["name"] = "Betania"
    (paths.base / "countries.geojson").write_text(json.dumps(countries), encoding="utf-8")
    before = _pages(site)
    assert {m.spec.id for m in build_site(paths, site, workers=1)} == {"test-map", "other-map"}
    assert "compare-pipes.html" in _changed(before, _pages(site))  # written anew (a new mtime at least)


def test_real_site__nothing_changed_nothing_rebuilt(built_site):  # noqa: F811
    before = _pages(built_site)
    manifest = (built_site / MANIFEST).read_bytes()
    assert build_site(ProjectPaths(REPO), built_site) == []
    assert _pages(built_site) == before
    assert (built_site / MANIFEST).read_bytes() == manifest
    assert {p.name for p in built_site.glob("compare-*.html")}  # comparison pages are there and were kept


def test_hostile_nesting__is_reported_by_the_build_not_a_crash_of_the_fingerprints(tmp_path, capsys):
    """The fingerprints read layers and definitions before validation: too deep a document
    must make the page stale (and validation report it, exit 2), not crash the build (exit 1)."""
    paths = two_map_project(tmp_path / "project")
    site = tmp_path / "site"
    assert main(["--root", str(paths.root), "--out", str(site), "--jobs", "1"]) == 0
    (paths.layers / "other.geojson").write_text("[" * 200_000, encoding="utf-8")
    assert main(["--root", str(paths.root), "--out", str(site), "--jobs", "1"]) == 2
    assert "nested too deeply" in capsys.readouterr().err
    (paths.layers / "other.geojson").write_text(json.dumps(OTHER), encoding="utf-8")
    (paths.maps / "other-map.toml").write_text("a = " + "[" * 200_000, encoding="utf-8")
    assert main(["--root", str(paths.root), "--out", str(site), "--jobs", "1"]) == 2
    assert "nested too deeply" in capsys.readouterr().err
