"""The maps in the reader's language (issue 12): pages per language, lang/dir, links between
languages, the catalogue's fallbacks, the names policy on the pages, the build's fingerprints."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from corridor_atlas import i18n
from corridor_atlas.codec import unpack_layers
from corridor_atlas.cli import main
from corridor_atlas.errors import Problems
from corridor_atlas.names import denied, load_denylist
from corridor_atlas.pipeline import ProjectPaths, build_site

from .conftest import MAP_TOML, write_project

REPO = Path(__file__).resolve().parent.parent
MAPS = ["caspian-crude", "nakhchivan"]  # the two maps with contested places and mixed Latin/number runs
PAYLOAD = re.compile(r'<script type="application/json" id="atlas-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def lang_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("i18n-site")
    build_site(ProjectPaths(REPO), out, MAPS, langs=list(i18n.LANGUAGES))
    return out


def payload(html: str) -> dict:
    return unpack_layers(json.loads(PAYLOAD.search(html).group(1)))  # codec.pack_layers: the layers as GeoJSON again


def features(data: dict) -> dict[str, dict]:
    return {f["properties"]["id"]: f["properties"] for layer in data["layers"] for f in layer["geojson"]["features"]}


def test_every_language_of_every_map_is_built_with_lang_and_dir(lang_site):
    for map_id in MAPS:
        for lang in i18n.LANGUAGES:
            html = (lang_site / i18n.page_filename(map_id, lang)).read_text(encoding="utf-8")
            expected_dir = "rtl" if lang in ("fa", "ar", "he") else "ltr"
            assert f'<html lang="{lang}" dir="{expected_dir}">' in html, (map_id, lang)
            assert payload(html)["lang"] == lang


def test_every_page_links_to_its_other_languages_and_the_index_lists_them(lang_site):
    index = (lang_site / "index.html").read_text(encoding="utf-8")
    for map_id in MAPS:
        for lang in i18n.LANGUAGES:
            html = (lang_site / i18n.page_filename(map_id, lang)).read_text(encoding="utf-8")
            nav = re.search(r'<nav class="atlas-languages".*?</nav>', html).group(0)
            links = set(re.findall(r'href="([^"]+)" hreflang="([a-z]+)"', nav))
            assert links == {(i18n.page_filename(map_id, other), other) for other in i18n.LANGUAGES if other != lang}
            assert 'aria-current="page"' in nav
            if lang != "en":
                assert f'href="{i18n.page_filename(map_id, lang)}" hreflang="{lang}"' in index


def test_chrome_strings_are_translated_or_marked_english(lang_site):
    """Server-side text (legend, download link, noscript): no English catalogue string
    outside an element marked lang="en"."""
    english = {v["text"] for v in i18n.catalogue("en").values()}
    for lang in ("fa", "hy", "he", "ru"):
        html = (lang_site / i18n.page_filename("nakhchivan", lang)).read_text(encoding="utf-8")
        body = html.split("<body>", 1)[1].split('<script type="application/json"', 1)[0]
        body = re.sub(r'<span lang="en" dir="ltr" class="atlas-untranslated">.*?</span>', "", body)
        body = re.sub(r'<(p|span)[^>]*lang="en"[^>]*>.*?</\1>', "", body, flags=re.S)
        texts = {t.strip(" :.") for t in re.findall(r">([^<>]+)<", body)}
        leaked = sorted(t for t in texts if t in english)
        assert not leaked, (lang, leaked)


def test_names_from_names_json_and_the_contested_rule_on_the_pages(lang_site):
    names = json.loads((REPO / "data/names/names.json").read_text(encoding="utf-8"))
    khankendi = names["features"]["khankendi"]
    for lang in ("fa", "az", "hy"):
        props = features(payload((lang_site / f"nakhchivan.{lang}.html").read_text(encoding="utf-8")))["khankendi"]
        assert props["name"] == khankendi["names"][lang]["name"], lang
        assert "(" in props["name"] and "nameLang" not in props  # both names, in the language
        assert [s["usedBy"] for s in props["contested"]] == ["Azerbaijan", "Armenians"]
    for lang in ("he", "ar"):  # one side has no name in the language: the English label with both names, marked
        props = features(payload((lang_site / f"nakhchivan.{lang}.html").read_text(encoding="utf-8")))["khankendi"]
        assert props["name"] == "Khankendi (Stepanakert)" and props["nameLang"] == "en"


def test_no_denylisted_value_is_shown_on_any_page(lang_site):
    denylist = load_denylist(REPO, Problems())
    for page in sorted(lang_site.glob("*.*.html")):
        lang = page.name.split(".")[1]
        data = payload(page.read_text(encoding="utf-8"))
        for fid, props in features(data).items():
            assert denied(denylist, props["name"], lang, fid, display=True) is None, (page.name, fid, props["name"])
        for label in data["countryLabels"]:
            assert denied(denylist, label["name"], lang, "", display=True) is None, (page.name, label)


def test_the_denylist_is_still_refused_by_check(tmp_path, capsys):
    """A names.json holding a denylisted value stops `build.py check` with a clear error."""
    root = tmp_path / "project"
    write_project(root)
    (root / "data" / "names").mkdir(parents=True)
    for name in ("denylist.toml", "contested.toml"):
        (root / "data/names" / name).write_bytes((REPO / "data/names" / name).read_bytes())
    names = json.loads((REPO / "data/names/names.json").read_text(encoding="utf-8"))
    names["features"]["khankendi"]["names"]["he"] = {"name": "אזרית", "source": "geonames:146970"}
    names["features"]["khankendi"]["gaps"].pop("he", None)
    (root / "data/names/names.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    assert main(["check", "--root", str(root)]) == 2
    assert "denylist" in capsys.readouterr().err


def test_definition_text_per_language_and_marked_fallbacks(tmp_path):
    toml = 'lang = ["fa"]\n' + MAP_TOML + '\n[text.fa]\ntitle = "نقشهٔ آزمایشی"\n'  # test data, not a translation for the site
    paths = write_project(tmp_path / "project", map_toml=toml)
    out = tmp_path / "site"
    build_site(paths, out)
    html = (out / "test-map.fa.html").read_text(encoding="utf-8")
    assert "<h1>نقشهٔ آزمایشی</h1>" in html and "<title>نقشهٔ آزمایشی</title>" in html
    assert '<meta property="og:title" content="نقشهٔ آزمایشی">' in html  # the social card in the page's language
    assert '<p class="atlas-subtitle"><span lang="en" dir="ltr" class="atlas-untranslated">Two squares</span></p>' in html
    data = payload(html)
    assert data["callouts"][0]["textLang"] == "en"  # no [text.fa] callout: the English, marked
    assert (out / "test-map.html").read_text(encoding="utf-8").startswith('<!DOCTYPE html>\n<html lang="en" dir="ltr">')


def test_language_is_part_of_the_fingerprint(tmp_path):
    paths = write_project(tmp_path / "project")
    out = tmp_path / "site"
    assert [m.spec.id for m in build_site(paths, out, langs=["fa"])] == ["test-map"]
    assert build_site(paths, out, langs=["fa"]) == []  # nothing changed
    built = build_site(paths, out, langs=["fa", "he"])  # a language more: the map is rebuilt with it
    assert [t[0] for t in built[0].translations] == ["fa", "he"]
    (out / "test-map.he.html").write_text("tampered", encoding="utf-8")
    assert build_site(paths, out, langs=["fa", "he"]) != []  # a page in another language is verified too
    assert (out / "test-map.he.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_unknown_language_is_refused(capsys):
    assert main(["--lang", "xx", "--out", "/tmp/never-written"]) == 2
    assert "unknown language" in capsys.readouterr().err
    assert i18n.parse_langs("all") == list(i18n.LANGUAGES)
    assert i18n.map_languages(["he"], ["fa"]) == ["en", "fa", "he"]


def test_catalogues_name_their_source_and_know_only_english_keys():
    keys = set(i18n.catalogue("en"))
    for lang in i18n.LANGUAGES[1:]:
        raw = tomllib.loads((i18n.LOCALES_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
        assert set(raw) <= keys, (lang, sorted(set(raw) - keys))
        for key, entry in raw.items():
            assert entry["text"].strip() and (entry["source"] == i18n.UNREVIEWED or entry["source"].startswith("cldr")
                                              or entry["source"].startswith(i18n.LIBRARY_SOURCES)), (lang, key)


def _gesture_plugin_table() -> dict[str, dict[str, str]]:
    """Leaflet.GestureHandling's own hints, language by language, from the file we ship."""
    from corridor_atlas import assets

    text = next(a for a in assets.ASSETS if a.name == "gesture-js").path.read_text(encoding="utf-8")
    entries = re.findall(r'(?:[{,])"?([\w-]+)"?:\{touch:"([^"]*)",scroll:"([^"]*)",scrollMac:"([^"]*)"\}', text)
    assert len(entries) > 40
    return {lang: {"gesture_touch": a, "gesture_scroll": b, "gesture_scroll_mac": c} for lang, a, b, c in entries}


