"""A story's basemap and lines, detailed only where its steps zoom in (h7, issue 15)."""
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


def test_story_line__detailed_only_where_a_step_zooms_in_and_unbroken():
    """A story's line keeps its bends (to half a pixel at zoom 12) inside the step's view, and is
    simplified for the wide view's zoom elsewhere; its runs join, and it still ends where it ended."""
    from corridor_atlas.simplify import degrees_per_pixel, prepare_line_for_story, prepare_line_or_point

    land = Extent(-3, -1, 3, 5)
    step = Extent(-0.1, 1.9, 0.1, 2.1)
    tiers = story_tiers([(land, None), (step, None)], land, 3, 12)
    zigzag = shapely.LineString([(0.002 * math.sin(i * 1.7), i * 0.004) for i in range(1001)])  # (0, 0) to (0, 4)
    line = prepare_line_for_story(zigzag, tiers, 12)
    everywhere = prepare_line_or_point(zigzag, 12)
    assert line.geom_type == "LineString" and line.is_valid
    assert line.coords[0] == everywhere.coords[0] and line.coords[-1] == everywhere.coords[-1]
    inside, outside = step.polygon, shapely.box(-3, 2.5, 3, 5)
    # in the step's view: every bend the max-zoom line has; far from it: a few vertices
    assert shapely.get_num_coordinates(line.intersection(inside)) >= shapely.get_num_coordinates(everywhere.intersection(inside)) - 2
    assert shapely.get_num_coordinates(line.intersection(outside)) < shapely.get_num_coordinates(everywhere.intersection(outside)) / 20
    # and nowhere farther from the data than half a pixel at the zoom each part is seen at
    coarsest = min(z for z, _ in tiers)
    assert zigzag.hausdorff_distance(line) <= degrees_per_pixel(coarsest) / 2 + 1e-4  # + the grid (4 decimals at zoom 12)
    assert zigzag.intersection(inside).hausdorff_distance(line.intersection(inside)) <= degrees_per_pixel(12) / 2 + 1e-4


def test_story_line__points_areas_and_maps_without_steps_as_before():
    from corridor_atlas.simplify import prepare_line_for_story, prepare_line_or_point

    land = Extent(-3, -1, 3, 5)
    tiers = story_tiers([(land, None), (Extent(-0.1, 1.9, 0.1, 2.1), None)], land, 3, 12)
    point, area = shapely.Point(0.123456, 2.0), shapely.box(-0.05, 1.95, 0.05, 2.05)
    for geom in (point, area):
        assert prepare_line_for_story(geom, tiers, 12).equals_exact(prepare_line_or_point(geom, 12), 0)
