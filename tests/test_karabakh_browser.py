"""The Karabakh map (maps/karabakh.toml) in headless Chromium: the page and timeline.py agree on
every control area at every event date, and the time control changes which areas are drawn."""

from __future__ import annotations

import pytest

from corridor_atlas import timeline
from corridor_atlas.style import CONTROL_AREA_STYLE

from .browser import browser, clean_map_page
from .real_site import built_site  # noqa: F401  (fixture)
from .test_karabakh import DATES, KNOWN_CONTROL

MAP = "karabakh"


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.fixture()
def page(chromium, built_site):
    with clean_map_page(chromium, built_site / f"{MAP}.html") as page:
        yield page


def test_python_and_page_agree_on_every_area_at_every_date(page):
    cases = [(dates, recorded, d) for dates, recorded, _ in KNOWN_CONTROL.values() for d in DATES]
    answers = page.evaluate("""cases => cases.map(c => { const s = atlas.time.statusAt(c[0], c[1], c[2]);
      return [s, AtlasTimeline.visible(atlas.data.time.rules, s)]; })""", cases)
    assert answers == [[timeline.status_at(*c), timeline.shown_at(*c)] for c in cases]


def drawn_areas(page) -> set[str]:
    return set(page.evaluate("""() => Object.keys(atlas.data.time.features)
      .filter(id => id.startsWith('held-') && atlas.time.shown(id))"""))


def test_the_control_changes_which_areas_are_drawn(page):
    data = page.evaluate("() => atlas.data.time")
    assert page.evaluate("() => atlas.time.date()") == data["default"] == "2020-11-10"
    assert drawn_areas(page) == {"held-1994-kalbajar", "held-1994-lachin", "held-1994-aghdam", "held-2020-khojaly-khojavend"}
    # the SVG paths in the control areas' outline colour: what a reader actually sees
    outlines = f"() => document.querySelectorAll('.leaflet-pane path[stroke=\"{CONTROL_AREA_STYLE['color']}\"]').length"
    assert page.evaluate(outlines) == 4
    for date in data["steps"]:
        page.evaluate("d => atlas.time.setDate(d)", date)
        expected = {fid for fid, (dates, recorded, _) in KNOWN_CONTROL.items() if timeline.shown_at(dates, recorded, date)}
        assert drawn_areas(page) == expected, date
    page.evaluate("() => atlas.time.setDate('1994-05-12')")
    assert len(drawn_areas(page)) == page.evaluate(outlines) == 9
    assert page.locator(".atlas-time-asof").inner_text().endswith("1994")
    # the former oblast's outline is there at every date, a historical reference
    assert page.evaluate("() => atlas.time.shown('former-nkao')")


def test_the_popup_gives_the_status_at_the_date_shown(page):
    page.evaluate("() => atlas.time.setDate('2020-11-20')")
    assert page.evaluate("() => atlas.time.statusOf('held-1994-kalbajar')") == "held"
    assert page.evaluate("() => atlas.time.statusOf('held-1994-aghdam')") == "control_ended"
    page.evaluate("""() => atlas.layers['karabakh-control'].eachLayer(l => {
      if (l.feature.properties.id === 'held-1994-kalbajar') l.openPopup(); })""")
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "held at the date shown" in popup and "Held from" in popup and "Control ended" in popup


def test_the_legend_explains_the_accuracy_classes(page):
    legend = page.locator(".atlas-legend").inner_text()
    assert "held: whole district" in legend and "held in part" in legend and "line not drawn" in legend
