"""The maps in the reader's language (issue 12): UI strings, names, direction.

UI strings live in `locales/<lang>.toml`, one table per key: `text` and `source` (CLDR, a
library's own words (LIBRARY_SOURCES), or "corridor-atlas translation, unreviewed" so a native
reviewer can find them). `en.toml` is the master list. Words CLDR has (language names, units,
date formats) come from babel at build time. Anything without a translation falls back to the
English, marked `lang="en"` (class `atlas-untranslated`), never to a guess. Place and country names come from
`data/names/names.json` (policy: docs/names.md).
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from .credits import credit_line

LANGUAGES = ("en", "az", "hy", "ru", "tr", "fa", "ar", "he")
RTL = frozenset({"fa", "ar", "he"})
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
UNREVIEWED = "corridor-atlas translation, unreviewed"
# Strings taken word for word from a library we ship, which says the same thing in its own UI
# (tests/test_i18n.py checks each against the library's text)
LIBRARY_SOURCES = ("leaflet-gesture-handling",)
FALLBACK_CLASS = "atlas-untranslated"
SERVER_ONLY = ("desc_",)  # catalogue keys only the build uses (describe.py): not sent to the page


def page_dir(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def page_filename(map_id: str, lang: str) -> str:
    """`<map>.html` stays English; other languages are `<map>.<lang>.html`."""
    return f"{map_id}.html" if lang == "en" else f"{map_id}.{lang}.html"


def page_key(map_id: str, lang: str) -> str:
    """The manifest key of a page (a map id never contains a dot: spec.MAP_ID)."""
    return map_id if lang == "en" else f"{map_id}.{lang}"


def parse_langs(value: str) -> list[str]:
    """`--lang fa`, `--lang fa,ru`, `--lang all`; raises ValueError naming the unknown code."""
    if value.strip() == "all":
        return list(LANGUAGES)
    langs = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in langs if v not in LANGUAGES]
    if unknown or not langs:
        raise ValueError(f"unknown language {', '.join(unknown) or value!r}; known: {', '.join(LANGUAGES)} or all")
    return langs


def map_languages(spec_langs, cli_langs) -> list[str]:
    """English first (the `<map>.html` page), then the others in the catalogue's order."""
    wanted = {"en", *(spec_langs or ()), *(cli_langs or ())}
    return [lang for lang in LANGUAGES if lang in wanted]


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, dict]:
    """{key: {"text", "source"}} for one language (the English master for 'en')."""
    path = LOCALES_DIR / f"{lang}.toml"
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if lang == "en":
        return {k: {"text": v, "source": "corridor-atlas"} for k, v in data.items()}
    return {k: v for k, v in data.items() if isinstance(v, dict) and v.get("text")}


def language_name(lang: str) -> str:
    """The language's own name for itself, from CLDR (babel)."""
    from babel import Locale

    name = Locale.parse(lang).get_display_name(lang)
    return name[:1].upper() + name[1:] if lang not in RTL else name


@dataclass
class Translator:
    """One page's strings: `text(key)` → (text, translated?), `html(key)` → marked Markup."""

    lang: str
    used_fallbacks: set = field(default_factory=set)

    def text(self, key: str) -> tuple[str, bool]:
        english = catalogue("en")[key]["text"]
        if self.lang == "en":
            return english, True
        entry = catalogue(self.lang).get(key)
        if entry:
            return entry["text"], True
        self.used_fallbacks.add(key)
        return english, False

    def html(self, key: str) -> Markup:
        text, ok = self.text(key)
        return escape(text) if ok else fallback_html(text)

    def english_html(self, english: str) -> Markup:
        """A string known only by its English (the legend's rows): translated if the catalogue has it."""
        match = re.fullmatch(r"(.*?)( \(\d+\))?", english)
        key = english_keys().get(match.group(1))
        if key is None:
            return escape(english) if self.lang == "en" else fallback_html(english)
        return self.html(key) + (match.group(2) or "")

    def strings(self) -> dict[str, str]:
        """The page script's strings in this language (only those translated): atlas.js
        marks any other as English."""
        if self.lang == "en":
            return {}
        return {k: v["text"] for k, v in sorted(catalogue(self.lang).items())
                if k in catalogue("en") and not k.startswith(SERVER_ONLY)}


