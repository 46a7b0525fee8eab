"""Size and speed of Corridor Atlas pages, measured against naive folium in the same run.

    python bench/run.py                      # everything, on the repo (3-5 minutes on 2 cores + the 100x build, ~320 s of CPU)
    python bench/run.py --quick              # fewer repeats, 3 browser loads, no 100x
    python bench/run.py --root /tmp/rt       # another project root (maps/, data/layers/, data/base/)

Options:
    --root DIR        project root to measure (default: the repository this file is in)
    --out DIR         where results.json goes (default: bench/out/, git-ignored)
    --quick           cold x1, warm x3, naive x1, 3 loads per page, scale 10x only
    --cold N          cold builds of each kind, median reported (default 3)
    --warm N          no-change rebuilds, median reported (default 5)
    --loads N         browser loads per page and kind, median reported (default 5)
    --scales LIST     comma-separated densification factors for the scale run (default 10,100; 100x of
                      the real 220k input vertices is 22M: ~12 s of CPU to write, minutes to build)
    --no-render       skip the headless-Chromium render timing
    --no-scale        skip the scale run
    --no-tenfold      skip the 10x FEATURES run (bench/tenfold.py: every curated feature copied 9 more times)
    --keep            keep the temporary folders (their paths are printed)
    --baseline DIR    another checkout (e.g. `git archive HEAD | tar -x -C DIR`): its pages, built by its own
                      code in a subprocess (1x and 10x), are sized and timed in the same interleaved loads

What it does, in one process:
 1. builds every map with `build_site` (cold: fresh folder, incremental=False, so no build
    cache; warm: a no-change rebuild into the same folder) and two naive folium baselines
    (folium defaults, the same layer files embedded whole with `folium.GeoJson(path)`, one
    also with the base countries file `choose_base` would pick, one on online tiles only),
    interleaved round by round, timing each with time.perf_counter and recording the load
    average before each run (whole-process timings: bench/whole_process.py);
 2. measures each page: bytes raw and gzipped (level 9, mtime 0), coordinate pairs drawn,
    bytes of embedded geometry, and what the naive page also fetches from CDNs;
 3. times navigation → rendered map in Debian's Chromium (fresh context per load, 1280x800);
    the naive page gets Leaflet served from the local xstatic files, everything else fails at once;
 4. rebuilds all maps and comparison pages (like the 1x build) on inputs densified 10x and
    100x (10x only with --quick) (bench/scaled.py: every segment cut into equal pieces in one
    numpy pass, a deterministic jitter of at most 2e-6 degrees on inserted vertices only; the
    input limits raised for it as --max-input-mb does);
 5. builds all maps on a root with ten times the curated features (bench/tenfold.py), cold, and
    measures its pages like the 1x ones (gzipped size, time to a drawn map vs naive folium on the
    same 10x data);
 6. prints tables and a summary against the targets, and writes the numbers to
    bench/out/results.json. It asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import folium  # noqa: E402
import shapely  # noqa: E402
import xstatic.pkg.leaflet as xs_leaflet  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from shapely.geometry import shape  # noqa: E402

from corridor_atlas import assets, limits  # noqa: E402
from corridor_atlas.codec import text_varints, unshare_borders  # noqa: E402
from corridor_atlas.layers import BASE_FILES  # noqa: E402
from corridor_atlas.pipeline import ProjectPaths, build_site  # noqa: E402
from corridor_atlas.simplify import Extent  # noqa: E402
from scaled import input_limit_mb, input_vertices, make_scaled_root  # noqa: E402  (the scale run's densified inputs)
from tenfold import make_tenfold_root, relaxed_geography  # noqa: E402

console = Console(width=170, highlight=False)


def say(text: str) -> None:
    """Plain text (no rich markup: selectors such as [data-atlas-ready=true] stay as written)."""
    console.print(text, markup=False)

# Targets from the "Fast and light" issue.
TARGET_GZ_BYTES = 150_000          # 150 KB (SI) gzipped per self-contained page
TARGET_GEOMETRY_RATIO = 0.10       # embedded geometry <= 10% of naive
TARGET_BUILD_RATIO = 0.8           # issue 15: cold build <= 0.8x naive (each naive baseline)
TARGET_WARM_RATIO = 0.05           # issue 15: no-change rebuild <= 5% of a cold build
TARGET_RENDER_RATIO = 0.5          # issue 15: time to a drawn map <= 0.5x naive
TARGET_RENDER_MS = 300.0           # and <= 300 ms median per map

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# No host name resolves, so the naive page's CDN requests (jQuery, Bootstrap, fonts, tiles) fail inside
# Chromium at once, without a round trip through this process (which a loaded machine slows: it
# used to inflate naive's times); only Leaflet's two files are routed here and served locally.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND"]
LEAFLET_URL = re.compile(r"^https?://[^?#]*/leaflet\.(js|css)([?#].*)?$")
VIEWPORT = {"width": 1280, "height": 800}
JQUERY_LOCAL = Path("/usr/share/javascript/jquery/jquery.min.js")  # Debian libjs-jquery, if installed


# ---------------------------------------------------------------- small helpers

def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def count_positions(coords) -> int:
    """Coordinate pairs in a GeoJSON `coordinates` value of any nesting depth."""
    if not isinstance(coords, list) or not coords:
        return 0
    if isinstance(coords[0], (int, float)):
        return 1
    return sum(count_positions(c) for c in coords)


def geometry_stats(geom: dict | None) -> tuple[int, int]:
    """(coordinate pairs, bytes as compact JSON) of one GeoJSON geometry."""
    if not geom:
        return 0, 0
    size = len(json.dumps(geom, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode())
    if geom.get("type") == "GeometryCollection":
        return sum(geometry_stats(g)[0] for g in geom.get("geometries", [])), size
    return count_positions(geom.get("coordinates")), size


def features_of(obj: dict) -> list[dict]:
    if obj.get("type") == "FeatureCollection":
        return obj.get("features", [])
    if obj.get("type") == "Feature":
        return [obj]
    return [{"geometry": obj}]


def fmt_bytes(n: float) -> str:
    if n != n:
        return "-"
    for unit in ("B", "KB", "MB"):
        if abs(n) < 1000 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


def fmt_ratio(x: float) -> str:
    if x != x:
        return "-"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


# ---------------------------------------------------------------- maps and the naive baseline

@dataclass
class MapPlan:
    id: str
    bounds: list | None       # [[s, w], [n, e]]
    center: list | None
    zoom: int | None
    layer_files: list[Path]   # curated layers the map names, whole files
    base_file: Path           # the base file ours draws (choose_base)


def view_box(view: dict) -> tuple[float, float, float, float]:
    """Same box as corridor_atlas.prepare._view_box."""
    if view.get("bounds"):
        (s, w), (n, e) = view["bounds"]
        return w, s, e, n
    lat, lon = view["center"]
    half = 360.0 / 2 ** view["zoom"] * 2
    return lon - half, lat - half / 1.6, lon + half, lat + half / 1.6


def plan_maps(root: Path) -> list[MapPlan]:
    """Per map: what the naive page embeds. The base file mirrors prepare.choose_base."""
    detail_box = None
    detail = root / "data" / "base" / "countries-detail.geojson"
    if detail.exists():
        data = json.loads(detail.read_text(encoding="utf-8"))
        geoms = [shape(f["geometry"]) for f in data["features"] if f.get("geometry")]
        if geoms:
            detail_box = tuple(shapely.total_bounds(geoms))
    plans = []
    for path in sorted((root / "maps").glob("*.toml")):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        view = spec["view"]
        names = list(dict.fromkeys(layer["name"] for layer in spec.get("layers", [])))
        extent = Extent.around(*view_box(view))
        use_detail = detail_box is not None and extent.within(detail_box)
        plans.append(MapPlan(
            id=path.stem,
            bounds=view.get("bounds"),
            center=view.get("center"),
            zoom=view.get("zoom"),
            layer_files=[root / "data" / "layers" / f"{n}.geojson" for n in names],
            base_file=detail if use_detail else root / "data" / "base" / "countries.geojson",
        ))
    return plans


def build_naive(plans: list[MapPlan], out_dir: Path, with_base: bool = True) -> None:
    """The page a folium user would write: defaults everywhere, files embedded as they are.

    ``with_base``: also embed the base countries file ours draws (the like-for-like
    offline basemap); without it, what most folium users write: the layers on folium's
    default online OpenStreetMap tiles.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for p in plans:
        if p.bounds:
            (s, w), (n, e) = p.bounds
            m = folium.Map(location=[(s + n) / 2, (w + e) / 2])
            m.fit_bounds(p.bounds)
        else:
            m = folium.Map(location=p.center, zoom_start=p.zoom)
        for f in ([p.base_file] if with_base else []) + p.layer_files:
            folium.GeoJson(str(f)).add_to(m)
        m.save(str(out_dir / f"{p.id}.html"))


