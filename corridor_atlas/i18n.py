"""The maps in the reader's language (issue 12): UI strings, names, direction.

UI strings live in `locales/<lang>.toml`, one table per key: `text` and `source` (CLDR, or
"corridor-atlas translation, unreviewed" so a native reviewer can find them). `en.toml` is
the master list. Words CLDR has (language names, units, date formats) come from babel at
build time. Anything without a translation falls back to the English, marked `lang="en"`
(class `atlas-untranslated`), never to a guess. Place and country names come from
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

LANGUAGES = ("en", "az", "hy", "ru", "tr", "fa", "ar", "he")
RTL = frozenset({"fa", "ar", "he"})
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
UNREVIEWED = "corridor-atlas translation, unreviewed"
FALLBACK_CLASS = "atlas-untranslated"


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
        return {k: v["text"] for k, v in sorted(catalogue(self.lang).items()) if k in catalogue("en")}


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


def localised_date(value: str, lang: str) -> str:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) in CLDR's format for the language."""
    from babel.dates import format_date, format_skeleton

    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return format_date(datetime.date.fromisoformat(value), "long", locale=lang)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return format_skeleton("yMMMM", datetime.date.fromisoformat(value + "-01"), locale=lang)
    except ValueError:
        pass
    return value


def unit_patterns(lang: str) -> dict[str, str]:
    """Leaflet's scale bar units as CLDR writes them ("{0} km" → "{0} کیلومتر")."""
    from babel.units import format_unit

    return {unit: format_unit(7, f"length-{name}", "short", locale=lang).replace("7", "{0}")
            for unit, name in (("km", "kilometer"), ("m", "meter"))}


def localise_payload(data: dict, lang: str, names: dict, country_iso: dict[str, str], spec) -> dict:
    """The page payload in `lang`: names from names.json (else English, `nameLang: "en"`),
    dates in CLDR format, callouts from the definition's `[text.<lang>]`, and the UI strings."""
    tr = Translator(lang)
    data = json.loads(json.dumps(data))  # a copy: the English payload is shared
    data["lang"], data["dir"] = lang, page_dir(lang)
    data["strings"] = tr.strings()
    data["units"] = unit_patterns(lang)
    features = names.get("features", {})
    for layer in data["layers"]:
        for feature in layer["geojson"]["features"]:
            p = feature["properties"]
            entry = features.get(p.get("id"), {})
            named = entry.get("names", {}).get(lang)
            if lang != "en":
                if named:
                    p["name"] = named["name"]
                else:
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
    return data


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


def coverage(langs=LANGUAGES, root: Path | None = None) -> list[dict]:
    """Per language: UI strings translated (by source kind) and missing; names from names.json."""
    keys = set(catalogue("en"))
    names = load_names(root) if root else {"features": {}, "countries": {}}
    rows = []
    for lang in langs:
        entries = {k: v for k, v in catalogue(lang).items() if k in keys}
        cldr = sum(1 for v in entries.values() if str(v.get("source", "")).startswith("cldr"))
        own = sum(1 for v in entries.values() if v.get("source") == UNREVIEWED)
        places = sum(1 for e in names.get("features", {}).values() if lang in e.get("names", {}))
        countries = sum(1 for e in names.get("countries", {}).values() if lang in e.get("names", {}))
        rows.append({"lang": lang, "strings": len(keys), "cldr": cldr,
                     "unreviewed": 0 if lang == "en" else own, "missing": 0 if lang == "en" else len(keys) - len(entries),
                     "places": places, "places_of": len(names.get("features", {})),
                     "countries": countries, "countries_of": len(names.get("countries", {}))})
    return rows


def coverage_lines(root: Path) -> list[str]:
    lines = ["translation coverage (UI strings in locales/<lang>.toml: CLDR / own unreviewed / missing → English marked lang=en;"
             " from CLDR at build time: language names, km/m, dates; names from data/names/names.json):"]
    for r in coverage(root=root):
        lines.append(f"  {r['lang']}: UI {r['strings'] - r['missing']}/{r['strings']} (cldr {r['cldr'] if r['lang'] != 'en' else '-'}, "
                     f"unreviewed {r['unreviewed']}, missing {r['missing']}); places {r['places']}/{r['places_of']}, "
                     f"countries {r['countries']}/{r['countries_of']}")
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