def fallback_html(english: str) -> Markup:
    return Markup(f'<span lang="en" dir="ltr" class="{FALLBACK_CLASS}">{escape(english)}</span>')


@lru_cache(maxsize=None)
def english_keys() -> dict[str, str]:
    return {v["text"]: k for k, v in catalogue("en").items()}


@lru_cache(maxsize=4)
def _names(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def names_file(root: Path) -> Path:
    return Path(root) / "data" / "names" / "names.json"


def load_names(root: Path) -> dict:
    path = names_file(root)
    return _names(str(path)) if path.is_file() else {"countries": {}, "features": {}}


@lru_cache(maxsize=None)
def numbering(lang: str) -> str:
    """CLDR's default numbering system for the language: "arabext" (Persian digits) for fa;
    "latn" for the others, ar included (CLDR 49 gives plain "ar" Latin digits)."""
    from babel import Locale

    return Locale.parse(lang).default_numbering_system


def local_digits(text: str, lang: str) -> str:
    """ASCII digits as the language writes them by CLDR's default numbering system. babel knows
    the system's name but not its digits: those are Unicode's (unicodedata, by character name)."""
    prefix = DIGIT_NAMES.get(numbering(lang))
    if prefix is None:
        return text
    import unicodedata

    return re.sub(r"[0-9]", lambda m: unicodedata.lookup(f"{prefix} {DIGIT_WORDS[int(m.group(0))]}"), text)


DIGIT_NAMES = {"arabext": "EXTENDED ARABIC-INDIC DIGIT", "arab": "ARABIC-INDIC DIGIT"}  # CLDR system → Unicode names
DIGIT_WORDS = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")


def localised_date(value: str, lang: str) -> str:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) in CLDR's format and digits for the language."""
    from babel.dates import format_date, format_skeleton

    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return local_digits(format_date(datetime.date.fromisoformat(value), "long", locale=lang), lang)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return local_digits(format_skeleton("yMMMM", datetime.date.fromisoformat(value + "-01"), locale=lang), lang)
    except ValueError:
        pass
    return local_digits(value, lang)


def as_of(date: str, lang: str) -> str:
    """The time control's "As of 22 August 2025" in the language (key time_as_of)."""
    from .timeline import date_text

    text = date_text(date) if lang == "en" else localised_date(date, lang)
    return Translator(lang).text("time_as_of")[0].replace("{date}", text)


def unit_patterns(lang: str) -> dict[str, str]:
    """Leaflet's scale bar units as CLDR writes them ("{0} km" → "{0} کیلومتر")."""
    from babel.units import format_unit

    return {unit: format_unit(7, f"length-{name}", "short", locale=lang).replace("7", "{0}")
            for unit, name in (("km", "kilometer"), ("m", "meter"))}


