"""The comparison page for one set: an overview map, the table, and small multiples.

Self-contained and offline like every map page: Leaflet inlined (``assets.head_html``),
the basemap drawn from the bundled borders. Everything taken from data (names, sponsors,
figures, geometry) travels in one JSON payload escaped with ``render.json_for_html`` and
reaches the DOM only through ``textContent`` in ``static/compare.js``; the page's own
text is escaped by jinja2. The small multiples share one extent and one fixed zoom
(computed here, so identical inputs give identical bytes) and have interaction off, so
lengths can be compared by eye.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from jinja2 import Environment
from markupsafe import Markup

from . import assets
from .compare import ComparisonSet, compare_rows
from .layers import BaseLayer, Layer
from .prepare import OSM_LINES_CREDIT, choose_base
from .render import json_for_html
from .simplify import Extent, geojson_geometry, prepare_coverage, prepare_line_or_point
from .style import BORDER, LAND, line_style

#: Size of each small multiple in CSS pixels (compare.css uses the same numbers).
SMALL_WIDTH, SMALL_HEIGHT = 300, 220
ROUTES_CREDIT = "Routes: Corridor Atlas (how each is drawn and its sources: in the table and on each map page)"
_ENV = Environment(autoescape=True, keep_trailing_newline=True)


def _merc_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fixed_view(bounds, width: int = SMALL_WIDTH, height: int = SMALL_HEIGHT) -> tuple[list[float], float]:
    """Centre and zoom (a multiple of 0.25) at which ``bounds`` fit a ``width``×``height`` map."""
    (south, west), (north, east) = bounds
    zoom_x = math.log2(width * 360.0 / (256.0 * (east - west)))
    zoom_y = math.log2(height * 2 * math.pi / (256.0 * (_merc_y(north) - _merc_y(south))))
    zoom = math.floor(min(zoom_x, zoom_y) * 4) / 4
    mid_y = (_merc_y(south) + _merc_y(north)) / 2
    lat = math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)
    return [round(lat, 5), round((west + east) / 2, 5)], zoom


#: where along a route (share of its length) its number label may sit, in order of preference
LABEL_FRACTIONS = (0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9)


def label_points(lines: list[BaseGeometry], bounds) -> list[list[float]]:
    """[lat, lon] of each route's number label on the overview map: a point on the route,
    inside the set's bounds, as far as possible from the labels already placed.

    Routes that share track (the Crossroads lines, the Soviet railway) would otherwise stack
    their labels at the same midpoint. Greedy in set order, so the same input gives the same
    bytes; distances in degrees with longitude scaled by cos(latitude), enough to pull apart.
    """
    (south, west), (north, east) = bounds
    box = shapely.box(west, south, east, north)
    scale = math.cos(math.radians((south + north) / 2))
    placed: list[tuple[float, float]] = []
    out = []
    for line in lines:
        candidates = [line.interpolate(f, normalized=True) for f in LABEL_FRACTIONS]
        inside = [c for c in candidates if box.contains(c)] or candidates

        def clearance(point: Point) -> float:
            return min((math.hypot((point.x - x) * scale, point.y - y) for x, y in placed), default=math.inf)

        best = max(inside, key=clearance)  # max() keeps the first of equals: the preferred fraction
        placed.append((best.x, best.y))
        out.append([round(best.y, 5), round(best.x, 5)])
    return out


def page_payload(cset: ComparisonSet, rows: list[dict], layers: dict[str, Layer], base: dict[str, BaseLayer]) -> dict:
    (south, west), (north, east) = cset.bounds
    center, zoom = fixed_view(cset.bounds)
    detail_zoom = math.ceil(zoom) + 2
    extent = Extent.around(west, south, east, north)
    borders = choose_base(extent, base)
    geoms = prepare_coverage([f.geometry for f in borders.features], extent, detail_zoom)
    countries = [
        {"type": "Feature", "properties": {"iso_a3": f.props.iso_a3}, "geometry": geojson_geometry(g)}
        for f, g in zip(borders.features, geoms)
        if g is not None
    ]
    by_id = {f.id: f for layer in layers.values() for f in layer.features}
    labels = label_points([by_id[row["id"]].geometry for row in rows], cset.bounds)
    routes = []
    for number, (row, label_at) in enumerate(zip(rows, labels), start=1):
        feature = by_id[row["id"]]
        routes.append({
            "id": row["id"],
            "number": number,
            "labelAt": label_at,
            "row": row,
            "style": line_style(feature.props.kind, feature.props.status).leaflet(),
            "geometry": geojson_geometry(prepare_line_or_point(feature.geometry, detail_zoom)),
        })
    attribution = [borders.attribution]
    for name in sorted({row["borders_from"] for row in rows}):
        if base[name].attribution not in attribution:
            attribution.append(base[name].attribution)
    if any(by_id[row["id"]].props.trace is not None or by_id[row["id"]].props.method for row in rows):
        attribution.append(OSM_LINES_CREDIT)
    attribution.append(ROUTES_CREDIT)
    return {
        "id": cset.id,
        "title": cset.title,
        "bounds": [list(cset.bounds[0]), list(cset.bounds[1])],
        "maxBounds": extent.leaflet_bounds(),
        "small": {"center": center, "zoom": zoom},
        "overviewZoom": {"min": max(0, math.floor(zoom)), "max": detail_zoom},
        "land": {"color": BORDER, "weight": 1, "fillColor": LAND, "fillOpacity": 1, "opacity": 1},
        "countries": {"type": "FeatureCollection", "features": countries},
        "routes": routes,
        "attribution": attribution,
    }


PAGE = _ENV.from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · Corridor Atlas</title>
<meta name="description" content="{{ summary }}">
<meta name="generator" content="Corridor Atlas">
{{ head }}
<style>{{ css }}</style>
<script>{{ js }}</script>
</head>
<body class="compare-page">
<header class="compare-header">
<p class="compare-nav"><a href="index.html">Corridor Atlas</a> · comparison</p>
<h1>{{ title }}</h1>
{%- if description %}
<p class="compare-description">{{ description }}</p>
{%- endif %}
</header>
<main>
<section class="compare-top">
<div id="compare-overview" class="compare-map compare-overview" role="region" aria-label="Map: all {{ count }} routes, numbered as in the legend and the table"></div>
<div class="compare-legend-box">
<h2 id="compare-legend-heading">Legend</h2>
<ol id="compare-legend" class="compare-legend" aria-labelledby="compare-legend-heading"></ol>
<p class="compare-legend-note">Numbers on the map are the routes' numbers. Solid: operational. Dashed: under construction. Dotted: proposed. Grey: idle or closed. Schematic lines join documented waypoints.</p>
</div>
</section>
<section class="compare-table-section" aria-label="Figures per route">
<div class="compare-table-wrap">
<table id="compare-table" class="compare-table">
<caption>{{ count }} routes. Sort by any column with its header button (click or Enter). Hover or focus a row to find its route on the maps; hover a route to find its row. “not stated”: no source we found says.</caption>
<thead></thead>
<tbody></tbody>
</table>
</div>
</section>
<section aria-labelledby="compare-multiples-heading">
<h2 id="compare-multiples-heading">Each route at the same scale</h2>
<p class="compare-hint">Every small map shows the same area at the same zoom ({{ zoom }}), so drawn lengths compare by eye.</p>
<div id="compare-multiples" class="compare-multiples"></div>
</section>
<section class="compare-method" aria-labelledby="compare-method-heading">
<h2 id="compare-method-heading">Method</h2>
<p><strong>Drawn length</strong> is geodesic on the WGS84 ellipsoid (pyproj), measured along each line as drawn.
Schematic lines join documented waypoints with straight geodesic segments, so they run short of the real track:
read them beside the <strong>reported length</strong> and its source.</p>
<p><strong>Km by country</strong>, the <strong>countries in order</strong> and the <strong>border crossings</strong> are measured against
OpenStreetMap-derived borders where a route lies entirely inside the South Caucasus box (38–52°E, 36–44.5°N), and against
Natural Earth 1:10m borders otherwise. A crossing is a change of country along the route: A → B counts once, also across a sea;
A → sea → A counts none, A → B → A counts two. A stretch lying exactly on a border belongs to neither country;
pieces under 1 km inside a country are border slivers, not a country passed through. Figures are rounded to whole km.</p>
<p><strong>New construction</strong> and <strong>existing line</strong>, <strong>capacity</strong>, <strong>cost</strong>, <strong>financing</strong>,
<strong>expected completion</strong> and the <strong>border / customs regime</strong> are shown only where a source states them, each with a link to it;
otherwise “not stated”. Figures are as published (units differ between sources); statements are summarised from the linked page.</p>
</section>
</main>
<footer id="compare-credit" class="compare-credit"></footer>
<noscript><p class="compare-noscript">This comparison needs JavaScript to draw its maps and table.</p></noscript>
<script type="application/json" id="compare-data">{{ payload }}</script>
<script>CorridorCompare.init(JSON.parse(document.getElementById("compare-data").textContent));</script>
</body>
</html>
"""
)


