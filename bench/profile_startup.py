"""Where a map page's start-up time goes: Chromium's CPU profiler and trace, over CDP.

    CORRIDOR_ATLAS_READABLE_JS=1 python build.py --out /tmp/readable   # atlas.js with its own names
    python bench/profile_startup.py /tmp/readable/overview.html [more pages] [--loads 3]

Each page is opened --loads times (plus one unrecorded warm-up) in headless Debian Chromium at
1280x800, with the sampling profiler (0.1 ms) running from before navigation until the first
frame after `html[data-atlas-ready=true]`. Printed per page, medians: `loadEventEnd`, Leaflet's
script evaluation (trace), and the time spent inside each start-up stage of atlas.js (the
profile's inclusive time of the functions that do it; stages nest: `init` holds the others).
The profiler slows JavaScript down, so the stages read as shares, not as unprofiled
milliseconds; `bench/run.py` gives those. Used for the start-up table of docs/benchmark.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# (stage, functions whose inclusive time it is) — atlas.js and Leaflet 1.9 names
STAGES = [
    ("atlas.js init, all of it", ["init"]),
    ("payload: decode lines, areas, basemap arcs", ["expandLayers", "decodeCountries"]),
    ("GeoJSON → Leaflet layers (markers, paths, tooltips bound)", ["addData"]),
    ("first view: every layer projected, clipped, drawn (setView)", ["setView"]),
    ("labels: one measuring layout (flushTooltips)", ["flushTooltips"]),
    ("labels: declutter, incl. the layout above", ["declutter"]),
    ("layer control and compact layout", ["responsiveLayout"]),
    ("legend pan: a second pass over every path (before this change)", ["clearOfTheLegend"]),
    ("numbers: Intl's first call (before this change)", ["localNumber"]),
    ("garbage collection", ["(garbage collector)"]),
]


def inclusive_ms(profile: dict) -> collections.Counter:
    """ms of samples with each function name anywhere on the stack (once per sample)."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {child: n["id"] for n in profile["nodes"] for child in n.get("children", [])}
    totals: collections.Counter = collections.Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"][1:] + [0]):
        seen, node = set(), sample
        while node is not None:
            name = nodes[node]["callFrame"]["functionName"]
            if name not in seen:
                totals[name] += delta / 1000.0
                seen.add(name)
            node = parent.get(node)
    return totals


def first_script_ms(trace: dict) -> float:
    """The first EvaluateScript of the page's main thread (the inlined Leaflet), ms."""
    scripts = sorted((e["ts"], e["dur"]) for e in trace["traceEvents"] if e.get("name") == "EvaluateScript" and "dur" in e)
    return scripts[0][1] / 1000.0 if scripts else float("nan")


def profile_page(browser, path: Path) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 100})
    cdp.send("Profiler.start")
    browser.start_tracing(page=page, categories=["devtools.timeline", "v8"])
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.wait_for_selector("html[data-atlas-ready=true]", state="attached")
        page.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
        load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        profile = cdp.send("Profiler.stop")["profile"]
        trace = json.loads(browser.stop_tracing())
    finally:
        context.close()
    totals = inclusive_ms(profile)
    row = {"loadEventEnd": load, "Leaflet script evaluation (trace)": first_script_ms(trace)}
    row.update({stage: sum(totals.get(f, 0.0) for f in names) for stage, names in STAGES})
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pages", nargs="+", type=Path)
    ap.add_argument("--loads", type=int, default=3)
    args = ap.parse_args()
    renamed = [p for p in args.pages if "function expandLayers(" not in p.read_text(encoding="utf-8")]
    if renamed:  # assets.renamed_script: the stages' functions have one-letter names there
        ap.error(f"{', '.join(map(str, renamed))}: atlas.js is renamed in this build; "
                 "build with CORRIDOR_ATLAS_READABLE_JS=1 to profile it (see the top of this file)")
    from playwright.sync_api import sync_playwright

    rows: dict = {p: collections.defaultdict(list) for p in args.pages}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"])
        try:
            for load in range(args.loads + 1):  # interleaved; the first round warms Chromium up
                for path in args.pages:
                    row = profile_page(browser, path)
                    if load:
                        for k, v in row.items():
                            rows[path][k].append(v)
        finally:
            browser.close()
    print(f"medians of {args.loads} profiled loads, ms (1-minute load average now {os.getloadavg()[0]:.1f})")
    for path, row in rows.items():
        print(f"\n{path}")
        for k, v in row.items():
            print(f"  {statistics.median(v):8.1f}  {k}")


if __name__ == "__main__":
    main()
