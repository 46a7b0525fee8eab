"""Injection payloads in every text field: shown literally in a real browser, never executed.

Each payload goes into every text a map page shows, tagged with the field's name: the
definition's title, subtitle, credit, source line, description and callout; the layer's
title and description; every feature's name (one a permanently labelled place, one a
point marker with a title attribute), note, operator, sponsor, source titles and
reported quantity and unit; the base geography's country names and attribution. The site
is built, the map page and the index are opened from file:// in headless Chromium, every
tooltip and popup is opened through the Leaflet API, and then:

* the canary `window.__pwned` is unset and no dialog (alert) fired, no page error;
* no injected element exists (no `img[src=x]`, no element with an on* attribute, no iframe,
  no script holding a payload other than the JSON data block);
* title, subtitle, credit, callout, tooltip, popup, permanent label, layer control,
  attribution and country label contain the literal payload (via textContent).

URL fields refuse `javascript:`-like URLs at validation (exit 2, nothing written). Runs in
CI and never skips: Debian's /usr/bin/chromium is required (tests/browser.py).
"""

from __future__ import annotations

import copy
import json

import pytest

from corridor_atlas.cli import main

from .browser import browser, open_page
from .conftest import COUNTRIES, MAP_TOML, ROUTES, write_project

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "'><img src=x onerror=alert(1)>",
    "`${window.__pwned=1}` ${alert(1)}",
    "</script><script>window.__pwned=1</script>",
    "javascript:window.__pwned=1//",
    "<svg onload=window.__pwned=1><svg/onload=alert(1)>",
    "{{7*7}} {{ this.__class__ }} {% if 1 %}x{% endif %} {% raw %}",
    "&lt;img src=x onerror=window.__pwned=1&gt; &amp; &#60;b&#62;",
    "<!--<script>window.__pwned=1//--></title></textarea></noscript><iframe src=javascript:alert(1)>",
    "\u2028\u2029</p><a href=javascript:alert(1)>click</a>",
]

# Every text field a page can show (field tag -> where it is checked in the browser).
TEXT_FIELDS = [
    "map.title", "map.subtitle", "map.credit", "map.source_line", "map.description", "callout.text",
    "layer.title", "layer.description",
    "place.name (label=true)", "port.name (marker)", "pipeline.name", "rail.name",
    "pipeline.note", "pipeline.operator", "pipeline.sponsor", "pipeline.sources.title",
    "pipeline.reported.quantity", "pipeline.reported.unit",
    "country.name (AAA)", "country.name (BBB)", "base.attribution",
]
# A valid http(s) URL that carries markup: accepted, but must stay an inert href.
URL_WITH_MARKUP = 'https://example.org/"><img/src=x/onerror=window.__pwned=1>'


def text(payload: str, field: str) -> str:
    return f"{payload} #{field}"


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def hostile_project(root, payload: str):
    t = lambda field: text(payload, field)  # noqa: E731
    toml = (
        MAP_TOML.replace('title = "Test map"', f"title = {toml_str(t('map.title'))}\ndescription = {toml_str(t('map.description'))}")
        .replace('subtitle = "Two squares"', f"subtitle = {toml_str(t('map.subtitle'))}")
        .replace('credit = "Test credit"', f"credit = {toml_str(t('map.credit'))}")
        .replace('source_line = "Sources: tests"', f"source_line = {toml_str(t('map.source_line'))}")
        .replace('text = "A callout"', f"text = {toml_str(t('callout.text'))}")
    )
    routes = copy.deepcopy(ROUTES)
    routes["title"], routes["description"] = t("layer.title"), t("layer.description")
    town, port, pipeline, rail = routes["features"]
    town["properties"]["name"] = t("place.name (label=true)")
    port["properties"]["name"] = t("port.name (marker)")
    rail["properties"]["name"] = t("rail.name")
    p = pipeline["properties"]
    p.update(name=t("pipeline.name"), note=t("pipeline.note"), operator=t("pipeline.operator"), sponsor=t("pipeline.sponsor"))
    p["sources"] = [{"title": t("pipeline.sources.title"), "url": URL_WITH_MARKUP}]
    p["reported"] = [{"quantity": t("pipeline.reported.quantity"), "value": 680, "unit": t("pipeline.reported.unit"), "source": URL_WITH_MARKUP}]
    countries = copy.deepcopy(COUNTRIES)
    countries["attribution"] = t("base.attribution")
    countries["features"][0]["properties"]["name"] = t("country.name (AAA)")
    countries["features"][1]["properties"]["name"] = t("country.name (BBB)")
    return write_project(root, map_toml=toml, routes=routes, countries=countries)


OPEN_EVERYTHING = """() => {
  const out = {tooltips: [], popups: []};
  atlas.layers.routes.eachLayer(l => {
    l.openTooltip();
    const tip = l.getTooltip();
    out.tooltips.push(tip && tip.getElement() ? tip.getElement().textContent : null);
    l.openPopup();
    const popup = l.getPopup() && l.getPopup().getElement() ? l.getPopup().getElement().querySelector('.leaflet-popup-content') : null;
    out.popups.push(popup ? popup.textContent : null);
    const links = popup ? [...popup.querySelectorAll('a')].map(a => a.getAttribute('href')) : [];
    out.links = (out.links || []).concat(links);
    l.closePopup();
  });
  const txt = sel => [...document.querySelectorAll(sel)].map(e => e.textContent).join(' | ');
  out.title = document.title;
  out.h1 = txt('h1');
  out.subtitle = txt('.atlas-subtitle');
  out.footer = txt('.atlas-credit');
  out.meta = document.querySelector('meta[name=description]').getAttribute('content');
  out.aria = document.querySelector('.atlas-map').getAttribute('aria-label');
  out.description = txt('#atlas-description');
  out.labels = txt('.atlas-label');
  out.callouts = txt('.atlas-callout');
  out.layerControl = txt('.leaflet-control-layers-overlays');
  out.attribution = txt('.leaflet-control-attribution');
  out.countryLabels = txt('.atlas-country-label');
  out.legend = txt('.atlas-legend');
  out.markerTitles = [...document.querySelectorAll('.leaflet-marker-icon[title]')].map(e => e.getAttribute('title'));
  return out;
}"""