def localise_payload(data: dict, lang: str, names: dict, country_iso: dict[str, str], spec, prepared=None) -> dict:
    """The page payload in `lang`: names from names.json (else English, `nameLang: "en"`),
    dates in CLDR format, callouts from the definition's `[text.<lang>]`, and the UI strings.
    A right-to-left page's callouts and route labels are placed again for its layout
    (`rtl_placement`), given the `prepared` map."""
    tr = Translator(lang)
    data = json.loads(json.dumps(data))  # a copy: the English payload is shared
    data["lang"], data["dir"] = lang, page_dir(lang)
    data["strings"] = tr.strings()
    data["units"] = unit_patterns(lang)
    # our own credit lines in the language; a licensor's own wording (the base files') stays English, marked
    credits = [tr.text(english_keys()[a]) if a in english_keys() else (a, False) for a in data.get("attribution", [])]
    data["attribution"] = [text for text, _ in credits]
    data["attributionLang"] = [lang if ok else "en" for _, ok in credits]
    if "creditLine" in data:  # the same credits, cut from their words in this language
        data["creditLine"] = credit_line(data["attribution"])
    if data.get("locator"):
        data["locator"]["label"] = tr.text("locator")[0]
    data["numbering"] = numbering(lang)  # atlas.js formats numbers with it (Intl "-u-nu-"), as the dates here
    if data.get("time") and lang != "en":  # the time control's dates as CLDR writes them (timeline.js falls back to Intl)
        dates = sorted({*data["time"]["steps"], data["time"]["default"]})
        data["time"]["dateText"] = {d: localised_date(d, lang) for d in dates}
    features = names.get("features", {})
    for layer in data["layers"]:
        for feature in layer["geojson"]["features"]:
            p = feature["properties"]
            entry = features.get(p.get("id"), {})
            named = entry.get("names", {}).get(lang)
            english = entry.get("names", {}).get("en")  # a contested place's English label: both names (docs/names.md)
            if named:
                p["name"] = named["name"]
            elif english:
                p["name"] = english["name"]
            if lang != "en" and not named:
                p["nameLang"] = "en"
            contested = entry.get("contested")
            if contested:
                p["contested"] = [{"usedBy": side["used_by"], "name": (side["names"].get(lang) or side["names"]["en"])["name"],
                                   "nameLang": lang if lang in side["names"] else "en"} for side in contested["sides"]]
            if isinstance(p.get("dates"), dict) and lang != "en":  # the ISO dates stay for timeline.js
                p["dateText"] = {k: localised_date(v, lang) for k, v in p["dates"].items() if isinstance(v, str)}
    if lang == "en":
        return data
    countries = names.get("countries", {})
    for label in data.get("countryLabels", []):
        named = countries.get(country_iso.get(label["name"], ""), {}).get("names", {}).get(lang)
        if named:
            label["name"] = named["name"]
        else:
            label["nameLang"] = "en"
    callouts = spec_text(spec, lang).get("callouts", {})
    for callout in data.get("callouts", []):
        if callout.get("at") in callouts:
            callout["text"] = callouts[callout["at"]]
        else:
            callout["textLang"] = "en"
    for label in data.get("routeLabels", []):
        named = features.get(label.get("id"), {}).get("names", {}).get(lang)
        if named:
            label["text"] = named["name"]
        else:
            label["textLang"] = "en"
    for label in data.get("seaLabels", []):
        label["nameLang"] = "en"
    data["title"] = spec_text(spec, lang).get("title") or data["title"]
    if lang in RTL and prepared is not None and getattr(prepared, "placement_inputs", None):
        rtl_placement(data, prepared, lang, names, country_iso)
    return data


def rtl_placement(data: dict, prepared, lang: str, names: dict, country_iso: dict[str, str]) -> None:
    """Place a right-to-left page's callouts and route labels as that page lays out: its
    furniture mirrored, the legend's shift the other way (placement.place_map rtl=True), with
    its own texts and names. The payload takes those places; the warnings join the map's
    advice, naming the page's language."""
    from .advice import Advice
    from .cache import placed_map

    (map_id, view, callouts, features, shown, max_bounds, view_bounds, geoms, base_dir, extent_box,
     country_labels, time_bar) = prepared.placement_inputs
    own = spec_text(prepared.spec, lang).get("callouts", {})
    local_callouts = [c.model_copy(update={"text": own.get(c.at, c.text)}) for c in callouts]
    named = names.get("features", {})

    def local_name(p: dict) -> str:
        entry = named.get(p.get("id"), {}).get("names", {}).get(lang)
        return entry["name"] if entry else p["name"]

    local_features = [dict(f, properties=dict(f["properties"], name=local_name(f["properties"]))) for f in features]
    countries = names.get("countries", {})
    local_countries = [dict(c, name=countries.get(country_iso.get(c["name"], ""), {}).get("names", {}).get(lang, {}).get("name", c["name"]))
                       for c in country_labels]
    placed = placed_map(map_id, view, local_callouts, local_features, shown, max_bounds, view_bounds, geoms, base_dir,
                        extent_box, local_countries, time_bar, rtl=True)  # kept in the build cache, as the LTR placement
    for callout, where in zip(data.get("callouts", []), placed.callouts):
        callout.update({k: where[k] for k in ("lat", "lon", "direction", "layouts")})
    spots = {r["id"]: r["layouts"] for r in placed.route_labels}
    data["routeLabels"] = [dict(r, layouts=spots[r["id"]]) for r in data.get("routeLabels", []) if r["id"] in spots]
    prepared.advice.extend(Advice(a.map_id, f"{a.subject} on the {lang} page (right to left)", a.message) for a in placed.advice)


