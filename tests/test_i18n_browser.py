"""Every map in every language, in Chromium (issue 12): one page load per map and language
(`inspected`), then each test reads what it needs from that visit. Measured, not assumed:
missing glyphs in a screenshot, untranslated text in every visible text node and every
aria-label/title/alt, the mirrored layout, bidi order of mixed runs, the names policy."""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

from corridor_atlas import i18n
from corridor_atlas.errors import Problems
from corridor_atlas.names import denied, load_denylist
from corridor_atlas.pipeline import ProjectPaths, build_site

from .browser import browser, open_page, within

REPO = Path(__file__).resolve().parent.parent
MAPS = sorted(p.stem for p in (REPO / "maps").glob("*.toml"))
OTHER = [lang for lang in i18n.LANGUAGES if lang != "en"]
# Names that are the same in every language, not English text: brands, formats, software
PROPER = {"OpenStreetMap", "GeoJSON", "JavaScript", "Leaflet", "Natural", "Earth", "BTC", "TRIPP", "CPC", "INSTC",
          "Page", "Up", "Down"}  # and the keys' names as printed on the keys
NAMES = json.loads((REPO / "data/names/names.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("i18n-browser-site")
    build_site(ProjectPaths(REPO), out, MAPS, langs=list(i18n.LANGUAGES))
    return out


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


# Every visible text node and every aria-label/title/alt/aria-valuetext, with the language
# the page says it is in (the nearest lang attribute): `[lang, text]`.
TEXTS = """() => {
  const out = [];
  const langOf = e => (e.closest('[lang]') || document.documentElement).getAttribute('lang');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement, t = n.textContent.trim();
    if (!t || p.closest('script, style, noscript, template')) continue;
    const s = getComputedStyle(p);
    if (s.display === 'none' || s.visibility === 'hidden' || !p.getClientRects().length) continue;
    out.push([langOf(p), t]);
  }
  for (const e of document.querySelectorAll('[aria-label], [title], [alt], [aria-valuetext]'))
    for (const a of ['aria-label', 'title', 'alt', 'aria-valuetext'])
      if (e.getAttribute(a) && !e.closest('noscript')) out.push([langOf(e), e.getAttribute(a).trim()]);
  return out;
}"""

# Open the popup of the line with the most facts (figures, dates, operator): its field names,
# status words and figures are on the page too.
OPEN_RICHEST_POPUP = """() => {
  let best = null, most = -1;
  Object.values(window.atlas.layers).forEach(g => g.eachLayer(l => {
    const p = l.feature && l.feature.properties;
    if (!p || !/LineString$/.test(l.feature.geometry.type)) return;
    const n = Object.keys(p).length + (p.reported || []).length * 2 + (p.id === 'btc-pipeline' ? 100 : 0);
    if (n > most) { most = n; best = l; }
  }));
  if (best) best.openPopup();
  return best ? best.feature.properties.id : null;
}"""

BOXES = """() => {
  const box = s => { const e = document.querySelector(s); if (!e) return null; const r = e.getBoundingClientRect(); return {left: r.left, right: r.right}; };
  return {legend: box('.atlas-legend'), title: box('.atlas-title'), layers: box('.leaflet-control-layers'),
          zoom: box('.leaflet-control-zoom'), scale: box('.leaflet-control-scale'), credits: box('.leaflet-control-attribution')};
}"""

# Contested places: the label (or tooltip) drawn for each, and its language mark.
CONTESTED = """(ids) => {
  const out = {};
  Object.values(window.atlas.layers).forEach(g => g.eachLayer(l => {
    const p = l.feature && l.feature.properties;
    if (!p || ids.indexOf(p.id) < 0 || !l.getTooltip()) return;
    const content = l.getTooltip().getContent();
    const node = content instanceof Node ? content : null;
    out[p.id] = {text: node ? node.textContent : String(content), lang: node && node.getAttribute ? node.getAttribute('lang') : null,
                 contested: p.contested || null};
  }));
  return out;
}"""

# Missing glyphs, measured: every character of the page drawn in a grid in the page's font,
# photographed (a Playwright screenshot), and each cell's pixels compared with the cell of a
# private-use character, which no font has: a missing glyph draws that same box.
GRID = """(chars) => {
  const grid = document.createElement('div');
  grid.id = 'atlas-glyph-grid';
  grid.style.cssText = 'direction:ltr;position:fixed;left:0;top:0;z-index:100000;background:#fff;color:#000;display:flex;' +
    'flex-wrap:wrap;width:1200px;font-size:24px;line-height:40px;font-family:' + getComputedStyle(document.body).fontFamily;
  chars.forEach(c => { const s = document.createElement('span'); s.textContent = c;
    s.style.cssText = 'display:inline-block;width:40px;height:40px;text-align:center;overflow:hidden'; grid.appendChild(s); });
  document.body.appendChild(grid);
  const r = grid.getBoundingClientRect();
  return {x: r.left, y: r.top, width: r.width, height: r.height};
}"""
CELLS = """async ([png, n]) => {
  const img = new Image(); img.src = 'data:image/png;base64,' + png; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
  document.getElementById('atlas-glyph-grid').remove();
  const cells = [];
  for (let i = 0; i < n; i++) {
    const d = ctx.getImageData((i % 30) * 40, Math.floor(i / 30) * 40, 40, 40).data;
    let sig = '', ink = 0;
    for (let k = 0; k < d.length; k += 4) { const dark = d[k] < 128 ? 1 : 0; ink += dark; sig += dark; }
    cells.push([ink, sig]);
  }
  return cells;
}"""
TOFU_PROBE = "\ue000"  # private use: no font draws it


def missing_glyphs(page, text: str) -> list[str]:
    chars = sorted({c for c in text if unicodedata.category(c)[0] not in "ZCM"})
    chars = [TOFU_PROBE, *chars]
    found = []
    for start in range(0, len(chars), 600):  # 30 × 20 cells per photograph
        batch = chars[start:start + 600] if start == 0 else [TOFU_PROBE, *chars[start:start + 600]]
        box = page.evaluate(GRID, batch)
        png = page.screenshot(clip=box)
        cells = page.evaluate(CELLS, [base64.b64encode(png).decode(), len(batch)])
        tofu = cells[0][1]
        found += [c for c, (ink, sig) in zip(batch[1:], cells[1:]) if sig == tofu or ink == 0]
    return found


@lru_cache(maxsize=None)
def _visit(site: Path, chromium, map_id: str, lang: str) -> dict:
    page, log = open_page(chromium, (site / i18n.page_filename(map_id, lang)).as_uri(), 1280, 800)
    try:
        html = page.evaluate("() => ({lang: document.documentElement.lang, dir: document.documentElement.dir})")
        boxes = page.evaluate(BOXES)
        contested = page.evaluate(CONTESTED, ["khankendi", "lachin"])
        texts = page.evaluate(TEXTS)
        popup = page.evaluate(OPEN_RICHEST_POPUP)
        if popup:
            try:
                page.wait_for_selector(".atlas-popup", timeout=3000)
            except Exception:  # noqa: BLE001 (a map whose story mode keeps popups closed)
                popup = None
            else:
                texts += page.evaluate(TEXTS)
        runs = page.evaluate(RUNS) if popup else []
        visible = page.evaluate("() => document.body.innerText")
        glyphs = missing_glyphs(page, visible + "".join(t for _, t in texts))
        # as when embedded in an article (atlas.js enables it in an iframe): the plugin's hints
        gesture = page.evaluate("() => { window.atlas.map.gestureHandling.enable(); const c = window.atlas.map.getContainer();"
                                " return [c.getAttribute('data-gesture-handling-touch-content'),"
                                " c.getAttribute('data-gesture-handling-scroll-content')]; }")
        return {"gesture": gesture, "html": html, "boxes": boxes, "contested": contested, "texts": texts, "popup": popup, "runs": runs,
                "missing_glyphs": glyphs, "errors": log.page_errors, "data": page.evaluate("() => window.atlas.data")}
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def inspected(site, chromium):
    return lambda map_id, lang: _visit(site, chromium, map_id, lang)


# ---------------------------------------------------------------- one visit, several questions

@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("map_id", MAPS)
def test_page_language_direction_and_glyphs(inspected, map_id, lang):
    seen = inspected(map_id, lang)
    assert seen["html"] == {"lang": lang, "dir": i18n.page_dir(lang)}
    assert seen["missing_glyphs"] == [], (map_id, lang, seen["missing_glyphs"])
    assert not seen["errors"]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_embedded_map_hints_two_fingers_and_ctrl_scroll_in_the_pages_language(inspected, lang):
    """Not the browser's language (Chromium here runs in en-US): the page's, from locales/<lang>.toml."""
    words = i18n.catalogue(lang)
    assert inspected("nakhchivan", lang)["gesture"] == [words["gesture_touch"]["text"], words["gesture_scroll"]["text"]]


FURNITURE_AND_CALLOUTS = """() => {
  const o = atlas.map.getContainer().getBoundingClientRect();
  const box = e => { const b = e.getBoundingClientRect(); return [b.left - o.left, b.top - o.top, b.right - o.left, b.bottom - o.top]; };
  return {size: [o.width, o.height], time: !!document.querySelector('.atlas-time'),
          zoom: box(document.querySelector('.leaflet-control-zoom')), scale: box(document.querySelector('.leaflet-control-scale')),
          callouts: [...document.querySelectorAll('.atlas-callout')].map(e => ({box: box(e), shown: e.style.visibility !== 'hidden'})),
          creditLine: (l => l && getComputedStyle(l).display !== 'none' ? {text: l.textContent, cut: l.scrollWidth > l.clientWidth} : null)(
            document.querySelector('.atlas-credit-line'))};
}"""


@pytest.mark.parametrize("width, height", [(1280, 800), (680, 510), (375, 700), (343, 320)])
@pytest.mark.parametrize("map_id", ["instc", "nakhchivan"])
def test_rtl_page__controls_where_placement_expects_them_and_every_callout_shown_whole(site, chromium, map_id, width, height):
    """Right to left, the zoom buttons and the scale bar sit inside the mirrored furniture boxes the
    build places callouts around (placement.layout_screens), and so no callout is hidden for
    running into them, nor cut by the map's edge (a Persian callout was hidden at 343 px)."""
    from corridor_atlas import placement

    page, log = open_page(chromium, (site / i18n.page_filename(map_id, "fa")).as_uri(), width, height)
    try:
        seen = page.evaluate(FURNITURE_AND_CALLOUTS)
    finally:
        page.context.close()
    assert log.page_errors == []
    [screen] = [s for s in placement.layout_screens(seen["time"], rtl=True) if s.width == width]
    assert [round(v) for v in seen["size"]] == [screen.width, screen.height]
    furniture = dict(screen.furniture)
    for what, measured in (("the zoom buttons", seen["zoom"]), ("the scale bar", seen["scale"])):
        assert within(measured, furniture[what]), (what, measured, furniture[what])
    assert seen["callouts"] and all(c["shown"] for c in seen["callouts"]), seen["callouts"]
    for c in seen["callouts"]:
        left, top, right, bottom = c["box"]
        assert left >= -1 and top >= -1 and right <= screen.width + 1 and bottom <= screen.height + 1, c
    if width <= placement.COMPACT_MAX_PX:  # the licences' credits under the map, in Persian, whole
        assert seen["creditLine"] and not seen["creditLine"]["cut"], seen["creditLine"]
        assert "© مشارکت\u200cکنندگان OpenStreetMap (ODbL)" in seen["creditLine"]["text"], seen["creditLine"]
    else:
        assert seen["creditLine"] is None


def _sourced_names(lang: str) -> set[str]:
    """Every name names.json has in the language: the same letters as the English are no leak."""
    out = set()
    for group in ("features", "countries"):
        for entry in NAMES.get(group, {}).values():
            named = entry.get("names", {}).get(lang)
            if named:
                out.add(named["name"])
    return out


def _leaks(english: set[str], texts: list, lang: str) -> list[str]:
    """Texts in `lang` (not marked otherwise) that are English: the same as on the English page,
    or, in a language of another script, holding a Latin word. The language's own words that
    look English are not leaks: its catalogue ("Operator" in Azerbaijani), its sourced names
    (Turkish "Kars"), CLDR's units ("1.768 km" in Azerbaijani), a link named by its host."""
    names = _sourced_names(lang) | {v["text"] for v in i18n.catalogue(lang).values()} | {i18n.language_name(lang)}
    units = [re.escape(p).replace(r"\{0\}", r"[\d\s.,\u00a0\u202f٬٫۰-۹٠-٩]+") for p in i18n.unit_patterns(lang).values()]
    leaked = []
    for text_lang, text in texts:
        if text_lang != lang:  # marked as English (a fallback), or another language's own name (the language links)
            continue
        text = text.rstrip(":.").strip()
        words = {w.strip("-'’") for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text)} - PROPER
        if not words or text in names or any(re.fullmatch(u, text) for u in units) or re.fullmatch(r"[\w.-]+\.[a-z]{2,}", text):
            continue
        if text in english or (lang in ("hy", "ru", "fa", "ar", "he") and any(len(w) >= 3 for w in words)):
            leaked.append(text)
    return sorted(set(leaked))


@pytest.mark.parametrize("lang", OTHER)
@pytest.mark.parametrize("map_id", MAPS)
def test_no_untranslated_ui_string_outside_marked_fallbacks(inspected, map_id, lang):
    """Every visible text node and every aria-label/title/alt of the page, its richest popup
    open: nothing the English page shows appears unmarked (outside an element lang="en"),
    and on a page in another script no Latin word is left unmarked but names and brands."""
    english = {t.rstrip(":.").strip() for _, t in inspected(map_id, "en")["texts"]}
    english |= {v["text"] for v in i18n.catalogue("en").values()} | {"Zoom in", "Zoom out", "Legend", "Layers"}
    assert _leaks(english, inspected(map_id, lang)["texts"], lang) == []


@pytest.mark.parametrize("lang", ["fa", "ar", "he"])
@pytest.mark.parametrize("map_id", MAPS)
def test_rtl_page_is_mirrored(inspected, map_id, lang):
    b = inspected(map_id, lang)["boxes"]
    assert b["legend"]["left"] > 640 and b["title"]["left"] > 640 and b["zoom"]["left"] > 1200  # the reading side
    assert b["layers"]["right"] < 640 and b["scale"]["left"] > 640 and b["credits"]["left"] < 10
    english = inspected(map_id, "en")["boxes"]
    assert english["legend"]["right"] < 640 and english["zoom"]["right"] < 100  # the English page keeps its layout


RUNS = """() => [...document.querySelectorAll('.atlas-popup .atlas-figure, .atlas-popup h3 > span')].map(e => {
  /* first and last character of the run's first text: drawn left to right in a left-to-right run */
  const t = e.firstChild, r = document.createRange();
  r.setStart(t, 0); r.setEnd(t, 1); const first = r.getBoundingClientRect().left;
  r.setStart(t, t.length - 1); r.setEnd(t, t.length); const last = r.getBoundingClientRect().left;
  const s = getComputedStyle(e);
  return {text: e.textContent, direction: s.direction, bidi: s.unicodeBidi, inOrder: first < last, rtlFigure: e.classList.contains('atlas-figure--rtl'),
          pageDir: getComputedStyle(e.closest('.atlas-popup')).direction};
})"""


@pytest.mark.parametrize("lang", ["fa", "ar", "he"])
def test_mixed_latin_and_number_run_stays_in_order_inside_rtl_text(inspected, lang):
    """"BTC … 1,768 km" in Persian, Arabic and Hebrew pages: the English name is a marked,
    isolated left-to-right run (its first character drawn left of its last); a figure is an
    isolated run too: in the page's direction when CLDR words its unit ("۱٬۷۶۸ کیلومتر": the
    number drawn right of the unit, as read), else left to right ("1,200,000 barrels/day")."""
    seen = inspected("caspian-crude", lang)
    assert seen["popup"] == "btc-pipeline"
    runs = seen["runs"]
    assert any(re.search(r"[\d\u06f0-\u06f9\u0660-\u0669]", r["text"]) for r in runs)
    assert any(r["rtlFigure"] for r in runs)  # the BTC length, in km
    for run in runs:
        assert run["pageDir"] == "rtl" and run["bidi"] == "isolate", run
        if run["rtlFigure"]:
            assert run["direction"] == "rtl" and not run["inOrder"], run
        else:
            assert run["direction"] == "ltr" and run["inOrder"], run


CONTESTED_IDS = [k for k, e in NAMES["features"].items() if e.get("contested")]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("map_id", MAPS)
def test_names_policy_on_every_contested_place(inspected, map_id, lang):
    """docs/names.md: a contested place is labelled with both names, in the language when both
    have a source there, else the English "FIRST (SECOND)" marked lang="en"; its popup data
    names who uses which. No denylisted value is shown on the page."""
    seen = inspected(map_id, lang)
    for fid, shown in seen["contested"].items():
        entry = NAMES["features"][fid]
        local = entry["names"].get(lang)
        expected = local["name"] if local else entry["names"]["en"]["name"]
        assert shown["text"] == expected, (map_id, lang, fid, shown)
        if not local or lang == "en":
            assert shown["lang"] in ("en", None) and (lang == "en" or shown["lang"] == "en"), (fid, shown)
        sides = [s["names"].get(lang, s["names"]["en"])["name"] for s in entry["contested"]["sides"]]
        assert all(side in expected or s["names"]["en"]["name"] in expected for side, s in zip(sides, entry["contested"]["sides"]))
        assert [s["usedBy"] for s in shown["contested"]] == [s["used_by"] for s in entry["contested"]["sides"]]
    denylist = load_denylist(REPO, Problems())
    for fid, shown in seen["contested"].items():
        assert denied(denylist, shown["text"], lang, fid, display=True) is None
    for _, text in seen["texts"]:
        assert denied(denylist, text, lang, "", display=True) is None, (map_id, lang, text)


def test_every_contested_place_is_labelled_on_some_map(inspected):
    """The policy test above sees every contested place of names.json on a page."""
    seen = set().union(*(inspected(m, "en")["contested"] for m in MAPS))
    assert CONTESTED_IDS and set(CONTESTED_IDS) <= seen


# ---------------------------------------------------------------- the denylist, per language

DENIED = {"az": "Stepanakert", "hy": "Stepanakert", "ru": "Степанакерт", "tr": "Hankendi", "fa": "استپاناکرت",
          "ar": "خانكندي", "he": "אזרית", "en": "Stepanakert"}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_denylist_is_refused_with_a_clear_error_in_every_language(tmp_path, capsys, lang):
    from corridor_atlas.cli import main

    from .conftest import write_project

    root = tmp_path / "project"
    write_project(root)
    (root / "data" / "names").mkdir(parents=True)
    for name in ("denylist.toml", "contested.toml"):
        (root / "data/names" / name).write_bytes((REPO / "data/names" / name).read_bytes())
    names = json.loads(json.dumps(NAMES))
    names["features"]["khankendi"]["names"][lang] = {"name": DENIED[lang], "source": "geonames:146970"}
    names["features"]["khankendi"].get("gaps", {}).pop(lang, None)
    (root / "data/names/names.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    assert main(["check", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"features.khankendi.names.{lang}" in err and "denylist" in err and DENIED[lang] in err, err