INJECTED = """() => {
  const bad = [];
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) if (/^on/i.test(a.name)) bad.push(e.tagName + '[' + a.name + ']');
    if (e.tagName === 'IFRAME' || (e.tagName === 'IMG' && e.getAttribute('src') === 'x')) bad.push(e.tagName);
    if (e.tagName === 'A' && /^\\s*javascript:/i.test(e.getAttribute('href') || '')) bad.push('a[href=javascript:]');
  }
  for (const s of document.querySelectorAll('script'))
    if (/__pwned|alert\\(1\\)/.test(s.textContent) && s.type !== 'application/json') bad.push('script: ' + s.textContent.slice(0, 60));
  return {bad, pwned: window.__pwned === undefined ? null : String(window.__pwned)};
}"""


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"payload{i}" for i in range(len(PAYLOADS))])
def test_payload_in_every_text_field__shown_literally_never_run(payload, chromium, tmp_path):
    paths = hostile_project(tmp_path / "project", payload)
    out = tmp_path / "site"
    assert main(["--root", str(paths.root), "--out", str(out)]) == 0
    page, log = open_page(chromium, (out / "test-map.html").as_uri())
    try:
        seen = page.evaluate(OPEN_EVERYTHING)
        page.wait_for_timeout(50)  # let any onerror/onload fire
        injected = page.evaluate(INJECTED)
    finally:
        page.context.close()
    t = lambda field: text(payload, field)  # noqa: E731

    assert injected == {"bad": [], "pwned": None}
    assert log.dialogs == [] and log.page_errors == []

    assert seen["title"] == t("map.title")
    assert seen["h1"] == t("map.title")
    assert seen["aria"] == "Map: " + t("map.title")
    assert seen["subtitle"] == t("map.subtitle")
    assert t("map.credit") in seen["footer"] and t("map.source_line") in seen["footer"]
    assert t("pipeline.name") in seen["description"]
    # the search snippet: the description's first 200 characters (site.card_text), as literal text
    assert t("map.title") in seen["meta"] and seen["meta"].rstrip("…") in seen["description"]
    assert seen["callouts"] == t("callout.text")
    assert t("place.name (label=true)") in seen["labels"]
    assert t("layer.title") in seen["layerControl"]
    assert t("base.attribution") in seen["attribution"]
    assert t("country.name (AAA)") in seen["countryLabels"] and t("country.name (BBB)") in seen["countryLabels"]
    assert "Legend" in seen["legend"] and "{{" not in seen["legend"]
    assert t("port.name (marker)") in seen["markerTitles"]

    names = ["place.name (label=true)", "port.name (marker)", "pipeline.name", "rail.name"]
    tooltips = [tip for tip in seen["tooltips"] if tip is not None]
    for name in names:
        assert t(name) in tooltips, (name, tooltips)
    popups = " || ".join(p for p in seen["popups"] if p)
    for field in ["pipeline.name", "pipeline.note", "pipeline.operator", "pipeline.sponsor", "pipeline.sources.title",
                  "pipeline.reported.quantity", "pipeline.reported.unit", "rail.name", "port.name (marker)"]:
        assert t(field) in popups, field
    assert URL_WITH_MARKUP in seen["links"]

    # the gallery page shows the title and subtitle literally too
    page, log = open_page(chromium, (out / "index.html").as_uri(), wait_ready=False)
    try:
        index = page.evaluate("() => ({h2: document.querySelector('.map h2').textContent, "
                              "p: document.querySelector('.map p').textContent, "
                              "embed: document.querySelector('textarea').value})")
        page.wait_for_timeout(50)
        injected = page.evaluate(INJECTED)
    finally:
        page.context.close()
    assert injected == {"bad": [], "pwned": None} and log.dialogs == [] and log.page_errors == []
    assert index["h2"] == t("map.title") and index["p"] == t("map.subtitle")
    assert index["embed"].startswith('<iframe src="test-map.html"')


HOSTILE_URLS = [
    "javascript:window.__pwned=1",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "javascript://example.org/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//example.org/protocol-relative",
    "https://example.org/\nalert(1)",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("field", ["sources.url", "reported.source"])
def test_hostile_url__refused_at_validation(field, url, tmp_path, capsys):
    routes = copy.deepcopy(ROUTES)
    p = routes["features"][2]["properties"]
    if field == "sources.url":
        p["sources"] = [{"title": "t", "url": url}]
    else:
        p["reported"] = [{"quantity": "length", "value": 1, "unit": "km", "source": url}]
    paths = write_project(tmp_path / "project", routes=routes)
    out = tmp_path / "site"
    assert main(["--root", str(paths.root), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "is not an http(s) URL" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("basemap", ["javascript:alert(1)", "https://evil.example/{z}/{x}/{y}.png", '"><script>'])
def test_hostile_basemap__refused_at_validation(basemap, tmp_path, capsys):
    paths = write_project(tmp_path / "project", map_toml=f"basemap = {toml_str(basemap)}\n" + MAP_TOML)
    assert main(["--root", str(paths.root), "--out", str(tmp_path / "site")]) == 2
    assert "basemap" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()
