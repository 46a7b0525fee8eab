"""The time control (issue 13) in headless Chromium on the real site: the page applies the same
rules as timeline.py, the control changes what is drawn, the date round-trips through the URL
hash, and the keyboard moves it."""

from __future__ import annotations

import json
import re

import pytest

from corridor_atlas import timeline

from .browser import browser, clean_map_page, open_page
from .real_site import built_site  # noqa: F401  (fixture)

MAP = "nakhchivan"  # maps/nakhchivan.toml: [time] control = true


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.fixture()
def page(chromium, built_site):
    with clean_map_page(chromium, built_site / f"{MAP}.html") as page:
        yield page


def payload(built_site) -> dict:
    html = (built_site / f"{MAP}.html").read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', html, re.S).group(1))


def test_python_and_page_agree_on_every_feature_at_every_event_date(page, built_site):
    """Every dated feature of every layer (not only this map's), at every event date and the day before."""
    from .test_timeline import dated_features

    features = dated_features()
    dates = sorted({d for p in features.values() for d in p["dates"].values()} | {"1900", "2030-12-31"})
    dates += [f"{int(d[:4]) - 1}{d[4:]}" for d in dates]  # a year before each event too
    cases = [(p["dates"], p["status"], d) for p in features.values() for d in dates]
    page_answers = page.evaluate("cases => cases.map(c => atlas.time.statusAt(c[0], c[1], c[2]))", cases)
    assert page_answers == [timeline.status_at(*c) for c in cases]


def shown(page) -> dict:
    return page.evaluate("() => Object.fromEntries(Object.keys(atlas.data.time.features).map(id => [id, atlas.time.shown(id)]))")


def test_the_control_changes_what_is_drawn(page, built_site):
    data = payload(built_site)
    assert page.evaluate("() => atlas.time.date()") == data["time"]["default"] == "2025-08-22"
    assert page.locator("#atlas-asof").inner_text() == "As of 22 August 2025"
    assert all(shown(page).values())
    page.evaluate("() => atlas.time.setDate('1991-11-26')")
    drawn = shown(page)
    assert drawn["soviet-baku-julfa-yerevan-railway"] and drawn["former-nkao"]
    assert not drawn["tripp"] and not drawn["aras-corridor"] and not drawn["kars-igdir-dilucu-railway"]
    # the Soviet railway is drawn as operational (solid, in the railway colour), its label too
    soviet = page.evaluate("""() => { const e = atlas.time; const l = atlas.layers['nakhchivan-corridors'];
      let style = null; l.eachLayer(f => { if (f.feature.properties.id === 'soviet-baku-julfa-yerevan-railway') style = f.options; });
      return [style.color, style.dashArray || null, e.statusOf('soviet-baku-julfa-yerevan-railway')]; }""")
    assert soviet == [data["styles"]["rail:operational"]["color"], data["styles"]["rail:operational"].get("dashArray"), "operational"]
    hidden_labels = page.evaluate("""() => [...document.querySelectorAll('.leaflet-tooltip [data-atlas-feature]')]
      .filter(n => getComputedStyle(n.closest('.leaflet-tooltip')).display === 'none').map(n => n.dataset.atlasFeature)""")
    assert "aras-corridor" in hidden_labels and "soviet-baku-julfa-yerevan-railway" not in hidden_labels
    assert page.locator("#atlas-asof").inner_text() == "As of 26 November 1991"
    assert page.locator(".atlas-time-asof").inner_text() == "As of 26 November 1991"


def test_every_step_there_and_back_draws_the_same(page, built_site):
    """Restyling is a function of the date alone: the same date draws the same, whatever came before."""
    steps = payload(built_site)["time"]["steps"]
    state = """() => [...document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-atlas-marks-under-pane path')]
      .map(p => [p.getAttribute('stroke'), p.getAttribute('stroke-dasharray'), p.getAttribute('stroke-width')].join()).sort().join('|')"""
    first = {}
    for date in steps + steps[::-1]:
        page.evaluate("d => atlas.time.setDate(d)", date)
        drawn = (page.evaluate(state), json.dumps(shown(page), sort_keys=True))
        assert first.setdefault(date, drawn) == drawn, date
    assert len({v for v in first.values()}) > 3  # the dates do draw different maps


def test_the_date_round_trips_through_the_hash(chromium, built_site):
    url = (built_site / f"{MAP}.html").as_uri()
    page, log = open_page(chromium, url + "#8/39.5/45.5/context,nakhchivan-corridors,places/2021-02")
    try:
        assert page.evaluate("() => atlas.time.date()") == "2021-02"
        assert page.evaluate("() => location.hash").endswith("/2021-02")
        assert page.evaluate("() => atlas.time.statusOf('lachin-road')") == "operational"
        page.evaluate("() => atlas.time.setDate('2022-08')")
        assert re.fullmatch(r"#8/[\d.]+/[\d.]+/context,nakhchivan-corridors,places/2022-08", page.evaluate("() => location.hash"))
        assert not log.page_errors
    finally:
        page.context.close()
    # an old permalink (no date) still works and opens at the default date
    page, log = open_page(chromium, url + "#8/39.5/45.5/nakhchivan-corridors")
    try:
        assert page.evaluate("() => [atlas.time.date(), atlas.map.hasLayer(atlas.layers.places)]") == ["2025-08-22", False]
    finally:
        page.context.close()


def test_the_keyboard_moves_the_date(page, built_site):
    steps = payload(built_site)["time"]["steps"]
    slider = page.get_by_label("Date", exact=True)
    slider.focus()
    centre = page.evaluate("() => atlas.map.getCenter()")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("() => atlas.time.date()") == steps[-2]
    assert page.evaluate("() => atlas.map.getCenter()") == centre  # the arrows move the date, not the map
    page.keyboard.press("Home")
    assert page.evaluate("() => atlas.time.date()") == steps[0]
    assert page.get_by_role("button", name="Earlier date").is_disabled()
    page.get_by_role("button", name="Later date").click()
    assert page.evaluate("() => atlas.time.date()") == steps[1]
    page.keyboard.press("End")  # focus stays on the button: End does nothing there
    slider.focus()
    page.keyboard.press("End")
    assert page.evaluate("() => atlas.time.date()") == steps[-1]
    assert slider.get_attribute("aria-valuetext") == "22 August 2025"


def test_a_map_without_the_control_has_none(chromium, built_site):
    page, log = open_page(chromium, (built_site / "caspian-crude.html").as_uri())
    try:
        assert page.evaluate("() => atlas.time") is None
        assert page.locator(".atlas-time, #atlas-asof").count() == 0
        assert not log.page_errors
    finally:
        page.context.close()
