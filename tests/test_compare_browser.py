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


@pytest.fixture(scope="module")
def real_compare_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("real-compare") / "site"
    build_site(REPO_PATHS(), out, only=["nakhchivan"])  # every comparison page is built with any map
    return out


def test_real_compare_pages__render_offline(chromium, real_compare_site):
    out = real_compare_site
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


# --------------------------------------------------------------------------- made for analysts

ROW_ORDER = "() => [...document.querySelectorAll('#compare-table tbody tr')].map(tr => tr.dataset.route)"
SORTED = "() => [...document.querySelectorAll('#compare-table thead th[aria-sort]')].map(th => [th.textContent, th.getAttribute('aria-sort')])"
# horizontal overflow of the page and of the table's own scroll box
OVERFLOW = """() => {
  const wrap = document.querySelector('.compare-table-wrap'), root = document.documentElement;
  return {page: root.scrollWidth - root.clientWidth, table: wrap.scrollWidth - wrap.clientWidth};
}"""


def test_compare_page__sorts_by_a_numeric_column_both_ways_with_mouse_and_keyboard(chromium, compare_page_url):
    page, log = open_page(chromium, compare_page_url)
    try:
        drawn = page.evaluate("() => window.compare.data.routes.map(r => [r.id, r.row.length_km])")
        ascending = [rid for rid, _ in sorted(drawn, key=lambda kv: kv[1])]
        assert ascending[0] != ascending[-1]
        header = page.locator("#compare-table thead th", has_text="Drawn km").locator("button")
        header.click()
        assert page.evaluate(ROW_ORDER) == ascending
        assert page.evaluate(SORTED) == [["Drawn km", "ascending"]]
        header.focus()
        page.keyboard.press("Enter")  # a real button: Enter sorts too
        assert page.evaluate(ROW_ORDER) == ascending[::-1]
        assert page.evaluate(SORTED) == [["Drawn km", "descending"]]
        page.locator("#compare-table thead th", has_text="Route").locator("button").click()  # another column: only one aria-sort
        assert page.evaluate(SORTED) == [["Route", "ascending"]]
        # a sorted row still highlights its route
        page.hover(f'#compare-table tbody tr[data-route="{ascending[0]}"]')
        assert highlighted(page.evaluate(STATE, ascending[0]))
        assert log.console_errors == [] and log.page_errors == []
    finally:
        page.context.close()


def test_compare_page__not_stated_sorts_last_both_ways(chromium, real_compare_site):
    """Reported km is missing for some Nakhchivan routes: they stay at the bottom either way."""
    page, log = open_page(chromium, (real_compare_site / "compare-nakhchivan.html").as_uri())
    try:
        reported = dict(page.evaluate("() => window.compare.data.routes.map(r => [r.id, r.row.reported_length_km])"))
        stated = sorted((v, k) for k, v in reported.items() if v is not None)
        missing = {k for k, v in reported.items() if v is None}
        assert stated and missing
        button = page.locator("#compare-table thead th", has_text="Reported km").locator("button")
        for direction in ("ascending", "descending"):
            button.click()
            order = page.evaluate(ROW_ORDER)
            expected = [k for _, k in (stated if direction == "ascending" else stated[::-1])]
            assert order[:len(stated)] == expected and set(order[len(stated):]) == missing
    finally:
        page.context.close()


@pytest.mark.parametrize("set_id", REAL_SETS)
def test_real_compare_page__nothing_behind_a_sideways_scroll_at_1280(chromium, real_compare_site, set_id):
    page, log = open_page(chromium, (real_compare_site / f"compare-{set_id}.html").as_uri(), width=1280, height=800)
    try:
        assert page.evaluate(OVERFLOW) == {"page": 0, "table": 0}
        for head in ("Route", "Sponsor / operator", "Key dates", "Capacity", "Border / customs regime"):
            box = page.locator("#compare-table thead th", has_text=head).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280, head
        # the route column is pinned for screens narrow enough to scroll the table
        assert page.evaluate("() => getComputedStyle(document.querySelector('#compare-table tbody th')).position") == "sticky"
        # the overview map carries one number label per route, inside the map, and the legend lists them
        routes = page.locator("#compare-table tbody tr").count()
        assert page.locator("#compare-legend li").count() == routes
        labels = page.evaluate("""() => {
          const map = document.getElementById('compare-overview').getBoundingClientRect();
          return [...document.querySelectorAll('#compare-overview .compare-map-label')].map(l => {
            const b = l.getBoundingClientRect();
            return [l.textContent, b.left >= map.left && b.right <= map.right && b.top >= map.top && b.bottom <= map.bottom];
          });
        }""")
        assert sorted(int(text) for text, _ in labels) == list(range(1, routes + 1))
        assert all(inside for _, inside in labels), labels
    finally:
        page.context.close()


@pytest.mark.parametrize("set_id", REAL_SETS)
def test_real_compare_page__print_shows_the_whole_table(chromium, real_compare_site, set_id):
    """A4 landscape less 10 mm margins is 277 mm, 1047 CSS px wide: every column fits, every row prints."""
    page, log = open_page(chromium, (real_compare_site / f"compare-{set_id}.html").as_uri(), width=1047, height=740)
    try:
        page.emulate_media(media="print")
        assert page.evaluate(OVERFLOW) == {"page": 0, "table": 0}
        rows = page.evaluate("""() => [...document.querySelectorAll('#compare-table tbody tr')].map(tr => {
          const b = tr.getBoundingClientRect(), s = getComputedStyle(tr);
          return s.display !== 'none' && s.visibility !== 'hidden' && b.height > 0;
        })""")
        assert rows and all(rows)
        assert page.evaluate("() => getComputedStyle(document.querySelector('#compare-table tbody th')).position") == "static"
        assert page.evaluate("() => getComputedStyle(document.querySelector('.leaflet-control-zoom')).display") == "none"
        pdf = page.pdf(format="A4", landscape=True, print_background=True)
        assert pdf.startswith(b"%PDF")
    finally:
        page.context.close()
