"""Whole-process build timings, the way a user runs `python build.py` (imports included).

    python bench/whole_process.py [--runs 5 | --quick] [--baseline DIR] [--jobs-compare] [--maps a,b,c]
                                  [--scales 10,100 [--scale-rounds N] | --no-scale]

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
median, min and max time and the median load of each variant. Builds of this checkout run
with CORRIDOR_ATLAS_TIMINGS=1 (corridor_atlas/stage_times.py): the stage table gives, per
variant, the median of each stage (the build process's wall time; the workers' stages summed
over the pages). With --scales (default 10,100; --quick 10) the inputs are densified as
bench/run.py does (bench/scaled.py, vectorised: ~12 s of CPU for 100x) in full copies of this
checkout, written once before the first round, so every scale builds the same pages
(comparison pages included), and each is built cold in every round (or in the first
--scale-rounds N), with the input limits raised on purpose (``--max-input-mb``): the
exponents log(time growth) / log(vertex growth) come from the medians, and the same for the
bytes written to the site folder. --maps a,b,c keeps only those maps in every copy (this
checkout, the baseline, the naive builders' plans, the scaled copies), so a before/after
with a baseline that has fewer maps builds the same set on both sides; the run prints the
map set of each checkout and warns when they differ. The summary
checks the targets of issue 15 (no-change ≤ 5% of cold, one-layer edit ≤ 40% of cold, cold
≤ 0.8× naive, build time at most linear in input vertices) and prints each as met or as
the measured gap with its reason: the stages that make it.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from scaled import input_limit_mb, input_vertices, write_densified  # noqa: E402  (numpy, orjson, shapely only)
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


class BuildFailed(RuntimeError):
    """A timed command failed; the message holds its first lines of output."""


STAGES: dict[str, list[dict[str, float]]] = {}  # variant -> per run {stage: seconds} (this checkout only)
MAIN = "build"  # stage_times' name for the build process (the others are its pages, in workers)


def _timed(cmd: list[str], cwd: Path, variant: str | None = None) -> tuple[float, float]:
    """(seconds, 1-minute load average just before); with `variant`, the build's stage times
    (stderr lines ``timing <process> <stage> <s>``) are kept in STAGES."""
    load = _load()
    env = {**os.environ, "CORRIDOR_ATLAS_TIMINGS": "1"}
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        problems = [line for line in done.stderr.splitlines() if line and not line.startswith(("timing ", "warning:"))]
        raise BuildFailed(f"exit {done.returncode}: " + " | ".join(problems[:3]))
    if variant:
        STAGES.setdefault(variant, []).append(parse_stages(done.stderr, seconds))
    return seconds, load


def parse_stages(stderr: str, total: float) -> dict[str, float]:
    """{stage: seconds}: the build process's own stages as they are, each worker stage summed
    over pages (``pages: <stage>``), and ``startup, writing, rest``: the whole process less
    the build process's stages (interpreter start, CLI imports, writing the site)."""
    out: dict[str, float] = {}
    for line in stderr.splitlines():
        parts = line.split(" ")
        if len(parts) < 4 or parts[0] != "timing":
            continue
        try:
            seconds = float(parts[-1])
        except ValueError:
            continue
        name = " ".join(parts[2:-1])
        key = name if parts[1] == MAIN else f"pages: {name}"
        out[key] = out.get(key, 0.0) + seconds
    if out:
        main = sum(v for k, v in out.items() if not k.startswith("pages: "))
        out["startup, writing, rest"] = max(0.0, total - main)
    return out


def _build(tree: Path, *args: str, variant: str | None = None) -> tuple[float, float]:
    return _timed([sys.executable, "build.py", "--out", "site", *args], tree, variant)


