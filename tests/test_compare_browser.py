"""The comparison page in headless Chromium, opened from file://: offline, complete, linked
highlighting between table rows and routes. Runs in CI; never skipped (the synthetic page
needs no generated data; the real pages are checked too once data/base exists).
"""

from __future__ import annotations

import tomllib

import pytest

from corridor_atlas.pipeline import build_site

from .browser import browser, open_page
from .real_site import REPO
from .test_compare import SET_TOML, add_set


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.fixture(scope="module")
def compare_page_url(tmp_path_factory):
    from .conftest import write_project

    root = tmp_path_factory.mktemp("compare")
    paths = write_project(root / "project")
    add_set(paths, SET_TOML)
    out = root / "site"
    build_site(paths, out)
    return (out / "compare-test-set.html").as_uri()


STATE = """id => {
  const r = window.compare.routes[id];
  const paths = [];
  [r.small, r.overview].forEach(g => g.eachLayer(l => paths.push({
      weight: l.options.weight, cls: l.getElement().getAttribute('class') || ''})));
  return {row: r.row.classList.contains('is-highlighted'), figure: r.figure.classList.contains('is-highlighted'),
          paths, baseWeight: r.style.weight};
}"""

# a point on the route's first segment, in viewport pixels, in the given map ("small" or "overview")
POINT_ON_ROUTE = """([id, which]) => {
  const r = window.compare.routes[id];
  const map = which === 'small' ? r.smallMap : window.compare.overview;
  map.getContainer().scrollIntoView({block: 'center'});
  let pts = null;
  (which === 'small' ? r.small : r.overview).eachLayer(l => { pts = pts || l.getLatLngs(); });
  const a = map.latLngToContainerPoint(pts[0]), b = map.latLngToContainerPoint(pts[1]);
  const box = map.getContainer().getBoundingClientRect();
  return [box.left + (a.x + b.x) / 2, box.top + (a.y + b.y) / 2];
}"""


def highlighted(state) -> bool:
    return all(p["weight"] > state["baseWeight"] and "compare-route--highlight" in p["cls"] for p in state["paths"])


def test_compare_page__offline_with_table_and_small_multiples(chromium, compare_page_url):
    page, log = open_page(chromium, compare_page_url)
    try:
        assert log.console_errors == [] and log.page_errors == []
        assert log.network_requests() == []
        assert page.locator("#compare-table tbody tr").count() == 2
        assert page.locator("#compare-table thead th").count() >= 10
        assert page.locator(".compare-small").count() == 2
        assert page.locator(".compare-small .leaflet-compare-base-pane path").count() >= 2  # basemap in each
        views = page.evaluate(
            """() => window.compare.smallMaps.map(m => ({zoom: m.getZoom(), c: m.getCenter(), size: m.getSize(),
                  drag: m.dragging.enabled(), wheel: m.scrollWheelZoom.enabled()}))"""
        )
        assert len(views) == 2 and all(v == {**views[0], "drag": False, "wheel": False} for v in views)
        row = page.locator('#compare-table tbody tr[data-route="test-pipeline"]')
        assert "AAA → BBB" in row.inner_text() and "not stated" in row.inner_text()
        assert "WGS84" in page.locator(".compare-method").inner_text()
        assert "Test borders" in page.locator("#compare-credit").inner_text()
    finally:
        page.context.close()


def test_compare_page__row_hover_highlights_route_and_back(chromium, compare_page_url):
    page, log = open_page(chromium, compare_page_url)
    try:
        page.hover('#compare-table tbody tr[data-route="test-rail"]')
        rail, pipe = page.evaluate(STATE, "test-rail"), page.evaluate(STATE, "test-pipeline")
        assert rail["row"] and rail["figure"] and highlighted(rail)
        assert not pipe["row"] and not any("compare-route--highlight" in p["cls"] for p in pipe["paths"])
        page.hover("h1")
        rail = page.evaluate(STATE, "test-rail")
        assert not rail["row"] and all(p["weight"] == rail["baseWeight"] for p in rail["paths"])

        for which in ("small", "overview"):
            x, y = page.evaluate(POINT_ON_ROUTE, ["test-pipeline", which])
            page.mouse.move(x, y)
            pipe = page.evaluate(STATE, "test-pipeline")
            assert pipe["row"], f"hovering the route in the {which} map did not highlight its row"
            assert highlighted(pipe)
            assert page.locator("#compare-table tbody tr.is-highlighted").count() == 1
            page.mouse.move(2, 2)
            assert not page.evaluate(STATE, "test-pipeline")["row"]
        assert log.console_errors == [] and log.page_errors == []
    finally:
        page.context.close()


REAL_SETS = sorted(p.stem for p in (REPO / "data" / "comparisons").glob("*.toml"))


def test_real_compare_pages__render_offline(chromium, tmp_path_factory):
    out = tmp_path_factory.mktemp("real-compare") / "site"
    build_site(REPO_PATHS(), out, only=["nakhchivan"])
    for set_id in REAL_SETS:
        routes = tomllib.loads((REPO / "data" / "comparisons" / f"{set_id}.toml").read_text())["routes"]
        page, log = open_page(chromium, (out / f"compare-{set_id}.html").as_uri())
        try:
            assert log.console_errors == [] and log.page_errors == [] and log.network_requests() == []
            assert page.locator("#compare-table tbody tr").count() == len(routes)
            assert page.locator(".compare-small").count() == len(routes)
            page.hover(f'#compare-table tbody tr[data-route="{routes[0]}"]')
            assert highlighted(page.evaluate(STATE, routes[0]))
        finally:
            page.context.close()


def REPO_PATHS():
    from corridor_atlas.pipeline import ProjectPaths

    return ProjectPaths(REPO)
