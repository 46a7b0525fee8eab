"""Proposed tests/test_story_tiers.py (h7): a story's basemap, detailed only where its steps zoom in."""
import math

import shapely

from corridor_atlas.basemap import fit_zoom, story_tiers, tiered_coverage
from corridor_atlas.simplify import Extent


def _jagged_pair():
    """Two neighbours sharing a wiggly border from (0, 0) to (0, 4), a wiggly coast on the east."""
    border = [(0.003 * math.sin(i * 1.7), i * 0.004) for i in range(1001)]
    west = shapely.Polygon([(-2, 4), (-2, 0)] + border)
    east = shapely.Polygon(border[::-1] + [(2 + 0.002 * math.sin(i), i * 0.004) for i in range(1001)])
    return [west, shapely.make_valid(east)]


def test_fit_zoom__as_leaflet_fits_bounds_on_the_design_screen():
    assert fit_zoom(Extent(44.3, 38.5, 47.5, 40.2), 3, 9) == 9   # story step 1
    assert fit_zoom(Extent(28.0, 28.5, 60.0, 48.0), 3, 9) == 5   # the wide default view


def test_tiers__partition_the_land_deepest_first():
    land = Extent(-3, -1, 3, 5)
    tiers = story_tiers([(land, None), (Extent(-0.1, 1.9, 0.1, 2.1), None)], land, 3, 12)
    assert [z for z, _ in tiers] == sorted((z for z, _ in tiers), reverse=True)
    assert math.isclose(sum(r.area for _, r in tiers), land.polygon.area, rel_tol=1e-9)
    assert shapely.union_all([r for _, r in tiers]).equals(land.polygon)


def test_tiered_coverage__neighbours_meet_exactly_where_the_detail_changes():
    land = Extent(-3, -1, 3, 5)
    tiers = story_tiers([(land, None), (Extent(-0.1, 1.9, 0.1, 2.1), None)], land, 3, 12)
    west, east = tiered_coverage(_jagged_pair(), tiers, 4)
    assert west.intersection(east).area < 1e-12            # no overlap
    joined = shapely.union_all([west, east])
    assert len(shapely.get_parts(joined)) == 1 and not joined.interiors   # no gap, no sliver hole
    assert shapely.get_num_coordinates(west) < shapely.get_num_coordinates(_jagged_pair()[0])
