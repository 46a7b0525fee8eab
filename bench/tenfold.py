"""A project root with ten times today's curated features, for the "10x features" run.

Every curated feature (line, place, area) is kept and copied COPIES more times. Copy k
(1..9) of every feature gets the id ``<id>-xk`` and moves by one shift vector of SHIFT_DEG
degrees at angle 2*pi*k/9, the same for all features of that copy, so a copied route still
runs through its copied waypoints (``waypoints`` renamed to the copies). Copies are written
after the originals, copy by copy, so a copy's text is a whole layer away from its twin
(gzip's 32 KB window sees little of it; what a page with ten times the real, different
features would weigh, give or take). Maps, base files and comparisons are copied as they
are: the maps show the copies through the same layers and filters.

A shifted copy crosses borders a few hundred metres off its source, so the geographic
verdicts (countries crossed, land/sea, place-in-country) are run, their time counted, and
their verdicts on copies dropped: ``relaxed_geography()``.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
from pathlib import Path

COPIES = 9
SHIFT_DEG = 0.02  # ~2 km: inside every map's view, a separate line at every map's max zoom


def shift_of(copy: int) -> tuple[float, float]:
    angle = 2 * math.pi * copy / COPIES
    return round(SHIFT_DEG * math.cos(angle), 6), round(SHIFT_DEG * math.sin(angle), 6)


def _shift_coords(coords, dx: float, dy: float):
    if coords and isinstance(coords[0], (int, float)):
        return [round(coords[0] + dx, 6), round(coords[1] + dy, 6), *coords[2:]]
    return [_shift_coords(c, dx, dy) for c in coords]


def copy_feature(feature: dict, copy: int) -> dict:
    """Copy ``copy`` of a curated feature: new id, moved geometry, waypoints renamed."""
    dx, dy = shift_of(copy)
    props = dict(feature["properties"])
    props["id"] = f"{props['id']}-x{copy}"
    if props.get("waypoints"):
        props["waypoints"] = [f"{w}-x{copy}" for w in props["waypoints"]]
    if props.get("outline_by_basemap"):  # the outline a basemap draws moves with the copy too
        props["outline_by_basemap"] = {name: {**outline, "coordinates": _shift_coords(outline["coordinates"], dx, dy)}
                                       for name, outline in props["outline_by_basemap"].items()}
    geometry = feature.get("geometry")
    if geometry:
        geometry = {**geometry, "coordinates": _shift_coords(geometry["coordinates"], dx, dy)}
    return {**feature, "properties": props, "geometry": geometry}


def make_tenfold_root(root: Path, dest: Path) -> dict:
    """dest: maps, data/base and data/comparisons copied, data/layers with (1 + COPIES) x the features."""
    (dest / "data").mkdir(parents=True)
    shutil.copytree(root / "maps", dest / "maps")  # copies: the build refuses links out of the project
    shutil.copytree(root / "data" / "base", dest / "data" / "base")
    if (root / "data" / "comparisons").is_dir():
        shutil.copytree(root / "data" / "comparisons", dest / "data" / "comparisons")
    (dest / "data" / "layers").mkdir()
    before = after = 0
    for path in sorted((root / "data" / "layers").glob("*.geojson")):
        data = json.loads(path.read_text(encoding="utf-8"))
        originals = data.get("features", [])
        features = list(originals) + [copy_feature(f, k) for k in range(1, COPIES + 1) for f in originals]
        before += len(originals)
        after += len(features)
        text = json.dumps({**data, "features": features}, ensure_ascii=False, separators=(",", ":"))
        (dest / "data" / "layers" / path.name).write_text(text, encoding="utf-8")
    return {"features_before": before, "features_after": after}


@contextlib.contextmanager
def relaxed_geography():
    """Run the geographic checks (their cost stays in the build time) but keep no verdict:
    a copy moved by 2 km meets borders and coasts where its source does not."""
    from corridor_atlas import geocheck, layers
    from corridor_atlas.errors import Problems

    check_lines, check_places = geocheck.check_geography_cached, layers.check_places_against_base

    def lines(*args, **kwargs):
        check_lines(*args, **kwargs)
        return Problems()

    def places(layer_map, countries, problems):
        check_places(layer_map, countries, Problems())

    geocheck.check_geography_cached, layers.check_places_against_base = lines, places
    try:
        yield
    finally:
        geocheck.check_geography_cached, layers.check_places_against_base = check_lines, check_places