def site_bytes(tree: Path) -> int:
    """Bytes of everything a build wrote to the site folder (pages, data downloads, comparison pages)."""
    return sum(p.stat().st_size for p in (tree / "site").rglob("*") if p.is_file())


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
    def record(variant: str, *args: str) -> None:
        name = f"{label} {variant}"
        times.setdefault(name, []).append(_build(tree, *args, variant=name))

    _remove_site(tree, cache_too=True)
    record("cold")
    record("no-change")
    _toggle_edit(tree)
    record("one-layer edit")
    _remove_site(tree, cache_too=False)
    record("empty folder, warm cache")
    if jobs_compare:
        for jobs in ("1", "2"):
            _remove_site(tree, cache_too=True)
            record(f"cold --jobs {jobs}", "--jobs", jobs)


def scale_label(factor: float) -> str:
    return f"this cold, {factor:g}x input vertices"


def make_scaled_trees(tree: Path, factors: list[float], work: Path) -> dict[float, tuple[Path, int]]:
    """{factor: (a full copy of `tree` with its base and curated layers densified, input vertices)};
    factor 1 is `tree` itself. Full copies, so every scale builds exactly the same pages. Written
    once, before the first round, and reused by every round (only the cold build is timed)."""
    trees = {1.0: (tree, input_vertices(tree))}
    for factor in factors:
        target = work / f"scale-{factor:g}"
        started = time.perf_counter()
        shutil.copytree(tree, target, ignore=IGNORE)
        counts = write_densified(tree, factor, target)  # bench/scaled.py: the densification of run.py's scale run
        print(f"{factor:g}x inputs: {counts['vertices_after']:,} vertices written in {time.perf_counter() - started:.1f} s")
        trees[factor] = (target, counts["vertices_after"])
    return trees


def keep_maps(tree: Path, ids: list[str]) -> None:
    """Delete every maps/*.toml of a copy but `ids`, so that checkouts with different maps (and
    the naive builders and scaled copies made from them) build the same set; exit if one is missing."""
    present = {p.stem: p for p in (tree / "maps").glob("*.toml")}
    missing = sorted(set(ids) - set(present))
    if missing:
        raise SystemExit(f"--maps: {tree.name} has no map {', '.join(missing)} (it has {', '.join(sorted(present))})")
    for map_id, path in present.items():
        if map_id not in ids:
            path.unlink()


def map_set(tree: Path) -> str:
    return ", ".join(sorted(p.stem for p in (tree / "maps").glob("*.toml")))


def scaling(times: dict, trees: dict[float, tuple[Path, int]],
            sizes: dict[float, int]) -> list[tuple[str, float, float, float, float, float, float]]:
    """(step, its larger factor, vertex growth, time growth, time exponent, output size growth, size exponent)
    between consecutive scales and from 1x to the largest; times are medians, sizes the site's bytes."""
    factors = sorted(trees)
    cold = {f: median_s(times, "this cold" if f == 1.0 else scale_label(f)) for f in factors}
    steps = list(zip(factors, factors[1:])) + ([(factors[0], factors[-1])] if len(factors) > 2 else [])
    out = []
    for a, b in steps:
        vertex_growth, time_growth = trees[b][1] / trees[a][1], cold[b] / cold[a]
        size_growth = sizes[b] / sizes[a] if sizes.get(a) and sizes.get(b) else math.nan
        out.append((f"{a:g}x -> {b:g}x", b, vertex_growth, time_growth, math.log(time_growth) / math.log(vertex_growth),
                    size_growth, math.log(size_growth) / math.log(vertex_growth)))
    return out


NAIVE_SKIPS = {  # stages of our cold build that the naive script has no counterpart for
    "validate": "input validation and geographic rules",
    "pages: prepare: basemap": "basemap clipping, simplification and land rings",
    "pages: prepare: placement": "callout and label placement",
    "pages: comparison page": "comparison pages",
}


def stage_medians(variant: str) -> dict[str, float]:
    runs = STAGES.get(variant, [])
    names = sorted({name for run in runs for name in run})
    return {name: statistics.median(run.get(name, 0.0) for run in runs) for name in names}


