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
