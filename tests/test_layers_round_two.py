"""Issue 16: a point exactly on the region's edge is inside it (it was "coordinates look swapped")."""

from __future__ import annotations

from pathlib import Path

from shapely.geometry import Point

from corridor_atlas.errors import Problems
from corridor_atlas.layers import check_geometry
from corridor_atlas.vocabulary import REGION_BOUNDS


def test_point_on_the_region_edge__inside():
    west, south, east, north = REGION_BOUNDS
    for point in (Point(west, 40.0), Point(east, 40.0), Point(45.0, south), Point(45.0, north)):
        problems = Problems()
        assert check_geometry(point, "place", Path("x.geojson"), "feature 'p'", problems), problems.items
