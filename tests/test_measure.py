"""Known-answer tests for corridor_atlas.measure.

Expected values never come from measure.py (nor from pyproj): they are computed here from
closed-form ellipsoid formulas written out in this file, and checked against published
figures (1° of latitude at the equator 110.574 km, 1° of longitude 111.320 km on WGS84).
"""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from corridor_atlas.measure import (
    border_crossings,
    countries_along,
    densify,
    geodesic_area_km2,
    geodesic_length_km,
    km_by_country,
    shared_border_km,
)

# WGS84 defining constants.
A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)
E = math.sqrt(E2)
B = A * (1 - F)


def meridian_arc_km(lat1_deg: float, lat2_deg: float, n: int = 2000) -> float:
    """M = ∫ a(1-e²)/(1-e² sin²φ)^(3/2) dφ, by Simpson's rule (independent of pyproj)."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    h = (p2 - p1) / n

    def rho(p):
        return A * (1 - E2) / (1 - E2 * math.sin(p) ** 2) ** 1.5

    s = rho(p1) + rho(p2)
    s += sum((4 if i % 2 else 2) * rho(p1 + i * h) for i in range(1, n))
    return abs(s * h / 3) / 1000.0


def equator_arc_km(dlon_deg: float) -> float:
    return A * math.radians(abs(dlon_deg)) / 1000.0


def zone_area_km2(lat1_deg: float, lat2_deg: float, dlon_deg: float) -> float:
    """Area of an ellipsoidal quadrangle: b²Δλ/2 · [q(φ2) - q(φ1)] (authalic zone formula)."""

    def q(lat):
        s = math.sin(math.radians(lat))
        return s / (1 - E2 * s * s) + math.log((1 + E * s) / (1 - E * s)) / (2 * E)

    return B * B * math.radians(dlon_deg) / 2 * (q(lat2_deg) - q(lat1_deg)) / 1e6


# ----------------------------------------------------------------- the reference itself


def test_reference_formulas__match_published_wgs84_degrees():
    assert meridian_arc_km(0, 1) == pytest.approx(110.574, abs=0.001)
    assert equator_arc_km(1) == pytest.approx(111.320, abs=0.001)
    # Whole ellipsoid: 510,065,621.7 km² (published WGS84 surface area).
    assert zone_area_km2(-90, 90, 360) == pytest.approx(510_065_621.7, rel=1e-8)


# ----------------------------------------------------------------- lengths


def test_geodesic_length_km__meridian_degree_at_equator():
    line = LineString([(10, 0), (10, 1)])
    assert geodesic_length_km(line) == pytest.approx(meridian_arc_km(0, 1), abs=1e-6)


def test_geodesic_length_km__equator_degree():
    line = LineString([(0, 0), (1, 0)])
    assert geodesic_length_km(line) == pytest.approx(equator_arc_km(1), abs=1e-6)


def test_geodesic_length_km__meridian_at_high_latitude():
    line = LineString([(45, 59), (45, 60)])
    assert geodesic_length_km(line) == pytest.approx(meridian_arc_km(59, 60), abs=1e-6)


def test_geodesic_length_km__multilinestring_sums_parts():
    from shapely.geometry import MultiLineString

    ml = MultiLineString([[(0, 0), (1, 0)], [(10, 0), (10, 1)]])
    assert geodesic_length_km(ml) == pytest.approx(equator_arc_km(1) + meridian_arc_km(0, 1), abs=1e-6)


def test_geodesic_length_km__rejects_polygon():
    with pytest.raises(TypeError):
        geodesic_length_km(box(0, 0, 1, 1))


# ----------------------------------------------------------------- areas
# A polygon's edges are geodesics, and a geodesic between two points of one parallel
# bulges poleward; the zone formula is for cells bounded by parallels. So the test cells
# follow their parallels with a vertex every 0.001° (chord bulge there: well under 1 mm).


def cell(west, south, east, north, step=0.001):
    n = round((east - west) / step)
    bottom = [(west + (east - west) * i / n, south) for i in range(n + 1)]
    top = [(east - (east - west) * i / n, north) for i in range(n + 1)]
    return Polygon(bottom + top)


def test_geodesic_area_km2__one_degree_cell_at_equator():
    assert geodesic_area_km2(cell(0, 0, 1, 1)) == pytest.approx(zone_area_km2(0, 1, 1), rel=1e-7)


def test_geodesic_area_km2__clockwise_ring_is_still_positive():
    cw = Polygon(list(cell(0, 0, 1, 1).exterior.coords)[::-1])
    assert not cw.exterior.is_ccw
    assert geodesic_area_km2(cw) == pytest.approx(zone_area_km2(0, 1, 1), rel=1e-7)


def test_geodesic_area_km2__hole_is_subtracted():
    poly = Polygon(cell(40, 39, 42, 41).exterior.coords, [cell(40.5, 39.5, 41.5, 40.5).exterior.coords])
    expected = zone_area_km2(39, 41, 2) - zone_area_km2(39.5, 40.5, 1)
    assert geodesic_area_km2(poly) == pytest.approx(expected, rel=1e-7)


def test_geodesic_area_km2__multipolygon_at_caucasus_latitude():
    mp = MultiPolygon([cell(44, 39, 45, 40), cell(46, 39, 47, 40)])
    assert geodesic_area_km2(mp) == pytest.approx(2 * zone_area_km2(39, 40, 1), rel=1e-7)


# ----------------------------------------------------------------- countries along a line

# Synthetic countries straddling the equator so that expected lengths are equator arcs.
A_SQ = box(0, -1, 1, 1)
B_SQ = box(1, -1, 2, 1)
TWO = {"AAA": A_SQ, "BBB": B_SQ}


def test_densify__points_lie_on_the_geodesic_and_keep_length():
    line = LineString([(44.0, 40.0), (50.0, 41.0)])
    dense = densify(line, step_km=5)
    assert len(dense.coords) > 100
    assert geodesic_length_km(dense) == pytest.approx(geodesic_length_km(line), rel=1e-9)


def test_km_by_country__one_border_crossing_splits_km():
    line = LineString([(0.5, 0), (1.5, 0)])
    km = km_by_country(line, TWO)
    assert km["AAA"] == pytest.approx(equator_arc_km(0.5), abs=1e-6)
    assert km["BBB"] == pytest.approx(equator_arc_km(0.5), abs=1e-6)
    assert countries_along(line, TWO) == ["AAA", "BBB"]
    assert border_crossings(line, TWO) == 1


def test_km_by_country__route_leaves_and_reenters():
    a = MultiPolygon([box(0, -1, 1, 1), box(2, -1, 3, 1)])
    countries = {"AAA": a, "BBB": B_SQ}
    line = LineString([(0.5, 0), (2.5, 0)])
    km = km_by_country(line, countries)
    assert km["AAA"] == pytest.approx(equator_arc_km(1), abs=1e-6)
    assert km["BBB"] == pytest.approx(equator_arc_km(1), abs=1e-6)
    assert countries_along(line, countries) == ["AAA", "BBB", "AAA"]
    assert border_crossings(line, countries) == 2


def test_countries_along__order_follows_line_direction():
    line = LineString([(1.5, 0), (0.5, 0)])
    assert countries_along(line, TWO) == ["BBB", "AAA"]


def test_countries_along__running_along_a_border_inside_one_country():
    # 0.001° (about 110 m) inside AAA, parallel to the AAA|BBB border.
    line = LineString([(0.999, -0.5), (0.999, 0.5)])
    assert countries_along(line, TWO) == ["AAA"]
    assert border_crossings(line, TWO) == 0
    assert km_by_country(line, TWO) == {"AAA": pytest.approx(meridian_arc_km(-0.5, 0.5), abs=1e-6)}


def test_km_by_country__line_exactly_on_border_counts_for_both():
    line = LineString([(1, -0.5), (1, 0.5)])
    km = km_by_country(line, TWO)
    assert km["AAA"] == pytest.approx(meridian_arc_km(-0.5, 0.5), abs=1e-6)
    assert km["BBB"] == pytest.approx(meridian_arc_km(-0.5, 0.5), abs=1e-6)


def test_countries_along__sliver_below_tolerance_is_ignored():
    # The line starts 0.005° (about 0.56 km) inside BBB, then runs 1° through AAA.
    line = LineString([(1.005, 0), (0.005, 0)])
    assert countries_along(line, TWO) == ["AAA"]
    assert countries_along(line, TWO, min_km=0.1) == ["BBB", "AAA"]
    assert border_crossings(line, TWO) == 0


def test_border_crossings__sea_gap_between_two_countries_counts_once():
    countries = {"AAA": box(0, -1, 1, 1), "CCC": box(2, -1, 3, 1)}
    line = LineString([(0.5, 0), (2.5, 0)])
    assert countries_along(line, countries) == ["AAA", "CCC"]
    assert border_crossings(line, countries) == 1
    km = km_by_country(line, countries)
    assert sum(km.values()) == pytest.approx(equator_arc_km(1), abs=1e-6)


def test_border_crossings__sea_gap_back_to_same_country_counts_zero():
    countries = {"AAA": MultiPolygon([box(0, -1, 1, 1), box(2, -1, 3, 1)])}
    assert border_crossings(LineString([(0.5, 0), (2.5, 0)]), countries) == 0


def test_km_by_country__long_segment_judged_along_geodesic():
    # A long E-W segment at 60°N: its geodesic bulges north of the parallel (by about
    # 0.58° at mid-span for 20° of longitude; vertex on a great circle), so a thin country
    # lying just north of 60° is crossed by the real path although the lon/lat chord never
    # enters it.
    north = {"NNN": box(0, 60.2, 40, 61)}
    line = LineString([(10, 60), (30, 60)])
    assert not line.intersects(north["NNN"])
    assert countries_along(line, north) == ["NNN"]


# ----------------------------------------------------------------- shared borders


def test_shared_border_km__adjacent_squares_share_one_meridian_side():
    assert shared_border_km(A_SQ, B_SQ, tolerance_m=100) == pytest.approx(
        meridian_arc_km(-1, 1), rel=2e-3
    )


def test_shared_border_km__gap_wider_than_tolerance_is_not_shared():
    far = box(1.02, -1, 2, 1)  # about 2.2 km east of AAA
    assert shared_border_km(A_SQ, far, tolerance_m=500) == 0.0
    # With 5 km, the whole east side counts, plus the ends of the top and bottom sides
    # that lie within 5 km of FAR's corners (under 5 km each).
    km = shared_border_km(A_SQ, far, tolerance_m=5000)
    assert meridian_arc_km(-1, 1) < km < meridian_arc_km(-1, 1) + 2 * 5


def _notched(notch_width_deg: float):
    """AAA west of 45°E with a notch of BBB reaching into it across the 40°N line."""
    from shapely.geometry import box as _box

    notch = _box(42.0, 39.9, 42.0 + notch_width_deg, 40.2)
    return {"AAA": _box(40, 38, 45, 42).difference(notch), "BBB": _box(45, 38, 50, 42).union(notch)}


def test_countries_along_waypoints__chord_clipping_a_bend_counts_as_its_country():
    from corridor_atlas.measure import countries_along_waypoints

    countries = _notched(0.05)  # about 4 km of BBB on the chord
    seq, strays = countries_along_waypoints([("AAA", (41.0, 40.0)), ("AAA", (44.0, 40.0))], countries)
    assert seq == ["AAA"] and strays == []


def test_countries_along_waypoints__chord_straying_too_far_is_reported():
    from corridor_atlas.measure import countries_along_waypoints

    countries = _notched(0.5)  # about 43 km of BBB on the chord
    seq, strays = countries_along_waypoints([("AAA", (41.0, 40.0)), ("AAA", (44.0, 40.0))], countries, chord_slack_km=12)
    assert seq == ["AAA"] and len(strays) == 1 and "BBB" in strays[0]


def test_countries_along_waypoints__chord_between_countries_lists_what_it_crosses():
    from corridor_atlas.measure import countries_along_waypoints

    countries = _notched(0.5)
    stops = [("AAA", (41.0, 40.0)), ("AAA", (41.5, 40.0)), ("BBB", (46.0, 40.0))]
    seq, strays = countries_along_waypoints(stops, countries)
    assert seq == ["AAA", "BBB", "AAA", "BBB"] and strays == []