def spec_text(spec, lang: str) -> dict:
    """The definition's `[text.<lang>]` table as a dict (empty when there is none)."""
    text = getattr(spec, "text", {}) or {}
    entry = text.get(lang)
    return entry.model_dump() if entry is not None else {}


def page_text(spec, lang: str, field_name: str) -> Markup:
    """A definition's title/subtitle/credit/source_line in `lang`, or the English marked."""
    english = getattr(spec, field_name) or ""
    if lang == "en" or not english:
        return escape(english)
    local = spec_text(spec, lang).get(field_name)
    return escape(local) if local else fallback_html(english)


MAP_TEXT_FIELDS = ("title", "subtitle", "credit", "source_line")


def _map_texts(root: Path) -> list[dict]:
    """Every definition's English texts and its `[text.<lang>]` tables, read straight from the TOML."""
    out = []
    for path in sorted((Path(root) / "maps").glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        english = [f for f in MAP_TEXT_FIELDS if raw.get(f)] + [f"callouts.{c.get('at')}" for c in raw.get("callouts", []) if isinstance(c, dict)]
        english += [f"steps.{i}.{k}" for i, step in enumerate(raw.get("steps", [])) if isinstance(step, dict)
                    for k in ("title", "text") if step.get(k)]  # a story's steps (story.py)
        out.append({"english": english, "text": raw.get("text", {}) if isinstance(raw.get("text"), dict) else {}})
    return out


def _translated(field_name: str, table: dict, callouts: dict, steps: list) -> bool:
    if field_name.startswith("callouts."):
        return bool(callouts.get(field_name[9:]))
    if field_name.startswith("steps."):
        _, i, key = field_name.split(".")
        return int(i) < len(steps) and isinstance(steps[int(i)], dict) and bool(steps[int(i)].get(key))
    return bool(table.get(field_name))


def _feature_ids(root: Path) -> list[str]:
    """Every curated feature (routes, areas, places) of data/layers."""
    ids = []
    for path in sorted((Path(root) / "data" / "layers").glob("*.geojson")):
        try:
            ids += [f["properties"]["id"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return ids


def coverage(langs=LANGUAGES, root: Path | None = None) -> list[dict]:
    """Per language: UI strings translated (by source kind) and missing; the maps' own texts
    (`[text.<lang>]`: translated of all, and how many of those tables are unreviewed); place
    and area names (names.json's entries); every curated feature's name (routes have none in
    names.json yet); country names."""
    keys = set(catalogue("en"))
    names = load_names(root) if root else {"features": {}, "countries": {}}
    maps = _map_texts(root) if root else []
    feature_ids = _feature_ids(root) if root else []
    rows = []
    for lang in langs:
        entries = {k: v for k, v in catalogue(lang).items() if k in keys}
        cldr = sum(1 for v in entries.values() if str(v.get("source", "")).startswith("cldr"))
        own = sum(1 for v in entries.values() if v.get("source") == UNREVIEWED)
        library = sum(1 for v in entries.values() if str(v.get("source", "")).startswith(LIBRARY_SOURCES))
        named = {k for k, e in names.get("features", {}).items() if lang in e.get("names", {})}
        countries = sum(1 for e in names.get("countries", {}).values() if lang in e.get("names", {}))
        texts_of = sum(len(m["english"]) for m in maps)
        texts, unreviewed_maps = texts_of, 0
        if lang != "en":
            texts = 0
            for m in maps:
                table = m["text"].get(lang) if isinstance(m["text"].get(lang), dict) else {}
                callouts = table.get("callouts", {}) if isinstance(table.get("callouts"), dict) else {}
                steps = table.get("steps", []) if isinstance(table.get("steps"), list) else []
                texts += sum(1 for f in m["english"] if _translated(f, table, callouts, steps))
                unreviewed_maps += bool(table) and table.get("reviewed", True) is False
        rows.append({"lang": lang, "strings": len(keys), "cldr": cldr, "library": 0 if lang == "en" else library,
                     "unreviewed": 0 if lang == "en" else own, "missing": 0 if lang == "en" else len(keys) - len(entries),
                     "places": len(named), "places_of": len(names.get("features", {})),
                     "features": sum(1 for i in feature_ids if i in named or lang == "en"), "features_of": len(feature_ids),
                     "map_texts": texts, "map_texts_of": texts_of, "maps_unreviewed": unreviewed_maps, "maps": len(maps),
                     "countries": countries, "countries_of": len(names.get("countries", {}))})
    return rows


def coverage_lines(root: Path) -> list[str]:
    lines = ["translation coverage (UI strings in locales/<lang>.toml: CLDR / a library's own words / own unreviewed / missing → English marked lang=en;"
             " from CLDR at build time: language names, km/m, dates; map texts: [text.<lang>] in maps/*.toml;"
             " place and area names from data/names/names.json; features: every curated feature, routes included):"]
    for r in coverage(root=root):
        lines.append(f"  {r['lang']}: UI {r['strings'] - r['missing']}/{r['strings']} (cldr {r['cldr'] if r['lang'] != 'en' else '-'}, "
                     f"library {r['library'] if r['lang'] != 'en' else '-'}, unreviewed {r['unreviewed']}, missing {r['missing']}); places {r['places']}/{r['places_of']}, "
                     f"countries {r['countries']}/{r['countries_of']}; map texts {r['map_texts']}/{r['map_texts_of']} "
                     f"({r['maps_unreviewed']} of {r['maps']} maps' tables unreviewed); "
                     f"feature names {r['features']}/{r['features_of']}")
    return lines


# ---- build wiring (pipeline.py): which pages, their fingerprints; standard library only ----

def names_digest(root: Path) -> str:
    """names.json is read by every page (contested names in English too): part of each print."""
    import hashlib

    path = names_file(root)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"


def map_page_languages(paths, cli_langs) -> dict[str, list[str]]:
    """{map id: its pages' languages}: English, the definition's `lang` list, and --lang.
    Read straight from the TOML (before validation); a definition that does not parse gets
    the --lang languages and the validating build reports it."""
    out = {}
    for path in sorted(paths.maps.glob("*.toml")):
        try:
            own = tomllib.loads(path.read_text(encoding="utf-8")).get("lang", [])
        except (OSError, ValueError, RecursionError):
            own = []
        own = [v for v in own if isinstance(v, str) and v in LANGUAGES] if isinstance(own, list) else []
        out[path.stem] = map_languages(own, cli_langs)
    return out


def language_pages(map_id: str, page_langs: dict, keys: bool = True) -> list[tuple[str, str]]:
    """The map's non-English pages: (manifest key, file name), or (lang, file name) with keys=False."""
    return [(page_key(map_id, lang) if keys else lang, page_filename(map_id, lang))
            for lang in page_langs.get(map_id, ["en"]) if lang != "en"]


def language_prints(prints: dict[str, str], page_langs: dict) -> dict[str, str]:
    """A print per non-English page: its map's print (inputs, code, options) and its language."""
    import hashlib

    return {key: hashlib.sha256(f"{prints[map_id]}\0{key}".encode()).hexdigest()
            for map_id in prints if map_id in page_langs for key, _ in language_pages(map_id, page_langs)}


def country_codes(base: dict) -> dict[str, str]:
    """Natural Earth / OSM country name → ISO code, to find a country label's names."""
    codes = {}
    for layer in base.values():
        for feature in getattr(layer, "features", []):
            iso, name = getattr(feature.props, "iso_a3", None), getattr(feature.props, "name", None)
            if iso and name:
                codes.setdefault(name, iso)
    return codes
