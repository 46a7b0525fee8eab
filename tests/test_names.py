"""Names per language (data/names/names.json) and the names policy (docs/names.md).

The committed file is checked as it is: it covers every country of data/base and every
place and area of the layers in every language (a name with its source, or a gap with the
reason), holds no denylisted value, and shows contested places with both names. The
generator's rules run on small synthetic inputs; its second step (packages + the committed
extract) is run twice to prove it is byte-identical and that the committed file is current.
Nothing here reads ../shared or the network.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from corridor_atlas.cli import main
from corridor_atlas.errors import Problems
from corridor_atlas.names import LANGUAGES, SOURCE, check_names, denied, load_denylist

from .conftest import write_project
from .regen_scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
NAMES = ROOT / "data" / "names" / "names.json"
DENYLIST = ROOT / "data" / "names" / "denylist.toml"
R = load_script("regenerate_names")


@pytest.fixture(scope="module")
def names() -> dict:
    return json.loads(NAMES.read_text(encoding="utf-8"))


def all_names(data: dict):
    """(where, language, name entry) of every name in the file, attributions included."""
    for section in ("countries", "features"):
        for key, entry in data[section].items():
            for lang, name in entry["names"].items():
                yield f"{section}.{key}", lang, name, True
            for side in (entry.get("contested") or {}).get("sides", []):
                for lang, name in side["names"].items():
                    yield f"{section}.{key}.contested", lang, name, False


# ---------------------------------------------------------------- the committed file


def test_committed_names_pass_the_check():
    assert check_names(ROOT).items == []


def test_every_country_of_the_base_data_has_each_language_or_a_gap(names):
    codes = set()
    for path in (ROOT / "data" / "base").glob("*.geojson"):
        codes |= {f["properties"].get("iso_a3") for f in json.loads(path.read_text(encoding="utf-8"))["features"]} - {None}
    assert codes <= set(names["countries"])
    for code in codes:
        entry = names["countries"][code]
        assert set(entry["names"]) | set(entry["gaps"]) == set(LANGUAGES), code
        assert not set(entry["names"]) & set(entry["gaps"]), code


def test_every_place_and_area_has_each_language_or_a_gap(names):
    for layer in ("places", "context"):
        for f in json.loads((ROOT / "data" / "layers" / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]:
            entry = names["features"][f["properties"]["id"]]
            assert entry["layer"] == layer
            assert set(entry["names"]) | set(entry["gaps"]) == set(LANGUAGES), f["properties"]["id"]
            assert all(reason.strip() for reason in entry["gaps"].values())


def test_every_name_records_a_source(names):
    for where, lang, name, _ in all_names(names):
        assert all(SOURCE.fullmatch(part) for part in name["source"].split(" + ")), (where, lang, name)


def test_no_denylisted_value_is_in_the_file(names):
    denylist = load_denylist(ROOT, Problems())
    assert denylist, "the denylist is empty"
    for where, lang, name, display in all_names(names):
        assert denied(denylist, name["name"], lang, where.split(".")[1], display) is None, (where, lang, name)
    text = NAMES.read_text(encoding="utf-8")
    for entry in denylist:
        if entry.scope == "anywhere" and entry.feature is None:
            assert entry.value not in text


def test_the_cases_the_issue_names_are_on_the_denylist():
    denylist = load_denylist(ROOT, Problems())
    assert denied(denylist, "אזרית", "he", "khankendi", display=False)  # Hebrew for "Azeri", a GeoNames alternate
    assert denied(denylist, "ארץ ישראל", "he", "PSX", display=False)  # "Land of Israel" for Palestine
    assert denied(denylist, "Zangezur corridor", "en", "zangezur-corridor", display=True)
    for lang, value in {"en": "Stepanakert", "tr": "Hankendi", "ar": "خانكندي", "fa": "استپاناکرت"}.items():
        assert denied(denylist, value, lang, "khankendi", display=True), (lang, value)  # one side alone
        assert not denied(denylist, value, lang, "khankendi", display=False)  # allowed when attributed
    assert denied(denylist, "Ленкорань", "ru", "lachin-district", display=True)  # Natural Earth's mislabel


def test_contested_places_show_both_names_and_who_uses_them(names):
    khankendi = names["features"]["khankendi"]
    assert khankendi["names"]["en"]["name"] == "Khankendi (Stepanakert)"
    sides = khankendi["contested"]["sides"]
    assert [s["used_by"] for s in sides] == ["Azerbaijan", "Armenians"]
    assert khankendi["contested"]["sources"]
    for entry in names["features"].values():
        if not entry.get("contested"):
            assert all(n.get("policy") is None for n in entry["names"].values())
            continue
        for lang, name in entry["names"].items():
            assert name["policy"] == "contested"
            for side in entry["contested"]["sides"]:
                assert side["names"][lang]["name"] in name["name"], (lang, name)
        # a language without both sides' names is a gap: one side is never shown alone
        for lang in entry["gaps"]:
            assert any(lang not in side["names"] for side in entry["contested"]["sides"])


def test_proposal_names_are_attributed_to_their_sponsors(names):
    corridor = names["terms"]["zangezur-corridor"]
    by_name = {n["name"]: n for n in corridor["names"]}
    assert by_name["Zangezur corridor"]["used_by"] == "Azerbaijan"
    assert "8 August 2025" in by_name["Trump Route for International Peace and Prosperity (TRIPP)"]["used_by"]
    assert "Armenia" in by_name["Crossroads of Peace"]["used_by"]
    assert all(n["sources"] for term in names["terms"].values() for n in term["names"])
    assert {n["name"] for n in names["terms"]["syunik"]["names"]} == {"Syunik", "Western Zangezur"}


def test_regeneration_is_byte_identical_and_the_committed_file_is_current(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert R.main(["--out", str(first)]) == 0
    assert R.main(["--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == NAMES.read_bytes(), "data/names/names.json is stale: run python data/sources/regenerate_names.py"


# ---------------------------------------------------------------- build.py check refuses


VALID = {
    "about": "test", "languages": ["en", "he"], "provenance": {},
    "countries": {"AAA": {"names": {"en": {"name": "Alphaland", "source": "cldr-49:territory/AA"}},
                          "gaps": {"he": "no source"}}},
    "features": {"alpha-town": {"layer": "routes", "names": {"en": {"name": "Alpha Town", "source": "layer:routes"}},
                                "gaps": {"he": "no source"}}},
    "terms": {},
}


def names_project(tmp_path, data: dict):
    paths = write_project(tmp_path / "p")
    (paths.root / "data" / "names").mkdir(parents=True, exist_ok=True)
    (paths.root / "data" / "names" / "names.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (paths.root / "data" / "names" / "denylist.toml").write_text(DENYLIST.read_text(encoding="utf-8"), encoding="utf-8")
    return paths


def test_check_accepts_a_valid_names_file(tmp_path):
    assert main(["check", "--root", str(names_project(tmp_path, VALID).root)]) == 0


def test_check_refuses_a_denylisted_name_naming_file_feature_and_language(tmp_path, capsys):
    data = json.loads(json.dumps(VALID))
    data["features"]["alpha-town"]["gaps"] = {}
    data["features"]["alpha-town"]["names"]["he"] = {"name": "אזרית", "source": "geonames:146970"}
    assert main(["check", "--root", str(names_project(tmp_path, data).root)]) == 2
    err = capsys.readouterr().err
    assert "names.json: features.alpha-town.names.he: 'אזרית' is on the denylist" in err


def test_check_refuses_a_name_without_a_known_source(tmp_path, capsys):
    data = json.loads(json.dumps(VALID))
    data["features"]["alpha-town"]["names"]["en"] = {"name": "Alpha Town"}
    data["countries"]["AAA"]["names"]["en"]["source"] = "my memory"
    assert main(["check", "--root", str(names_project(tmp_path, data).root)]) == 2
    err = capsys.readouterr().err
    assert "features.alpha-town.names.en.source: required key is missing" in err
    assert "countries.AAA.names.en.source: 'my memory' is not a known kind of source" in err


def test_check_refuses_a_language_with_neither_name_nor_gap(tmp_path, capsys):
    data = json.loads(json.dumps(VALID))
    data["countries"]["AAA"]["gaps"] = {}
    assert main(["check", "--root", str(names_project(tmp_path, data).root)]) == 2
    assert "countries.AAA: no he name and no gap saying why" in capsys.readouterr().err


def test_check_refuses_a_contested_place_shown_with_one_name(tmp_path, capsys):
    data = json.loads(json.dumps(VALID))
    data["features"]["alpha-town"]["names"]["en"] = {"name": "Alpha", "source": "layer:routes", "policy": "contested"}
    data["features"]["alpha-town"]["contested"] = {
        "summary": "test", "sources": [{"title": "t", "url": "https://example.org/"}],
        "sides": [{"used_by": "A", "names": {"en": {"name": "Alpha", "source": "geonames:1"}}},
                  {"used_by": "B", "names": {"en": {"name": "Beta", "source": "geonames:1"}}}],
    }
    assert main(["check", "--root", str(names_project(tmp_path, data).root)]) == 2
    assert "features.alpha-town.names.en: 'Alpha' must show every side's name" in capsys.readouterr().err


# ---------------------------------------------------------------- the generator's rules


@pytest.mark.parametrize("text, lang", [
    ("Ստեփանակերտ", "hy"), ("סטפנקרט", "he"), ("Ханкенди", "ru"), ("Ханкенді", None),  # Ukrainian і
    ("خانکَندی", "fa"), ("خانكندي", "ar"), ("نخجوان", None),  # no letter tells Persian from Arabic
    ("Xankəndi", "az"), ("Stepanakert", None), ("Хaнкенди", None),  # Latin a among Cyrillic
])
def test_language_of_a_name_by_its_letters(text, lang):
    assert R.language_of(text) == lang


def test_primary_names_in_the_country_orthography():
    assert R.primary_language("Naxçıvan", "AZE") == "az"
    assert R.primary_language("Baku", "AZE") is None  # an English transliteration
    assert R.primary_language("Iğdır", "TUR") == "tr"
    assert R.primary_language("Kars", "TUR") == "tr"  # GeoNames writes Turkish places in Turkish
    assert R.primary_language("Sharur City", "AZE") is None


@pytest.mark.parametrize("candidate, place, same", [
    ("Ханкенди", "Khankendi", True), ("Նախիջևան", "Nakhchivan", True), ("اغدير", "Iğdır", True),
    ("Тузлуджа", "Tuzluca", True), ("מחצקלה", "Makhachkala", True),
    ("Gəncə", "Yevlakh", False),  # Ganja, another city, among Yevlakh's GeoNames names
    ("Կովսական", "Zangilan", False),  # the name used under Armenian control, 1993–2020
    ("Ցոլակերտ", "Iğdır", False),  # a historical name
    ("ناریمانوف، اوبلاست آستراخان", "Narimanov", False),  # a disambiguated title
])
def test_a_translation_keeps_the_name(candidate, place, same):
    assert R.same_name(candidate, [place]) is same


def test_a_denylisted_candidate_is_skipped_and_the_gap_says_why():
    denylist = load_denylist(ROOT, Problems())
    picked, why = R.Picker(denylist).first("lachin-district", "ru", [("Ленкорань", "naturalearth:AZE-1735:name_ru")])
    assert picked is None and "denylist" in why
    picked, _ = R.Picker(denylist).first("lachin", "ru", [("Лачин", "geonames:147625")])
    assert picked == {"name": "Лачин", "source": "geonames:147625"}


def test_contested_values_must_be_in_the_source_they_cite():
    extract = {"naturalearth": {"AZE-4838": {"name_tr": "Hankendi"}}}
    geonames = {146970: {"name": "Khankendi", "alternatenames": ["Stepanakert", "Ստեփանակերտ"]}}
    assert R.verify_source("Ստեփանակերտ", "geonames:146970", extract, geonames)
    assert R.verify_source("Hankendi", "naturalearth:AZE-4838:name_tr", extract, geonames)
    assert not R.verify_source("Ստեփանակերտի", "geonames:146970", extract, geonames)
    assert not R.verify_source("Hankendi", "naturalearth:AZE-4838:name_ar", extract, geonames)


def synthetic_osm(tmp_path, monkeypatch, stations: list[dict]) -> Path:
    folder = tmp_path / "osm" / "stations"
    folder.mkdir(parents=True)
    sums = {}
    for fname in R.OSM_STATION_SHA256:
        data = json.dumps(stations if fname == "iran.json" else []).encode()
        (folder / fname).write_bytes(data)
        sums[fname] = hashlib.sha256(data).hexdigest()
    monkeypatch.setattr(R, "OSM_STATION_SHA256", sums)
    return folder.parent


def test_osm_station_named_like_a_place_nearby_gives_its_local_name(tmp_path, monkeypatch):
    osm = synthetic_osm(tmp_path, monkeypatch, [
        {"id": 1, "lat": 36.84, "lon": 54.44, "name": "Gorgan", "nameLocal": "گرگان", "type": "station"},
        {"id": 2, "lat": 35.69, "lon": 51.39, "name": "Tehran", "nameLocal": "ایستگاه راه آهن تهران", "type": "station"},
        {"id": 3, "lat": 38.00, "lon": 54.44, "name": "Gorgan", "nameLocal": "گرگان دور", "type": "station"},  # 130 km off
    ])
    places = [("places", {"id": "gorgan", "name": "Gorgan", "country": "IRN", "_coords": [54.43, 36.84]}),
              ("places", {"id": "tehran", "name": "Tehran", "country": "IRN", "_coords": [51.42, 35.69]})]
    found, _ = R.extract_osm(osm, places, {})
    assert found == {"gorgan": {"node": 1, "name": "Gorgan", "nameLocal": "گرگان", "km": 0.89, "file": "stations/iran.json"}}
    assert R.osm_language("گرگان", "IRN") == "fa"  # no letter tells, but Iran's local name is Persian


def test_osm_extract_with_other_checksums_is_refused(tmp_path, monkeypatch):
    osm = synthetic_osm(tmp_path, monkeypatch, [])
    (osm / "stations" / "iran.json").write_text("[]\n")
    with pytest.raises(SystemExit, match="checksum"):
        R.extract_osm(osm, [], {})
