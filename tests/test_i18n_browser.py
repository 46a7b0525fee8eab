"""The pages in other languages, in Chromium: mirrored layout for right-to-left, no untranslated
UI string outside the marked fallbacks, mixed Latin/number runs kept in order, glyphs present."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor_atlas import i18n
from corridor_atlas.pipeline import ProjectPaths, build_site

from .browser import browser, open_page

REPO = Path(__file__).resolve().parent.parent
SHOTS = Path("/tmp/h10-shots")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("i18n-browser-site")
    build_site(ProjectPaths(REPO), out, ["caspian-crude", "nakhchivan"], langs=["fa", "hy", "he", "ar", "ru"])
    return out


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


BOXES = """() => {
  const box = s => { const e = document.querySelector(s); const r = e.getBoundingClientRect(); return {left: r.left, right: r.right}; };
  return {legend: box('.atlas-legend'), title: box('.atlas-title'), layers: box('.leaflet-control-layers'),
          zoom: box('.leaflet-control-zoom'), scale: box('.leaflet-control-scale')};
}"""


def test_rtl_page_is_mirrored_at_desktop_size(site, chromium):
    page, log = open_page(chromium, (site / "nakhchivan.fa.html").as_uri(), 1280, 800)
    boxes = page.evaluate(BOXES)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "test-nakhchivan.fa.png"))
    assert not log.page_errors
    assert boxes["legend"]["left"] > 640 and boxes["legend"]["right"] > 1200  # legend on the right
    assert boxes["title"]["left"] > 640 and boxes["zoom"]["left"] > 1200  # title and zoom on the right
    assert boxes["layers"]["right"] < 640 and boxes["scale"]["left"] > 640  # layer control left, scale bottom right
    page.context.close()
    page, _ = open_page(chromium, (site / "nakhchivan.html").as_uri(), 1280, 800)
    assert page.evaluate(BOXES)["legend"]["right"] < 640  # the English page keeps its layout
    page.context.close()


UNTRANSLATED = """(english) => {
  const wanted = new Set(english);
  const leaked = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim().replace(/[:.]$/, "");
    if (!text || !wanted.has(text)) continue;
    const parent = n.parentElement;
    if (parent.closest('[lang="en"]') || parent.closest('script, style, noscript, textarea')) continue;
    leaked.push(text);
  }
  return leaked;
}"""

OPEN_BTC = """() => {
  Object.values(window.atlas.layers).forEach(g => g.eachLayer(l => {
    if (l.feature && l.feature.properties.id === 'btc-pipeline') l.openPopup();
  }));
}"""


@pytest.mark.parametrize("lang", ["fa", "hy", "he", "ru"])
def test_no_untranslated_ui_string_outside_marked_fallbacks(site, chromium, lang):
    english = sorted({v["text"] for v in i18n.catalogue("en").values()} | {"Zoom in", "Zoom out", "Legend"})
    page, log = open_page(chromium, (site / f"caspian-crude.{lang}.html").as_uri(), 1280, 800)
    page.evaluate(OPEN_BTC)  # the popup's field names and status words too
    page.wait_for_selector(".atlas-popup")
    assert page.evaluate(UNTRANSLATED, english) == []
    titles = page.evaluate("() => [...document.querySelectorAll('.leaflet-control-zoom a')].map(a => a.title)")
    assert titles == [i18n.catalogue(lang)["zoom_in"]["text"], i18n.catalogue(lang)["zoom_out"]["text"]]
    assert not log.page_errors
    page.context.close()


def test_mixed_latin_and_number_run_stays_in_order_inside_rtl_text(site, chromium):
    """"BTC … 1,768 km" in the Persian page: the figure is an isolated left-to-right run (its
    first character drawn left of its last), the English name a marked LTR run."""
    page, _ = open_page(chromium, (site / "caspian-crude.fa.html").as_uri(), 1280, 800)
    page.evaluate(OPEN_BTC)
    page.wait_for_selector(".atlas-popup .atlas-figure")
    runs = page.evaluate("""() => [...document.querySelectorAll('.atlas-popup .atlas-figure, .atlas-popup h3 > span')].map(e => {
      const t = e.firstChild, r = document.createRange();
      r.setStart(t, 0); r.setEnd(t, 1); const first = r.getBoundingClientRect().left;
      r.setStart(t, t.length - 1); r.setEnd(t, t.length); const last = r.getBoundingClientRect().left;
      const s = getComputedStyle(e);
      return {text: e.textContent, direction: s.direction, bidi: s.unicodeBidi, inOrder: first < last,
              pageDir: getComputedStyle(e.closest('.atlas-popup')).direction};
    })""")
    assert any(r["text"].endswith("km") for r in runs)
    for run in runs:
        assert run["pageDir"] == "rtl"
        assert run["direction"] == "ltr" and run["bidi"] == "isolate" and run["inOrder"], run
    page.context.close()


GLYPHS = """(samples) => {
  /* Missing glyphs (tofu) all draw as one box of one width: a script whose letters measure
     differently in the page's font has real glyphs. */
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = getComputedStyle(document.body).font;
  const out = {};
  for (const [script, letters] of Object.entries(samples)) {
    out[script] = new Set([...letters].map(c => ctx.measureText(c).width.toFixed(2))).size;
  }
  return out;
}"""


def test_every_script_has_glyphs_in_the_default_fonts(site, chromium):
    page, _ = open_page(chromium, (site / "nakhchivan.hy.html").as_uri(), 1280, 800)
    widths = page.evaluate(GLYPHS, {"hy": "ԱԲԳԴԵԶՄՇՈՒաբգդեզմշու", "fa": "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی",
                                    "he": "אבגדהוזחטיכלמנסעפצקרשת", "ru": "АБВГДЕЖЗИЙКЛМНОПШЩЫЮЯ"})
    for script, distinct in widths.items():
        assert distinct >= 4, (script, distinct)
    page.context.close()
