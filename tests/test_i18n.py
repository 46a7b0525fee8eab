"""The maps in the reader's language (issue 12): pages per language, lang/dir, links between
languages, the catalogue's fallbacks, the names policy on the pages, the build's fingerprints."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from corridor_atlas import i18n
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
    return json.loads(PAYLOAD.search(html).group(1))


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
            assert entry["text"].strip() and (entry["source"] == i18n.UNREVIEWED or entry["source"].startswith("cldr")), (lang, key)


def test_check_reports_coverage_per_language(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    for lang in i18n.LANGUAGES:
        assert re.search(rf"^  {lang}: UI \d+/\d+ .*places \d+/\d+", out, re.M), lang