# ---------------------------------------------------------------- page analysis

ATLAS_DATA = re.compile(r'<script type="application/json" id="atlas-data">(.*?)</script>', re.S)
NAIVE_ADD = re.compile(r"geo_json_[0-9a-f]+_add\(")


def analyse_ours(html: str) -> dict:
    raw = html.encode()
    match = ATLAS_DATA.search(html)
    payload_text = match.group(1)
    payload = json.loads(payload_text)
    # Geometry objects as drawn: GeoJSON geometries, or the encoded basemap rings
    # ({"q": [[ring, ...] per polygon]}, each ring x0, y0, dx1, dy1, ... as text, see codec.py;
    # or {"a": ...} and the arcs each border is written once in: codec.share_borders).
    geometries: list = []
    vertices = 0
    countries = payload["countries"]
    if payload.get("arcs") is not None:  # the bytes as written; the vertices as drawn (rings joined again)
        geometries += [payload["arcs"]] + [c["a"] for c in countries]
        countries = unshare_borders(countries, payload["arcs"].split(",") if payload["arcs"] else [])
    country_items = features_of(countries) if isinstance(countries, dict) else list(countries)
    for item in country_items:
        if "q" in item:
            if payload.get("arcs") is None:
                geometries.append(item["q"])
            vertices += sum(len(text_varints(ring)) // 2 for polygon in item["q"] for ring in polygon)
        else:
            geometries.append(item.get("geometry"))
            vertices += geometry_stats(item.get("geometry"))[0]
    for layer in payload.get("layers", []):
        if "features" in layer:  # codec.pack_layers: lines and areas in a column, the points as one text
            packed = [g for g in layer["features"]["geometry"] if g]
            geometries += packed + [layer["features"]["points"]]
            vertices += sum(geometry_stats(g)[0] for g in packed) + len(text_varints(layer["features"]["points"])) // 2
            continue
        for feature in features_of(layer["geojson"]):
            geometries.append(feature.get("geometry"))
            vertices += geometry_stats(feature.get("geometry"))[0]
    geom_bytes = sum(len(json.dumps(g, separators=(",", ":"), sort_keys=True).encode()) for g in geometries if g)
    # where the page's bytes go
    libs = "".join(f"{assets._script_safe(assets.asset_text(a))}" for a in assets.ASSETS
                   if assets._script_safe(assets.asset_text(a)) in html)
    own = "".join(assets._script_safe(assets.own_asset(n)) for n in ("atlas.js", "atlas.css")
                  if assets._script_safe(assets.own_asset(n)) in html)
    payload_bytes = payload_text.encode()
    geometry_only = json.dumps(geometries, separators=(",", ":"), sort_keys=True).encode()
    libs_b, own_b = libs.encode(), own.encode()
    other = len(raw) - len(libs_b) - len(own_b) - len(payload_bytes)
    breakdown = {
        "leaflet+plugin (inline)": {"raw": len(libs_b), "gz": gz(libs_b)},
        "atlas.js+atlas.css": {"raw": len(own_b), "gz": gz(own_b)},
        "payload: geometry": {"raw": geom_bytes, "gz": gz(geometry_only)},
        "payload: properties etc.": {"raw": len(payload_bytes) - geom_bytes,
                                     "gz": max(gz(payload_bytes) - gz(geometry_only), 0)},
        "html, legend, folium script": {"raw": other, "gz": None},
    }
    return {"raw": len(raw), "gz": gz(raw), "vertices": vertices, "geometry_bytes": geom_bytes,
            "geojson_bytes": len(payload_bytes), "breakdown": breakdown}


def analyse_naive(html: str) -> dict:
    raw = html.encode()
    decoder = json.JSONDecoder()
    vertices = geom_bytes = embedded = 0
    for m in NAIVE_ADD.finditer(html):
        start = m.end()
        if html[start] != "{":
            continue  # the function definition, not the call with the data
        obj, end = decoder.raw_decode(html, start)
        embedded += len(html[start:end].encode())
        for feature in features_of(obj):
            v, b = geometry_stats(feature.get("geometry"))
            vertices += v
            geom_bytes += b
    return {"raw": len(raw), "gz": gz(raw), "vertices": vertices, "geometry_bytes": geom_bytes,
            "geojson_bytes": embedded}


def cdn_estimate() -> dict:
    """What the naive page needs from CDNs that we can measure locally."""
    counted = {}
    for name in ("leaflet.js", "leaflet.css"):
        data = (Path(xs_leaflet.BASE_DIR) / name).read_bytes()
        counted[f"{name} {xs_leaflet.VERSION} (xstatic)"] = {"raw": len(data), "gz": gz(data)}
    if JQUERY_LOCAL.exists():
        data = JQUERY_LOCAL.read_bytes()
        version = re.search(rb"jQuery v([\d.]+)", data[:200])
        label = f"jquery.min.js {version.group(1).decode() if version else '?'} (Debian libjs-jquery; folium asks 3.7.1)"
        counted[label] = {"raw": len(data), "gz": gz(data)}
    urls = [u for _, u in folium.Map.default_js] + [u for _, u in folium.Map.default_css]
    not_counted = [u for u in urls if not u.endswith(("leaflet.js", "leaflet.css"))
                   and not ("jquery" in u and JQUERY_LOCAL.exists())]
    return {"counted": counted,
            "raw": sum(v["raw"] for v in counted.values()),
            "gz": sum(v["gz"] for v in counted.values()),
            "not_counted": not_counted, "all_urls": urls}


# ---------------------------------------------------------------- build timing

def time_builds(root: Path, plans: list[MapPlan], cold_reps: int, warm_reps: int, tmp: Path) -> tuple[dict, dict, dict]:
    """Ours cold, naive with the basemap file, naive on online tiles: interleaved round by round,
    so a change in machine load hits all three alike; then ours' no-change rebuilds. Each run
    records the 1-minute load average just before it."""
    paths = ProjectPaths(root)
    ours = {"cold_s": [], "cold_load": [], "warm_s": [], "warm_load": [], "warm_maps_rebuilt": []}
    naive = {"cold_s": [], "cold_load": []}
    tiles = {"cold_s": [], "cold_load": []}
    for i in range(cold_reps):
        ours["site"] = tmp / f"ours-{i}" / "site"
        ours["cold_load"].append(os.getloadavg()[0])
        t0 = time.perf_counter()
        build_site(paths, ours["site"], incremental=False)  # incremental=False: no build cache either
        ours["cold_s"].append(time.perf_counter() - t0)
        for runs, with_base, name in ((naive, True, "naive"), (tiles, False, "naive-tiles")):
            runs["site"] = tmp / f"{name}-{i}"
            runs["cold_load"].append(os.getloadavg()[0])
            t0 = time.perf_counter()
            build_naive(plans, runs["site"], with_base)
            runs["cold_s"].append(time.perf_counter() - t0)
    for _ in range(warm_reps):
        ours["warm_load"].append(os.getloadavg()[0])
        t0 = time.perf_counter()
        out = build_site(paths, ours["site"])
        ours["warm_s"].append(time.perf_counter() - t0)
        ours["warm_maps_rebuilt"].append(len(out))
    for runs in (ours, naive, tiles):
        runs["cold_median_s"] = median(runs["cold_s"])
    ours["warm_median_s"] = median(ours["warm_s"])
    return ours, naive, tiles


# ---------------------------------------------------------------- render timing

MARK_OURS = """
(() => { const mark = () => { const html = document.documentElement; if (!html) return;
  if (!window.__readyAt && html.getAttribute('data-atlas-ready') === 'true') window.__readyAt = performance.now();
  if (!window.__completeAt && html.getAttribute('data-atlas-complete') === 'true') window.__completeAt = performance.now(); };
  new MutationObserver(mark).observe(document, {subtree: true, childList: true, attributes: true});
  // where the time goes: atlas.js's init (CorridorAtlas.init, called once the page is parsed up to the map) timed
  let atlas; Object.defineProperty(window, 'CorridorAtlas', {configurable: true, get() { return atlas; }, set(value) {
    const init = value && value.init;
    if (typeof init === 'function') value.init = function () { window.__initStart = performance.now();
      try { return init.apply(this, arguments); } finally { window.__initEnd = performance.now(); } };
    atlas = value; }}); })();
"""
MARK_NAIVE = """
(() => { const mark = () => { if (!window.__readyAt && document.querySelector('.leaflet-interactive'))
  window.__readyAt = performance.now(); };
  new MutationObserver(mark).observe(document, {subtree: true, childList: true}); })();
"""


def render_times(pairs: list[tuple], loads: int, floor_page: Path | None = None) -> dict:
    """Per map and kind: ms from navigation start to rendered map (median of `loads`). A pair is
    (map id, our page, naive page) or (…, baseline page): the baseline (--baseline) is timed like ours,
    in the same interleaved rounds."""
    from playwright.sync_api import sync_playwright

    leaflet_js = (Path(xs_leaflet.BASE_DIR) / "leaflet.js").read_bytes()
    leaflet_css = (Path(xs_leaflet.BASE_DIR) / "leaflet.css").read_bytes()

    def one_load(browser, url: str, kind: str) -> dict:
        context = browser.new_context(viewport=VIEWPORT)
        external = []

        def serve_leaflet(r):
            body, kind_ = (leaflet_js, "application/javascript") if r.request.url.split("?")[0].endswith(".js") \
                else (leaflet_css, "text/css")
            return r.fulfill(status=200, body=body, content_type=kind_, headers={"Access-Control-Allow-Origin": "*"})

        if kind == "naive":
            context.route(LEAFLET_URL, serve_leaflet)
        context.on("request", lambda r: external.append(r.url) if re.match(r"^(https?|wss?|ftp):", r.url) else None)
        if kind != "floor":
            context.add_init_script(MARK_NAIVE if kind == "naive" else MARK_OURS)
        page = context.new_page()
        try:
            page.goto(url, wait_until="load", timeout=120_000)
            if kind != "floor":
                page.wait_for_selector(".leaflet-interactive" if kind == "naive" else "html[data-atlas-ready=true]",
                                       state="attached", timeout=120_000)
            if kind in ("ours", "baseline") and b"data-atlas-complete" in Path(unquote(urlparse(url).path)).read_bytes():
                # drawn first (ready); tap targets, keyboard stops and hover tooltips follow when idle (complete)
                page.wait_for_selector("html[data-atlas-complete=true]", state="attached", timeout=120_000)
            page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0", timeout=120_000)
            t = page.evaluate("({ready: window.__readyAt || null, complete: window.__completeAt || null,"
                              " initStart: window.__initStart || null, initEnd: window.__initEnd || null,"
                              " load: performance.getEntriesByType('navigation')[0].loadEventEnd})")
        finally:
            context.close()
        ready = t["ready"] if t["ready"] is not None else float("nan")
        complete = t.get("complete") if t.get("complete") is not None else float("nan")
        init_start = t["initStart"] if t.get("initStart") is not None else float("nan")
        init_ms = t["initEnd"] - t["initStart"] if t.get("initEnd") is not None and t.get("initStart") is not None else float("nan")
        return {"ready_ms": ready, "complete_ms": complete, "load_ms": t["load"], "rendered_ms": max(ready, t["load"]),
                "init_start_ms": init_start, "init_ms": init_ms,
                "external_requests": len(external)}

    results: dict = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            # warm Chromium's caches (process start, code cache) once per kind; not counted
            if pairs:
                one_load(browser, pairs[0][1].as_uri(), "ours")
                one_load(browser, pairs[0][2].as_uri(), "naive")
            if floor_page is not None:  # inline Leaflet + an empty L.map: the cost before any data
                floor = [one_load(browser, floor_page.as_uri(), "floor")["load_ms"] for _ in range(loads)]
                results["__floor__"] = {"median_load_ms": median(floor), "load_ms": floor}
            for map_id, ours_page, naive_page, *baseline in pairs:
                pages = {"ours": ours_page, "naive": naive_page, **({"baseline": baseline[0]} if baseline else {})}
                runs = {kind: [] for kind in pages}
                for _ in range(loads):  # interleaved, so drift hits every kind alike
                    for kind, page_path in pages.items():
                        runs[kind].append(one_load(browser, page_path.as_uri(), kind))
                results[map_id] = {
                    kind: {
                        "rendered_ms": [r["rendered_ms"] for r in rs],
                        "median_rendered_ms": median([r["rendered_ms"] for r in rs]),
                        "median_load_ms": median([r["load_ms"] for r in rs]),
                        "median_ready_ms": median([r["ready_ms"] for r in rs]),
                        "median_init_start_ms": median([r["init_start_ms"] for r in rs]),
                        "median_init_ms": median([r["init_ms"] for r in rs]),
                        "median_complete_ms": median([r["complete_ms"] for r in rs]),
                        "external_requests": rs[-1]["external_requests"],
                    }
                    for kind, rs in runs.items()
                }
                results[map_id]["loadavg"] = os.getloadavg()[0]
        finally:
            browser.close()
    return results


# ---------------------------------------------------------------- scale run

def site_totals(site: Path, ids: list[str]) -> dict:
    raw = gzt = verts = 0
    for map_id in ids:
        html = (site / f"{map_id}.html").read_text(encoding="utf-8")
        a = analyse_ours(html)
        raw += a["raw"]
        gzt += a["gz"]
        verts += a["vertices"]
    return {"raw": raw, "gz": gzt, "vertices_drawn": verts}


def scale_run(root: Path, factors: list[float], tmp: Path, base_time: float, ids: list[str], site1: Path) -> list[dict]:
    v1 = input_vertices(root)
    rows = [{"factor": 1, "input_vertices": v1, "build_s": base_time, **site_totals(site1, ids),
             "note": "1x = the real inputs; build time = median cold build above"}]
    for factor in factors:
        dest = tmp / f"scale-{factor:g}"
        t0 = time.perf_counter()
        make_scaled_root(root, factor, dest)
        prep = time.perf_counter() - t0
        site = dest / "site"
        saved = limits.current()
        limits.set_max_input_mb(input_limit_mb(dest, factor))  # raised on purpose, as --max-input-mb does
        try:
            t0 = time.perf_counter()
            build_site(ProjectPaths(dest), site, incremental=False)
            build_s = time.perf_counter() - t0
        finally:
            limits.restore(saved)
        rows.append({"factor": factor, "input_vertices": input_vertices(dest), "build_s": build_s,
                     "densify_s": prep, **site_totals(site, ids)})
    for r in rows:
        r["vertex_growth"] = r["input_vertices"] / v1
        r["time_growth"] = r["build_s"] / base_time
        r["size_growth"] = r["raw"] / rows[0]["raw"]
        r["gz_growth"] = r["gz"] / rows[0]["gz"]
        g = r["vertex_growth"]
        r["time_exponent"] = math.log(r["time_growth"]) / math.log(g) if g > 1.0001 and r["time_growth"] > 0 else None
        r["size_exponent"] = math.log(r["size_growth"]) / math.log(g) if g > 1.0001 and r["size_growth"] > 0 else None
    return rows


# ---------------------------------------------------------------- 10x features

BUILD_BASELINE = """
import sys
from pathlib import Path
code, project, out = (Path(a) for a in sys.argv[1:4])
sys.path[:0] = [str(code), str(code / "bench")]
from corridor_atlas.pipeline import ProjectPaths, build_site
from tenfold import relaxed_geography
import contextlib
with relaxed_geography() if sys.argv[4] == "10x" else contextlib.nullcontext():
    build_site(ProjectPaths(project), out, incremental=False)
"""


def baseline_page(base_site: Path | None, map_id: str) -> list[Path]:
    """The baseline's page of a map, as a list to splice into a timing tuple: empty without
    --baseline or when the baseline checkout has no such map (a map added since)."""
    page = base_site / f"{map_id}.html" if base_site else None
    return [page] if page and page.is_file() else []


def build_baseline(code: Path, project: Path, out: Path, tenfold: bool) -> None:
    """The baseline checkout's own code builds `project` into `out`, in a process of its own."""
    import subprocess

    subprocess.run([sys.executable, "-c", BUILD_BASELINE, str(code), str(project), str(out), "10x" if tenfold else "1x"],
                   check=True, cwd=str(code))


def tenfold_run(root: Path, tmp: Path, loads: int, render: bool, baseline: Path | None = None) -> dict:
    """Every map built cold on ten times the curated features; pages sized and timed like 1x
    (and the baseline checkout's pages of the same 10x root, with --baseline)."""
    dest = tmp / "tenfold"
    counts = make_tenfold_root(root, dest)
    plans = plan_maps(dest)
    site, naive_site = dest / "site", tmp / "tenfold-naive"
    load_ours = os.getloadavg()[0]
    t0 = time.perf_counter()
    with relaxed_geography():
        build_site(ProjectPaths(dest), site, incremental=False)
    build_s = time.perf_counter() - t0
    load_naive = os.getloadavg()[0]
    t0 = time.perf_counter()
    build_naive(plans, naive_site)
    naive_s = time.perf_counter() - t0
    base_site = tmp / "tenfold-baseline"
    if baseline:
        try:
            build_baseline(baseline, dest, base_site, tenfold=True)
        except subprocess.CalledProcessError:  # its code refuses this tree's data (a format added since)
            console.print("  the baseline's code cannot build this tree's 10x data (its problems are above): "
                          "10x baseline left out", markup=False)
            baseline = None
    maps = {}
    for p in plans:
        o = analyse_ours((site / f"{p.id}.html").read_text(encoding="utf-8"))
        n = analyse_naive((naive_site / f"{p.id}.html").read_text(encoding="utf-8"))
        maps[p.id] = {"gz": o["gz"], "raw": o["raw"], "naive_gz": n["gz"], "breakdown": o["breakdown"]}
        if baseline and (base_site / f"{p.id}.html").is_file():
            maps[p.id]["baseline_gz"] = gz((base_site / f"{p.id}.html").read_bytes())
    out = {**counts, "build_s": build_s, "build_load": load_ours, "naive_build_s": naive_s,
           "naive_build_load": load_naive, "maps": maps}
    if render:
        out["loadavg_before_render"] = os.getloadavg()[0]
        timed = render_times([(p.id, site / f"{p.id}.html", naive_site / f"{p.id}.html",
                               *baseline_page(base_site if baseline else None, p.id)) for p in plans], loads)
        for map_id, r in timed.items():
            maps[map_id]["render"] = r
            r["ratio"] = r["ours"]["median_rendered_ms"] / r["naive"]["median_rendered_ms"]
        out["loadavg_after_render"] = os.getloadavg()[0]
    return out


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=REPO, help="project root (default: the repository)")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out", help="folder for results.json")
    ap.add_argument("--quick", action="store_true", help="fewer repeats, 3 loads, scale 10x only")
    ap.add_argument("--cold", type=int, help="cold builds per kind (default 3; quick 1)")
    ap.add_argument("--warm", type=int, help="no-change rebuilds (default 5; quick 3)")
    ap.add_argument("--loads", type=int, help="browser loads per page and kind (default 5; quick 3)")
    ap.add_argument("--scales", help="densification factors, comma-separated (default 10,100; quick 10)")
    ap.add_argument("--no-render", action="store_true", help="skip the browser timing")
    ap.add_argument("--no-scale", action="store_true", help="skip the scale run")
    ap.add_argument("--no-tenfold", action="store_true", help="skip the 10x features run")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders")
    ap.add_argument("--baseline", type=Path, help="another checkout whose pages (built by its own code) are sized "
                                                   "and timed in the same loads: before/after")
    args = ap.parse_args(argv)

    cold_reps = args.cold or (1 if args.quick else 3)
    warm_reps = args.warm or (3 if args.quick else 5)
    loads = args.loads or (3 if args.quick else 5)
    factors = [float(x) for x in (args.scales or ("10" if args.quick else "10,100")).split(",") if x.strip()]
    root = args.root.resolve()
    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    started = time.perf_counter()
    results: dict = {"root": str(root), "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                                    "folium": folium.__version__, "shapely": shapely.__version__},
                     "settings": {"cold_reps": cold_reps, "warm_reps": warm_reps, "loads": loads, "scales": factors}}
    try:
        console.print(f"[bold]Corridor Atlas benchmark[/bold]  root={root}  cpus={os.cpu_count()}  "
                      f"cold x{cold_reps}, warm x{warm_reps}, loads x{loads}, scales {factors}")
        base_present = [n for n in BASE_FILES if (root / "data" / "base" / f"{n}.geojson").exists()]
        console.print(f"base files present: {', '.join(base_present) or 'none'}; "
                      f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        results["loadavg_start"] = os.getloadavg()

        # 1. builds
        plans = plan_maps(root)
        ids = [p.id for p in plans]
        ours, naive, tiles = time_builds(root, plans, cold_reps, warm_reps, tmp)
        results["build"] = {
            "ours": {k: v for k, v in ours.items() if k != "site"},
            "naive": {k: v for k, v in naive.items() if k != "site"},
            "naive_tiles": {k: v for k, v in tiles.items() if k != "site"},
            "cold_ratio": ours["cold_median_s"] / naive["cold_median_s"],
            "cold_ratio_tiles": ours["cold_median_s"] / tiles["cold_median_s"],
            "warm_to_cold_ratio": ours["warm_median_s"] / ours["cold_median_s"],
        }
        t = Table(title="Build time of the whole site, in this process (s; load = 1-min load average before each run)")
        for col in ("build", "runs", "median", "load (median)"):
            t.add_column(col, justify="right" if col != "build" else "left")
        t.add_row(f"ours cold (build_site, incremental=False, workers={os.cpu_count()})",
                  " ".join(f"{x:.3f}" for x in ours["cold_s"]), f"{ours['cold_median_s']:.3f}", f"{median(ours['cold_load']):.2f}")
        t.add_row("ours warm (no-change rebuild)", " ".join(f"{x:.4f}" for x in ours["warm_s"]),
                  f"{ours['warm_median_s']:.4f}", f"{median(ours['warm_load']):.2f}")
        t.add_row("naive folium, embedded basemap", " ".join(f"{x:.3f}" for x in naive["cold_s"]),
                  f"{naive['cold_median_s']:.3f}", f"{median(naive['cold_load']):.2f}")
        t.add_row("naive folium, online tiles (no basemap file)", " ".join(f"{x:.3f}" for x in tiles["cold_s"]),
                  f"{tiles['cold_median_s']:.3f}", f"{median(tiles['cold_load']):.2f}")
        console.print(t)
        say("Whole-process timings (imports included, as a user runs build.py): bench/whole_process.py.")
        if any(ours["warm_maps_rebuilt"]):
            console.print(f"[red]note: warm rebuilds rebuilt maps: {ours['warm_maps_rebuilt']}[/red]")

        # 2. sizes
        cdn = cdn_estimate()
        per_map = {}
        for p in plans:
            o = analyse_ours((ours["site"] / f"{p.id}.html").read_text(encoding="utf-8"))
            n = analyse_naive((naive["site"] / f"{p.id}.html").read_text(encoding="utf-8"))
            per_map[p.id] = {
                "ours": o, "naive": n,
                "naive_embeds": [str(f.relative_to(root)) for f in [p.base_file, *p.layer_files]],
                "ratio": {
                    "raw": o["raw"] / n["raw"], "gz": o["gz"] / n["gz"],
                    "vertices": o["vertices"] / n["vertices"],
                    "geometry_bytes": o["geometry_bytes"] / n["geometry_bytes"],
                    "geometry_vs_naive_geojson": o["geometry_bytes"] / n["geojson_bytes"],
                    "gz_vs_naive_plus_cdn": o["gz"] / (n["gz"] + cdn["gz"]),
                    "raw_vs_naive_plus_cdn": o["raw"] / (n["raw"] + cdn["raw"]),
                },
            }
        results["maps"] = per_map
        results["cdn_estimate"] = cdn

        t = Table(title="Per map: page size, vertices drawn, embedded geometry (ours / naive)")
        for col in ("map", "raw ours", "raw naive", "ratio", "gz ours", "gz naive", "ratio",
                    "vertices ours", "vertices naive", "ratio", "geom B ours", "geom B naive", "ratio",
                    "naive GeoJSON B", "ours geom / it"):
            t.add_column(col, justify="left" if col == "map" else "right", no_wrap=col == "map")
        for map_id, m in per_map.items():
            o, n, r = m["ours"], m["naive"], m["ratio"]
            t.add_row(map_id, fmt_bytes(o["raw"]), fmt_bytes(n["raw"]), fmt_ratio(r["raw"]),
                      fmt_bytes(o["gz"]), fmt_bytes(n["gz"]), fmt_ratio(r["gz"]),
                      f"{o['vertices']:,}", f"{n['vertices']:,}", fmt_ratio(r["vertices"]),
                      fmt_bytes(o["geometry_bytes"]), fmt_bytes(n["geometry_bytes"]), fmt_ratio(r["geometry_bytes"]),
                      fmt_bytes(n["geojson_bytes"]), fmt_ratio(r["geometry_vs_naive_geojson"]))
        console.print(t)
        say("geom B = the geometry objects as compact JSON (what ours writes; naive re-serialised the same "
                      "way); naive GeoJSON B = the GeoJSON text folium embedded, as written (properties, spaces).")
        for map_id, m in per_map.items():
            console.print(f"  naive {map_id} embeds: {', '.join(m['naive_embeds'])}")

        console.print("\n[bold]Naive pages are NOT self-contained[/bold]: they load Leaflet, jQuery, Bootstrap, "
                      "Font Awesome and Leaflet.awesome-markers from CDNs, plus OpenStreetMap tiles:")
        for u in cdn["all_urls"]:
            console.print(f"  {u}")
        t = Table(title="Ours (self-contained) vs naive page + the CDN assets it needs (counted below)")
        for col in ("map", "ours raw", "naive+CDN raw", "ratio", "ours gz", "naive+CDN gz", "ratio"):
            t.add_column(col, justify="left" if col == "map" else "right")
        for map_id, m in per_map.items():
            o, n, r = m["ours"], m["naive"], m["ratio"]
            t.add_row(map_id, fmt_bytes(o["raw"]), fmt_bytes(n["raw"] + cdn["raw"]), fmt_ratio(r["raw_vs_naive_plus_cdn"]),
                      fmt_bytes(o["gz"]), fmt_bytes(n["gz"] + cdn["gz"]), fmt_ratio(r["gz_vs_naive_plus_cdn"]))
        console.print(t)
        for label, v in cdn["counted"].items():
            console.print(f"  counted: {label}: {fmt_bytes(v['raw'])} raw, {fmt_bytes(v['gz'])} gz")
        console.print(f"  NOT counted (no local copy; naive+CDN is a lower bound): {len(cdn['not_counted'])} files: "
                      + ", ".join(u.rsplit('/', 1)[-1] for u in cdn["not_counted"]) + "; and no map tiles.")

        t = Table(title="Where our page's bytes go (gz of a part alone; parts do not add up exactly)")
        t.add_column("map", no_wrap=True)
        parts = list(next(iter(per_map.values()))["ours"]["breakdown"])
        for part in parts:
            t.add_column(part, justify="right")
        for map_id, m in per_map.items():
            b = m["ours"]["breakdown"]
            t.add_row(map_id, *[f"{fmt_bytes(b[p]['raw'])}" + (f" / {fmt_bytes(b[p]['gz'])} gz" if b[p]["gz"] is not None else "")
                                for p in parts])
        console.print(t)

        # 3. render
        if not args.no_render:
            console.print(f"\nrender timing: {loads} loads per page and kind, fresh context each, {VIEWPORT['width']}x{VIEWPORT['height']} …")
            floor_page = tmp / "floor.html"
            floor_page.write_text("<!DOCTYPE html><html><head>" + assets.head_html("inline") + "</head><body>"
                                  '<div id="m" style="height:600px"></div><script>L.map("m").setView([40, 45], 6);'
                                  "</script></body></html>", encoding="utf-8")
            base_site = tmp / "baseline-site"
            if args.baseline:
                build_baseline(args.baseline.resolve(), args.baseline.resolve(), base_site, tenfold=False)
                for p in plans:
                    if (base_site / f"{p.id}.html").is_file():  # a map the baseline has too
                        per_map[p.id]["baseline_gz"] = gz((base_site / f"{p.id}.html").read_bytes())
            render = render_times([(p.id, ours["site"] / f"{p.id}.html", naive["site"] / f"{p.id}.html",
                                    *baseline_page(base_site if args.baseline else None, p.id)) for p in plans],
                                  loads, floor_page)
            floor = render.pop("__floor__", None)
            results["render"] = render
            results["render_floor_ms"] = floor
            t = Table(title=f"Render: navigation start → rendered map, ms (median of {loads} interleaved loads)")
            for col in ("map", "ours", "naive", "ratio", "ours load", "naive load", "ours ready", "ours complete",
                        "naive 1st path", "naive ext. req. (aborted/served)", "ours ext. req.", "load avg",
                        *(("baseline", "baseline / naive") if args.baseline else ())):
                t.add_column(col, justify="left" if col == "map" else "right")
            for map_id, r in render.items():
                o, n = r["ours"], r["naive"]
                r["ratio"] = o["median_rendered_ms"] / n["median_rendered_ms"]
                extra = []
                if "baseline" in r:
                    r["baseline_ratio"] = r["baseline"]["median_rendered_ms"] / n["median_rendered_ms"]
                    extra = [f"{r['baseline']['median_rendered_ms']:.0f}", fmt_ratio(r["baseline_ratio"])]
                t.add_row(map_id, f"{o['median_rendered_ms']:.0f}", f"{n['median_rendered_ms']:.0f}", fmt_ratio(r["ratio"]),
                          f"{o['median_load_ms']:.0f}", f"{n['median_load_ms']:.0f}", f"{o['median_ready_ms']:.0f}",
                          f"{o['median_complete_ms']:.0f}", f"{n['median_ready_ms']:.0f}", str(n["external_requests"]), str(o["external_requests"]),
                          f"{r['loadavg']:.1f}", *extra)
            console.print(t)
            if floor:
                say(f"floor: a page with only the inlined Leaflet + GestureHandling and an empty L.map loads in "
                    f"{floor['median_load_ms']:.0f} ms (median) here; ours' time above that is atlas.js drawing the payload.")
            say("rendered = max(loadEventEnd, moment the map is drawn): ours = html[data-atlas-ready=true] "
                          "set (complete: html[data-atlas-complete=true], the invisible rest done when idle); naive = first .leaflet-interactive in the DOM (folium adds the GeoJSON synchronously). "
                          "Naive gets leaflet.js/.css from the local xstatic files via page.route; every other external "
                          "request (jQuery, Bootstrap, fonts, tiles) fails in Chromium at once (no host name resolves), "
                          "so a real CDN load would be slower.")

        # 4. scale
        if not args.no_scale and factors:
            console.print(f"\nscale run: densifying inputs {', '.join(f'{f:g}x' for f in factors)} and building all maps …")
            rows = scale_run(root, factors, tmp, ours["cold_median_s"], ids, ours["site"])
            results["scale"] = rows
            t = Table(title="Scale: all maps built on densified inputs (cold, once per factor)")
            for col in ("factor", "input vertices", "growth", "build s", "time/time1", "time exp.",
                        "output raw", "size/size1", "size exp.", "output gz", "gz/gz1", "vertices drawn"):
                t.add_column(col, justify="right")
            for r in rows:
                t.add_row(f"{r['factor']:g}x", f"{r['input_vertices']:,}", f"{r['vertex_growth']:.1f}",
                          f"{r['build_s']:.2f}", f"{r['time_growth']:.2f}",
                          "-" if r["time_exponent"] is None else f"{r['time_exponent']:.2f}",
                          fmt_bytes(r["raw"]), f"{r['size_growth']:.3f}",
                          "-" if r["size_exponent"] is None else f"{r['size_exponent']:.3f}",
                          fmt_bytes(r["gz"]), f"{r['gz_growth']:.3f}", f"{r['vertices_drawn']:,}")
            console.print(t)
            say("exp. = log(growth of time or size) / log(growth of input vertices): ≤ 1 is at most linear, "
                          "< 1 sublinear. 1x is the real data (time: the median cold build above).")

        # 5. ten times the features
        if not args.no_tenfold:
            console.print("\n10x features: every curated feature copied 9 more times (bench/tenfold.py), built cold …")
            ten = tenfold_run(root, tmp, loads, not args.no_render, args.baseline.resolve() if args.baseline else None)
            results["tenfold"] = ten
            t = Table(title=f"10x features ({ten['features_before']} → {ten['features_after']} curated features): "
                            f"pages and time to a drawn map (ms, median of {loads})")
            for col in ("map", "gz 1x", "gz 10x", "naive gz 10x", "render 1x", "render 10x", "complete 10x", "naive 10x", "ratio 10x",
                        "load avg"):
                t.add_column(col, justify="left" if col == "map" else "right")
            for map_id, m in ten["maps"].items():
                r1 = results.get("render", {}).get(map_id)
                r10 = m.get("render")
                t.add_row(map_id, fmt_bytes(results["maps"][map_id]["ours"]["gz"]) if map_id in results["maps"] else "-",
                          fmt_bytes(m["gz"]), fmt_bytes(m["naive_gz"]),
                          f"{r1['ours']['median_rendered_ms']:.0f}" if r1 else "-",
                          f"{r10['ours']['median_rendered_ms']:.0f}" if r10 else "-",
                          f"{r10['ours']['median_complete_ms']:.0f}" if r10 else "-",
                          f"{r10['naive']['median_rendered_ms']:.0f}" if r10 else "-",
                          fmt_ratio(r10["ratio"]) if r10 else "-", f"{r10['loadavg']:.1f}" if r10 else "-")
            console.print(t)
            if args.baseline:
                print_before_after(results)
            say(f"10x build: ours {ten['build_s']:.1f} s (load {ten['build_load']:.2f}; geography checked, verdicts on "
                f"the moved copies dropped), naive folium {ten['naive_build_s']:.2f} s (load {ten['naive_build_load']:.2f}).")

        # 6. summary
        summary = summarise(results)
        results["summary"] = summary
        t = Table(title="Summary against the targets (ratio = measured / target; ≤ 1 meets it)")
        for col in ("target", "measured", "target value", "ratio", "verdict", "gap, and what the time or bytes are"):
            t.add_column(col, justify="left" if col in ("target", "verdict", "gap, and what the time or bytes are") else "right")
        for s in summary:
            gap = "" if s["met"] else f"{s['ratio']:.2f}x the target" + (f"; {s['why']}" if s["why"] else "")
            t.add_row(s["target"], s["measured_text"], s["target_text"], fmt_ratio(s["ratio"]),
                      "met" if s["met"] else "[red]MISSED[/red]", gap)
        console.print(t)
        results["elapsed_s"] = time.perf_counter() - started
        results["loadavg_end"] = os.getloadavg()
        console.print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
                      f"(on {os.cpu_count()} cores; anything else running inflates every time above)")
        args.out.mkdir(parents=True, exist_ok=True)
        out_file = args.out / "results.json"
        out_file.write_text(json.dumps(results, indent=1, default=str, allow_nan=True) + "\n", encoding="utf-8")
        console.print(f"\nwrote {out_file}  (whole run {results['elapsed_s']:.0f} s)")
    finally:
        if args.keep:
            console.print(f"kept temporary folder {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def print_before_after(results: dict) -> None:
    """--baseline: page weight and time to a drawn map, baseline → this tree, each / naive of the same loads."""
    t = Table(title="Before (--baseline) → after (this tree): gzipped page, render ms / naive ms (same interleaved loads)")
    for col in ("map", "gz 1x", "gz 10x", "render 1x", "render 10x"):
        t.add_column(col, justify="left" if col == "map" else "right")

    def timing(r: dict | None) -> str:
        if not r or "baseline" not in r:
            return "-"
        n = r["naive"]["median_rendered_ms"]
        b, o = r["baseline"]["median_rendered_ms"], r["ours"]["median_rendered_ms"]
        return f"{b:.0f}/{n:.0f} = {b / n:.2f} → {o:.0f}/{n:.0f} = {o / n:.2f}"

    for map_id, m in results["maps"].items():
        ten = results.get("tenfold", {}).get("maps", {}).get(map_id, {})
        t.add_row(map_id, f"{fmt_bytes(m.get('baseline_gz', float('nan')))} → {fmt_bytes(m['ours']['gz'])}",
                  f"{fmt_bytes(ten.get('baseline_gz', float('nan')))} → {fmt_bytes(ten.get('gz', float('nan')))}",
                  timing(results.get("render", {}).get(map_id)), timing(ten.get("render")))
    console.print(t)


def summarise(results: dict) -> list[dict]:
    rows = []

    def add(target, measured, target_value, ratio, measured_text, target_text, why=""):
        met = ratio <= 1.0 if ratio == ratio else False
        rows.append({"target": target, "measured": measured, "target_value": target_value, "ratio": ratio,
                     "met": met, "measured_text": measured_text, "target_text": target_text, "why": "" if met else why})

    floor = (results.get("render_floor_ms") or {}).get("median_load_ms")

    def render_why(timing: dict) -> str:
        """Where our time to a drawn map goes (medians): up to atlas.js's init (parsing the page,
        the inlined scripts; `floor` of it is inline Leaflet and an empty map alone), the init
        itself (decoding the payload, every layer projected and drawn, labels placed), and the
        browser's drawing after it (style, layout, paint of what init added)."""
        o = timing["ours"]
        start, init, rendered = o.get("median_init_start_ms"), o.get("median_init_ms"), o["median_rendered_ms"]
        if start is None or init is None or start != start or init != init:
            return f"inline Leaflet + an empty map alone: {floor:.0f} ms" if floor else ""
        return (f"before atlas.js init {start:.0f} ms" + (f" (inline Leaflet + an empty map alone: {floor:.0f})" if floor else "")
                + f", init {init:.0f} ms, drawing after it {max(rendered - start - init, 0):.0f} ms;"
                f" naive's first path {timing['naive']['median_ready_ms']:.0f} ms")

    def weight_why(breakdown: dict) -> str:
        parts = sorted(((v["gz"] or 0, k) for k, v in breakdown.items()), reverse=True)[:3]
        return "largest: " + ", ".join(f"{k} {fmt_bytes(g)}" for g, k in parts)

    for map_id, m in results["maps"].items():
        g = m["ours"]["gz"]
        add(f"{map_id}: self-contained page gzipped", g, TARGET_GZ_BYTES, g / TARGET_GZ_BYTES,
            fmt_bytes(g), "≤ 150.0 KB", weight_why(m["ours"]["breakdown"]))
    for map_id, m in results["maps"].items():
        r = m["ratio"]["geometry_bytes"]
        add(f"{map_id}: geometry bytes / naive geometry bytes", r, TARGET_GEOMETRY_RATIO, r / TARGET_GEOMETRY_RATIO,
            f"{r:.3f}", "≤ 0.10")
        r2 = m["ratio"]["geometry_vs_naive_geojson"]
        add(f"{map_id}: geometry bytes / naive embedded GeoJSON text", r2, TARGET_GEOMETRY_RATIO,
            r2 / TARGET_GEOMETRY_RATIO, f"{r2:.3f}", "≤ 0.10")
    b = results["build"]
    for key, naive_key, what in (("cold_ratio", "naive", "embedded basemap"), ("cold_ratio_tiles", "naive_tiles", "online tiles")):
        add(f"cold build / naive build, {what} (whole site, in-process)", b[key], TARGET_BUILD_RATIO, b[key] / TARGET_BUILD_RATIO,
            f"{b['ours']['cold_median_s']:.2f} s / {b[naive_key]['cold_median_s']:.2f} s = {b[key]:.2f}", f"≤ {TARGET_BUILD_RATIO:g}",
            "work naive folium does not do (clipping and simplifying the basemap, placing labels and callouts, "
            "validating the inputs, comparison pages), stage by stage: bench/whole_process.py's summary")
    add("no-change rebuild / cold build", b["warm_to_cold_ratio"], TARGET_WARM_RATIO,
        b["warm_to_cold_ratio"] / TARGET_WARM_RATIO,
        f"{b['ours']['warm_median_s'] * 1000:.1f} ms / {b['ours']['cold_median_s'] * 1000:.0f} ms = {b['warm_to_cold_ratio']:.4f}",
        f"≤ {TARGET_WARM_RATIO:g}")
    for map_id, r in results.get("render", {}).items():
        o, n = r["ours"]["median_rendered_ms"], r["naive"]["median_rendered_ms"]
        add(f"{map_id}: render ours / naive", o / n, TARGET_RENDER_RATIO, o / n / TARGET_RENDER_RATIO,
            f"{o:.0f} / {n:.0f} ms = {o / n:.2f}", f"≤ {TARGET_RENDER_RATIO:g}", render_why(r))
        add(f"{map_id}: render median", o, TARGET_RENDER_MS, o / TARGET_RENDER_MS, f"{o:.0f} ms", "≤ 300 ms",
            "; ".join(x for x in (render_why(r), f"load average {r['loadavg']:.1f} during these loads (the target is for a "
                                                       "quiet machine)" if "loadavg" in r else "") if x))
    ten = results.get("tenfold")
    for map_id, m in (ten or {}).get("maps", {}).items():
        add(f"{map_id}: page gzipped, 10x features", m["gz"], TARGET_GZ_BYTES, m["gz"] / TARGET_GZ_BYTES,
            fmt_bytes(m["gz"]), "≤ 150.0 KB", weight_why(m["breakdown"]))
        if "render" in m:
            o, n = m["render"]["ours"]["median_rendered_ms"], m["render"]["naive"]["median_rendered_ms"]
            add(f"{map_id}: render ours / naive, 10x features", o / n, TARGET_RENDER_RATIO, o / n / TARGET_RENDER_RATIO,
                f"{o:.0f} / {n:.0f} ms = {o / n:.2f}", f"≤ {TARGET_RENDER_RATIO:g}", render_why(m["render"]))
            add(f"{map_id}: render median, 10x features", o, TARGET_RENDER_MS, o / TARGET_RENDER_MS, f"{o:.0f} ms", "≤ 300 ms",
                "; ".join(x for x in (render_why(m["render"]), f"load average {m['render']['loadavg']:.1f} during these loads "
                                                                "(the target is for a quiet machine)") if x))
    for r in results.get("scale", [])[1:]:
        if r["time_exponent"] is not None:
            add(f"scale {r['factor']:g}x: build time growth vs input growth", r["time_growth"] / r["vertex_growth"], 1.0,
                r["time_growth"] / r["vertex_growth"],
                f"{r['time_growth']:.2f}x time for {r['vertex_growth']:.1f}x vertices (exp. {r['time_exponent']:.2f})",
                "≤ linear")
            # sublinear: strictly below linear growth; report the exponent against 1
            add(f"scale {r['factor']:g}x: output size growth (exponent)", r["size_exponent"], 1.0,
                r["size_exponent"] if r["size_exponent"] is not None else float("nan"),
                f"{r['size_growth']:.3f}x size (exp. {r['size_exponent']:.3f})", "exp. < 1")
    return rows


if __name__ == "__main__":
    sys.exit(main())