def gap_reason(variant: str, naive: bool = False) -> str:
    """The stages that make a variant's time, largest first (for a naive comparison: the work naive does not do)."""
    stages = stage_medians(variant)
    if not stages:
        return "no stage timings (a checkout without corridor_atlas/stage_times.py)"
    if naive:
        items = sorted(((stages.get(k, 0.0), what) for k, what in NAIVE_SKIPS.items()), reverse=True)
        return "work naive folium does not do: " + ", ".join(f"{what} {s:.2f} s" for s, what in items if s >= 0.005) + \
            f" (page stages summed over {'workers' if any(k.startswith('pages: ') for k in stages) else 'pages'})"
    items = sorted(((s, k) for k, s in stages.items() if k != "pages: prepare"), reverse=True)[:3]
    return "largest stages: " + ", ".join(f"{k} {s:.2f} s" for s, k in items)


def median_s(times: dict, name: str) -> float:
    return statistics.median(t for t, _ in times[name])


def summary(times: dict, labels: list[str], naive_names: list[str], scale_rows: list | None = None) -> list[str]:
    """One line per target and checkout: met, or the measured gap and why."""
    lines = []
    for label in labels:
        cold = median_s(times, f"{label} cold")
        for target, (num, limit) in TARGETS.items():
            ratio = median_s(times, f"{label} {num}") / cold
            lines.append(f"{label}: {target}: {ratio:.1%} -> " + ("met" if ratio <= limit else
                         f"gap: {ratio / limit:.2f}x the target; {gap_reason(f'{label} {num}')}"))
        for naive in naive_names:
            ratio = cold / median_s(times, naive)
            lines.append(f"{label}: cold ≤ {NAIVE_TARGET:g}x {naive}: {ratio:.2f}x -> "
                         + ("met" if ratio <= NAIVE_TARGET else
                            f"gap: {ratio / NAIVE_TARGET:.2f}x the target; {gap_reason(f'{label} cold', naive=True)}"))
    for step, factor, vertex_growth, time_growth, exponent, size_growth, size_exponent in scale_rows or []:
        lines.append(f"this: build time at most linear in input vertices, {step}: {vertex_growth:.1f}x vertices, "
                     f"{time_growth:.2f}x time, exponent {exponent:.2f} -> " + ("met" if exponent <= 1 else
                     f"gap: exponent {exponent:.2f} > 1; {gap_reason(scale_label(factor))}")
                     + f" (output size {size_growth:.2f}x, exponent {size_exponent:.2f})")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds (default 5); medians are reported")
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    parser.add_argument("--baseline", type=Path, help="another checkout to time alongside (e.g. git archive of the previous commit)")
    parser.add_argument("--jobs-compare", action="store_true", help="also cold builds with --jobs 1 and --jobs 2")
    parser.add_argument("--scales", help="densification factors built cold every round (default 10,100; --quick: 10)")
    parser.add_argument("--no-scale", action="store_true", help="skip the scale builds")
    parser.add_argument("--scale-rounds", type=int, help="build the scaled copies in the first N rounds only (default: every "
                        "round; a 100x cold build takes minutes)")
    parser.add_argument("--maps", help="comma-separated map ids: every checkout (and the naive builders and scaled copies) "
                        "builds only these, e.g. the maps a baseline checkout has (default: each checkout's own maps/)")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    factors = [] if args.no_scale else [float(x) for x in (args.scales or ("10" if args.quick else "10,100")).split(",") if x.strip()]
    work = Path(tempfile.mkdtemp(prefix="corridor-bench-"))
    trees = {"this": work / "this"}
    shutil.copytree(REPO, trees["this"], ignore=IGNORE)
    if args.baseline:
        trees["baseline"] = work / "baseline"
        shutil.copytree(args.baseline, trees["baseline"], ignore=IGNORE)
    if args.maps:
        for tree in trees.values():
            keep_maps(tree, [m.strip() for m in args.maps.split(",") if m.strip()])
    naive = write_naive_scripts(trees["this"], work)
    scaled = make_scaled_trees(trees["this"], factors, work) if factors else {}
    scale_rounds = runs if args.scale_rounds is None else min(runs, args.scale_rounds)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  (cpus: {os.cpu_count()}, runs: {runs}, "
          f"scales: {', '.join(f'{f:g}x' for f in sorted(scaled)) or 'none'}"
          + (f" in {scale_rounds} of the rounds" if scaled and scale_rounds < runs else "") + ")")
    sets = {label: map_set(tree) for label, tree in trees.items()}
    for label, ids in sets.items():  # the naive builders and the scaled copies build this checkout's set
        print(f"maps built ({label}" + (", naive folium, scaled copies" if label == "this" else "") + f"): {ids}")
    if len(set(sets.values())) > 1:
        print("warning: the checkouts build different map sets, so their times are not like for like (--maps a,b,c)")
    times: dict[str, list[tuple[float, float]]] = {}
    refused: dict[float, str] = {}  # scale factor -> why its build failed
    sizes: dict[float, int] = {}  # scale factor -> bytes the cold build wrote to site/ (the same every round)
    limits_mb = {f: input_limit_mb(tree, f) for f, (tree, _) in scaled.items() if f != 1.0}  # before the copies are removed
    try:
        for round_no in range(runs):
            for label, tree in trees.items():
                measure(tree, times, label, args.jobs_compare and label == "this")
            sizes[1.0] = site_bytes(trees["this"])  # the 1x output: the site the last variant left complete
            for name, script in naive.items():
                times.setdefault(name, []).append(_timed([sys.executable, str(script)], script.parent / "out"))
            for factor, (tree, _) in sorted(scaled.items()):
                if factor != 1.0 and factor not in refused and round_no < scale_rounds:
                    _remove_site(tree, cache_too=True)
                    try:  # the densified files exceed the default input limit: raised on purpose (--max-input-mb)
                        times.setdefault(scale_label(factor), []).append(
                            _build(tree, "--max-input-mb", str(limits_mb[factor]), variant=scale_label(factor)))
                        sizes[factor] = site_bytes(tree)
                    except BuildFailed as exc:  # e.g. the input limits (corridor_atlas/limits.py) refuse the densified data
                        refused[factor] = str(exc)
                        times.pop(scale_label(factor), None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'variant':42} {'median s':>9} {'min':>7} {'max':>7} {'load':>6}  runs")
    for name, values in times.items():
        seconds = [t for t, _ in values]
        load = statistics.median(x for _, x in values)
        print(f"{name:42} {statistics.median(seconds):9.3f} {min(seconds):7.3f} {max(seconds):7.3f} {load:6.2f}  {len(values)}")
    print_stages(["this cold", "this one-layer edit", "this no-change"] + [scale_label(f) for f in sorted(scaled) if f != 1.0])
    for factor, why in sorted(refused.items()):
        print(f"scale {factor:g}x: not built ({why})")
    scaled = {f: v for f, v in scaled.items() if f not in refused}
    scale_rows = scaling(times, scaled, sizes) if len(scaled) > 1 else []
    if scale_rows:
        print("scaling (cold builds, medians):")
        for factor, (_, vertices) in sorted(scaled.items()):
            print(f"  {factor:g}x: {vertices:,} input vertices, "
                  f"{median_s(times, 'this cold' if factor == 1.0 else scale_label(factor)):.2f} s, "
                  f"site {sizes.get(factor, 0):,} bytes" + (f" (--max-input-mb {limits_mb[factor]})" if factor != 1.0 else ""))
    print(f"targets (issue 15), medians; maps: {'; '.join(f'{k}: {v}' for k, v in sets.items())}:")
    for line in summary(times, list(trees), list(naive), scale_rows):
        print("  " + line)


def print_stages(variants: list[str]) -> None:
    """Median seconds of each stage per variant (CORRIDOR_ATLAS_TIMINGS lines of this checkout's builds)."""
    medians = {v: stage_medians(v) for v in variants if STAGES.get(v)}
    if not medians:
        return
    names = sorted({n for m in medians.values() for n in m}, key=lambda n: (n.startswith("pages: "), n))
    print("stages, median s (build process: wall time; pages: summed over the pages and the workers that did them)")
    print(f"  {'stage':34}" + "".join(f" {v.removeprefix('this '):>22.22}" for v in medians))
    for name in names:
        print(f"  {name:34}" + "".join(f" {m.get(name, 0.0):22.3f}" for m in medians.values()))


if __name__ == "__main__":
    main()