def render_compare_page(cset: ComparisonSet, rows: list[dict], layers: dict[str, Layer], base: dict[str, BaseLayer]) -> str:
    """The complete, self-contained HTML page for one comparison set."""
    data = page_payload(cset, rows, layers, base)
    names = ", ".join(row["name"] for row in rows)
    return PAGE.render(
        title=cset.title,
        description=cset.description,
        summary=f"{cset.title}: {len(rows)} routes compared ({names}).",
        count=len(rows),
        zoom=f"{data['small']['zoom']:g}",
        head=Markup(assets.head_html("inline")),
        css=Markup(assets._script_safe(assets.own_asset("compare.css"))),
        js=Markup(assets.page_script("compare.js")),
        payload=Markup(json_for_html(data)),
    )


@dataclass(frozen=True)
class BuiltComparison:
    """A written comparison page, as the index lists it."""

    id: str
    title: str
    description: str
    filename: str
    routes: int
    size_bytes: int


def render_comparison(cset: ComparisonSet, layers: dict[str, Layer], base: dict[str, BaseLayer]) -> tuple[str, str, int]:
    """(file name, page, number of routes) for one set: measuring and rendering, no I/O."""
    rows = compare_rows(cset, layers, base)
    return f"compare-{cset.id}.html", render_compare_page(cset, rows, layers, base), len(rows)