def test_strings_said_to_be_a_librarys_own_words_are_its_words():
    """A string whose source is the gesture plugin is that plugin's text for the language, word for
    word (Hebrew is `iw` there); the languages it lacks (az, hy) are ours, marked unreviewed."""
    table = _gesture_plugin_table()
    assert {k: v["text"] for k, v in i18n.catalogue("en").items() if k.startswith("gesture_")} == table["en"]
    sourced = 0
    for lang in i18n.LANGUAGES[1:]:
        for key, entry in i18n.catalogue(lang).items():
            if entry["source"].startswith("leaflet-gesture-handling"):
                assert entry["text"] == table[{"he": "iw"}.get(lang, lang)][key], (lang, key)
                sourced += 1
        gesture = {k: e for k, e in i18n.catalogue(lang).items() if k.startswith("gesture_")}
        assert len(gesture) == 3, lang
        if {"he": "iw"}.get(lang, lang) not in table:
            assert all(e["source"] == i18n.UNREVIEWED for e in gesture.values()), lang
    assert sourced == 3 * 5  # ru tr fa ar he


def test_check_reports_coverage_per_language(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    for lang in i18n.LANGUAGES:
        assert re.search(rf"^  {lang}: UI \d+/\d+ .*places \d+/\d+, countries \d+/\d+; map texts \d+/\d+ "
                         rf"\(\d+ of \d+ maps' tables unreviewed\); feature names \d+/\d+$", out, re.M), lang


def test_description_and_time_control_in_the_page_language(lang_site):
    """describe.py words the description in the page's language (names from names.json, the
    English marked); the "As of" line and the control's dates are CLDR's, in CLDR's digits."""
    html = (lang_site / "nakhchivan.fa.html").read_text(encoding="utf-8")
    description = re.search(r'<p id="atlas-description" class="atlas-description">(.*?)</p>', html, re.S).group(1)
    assert "شمار مسیرهای نقشه" in description and "lang=\"en\"" in description  # Persian prose, English names marked
    assert re.search(r'<p class="atlas-asof" id="atlas-asof">وضعیت در [۰-۹]+ \S+ [۰-۹]{4}</p>', html)
    data = payload(html)
    assert data["numbering"] == "arabext" and data["time"]["dateText"]
    assert not any(re.search(r"[0-9]", v) for v in data["time"]["dateText"].values())
    assert {"time_as_of", "time_earlier", "time_later", "layers", "close_popup"} <= set(data["strings"])
    assert not any(k.startswith("desc_") for k in data["strings"])  # the build's templates stay out of the page
    english = (lang_site / "nakhchivan.html").read_text(encoding="utf-8")
    assert '<p class="atlas-asof" id="atlas-asof">As of ' in english
    ar = payload((lang_site / "nakhchivan.ar.html").read_text(encoding="utf-8"))
    assert ar["numbering"] == "latn" and all(re.search(r"[0-9]", v) for v in ar["time"]["dateText"].values())


def test_digits_follow_cldr_default_numbering():
    """CLDR 49 (babel): Persian writes its own digits by default, Arabic (ar) Latin ones."""
    assert i18n.numbering("fa") == "arabext" and i18n.numbering("ar") == "latn" and i18n.numbering("he") == "latn"
    assert i18n.local_digits("2025-08", "fa") == "۲۰۲۵-۰۸" and i18n.local_digits("2025", "ar") == "2025"
    assert i18n.localised_date("2025-08-22", "fa") == "۲۲ اوت ۲۰۲۵"


def test_english_description_is_unchanged_by_the_templates():
    """The English templates reproduce the prose describe.py wrote before it had languages."""
    from corridor_atlas import describe

    assert i18n.catalogue("en")["desc_route_proposed"]["text"] == "{name}, a proposed {kind}, would run {heading}"
    assert describe.render_description({"places": {}, "countries": {}, "sentences": [{"t": "routes", "n": 2}]},
                                       type("S", (), {"title": "T", "subtitle": "", "text": {}})())[0] == "T. The map shows 2 routes."


def test_rtl_placement_mirrors_the_furniture_and_the_legend_shift():
    from corridor_atlas import placement

    wide = placement.mirrored(placement.WIDE)
    legend = dict(wide.furniture)["the legend"]
    assert legend == (1280 - 280, 198, 1280 - 10, 760)
    bounds, max_bounds = [[38.55, 43.6], [41.0, 47.3]], [[30.0, 30.0], [50.0, 60.0]]
    ltr = placement.default_view(placement.WIDE, bounds, None, None, 6, 9, max_bounds)
    rtl = placement.default_view(wide, bounds, None, None, 6, 9, max_bounds, rtl=True)
    assert ltr.zoom == rtl.zoom and rtl.left - ltr.left == 2 * placement.LEGEND_SHIFT_PX


def test_rtl_pages_carry_their_own_placement(lang_site):
    """fa/ar/he pages: callouts placed again for the mirrored layout with their own text."""
    fa = payload((lang_site / "nakhchivan.fa.html").read_text(encoding="utf-8"))
    en = payload((lang_site / "nakhchivan.html").read_text(encoding="utf-8"))
    assert [c["at"] for c in fa["callouts"]] == [c["at"] for c in en["callouts"]]
    assert all(set(c["layouts"]) == {"wide", "compact", "phone", "small"} for c in fa["callouts"])


def test_serve_builds_the_languages_asked_for(project, tmp_path):
    """`python build.py serve --lang fa`: the preview builds and serves the Persian pages too."""
    import urllib.request

    from corridor_atlas.serve import start

    preview = start(project, tmp_path / "site", port=0, build_options={"workers": 1, "langs": ["fa"]}, report=lambda m: None)
    try:
        with urllib.request.urlopen(preview.url + "test-map.fa.html", timeout=10) as response:
            assert b'<html lang="fa" dir="rtl">' in response.read()
    finally:
        preview.stop()
    assert main(["serve", "--lang", "xx", "--port", "0", "--out", str(tmp_path / "never")]) == 2



def test_our_credit_lines_are_translated_and_a_licensors_own_wording_stays_english_marked(tmp_path):
    from corridor_atlas.i18n import catalogue
    from corridor_atlas.prepare import CURATED_CREDIT, GEONAMES_CREDIT, OSM_LINES_CREDIT

    en = catalogue("en")
    assert [en[k]["text"] for k in ("credit_places", "credit_routes", "credit_osm_lines")] == [
        GEONAMES_CREDIT, CURATED_CREDIT, OSM_LINES_CREDIT]  # the page's credits are found by their English
    paths = write_project(tmp_path / "project", map_toml='lang = ["fa"]\n' + MAP_TOML)
    build_site(paths, tmp_path / "site")
    english = payload((tmp_path / "site" / "test-map.html").read_text(encoding="utf-8"))
    persian = payload((tmp_path / "site" / "test-map.fa.html").read_text(encoding="utf-8"))
    credits = dict(zip(english["attribution"], zip(persian["attribution"], persian["attributionLang"])))
    assert credits[GEONAMES_CREDIT] == (catalogue("fa")["credit_places"]["text"], "fa")
    assert credits[CURATED_CREDIT] == (catalogue("fa")["credit_routes"]["text"], "fa")
    assert credits["Test borders (public domain)"] == ("Test borders (public domain)", "en")  # the licensor's wording
