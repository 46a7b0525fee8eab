"""Whole-process build timings, the way a user runs `python build.py` (imports included).

    python bench/whole_process.py [--runs 5] [--baseline DIR] [--jobs-compare]

Copies this checkout (and the optional baseline checkout, e.g. a clone of an older commit)
to a temporary folder, then times, interleaved run by run so that a change in machine load
hits every variant alike: a cold build (no site folder), a rebuild with nothing changed, and
a rebuild after editing one layer (data/layers/oil-routes.geojson, read by 2 of the 4 maps
and one comparison page; the edit alternates a trailing newline so the bytes change and the
data does not). With --jobs-compare it also times cold builds with --jobs 1 and --jobs 2.
It also times, in its own process, the naive folium script of bench/run.py (build_naive: the
same base file and layer files per map, folium defaults, written out as a standalone script
that imports only folium), so the cold build can be given as a ratio to it.
Prints the load average before and after, and medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EDITED_LAYER = Path("data/layers/oil-routes.geojson")
IGNORE = shutil.ignore_patterns(".git", "site", "__pycache__", ".pytest_cache", "*.egg-info", ".*-staging-*")


def _run(tree: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "build.py", "--out", "site", *args], cwd=tree, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _toggle_edit(tree: Path) -> None:
    layer = tree / EDITED_LAYER
    data = layer.read_bytes()
    layer.write_bytes(data[:-1] if data.endswith(b"\n\n") else data + b"\n")


NAIVE_SCRIPT = """import folium
for map_id, bounds, files in {plans!r}:
    (s, w), (n, e) = bounds
    m = folium.Map(location=[(s + n) / 2, (w + e) / 2])
    m.fit_bounds(bounds)
    for f in files:
        folium.GeoJson(f).add_to(m)
    m.save(map_id + ".html")
"""


def write_naive_script(tree: Path, work: Path) -> Path:
    """bench/run.py's naive builder as a script of its own (the plans are computed here)."""
    sys.path.insert(0, str(REPO / "bench"))
    from run import plan_maps  # imports folium and shapely, in this process only

    plans = [(p.id, p.bounds, [str(f) for f in [p.base_file, *p.layer_files]]) for p in plan_maps(tree)]
    script = work / "naive.py"
    script.write_text(NAIVE_SCRIPT.format(plans=plans), encoding="utf-8")
    (work / "naive-out").mkdir(exist_ok=True)
    return script


def time_naive(script: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(script)], cwd=script.parent / "naive-out", check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(tree: Path, times: dict[str, list[float]], label: str, jobs_compare: bool) -> None:
    shutil.rmtree(tree / "site", ignore_errors=True)
    times.setdefault(f"{label} cold", []).append(_run(tree))
    times.setdefault(f"{label} no-change", []).append(_run(tree))
    _toggle_edit(tree)
    times.setdefault(f"{label} one-layer edit", []).append(_run(tree))
    if jobs_compare:
        for jobs in ("1", "2"):
            shutil.rmtree(tree / "site", ignore_errors=True)
            times.setdefault(f"{label} cold --jobs {jobs}", []).append(_run(tree, "--jobs", jobs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to time alongside (e.g. a clone of the previous commit)")
    parser.add_argument("--jobs-compare", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="corridor-bench-"))
    trees = {"this": work / "this"}
    shutil.copytree(REPO, trees["this"], ignore=IGNORE)
    if args.baseline:
        trees["baseline"] = work / "baseline"
        shutil.copytree(args.baseline, trees["baseline"], ignore=IGNORE)
    naive = write_naive_script(trees["this"], work)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  (cpus: {os.cpu_count()})")
    times: dict[str, list[float]] = {}
    try:
        for _ in range(args.runs):
            for label, tree in trees.items():
                measure(tree, times, label, args.jobs_compare and label == "this")
            times.setdefault("naive folium cold", []).append(time_naive(naive))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'variant':34} {'median s':>9} {'min':>7} {'max':>7}  runs")
    for name, values in times.items():
        print(f"{name:34} {statistics.median(values):9.3f} {min(values):7.3f} {max(values):7.3f}  {len(values)}")
    naive_cold = statistics.median(times["naive folium cold"])
    for label in trees:
        cold = statistics.median(times[f"{label} cold"])
        print(f"{label}: cold / naive folium cold = {cold / naive_cold:.2f}x")
        print(f"{label}: no-change / cold = {statistics.median(times[f'{label} no-change']) / cold:.1%}, "
              f"one-layer edit / cold = {statistics.median(times[f'{label} one-layer edit']) / cold:.1%}")


if __name__ == "__main__":
    main()
