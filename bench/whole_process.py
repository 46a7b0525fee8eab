"""Whole-process build timings, the way a user runs `python build.py` (imports included).

    python bench/whole_process.py [--runs 5 | --quick] [--baseline DIR] [--jobs-compare]

Copies this checkout (and the optional baseline checkout, e.g. `git archive HEAD` of an older
commit) to a temporary folder, then times, interleaved run by run so that a change in
machine load hits every variant alike:

- cold: no site folder and no build cache (``.site.cache``, corridor_atlas/cache.py): the
  first build on a fresh checkout;
- no change: the same command again;
- one-layer edit: after editing data/layers/oil-routes.geojson (read by 2 of the 4 maps and
  one comparison page; the edit alternates a trailing newline so the bytes change and the
  data does not);
- empty folder, warm cache: the site folder deleted, the cache kept (a new --out, or CI
  that keeps the cache between runs);
- with --jobs-compare, cold builds with --jobs 1 and --jobs 2.

Two naive folium baselines run as standalone scripts that import only folium (bench/run.py's
``plan_maps`` decides what they embed, before any timer): "naive folium, embedded basemap"
is bench/run.py's build_naive (the base countries file and every layer file the map names,
as GeoJson, on folium's default tiles); "naive folium, online tiles" is what most folium
users write: the layer files on folium's default OpenStreetMap tiles, no basemap file.

Every timed run records the 1-minute load average just before it; the table gives the
median, min and max time and the median load of each variant. The summary checks the
targets of issue 15 (no-change ≤ 5% of cold, one-layer edit ≤ 40% of cold, cold ≤ 0.8×
naive, whole process) and prints each as met or as the measured gap.
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
IGNORE = shutil.ignore_patterns(".git", "site", ".site.cache", ".site.lock", "__pycache__", ".pytest_cache", "*.egg-info",
                                ".*-staging-*")
TARGETS = {  # issue 15: target -> (variant, at most this fraction of the cold build)
    "no-change rebuild ≤ 5% of cold": ("no-change", 0.05),
    "one-layer edit ≤ 40% of cold": ("one-layer edit", 0.40),
}
NAIVE_TARGET = 0.8  # cold ≤ 0.8× naive folium, whole process


def _load() -> float:
    return os.getloadavg()[0]


def _timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, 1-minute load average just before)."""
    load = _load()
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, load


def _build(tree: Path, *args: str) -> tuple[float, float]:
    return _timed([sys.executable, "build.py", "--out", "site", *args], tree)


def _toggle_edit(tree: Path) -> None:
    layer = tree / EDITED_LAYER
    data = layer.read_bytes()
    layer.write_bytes(data[:-1] if data.endswith(b"\n\n") else data + b"\n")


def _remove_site(tree: Path, cache_too: bool) -> None:
    shutil.rmtree(tree / "site", ignore_errors=True)
    if cache_too:
        shutil.rmtree(tree / ".site.cache", ignore_errors=True)


NAIVE_SCRIPT = """import folium
for map_id, bounds, center, zoom, files in {plans!r}:
    if bounds:
        (s, w), (n, e) = bounds
        m = folium.Map(location=[(s + n) / 2, (w + e) / 2])
        m.fit_bounds(bounds)
    else:
        m = folium.Map(location=center, zoom_start=zoom)
    for f in files:
        folium.GeoJson(f).add_to(m)
    m.save(map_id + ".html")
"""


def write_naive_scripts(tree: Path, work: Path) -> dict[str, Path]:
    """bench/run.py's naive builder as standalone scripts: with the basemap file, and with online tiles only."""
    sys.path.insert(0, str(REPO / "bench"))
    from run import plan_maps  # imports folium and shapely, in this process only

    plans = plan_maps(tree)
    scripts = {}
    for name, with_base in (("naive folium, embedded basemap", True), ("naive folium, online tiles", False)):
        rows = [(p.id, p.bounds, p.center, p.zoom, [str(f) for f in ([p.base_file] if with_base else []) + p.layer_files])
                for p in plans]
        folder = work / ("naive-base" if with_base else "naive-tiles")
        (folder / "out").mkdir(parents=True)
        script = folder / "naive.py"
        script.write_text(NAIVE_SCRIPT.format(plans=rows), encoding="utf-8")
        scripts[name] = script
    return scripts


def measure(tree: Path, times: dict[str, list[tuple[float, float]]], label: str, jobs_compare: bool) -> None:
    def record(variant: str, result: tuple[float, float]) -> None:
        times.setdefault(f"{label} {variant}", []).append(result)

    _remove_site(tree, cache_too=True)
    record("cold", _build(tree))
    record("no-change", _build(tree))
    _toggle_edit(tree)
    record("one-layer edit", _build(tree))
    _remove_site(tree, cache_too=False)
    record("empty folder, warm cache", _build(tree))
    if jobs_compare:
        for jobs in ("1", "2"):
            _remove_site(tree, cache_too=True)
            record(f"cold --jobs {jobs}", _build(tree, "--jobs", jobs))


def median_s(times: dict, name: str) -> float:
    return statistics.median(t for t, _ in times[name])


def summary(times: dict, labels: list[str], naive_names: list[str]) -> list[str]:
    """One line per target and checkout: met, or the measured gap."""
    lines = []
    for label in labels:
        cold = median_s(times, f"{label} cold")
        for target, (num, limit) in TARGETS.items():
            ratio = median_s(times, f"{label} {num}") / cold
            lines.append(f"{label}: {target}: {ratio:.1%} -> " + ("met" if ratio <= limit else f"gap: {ratio / limit:.2f}x the target"))
        for naive in naive_names:
            ratio = cold / median_s(times, naive)
            lines.append(f"{label}: cold ≤ {NAIVE_TARGET:g}x {naive}: {ratio:.2f}x -> "
                         + ("met" if ratio <= NAIVE_TARGET else f"gap: {ratio / NAIVE_TARGET:.2f}x the target"))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds (default 5); medians are reported")
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    parser.add_argument("--baseline", type=Path, help="another checkout to time alongside (e.g. git archive of the previous commit)")
    parser.add_argument("--jobs-compare", action="store_true", help="also cold builds with --jobs 1 and --jobs 2")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    work = Path(tempfile.mkdtemp(prefix="corridor-bench-"))
    trees = {"this": work / "this"}
    shutil.copytree(REPO, trees["this"], ignore=IGNORE)
    if args.baseline:
        trees["baseline"] = work / "baseline"
        shutil.copytree(args.baseline, trees["baseline"], ignore=IGNORE)
    naive = write_naive_scripts(trees["this"], work)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  (cpus: {os.cpu_count()}, runs: {runs})")
    times: dict[str, list[tuple[float, float]]] = {}
    try:
        for _ in range(runs):
            for label, tree in trees.items():
                measure(tree, times, label, args.jobs_compare and label == "this")
            for name, script in naive.items():
                times.setdefault(name, []).append(_timed([sys.executable, str(script)], script.parent / "out"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'variant':42} {'median s':>9} {'min':>7} {'max':>7} {'load':>6}  runs")
    for name, values in times.items():
        seconds = [t for t, _ in values]
        load = statistics.median(x for _, x in values)
        print(f"{name:42} {statistics.median(seconds):9.3f} {min(seconds):7.3f} {max(seconds):7.3f} {load:6.2f}  {len(values)}")
    print("targets (issue 15), medians:")
    for line in summary(times, list(trees), list(naive)):
        print("  " + line)


if __name__ == "__main__":
    main()
