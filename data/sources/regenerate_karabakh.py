"""Regenerate data/layers/karabakh-control.geojson: who held which Karabakh district when.

Reads only data/base/admin1.geojson, countries.geojson, countries-detail.geojson and
data/sources/karabakh.toml (events with their sources, areas as admin-1 units). No open dataset
of control lines exists, so each area is a union of whole Natural Earth districts, shared out
to each basemap's Azerbaijan exactly as data/base/areas.geojson is (regenerate_base.refit_units:
cut to the country, slivers to the nearest unit) so its outer edge is the border drawn under it.
Where a line crossed a district the district is drawn whole and marked `partly_held`.

Deterministic: sorted keys, 5-decimal coordinates, areas in file order, no timestamps.

    python data/sources/regenerate_karabakh.py [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

from shapely.geometry import shape
from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from regenerate_base import ROOT, as_written, feature, finish, refit_units  # noqa: E402

from corridor_atlas.measure import geodesic_area_km2  # noqa: E402
from corridor_atlas.timeline import status_at  # noqa: E402

BASE = ROOT / "data" / "base"
SOURCES = HERE / "karabakh.toml"
OUT = ROOT / "data" / "layers" / "karabakh-control.geojson"
#: the basemap an area's own geometry is drawn over and measured on; the others ride along
PRIMARY = "countries-detail"
BASEMAPS = ("countries", "countries-detail")
NATURAL_EARTH = {"title": "Natural Earth 1:10m admin-1 districts (data/base/admin1.geojson), refitted to each basemap's "
                          "Azerbaijan as in data/base/areas.geojson", "url": "https://www.naturalearthdata.com/"}


def load(name: str) -> dict:
    return json.loads((BASE / f"{name}.geojson").read_text(encoding="utf-8"))


def azerbaijan_units() -> dict[str, object]:
    """Azerbaijan's admin-1 units by ISO code; a code Natural Earth reuses gets a #n suffix."""
    units: dict[str, object] = {}
    for f in load("admin1")["features"]:
        p = f["properties"]
        if p["iso_a3"] == "AZE":
            code, n = p["iso_3166_2"], 1
            while code in units:
                n += 1
                code = f"{p['iso_3166_2']}#{n}"
            units[code] = shape(f["geometry"])
    return units


def fitted_outlines(units: dict[str, object]) -> dict[str, dict[str, object]]:
    """basemap → unit code → that unit refitted to the basemap's Azerbaijan."""
    out = {}
    for basemap in BASEMAPS:
        aze = next(f for f in load(basemap)["features"] if f["properties"]["iso_a3"] == "AZE")
        out[basemap] = refit_units(as_written(shape(aze["geometry"])), units)
    return out


def _sources(pairs) -> list[dict[str, str]]:
    return [{"title": title, "url": url} for title, url in pairs]


def area_feature(area: dict, events: dict, fitted: dict[str, dict[str, object]]) -> dict:
    outlines = {b: as_written(finish(unary_union([fitted[b][u] for u in area["units"]]))) for b in BASEMAPS}
    km2 = round(geodesic_area_km2(outlines[PRIMARY]), 1)
    begin, end = events[area["held_from"]], events[area["control_ended"]]
    dates = {"held_from": begin["date"], "control_ended": end["date"]}
    seen, sources = set(), []
    for s in _sources(begin["sources"]) + _sources(end["sources"]) + _sources(area["sources"]) + [NATURAL_EARTH]:
        if s["url"] not in seen:  # one event's page may also carry the other's date
            seen.add(s["url"])
            sources.append(s)
    method = (f"Natural Earth admin-1 unit{'s' if len(area['units']) > 1 else ''} {', '.join(area['units'])}, refitted to "
              f"Azerbaijan in data/base/{PRIMARY}.geojson (cut to the border, slivers to the nearest unit); drawn area "
              f"{km2:,.0f} km² (geodesic, WGS84)")
    documented = area.get("documented_area_km2")
    method += f", against the documented {documented:,} km² of the whole district." if documented else "."
    props = {
        "id": area["id"],
        "name": area["name"],
        "kind": "area",
        # the status at the data's date: every area's control ended before it
        "status": status_at(dates, "control_ended", max(dates.values())),
        "geometry_accuracy": "approximate",
        "control_accuracy": area["control_accuracy"],
        "area_km2": km2,
        "dates": dates,
        "method": method,
        "note": f"Held from: {begin['text']}. Until: {end['text']}. {area['note']}",
        "sources": sources,
        "outline_by_basemap": {b: feature(outlines[b], {})["geometry"] for b in BASEMAPS if b != PRIMARY},
    }
    if documented:
        props["reported"] = [{"quantity": "area", "value": documented, "unit": "km2", "source": area["documented_area_source"],
                              "note": "the whole district"}]
    return feature(outlines[PRIMARY], props)


def build() -> dict:
    data = tomllib.loads(SOURCES.read_text(encoding="utf-8"))
    fitted = fitted_outlines(azerbaijan_units())
    layer = data["layer"]
    return {"type": "FeatureCollection", "name": layer["name"], "title": layer["title"], "description": layer["description"],
            "features": [area_feature(a, data["event"], fitted) for a in data["area"]]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    fc = build()
    args.out.write_text(json.dumps(fc, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for f in fc["features"]:
        p = f["properties"]
        doc = next((r["value"] for r in p.get("reported", []) if r["quantity"] == "area"), None)
        ratio = f" (documented {doc:,}, ratio {p['area_km2'] / doc:.2f})" if doc else ""
        print(f"{p['id']}: {p['control_accuracy']}, {p['area_km2']:,.1f} km²{ratio}, {p['dates']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
