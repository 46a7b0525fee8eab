"""The benchmark is not a test, but it must keep running: its imports and options are checked."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_bench__script_starts_and_lists_its_options():
    result = subprocess.run([sys.executable, "bench/run.py", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for option in ("--quick", "--scales", "--no-render", "--root", "--no-tenfold"):
        assert option in result.stdout


def test_tenfold_root__ten_times_the_features_moved_with_their_waypoints(project, tmp_path):
    """bench/tenfold.py: each copy has a new id, one shift per copy, and runs through its copied waypoints."""
    import json

    sys.path.insert(0, str(REPO / "bench"))
    from tenfold import COPIES, make_tenfold_root, shift_of

    counts = make_tenfold_root(project.root, tmp_path / "ten")
    source = json.loads((project.layers / "routes.geojson").read_text())["features"]
    copied = json.loads((tmp_path / "ten" / "data" / "layers" / "routes.geojson").read_text())["features"]
    assert counts == {"features_before": len(source), "features_after": len(source) * (1 + COPIES)}
    assert copied[:len(source)] == source  # the originals first, unchanged
    ids = [f["properties"]["id"] for f in copied]
    assert len(set(ids)) == len(ids)
    rail = next(f for f in copied if f["properties"]["id"] == "test-pipeline-x3")
    dx, dy = shift_of(3)
    assert rail["geometry"]["coordinates"][0] == [round(41.0 + dx, 6), round(40.0 + dy, 6)]
    assert rail["properties"]["waypoints"] == ["alpha-town-x3", "beta-port-x3"]
    town = next(f for f in copied if f["properties"]["id"] == "alpha-town-x3")
    assert town["geometry"]["coordinates"] == rail["geometry"]["coordinates"][0]  # the copied route meets its copied waypoint
    assert (tmp_path / "ten" / "maps" / "test-map.toml").read_text() == (project.maps / "test-map.toml").read_text()


def test_whole_process_bench__starts_and_reads_stage_timings():
    """bench/whole_process.py: its options, and the CORRIDOR_ATLAS_TIMINGS lines it reads (stage_times.py)."""
    result = subprocess.run([sys.executable, "bench/whole_process.py", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for option in ("--runs", "--quick", "--baseline", "--jobs-compare", "--scales", "--no-scale"):
        assert option in result.stdout
    sys.path.insert(0, str(REPO / "bench"))
    from whole_process import parse_stages

    stages = parse_stages("timing map:a prepare: basemap 0.5\ntiming map:b prepare: basemap 0.25\n"
                          "timing build validate 0.75\nwarning: not a timing line\n", 2.0)
    assert stages == {"pages: prepare: basemap": 0.75, "validate": 0.75, "startup, writing, rest": 1.25}


def _bench_module(name: str):
    sys.path.insert(0, str(REPO / "bench"))
    return __import__(name)


def test_scaled_root__k_times_the_vertices_originals_kept_shared_border_identical(project, tmp_path):
    """bench/scaled.py: ~k x the vertices, every original vertex exactly and in order, inserted ones within
    the jitter of their segment, the border two countries share cut the same on both sides, points and
    the other files unchanged, and the same bytes every time."""
    import json

    import numpy as np

    scaled = _bench_module("scaled")
    counts = scaled.make_scaled_root(project.root, 10, tmp_path / "a")
    scaled.make_scaled_root(project.root, 10, tmp_path / "b")
    before = counts["vertices_before"]
    assert before == scaled.input_vertices(project.root) == 16
    assert 0.95 * 10 * before <= counts["vertices_after"] <= 10 * before
    assert scaled.input_vertices(tmp_path / "a") == counts["vertices_after"]
    for rel in ("data/base/countries.geojson", "data/layers/routes.geojson", "data/base/water.geojson", "maps/test-map.toml"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert (tmp_path / "a" / "maps" / "test-map.toml").read_bytes() == (project.maps / "test-map.toml").read_bytes()

    source = json.loads((project.base / "countries.geojson").read_text())["features"]
    dense = json.loads((tmp_path / "a" / "data" / "base" / "countries.geojson").read_text())["features"]
    border = {}
    for src, out in zip(source, dense):
        assert out["properties"] == src["properties"]
        ring, original = np.array(out["geometry"]["coordinates"][0]), src["geometry"]["coordinates"][0]
        at = [next(i for i, p in enumerate(ring.tolist()) if p == q) for q in original[:-1]] + [len(ring) - 1]
        assert at == sorted(at) and ring[-1].tolist() == original[-1]  # originals exact, in order
        for (i, j), a, b in zip(zip(at, at[1:]), original, original[1:]):
            inner = ring[i + 1:j]
            assert len(inner) > 0
            flat = np.array(b) - np.array(a)
            rel = inner - a
            off = np.abs(flat[0] * rel[:, 1] - flat[1] * rel[:, 0]) / np.hypot(*flat)  # distance from the segment's line
            assert off.max() <= scaled.JITTER * 1.5
        border[src["properties"]["iso_a3"]] = {tuple(p) for p in ring.tolist() if abs(p[0] - 45) < 1e-5}
    assert len(border["AAA"]) > 2 and border["AAA"] == border["BBB"]  # the shared edge, cut identically

    routes = json.loads((tmp_path / "a" / "data" / "layers" / "routes.geojson").read_text())["features"]
    assert [f["geometry"] for f in routes if f["geometry"]["type"] == "Point"] == \
        [f["geometry"] for f in json.loads((project.layers / "routes.geojson").read_text())["features"]
         if f["geometry"]["type"] == "Point"]


def test_scaled_collection__vertex_count_on_target_at_10x_and_100x():
    """The segment length found by bisection gives the intended number of vertices (within 1%)."""
    import math

    scaled = _bench_module("scaled")
    ring = [[round(45 + 3 * math.cos(k / 50), 5), round(40 + 2 * math.sin(k / 50), 5)] for k in range(315)]
    ring.append(ring[0])
    line = [[40 + k / 100, 41 + (k % 7) / 300] for k in range(200)]
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": line}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [44, 40]}}]}
    for factor in (10, 100):
        out, before, after = scaled.densify_collection(data, factor, True)
        assert before == len(ring) + len(line) + 1
        assert 0.99 * factor * before <= after <= factor * before
        polygon, line_out = (f["geometry"]["coordinates"] for f in out["features"][:2])
        assert len(polygon[0]) + len(line_out) + 1 == after


def test_whole_process_bench__maps_keeps_the_same_map_set(project, tmp_path):
    """--maps: a copy keeps only the named maps, and a map it lacks stops the run before anything is timed."""
    import pytest

    whole_process = _bench_module("whole_process")
    (project.maps / "other.toml").write_text((project.maps / "test-map.toml").read_text())
    whole_process.keep_maps(project.root, ["test-map"])
    assert whole_process.map_set(project.root) == "test-map"
    with pytest.raises(SystemExit, match="no map gone"):
        whole_process.keep_maps(project.root, ["test-map", "gone"])
    result = subprocess.run([sys.executable, "bench/whole_process.py", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert "--maps" in result.stdout and "--scale-rounds" in result.stdout
